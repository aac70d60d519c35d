# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models
from odoo.exceptions import AccessError


class ResUsers(models.Model):
    """The logins of the people who decide for a resource (stewards) or invoice
    it (contributors)."""

    _inherit = "res.users"

    def _get_commons_decision_refusal(self):
        """Why this login may not decide for its partner now (approve or reject
        a bill, issue an instruction, confirm or object to a proposal), or
        False when it may.

        :return: a translated reason, or False
        """
        self.ensure_one()
        # TODO(logins): a second login of the partner, a login or email changed
        # by someone else and not confirmed from the previous address.
        return False

    def _check_commons_decision_login(self):
        """Raise AccessError unless this login may decide for its partner now."""
        self.ensure_one()
        refusal = self._get_commons_decision_refusal()
        if refusal:
            raise AccessError(refusal)

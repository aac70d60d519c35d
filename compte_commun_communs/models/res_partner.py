# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    commons_funder_type = fields.Selection(
        [("public", "Public body"), ("private", "Private")],
        string="Funder Type",
        tracking=True,
        help="Public bodies (State agencies, regions, municipalities) give grants; "
        "their donations are recorded as public grants by default.",
    )
    commons_named_funder = fields.Boolean(
        string="Named on the Needs Pages",
        tracking=True,
        help="The funder agreed to be named on the public pages of the resources "
        "they fund.",
    )

    def _get_commons_login(self):
        """The login that speaks for this person in the commons: their first
        user (the oldest, archived ones included). A second login on the same
        contact never decides.

        :return: res.users, empty when the person has no login
        """
        self.ensure_one()
        # TODO(logins): see res.users._get_commons_decision_refusal.
        return self.sudo().with_context(active_test=False).user_ids.sorted("id")[:1]

    def _check_commons_steward_duties(self, company):
        """Raise UserError unless each of these people may be a steward of a
        resource of ``company``: the host's staff who post or pay for it never
        decide for a resource (separation of duties)."""
        # TODO(duties): refuse people with accounting or Commons manager rights
        # in ``company``.
        return True

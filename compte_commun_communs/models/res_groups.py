# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models


class ResGroups(models.Model):
    _inherit = "res.groups"

    def write(self, vals):
        """Adding users to a group, or a right to a group, from the group's
        form: a steward's login gets no host's rights this way either."""
        res = super().write(vals)
        if {"users", "implied_ids"} & vals.keys():
            self.with_context(active_test=False).users._check_commons_host_duties()
        return res

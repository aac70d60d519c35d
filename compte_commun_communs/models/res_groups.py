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
            granting = self._get_commons_host_rights_groups()
            if granting:
                granting.with_context(
                    active_test=False
                ).users._check_commons_host_duties()
        return res

    def _get_commons_host_rights_groups(self):
        """These groups that are, or imply, one of the host's rights: only
        their users may have got one by a write of these groups. (The settings
        write the implied groups of Employee at each toggle: that gives
        nobody such a right, and checks nobody.)

        :return: res.groups, a subset of ``self``
        """
        host_groups = self.env["res.users"]._get_commons_host_groups()
        return self.filtered(
            lambda group: host_groups & (group | group.sudo().trans_implied_ids)
        )

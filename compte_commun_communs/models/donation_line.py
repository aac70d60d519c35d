# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models


class DonationLine(models.Model):
    _inherit = "donation.line"

    commons_resource_id = fields.Many2one(
        "commons.resource",
        string="Commons Resource",
        index="btree_not_null",
        ondelete="restrict",
        check_company=True,
        help="The resource this money is earmarked for: the line's analytic "
        "distribution goes to the resource's analytic account.",
    )

    @api.depends("commons_resource_id")
    def _compute_analytic_distribution(self):
        res = super()._compute_analytic_distribution()
        for line in self.filtered("commons_resource_id.analytic_account_id"):
            line.analytic_distribution = line._prepare_commons_analytic_distribution()
        return res

    def _prepare_commons_analytic_distribution(self):
        self.ensure_one()
        return {str(self.commons_resource_id.analytic_account_id.id): 100.0}

# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    commons_host_fee_rate = fields.Float(
        related="company_id.commons_host_fee_rate", readonly=False
    )
    commons_fee_account_id = fields.Many2one(
        related="company_id.commons_fee_account_id", readonly=False
    )
    commons_host_analytic_account_id = fields.Many2one(
        related="company_id.commons_host_analytic_account_id", readonly=False
    )
    commons_grant_account_id = fields.Many2one(
        related="company_id.commons_grant_account_id", readonly=False
    )
    commons_gift_account_id = fields.Many2one(
        related="company_id.commons_gift_account_id", readonly=False
    )
    commons_sponsorship_account_id = fields.Many2one(
        related="company_id.commons_sponsorship_account_id", readonly=False
    )

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
    # Legal identity printed on tax receipts
    commons_rna = fields.Char(related="company_id.commons_rna", readonly=False)
    commons_company_registry = fields.Char(
        related="company_id.company_registry", string="SIREN", readonly=False
    )
    commons_organisation_kind = fields.Selection(
        related="company_id.commons_organisation_kind", readonly=False
    )
    commons_organisation_kind_detail = fields.Char(
        related="company_id.commons_organisation_kind_detail", readonly=False
    )
    commons_object = fields.Text(related="company_id.commons_object", readonly=False)
    commons_receipt_signatory_name = fields.Char(
        related="company_id.commons_receipt_signatory_name", readonly=False
    )
    commons_receipt_signatory_function = fields.Char(
        related="company_id.commons_receipt_signatory_function", readonly=False
    )
    commons_receipt_signature = fields.Image(
        related="company_id.commons_receipt_signature", readonly=False
    )
    commons_receipt_place = fields.Char(
        related="company_id.commons_receipt_place", readonly=False
    )
    commons_receipt_gift_form = fields.Selection(
        related="company_id.commons_receipt_gift_form", readonly=False
    )

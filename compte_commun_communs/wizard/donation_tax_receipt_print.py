# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models

from ..models.donation_tax_receipt_cerfa import CERFA_REPORT


class DonationTaxReceiptPrint(models.TransientModel):
    _inherit = "donation.tax.receipt.print"

    # OCA's label, declared again so that this module translates it.
    receipt_ids = fields.Many2many(string="Receipts to Print")

    def print_receipts(self):
        """Print the CERFA instead of OCA's basic receipt, and only receipts that
        can be issued."""
        self.receipt_ids._check_commons_cerfa_ready()
        super().print_receipts()
        return self.env.ref(CERFA_REPORT).report_action(self.receipt_ids)

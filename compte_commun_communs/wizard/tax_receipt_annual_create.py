# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models


class TaxReceiptAnnualCreate(models.TransientModel):
    _inherit = "tax.receipt.annual.create"

    def generate_annual_receipts(self):
        action = super().generate_annual_receipts()
        receipt_ids = action["domain"][0][2]
        self.env["donation.tax.receipt"].browse(receipt_ids)._queue_commons_receipt()
        return action

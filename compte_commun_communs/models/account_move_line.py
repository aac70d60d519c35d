# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models

# What a posted item of a donation's entry keeps: its money and where it is
# earmarked.
PROTECTED_LINE_FIELDS = {
    "analytic_distribution",
    "account_id",
    "debit",
    "credit",
    "balance",
    "amount_currency",
    "partner_id",
}


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    def write(self, vals):
        if PROTECTED_LINE_FIELDS & vals.keys():
            self.move_id._check_commons_donation_entry()
        return super().write(vals)

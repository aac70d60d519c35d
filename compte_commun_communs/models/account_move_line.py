# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models

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

# What makes an item spend a resource's funds, or how much.
SPENDING_LINE_FIELDS = PROTECTED_LINE_FIELDS | {
    "price_unit",
    "quantity",
    "discount",
    "tax_ids",
}


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines.move_id._lapse_commons_approvals()
        lines.move_id.filtered(
            lambda move: move.state == "posted"
        )._check_commons_postable()
        return lines

    def write(self, vals):
        if PROTECTED_LINE_FIELDS & vals.keys():
            self.move_id._check_commons_donation_entry()
        res = super().write(vals)
        # A line written on its own (not through its bill) changes the bill too.
        self.move_id._lapse_commons_approvals()
        if SPENDING_LINE_FIELDS & vals.keys():
            # A posted move keeps what the stewards approved, and spends no
            # resource's funds unapproved (the analytic distribution of a
            # posted item may still change).
            self.move_id.filtered(
                lambda move: move.state == "posted"
            )._check_commons_postable()
        return res

    def unlink(self):
        moves = self.move_id
        res = super().unlink()
        moves.exists()._lapse_commons_approvals()
        return res

    def _check_amls_exigibility_for_reconciliation(self, shadowed_aml_values=None):
        # Every reconciliation (payment, bank line, manual) comes here.
        self.move_id._check_commons_payable()
        return super()._check_amls_exigibility_for_reconciliation(
            shadowed_aml_values=shadowed_aml_values
        )

# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models

# What says which items a reconciliation matches, and for how much.
MATCHING_FIELDS = {
    "debit_move_id",
    "credit_move_id",
    "amount",
    "debit_amount_currency",
    "credit_amount_currency",
}


class AccountPartialReconcile(models.Model):
    """A reconciliation record made directly (over RPC, or by a module that
    does not go through reconcile()) pays a bill as well: it obeys the rules
    of every reconciliation of a commons bill's items."""

    _inherit = "account.partial.reconcile"

    @api.model_create_multi
    def create(self, vals_list):
        Line = self.env["account.move.line"]
        for vals in vals_list:
            self._check_commons_matched_items(
                Line.browse(
                    [
                        vals.get("debit_move_id") or 0,
                        vals.get("credit_move_id") or 0,
                    ]
                ).exists()
            )
        return super().create(vals_list)

    def write(self, vals):
        res = super().write(vals)
        if MATCHING_FIELDS & vals.keys():
            for partial in self:
                self._check_commons_matched_items(
                    partial.debit_move_id | partial.credit_move_id
                )
        return res

    @api.model
    def _check_commons_matched_items(self, lines):
        """The items matched are payable as posted and approved, and matched
        with what may pay a commons bill (see
        account.move.line._check_commons_reconciliation_partner)."""
        lines = lines.sudo()
        lines.move_id._check_commons_payable()
        lines._check_commons_reconciliation_partner()

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
    """Every reconciliation makes its records here, whatever made it (the
    payment wizard, an outstanding payment, a bank line, reconcile() over
    RPC, a module that does not go through reconcile(), a record created
    directly): what pays a commons bill is checked here, once for all the
    records a reconciliation makes."""

    _inherit = "account.partial.reconcile"

    @api.model_create_multi
    def create(self, vals_list):
        self._check_commons_new_partials(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        res = super().write(vals)
        if MATCHING_FIELDS & vals.keys():
            self._check_commons_matched_items(
                [(partial.debit_move_id, partial.credit_move_id) for partial in self]
            )
        return res

    @api.model
    def _check_commons_new_partials(self, vals_list):
        """The reconciliation records to be made from ``vals_list`` obey the
        rules of what pays a commons bill."""
        Line = self.env["account.move.line"].sudo()
        ids = {
            vals.get(side)
            for vals in vals_list
            for side in ("debit_move_id", "credit_move_id")
        } - {None, False}
        lines = {line.id: line for line in Line.browse(ids).exists()}
        self._check_commons_matched_items(
            [
                (
                    lines.get(vals.get("debit_move_id"), Line),
                    lines.get(vals.get("credit_move_id"), Line),
                )
                for vals in vals_list
            ]
        )

    @api.model
    def _check_commons_matched_items(self, pairs):
        """The items matched are payable as posted and approved, and matched
        with what may pay a commons bill (see
        account.move.line._check_commons_reconciliation_partner).

        :param pairs: [(debit item, credit item)] of each record
        """
        lines = (
            self.env["account.move.line"]
            .sudo()
            .union(*(debit | credit for debit, credit in pairs))
        )
        lines._check_commons_reconciliation_partner(pairs)

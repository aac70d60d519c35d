# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models
from odoo.exceptions import UserError
from odoo.tools.misc import formatLang

from .account_move_commons_bill import APPROVAL_MOVE_TYPES

# What says which items a reconciliation matches, and for how much, in which
# currencies.
MATCHING_FIELDS = {
    "debit_move_id",
    "credit_move_id",
    "amount",
    "debit_amount_currency",
    "credit_amount_currency",
    "debit_currency_id",
    "credit_currency_id",
    "company_currency_id",
    "company_id",
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
        partials = super().create(vals_list)
        # The contributor of a commons bill they pay hears of it once the
        # reconciliation is done.
        self.env["account.move"]._collect_commons_payments(partials)
        return partials

    def unlink(self):
        # What a payment undone (unreconciled, reset to draft, its order set
        # back) had paid of commons bills is read before it goes, and told
        # their contributors once it went.
        Move = self.env["account.move"]
        undone = Move._get_commons_payments_made_by(self)
        res = super().unlink()
        Move._announce_commons_undone_payments(undone)
        return res

    def write(self, vals):
        if MATCHING_FIELDS & vals.keys():
            self._check_commons_partials_kept(vals)
        return super().write(vals)

    @api.model
    def _check_commons_new_partials(self, vals_list):
        """The reconciliation records to be made from ``vals_list`` obey the
        rules of what pays a commons bill (see
        account.move.line._check_commons_reconciliation_partner)."""
        Line = self.env["account.move.line"].sudo()
        ids = {
            vals.get(side)
            for vals in vals_list
            for side in ("debit_move_id", "credit_move_id")
        } - {None, False}
        lines = {line.id: line for line in Line.browse(ids).exists()}
        pairs = [
            (
                lines.get(vals.get("debit_move_id"), Line),
                lines.get(vals.get("credit_move_id"), Line),
                vals,
            )
            for vals in vals_list
        ]
        matched = Line.browse(lines)._check_commons_reconciliation_partner(pairs)
        self._check_commons_matched_amounts(matched, pairs)

    @api.model
    def _check_commons_matched_amounts(self, lines, pairs):
        """None of ``lines`` is matched, by the reconciliation records about
        to be made, for more than it has left: a record made directly (over
        RPC) would otherwise settle a commons bill with more than its
        counterpart gave. In each item's own currency, and in the company's
        for an item in the company's currency (a foreign one is valued at the
        rates, which Odoo rounds).

        :param lines: account.move.line matched with a commons bill's item
        :param pairs: [(debit item, credit item, values)] of the records
        :raise UserError: when one would be matched for more
        """
        totals = {line: [0.0, 0.0] for line in lines}
        for debit, credit, vals in pairs:
            for line, side in ((debit, "debit"), (credit, "credit")):
                if line in totals:
                    totals[line][0] += vals.get("amount") or 0.0
                    totals[line][1] += vals.get(f"{side}_amount_currency") or 0.0
        for line, (amount, amount_currency) in totals.items():
            sign = 1 if line.balance > 0 or line.amount_currency > 0 else -1
            over = line.currency_id.compare_amounts(
                amount_currency, sign * line.amount_residual_currency
            ) > 0 or (
                line.currency_id == line.company_currency_id
                and line.company_currency_id.compare_amounts(
                    amount, sign * line.amount_residual
                )
                > 0
            )
            if over:
                raise UserError(
                    self.env._(
                        "%(move)s has %(left)s left on “%(item)s”: a reconciliation "
                        "of a commons bill matches it for no more.",
                        move=line.move_id.display_name,
                        left=formatLang(
                            self.env,
                            sign * line.amount_residual_currency,
                            currency_obj=line.currency_id,
                        ),
                        item=line.name or line.account_id.display_name,
                    )
                )

    def _check_commons_partials_kept(self, vals):
        """A reconciliation record of a commons bill's item keeps what it
        matches and for how much: what it settled was checked as it was made.
        It is undone (unreconciled) and made again instead."""
        Line = self.env["account.move.line"].sudo()
        lines = (
            self.sudo().debit_move_id
            | self.sudo().credit_move_id
            | Line.browse(
                [
                    vals[side]
                    for side in ("debit_move_id", "credit_move_id")
                    if vals.get(side)
                ]
            ).exists()
        )
        resources = lines.move_id._get_commons_resources_read()
        bills = lines.move_id.filtered(
            lambda move: move.move_type in APPROVAL_MOVE_TYPES and resources[move]
        )
        if bills:
            raise UserError(
                self.env._(
                    "%(bills)s is settled by the reconciliation records made as "
                    "it was paid, as they were checked: they do not change. "
                    "Unreconcile the items and reconcile them again.",
                    bills=", ".join(bills.mapped("display_name")),
                )
            )

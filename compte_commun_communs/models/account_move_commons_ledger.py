# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models
from odoo.exceptions import UserError

from .account_move_commons_bill import APPROVAL_MOVE_TYPES
from .ledger import changed_field_labels, is_ledger_pass


class AccountMove(models.Model):
    """The ledger rule of a resource's money: every journal item that names a
    resource's analytic account, on an account of any type, comes from a
    validated donation's entry (with its host fee, or its reversal when the
    donation is cancelled) or from a contributor's bill or credit note its
    stewards approved as it is. Anything else is refused when it would be
    posted, and a posted move that carries a resource's money keeps it.

    What each item does to the money (received, fee, spent) is said in one
    place, ``account.move.line._get_commons_movement``, which the figures read
    too (it is stored on the analytic items when they are made)."""

    _inherit = "account.move"  # pylint: disable=consider-merging-classes-inherited

    def write(self, vals):
        frozen = self._get_commons_ledger_move_fields() & vals.keys()
        if frozen:
            self._check_commons_ledger_unchanged(frozen, vals)
        return super().write(vals)

    def _get_commons_ledger_move_fields(self):
        """What a posted move carrying a resource's money keeps, whatever the
        path (Odoo lets some of these change on a posted move with the context
        key skip_readonly_check): the items' dates, journal and company come
        from it."""
        return {"date", "journal_id", "company_id", "currency_id", "move_type"}

    def button_draft(self):
        # Odoo deletes the analytic items of an entry reset to draft as the
        # user: those of a resource go by this code only (account.analytic.line
        # refuses anyone else), once the entry may be reset.
        self._check_draftable()
        self.line_ids.analytic_line_ids._unlink_commons_lines()
        return super().button_draft()

    def _get_commons_origin(self):
        """Where a move comes from, as the ledger rule sees it.

        :return: "donation" for the entry of a donation being validated or
            validated, and for its reversal when the donation is cancelled;
            "bill" for a bill, credit note or receipt of a supplier (the
            stewards' approval decides whether it may touch a resource);
            False for anything else (journal entries, customer invoices and
            credit notes, bank statement lines, write-offs, transfers)
        """
        self.ensure_one()
        return self._get_commons_origins()[self]

    def _get_commons_origins(self):
        """The origin of each move (see _get_commons_origin), with one search of
        the donations whatever the number of moves.

        :return: {move: "donation" | "bill" | False}
        """
        if is_ledger_pass(self.env.context):
            return dict.fromkeys(self, "donation")
        donation_moves = self._get_commons_donations()._get_commons_entries()
        origins = {}
        for move in self:
            if move in donation_moves:
                origins[move] = "donation"
            elif move.move_type in APPROVAL_MOVE_TYPES:
                origins[move] = "bill"
            elif move.sudo().tax_cash_basis_origin_move_id:
                # The cash basis entry of a bill's taxes moves them when it is
                # paid.
                origins[move] = (
                    move.sudo().tax_cash_basis_origin_move_id._get_commons_origin()
                )
            else:
                origins[move] = False
        return origins

    def _check_commons_ledger(self):
        """Refuse a move about to be posted, or posted, whose items name a
        resource's analytic account without being a movement of its money (see
        account.move.line._get_commons_movement)."""
        resources = self.line_ids._get_commons_resources_by_item()
        named = self.line_ids.filtered(lambda item: resources[item])
        if not named:
            return
        origins = named.move_id._get_commons_origins()
        for move in named.move_id:
            refused = named.filtered(
                lambda item, m=move: item.move_id == m
                and not item._get_commons_movement(origins[m])
            )
            if not refused:
                continue
            item = refused[0]
            resource = resources[item][:1]
            if origins[move]:
                # A donation's or a bill's own item on the wrong kind of account.
                raise UserError(
                    self.env._(
                        "%(move)s books the money of %(resource)s on %(account)s: "
                        "a donation is received on an income account, a bill is "
                        "spent on an expense account.",
                        move=move.display_name,
                        resource=resource.display_name,
                        account=item.account_id.display_name,
                    )
                )
            raise UserError(
                self.env._(
                    "%(move)s names %(resource)s: a resource's money moves only "
                    "through a validated donation earmarked to it or a "
                    "contributor's bill or credit note its stewards approved, not "
                    "through %(kind)s. Remove the resource's analytic account from "
                    "it.",
                    move=move.display_name,
                    resource=resource.display_name,
                    kind=move._get_commons_move_kind_label(),
                )
            )

    def _check_commons_ledger_unchanged(self, fields, vals):
        """A posted move carrying a resource's money keeps ``fields``."""
        posted = self.sudo().filtered(lambda move: move.state == "posted")
        for move in posted.line_ids._get_commons_ledger_items().move_id:
            changed = changed_field_labels(move, fields, vals)
            if changed:
                raise UserError(
                    self.env._(
                        "%(move)s is posted and carries the money of a commons "
                        "resource: its %(fields)s cannot change. Reset it to draft "
                        "to correct it (a bill then waits for its stewards again); "
                        "a donation's entry is corrected by cancelling the donation.",
                        move=move.display_name,
                        fields=", ".join(changed),
                    )
                )

    def _get_commons_move_kind_label(self):
        """What the move is, in the words of an error message."""
        self.ensure_one()
        if self.move_type in ("out_invoice", "out_receipt"):
            return self.env._("a customer invoice")
        if self.move_type == "out_refund":
            return self.env._("a customer credit note")
        if self.sudo().statement_line_id:
            return self.env._("a bank statement line")
        return self.env._("a journal entry")

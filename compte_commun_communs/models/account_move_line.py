# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models
from odoo.exceptions import UserError

from .account_move_commons_bill import APPROVAL_MOVE_TYPES
from .account_move_commons_payment import EXCHANGE_DIFFERENCES
from .ledger import FUNDED_ACCOUNT_TYPES, SPENT_ACCOUNT_TYPES, changed_field_labels


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
        if self._get_commons_donation_entry_fields() & vals.keys():
            self.move_id._check_commons_donation_entry()
        ledger_fields = self._get_commons_ledger_line_fields() & vals.keys()
        if ledger_fields:
            self._check_commons_ledger_unchanged(ledger_fields, vals)
        res = super().write(vals)
        if not vals.keys() <= self._get_commons_bookkeeping_fields():
            # A line written on its own (not through its bill) changes the
            # bill too.
            self.move_id._lapse_commons_approvals()
        if ledger_fields:
            # An item of a posted move that named no resource may have been
            # given one: the move must then be a movement of its money.
            self.move_id.filtered(
                lambda move: move.state == "posted"
            )._check_commons_postable()
        return res

    def unlink(self):
        self._check_commons_ledger_kept()
        moves = self.move_id
        res = super().unlink()
        moves.exists()._lapse_commons_approvals()
        return res

    @api.model
    def _get_commons_donation_entry_fields(self):
        """What a posted item of a donation's entry keeps: its money and where
        it is earmarked."""
        return {
            "analytic_distribution",
            "account_id",
            "debit",
            "credit",
            "balance",
            "amount_currency",
            "partner_id",
        }

    @api.model
    def _get_commons_bookkeeping_fields(self):
        """Odoo's own bookkeeping of a journal item, which no steward approves:
        a write of these alone never makes its bill's approval lapse (Odoo
        writes its dirty flags on each move it syncs)."""
        return {"epd_dirty", "discount_allocation_dirty"}

    @api.model
    def _get_commons_ledger_line_fields(self):
        """What a posted item that names a resource's analytic account keeps:
        what the resource's figures and its analytic items were made from."""
        return {
            "account_id",
            "amount_currency",
            "analytic_distribution",
            "balance",
            "company_id",
            "credit",
            "currency_id",
            "date",
            "debit",
            "discount",
            "display_type",
            "move_id",
            "partner_id",
            "price_unit",
            "quantity",
            "tax_ids",
            "tax_line_id",
            "tax_repartition_line_id",
        }

    def _check_commons_ledger_unchanged(self, fields, vals):
        """A posted item that names a resource's analytic account keeps
        ``fields``: once posted, the money it moved is what the resource's
        figures read."""
        items = (
            self.sudo()
            .filtered(lambda item: item.parent_state == "posted")
            ._get_commons_ledger_items()
        )
        for item in items:
            changed = changed_field_labels(item, fields, vals)
            if changed:
                raise UserError(
                    self.env._(
                        "%(move)s is posted and moved the money of %(resource)s: "
                        "its journal item “%(item)s” keeps its %(fields)s. Reset "
                        "the entry to draft to correct it (a bill then waits for "
                        "its stewards again); a donation's entry is corrected by "
                        "cancelling the donation.",
                        move=item.move_id.display_name,
                        resource=item._get_commons_item_resources()[:1].display_name,
                        item=item.name or item.account_id.display_name,
                        fields=", ".join(changed),
                    )
                )

    def _check_commons_ledger_kept(self):
        """A posted item that names a resource's analytic account is never
        deleted: Odoo deletes a posted item when asked with the context key
        force_delete, and its analytic items would go with it, unseen."""
        items = (
            self.sudo()
            .filtered(lambda item: item.parent_state == "posted")
            ._get_commons_ledger_items()
        )
        if items:
            raise UserError(
                self.env._(
                    "%(move)s is posted and moved the money of %(resource)s: its "
                    "journal items are not deleted. Reset the entry to draft to "
                    "correct it.",
                    move=items[0].move_id.display_name,
                    resource=items[0]._get_commons_item_resources()[:1].display_name,
                )
            )

    def _get_commons_movement(self, origin=None):
        """What the journal item does to the money of the resource whose
        analytic account it names: the one classification of a movement, read
        by the ledger rule (account.move._check_commons_ledger) and by the
        figures (it is stored on the item's analytic items when they are made,
        so that a change of the account's type later changes no figure).

        :return: "received" (a donation's income for the resource), "fee" (the
            host fee taken from it), "spent" (a bill's expense), "none" (an
            item of a donation or a bill the figures do not count: VAT the host
            recovers), or False when the item may not name a resource's account
        :param origin: the move's, when the caller knows it (see
            account.move._get_commons_origin)
        """
        self.ensure_one()
        if origin is None:
            origin = self.move_id._get_commons_origin()
        account_type = self.account_id.account_type
        if origin == "donation" and account_type in FUNDED_ACCOUNT_TYPES:
            return "fee" if self._has_commons_host_account() else "received"
        if origin == "bill":
            if account_type in SPENT_ACCOUNT_TYPES:
                return "spent"
            if self.display_type == "tax":
                # Deductible VAT a tax set to "include in analytic cost" also
                # spreads to the resource: the host recovers it.
                return "none"
        return False

    def _has_commons_host_account(self):
        """Whether the item also names the host's own analytic account: the
        host fee of a donation."""
        self.ensure_one()
        host_plan = self.env.ref("compte_commun_communs.account_analytic_plan_host")
        accounts = self.env["account.analytic.account"].browse(
            self._get_commons_distribution_account_ids()
        )
        return any(account.root_plan_id == host_plan for account in accounts.exists())

    def _get_commons_distribution_account_ids(self):
        self.ensure_one()
        return {
            int(account_id)
            for key in (self.analytic_distribution or {})
            for account_id in key.split(",")
            if account_id
        }

    def _get_commons_resources_by_item(self):
        """The resources whose analytic accounts each item names, read with one
        search.

        :return: {item: commons.resource (as superuser)}
        """
        account_ids = {
            item: item._get_commons_distribution_account_ids() for item in self
        }
        all_ids = set().union(*account_ids.values()) if account_ids else set()
        Resource = self.env["commons.resource"].sudo().with_context(active_test=False)
        resources = (
            Resource.search([("analytic_account_id", "in", list(all_ids))])
            if all_ids
            else Resource
        )
        return {
            item: resources.filtered(
                lambda resource, ids=ids: resource.analytic_account_id.id in ids
            )
            for item, ids in account_ids.items()
        }

    def _get_commons_ledger_items(self):
        """The items among these that name a resource's analytic account."""
        resources = self._get_commons_resources_by_item()
        return self.filtered(lambda item: resources[item])

    def _get_commons_item_resources(self):
        self.ensure_one()
        return self._get_commons_resources_by_item()[self]

    def _create_analytic_lines(self):
        # The journal items' own analytic items: the only ones a commons
        # resource's analytic account takes (see account.analytic.line).
        return super(AccountMoveLine, self.sudo())._create_analytic_lines()

    def _inverse_analytic_distribution(self):
        # Odoo makes the analytic items of a posted item again when its
        # distribution changes, deleting the old ones as the user: those of a
        # resource are deleted by this code only (see account.analytic.line),
        # and what replaces them obeys the ledger rule.
        if not self.env.context.get("skip_analytic_sync"):
            self.filtered(
                lambda item: item.parent_state == "posted"
            ).analytic_line_ids._unlink_commons_lines()
        return super()._inverse_analytic_distribution()

    def _check_amls_exigibility_for_reconciliation(self, shadowed_aml_values=None):
        # Odoo refuses to reconcile an item that is not posted: of a commons
        # bill, the refusal says why. No money moves here; what pays a bill is
        # checked once, as the reconciliation records are made
        # (account.partial.reconcile.create, which every reconciliation
        # reaches), so that this costs nothing for posted items.
        self.filtered(
            lambda line: line.parent_state != "posted"
        ).move_id._check_commons_payable()
        return super()._check_amls_exigibility_for_reconciliation(
            shadowed_aml_values=shadowed_aml_values
        )

    @api.model
    def _reconcile_plan(self, reconciliation_plan):
        # Every reconciliation comes here (the payment wizard, an OCA payment
        # order uploaded, reconcile() over RPC): what it paid of commons bills
        # is told their contributors once it is done.
        with self.env["account.move"]._announce_commons_payments_after():
            return super()._reconcile_plan(reconciliation_plan)

    @api.model
    def _create_exchange_difference_moves(self, exchange_diff_values_list):
        # Odoo reconciles the items it fixes, a commons bill's payable item
        # among them, with the exchange difference entries it makes here: the
        # entries are taken as paying the bill while they are made (see
        # account.move._is_commons_exchange_difference_of), then checked to
        # be those made.
        making = {
            "items": {
                line.id
                for values in exchange_diff_values_list
                for line, _sequence in values["to_reconcile"]
            },
            "taken": set(),
        }
        token = EXCHANGE_DIFFERENCES.set((*EXCHANGE_DIFFERENCES.get(), making))
        try:
            moves = super()._create_exchange_difference_moves(exchange_diff_values_list)
        finally:
            EXCHANGE_DIFFERENCES.reset(token)
        if making["taken"] - set(moves.ids):
            raise UserError(
                self.env._(
                    "%(moves)s were taken as the exchange differences of a "
                    "reconciliation that did not make them.",
                    moves=", ".join(
                        self.env["account.move"]
                        .sudo()
                        .browse(making["taken"] - set(moves.ids))
                        .mapped("display_name")
                    ),
                )
            )
        return moves

    def _check_commons_reconciliation_partner(self, pairs):
        """What a reconciliation matches, of a commons bill: the bill is
        posted as its stewards approved it; its items are matched only with
        items of its contributor, not with money that went to anyone else;
        its payable item only with a payment to the bank account its stewards
        approved (or an approved credit note of theirs), in its currency. The
        resources of all the items' moves are read once, each bill checked
        once.

        :param pairs: [(debit item, credit item, values)], the items each
            reconciliation record matches, all among these, and the values
            it is created with
        :return: the items matched with a commons bill's item (so that the
            caller checks what they have left)
        :raise UserError: when a record may not pay a commons bill
        """
        lines = self.sudo()
        resources = lines.move_id._get_commons_resources_read()
        bills = lines.move_id.filtered(
            lambda move: move.move_type in APPROVAL_MOVE_TYPES and resources[move]
        )
        if not bills:
            return lines.browse()
        bills._check_commons_payable(resources)
        paid_out = bills._get_commons_paid_out_bills(resources)
        credit_notes = {}
        matched = lines.browse()
        for debit, credit, vals in pairs:
            debit, credit = debit.sudo(), credit.sudo()
            for item, other in ((debit, credit), (credit, debit)):
                bill = item.move_id
                if bill not in bills:
                    continue
                matched |= debit | credit
                if other.partner_id.commercial_partner_id != bill.commercial_partner_id:
                    raise UserError(
                        self.env._(
                            "%(bill)s is paid to its contributor %(partner)s: it "
                            "cannot be reconciled with an item of %(other)s.",
                            bill=bill.display_name,
                            partner=bill.commercial_partner_id.display_name,
                            other=other.partner_id.display_name
                            or self.env._("no partner"),
                        )
                    )
                if bill in paid_out and item.display_type == "payment_term":
                    bill._check_commons_paid_by(
                        item, other, vals, resources, credit_notes
                    )
        return matched

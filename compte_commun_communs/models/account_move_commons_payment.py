# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from contextlib import contextmanager
from contextvars import ContextVar

from odoo import api, models
from odoo.exceptions import UserError

from .account_move_commons_bill import APPROVAL_MOVE_TYPES

# Bills whose money goes out to their contributor: paid on the bank account
# their stewards approved.
PAID_OUT_MOVE_TYPES = ("in_invoice", "in_receipt")

# The resources of the bills a payment wizard pays, read as it starts (see
# account.move._read_commons_bills_once): set by the code, never by a request.
_BILLS_READ = ContextVar("commons_bills_read", default=None)
# The exchange difference entries reconciliations are making, and for which
# items (see account.move.line._create_exchange_difference_moves): set by the
# code, never by a request.
EXCHANGE_DIFFERENCES = ContextVar("commons_exchange_differences", default=())


class AccountMove(models.Model):
    """Where the money of a commons bill goes: to its contributor, on the bank
    account its stewards approved, whatever pays it (the payment wizard, a
    payment made or changed over RPC, an outstanding payment, any
    reconciliation); and the invoice file they approved stays."""

    _inherit = "account.move"  # pylint: disable=consider-merging-classes-inherited

    def write(self, vals):
        if "message_main_attachment_id" in vals:
            self._check_commons_main_file_kept(vals["message_main_attachment_id"])
        res = super().write(vals)
        if "matched_payment_ids" in vals:
            # The wizard links its payment this way, and so may RPC.
            self._check_commons_matched_payments()
        return res

    @api.depends("bank_partner_id", "payment_mode_id")
    def _compute_partner_bank_id(self):
        # The bank account of a commons bill is the one its contributor chose
        # and its stewards read: once the bill is in their hands or posted, no
        # change of its partner or payment mode (OCA's account_payment_partner
        # empties it without a mode) moves it. A posted bill's would move with
        # no write, past every guard; a draft's approval lapses as the
        # stewards' fingerprint sees the partner change.
        kept = {
            move: move.partner_bank_id
            for move in self
            if move.move_type in PAID_OUT_MOVE_TYPES
            and (move.commons_bill_state or move.state == "posted")
            and move.commons_resource_id
        }
        res = super()._compute_partner_bank_id()
        for move, bank in kept.items():
            move.partner_bank_id = bank
        return res

    def _post(self, soft=True):
        # A commons bill is paid with the host's payment mode of contributors'
        # bills, when set up, whatever its partner's default mode: OCA's "Add
        # to Payment Order" takes it. Set once posted (posting writes the
        # partner, from which OCA computes the mode); the accountant may still
        # change it then.
        posted = super()._post(soft=soft)
        for company, bills in (
            posted.filtered(
                lambda move: move.move_type in PAID_OUT_MOVE_TYPES
                and move.commons_resource_id
            )
            .grouped("company_id")
            .items()
        ):
            mode = company._get_commons_payment_mode()
            bills = bills.filtered(lambda bill, mode=mode: bill.payment_mode_id != mode)
            if mode and bills:
                bills.write({"payment_mode_id": mode.id})
        return posted

    def _message_set_main_attachment_id(
        self, attachments, force=False, filter_xml=True
    ):
        # A file added in the chatter of a posted commons bill without one is
        # not made its invoice file: the stewards approved it without it. Odoo
        # changes nothing unless forced or the bill has none: nor is anything
        # looked up then.
        if (
            not force
            and attachments
            and not self.message_main_attachment_id
            and self._get_commons_file_locked_bills().filtered(
                lambda bill: bill.state == "posted"
            )
        ):
            return
        return super()._message_set_main_attachment_id(
            attachments, force=force, filter_xml=filter_xml
        )

    # -- Which bills ------------------------------------------------------------

    @contextmanager
    def _read_commons_bills_once(self):
        """While in the block, the resources of these moves are those read as
        it starts: a payment wizard checks its bills on each of its payments
        and reconciliations, without reading their resources again each time.
        Nothing in it changes a bill's lines: a posted one keeps them (the
        ledger rule), a draft one is refused as the wizard starts."""
        read = dict(_BILLS_READ.get() or {})
        read.update(
            (move.id, resources)
            for move, resources in self.sudo()._get_commons_resources_by_move().items()
        )
        token = _BILLS_READ.set(read)
        try:
            yield
        finally:
            _BILLS_READ.reset(token)

    def _get_commons_resources_read(self):
        """The resources each move's lines carry, read with one search at most
        (none for the moves of a payment wizard's bills, read as it started).

        :return: {move: commons.resource (as superuser)}
        """
        read = _BILLS_READ.get() or {}
        unread = self.filtered(lambda move: move.id not in read)
        resources = unread._get_commons_resources_by_move() if unread else {}
        return {
            move: read[move.id] if move.id in read else resources[move] for move in self
        }

    def _get_commons_paid_out_bills(self, resources=None):
        """The bills among these that pay a resource's money out to its
        contributor, as superuser.

        :param resources: {move: commons.resource}, when the caller read them
        """
        moves = self.sudo().filtered(lambda move: move.move_type in PAID_OUT_MOVE_TYPES)
        if not moves:
            return moves
        if resources is None:
            resources = moves._get_commons_resources_read()
        return moves.filtered(lambda move: resources[move])

    @api.model
    def _get_commons_file_locked_states(self):
        """The stewards' states in which a draft bill's files are kept as they
        read them (a posted bill's are always)."""
        return ("submitted", "approved")

    def _get_commons_file_locked_bills(self):
        """The commons bills among these whose files stay as the stewards read
        them: waiting for their decision, approved, or posted; as superuser."""
        file_locked_states = self._get_commons_file_locked_states()
        moves = self.sudo().filtered(
            lambda move: move.move_type in APPROVAL_MOVE_TYPES
            and (
                move.state == "posted"
                or (
                    move.state == "draft"
                    and move.commons_bill_state in file_locked_states
                )
            )
        )
        if not moves:
            return moves
        resources = moves._get_commons_resources_read()
        return moves.filtered(lambda move: resources[move])

    # -- Checks -----------------------------------------------------------------

    def _check_commons_paid_to(self, bank_account, partner=None, outbound=True):
        """The money of a commons bill goes to its contributor, on the bank
        account its stewards approved, once the host confirmed that account
        (Odoo's "Send Money"). That the account's number and holder are still
        those approved is checked by the approval itself (its fingerprint).

        These are bills that pay a resource's money out, as the caller found
        them (see _get_commons_paid_out_bills).

        :param bank_account: res.partner.bank the money goes to, or empty
        :param partner: res.partner paid, when known
        :param outbound: whether the money goes out of the host
        :raise UserError: when it would go anywhere else
        """
        bank_account = bank_account.sudo()
        for bill in self.sudo():
            approved = bill.partner_bank_id
            if not approved:
                raise UserError(
                    self.env._(
                        "%(bill)s was approved without the bank account its money "
                        "goes to: it is paid once its stewards approved it with "
                        "one.",
                        bill=bill.display_name,
                    )
                )
            if (
                partner is not None
                and partner.commercial_partner_id != bill.commercial_partner_id
            ):
                raise UserError(
                    self.env._(
                        "%(bill)s is paid to its contributor %(partner)s, not to "
                        "%(other)s.",
                        bill=bill.display_name,
                        partner=bill.commercial_partner_id.display_name,
                        other=partner.display_name or self.env._("nobody"),
                    )
                )
            if not outbound or bank_account != approved:
                raise UserError(
                    self.env._(
                        "%(bill)s is paid on the bank account its stewards approved "
                        "(%(account)s), not on %(other)s.",
                        bill=bill.display_name,
                        account=approved._get_commons_label(),
                        other=bank_account._get_commons_label()
                        if bank_account
                        else self.env._("no bank account"),
                    )
                )
            if not approved.allow_out_payment:
                raise UserError(
                    self.env._(
                        "The bank account %(account)s, which the stewards approved "
                        "for %(bill)s, is not confirmed by the host yet: an "
                        "administrator checks it with the contributor and allows "
                        "it to receive money (Send Money), then the bill is paid.",
                        account=approved._get_commons_label(),
                        bill=bill.display_name,
                    )
                )

    def _check_commons_matched_payments(self):
        """The payments linked to a commons bill send its money where its
        stewards approved: each bill checked against each of its payments,
        with no query per payment (the wizard links them one at a time)."""
        for bill in self._get_commons_paid_out_bills():
            for payment in bill.matched_payment_ids.filtered(
                lambda payment: payment.state not in ("canceled", "rejected")
            ):
                bill._check_commons_paid_to(
                    payment.partner_bank_id,
                    partner=payment.partner_id,
                    outbound=payment.payment_type == "outbound",
                )
                payment._check_commons_nothing_written_off(bill)

    def _check_commons_paid_by(self, item, counterpart, vals, resources, credit_notes):
        """What pays a commons bill: its payable item is reconciled with a
        payment to the bank account its stewards approved, or with an approved
        credit note of its contributor on the same resource, nothing else (not
        a journal entry, a bank line or another partner's document); in the
        bill's currency, for the same amount on both sides, and by a payment
        that writes nothing off (so that the bill is settled by the money sent
        to its contributor, not by an entry of the host).

        :param item: the bill's payable account.move.line
        :param counterpart: account.move.line matched with it by one
            reconciliation record
        :param vals: the values of that record
        :param resources: {move: commons.resource} of the bill and the
            counterpart's move, as the caller read them
        :param credit_notes: {(move, bill): bool}, the credit notes the caller
            already checked, which this fills
        :raise UserError: when anything else would pay the bill
        """
        self.ensure_one()
        move = counterpart.move_id.sudo()
        payment = move.origin_payment_id
        if payment:
            self._check_commons_paid_to(
                payment.partner_bank_id,
                partner=payment.partner_id,
                outbound=payment.payment_type == "outbound",
            )
            payment._check_commons_nothing_written_off(self)
        elif move._is_commons_exchange_difference_of(item):
            # What the bill's payable item has left in the company's currency
            # once paid in full in its own, at another rate than the bill's.
            pass
        else:
            if (move, self) not in credit_notes:
                credit_notes[move, self] = move._is_commons_credit_note_of(
                    self, resources
                )
            if not credit_notes[move, self]:
                raise UserError(
                    self.env._(
                        "%(bill)s is paid to its contributor on the bank account "
                        "its stewards approved: it is reconciled with a payment "
                        "to that account, or with a credit note of the "
                        "contributor its stewards approved, not with %(other)s.",
                        bill=self.display_name,
                        other=move.display_name,
                    )
                )
        self._check_commons_settled_in_its_currency(item, counterpart, vals)

    def _check_commons_settled_in_its_currency(self, item, counterpart, vals):
        """A reconciliation record settles of a commons bill what it takes off
        its counterpart, in the bill's currency: the contributor is paid the
        amount approved, whatever the rates (which the host sets, and Odoo's
        wizard may force).

        :raise UserError: when the counterpart is in another currency, or
            the record takes more off the bill than off its counterpart
        """
        self.ensure_one()
        currency = item.currency_id
        if counterpart.currency_id != currency:
            raise UserError(
                self.env._(
                    "%(bill)s is paid in its own currency, %(currency)s, as its "
                    "stewards approved it: %(other)s is in %(other_currency)s.",
                    bill=self.display_name,
                    currency=currency.name,
                    other=counterpart.move_id.display_name,
                    other_currency=counterpart.currency_id.name,
                )
            )
        if currency.compare_amounts(
            vals.get("debit_amount_currency") or 0.0,
            vals.get("credit_amount_currency") or 0.0,
        ):
            raise UserError(
                self.env._(
                    "%(bill)s is settled only by the money its counterpart "
                    "%(other)s gives: a reconciliation takes the same amount off "
                    "both.",
                    bill=self.display_name,
                    other=counterpart.move_id.display_name,
                )
            )

    def _is_commons_exchange_difference_of(self, item):
        """Whether this move is an exchange difference entry a reconciliation
        is making for ``item`` (a commons bill's payable item), which it
        reconciles with the item as soon as it is made. Any other entry, of
        the exchange journal or not, does not pay a bill."""
        self.ensure_one()
        move = self.sudo()
        if (
            move.move_type != "entry"
            or move.journal_id != move.company_id.currency_exchange_journal_id
        ):
            return False
        for making in EXCHANGE_DIFFERENCES.get():
            if item.id in making["items"]:
                # Checked, once made, to be one of the entries it made.
                making["taken"].add(move.id)
                return True
        return False

    def _is_commons_credit_note_of(self, bill, resources=None):
        """Whether this move is a credit note of the bill's contributor on the
        bill's resource, posted as its stewards approved it, or the reversal
        of the bill itself (which gives the resource back what the bill
        spent).

        :param resources: {move: commons.resource} of both, when the caller
            read them
        """
        self.ensure_one()
        note = self.sudo()
        if (
            note.move_type != "in_refund"
            or note.state != "posted"
            or note.commercial_partner_id != bill.commercial_partner_id
        ):
            return False
        if resources is None:
            resources = (note | bill)._get_commons_resources_read()
        if not resources[note] or resources[note] != resources[bill]:
            return False
        if note.reversed_entry_id == bill:
            return True
        approvals = note._get_commons_valid_approvals()
        return (
            note.commons_bill_state == "approved"
            and len(approvals.partner_id) >= note.commons_approvals_needed
        )

    def _check_commons_main_file_kept(self, attachment_id):
        """A posted commons bill keeps the invoice file its stewards approved."""
        for bill in self._get_commons_file_locked_bills():
            if bill.state == "posted" and bill.message_main_attachment_id.id != (
                attachment_id or False
            ):
                raise UserError(
                    self.env._(
                        "%(bill)s is posted as its stewards approved it: its invoice "
                        "file stays the one they read.",
                        bill=bill.display_name,
                    )
                )

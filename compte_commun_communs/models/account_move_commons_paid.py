# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from contextlib import contextmanager
from contextvars import ContextVar

from odoo import api, models

# The reconciliation records made while a reconciliation runs, whose commons
# bills are announced once it is done (see
# account.move._announce_commons_payments_after): set by the code, never by a
# request.
_RECONCILING = ContextVar("commons_reconciling", default=None)
# The journal items a bill owes by, which a payment or a credit note settles.
OWED_ACCOUNT_TYPES = ("asset_receivable", "liability_payable")


class AccountMove(models.Model):
    """What paid a commons bill, read from the ledger, as its contributor reads
    it (in the portal, in the email that tells them when money reaches it)."""

    _inherit = "account.move"  # pylint: disable=consider-merging-classes-inherited

    # -- What paid a bill ------------------------------------------------------

    def _get_commons_payments_info(self):
        """What paid the bill, from the ledger: the payments reconciled with
        what it owes (and those matched with it that have no journal entry),
        and the credit notes reconciled with it, oldest first.

        :return: [{"date": date, "amount": float (in the bill's currency),
            "reference": str (what the contributor's bank statement reads:
            the payment's reference, else its memo; a credit note's number),
            "name": str (the payment's or the credit note's name in the
            host's books), "currency": res.currency, "kind": "payment" |
            "credit_note" | "entry"}]
        """
        self.ensure_one()
        return self._get_commons_payments_by_bill()[self]

    def _get_commons_payments_by_bill(self, partials=None):
        """What paid each of these bills, read for all of them at once through
        the ORM (Odoo's payments widget, _get_reconciled_info_JSON_values,
        queries once per bill): a page of bills reads it with the same
        queries whatever its number of bills.

        :param partials: account.partial.reconcile, to read only what these
            settled (a reconciliation just made); else everything
        :return: {bill: [payment info, as _get_commons_payments_info]}
        """
        bills = self.sudo()
        result = {bill: [] for bill in self}
        owed = bills.line_ids.filtered(
            lambda line: line.account_type in OWED_ACCOUNT_TYPES
        )
        owed_ids = set(owed.ids)
        read_all = partials is None
        if read_all:
            partials = owed.matched_debit_ids | owed.matched_credit_ids
        totals = {}
        for partial in partials.sudo().exists():
            for line, other, amount in (
                (
                    partial.debit_move_id,
                    partial.credit_move_id,
                    partial.debit_amount_currency,
                ),
                (
                    partial.credit_move_id,
                    partial.debit_move_id,
                    partial.credit_amount_currency,
                ),
            ):
                move = other.move_id
                if line.id not in owed_ids or move == line.move_id:
                    continue
                if move._is_commons_exchange_entry():
                    # What the rates changed, in the company's currency: not
                    # money the contributor received.
                    continue
                key = (line.move_id, move)
                if key not in totals:
                    totals[key] = move._get_commons_payment_info(line.move_id)
                totals[key]["amount"] += amount
        for (bill, _move), info in totals.items():
            result[bill].append(info)
        if read_all:
            for bill in bills:
                result[bill].extend(bill._get_commons_entryless_payments_info())
        for infos in result.values():
            infos.sort(key=lambda info: (info["date"], info["name"] or ""))
        return result

    def _get_commons_entryless_payments_info(self):
        """The payments matched with the bill that have no journal entry to
        reconcile (from a journal with no outstanding account: Odoo reads the
        bill in payment from them), when they pay this bill only."""
        self.ensure_one()
        bill = self.sudo()
        return [
            {
                **self._get_commons_payment_values(payment),
                "amount": payment.amount,
                "currency": bill.currency_id,
            }
            for payment in bill.matched_payment_ids
            if not payment.move_id
            and payment.state in ("in_process", "paid")
            and payment.invoice_ids == bill
            and payment.currency_id == bill.currency_id
        ]

    def _is_commons_exchange_entry(self):
        """Whether this move is an exchange difference entry (Odoo's, in its
        exchange journal)."""
        self.ensure_one()
        return (
            self.move_type == "entry"
            and not self.origin_payment_id
            and not self.statement_line_id
            and self.journal_id == self.company_id.currency_exchange_journal_id
        )

    def _get_commons_payment_info(self, bill):
        """What this move, reconciled with ``bill``, is to its contributor
        (see _get_commons_payments_info), its amount still to add."""
        self.ensure_one()
        move = self.sudo()
        if move.origin_payment_id:
            info = self._get_commons_payment_values(move.origin_payment_id)
        elif move.is_invoice(include_receipts=True):
            info = {
                "date": move.invoice_date or move.date,
                "reference": move.ref or move.name,
                "name": move.name,
                "kind": "credit_note",
            }
        else:
            info = {
                "date": move.date,
                "reference": move.statement_line_id.payment_ref or move.ref or "",
                "name": move.name,
                "kind": "entry",
            }
        return {**info, "amount": 0.0, "currency": bill.currency_id}

    @api.model
    def _get_commons_payment_values(self, payment):
        """What a payment is to the contributor it pays: its date, the
        reference their bank statement reads (an OCA payment order's payment
        carries the bills' communications as its reference and the order's
        name as its memo; the payment wizard's, the bill's as its memo), its
        name in the host's books."""
        payment = payment.sudo()
        return {
            "date": payment.date,
            "reference": payment.payment_reference or payment.memo or payment.name,
            "name": payment.name,
            "kind": "payment",
        }

    # -- Telling the contributor ---------------------------------------------------

    @api.model
    @contextmanager
    def _announce_commons_payments_after(self):
        """While in the block, the reconciliation records made are gathered;
        once the outermost block is done without error, the contributor of
        each commons bill they paid hears of it: one email per bill and
        reconciliation, whatever the number of records (a reconciliation
        makes several, and calls itself for its exchange differences)."""
        if _RECONCILING.get() is not None:
            yield
            return
        made = []
        token = _RECONCILING.set(made)
        try:
            yield
        finally:
            _RECONCILING.reset(token)
        self._announce_commons_payments(
            self.env["account.partial.reconcile"].browse(made)
        )

    @api.model
    def _collect_commons_payments(self, partials):
        """Reconciliation records just made: announced once the reconciliation
        that makes them is done, or now when they are made directly."""
        made = _RECONCILING.get()
        if made is not None:
            made.extend(partials.ids)
        else:
            self._announce_commons_payments(partials)

    @api.model
    def _announce_commons_payments(self, partials):
        """Email the contributor of each commons bill that ``partials`` paid
        (with a payment, not a credit note), in their language: the date, the
        amount and the reference of what they receive, and what is left to
        pay after a partial payment.

        :param partials: account.partial.reconcile made by one reconciliation
        """
        payments = self._get_commons_payments_made_by(partials.exists())
        self.browse(payments)._send_commons_paid_emails(payments)

    @api.model
    def _get_commons_payments_made_by(self, partials):
        """What the payments among ``partials`` paid of posted commons bills
        (the reconciliation records just made, or about to be removed).

        :return: {bill id: [payment info, as _get_commons_payments_info]}
        """
        paying = partials.sudo().filtered(
            lambda partial: partial.debit_move_id.move_id.origin_payment_id
            or partial.credit_move_id.move_id.origin_payment_id
        )
        if not paying:
            return {}
        bills = (
            paying.debit_move_id.move_id | paying.credit_move_id.move_id
        )._get_commons_paid_out_bills()
        bills = bills.filtered(lambda bill: bill.state == "posted")
        return {
            bill.id: payments
            for bill, infos in bills._get_commons_payments_by_bill(paying).items()
            if (payments := [info for info in infos if info["kind"] == "payment"])
        }

    @api.model
    def _announce_commons_undone_payments(self, undone):
        """Email the contributor of each bill a payment no longer pays (its
        order set back after the bank rejected it, the payment reset to
        draft or unreconciled), in their language: they were told it was
        paid, and wait for that money.

        :param undone: as _get_commons_payments_made_by returned it, before
            the payments were undone
        """
        if undone:
            self.browse(undone).exists()._send_commons_paid_emails(
                undone, "compte_commun_communs.mail_template_commons_bill_unpaid"
            )

    def _send_commons_paid_emails(self, payments, template_xmlid=None):
        """Email each bill's contributor, in their language, what just paid it:
        the emails of a payment of many bills rendered in one batch.

        :param payments: {bill id: [payment info, as
            _get_commons_payments_info]}
        :param template_xmlid: the email, if not that of a payment (that of
            a payment undone)
        """
        template = self.env.ref(
            template_xmlid or "compte_commun_communs.mail_template_commons_bill_paid",
            raise_if_not_found=False,
        )
        if not self or not template:
            # A host that deleted the email still pays its bills.
            return
        template = template.sudo()
        template.with_context(
            commons_payments=payments,
            commons_paid_amounts={
                bill_id: sum(info["amount"] for info in infos)
                for bill_id, infos in payments.items()
            },
        ).send_mail_batch(
            self.ids,
            email_layout_xmlid="compte_commun_communs.mail_notification_commons_bill",
        )
        self.env["mail.mail"]._commons_send_queue_soon()

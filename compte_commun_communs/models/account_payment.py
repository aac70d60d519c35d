# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from contextvars import ContextVar

from odoo import api, models
from odoo.exceptions import UserError
from odoo.tools import float_compare

# Set while payments are created (see account.payment.create), which checks
# them once made: Odoo writes each new payment's entry on it, one payment at a
# time. Set by the code, never by a request.
_CREATING = ContextVar("commons_payments_creating", default=False)


class AccountPayment(models.Model):
    _inherit = "account.payment"

    @api.model
    def _get_commons_payment_fields(self):
        """What says where a payment's money goes, or how much of it: a payment
        of a commons bill is checked again when one of these is written."""
        return {
            "partner_bank_id",
            "partner_id",
            "invoice_ids",
            "amount",
            "currency_id",
            "payment_type",
            "partner_type",
            "journal_id",
            "destination_account_id",
            "state",
        }

    @api.model
    def _get_commons_frozen_payment_fields(self):
        """What a payment of a commons bill keeps once it is no longer a
        draft: the money it sent, and to whom (a payment order or a bank file
        reads them)."""
        return self._get_commons_payment_fields() - {"state", "invoice_ids"}

    @api.model_create_multi
    def create(self, vals_list):
        token = _CREATING.set(True)
        try:
            payments = super().create(vals_list)
        finally:
            _CREATING.reset(token)
        # A payment linked to bills (over RPC, without the wizard) pays them.
        payments.invoice_ids._check_commons_payable()
        payments._check_commons_bank_account()
        return payments

    def write(self, vals):
        checked = self._get_commons_payment_fields() & vals.keys()
        if self._get_commons_frozen_payment_fields() & vals.keys():
            self._check_commons_payment_kept(vals)
        res = super().write(vals)
        if "invoice_ids" in vals:
            self.invoice_ids._check_commons_payable()
        if checked and not _CREATING.get():
            # Also after the wizard: a payment of a commons bill keeps the
            # bank account and the contributor its stewards approved.
            self._check_commons_bank_account()
        return res

    def _get_commons_bills(self):
        """The commons bills the payment pays: linked to it, or reconciled
        with it."""
        self.ensure_one()
        return self._get_commons_bills_by_payment()[self]

    def _get_commons_bills_by_payment(self):
        """The commons bills each payment pays, read with one search of the
        resources whatever the number of payments (none for payments linked
        to no bill): linked to it, reconciled with it, or whose items its
        payment order's lines pay (OCA's orders link no invoice).

        :return: {payment: account.move (as superuser)}
        """
        payments = self.sudo()
        paid = {
            payment: payment.invoice_ids
            | payment.reconciled_bill_ids
            | payment.payment_line_ids.move_line_id.move_id
            for payment in payments
        }
        bills = (
            self.env["account.move"].sudo().union(*paid.values())
        )._get_commons_paid_out_bills()
        return {payment: moves & bills for payment, moves in paid.items()}

    def _check_commons_bank_account(self):
        """A payment of a commons bill sends the money to the bill's contributor,
        on the bank account its stewards approved."""
        payments = self.sudo().filtered(
            lambda payment: payment.state not in ("canceled", "rejected")
        )
        for payment, bills in payments._get_commons_bills_by_payment().items():
            if bills:
                bills._check_commons_paid_to(
                    payment.partner_bank_id,
                    partner=payment.partner_id,
                    outbound=payment.payment_type == "outbound",
                )
                payment._check_commons_nothing_written_off(bills)

    def _check_commons_nothing_written_off(self, bills):
        """A payment of commons bills settles of them what it sends: its entry
        writes nothing off (the wizard's "Mark as fully paid", an early
        payment discount), or it would settle a bill with less money than its
        stewards approved, the rest paid to an account of the host.

        :param bills: the commons bills the payment pays
        """
        self.ensure_one()
        payment = self.sudo()
        if payment.move_id and payment._seek_for_lines()[2]:
            raise UserError(
                self.env._(
                    "%(payment)s writes off part of %(bills)s: a bill of a commons "
                    "resource is settled by the money sent to its contributor, as "
                    "its stewards approved it. Pay it in full, or keep what is "
                    "left open.",
                    payment=payment.display_name,
                    bills=", ".join(bills.mapped("display_name")),
                )
            )

    def _check_commons_payment_kept(self, vals):
        """A payment of a commons bill that is no longer a draft keeps where
        its money goes and how much: cancel it and make another one."""
        payments = self.sudo().filtered(lambda payment: payment.state != "draft")
        for payment, bills in payments._get_commons_bills_by_payment().items():
            if not bills:
                continue
            for name in self._get_commons_frozen_payment_fields() & vals.keys():
                field = payment._fields[name]
                value = payment[name]
                if field.type == "many2one":
                    changed = value.id != (vals[name] or False)
                elif field.type == "monetary":
                    changed = float_compare(
                        value,
                        vals[name] or 0.0,
                        precision_rounding=payment.currency_id.rounding,
                    )
                else:
                    changed = value != vals[name]
                if changed:
                    raise UserError(
                        self.env._(
                            "%(payment)s pays %(bills)s, as their stewards approved: "
                            "its %(field)s cannot change. Cancel the payment and "
                            "make a new one.",
                            payment=payment.display_name,
                            bills=", ".join(bills.mapped("display_name")),
                            field=field._description_string(self.env),
                        )
                    )

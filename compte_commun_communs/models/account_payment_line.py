# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models
from odoo.exceptions import UserError

# The states of a payment order whose money has not gone yet: its lines are
# checked again at each of its steps.
UNSENT_ORDER_STATES = ("draft", "open", "generated")


class AccountPaymentLine(models.Model):
    """A transaction of an OCA payment order sends money like a payment: the
    line of a commons bill pays that bill's contributor, on the bank account
    its stewards approved and the host confirmed, no more than the bill still
    owes; and no outbound line sends money to a bank account nobody confirmed.
    Checked for anyone who makes or changes a line (the order's wizards, its
    form, RPC), and again at each step of its order (see
    account.payment.order)."""

    _inherit = "account.payment.line"

    @api.model
    def _get_commons_payment_line_fields(self):
        """What says where a line's money goes, or how much of it: a line is
        checked again when one of these is written."""
        return {
            "move_line_id",
            "partner_id",
            "partner_bank_id",
            "currency_id",
            "amount_currency",
            "order_id",
        }

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines._check_commons_payment_lines()
        return lines

    def write(self, vals):
        res = super().write(vals)
        if self._get_commons_payment_line_fields() & vals.keys():
            self._check_commons_payment_lines()
        return res

    def draft2open_payment_line_check(self):
        res = super().draft2open_payment_line_check()
        self._check_commons_payment_lines()
        return res

    def _check_commons_payment_lines(self):
        """The lines among these whose money has not gone send it where it may
        go, checked together: the bills' resources and approvals are read once
        for all the lines, not once a line.

        - a line of a commons bill pays a bill posted and approved as it is
          (account.move._check_commons_payable), to its contributor, on the
          bank account its stewards approved once it is trusted
          (account.move._check_commons_paid_to), in the bill's currency, an
          amount above zero and, with the other lines on the same journal
          item, no more than the bill still owes;
        - any other outbound line sends money only to a bank account of its
          partner that the host confirmed (Odoo's "Send Money").

        :raise UserError: on the first line that breaks a rule
        """
        lines = self.sudo().filtered(
            lambda line: (line.order_id.state or "draft") in UNSENT_ORDER_STATES
        )
        if not lines:
            return
        moves = lines.move_line_id.move_id
        resources = moves._get_commons_resources_read() if moves else {}
        moves._check_commons_payable(resources)
        bills = moves._get_commons_paid_out_bills(resources) if moves else moves
        for line in lines:
            outbound = line.order_id.payment_type != "inbound"
            bill = line.move_line_id.move_id & bills
            if bill:
                bill._check_commons_paid_to(
                    line.partner_bank_id, partner=line.partner_id, outbound=outbound
                )
                line._check_commons_amount(bill)
            elif outbound:
                line._check_commons_trusted_account()

    def _check_commons_amount(self, bill):
        """The line of a commons bill pays it in its currency, an amount above
        zero, and with the bill's other unsent lines no more than what is left
        to pay of the journal item it pays.

        :param bill: the commons bill of the line's journal item
        """
        self.ensure_one()
        item = self.move_line_id
        if self.currency_id != bill.currency_id:
            raise UserError(
                self.env._(
                    "%(bill)s is paid in its own currency, %(currency)s, as its "
                    "stewards approved it: the payment line %(line)s is in "
                    "%(other)s.",
                    bill=bill.display_name,
                    currency=bill.currency_id.name,
                    line=self.name,
                    other=self.currency_id.name,
                )
            )
        currency = bill.currency_id
        left = (
            -item.amount_residual_currency
            if item.account_id.account_type == "liability_payable"
            and not item.reconciled
            else 0.0
        )
        unsent = item.payment_line_ids.filtered(
            lambda line: (line.order_id.state or "draft") in UNSENT_ORDER_STATES
        )
        total = sum(unsent.mapped("amount_currency"))
        if currency.compare_amounts(self.amount_currency, 0.0) <= 0:
            raise UserError(
                self.env._(
                    "The payment line %(line)s of %(bill)s pays nothing: enter "
                    "an amount above zero.",
                    line=self.name,
                    bill=bill.display_name,
                )
            )
        if currency.compare_amounts(total, left) > 0:
            raise UserError(
                self.env._(
                    "%(bill)s has %(left)s left to pay: its payment lines "
                    "(%(lines)s) would pay %(total)s.",
                    bill=bill.display_name,
                    left=currency.format(max(left, 0.0)),
                    lines=", ".join(unsent.mapped("name")),
                    total=currency.format(total),
                )
            )

    def _check_commons_trusted_account(self):
        """An outbound line with no commons bill behind it sends money to a
        bank account of its partner that the host confirmed."""
        self.ensure_one()
        bank = self.partner_bank_id
        if not bank:
            return
        if bank.partner_id.commercial_partner_id != (
            self.partner_id.commercial_partner_id
        ):
            raise UserError(
                self.env._(
                    "The payment line %(line)s pays %(partner)s on the bank "
                    "account %(account)s of another contact.",
                    line=self.name,
                    partner=self.partner_id.display_name,
                    account=bank._get_commons_label(),
                )
            )
        if not bank.allow_out_payment:
            raise UserError(
                self.env._(
                    "No money goes to a bank account that nobody checked: the "
                    "bank account %(account)s of %(partner)s (payment line "
                    "%(line)s) is not confirmed by the host yet. An "
                    "administrator checks it with its holder and allows it to "
                    "receive money (Send Money).",
                    account=bank._get_commons_label(),
                    partner=self.partner_id.display_name,
                    line=self.name,
                )
            )

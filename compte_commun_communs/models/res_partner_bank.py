# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models
from odoo.exceptions import UserError

from .account_move_commons_payment import PAID_OUT_MOVE_TYPES
from .ledger import changed_field_labels

# What the stewards read of a bank account's number: its last characters.
SHOWN_DIGITS = 4


# What the stewards approve of the bank account a bill is paid to: its number
# (as typed, and as the bank reads it) and who holds it.
APPROVED_BANK_FIELDS = {
    "acc_number",
    "sanitized_acc_number",
    "acc_holder_name",
    "partner_id",
}

# The states of a payment whose money has not gone, nor will: the bank account
# it names may still change.
UNSENT_PAYMENT_STATES = ("draft", "canceled", "rejected")


class ResPartnerBank(models.Model):
    _inherit = "res.partner.bank"

    @api.depends("partner_id.name")
    def _compute_account_holder_name(self):
        # Odoo renames the holder as its contact is renamed, with no write on
        # the account: the holder the stewards of a commons bill approved
        # stays until someone writes another one, which the write below sees.
        kept = self._get_commons_approved_accounts()
        for bank in kept:
            bank.acc_holder_name = bank.acc_holder_name
        return super(ResPartnerBank, self - kept)._compute_account_holder_name()

    @api.depends_context("uid")
    def _compute_display_name(self):
        # A portal user reads the bank accounts of others (a steward, those of
        # the bills they decide on) by their last digits only, whatever path
        # names them (a bill read over RPC gives its account's name).
        super()._compute_display_name()
        user = self.env.user
        if not user.share:
            return
        own = user.partner_id.commercial_partner_id
        for bank in self:
            if bank.sudo().partner_id.commercial_partner_id != own:
                bank.display_name = bank.sudo()._get_commons_masked_number()

    def write(self, vals):
        if "partner_id" in vals and "acc_holder_name" not in vals:
            # The holder follows the new partner, as Odoo's compute has it, but
            # as a write: the stewards' approval sees it.
            partner = self.env["res.partner"].browse(vals["partner_id"])
            vals = {**vals, "acc_holder_name": partner.sudo().name}
        approved = APPROVED_BANK_FIELDS & vals.keys()
        if approved:
            self._check_commons_bank_account_kept(approved, vals)
        res = super().write(vals)
        if approved:
            self._lapse_commons_approvals_of_bills()
        return res

    def _get_commons_approved_accounts(self):
        """The accounts among these that a commons bill's stewards approved,
        and whose bill is not paid yet or is being paid to them: a draft
        approved, a bill posted and not fully paid, a payment neither a draft
        nor cancelled."""
        banks = self.sudo().filtered("id")
        if not banks:
            return self.browse()
        drafts = self._get_commons_approved_drafts()
        paid = banks._get_commons_paid_bills()
        return self.filtered(
            lambda bank: bank in paid or bank in drafts.partner_bank_id
        )

    def _get_commons_approved_drafts(self):
        """The draft commons bills approved, or waiting for a second approval,
        on these accounts, as superuser."""
        return (
            self.env["account.move"]
            .sudo()
            .search(
                [
                    ("partner_bank_id", "in", self.sudo().filtered("id").ids),
                    ("commons_approval_ids", "!=", False),
                    ("state", "=", "draft"),
                ]
            )
        )

    def _lapse_commons_approvals_of_bills(self):
        """The bank account of draft bills their stewards approved is no longer
        the one they read: their approvals lapse, and the stewards are told
        (the account of a posted one does not change, see
        _check_commons_bank_account_kept)."""
        self._get_commons_approved_drafts()._lapse_commons_approvals()

    def _get_commons_paid_bills(self):
        """What is paid, or to be paid, to these accounts as the stewards of a
        commons bill approved: the bills posted and not fully paid, and the
        payments of commons bills to them that are neither drafts nor
        cancelled, with the bills they pay.

        :return: {bank account: (posted bills, payments, bills paid by them)},
            as superuser, for the accounts that have any
        """
        banks = self.sudo()
        posted = (
            self.env["account.move"]
            .sudo()
            .search(
                [
                    ("partner_bank_id", "in", banks.ids),
                    ("move_type", "in", PAID_OUT_MOVE_TYPES),
                    ("state", "=", "posted"),
                    ("payment_state", "not in", ("paid", "reversed")),
                ]
            )
            ._get_commons_paid_out_bills()
        )
        payments = (
            self.env["account.payment"]
            .sudo()
            .search(
                [
                    ("partner_bank_id", "in", banks.ids),
                    ("state", "not in", UNSENT_PAYMENT_STATES),
                ]
            )
        )
        paid = payments._get_commons_bills_by_payment()
        payments = payments.filtered(lambda payment: paid[payment])
        result = {}
        for bank in banks:
            bank_bills = posted.filtered(lambda bill, b=bank: bill.partner_bank_id == b)
            bank_payments = payments.filtered(
                lambda payment, b=bank: payment.partner_bank_id == b
            )
            if bank_bills or bank_payments:
                result[bank] = (
                    bank_bills,
                    bank_payments,
                    posted.browse().union(*(paid[p] for p in bank_payments)),
                )
        return result

    def _check_commons_bank_account_kept(self, fields, vals):
        """The bank account a commons bill is paid to, posted as its stewards
        approved it or being paid, keeps its number and holder: Odoo's lock of
        a confirmed account lapses with its confirmation, and leaves the
        holder and the number as the bank reads it open.

        :param fields: the approved fields among those written
        :param vals: the values written
        :raise UserError: when the write would change them
        """
        changed = {
            bank: labels
            for bank in self.sudo()
            if (labels := changed_field_labels(bank, fields, vals))
        }
        if not changed:
            return
        paid = self.browse([bank.id for bank in changed])._get_commons_paid_bills()
        for bank, (bills, payments, paid_bills) in paid.items():
            if payments:
                raise UserError(
                    self.env._(
                        "The bank account %(account)s receives the money of "
                        "%(bills)s by %(payments)s: its %(fields)s cannot change. "
                        "Cancel the payment and reset the bill to draft first; its "
                        "stewards then approve it again with the account as it is.",
                        account=bank._get_commons_label(),
                        bills=", ".join(paid_bills.mapped("display_name")),
                        payments=", ".join(payments.mapped("display_name")),
                        fields=", ".join(changed[bank]),
                    )
                )
            raise UserError(
                self.env._(
                    "The bank account %(account)s is the one the stewards approved "
                    "for %(bills)s, posted and not paid yet: its %(fields)s cannot "
                    "change. Reset the bill to draft first; its stewards then "
                    "approve it again with the account as it is.",
                    account=bank._get_commons_label(),
                    bills=", ".join(bills.mapped("display_name")),
                    fields=", ".join(changed[bank]),
                )
            )

    def _get_commons_holder(self):
        """The name the account is held in, as the bank reads it."""
        self.ensure_one()
        return self.acc_holder_name or self.partner_id.name or ""

    def _get_commons_masked_number(self):
        """The account's number as the stewards read it: its last characters
        only, enough to tell two accounts apart."""
        self.ensure_one()
        return "•••• " + (self.sanitized_acc_number or "")[-SHOWN_DIGITS:]

    def _get_commons_label(self):
        """The account as the stewards read it: its holder and last digits."""
        self.ensure_one()
        return f"{self._get_commons_holder()} {self._get_commons_masked_number()}"

    def _get_commons_approved_values(self):
        """What the stewards approve of the bank account a bill is paid to: its
        record, its number and who holds it.

        :return: [id, sanitized number, holder, partner id], or [] for none
        """
        if not self:
            return []
        self.ensure_one()
        bank = self.sudo()
        return [
            bank.id,
            bank.sanitized_acc_number or "",
            bank._get_commons_holder(),
            bank.partner_id.id,
        ]

# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from contextlib import contextmanager
from contextvars import ContextVar

from odoo import SUPERUSER_ID, api, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import email_normalize

from odoo.addons.base.models.res_bank import sanitize_account_number
from odoo.addons.base_iban.models.res_partner_bank import pretty_iban, validate_iban

from .account_move_commons_payment import PAID_OUT_MOVE_TYPES
from .commons_bill_intake import CommonsFormError
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

# The commons bills still to be paid (see account.move.commons_status).
WAITING_BILL_STATUSES = ("draft", "submitted", "approved", "posted", "partial")

# Set while the portal reads an e-invoice as a probe, which is rolled back: the
# accounts it records announce nothing. Set by the code, never by a request
# (a context key would let a JSON-RPC call silence the announcement).
_EINVOICE_PROBE = ContextVar("commons_einvoice_probe", default=False)

# Odoo's right to trust a bank account (Send Money).
TRUST_GROUP = "account.group_validate_bank_account"
# The email telling a contributor a bank account of theirs was recorded.
ANNOUNCE_TEMPLATE = "compte_commun_communs.mail_template_commons_bank_account"
# The activity of whoever confirms it.
CONFIRM_ACTIVITY = "compte_commun_communs.mail_activity_type_commons_bank_confirm"


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

    @api.model_create_multi
    def create(self, vals_list):
        if self.env.context.get("commons_untrusted"):
            # The portal and the e-invoice import never trust an account,
            # whoever runs them.
            vals_list = [{**vals, "allow_out_payment": False} for vals in vals_list]
        banks = super().create(vals_list)
        banks._commons_on_number_recorded()
        return banks

    def write(self, vals):
        if "partner_id" in vals and "acc_holder_name" not in vals:
            # The holder follows the new partner, as Odoo's compute has it, but
            # as a write: the stewards' approval sees it.
            partner = self.env["res.partner"].browse(vals["partner_id"])
            vals = {**vals, "acc_holder_name": partner.sudo().name}
        approved = APPROVED_BANK_FIELDS & vals.keys()
        if approved:
            self._check_commons_bank_account_kept(approved, vals)
        untrusted = self._get_commons_untrusted_by(vals)
        numbers = {bank: bank.sanitized_acc_number for bank in self}
        if untrusted:
            # Odoo lets only holders of the right write the flag, even to
            # False: the change of holder withdraws the trust as OdooBot.
            super(ResPartnerBank, untrusted.with_user(SUPERUSER_ID)).write(
                {"allow_out_payment": False}
            )
        res = super().write(vals)
        if approved:
            self._lapse_commons_approvals_of_bills()
        changed = untrusted | self.filtered(
            lambda bank: bank.sanitized_acc_number != numbers[bank]
        )
        changed._commons_on_number_recorded()
        if vals.get("allow_out_payment"):
            self._get_commons_confirm_activities().action_feedback()
        elif "allow_out_payment" in vals:
            # Trust withdrawn by a holder of the right: to confirm again.
            for bank in (
                (self - changed)
                .sudo()
                .filtered(lambda b: b.active and b._is_commons_contributor_account())
            ):
                bank._schedule_commons_confirm_activity()
        if "active" in vals and not vals["active"]:
            self._get_commons_confirm_activities().unlink()
        return res

    # -- Trust: who may change what, who is told --------------------------------

    def _get_commons_untrusted_by(self, vals):
        """The trusted accounts among these whose holder the write changes,
        by someone without Odoo's right to trust them (or from the portal):
        they are no longer trusted."""
        if "acc_holder_name" not in vals or vals.keys() & {
            "allow_out_payment",
            # Odoo locks these on a trusted account: its lock refuses them.
            "acc_number",
            "partner_id",
        }:
            return self.browse()
        if self.env.user.has_group(TRUST_GROUP) and not self.env.context.get(
            "commons_untrusted"
        ):
            return self.browse()
        holder = (vals["acc_holder_name"] or "").strip()
        return self.filtered(
            lambda bank: bank.allow_out_payment
            and (bank.acc_holder_name or "").strip() != holder
        )

    def _is_commons_contributor_account(self):
        """Whether the account's partner is a commons contributor: they, or a
        contact of theirs, use the portal, send commons bills or contribute
        to a resource."""
        self.ensure_one()
        partner = self.sudo().partner_id.commercial_partner_id
        if (
            not partner
            or partner in self.env["res.company"].sudo().search([]).partner_id
        ):
            return False
        people = (
            self.env["res.partner"]
            .sudo()
            .with_context(active_test=False)
            .search([("id", "child_of", partner.id)])
        )
        if people.user_ids.filtered("share"):
            return True
        return bool(
            self.env["account.move"]
            .sudo()
            .search_count(
                [
                    ("commercial_partner_id", "=", partner.id),
                    ("commons_resource_id", "!=", False),
                ],
                limit=1,
            )
            or self.env["commons.resource"]
            .sudo()
            .with_context(active_test=False)
            .search_count([("contributor_ids", "in", people.ids)], limit=1)
        )

    @api.model
    @contextmanager
    def _commons_einvoice_probe(self):
        """While in the block, the accounts recorded are those of an e-invoice
        read as a probe, rolled back at its end: nobody is told of them."""
        token = _EINVOICE_PROBE.set(True)
        try:
            yield
        finally:
            _EINVOICE_PROBE.reset(token)

    def _commons_on_number_recorded(self):
        """A contributor's account is new, has a new number or lost its
        trust by a change of holder: they are told at their address, and
        whoever confirms accounts gets an activity while it is untrusted.
        Not the accounts of the e-invoice read as a probe, which is rolled
        back (commons.bill.intake._parse_commons_einvoice)."""
        if _EINVOICE_PROBE.get():
            return
        for bank in self.sudo().filtered(
            lambda b: b.active and b._is_commons_contributor_account()
        ):
            bank._send_commons_bank_email()
            if not bank.allow_out_payment:
                bank._schedule_commons_confirm_activity()

    def _get_commons_announce_recipient(self):
        """Who hears of the account: its contact, or the company it is a
        contact of, whichever has an email address."""
        self.ensure_one()
        partner = self.sudo().partner_id
        for candidate in (partner, partner.commercial_partner_id):
            if email_normalize(candidate.email):
                return candidate
        return partner.browse()

    def _send_commons_bank_email(self):
        """Email the contributor that a bank account of theirs was recorded
        (its holder and last digits only), in their language."""
        self.ensure_one()
        recipient = self._get_commons_announce_recipient()
        if not recipient:
            return
        company = self.company_id or self.env.company
        template = self.env.ref(ANNOUNCE_TEMPLATE).sudo()
        template.with_context(
            commons_recipient_lang=recipient.lang,
            commons_company_name=company.name,
            commons_company_email=company.email or "",
            commons_holder=self._get_commons_holder(),
            commons_number=self._get_commons_masked_number(),
        ).send_mail(
            self.id,
            email_values={"recipient_ids": [(6, 0, recipient.ids)]},
        )
        self.env["mail.mail"]._commons_send_queue_soon()

    @api.model
    def _get_commons_confirming_user(self, company):
        """Who confirms a contributor's bank account: the host's accountant
        when they hold Odoo's right to trust it, else the first other user
        of that right, OdooBot aside; empty if nobody."""
        accountant = company.commons_accountant_user_id
        if accountant and accountant.has_group(TRUST_GROUP):
            return accountant
        return (
            self.env.ref(TRUST_GROUP)
            .sudo()
            .users.filtered(
                lambda user: user.id != SUPERUSER_ID
                and user.active
                and not user.share
                and company in user.company_ids
            )
            .sorted("id")[:1]
        )

    def _get_commons_confirm_activities(self):
        activity_type = self.env.ref(CONFIRM_ACTIVITY)
        return self.sudo().activity_ids.filtered(
            lambda a: a.activity_type_id == activity_type
        )

    def _schedule_commons_confirm_activity(self):
        self.ensure_one()
        if self._get_commons_confirm_activities():
            return
        user = self._get_commons_confirming_user(self.company_id or self.env.company)
        if user:
            self.sudo().activity_schedule(
                CONFIRM_ACTIVITY,
                user_id=user.id,
                note=self.env._(
                    "Check %(account)s with its contributor (not from the email or "
                    "the invoice that brought it), then allow it to receive money "
                    "(Send Money).",
                    account=self._get_commons_label(),
                ),
            )

    # -- The contributor's portal -------------------------------------------------

    @api.model
    def _commons_portal_save(self, partner, values, bank=None):
        """Record a bank account the contributor ``partner`` typed in their
        portal, untrusted until the host confirms it.

        A new account, or a change of one of theirs: an untrusted one not yet
        paid to changes in place; a trusted one keeps its number (Odoo locks
        it), so a new number adds a new untrusted account and the old one is
        archived, unless a bill not yet paid uses it; a new holder of a
        trusted one withdraws its trust.

        :param partner: res.partner, the contributor (their company's accounts)
        :param values: {acc_number, acc_holder_name} as typed
        :param bank: res.partner.bank or its id, the account changed
        :return: res.partner.bank, the account recorded
        :raise UserError: an invalid IBAN, no holder, an account already
            recorded, or one that is not the contributor's (nothing changed)
        """
        partner = partner.commercial_partner_id
        Bank = self.sudo().with_context(commons_untrusted=True)
        if bank is not None and not isinstance(bank, models.BaseModel):
            try:
                bank = Bank.browse(int(bank))
            except (TypeError, ValueError):
                bank = Bank
        own = Bank.search([("partner_id", "child_of", partner.id)])
        if bank is not None and (not bank or bank.id not in own.ids):
            raise AccessError(self.env._("This bank account is not one of yours."))
        bank = Bank.browse(bank.id) if bank else Bank
        number = (values.get("acc_number") or "").strip()
        holder = " ".join((values.get("acc_holder_name") or "").split())
        try:
            validate_iban(number)
        except ValidationError as error:
            raise CommonsFormError(str(error), "acc_number") from error
        if not holder:
            raise CommonsFormError(
                self.env._("Give the name the account is held in."),
                "acc_holder_name",
            )
        sanitized = sanitize_account_number(number)
        same = (
            Bank.with_context(active_test=False)
            .search([("partner_id", "child_of", partner.id)])
            .filtered(lambda b: b.sanitized_acc_number == sanitized)
        )
        if same and same != bank:
            message = (
                self.env._(
                    "The account %(account)s is already recorded for you.",
                    account=same[0]._get_commons_masked_number(),
                )
                if same[0].active
                else self.env._(
                    "The account %(account)s was recorded for you before and is "
                    "archived: ask the host to restore it.",
                    account=same[0]._get_commons_masked_number(),
                )
            )
            raise CommonsFormError(message, "acc_number")
        if bank and bank == same:
            # The same number: only its holder may change.
            if bank.acc_holder_name != holder:
                bank.write({"acc_holder_name": holder})
            return bank
        if bank and not bank.allow_out_payment and not bank._get_commons_paid_bills():
            bank.write(
                {"acc_number": pretty_iban(sanitized), "acc_holder_name": holder}
            )
            return bank
        new = Bank.create(
            {
                "acc_number": pretty_iban(sanitized),
                "acc_holder_name": holder,
                "partner_id": partner.id,
                "allow_out_payment": False,
            }
        )
        if bank and not bank._get_commons_unpaid_bills():
            bank.write({"active": False})
        return new

    def _get_commons_unpaid_bills(self):
        """The bills, drafts included, that are to be paid to this account
        and are not paid yet."""
        return (
            self.env["account.move"]
            .sudo()
            .search(
                [
                    ("partner_bank_id", "in", self.ids),
                    ("move_type", "in", PAID_OUT_MOVE_TYPES),
                    ("state", "!=", "cancel"),
                    ("payment_state", "not in", ("paid", "reversed")),
                ]
            )
        )

    def _is_commons_bill_waiting(self, bill):
        """Whether ``bill``, to be paid to this account, waits for the host
        to confirm it (see account.move._check_commons_paid_to)."""
        bank = self.sudo()[:1]
        return bool(
            bank
            and not bank.allow_out_payment
            and bill.sudo().commons_status in WAITING_BILL_STATUSES
        )

    def _get_commons_portal_accounts(self, partner):
        """The contributor's accounts their portal lists, as superuser."""
        return self.sudo().search(
            [("partner_id", "child_of", partner.commercial_partner_id.id)],
            order="sequence, id",
        )

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

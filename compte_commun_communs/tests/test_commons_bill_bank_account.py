# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""A bill's money goes only to the bank account its stewards approved: the
bill is submitted with it, the stewards read its holder and last digits and
approve its number and holder, and every way of paying the bill (the
wizard, a payment made or changed over RPC, an outstanding payment, a
reconciliation, a reconciliation record made directly) sends the money
there or is refused. The invoice file they read stays as they read it."""

from collections import Counter
from contextlib import contextmanager
from unittest.mock import patch

from lxml import html

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.modules.migration import load_script
from odoo.tests import Form, HttpCase, tagged

from .common import CommonsCase

NOT_APPROVED = "cannot be posted or paid before a steward of the resource approves"
OTHER_ACCOUNT = "is paid on the bank account its stewards approved"
OTHER_PARTNER = "is paid to its contributor"
NOT_A_PAYMENT = "it is reconciled with a payment to that account"
NOT_CONFIRMED = "is not confirmed by the host yet"
FILE_KEPT = "it cannot be"
PAYMENT_KEPT = "cannot change. Cancel the payment and make a new one"
BANK_KEPT = "cannot change. Reset the bill to draft first"
PAID_BANK_KEPT = "cannot change. Cancel the payment and reset the bill to draft"
PARTIAL_KEPT = "they do not change. Unreconcile the items"
WRITTEN_OFF = "writes off part of"
IN_ITS_CURRENCY = "is paid in its own currency"
MIGRATION = "compte_commun_communs/migrations/18.0.1.3.0/post-bank-account.py"


@tagged("post_install", "-at_install")
class TestCommonsBillBankAccount(CommonsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.loot = cls._create_resource("Logiciel LOOT", "LOOT")
        cls._donate(cls.loot, 5000, "2023-02-15")
        cls.admin = cls._admin_with_accounting()
        cls.bank_journal = cls.company_data["default_journal_bank"]
        cls.expense_account = cls.company_data["default_account_expense"]
        cls.other_expense_account = cls.env["account.account"].create(
            {
                "code": "604100",
                "name": "Subcontracted studies",
                "account_type": "expense",
                "company_ids": [Command.set(cls.company.ids)],
            }
        )
        Bank = cls.env["res.partner.bank"].with_user(cls.env.ref("base.user_root"))
        # Accounts the host confirmed: another one of Sacha's, and one of the
        # accountant's own contact.
        cls.other_bank, cls.accountant_bank = Bank.create(
            [
                {
                    "acc_number": "FR76 1010 7001 0100 0998 8776 658",
                    "acc_holder_name": "Sacha Dupont",
                    "partner_id": cls.contributor.partner_id.id,
                    "allow_out_payment": True,
                },
                {
                    "acc_number": "FR76 3000 3020 0000 0500 0123 427",
                    "partner_id": cls.accountant.partner_id.id,
                    "allow_out_payment": True,
                },
            ]
        )

    # -- Helpers --------------------------------------------------------------

    def _figures(self):
        """What the resource's figures read now (2023, and available today)."""
        self.env.invalidate_all()
        return {
            **self.loot._get_figures(2023)[self.loot.id],
            "available": self.loot._get_commons_available(),
        }

    def _payment_count(self):
        return self.env["account.payment"].sudo().search_count([])

    def _assert_nothing_paid(self, bill, payments, residual=1000):
        """The bill is as unpaid as before: nothing is reconciled with its
        payable item, no payment in process pays it, none was left behind.
        (The resource's figures read the bills, not their payments: that they
        did not move would prove nothing here.)"""
        bill.invalidate_recordset()
        self.assertEqual(bill.payment_state, "not_paid")
        self.assertEqual(bill.amount_residual, residual)
        self.assertFalse(
            self._payable(bill).matched_debit_ids
            | self._payable(bill).matched_credit_ids
        )
        self.assertFalse(
            bill.sudo().matched_payment_ids.filtered(
                lambda payment: payment.state in ("in_process", "paid")
            )
        )
        self.assertEqual(self._payment_count(), payments)

    def _posted_bill(self, amount=1000, contributor=None):
        """A bill submitted, approved by a steward and posted."""
        bill = self._bill(self.loot, amount, "2023-06-01", contributor=contributor)
        self.assertEqual((bill.state, bill.commons_bill_state), ("posted", "approved"))
        return bill

    def _approved_bill(self, file=False):
        bill = self._bill(self.loot, 1000, "2023-06-01", post=False)
        if file:
            self._attach(bill).register_as_main_attachment()
        bill.action_commons_submit()
        self._approve(bill)
        self.assertEqual(bill.commons_bill_state, "approved")
        return bill

    def _attach(self, bill, content=b"%PDF-1.4 Bill of June", name="invoice.pdf"):
        return self.env["ir.attachment"].create(
            {
                "name": name,
                "raw": content,
                "mimetype": "application/pdf",
                "res_model": "account.move",
                "res_id": bill.id,
            }
        )

    def _payment_wizard(self, action, user=None, **vals):
        return (
            self.env["account.payment.register"]
            .with_user(user or self.accountant)
            .with_company(self.company)
            .with_context(**action["context"])
            .create({"payment_date": "2023-07-01", **vals})
        )

    def _outbound_payment(self, user=None, **vals):
        return (
            self.env["account.payment"]
            .with_user(user or self.accountant)
            .with_company(self.company)
            .create(
                {
                    "payment_type": "outbound",
                    "partner_type": "supplier",
                    "partner_id": self.contributor.partner_id.id,
                    "amount": 1000,
                    "date": "2023-07-01",
                    "journal_id": self.bank_journal.id,
                    **vals,
                }
            )
        )

    def _posted_payment(self, bank, **vals):
        payment = self._outbound_payment(partner_bank_id=bank.id, **vals)
        payment.action_post()
        return payment

    def _payable(self, move):
        return move.line_ids.filtered(
            lambda line: line.account_id.account_type == "liability_payable"
        )

    def _paid_bill(self):
        """A posted bill paid with the form's Pay, on its approved account."""
        bill = self._posted_bill()
        self._payment_wizard(bill.action_register_payment()).action_create_payments()
        self.assertIn(bill.payment_state, ("paid", "in_payment"))
        return bill, bill.matched_payment_ids

    def _assert_lapsed(self, bill):
        bill.invalidate_recordset()
        self.assertEqual(bill.commons_bill_state, "submitted")
        self.assertFalse(bill._get_commons_valid_approvals())
        self.assertTrue(
            bill.message_ids.filtered(
                lambda message: "approval of Camille Martin lapsed" in message.body
            )
        )
        with self.assertRefused(UserError, NOT_APPROVED):
            bill.action_post()
        self.assertEqual(bill.state, "draft")

    # -- Submitted with a bank account of the contributor's --------------------

    def test_submit_without_bank_account_refused(self):
        bill = self._bill(self.loot, 1000, "2023-06-01", post=False)
        bill.partner_bank_id = False
        figures = self._figures()
        for user in (self.accountant, self.admin):
            with self.assertRefused(UserError, "has no bank account to be paid to"):
                bill.with_user(user).with_company(self.company).action_commons_submit()
        self.assertFalse(bill.commons_bill_state)
        self.assertEqual(self._figures(), figures)

    def test_submit_with_another_partners_bank_account_refused(self):
        bill = self._bill(self.loot, 1000, "2023-06-01", post=False)
        bill.partner_bank_id = self.accountant_bank
        figures = self._figures()
        with self.assertRefused(UserError, "is not one of the bank accounts of"):
            bill.action_commons_submit()
        self.assertFalse(bill.commons_bill_state)
        self.assertEqual(self._figures(), figures)

    def test_submitted_with_the_contributors_own_account(self):
        bill = self._bill(self.loot, 1000, "2023-06-01", post=False)
        bill.partner_bank_id = self.other_bank
        bill.action_commons_submit()
        self.assertEqual(bill.commons_bill_state, "submitted")
        self.assertEqual(bill.partner_bank_id, self.other_bank)

    def test_submitted_with_an_account_its_portal_offers(self):
        """The contributor's accounts are defined once, as their portal
        offers them: the bill's check takes no other."""
        bill = self._bill(self.loot, 1000, "2023-06-01", post=False)
        Intake = self.env.registry["commons.bill.intake"]
        offered = Intake._is_commons_bank_account

        def offered_but_theirs(intake, bank, partner, company):
            return bank != self.contributor_bank and offered(
                intake, bank, partner, company
            )

        with patch.object(Intake, "_is_commons_bank_account", offered_but_theirs):
            with self.assertRefused(UserError, "is not one of the bank accounts of"):
                bill.action_commons_submit()
        bill.action_commons_submit()
        self.assertEqual(bill.commons_bill_state, "submitted")

    def test_expense_accounts_read_as_the_resources_are(self):
        """A bill is booked on expense accounts: its lines' distributions are
        read as the lookup of its resources reads them (a key written over
        RPC with a space in it names the resource as well)."""
        bill = self._bill(self.loot, 1000, "2023-06-01", post=False)
        bill.invoice_line_ids.write(
            {
                "account_id": self.company_data["default_account_assets"].id,
                "analytic_distribution": {f" {self.loot.analytic_account_id.id}": 100},
            }
        )
        self.assertEqual(bill._get_commons_resources(), self.loot)
        with self.assertRefused(UserError, "is booked on an expense account"):
            bill._check_commons_expense_accounts(self.loot)

    # -- What the stewards approve of the account ------------------------------

    def test_holder_changed_lapses(self):
        bill = self._approved_bill()
        self.contributor_bank.sudo().acc_holder_name = "Dominique Comptable"
        self._assert_lapsed(bill)

    def test_number_changed_lapses(self):
        bill = self._approved_bill()
        # Odoo lets a confirmed account's number change only as it loses its
        # confirmation, which the administrator gives back.
        self.contributor_bank.with_user(self.admin).write(
            {"allow_out_payment": False, "acc_number": "FR7630006000011234567890189"}
        )
        self.contributor_bank.with_user(self.admin).allow_out_payment = True
        self._assert_lapsed(bill)

    def test_number_as_the_bank_reads_it_changed_lapses(self):
        """Odoo computes it from the number, but leaves it writable over RPC."""
        bill = self._approved_bill()
        self.contributor_bank.with_user(
            self.accountant
        ).sanitized_acc_number = "FR7630006000011234567890189"
        self._assert_lapsed(bill)

    def test_contributor_renamed_keeps_the_holder_approved(self):
        """Odoo renames an account's holder with its contact, unseen by the
        account: the holder the stewards approved stays, so that the bill
        reads approved because it is, and is posted and paid as approved."""
        draft = self._approved_bill()
        posted = self._posted_bill()
        self.contributor.partner_id.with_user(self.accountant).name = "Sacha Martin"
        self.env.flush_all()
        self.contributor_bank.invalidate_recordset()
        self.assertEqual(self.contributor_bank.acc_holder_name, "Sacha Dupont")
        # An account no bill is approved on follows its contact, as in Odoo.
        self.assertEqual(self.other_bank.acc_holder_name, "Sacha Martin")
        for bill in draft | posted:
            self.assertEqual(bill.commons_bill_state, "approved")
            self.assertTrue(bill._get_commons_valid_approvals())
        draft.action_post()
        self.assertEqual(draft.state, "posted")
        for bill in draft | posted:
            self._payment_wizard(
                bill.action_register_payment()
            ).action_create_payments()
            self.assertIn(bill.payment_state, ("paid", "in_payment"))
            self.assertEqual(
                bill.matched_payment_ids.partner_bank_id, self.contributor_bank
            )

    def test_account_without_holder_refused(self):
        """The holder approved is the one written on the account."""
        bill = self._bill(self.loot, 1000, "2023-06-01", post=False)
        self.contributor_bank.with_user(self.accountant).acc_holder_name = False
        with self.assertRefused(UserError, "has no holder name"):
            bill.action_commons_submit()
        self.assertFalse(bill.commons_bill_state)

    def test_another_account_lapses(self):
        bill = self._approved_bill()
        with Form(bill) as form:
            form.partner_bank_id = self.other_bank
        self._assert_lapsed(bill)

    def test_accounting_date_changed_lapses(self):
        bill = self._approved_bill()
        with Form(bill) as form:
            form.date = fields.Date.to_date("2023-06-20")
        self._assert_lapsed(bill)

    def test_line_account_changed_lapses(self):
        bill = self._approved_bill()
        bill.invoice_line_ids.account_id = self.other_expense_account
        self._assert_lapsed(bill)

    def test_new_invoice_file_lapses(self):
        """The file of issue 12's point 9, replaced by another document."""
        bill = self._approved_bill(file=True)
        original = bill.message_main_attachment_id
        other = self._attach(bill, b"%PDF-1.4 Another document", "other.pdf")
        other.register_as_main_attachment()
        self.assertEqual(bill.message_main_attachment_id, other)
        self._assert_lapsed(bill)
        with self.assertRefused(UserError, FILE_KEPT):
            original.unlink()
        self.assertTrue(original.exists())

    def _assert_bank_account_kept(self, message):
        """The number and holder of the contributor's account stay, whoever
        tries: the administrator, who may lift Odoo's lock of a confirmed
        account, or anyone with Contact Creation writing what Odoo does not
        lock (the number as the bank reads it, the holder)."""
        bank = self.contributor_bank
        approved = ["acc_number", "sanitized_acc_number", "acc_holder_name"]
        before = bank.read([*approved, "partner_id", "allow_out_payment"])
        number = "FR7630006000011234567890189"
        with self.assertRefused(UserError, message):
            bank.with_user(self.admin).write(
                {"allow_out_payment": False, "acc_number": number}
            )
        for vals in (
            {"sanitized_acc_number": number},
            {"acc_holder_name": "Dominique Comptable"},
            {"partner_id": self.contributor2.partner_id.id},
        ):
            for user in (self.accountant, self.admin):
                with self.assertRefused(UserError, message):
                    bank.with_user(user).write(vals)
        bank.invalidate_recordset()
        self.assertEqual(
            bank.read([*approved, "partner_id", "allow_out_payment"]), before
        )
        # What the stewards do not approve may still change.
        bank.with_user(self.accountant).write({"sequence": 5})

    def test_account_of_a_posted_bill_is_kept(self):
        bill = self._posted_bill()
        self._assert_bank_account_kept(BANK_KEPT)
        self._payment_wizard(bill.action_register_payment()).action_create_payments()
        self.assertIn(bill.payment_state, ("paid", "in_payment"))
        self.assertEqual(
            bill.matched_payment_ids.partner_bank_id, self.contributor_bank
        )

    def test_account_of_a_paid_bill_is_kept_until_reset(self):
        bill, payment = self._paid_bill()
        self._assert_bank_account_kept(PAID_BANK_KEPT)
        # Its payment cancelled, the bill is still posted as approved.
        payment.action_draft()
        payment.action_cancel()
        self.assertEqual(bill.payment_state, "not_paid")
        self._assert_bank_account_kept(BANK_KEPT)
        # Reset to draft, the account may change: its stewards approve again.
        bill.button_draft()
        self.assertEqual(bill.commons_bill_state, "approved")
        self.contributor_bank.with_user(self.accountant).acc_holder_name = "S. Dupont"
        self._assert_lapsed(bill)

    # -- The payment wizard ----------------------------------------------------

    def test_wizard_with_another_account_refused(self):
        bill = self._posted_bill()
        payments = self._payment_count()
        for user in (self.accountant, self.admin):
            for action in (
                bill.action_register_payment(),
                bill.action_force_register_payment(),
            ):
                wizard = self._payment_wizard(action, user=user)
                self.assertEqual(wizard.partner_bank_id, self.contributor_bank)
                for other in (self.other_bank, self.accountant_bank):
                    wizard.partner_bank_id = other
                    with self.assertRefused(UserError, OTHER_ACCOUNT):
                        wizard.action_create_payments()
                wizard.partner_bank_id = False
                with self.assertRefused(UserError, "not on no bank account"):
                    wizard.action_create_payments()
        created = self._payment_wizard(
            bill.action_register_payment(), partner_bank_id=self.other_bank.id
        )
        with self.assertRefused(UserError, OTHER_ACCOUNT):
            created._create_payments()
        self._assert_nothing_paid(bill, payments)

    def test_wizard_pays_the_approved_account(self):
        bill = self._posted_bill()
        self._payment_wizard(bill.action_register_payment()).action_create_payments()
        self.assertIn(bill.payment_state, ("paid", "in_payment"))
        self.assertEqual(
            bill.matched_payment_ids.partner_bank_id, self.contributor_bank
        )
        self.assertEqual(
            self._payable(bill).matched_debit_ids.debit_move_id,
            self._payable(bill.matched_payment_ids.move_id),
        )

    def test_list_pay_of_several_bills_pays_each_on_its_account(self):
        bills = self._posted_bill() | self._posted_bill(500, self.contributor2)
        action = bills.action_force_register_payment()
        wizard = self._payment_wizard(action)
        self.assertFalse(wizard.can_edit_wizard)
        wizard.action_create_payments()
        for bill, bank in zip(
            bills, (self.contributor_bank, self.contributor2_bank), strict=True
        ):
            self.assertIn(bill.payment_state, ("paid", "in_payment"), bill.name)
            self.assertEqual(bill.matched_payment_ids.partner_bank_id, bank)

    @contextmanager
    def _counting_commons_checks(self):
        """Count, while in the block, the searches of the resources and each
        bill's fingerprints: {"searches": n, bill id: fingerprints}."""
        counts = Counter()
        Resource = self.env.registry["commons.resource"]
        Move = self.env.registry["account.move"]
        search, fingerprint = Resource._search, Move._get_commons_fingerprint

        def counted_search(records, *args, **kwargs):
            counts["searches"] += 1
            return search(records, *args, **kwargs)

        def counted_fingerprint(move):
            counts[move.id] += 1
            return fingerprint(move)

        with (
            patch.object(Resource, "_search", counted_search),
            patch.object(Move, "_get_commons_fingerprint", counted_fingerprint),
        ):
            yield counts

    def test_list_pay_checks_each_bill_once_however_many(self):
        """The list's Pay of one bill, then of five, each paid by its own
        payment and reconciliation: the resources are searched as often for
        five as for one, and each bill's fingerprint computed once by each
        check."""
        counts = []
        for number in (1, 5):
            bills = self.env["account.move"].union(
                *(self._posted_bill(100) for _i in range(number))
            )
            wizard = self._payment_wizard(bills.action_force_register_payment())
            with self._counting_commons_checks() as count:
                wizard.action_create_payments()
            self.assertEqual(len(bills.matched_payment_ids), number)
            for bill in bills:
                self.assertIn(bill.payment_state, ("paid", "in_payment"))
            counts.append(count)
        # A payment of no bill is posted and changed without any.
        with self._counting_commons_checks() as count:
            payment = self._posted_payment(self.other_bank)
            payment.write({"memo": "Refund of a deposit", "amount": 900})
        self.assertFalse(count)
        one, five = counts
        self.assertEqual(five.pop("searches"), one.pop("searches"))
        # Once by each check: as the wizard starts, as its payment is
        # reconciled with the bill, as the payment is linked to it.
        self.assertEqual(set(one.values()), {3})
        self.assertEqual(set(five.values()), {3})

    def test_list_pay_of_one_contributors_bills_to_another_account_refused(self):
        bills = self._posted_bill() | self._posted_bill(500)
        payments = self._payment_count()
        wizard = self._payment_wizard(bills.action_force_register_payment())
        self.assertTrue(wizard.can_edit_wizard)
        wizard.write({"group_payment": True, "partner_bank_id": self.other_bank.id})
        with self.assertRefused(UserError, OTHER_ACCOUNT):
            wizard.action_create_payments()
        for bill, amount in zip(bills, (1000, 500), strict=True):
            self._assert_nothing_paid(bill, payments, residual=amount)

    def test_account_not_confirmed_by_the_host_is_not_paid(self):
        """An account the accountant records is not confirmed (Odoo's "Send
        Money"): the stewards may approve it, the host pays it once an
        administrator confirmed it."""
        bank = (
            self.env["res.partner.bank"]
            .with_user(self.accountant)
            .create(
                {
                    "acc_number": "FR7630006000011234567890189",
                    "partner_id": self.contributor.partner_id.id,
                    "allow_out_payment": True,
                }
            )
        )
        self.assertFalse(bank.allow_out_payment)
        bill = self._bill(self.loot, 1000, "2023-06-01", post=False)
        bill.partner_bank_id = bank
        bill.action_commons_submit()
        self._approve(bill)
        bill.action_post()
        payments = self._payment_count()
        wizard = self._payment_wizard(bill.action_register_payment())
        self.assertEqual(wizard.partner_bank_id, bank)
        with self.assertRefused(UserError, NOT_CONFIRMED):
            wizard.action_create_payments()
        self._assert_nothing_paid(bill, payments)
        bank.with_user(self.admin).allow_out_payment = True
        wizard.action_create_payments()
        self.assertIn(bill.payment_state, ("paid", "in_payment"))

    # -- Payments made or changed over RPC -------------------------------------

    def test_payment_created_for_the_bill_on_another_account_refused(self):
        bill = self._posted_bill()
        payments = self._payment_count()
        link = [Command.link(bill.id)]
        for user in (self.accountant, self.admin):
            for vals, message in (
                ({"partner_bank_id": self.other_bank.id}, OTHER_ACCOUNT),
                ({"partner_bank_id": False}, OTHER_ACCOUNT),
                (
                    {
                        "partner_id": self.accountant.partner_id.id,
                        "partner_bank_id": self.accountant_bank.id,
                    },
                    OTHER_PARTNER,
                ),
                (
                    {"payment_type": "inbound", "partner_type": "supplier"},
                    OTHER_ACCOUNT,
                ),
            ):
                with self.assertRefused(UserError, message):
                    self._outbound_payment(user=user, invoice_ids=link, **vals)
        self._assert_nothing_paid(bill, payments)
        payment = self._outbound_payment(invoice_ids=link)
        self.assertEqual(payment.partner_bank_id, self.contributor_bank)

    def test_payment_linked_to_the_bill_afterwards_refused(self):
        bill = self._posted_bill()
        payment = self._posted_payment(self.other_bank)
        payments = self._payment_count()
        with self.assertRefused(UserError, OTHER_ACCOUNT):
            payment.write({"invoice_ids": [Command.link(bill.id)]})
        with self.assertRefused(UserError, OTHER_ACCOUNT):
            bill.write({"matched_payment_ids": [Command.link(payment.id)]})
        self.assertFalse(bill.matched_payment_ids)
        self._assert_nothing_paid(bill, payments)

    def test_draft_payment_of_the_bill_moved_to_another_account_refused(self):
        bill = self._posted_bill()
        payment = self._outbound_payment(invoice_ids=[Command.link(bill.id)])
        payments = self._payment_count()
        for vals in (
            {"partner_bank_id": self.other_bank.id},
            {"partner_id": self.accountant.partner_id.id},
        ):
            with self.assertRefused(UserError, "is paid"):
                payment.write(vals)
        self.assertEqual(payment.partner_bank_id, self.contributor_bank)
        self._assert_nothing_paid(bill, payments)

    def test_bank_account_of_the_payment_not_rewritten_after_the_wizard(self):
        """Issue 12, point 3: the payment's bank account rewritten after the
        wizard paid the bill."""
        bill, payment = self._paid_bill()
        for user in (self.accountant, self.admin):
            Payment = payment.with_user(user).with_company(self.company)
            for vals in (
                {"partner_bank_id": self.other_bank.id},
                {"partner_bank_id": False},
                {"partner_id": self.accountant.partner_id.id},
                {"amount": 1500},
            ):
                with self.assertRefused(UserError, PAYMENT_KEPT):
                    Payment.write(vals)
        payment.invalidate_recordset()
        self.assertEqual(payment.partner_bank_id, self.contributor_bank)
        self.assertEqual(payment.partner_id, self.contributor.partner_id)
        self.assertEqual(payment.amount, 1000)
        payment.write({"memo": "June fixes"})
        self.assertEqual(bill.matched_payment_ids, payment)

    # -- Outstanding payments and reconciliations -------------------------------

    def test_outstanding_payment_to_another_account_refused(self):
        bill = self._posted_bill()
        payment = self._posted_payment(self.other_bank)
        payments = self._payment_count()
        line = self._payable(payment.move_id)
        self.assertIn(
            line.id,
            [
                credit["id"]
                for credit in bill.invoice_outstanding_credits_debits_widget["content"]
            ],
        )
        for user in (self.accountant, self.admin):
            with self.assertRefused(UserError, OTHER_ACCOUNT):
                bill.with_user(user).with_company(
                    self.company
                ).js_assign_outstanding_line(line.id)
        self._assert_nothing_paid(bill, payments)
        self.assertFalse(line.reconciled)

    def test_outstanding_payment_to_the_approved_account_pays(self):
        bill = self._posted_bill()
        payment = self._posted_payment(self.contributor_bank)
        bill.js_assign_outstanding_line(self._payable(payment.move_id).id)
        self.assertIn(bill.payment_state, ("paid", "in_payment"))

    def test_reconciliation_with_another_account_refused(self):
        bill = self._posted_bill()
        payment = self._posted_payment(self.other_bank)
        payments = self._payment_count()
        for user in (self.accountant, self.admin):
            with self.assertRefused(UserError, OTHER_ACCOUNT):
                (self._payable(bill) | self._payable(payment.move_id)).with_user(
                    user
                ).with_company(self.company).reconcile()
        self._assert_nothing_paid(bill, payments)

    def test_reconciliation_with_a_journal_entry_refused(self):
        """Money recorded as gone from the bank by an entry of the accountant's,
        to nobody's approved account."""
        bill = self._posted_bill()
        entry = (
            self.env["account.move"]
            .with_user(self.accountant)
            .create(
                {
                    "move_type": "entry",
                    "date": "2023-07-01",
                    "journal_id": self.company_data["default_journal_misc"].id,
                    "line_ids": [
                        Command.create(
                            {
                                "name": "Sacha",
                                "account_id": self.company_data[
                                    "default_account_payable"
                                ].id,
                                "partner_id": self.contributor.partner_id.id,
                                "debit": 1000,
                            }
                        ),
                        Command.create(
                            {
                                "name": "Bank",
                                "account_id": self.bank_journal.default_account_id.id,
                                "credit": 1000,
                            }
                        ),
                    ],
                }
            )
        )
        entry.action_post()
        payments = self._payment_count()
        with self.assertRefused(UserError, NOT_A_PAYMENT):
            (self._payable(bill) | self._payable(entry)).reconcile()
        with self.assertRefused(UserError, NOT_A_PAYMENT):
            bill.js_assign_outstanding_line(self._payable(entry).id)
        self._assert_nothing_paid(bill, payments)

    def test_reconciliation_with_a_credit_note_of_the_host_refused(self):
        """A credit note of the contributor that no steward approved (the
        host's own, on no resource) does not pay the resource's bill."""
        bill = self._posted_bill()
        note = self._bill(None, 1000, "2023-06-15", post=False)
        note.move_type = "in_refund"
        note.action_post()
        payments = self._payment_count()
        with self.assertRefused(UserError, NOT_A_PAYMENT):
            (self._payable(bill) | self._payable(note)).reconcile()
        self._assert_nothing_paid(bill, payments)

    def test_reconciliation_record_made_directly_refused(self):
        bill = self._posted_bill()
        payment = self._posted_payment(self.other_bank)
        payments = self._payment_count()
        Partial = self.env["account.partial.reconcile"].with_user(self.accountant)
        vals = {
            "debit_move_id": self._payable(payment.move_id).id,
            "credit_move_id": self._payable(bill).id,
            "amount": 1000,
            "debit_amount_currency": 1000,
            "credit_amount_currency": 1000,
        }
        with self.assertRefused(UserError, OTHER_ACCOUNT):
            Partial.create(vals)
        self._assert_nothing_paid(bill, payments)
        # A record of the right payment is moved to another one.
        right = self._posted_payment(self.contributor_bank)
        (self._payable(bill) | self._payable(right.move_id)).reconcile()
        partial = self._payable(bill).matched_debit_ids
        self.assertEqual(partial.debit_move_id, self._payable(right.move_id))
        with self.assertRefused(UserError, PARTIAL_KEPT):
            partial.with_user(self.accountant).write(
                {"debit_move_id": self._payable(payment.move_id).id}
            )
        self.assertEqual(partial.debit_move_id, self._payable(right.move_id))
        self.assertFalse(self._payable(payment.move_id).reconciled)
        self.assertFalse(self._payable(payment.move_id).matched_credit_ids)

    # -- Settled by the money sent, all of it -----------------------------------

    def test_marked_fully_paid_with_less_money_refused(self):
        """The wizard's "Mark as fully paid": 500 sent to the approved account,
        500 written off to an account of the host, the bill of 1000 settled."""
        bill = self._posted_bill()
        payments = self._payment_count()
        for user in (self.accountant, self.admin):
            wizard = self._payment_wizard(
                bill.action_register_payment(),
                user=user,
                amount=500,
                payment_difference_handling="reconcile",
                writeoff_account_id=self.other_expense_account.id,
                writeoff_label="Discount",
            )
            self.assertEqual(wizard.partner_bank_id, self.contributor_bank)
            with self.assertRefused(UserError, "cannot be marked as fully paid"):
                wizard.action_create_payments()
        self._assert_nothing_paid(bill, payments)
        # Kept open, the 500 sent pay 500 of the bill.
        self._payment_wizard(
            bill.action_register_payment(), amount=500
        ).action_create_payments()
        self.assertEqual(bill.payment_state, "partial")
        self.assertEqual(bill.amount_residual, 500)

    def test_payment_writing_off_part_of_the_bill_refused(self):
        """The same, made over RPC: a payment whose entry writes off part of
        what it settles, linked to the bill or reconciled with it."""
        bill = self._posted_bill()
        write_off = [
            {
                "name": "Discount",
                "account_id": self.other_expense_account.id,
                "partner_id": self.contributor.partner_id.id,
                "amount_currency": -500,
                "balance": -500,
            }
        ]
        payments = self._payment_count()
        with self.assertRefused(UserError, WRITTEN_OFF):
            self._outbound_payment(
                amount=500,
                partner_bank_id=self.contributor_bank.id,
                invoice_ids=[Command.link(bill.id)],
                write_off_line_vals=write_off,
            )
        payment = self._outbound_payment(
            amount=500,
            partner_bank_id=self.contributor_bank.id,
            write_off_line_vals=write_off,
        )
        payment.action_post()
        self.assertEqual(self._payable(payment.move_id).balance, 1000)
        with self.assertRefused(UserError, WRITTEN_OFF):
            bill.js_assign_outstanding_line(self._payable(payment.move_id).id)
        with self.assertRefused(UserError, WRITTEN_OFF):
            (self._payable(bill) | self._payable(payment.move_id)).reconcile()
        self._assert_nothing_paid(bill, payments + 1)

    def test_paid_in_another_currency_refused(self):
        """A payment in another currency settles a bill at a rate, which the
        host sets (and the wizard's "Mark as fully paid" on the exchange
        account forces): 300 € would settle a bill of 1000 $."""
        eur = self.setup_other_currency("EUR", rates=[("2023-01-01", 0.3)])
        bill = self._posted_bill()
        payments = self._payment_count()
        wizard = self._payment_wizard(
            bill.action_register_payment(), currency_id=eur.id
        )
        self.assertEqual(wizard.amount, 300)
        with self.assertRefused(UserError, IN_ITS_CURRENCY):
            wizard.action_create_payments()
        self._assert_nothing_paid(bill, payments)
        payment = self._posted_payment(
            self.contributor_bank, amount=300, currency_id=eur.id
        )
        lines = self._payable(bill) | self._payable(payment.move_id)
        for context in ({}, {"forced_rate_from_register_payment": 0.3}):
            with self.assertRefused(UserError, IN_ITS_CURRENCY):
                lines.with_context(**context).reconcile()
        self._assert_nothing_paid(bill, payments + 1)

    def _bill_in_euros(self):
        """A bill of 1000 € on the 1st of June, when 1 € made 2 $ (the
        company's currency); on the 1st of July 1 € makes 1.60 $: paid then,
        the bill leaves 400 $ to an exchange difference."""
        eur = self.setup_other_currency(
            "EUR", rates=[("2023-06-01", 0.5), ("2023-07-01", 0.625)]
        )
        bill = self._bill(self.loot, 1000, "2023-06-01", post=False)
        bill.currency_id = eur
        bill.action_commons_submit()
        self._approve(bill)
        bill.action_post()
        self.assertEqual(self._payable(bill).balance, -2000)
        return bill, eur

    def test_bill_in_another_currency_paid_at_another_rate(self):
        """Odoo reconciles the bill with the exchange difference entry it
        makes for it: the bill is paid, in its currency, on its account."""
        bill, eur = self._bill_in_euros()
        wizard = self._payment_wizard(bill.action_register_payment())
        self.assertEqual((wizard.currency_id, wizard.amount), (eur, 1000))
        wizard.action_create_payments()
        self.assertIn(bill.payment_state, ("paid", "in_payment"))
        payment = bill.matched_payment_ids
        self.assertEqual(payment.partner_bank_id, self.contributor_bank)
        self.assertEqual(self._payable(payment.move_id).balance, 1600)
        exchange = self._payable(bill).full_reconcile_id.exchange_move_id | (
            self._payable(bill).matched_debit_ids.exchange_move_id
        )
        self.assertEqual(exchange.journal_id, self.company.currency_exchange_journal_id)
        self.assertEqual(self._payable(exchange).balance, 400)
        self.assertEqual(
            self._payable(exchange).full_reconcile_id,
            (self._payable(bill).full_reconcile_id),
        )
        # An outstanding payment at another rate, added on the bill's form.
        other, _eur = self._bill_in_euros()
        outstanding = self._posted_payment(
            self.contributor_bank, amount=1000, currency_id=eur.id
        )
        other.js_assign_outstanding_line(self._payable(outstanding.move_id).id)
        self.assertIn(other.payment_state, ("paid", "in_payment"))

    def test_entry_of_the_exchange_journal_does_not_pay(self):
        """Only the exchange difference a reconciliation makes for the bill
        is taken with it: not an entry of the exchange journal made by hand."""
        bill, eur = self._bill_in_euros()
        entry = (
            self.env["account.move"]
            .with_user(self.accountant)
            .create(
                {
                    "move_type": "entry",
                    "date": "2023-07-01",
                    "journal_id": self.company.currency_exchange_journal_id.id,
                    "line_ids": [
                        Command.create(
                            {
                                "name": "Currency exchange rate difference",
                                "account_id": self._payable(bill).account_id.id,
                                "partner_id": self.contributor.partner_id.id,
                                "currency_id": eur.id,
                                "amount_currency": 1000,
                                "debit": 2000,
                            }
                        ),
                        Command.create(
                            {
                                "name": "Currency exchange rate difference",
                                "account_id": self.bank_journal.default_account_id.id,
                                "currency_id": eur.id,
                                "amount_currency": -1000,
                                "credit": 2000,
                            }
                        ),
                    ],
                }
            )
        )
        entry.action_post()
        payments = self._payment_count()
        with self.assertRefused(UserError, NOT_A_PAYMENT):
            (self._payable(bill) | self._payable(entry)).reconcile()
        self._assert_nothing_paid(bill, payments, residual=1000)

    def test_reconciliation_record_for_more_than_is_left_refused(self):
        """A record made directly, or changed afterwards, that settles more of
        the bill than the payment gave."""
        bill = self._posted_bill()
        payment = self._posted_payment(self.contributor_bank, amount=500)
        payments = self._payment_count()
        Partial = self.env["account.partial.reconcile"].with_user(self.accountant)
        for amounts, message in (
            ((1000, 1000, 1000), r"has \S*\s?500\.00\S* left"),
            ((500, 500, 1000), "takes the same amount off both"),
        ):
            with self.assertRefused(UserError, message):
                Partial.create(
                    dict(
                        zip(
                            (
                                "amount",
                                "debit_amount_currency",
                                "credit_amount_currency",
                            ),
                            amounts,
                            strict=True,
                        ),
                        debit_move_id=self._payable(payment.move_id).id,
                        credit_move_id=self._payable(bill).id,
                    )
                )
            self._assert_nothing_paid(bill, payments)
        (self._payable(bill) | self._payable(payment.move_id)).reconcile()
        self.assertEqual(bill.amount_residual, 500)
        partial = self._payable(bill).matched_debit_ids
        for vals in (
            {"amount": 1000},
            {"credit_amount_currency": 1000, "amount": 1000},
            {"credit_currency_id": self.env.ref("base.EUR").id},
        ):
            with self.assertRefused(UserError, PARTIAL_KEPT):
                partial.with_user(self.accountant).write(vals)
        bill.invalidate_recordset()
        self.assertEqual(bill.amount_residual, 500)
        self.assertEqual(bill.payment_state, "partial")

    # -- The invoice file -------------------------------------------------------

    def _assert_file_kept(self, attachment, bill):
        other = self._bill(self.loot, 300, "2023-06-01", post=False)
        figures, approvals = self._figures(), bill.sudo().commons_approval_ids
        for user in (self.accountant, self.admin):
            Attachment = attachment.with_user(user)
            for vals in (
                {"raw": b"%PDF-1.4 Another document"},
                {"datas": "JVBERi0xLjQgQW5vdGhlcg=="},
                {"res_id": other.id},
                {"res_model": "res.partner", "res_id": self.contributor.partner_id.id},
                {"type": "url", "url": "https://example.org/bill.pdf"},
            ):
                with self.assertRefused(UserError, FILE_KEPT):
                    Attachment.write(vals)
            with self.assertRefused(UserError, FILE_KEPT):
                Attachment.unlink()
        with self.assertRefused(UserError, FILE_KEPT):
            attachment.sudo().unlink()
        attachment.invalidate_recordset()
        self.assertEqual(attachment.raw, b"%PDF-1.4 Bill of June")
        self.assertEqual(bill.sudo().commons_approval_ids, approvals)
        self.assertEqual(self._figures(), figures)
        self.assertEqual(
            (attachment.res_model, attachment.res_id), (bill._name, bill.id)
        )
        # Its name may change, and the same bytes be written again (as a move
        # of the file store does).
        attachment.write({"name": "Facture juin.pdf"})
        attachment.write({"raw": b"%PDF-1.4 Bill of June"})

    def test_files_of_a_bill_waiting_approved_or_posted_are_kept(self):
        bill = self._bill(self.loot, 1000, "2023-06-01", post=False)
        attachment = self._attach(bill)
        attachment.register_as_main_attachment()
        bill.action_commons_submit()
        self._assert_file_kept(attachment, bill)
        self._approve(bill)
        self._assert_file_kept(attachment, bill)
        self.assertEqual(bill.commons_bill_state, "approved")
        bill.action_post()
        self._assert_file_kept(attachment, bill)
        with self.assertRefused(UserError, "its invoice file stays"):
            self._attach(bill, b"%PDF-1.4 Another").register_as_main_attachment()
        self.assertEqual(bill.message_main_attachment_id, attachment)

    def test_files_written_without_a_look_up_unless_replaced_or_moved(self):
        """Renaming a file, or offering another as the invoice file of a bill
        that has one, looks no bill's resources up (Odoo changes no invoice
        file then); replacing it still does, and is refused."""
        bill = self._approved_bill(file=True)
        bill.action_post()
        attachment = bill.message_main_attachment_id
        other = self._attach(bill, b"%PDF-1.4 Proof of delivery", "delivery.pdf")
        with self._counting_commons_checks() as count:
            attachment.with_user(self.accountant).write({"name": "Facture juin.pdf"})
            other.with_user(self.accountant).write({"description": "Delivered"})
            bill._message_set_main_attachment_id(other)
        self.assertFalse(count)
        self.assertEqual(bill.message_main_attachment_id, attachment)
        with self._counting_commons_checks() as count:
            with self.assertRefused(UserError, FILE_KEPT):
                attachment.with_user(self.accountant).write({"raw": b"%PDF-1.4 Other"})
        self.assertTrue(count["searches"])

    def test_file_of_a_draft_bill_not_submitted_is_removed(self):
        bill = self._bill(self.loot, 1000, "2023-06-01", post=False)
        attachment = self._attach(bill)
        attachment.unlink()
        self.assertFalse(attachment.exists())

    def test_file_added_to_a_posted_bill_is_not_its_invoice_file(self):
        """The host may attach a document in the chatter of a posted bill the
        stewards approved without a file: the bill stays payable."""
        bill = self._posted_bill()
        bill.with_user(self.accountant).message_post(
            body="Proof of delivery", attachments=[("delivery.pdf", b"%PDF-1.4 Proof")]
        )
        self.assertFalse(bill.message_main_attachment_id)
        self._payment_wizard(bill.action_register_payment()).action_create_payments()
        self.assertIn(bill.payment_state, ("paid", "in_payment"))

    # -- The migration of the approvals given before ----------------------------

    def _migration(self):
        return load_script(MIGRATION, "post_bank_account")

    def _as_before_the_migration(self, bill, bank_account=True):
        """The bill as a database of 18.0.1.2.0 holds it: its approvals carry
        the former fingerprint; without ``bank_account``, it was approved
        without one."""
        if not bank_account:
            self.env.cr.execute(
                "UPDATE account_move SET partner_bank_id = NULL WHERE id = %s",
                [bill.id],
            )
            bill.invalidate_recordset(["partner_bank_id"])
        bill.sudo().commons_approval_ids.write(
            {"fingerprint": self._migration().get_former_fingerprint(bill)}
        )
        self.assertFalse(bill._get_commons_valid_approvals())

    def _mails_to_stewards(self, bill):
        return (
            self.env["mail.mail"]
            .sudo()
            .search([("model", "=", "account.move"), ("res_id", "=", bill.id)])
            .filtered(lambda mail: self.steward.partner_id in mail.recipient_ids)
        )

    def test_migration_keeps_the_approvals_given_before(self):
        draft = self._approved_bill(file=True)
        posted = self._posted_bill()
        for bill in draft | posted:
            self._as_before_the_migration(bill)
        self._migration().migrate_bank_account(self.env)
        for bill in draft | posted:
            self.assertEqual(bill.commons_bill_state, "approved")
            self.assertEqual(
                bill._get_commons_valid_approvals().partner_id, self.steward.partner_id
            )
        draft.action_post()
        self.assertEqual(draft.state, "posted")
        self._payment_wizard(posted.action_register_payment()).action_create_payments()
        self.assertIn(posted.payment_state, ("paid", "in_payment"))

    def test_migration_sends_bills_approved_without_account_back(self):
        draft = self._approved_bill()
        posted = self._posted_bill()
        for bill in draft | posted:
            self._as_before_the_migration(bill, bank_account=False)
        mails = len(self._mails_to_stewards(draft))
        committed = self._figures()["amount_committed"]
        self._migration().migrate_bank_account(self.env)
        # Waiting for its stewards again, the draft commits nothing.
        figures, payments = self._figures(), self._payment_count()
        self.assertEqual(figures["amount_committed"], committed - 1000)
        # The draft goes back to its stewards, who are told.
        self.assertEqual(draft.commons_bill_state, "submitted")
        self.assertFalse(draft.sudo().commons_approval_ids)
        self.assertTrue(
            draft.message_ids.filtered(
                lambda message: "approved without the bank account" in message.body
                and "Camille Martin" in message.body
            )
        )
        self.assertGreater(len(self._mails_to_stewards(draft)), mails)
        with self.assertRefused(UserError, NOT_APPROVED):
            draft.action_post()
        # The posted one is not paid until approved again with an account.
        self.assertTrue(
            posted.message_ids.filtered(
                lambda message: "approved without the bank account" in message.body
            )
        )
        wizard = self._payment_wizard(posted.action_register_payment())
        wizard.partner_bank_id = self.contributor_bank
        with self.assertRefused(UserError, "was approved without the bank account"):
            wizard.action_create_payments()
        self._assert_nothing_paid(posted, payments)

    def test_migration_of_a_database_without_approvals(self):
        self.env["commons.bill.approval"].sudo().search([]).unlink()
        self._migration().migrate_bank_account(self.env)


@tagged("post_install", "-at_install")
class TestCommonsBillBankAccountPortal(CommonsCase, HttpCase):
    """The contributor chooses the bank account in the portal; the steward
    reads its holder and last digits."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.today()
        cls.loot = cls._create_resource("Logiciel LOOT", "LOOT")
        cls._donate(cls.loot, 10000, cls.today)
        cls.instruction = cls._instruction(cls.loot, 3000, cls.today)

    def _form(self, url):
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        return html.fromstring(response.text)

    def _post_bill(self, bank=None, ref="FAC-2026-001"):
        form = self._form(f"/my/commons/bills/new?instruction_id={self.instruction.id}")
        data = {
            "csrf_token": form.xpath("//input[@name='csrf_token']/@value")[0],
            "instruction_id": str(self.instruction.id),
            "ref": ref,
            "invoice_date": str(self.today),
            "line_label": ["Bug fixes"],
            "line_amount": ["600"],
        }
        if bank is not None:
            data["partner_bank_id"] = str(bank.id) if bank else ""
        return self.url_open(
            "/my/commons/bills/new",
            data=data,
            files={"invoice_file": ("invoice.pdf", b"%PDF-1.4 Invoice")},
            timeout=60,
        )

    def _bills(self):
        return self.env["account.move"].search(
            [
                ("move_type", "=", "in_invoice"),
                ("commercial_partner_id", "=", self.contributor.partner_id.id),
            ]
        )

    def _error(self, response):
        errors = html.fromstring(response.text).xpath(
            "//*[contains(@class, 'o_commons_bill_error')]"
        )
        return " ".join(errors[0].text_content().split()) if errors else ""

    def test_the_only_account_is_taken(self):
        self.authenticate("commons_contributor", "commons_contributor")
        form = self._form(f"/my/commons/bills/new?instruction_id={self.instruction.id}")
        self.assertEqual(
            " ".join(
                form.xpath("//*[contains(@class, 'o_commons_bank_account')]")[0]
                .text_content()
                .split()
            ),
            "Sacha Dupont •••• 7830",
        )
        response = self._post_bill()
        bill = self._bills()
        self.assertTrue(bill, self._error(response))
        self.assertEqual(bill.partner_bank_id, self.contributor_bank)
        self.assertEqual(bill.commons_bill_state, "submitted")

    def test_account_chosen_among_several(self):
        other = (
            self.env["res.partner.bank"]
            .with_user(self.env.ref("base.user_root"))
            .create(
                {
                    "acc_number": "FR76 1010 7001 0100 0998 8776 658",
                    "partner_id": self.contributor.partner_id.id,
                    "allow_out_payment": True,
                }
            )
        )
        foreign = self._bank_account(self.accountant.partner_id)
        self.authenticate("commons_contributor", "commons_contributor")
        form = self._form(f"/my/commons/bills/new?instruction_id={self.instruction.id}")
        self.assertEqual(
            form.xpath("//select[@name='partner_bank_id']/option/@value"),
            ["", str(self.contributor_bank.id), str(other.id)],
        )
        for bank, message in ((False, "Choose, among yours"), (foreign, "among yours")):
            response = self._post_bill(bank)
            self.assertIn(message, self._error(response))
            self.assertFalse(self._bills(), "nothing is created")
        response = self._post_bill(other)
        bill = self._bills()
        self.assertTrue(bill, self._error(response))
        self.assertEqual(bill.partner_bank_id, other)
        # Corrected, it keeps the account chosen unless another is.
        form = self._form(f"/my/commons/bills/{bill.id}/edit")
        self.assertEqual(
            form.xpath("//select[@name='partner_bank_id']/option[@selected]/@value"),
            [str(other.id)],
        )

    def test_no_account_recorded_refused(self):
        self.contributor_bank.sudo().unlink()
        self.authenticate("commons_contributor", "commons_contributor")
        form = self._form(f"/my/commons/bills/new?instruction_id={self.instruction.id}")
        self.assertTrue(
            form.xpath("//*[contains(@class, 'o_commons_no_bank_account')]")
        )
        response = self._post_bill()
        self.assertIn("add yours in My bank accounts", self._error(response))
        self.assertFalse(self._bills(), "nothing is created")

    def test_steward_reads_the_holder_and_last_digits(self):
        self.authenticate("commons_contributor", "commons_contributor")
        self._post_bill()
        bill = self._bills()
        self.authenticate("commons_steward", "commons_steward")
        page = self._form("/my/commons")
        card = page.xpath(f"//*[@id='commons_bill_{bill.id}']")[0]
        account = card.xpath(".//*[contains(@class, 'o_commons_bill_bank_account')]")[0]
        self.assertEqual(
            [
                " ".join(span.text_content().split())
                for span in account.xpath(".//span")
            ],
            ["Sacha Dupont", "•••• 7830"],
        )
        self.assertNotIn("0001234567", page.text_content())

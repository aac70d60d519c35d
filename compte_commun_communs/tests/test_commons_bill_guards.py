# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""No path posts or pays a bill charged to a commons resource unless a steward
of the resource approved it as it is: not the accountant, not the
administrator, not the list actions, the crons or a write over RPC."""

from unittest.mock import patch

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import CommonsAuditCase, CommonsCase

NOT_APPROVED = "cannot be posted or paid before a steward of the resource approves"
NOT_POSTED = "is not posted: a bill of a commons resource is paid once approved"
# What a posted item of a resource keeps, whoever asks (the ledger rule).
LEDGER_KEPT = "is posted and moved the money of Logiciel LOOT"
PIPELINE = "The stewards' approval of a bill changes by its own buttons only"
DERIVED = "A bill's resource follows from the analytic distribution of its lines"
APPROVAL_LOCKED = "Approvals are given by a steward of the resource"
# Context keys a caller over RPC might try, hoping one turns a check off.
CONTEXT_TRICKS = {
    "skip_validation_check": True,
    "skip_invoice_sync": True,
    "skip_account_move_synchronization": True,
    "check_move_validity": False,
    "tracking_disable": True,
    "commons_skip_approval": True,
    "commons_approved": True,
    "force_post": True,
    "install_mode": True,
    "import_file": True,
}

OTHER_PARTNER = "paid to its contributor"
NOT_AN_EXPENSE = "a bill is spent on an expense account"
KEEPS_RESOURCE = "is posted and moved the money of Logiciel LOOT"
ALREADY_PAID = "is paid already"
HAND_MADE = "come from the journal items"


@tagged("post_install", "-at_install")
class TestCommonsBillGuards(CommonsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.loot = cls._create_resource("Logiciel LOOT", "LOOT")
        cls.dokos = cls._create_resource("DOKOS", "DOKOS")
        cls._donate(cls.loot, 5000, "2023-02-15")
        cls.expense_account = cls.company_data["default_account_expense"]
        cls.bank_journal = cls.company_data["default_journal_bank"]
        cls.admin = cls._admin_with_accounting()

    def setUp(self):
        super().setUp()
        self.bill = self._bill(self.loot, 1000, "2023-06-01", post=False)

    # -- Helpers ------------------------------------------------------------

    def _as_admin(self, records):
        return records.with_user(self.admin).with_company(self.company)

    def _payment_count(self):
        return self.env["account.payment"].sudo().search_count([])

    def _assert_not_posted_nor_paid(self, bill, payments_before=None):
        bill.invalidate_recordset()
        self.assertEqual(bill.state, "draft")
        self.assertEqual(bill.payment_state, "not_paid")
        self.assertFalse(bill.sudo().matched_payment_ids)
        self.assertFalse(
            bill.line_ids.matched_debit_ids | bill.line_ids.matched_credit_ids
        )
        if payments_before is not None:
            self.assertEqual(self._payment_count(), payments_before)

    def _approved_bill(self, amount=1000):
        bill = self._bill(self.loot, amount, "2023-06-01", post=False)
        bill.action_commons_submit()
        self._approve(bill)
        self.assertEqual(bill.commons_bill_state, "approved")
        return bill

    def _posted_bill_without_approval(self):
        """A posted bill whose approval is gone (as for a bill posted before the
        approvals existed): it must not be paid either."""
        bill = self._approved_bill()
        bill.action_post()
        bill.commons_approval_ids.sudo().unlink()
        self.assertEqual(bill.state, "posted")
        return bill

    def _payment_wizard(self, action):
        return (
            self.env["account.payment.register"]
            .with_user(self.accountant)
            .with_context(**action["context"])
            .create({"payment_date": "2023-07-01"})
        )

    def _outbound_payment(self, **vals):
        return (
            self.env["account.payment"]
            .with_user(self.accountant)
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

    def _entry(self, lines, **vals):
        """A journal entry of the accountant: ``lines`` are (account, debit,
        credit, analytic distribution)."""
        return (
            self.env["account.move"]
            .with_user(self.accountant)
            .create(
                {
                    "move_type": "entry",
                    "date": "2023-06-01",
                    "journal_id": self.company_data["default_journal_misc"].id,
                    "line_ids": [
                        Command.create(
                            {
                                "name": "Entry",
                                "account_id": account.id,
                                "debit": debit,
                                "credit": credit,
                                "analytic_distribution": distribution,
                                "partner_id": self.contributor.partner_id.id,
                            }
                        )
                        for account, debit, credit, distribution in lines
                    ],
                    **vals,
                }
            )
        )

    def _loot_distribution(self):
        return {str(self.loot.analytic_account_id.id): 100}

    # -- Posting --------------------------------------------------------------

    def test_action_post_refused_to_the_accountant(self):
        with self.assertRefused(UserError, NOT_APPROVED):
            self.bill.action_post()
        self._assert_not_posted_nor_paid(self.bill)
        self.bill.action_commons_submit()
        with self.assertRefused(UserError, NOT_APPROVED):
            self.bill.action_post()
        self._assert_not_posted_nor_paid(self.bill)

    def test_action_post_refused_to_the_administrator(self):
        self.bill.action_commons_submit()
        with self.assertRefused(UserError, NOT_APPROVED):
            self._as_admin(self.bill).action_post()
        self._assert_not_posted_nor_paid(self.bill)

    def test_post_method_refused(self):
        self.bill.action_commons_submit()
        with self.assertRefused(UserError, NOT_APPROVED):
            self.bill._post(soft=False)
        with self.assertRefused(UserError, NOT_APPROVED):
            self._as_admin(self.bill)._post(soft=True)
        self._assert_not_posted_nor_paid(self.bill)

    def test_write_state_posted_refused(self):
        """As a write over RPC would do it."""
        with self.assertRefused(UserError, NOT_APPROVED):
            self.bill.write({"state": "posted"})
        with self.assertRefused(UserError, NOT_APPROVED):
            self._as_admin(self.bill).write({"state": "posted"})
        self._assert_not_posted_nor_paid(self.bill)

    def test_confirm_wizard_of_the_list_refused(self):
        wizard = (
            self.env["validate.account.move"]
            .with_user(self.accountant)
            .with_context(active_model="account.move", active_ids=self.bill.ids)
            .create({})
        )
        self.assertEqual(wizard.move_ids, self.bill)
        with self.assertRefused(UserError, NOT_APPROVED):
            wizard.validate_move()
        wizard.force_post = True
        with self.assertRefused(UserError, NOT_APPROVED):
            wizard.validate_move()
        self._assert_not_posted_nor_paid(self.bill)

    def test_auto_post_cron_leaves_the_bill_draft_and_says_why(self):
        self.bill.action_commons_submit()
        self.bill.write({"auto_post": "at_date", "checked": True})
        self.assertLess(self.bill.date, fields.Date.today())
        self.env["account.move"].sudo()._autopost_draft_entries()
        self._assert_not_posted_nor_paid(self.bill)
        self.assertEqual(self.bill.auto_post, "no")
        message = self.bill.message_ids[:1]
        self.assertIn("could not be posted", message.body)
        self.assertIn("before a steward of the resource approves it", message.body)

    def test_bill_created_posted_refused(self):
        """Odoo refuses a move created posted; one posted by a default value of
        the context is refused too."""
        count = self.env["account.move"].sudo().search_count([])
        vals = {
            "move_type": "in_invoice",
            "partner_id": self.contributor.partner_id.id,
            "invoice_date": "2023-06-01",
            "invoice_line_ids": [
                Command.create(
                    {
                        "name": "Bug fixes",
                        "price_unit": 500,
                        "account_id": self.expense_account.id,
                        "tax_ids": [Command.clear()],
                        "analytic_distribution": self._loot_distribution(),
                    }
                )
            ],
        }
        for user in (self.accountant, self.admin):
            Move = self.env["account.move"].with_user(user).with_company(self.company)
            with self.assertRefused(UserError, "already in the posted state"):
                Move.create({**vals, "state": "posted"})
            with self.assertRefused(UserError, NOT_APPROVED):
                Move.with_context(default_state="posted").create(vals)
        self.assertEqual(self.env["account.move"].sudo().search_count([]), count)

    def test_spending_journal_entry_refused(self):
        payable = self.company_data["default_account_payable"]
        entry = self._entry(
            [
                (self.expense_account, 300, 0, self._loot_distribution()),
                (payable, 0, 300, False),
            ]
        )
        self.assertEqual(entry.commons_resource_id, self.loot)
        with self.assertRefused(UserError, "not through a journal entry"):
            entry.action_post()
        with self.assertRefused(UserError, "not through a journal entry"):
            self._as_admin(entry).write({"state": "posted"})
        with self.assertRefused(UserError, "not through a journal entry"):
            self.env["account.move"].with_user(self.accountant).with_context(
                default_state="posted"
            ).create(
                {
                    "move_type": "entry",
                    "date": "2023-06-01",
                    "line_ids": [
                        Command.create(
                            {
                                "account_id": self.expense_account.id,
                                "debit": 300,
                                "analytic_distribution": self._loot_distribution(),
                            }
                        ),
                        Command.create({"account_id": payable.id, "credit": 300}),
                    ],
                }
            )
        self.assertEqual(entry.state, "draft")

    def test_funding_journal_entry_refused(self):
        """Money comes to a resource through a validated donation (its receipt,
        its host fee): an entry of the host that brings some is refused too."""
        entry = self._entry(
            [
                (self.company_data["default_account_receivable"], 200, 0, False),
                (self.grant_account, 0, 200, self._loot_distribution()),
            ]
        )
        with self.assertRefused(UserError, "not through a journal entry"):
            entry.action_post()
        self.assertEqual(entry.state, "draft")

    def test_host_does_not_cancel_a_bill_of_its_stewards(self):
        """Cancelling a waiting or approved bill would drop the stewards'
        decision unseen: the host sends it back with a reason instead."""
        approved = self._approved_bill()
        waiting = self._bill(self.loot, 200, "2023-06-02", post=False)
        waiting.action_commons_submit()
        loot = self.loot.with_context(commons_year=2023)
        committed = loot.amount_committed
        for bill in approved | waiting:
            for user in (self.accountant, self.admin):
                with self.assertRefused(UserError, "the host does not cancel it"):
                    bill.with_user(user).button_cancel()
                with self.assertRefused(UserError, "the host does not cancel it"):
                    bill.with_user(user).write({"state": "cancel"})
            self.assertEqual(bill.state, "draft")
        self.env.invalidate_all()
        self.assertEqual(loot.amount_committed, committed)
        # Sent back, the contributor withdraws it.
        approved.with_user(self.accountant).commons_send_back("Wrong VAT")
        approved.with_user(self.contributor).sudo().action_commons_withdraw()
        self.assertEqual(
            (approved.state, approved.commons_bill_state), ("cancel", "withdrawn")
        )

    def test_bill_of_no_resource_is_posted_as_usual(self):
        bill = (
            self.env["account.move"]
            .with_user(self.accountant)
            .create(
                {
                    "move_type": "in_invoice",
                    "partner_id": self.funder.id,
                    "invoice_date": "2023-06-01",
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": "Office",
                                "price_unit": 80,
                                "account_id": self.expense_account.id,
                                "tax_ids": [Command.clear()],
                            }
                        )
                    ],
                }
            )
        )
        bill.action_post()
        self.assertEqual(bill.state, "posted")
        self.assertFalse(bill.commons_resource_id)

    # -- Paying ---------------------------------------------------------------

    def test_pay_action_of_the_list_refused_on_a_draft_bill(self):
        """The list's "Pay" (and the form's action) opens the wizard on drafts."""
        payments = self._payment_count()
        self.bill.action_commons_submit()
        action = self.bill.action_force_register_payment()
        wizard = self._payment_wizard(action)
        with self.assertRefused(UserError, NOT_POSTED):
            wizard.action_create_payments()
        with self.assertRefused(UserError, NOT_POSTED):
            wizard._create_payments()
        admin_wizard = (
            self.env["account.payment.register"]
            .with_user(self.admin)
            .with_company(self.company)
            .with_context(**action["context"])
            .create({"payment_date": "2023-07-01"})
        )
        with self.assertRefused(UserError, NOT_POSTED):
            admin_wizard.action_create_payments()
        self._assert_not_posted_nor_paid(self.bill, payments)

    def test_pay_wizard_refused_on_a_posted_bill_without_approval(self):
        bill = self._posted_bill_without_approval()
        payments = self._payment_count()
        for action in (
            bill.action_register_payment(),
            bill.action_force_register_payment(),
        ):
            wizard = self._payment_wizard(action)
            with self.assertRefused(UserError, NOT_APPROVED):
                wizard.action_create_payments()
            with self.assertRefused(UserError, NOT_APPROVED):
                wizard._create_payments()
        self.assertEqual(self._payment_count(), payments)
        self.assertEqual(bill.payment_state, "not_paid")

    def test_register_payment_of_journal_items_refused(self):
        payments = self._payment_count()
        payable = self.bill.line_ids.filtered(
            lambda line: line.account_id.account_type == "liability_payable"
        )
        wizard = self._payment_wizard(payable.action_register_payment())
        self.assertTrue(wizard.is_register_payment_on_draft)
        with self.assertRefused(UserError, NOT_POSTED):
            wizard.action_create_payments()
        self._assert_not_posted_nor_paid(self.bill, payments)

    def test_payment_created_with_the_bill_refused(self):
        """A payment made over RPC with the bill in its invoices."""
        payments = self._payment_count()
        with self.assertRefused(UserError, NOT_POSTED):
            self._outbound_payment(invoice_ids=[Command.set(self.bill.ids)])
        with self.assertRefused(UserError, NOT_POSTED):
            self.env["account.payment"].with_user(self.admin).with_company(
                self.company
            ).create(
                {
                    "payment_type": "outbound",
                    "partner_type": "supplier",
                    "partner_id": self.contributor.partner_id.id,
                    "amount": 1000,
                    "journal_id": self.bank_journal.id,
                    "invoice_ids": [Command.link(self.bill.id)],
                }
            )
        self._assert_not_posted_nor_paid(self.bill, payments)

    def test_payment_linked_to_the_bill_afterwards_refused(self):
        payment = self._outbound_payment()
        payment.action_post()
        with self.assertRefused(UserError, NOT_POSTED):
            payment.write({"invoice_ids": [Command.link(self.bill.id)]})
        with self.assertRefused(UserError, NOT_POSTED):
            self.bill.write({"matched_payment_ids": [Command.link(payment.id)]})
        self._assert_not_posted_nor_paid(self.bill)
        self.assertFalse(payment.invoice_ids)
        bill = self._posted_bill_without_approval()
        with self.assertRefused(UserError, NOT_APPROVED):
            payment.write({"invoice_ids": [Command.link(bill.id)]})
        with self.assertRefused(UserError, NOT_APPROVED):
            bill.write({"matched_payment_ids": [Command.link(payment.id)]})
        self.assertFalse(bill.sudo().matched_payment_ids)

    def test_reconciliation_refused(self):
        """Reconciling the bill's payable item with another item (a payment, a
        bank line, a hand-made entry) pays it."""
        payment = self._outbound_payment()
        payment.action_post()
        payment_line = payment.move_id.line_ids.filtered(
            lambda line: line.account_id.account_type == "liability_payable"
        )
        # A draft bill.
        bill_line = self.bill.line_ids.filtered(
            lambda line: line.account_id.account_type == "liability_payable"
        )
        with self.assertRefused(UserError, NOT_POSTED):
            (bill_line | payment_line).reconcile()
        self._assert_not_posted_nor_paid(self.bill)
        # A posted bill whose approval is gone.
        bill = self._posted_bill_without_approval()
        bill_line = bill.line_ids.filtered(
            lambda line: line.account_id.account_type == "liability_payable"
        )
        with self.assertRefused(UserError, NOT_APPROVED):
            (bill_line | payment_line).reconcile()
        with self.assertRefused(UserError, NOT_APPROVED):
            self._as_admin(bill_line | payment_line).reconcile()
        self.assertEqual(bill.payment_state, "not_paid")
        self.assertFalse(bill_line.matched_debit_ids)
        # A journal entry that spends a resource cannot be posted, so it
        # cannot be reconciled either.
        entry = self._entry(
            [
                (self.expense_account, 1000, 0, self._loot_distribution()),
                (self.company_data["default_account_payable"], 0, 1000, False),
            ]
        )
        entry_line = entry.line_ids.filtered("credit")
        with self.assertRefused(UserError, "only reconcile posted entries"):
            (entry_line | payment_line).reconcile()
        self.assertFalse(payment_line.reconciled)

    # -- The way through: approved, posted, paid -------------------------------

    def test_approved_bill_is_posted_and_paid(self):
        bill = self.bill
        bill.action_commons_submit()
        self.assertEqual(bill.commons_bill_state, "submitted")
        self._approve(bill)
        self.assertEqual(bill.commons_bill_state, "approved")
        bill.action_post()
        self.assertEqual(bill.state, "posted")
        wizard = self._payment_wizard(bill.action_register_payment())
        wizard.action_create_payments()
        self.assertIn(bill.payment_state, ("in_payment", "paid"))
        self.assertIn(bill.matched_payment_ids.state, ("in_process", "paid"))
        loot = self.loot.with_user(self.accountant).with_context(commons_year=2023)
        self.assertEqual(loot.amount_spent, 1000)
        self.assertEqual(loot.amount_funded, 5000)

    def test_approved_bill_paid_by_reconciliation(self):
        bill = self._approved_bill()
        bill.action_post()
        payment = self._outbound_payment()
        payment.action_post()
        (payment.move_id.line_ids | bill.line_ids).filtered(
            lambda line: line.account_id.account_type == "liability_payable"
        ).reconcile()
        self.assertIn(bill.payment_state, ("in_payment", "paid"))

    def test_paid_on_the_approved_bank_account_only(self):
        # Allowed to receive money by the host's administrator (Send Money).
        Bank = self.env["res.partner.bank"].with_user(self.env.ref("base.user_root"))
        approved_iban, other_iban = Bank.create(
            [
                {
                    "acc_number": number,
                    "partner_id": self.contributor.partner_id.id,
                    "allow_out_payment": True,
                }
                for number in (
                    "FR7630006000011234567890189",
                    "FR7610107001011234567890129",
                )
            ]
        )
        bill = self._bill(self.loot, 1000, "2023-06-01", post=False)
        bill.partner_bank_id = approved_iban
        bill.action_commons_submit()
        self._approve(bill)
        bill.action_post()
        payments = self._payment_count()
        wizard = self._payment_wizard(bill.action_register_payment())
        self.assertEqual(wizard.partner_bank_id, approved_iban)
        wizard.partner_bank_id = other_iban
        with self.assertRefused(UserError, "paid on the bank account its stewards"):
            wizard.action_create_payments()
        self.assertEqual(self._payment_count(), payments)
        wizard.partner_bank_id = approved_iban
        wizard.action_create_payments()
        self.assertEqual(bill.matched_payment_ids.partner_bank_id, approved_iban)

    def test_outstanding_payment_cannot_pay_an_unapproved_bill(self):
        """The "Add" of an outstanding payment on the bill's form."""
        bill = self._posted_bill_without_approval()
        payment = self._outbound_payment()
        payment.action_post()
        line = payment.move_id.line_ids.filtered(
            lambda line: line.account_id.account_type == "liability_payable"
        )
        with self.assertRefused(UserError, NOT_APPROVED):
            bill.js_assign_outstanding_line(line.id)
        self.assertEqual(bill.payment_state, "not_paid")

    # -- An approval lapses when the bill changes ------------------------------

    def _assert_lapsed(self, bill):
        bill.invalidate_recordset()
        self.assertEqual(bill.commons_bill_state, "submitted")
        self.assertFalse(bill._get_commons_valid_approvals())
        self.assertFalse(bill.sudo().commons_approval_ids)
        self.assertTrue(
            bill.message_ids.filtered(
                lambda message: "approval of Camille Martin lapsed" in message.body
            )
        )
        with self.assertRefused(UserError, NOT_APPROVED):
            bill.action_post()
        with self.assertRefused(UserError, NOT_APPROVED):
            bill.with_context(**CONTEXT_TRICKS).action_post()
        self.assertEqual(bill.state, "draft")

    def test_amount_changed_in_the_form_lapses(self):
        bill = self._approved_bill()
        with Form(bill) as form, form.invoice_line_ids.edit(0) as line:
            line.price_unit = 1500
        self.assertEqual(bill.amount_total, 1500)
        self._assert_lapsed(bill)

    def test_amount_written_on_the_line_lapses(self):
        bill = self._approved_bill()
        bill.invoice_line_ids.write({"price_unit": 1500})
        self._assert_lapsed(bill)

    def test_quantity_written_on_the_line_with_tricks_lapses(self):
        bill = self._approved_bill()
        bill.invoice_line_ids.with_context(**CONTEXT_TRICKS).write({"quantity": 2})
        self._assert_lapsed(bill)

    def test_amount_written_on_the_bill_with_tricks_lapses(self):
        bill = self._approved_bill()
        bill.with_context(**CONTEXT_TRICKS).write(
            {
                "invoice_line_ids": [
                    Command.update(bill.invoice_line_ids.id, {"price_unit": 900})
                ]
            }
        )
        self._assert_lapsed(bill)

    def test_line_added_lapses(self):
        bill = self._approved_bill()
        bill.write(
            {
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "More",
                            "price_unit": 100,
                            "account_id": self.expense_account.id,
                            "tax_ids": [Command.clear()],
                            "analytic_distribution": self._loot_distribution(),
                        }
                    )
                ]
            }
        )
        self._assert_lapsed(bill)

    def test_partner_changed_lapses(self):
        bill = self._approved_bill()
        with Form(bill) as form:
            form.partner_id = self.contributor2.partner_id
        self._assert_lapsed(bill)

    def test_distribution_changed_lapses(self):
        bill = self._approved_bill()
        bill.invoice_line_ids.write(
            {
                "analytic_distribution": {
                    str(self.loot.analytic_account_id.id): 50,
                    str(self.dokos.analytic_account_id.id): 50,
                }
            }
        )
        bill.invalidate_recordset()
        self.assertFalse(bill.sudo().commons_approval_ids)
        self.assertEqual(bill.commons_bill_state, "submitted")
        with self.assertRefused(UserError, NOT_APPROVED):
            bill.action_post()
        bill.invoice_line_ids.write(
            {"analytic_distribution": {str(self.dokos.analytic_account_id.id): 100}}
        )
        self.assertEqual(bill.commons_resource_id, self.dokos)
        with self.assertRefused(UserError, NOT_APPROVED):
            bill.action_post()

    def test_taxes_changed_lapses(self):
        bill = self._approved_bill()
        with Form(bill) as form, form.invoice_line_ids.edit(0) as line:
            line.tax_ids.add(self.company_data["default_tax_purchase"])
        self._assert_lapsed(bill)

    def test_invoice_date_changed_lapses(self):
        """The date says in which year the resource spends the money."""
        bill = self._approved_bill()
        with Form(bill) as form:
            form.invoice_date = fields.Date.to_date("2024-01-15")
        self._assert_lapsed(bill)

    def test_instruction_changed_lapses(self):
        instruction = self._instruction(self.loot, 2000, "2023-05-01")
        bill = self._approved_bill()
        bill.commons_instruction_id = instruction
        self._assert_lapsed(bill)

    def test_bank_account_changed_lapses(self):
        bill = self._approved_bill()
        bill.partner_bank_id = (
            self.env["res.partner.bank"]
            .sudo()
            .create(
                {
                    "acc_number": "FR7630006000011234567890189",
                    "partner_id": self.contributor.partner_id.id,
                }
            )
        )
        self._assert_lapsed(bill)

    def test_label_changed_keeps_the_approval(self):
        """What a steward approved stays: a new label or reference changes
        nothing of it."""
        bill = self._approved_bill()
        with Form(bill) as form:
            form.ref = "F-2023-014"
            with form.invoice_line_ids.edit(0) as line:
                line.name = "Bug fixes, June"
        self.assertEqual(bill.commons_bill_state, "approved")
        bill.action_post()
        self.assertEqual(bill.state, "posted")

    def test_reset_to_draft_and_changed_lapses(self):
        bill = self._approved_bill()
        bill.action_post()
        bill.button_draft()
        self.assertEqual(bill.commons_bill_state, "approved")
        bill.invoice_line_ids.write({"price_unit": 1200})
        self._assert_lapsed(bill)

    # -- The approval itself cannot be written -------------------------------

    def test_approval_cannot_be_written(self):
        bill = self._approved_bill()
        approval = bill.sudo().commons_approval_ids
        self.assertEqual(len(approval), 1)
        vals = {
            "move_id": self.bill.id,
            "user_id": self.steward.id,
            "partner_id": self.steward.partner_id.id,
            "amount": 1000,
            "fingerprint": self.bill._get_commons_fingerprint(),
        }
        for user in (self.accountant, self.admin):
            Approval = (
                self.env["commons.bill.approval"]
                .with_user(user)
                .with_company(self.company)
            )
            self.assertEqual(
                Approval.browse(approval.id).partner_id, self.steward.partner_id
            )
            with self.assertRaises(AccessError):
                Approval.create(vals)
            with self.assertRaises(AccessError):
                Approval.browse(approval.id).write({"fingerprint": "x"})
            with self.assertRaises(AccessError):
                Approval.browse(approval.id).write({"move_id": self.bill.id})
            with self.assertRaises(AccessError):
                Approval.browse(approval.id).unlink()
            with self.assertRefused(AccessError, PIPELINE):
                self.bill.with_user(user).write({"commons_bill_state": "approved"})
            with self.assertRefused(AccessError, PIPELINE):
                self.bill.with_user(user).write(
                    {
                        "commons_approval_ids": [
                            Command.create(
                                {
                                    key: value
                                    for key, value in vals.items()
                                    if key != "move_id"
                                }
                            )
                        ]
                    }
                )
            with self.assertRefused(AccessError, PIPELINE):
                self.bill.with_user(user).write(
                    {"commons_approval_ids": [Command.link(approval.id)]}
                )
            with self.assertRefused(AccessError, PIPELINE):
                bill.with_user(user).write({"commons_approval_ids": [Command.clear()]})
        self.assertFalse(self.bill.sudo().commons_approval_ids)
        self.assertEqual(approval.exists().move_id, bill)
        with self.assertRefused(UserError, NOT_APPROVED):
            self.bill.action_post()

    def test_nobody_writes_a_bills_resource_or_status(self):
        """A bill's resource and status follow from it: the accountant and the
        administrator cannot file it under another resource, whose stewards
        would decide on it, nor show it paid."""
        self.bill.action_commons_submit()
        self.assertEqual(self.bill.commons_status, "submitted")
        for user in (self.accountant, self.admin):
            bill = self.bill.with_user(user).with_company(self.company)
            with self.assertRefused(AccessError, DERIVED):
                bill.write({"commons_status": "paid"})
            with self.assertRefused(AccessError, DERIVED):
                bill.write({"commons_resource_id": self.dokos.id})
        self.bill.invalidate_recordset()
        self.assertEqual(self.bill.commons_status, "submitted")
        self.assertEqual(self.bill.commons_resource_id, self.loot)
        self.assertFalse(
            self.env["account.move"].search(
                [("commons_resource_id", "=", self.dokos.id)]
            )
        )

    def test_an_addon_adds_a_field_to_the_stewards_approval(self):
        """The fields only the bill's own methods write are a method's, which
        another addon extends (a payment order's, say)."""
        Move = type(self.env["account.move"])
        fields_of_the_addon = Move._get_commons_pipeline_fields(self.bill) | {
            "narration"
        }
        with patch.object(
            Move, "_get_commons_pipeline_fields", return_value=fields_of_the_addon
        ):
            with self.assertRefused(AccessError, PIPELINE):
                self.bill.with_user(self.accountant).write({"narration": "Paid"})
            self.bill.sudo().write({"narration": "Paid"})
        self.bill.with_user(self.accountant).write({"narration": "Checked"})
        self.assertEqual(str(self.bill.narration), "<p>Checked</p>")

    def test_bill_cannot_be_created_approved(self):
        vals = {
            "move_type": "in_invoice",
            "partner_id": self.contributor.partner_id.id,
            "invoice_date": "2023-06-01",
            "invoice_line_ids": [
                Command.create(
                    {
                        "name": "Bug fixes",
                        "price_unit": 500,
                        "account_id": self.expense_account.id,
                        "analytic_distribution": self._loot_distribution(),
                    }
                )
            ],
        }
        for extra in (
            {"commons_bill_state": "approved"},
            {
                "commons_approval_ids": [
                    Command.create(
                        {
                            "user_id": self.steward.id,
                            "partner_id": self.steward.partner_id.id,
                        }
                    )
                ]
            },
        ):
            for user in (self.accountant, self.admin):
                with self.assertRefused(AccessError, PIPELINE):
                    self.env["account.move"].with_user(user).with_company(
                        self.company
                    ).create({**vals, **extra})

    def test_copy_of_an_approved_bill_is_not_approved(self):
        bill = self._approved_bill()
        copy = bill.copy({"invoice_date": "2023-06-02"})
        self.assertFalse(copy.commons_bill_state)
        self.assertFalse(copy.sudo().commons_approval_ids)
        with self.assertRefused(UserError, NOT_APPROVED):
            copy.action_post()

    # -- Changes that ride along with posting, or come after it ----------------

    def test_change_written_with_the_posting_refused(self):
        """One write over RPC that changes an approved bill and posts it."""
        bill = self._approved_bill()
        line = bill.invoice_line_ids
        instruction = self._instruction(self.loot, 2000, "2023-05-01")
        for user in (self.accountant, self.admin):
            Bill = bill.with_user(user).with_company(self.company)
            # Odoo itself refuses this one...
            with self.assertRefused(UserError, "readonly fields on a posted move"):
                Bill.write(
                    {
                        "state": "posted",
                        "invoice_line_ids": [
                            Command.update(line.id, {"price_unit": 9000})
                        ],
                    }
                )
            # ...unless asked not to.
            with self.assertRefused(UserError, NOT_APPROVED):
                Bill.with_context(skip_readonly_check=True).write(
                    {
                        "state": "posted",
                        "invoice_line_ids": [
                            Command.update(line.id, {"price_unit": 9000})
                        ],
                    }
                )
            # Odoo gives the new partner to the items once the bill is posted.
            with self.assertRefused(UserError, f"{NOT_APPROVED}|{LEDGER_KEPT}"):
                Bill.with_context(skip_readonly_check=True).write(
                    {"state": "posted", "partner_id": self.contributor2.partner_id.id}
                )
            with self.assertRefused(UserError, NOT_APPROVED):
                Bill.write(
                    {"state": "posted", "commons_instruction_id": instruction.id}
                )
        self.assertEqual(bill.state, "draft")
        self.assertEqual(bill.amount_total, 1000)

    def test_posted_bill_keeps_its_payee(self):
        """Who is paid, and on which bank account, stays what the stewards
        approved once the bill is posted."""
        bill = self._approved_bill()
        bill.action_post()
        bank = (
            self.env["res.partner.bank"]
            .sudo()
            .create(
                {
                    "acc_number": "FR7630006000011234567890189",
                    "partner_id": self.contributor.partner_id.id,
                }
            )
        )
        for user in (self.accountant, self.admin):
            Bill = bill.with_user(user).with_company(self.company)
            with self.assertRefused(UserError, NOT_APPROVED):
                Bill.write({"partner_bank_id": bank.id})
            with self.assertRefused(UserError, LEDGER_KEPT):
                Bill.with_context(skip_readonly_check=True).write(
                    {"partner_id": self.contributor2.partner_id.id}
                )
        self.assertEqual(bill.partner_id, self.contributor.partner_id)
        self.assertEqual(bill.partner_bank_id, self.contributor_bank)
        bill.ref = "F-2023-014"
        self.assertEqual(bill.ref, "F-2023-014")

    def test_resource_added_to_a_posted_bill_refused(self):
        """A bill posted as the host's own cannot be charged to a resource
        afterwards: it would spend the resource's funds unapproved."""
        # Not charged to a resource yet.
        bill = self._bill(None, 700, "2023-06-01", post=False)
        bill.action_post()
        with self.assertRefused(UserError, NOT_APPROVED):
            bill.invoice_line_ids.write(
                {"analytic_distribution": self._loot_distribution()}
            )
        with self.assertRefused(UserError, NOT_APPROVED):
            bill.with_context(skip_readonly_check=True).write(
                {
                    "invoice_line_ids": [
                        Command.update(
                            bill.invoice_line_ids.id,
                            {"analytic_distribution": self._loot_distribution()},
                        )
                    ]
                }
            )
        self.assertFalse(bill.commons_resource_id)
        self.assertEqual(self.loot.with_context(commons_year=2023).amount_spent, 0)

    def test_resource_added_to_a_posted_entry_refused(self):
        entry = self._entry(
            [
                (self.expense_account, 300, 0, False),
                (self.company_data["default_account_payable"], 0, 300, False),
            ]
        )
        entry.action_post()
        with self.assertRefused(UserError, "not through a journal entry"):
            entry.line_ids.filtered("debit").write(
                {"analytic_distribution": self._loot_distribution()}
            )
        self.assertEqual(self.loot.with_context(commons_year=2023).amount_spent, 0)

    def test_distribution_of_a_posted_approved_bill_cannot_change(self):
        bill = self._approved_bill()
        bill.action_post()
        with self.assertRefused(UserError, LEDGER_KEPT):
            bill.invoice_line_ids.write(
                {"analytic_distribution": {str(self.dokos.analytic_account_id.id): 100}}
            )
        self.assertEqual(bill.commons_resource_id, self.loot)


@tagged("post_install", "-at_install")
class TestCommonsBillKeptAsApproved(CommonsAuditCase):
    """What a commons bill keeps on the other paths found by auditing "funding
    out": auto-post of an uploaded file, reconciliation with another
    partner's money, its resource and expense accounts once approved, a
    payment made before it was charged to a resource."""

    # -- A bill read from an uploaded file is auto-posted only if approved --

    def test_auto_post_of_an_uploaded_bill_leaves_a_commons_bill_draft(self):
        self.company.autopost_bills = True
        self.contributor.partner_id.sudo().autopost_bills = "always"
        bill = self._bill(self.loot, 1000, "2023-06-01", post=False)
        bill.with_user(self.accountant)._autopost_bill()
        self.assertEqual(bill.state, "draft")
        self.assertTrue(
            bill.message_ids.filtered(
                lambda message: "not auto-posted" in (message.body or "")
            )
        )
        approved = self._approved_bill()
        approved.with_user(self.accountant)._autopost_bill()
        self.assertEqual(approved.state, "posted")

    # -- A commons bill is reconciled with its contributor's money only ----

    def test_reconciliation_with_another_partner_refused(self):
        bill = self._approved_bill(post=True)
        payment = (
            self.env["account.payment"]
            .with_user(self.accountant)
            .create(
                {
                    "payment_type": "outbound",
                    "partner_type": "supplier",
                    "partner_id": self.contributor2.partner_id.id,
                    "amount": 1000,
                    "date": "2023-07-01",
                    "journal_id": self.bank_journal.id,
                }
            )
        )
        payment.action_post()
        lines = (payment.move_id.line_ids | bill.line_ids).filtered(
            lambda line: line.account_id.account_type == "liability_payable"
        )
        with self.assertRefused(UserError, OTHER_PARTNER):
            lines.with_user(self.accountant).reconcile()
        bill.invalidate_recordset()
        self.assertEqual(bill.payment_state, "not_paid")
        # The payment wizard pays the contributor.
        action = bill.action_register_payment()
        self.env["account.payment.register"].with_user(self.accountant).with_context(
            **action["context"]
        ).create({"payment_date": "2023-07-01"}).action_create_payments()
        self.assertIn(bill.payment_state, ("in_payment", "paid"))

    # -- What else an approved bill keeps -----------------------------------

    def test_posted_approved_bill_keeps_its_resource(self):
        """Taking the resource off a posted bill (or deleting its analytic
        item) would give the resource back money that left."""
        bill = self._approved_bill(post=True)
        with self.assertRefused(UserError, KEEPS_RESOURCE):
            bill.invoice_line_ids.with_user(self.accountant).write(
                {"analytic_distribution": False}
            )
        with self.assertRefused(UserError, KEEPS_RESOURCE):
            bill.with_user(self.accountant).with_context(
                skip_readonly_check=True
            ).write(
                {
                    "invoice_line_ids": [
                        Command.update(
                            bill.invoice_line_ids.id, {"analytic_distribution": {}}
                        )
                    ]
                }
            )
        with self.assertRefused(UserError, HAND_MADE):
            bill.invoice_line_ids.analytic_line_ids.with_user(self.accountant).unlink()
        bill.invalidate_recordset()
        self.assertEqual(bill.commons_resource_id, self.loot)
        self.assertEqual(self._loot_2023().amount_spent, 1000)

    def test_commons_bill_is_an_expense(self):
        """A bill booked on a balance sheet account would spend the resource's
        money without showing in its figures."""
        asset = self.env["account.account"].create(
            {
                "code": "205100",
                "name": "Software",
                "account_type": "asset_non_current",
                "company_ids": [Command.set(self.company.ids)],
            }
        )
        bill = self._approved_bill()
        bill.invoice_line_ids.with_user(self.accountant).account_id = asset
        # Each line's account is part of what the stewards approve.
        self.assertEqual(bill.commons_bill_state, "submitted")
        self._approve(bill)
        with self.assertRefused(UserError, NOT_AN_EXPENSE):
            bill.with_user(self.accountant).action_post()
        bill.invoice_line_ids.account_id = self.expense_account
        self._approve(bill)
        bill.with_user(self.accountant).action_post()
        with self.assertRefused(UserError, KEEPS_RESOURCE):
            bill.invoice_line_ids.with_user(self.accountant).write(
                {"account_id": asset.id}
            )
        self.assertEqual(self._loot_2023().amount_spent, 1000)

    def test_bill_paid_before_it_is_charged_to_a_resource_is_not_approved(self):
        """The list's "Pay" pays a draft bill of the host; charged to a
        resource afterwards, it would reach its stewards already paid."""
        # Not charged to a resource yet.
        bill = self._bill(None, 700, "2023-06-01", post=False)
        action = bill.action_force_register_payment()
        self.env["account.payment.register"].with_user(self.accountant).with_context(
            **action["context"]
        ).create({"payment_date": "2023-06-02"}).action_create_payments()
        self.assertTrue(bill.sudo().matched_payment_ids)
        bill.invoice_line_ids.analytic_distribution = {
            str(self.loot.analytic_account_id.id): 100
        }
        self.assertEqual(bill.commons_resource_id, self.loot)
        with self.assertRefused(UserError, ALREADY_PAID):
            bill.action_commons_submit()
        self.assertFalse(bill.commons_bill_state)

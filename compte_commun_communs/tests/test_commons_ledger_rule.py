# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The ledger rule: a resource's money moves only through a validated donation
earmarked to it or a contributor's bill or credit note its stewards approved,
whatever the document and whoever posts it; and what the figures read does not
change under them once posted. Every refusal leaves the figures as they were."""

from contextlib import contextmanager

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, tagged
from odoo.tools import SQL

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import MANAGER_GROUPS, CommonsAuditCase, CommonsCase

LEDGER_RULE = "a resource's money moves only through a validated donation"
KEPT = "is posted and moved the money of Logiciel LOOT"
HAND_MADE = "they are not made, changed or deleted by hand"
PLAN_KEPT = "its plan, company and status change with the resource"
NOT_APPROVED = "cannot be posted or paid before a steward of the resource approves"

HAND_MADE = "come from the journal items"


@tagged("post_install", "-at_install")
class TestCommonsLedgerRule(CommonsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.loot = cls._create_resource("Logiciel LOOT", "LOOT")
        cls.dokos = cls._create_resource("DOKOS", "DOKOS")
        cls.company.commons_host_fee_rate = 10
        cls.loot_donation = cls._donate(cls.loot, 5000, "2023-02-15")
        cls._donate(cls.dokos, 3000, "2023-03-01")
        cls.expense_account = cls.company_data["default_account_expense"]
        cls.revenue_account = cls.company_data["default_account_revenue"]
        cls.bank_journal = cls.company_data["default_journal_bank"]
        cls.bank_account = cls.bank_journal.default_account_id
        cls.bill = cls._bill(cls.loot, 1000, "2023-06-01")
        cls.admin = cls._admin_with_accounting()
        # The host's accountant with Odoo's full accounting features on: bank
        # statements, transfers of journal items.
        cls.bookkeeper = mail_new_test_user(
            cls.env,
            login="commons_bookkeeper",
            groups=f"{MANAGER_GROUPS},account.group_account_user",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )

    # -- Helpers ----------------------------------------------------------------

    def _money(self):
        """What the figures of 2023 and the running balance say of LOOT's and
        DOKOS's money."""
        self.env.invalidate_all()
        resources = (self.loot | self.dokos).with_context(commons_year=2023)
        available = resources._get_commons_available_amounts()
        return {
            resource.code: {
                "received": resource.amount_received,
                "fee": resource.amount_fee,
                "spent": resource.amount_spent,
                "committed": resource.amount_committed,
                "available": available[resource.id],
            }
            for resource in resources
        }

    @contextmanager
    def assertMoneyKept(self):
        """Nothing in the block moves a resource's money."""
        before = self._money()
        yield
        self.assertEqual(self._money(), before)

    @classmethod
    def _distribution(cls, resource):
        return {str(resource.analytic_account_id.id): 100}

    def _entry(self, lines, user=None, date="2023-07-01"):
        """A draft journal entry of the accountant: [(account, debit, credit,
        distribution)]."""
        return (
            self.env["account.move"]
            .with_user(user or self.accountant)
            .create(
                {
                    "move_type": "entry",
                    "date": date,
                    "line_ids": [
                        Command.create(
                            {
                                "name": "Correction",
                                "account_id": account.id,
                                "debit": debit,
                                "credit": credit,
                                "analytic_distribution": distribution,
                            }
                        )
                        for account, debit, credit, distribution in lines
                    ],
                }
            )
        )

    def _customer_document(self, move_type, resource):
        """A customer invoice or credit note of the accountant on an income
        account, carrying the resource's analytic account, as the backend form
        makes it."""
        form = Form(
            self.env["account.move"]
            .with_user(self.accountant)
            .with_context(default_move_type=move_type)
        )
        form.partner_id = self.accountant.partner_id
        form.invoice_date = "2023-07-01"
        with form.invoice_line_ids.new() as line:
            line.name = "Refund of a donation"
            line.price_unit = 500
            line.tax_ids.clear()
            line.analytic_distribution = self._distribution(resource)
        return form.save()

    def _loot_items(self, move):
        return move.line_ids.filtered(
            lambda item: self.loot.analytic_account_id.id
            in item._get_commons_distribution_account_ids()
        )

    # -- One classification ---------------------------------------------------

    def test_each_item_of_a_resource_says_what_it_does_to_its_money(self):
        donation_items = self._loot_items(self.loot_donation.move_id)
        self.assertEqual(
            sorted(item._get_commons_movement() for item in donation_items),
            ["fee", "received"],
        )
        (expense,) = self._loot_items(self.bill)
        self.assertEqual(expense._get_commons_movement(), "spent")
        # the analytic items keep it, and the figures add them up
        column = self.plan_column
        lines = self.env["account.analytic.line"].search(
            [(column, "=", self.loot.analytic_account_id.id)]
        )
        self.assertEqual(
            sorted(lines.mapped("commons_movement")), ["fee", "received", "spent"]
        )
        money = self._money()["LOOT"]
        self.assertEqual(
            (money["received"], money["fee"], money["spent"]), (5000, 500, 1000)
        )
        # an entry of the accountant is not a movement of a resource's money
        entry = self._entry(
            [
                (self.revenue_account, 100, 0, self._distribution(self.loot)),
                (self.bank_account, 0, 100, False),
            ]
        )
        self.assertFalse(self._loot_items(entry)._get_commons_movement())

    def test_rule_reads_a_batch_with_the_same_queries_whatever_its_size(self):
        """Posting many bills at once (a list's Confirm, an import) checks them
        all with the same searches."""
        bills = self.env["account.move"]
        for day in range(1, 6):
            bill = self._bill(self.loot, 10, f"2023-07-0{day}", post=False)
            bill.action_commons_submit()
            self._approve(bill)
            bills |= bill

        def check(moves):
            self.env.invalidate_all()
            count = self.cr.sql_log_count
            moves._check_commons_ledger()
            return self.cr.sql_log_count - count

        check(bills[:1])  # warms the caches up
        self.assertEqual(check(bills[:1]), check(bills))

    # -- Documents that may not carry a resource -------------------------------

    def test_customer_credit_note_on_a_resource_refused(self):
        """The accountant's credit note on LOOT's income, to be paid to her own
        contact: LOOT would lose the amount, no steward asked."""
        credit_note = self._customer_document("out_refund", self.loot)
        with (
            self.assertMoneyKept(),
            self.assertRefused(UserError, "not through a customer credit note"),
        ):
            credit_note.action_post()
        with self.assertMoneyKept(), self.assertRefused(UserError, LEDGER_RULE):
            credit_note.with_user(self.admin).write({"state": "posted"})
        self.assertEqual(credit_note.state, "draft")
        # so it cannot be paid either
        with self.assertRefused(UserError, "only register payment for posted"):
            credit_note.action_register_payment()

    def test_customer_invoice_on_a_resource_refused(self):
        invoice = self._customer_document("out_invoice", self.loot)
        with (
            self.assertMoneyKept(),
            self.assertRefused(UserError, "not through a customer invoice"),
        ):
            invoice.action_post()

    def test_journal_entry_taking_money_from_a_resource_refused(self):
        entry = self._entry(
            [
                (self.revenue_account, 800, 0, self._distribution(self.loot)),
                (self.bank_account, 0, 800, False),
            ]
        )
        with (
            self.assertMoneyKept(),
            self.assertRefused(UserError, "not through a journal entry"),
        ):
            entry.action_post()
        with self.assertMoneyKept(), self.assertRefused(UserError, LEDGER_RULE):
            entry.with_user(self.admin).with_context(skip_readonly_check=True)._post(
                soft=False
            )
        self.assertEqual(entry.state, "draft")

    def test_journal_entry_moving_money_between_resources_refused(self):
        entry = self._entry(
            [
                (self.revenue_account, 800, 0, self._distribution(self.loot)),
                (self.revenue_account, 0, 800, self._distribution(self.dokos)),
            ]
        )
        with self.assertMoneyKept(), self.assertRefused(UserError, LEDGER_RULE):
            entry.action_post()

    def test_journal_entry_bringing_money_to_a_resource_refused(self):
        """Money comes to a resource through a validated donation, with its
        receipt and its host fee: not through an entry of the host."""
        entry = self._entry(
            [
                (self.bank_account, 200, 0, False),
                (self.grant_account, 0, 200, self._distribution(self.loot)),
            ]
        )
        with self.assertMoneyKept(), self.assertRefused(UserError, LEDGER_RULE):
            entry.action_post()

    def test_resource_given_to_a_bank_statement_line_refused(self):
        line = (
            self.env["account.bank.statement.line"]
            .with_user(self.bookkeeper)
            .create(
                {
                    "journal_id": self.bank_journal.id,
                    "date": "2023-07-01",
                    "payment_ref": "Transfer to the accountant",
                    "partner_id": self.accountant.partner_id.id,
                    "amount": -400,
                }
            )
        )
        self.assertEqual(line.move_id.state, "posted")
        counterpart = line.move_id.line_ids.filtered(
            lambda item: item.account_id != self.bank_account
        )
        with (
            self.assertMoneyKept(),
            self.assertRefused(UserError, "not through a bank statement line"),
        ):
            counterpart.write({"analytic_distribution": self._distribution(self.loot)})

    def test_transfer_of_a_resources_items_to_another_account_refused(self):
        """Odoo's "Change Account" of journal items makes an entry carrying their
        analytic accounts: it may not move a resource's money."""
        items = self._loot_items(self.loot_donation.move_id)
        wizard = Form(
            self.env["account.automatic.entry.wizard"]
            .with_user(self.bookkeeper)
            .with_context(
                active_model="account.move.line",
                active_ids=items.ids,
                default_action="change_account",
            )
        )
        wizard.date = "2023-07-01"
        wizard.journal_id = self.company_data["default_journal_misc"]
        wizard.destination_account_id = self.company_data["default_account_receivable"]
        with self.assertMoneyKept(), self.assertRefused(UserError, LEDGER_RULE):
            wizard.save().do_action()

    def test_reversal_of_an_approved_bill_waits_for_its_stewards(self):
        """A credit note on a resource is the contributor's, and its stewards
        approve it: the reversal wizard cannot post one at once."""
        wizard = Form(
            self.env["account.move.reversal"]
            .with_user(self.accountant)
            .with_context(active_model="account.move", active_ids=self.bill.ids)
        )
        wizard.reason = "Paid twice"
        wizard.journal_id = self.bill.journal_id
        reversal = wizard.save()
        with self.assertMoneyKept(), self.assertRefused(UserError, NOT_APPROVED):
            reversal.modify_moves()
        self.assertEqual(self.bill.payment_state, "not_paid")

    def test_contributors_credit_note_approved_gives_money_back(self):
        wizard = Form(
            self.env["account.move.reversal"]
            .with_user(self.accountant)
            .with_context(active_model="account.move", active_ids=self.bill.ids)
        )
        wizard.reason = "Half of the work was not done"
        wizard.journal_id = self.bill.journal_id
        wizard.date = "2023-07-01"
        action = wizard.save().refund_moves()
        credit_note = self.env["account.move"].browse(action["res_id"])
        self.assertEqual(credit_note.move_type, "in_refund")
        with Form(credit_note.with_user(self.accountant)) as form:
            with form.invoice_line_ids.edit(0) as line:
                line.price_unit = 400
        with self.assertMoneyKept(), self.assertRefused(UserError, NOT_APPROVED):
            credit_note.action_post()
        credit_note.action_commons_submit()
        self._approve(credit_note)
        credit_note.action_post()
        money = self._money()["LOOT"]
        self.assertEqual(money["spent"], 600)

    # -- Analytic items are the journal items' own ------------------------------

    def test_analytic_items_of_a_resource_are_not_changed_nor_deleted(self):
        lines = self.env["account.analytic.line"].search(
            [(self.plan_column, "=", self.loot.analytic_account_id.id)]
        )
        spent = lines.filtered(lambda line: line.commons_movement == "spent")
        for user in (self.bookkeeper, self.admin):
            AnalyticLine = self.env["account.analytic.line"].with_user(user)
            for vals in (
                {"amount": -1.0},
                {"commons_movement": "none"},
                {"general_account_id": self.revenue_account.id},
                {"date": "2024-01-01"},
                {self.plan_column: self.dokos.analytic_account_id.id},
            ):
                with (
                    self.assertMoneyKept(),
                    self.assertRefused(UserError, HAND_MADE),
                ):
                    AnalyticLine.browse(spent.ids).write(vals)
            with self.assertMoneyKept(), self.assertRefused(UserError, HAND_MADE):
                AnalyticLine.browse(lines.ids).unlink()
            with self.assertMoneyKept(), self.assertRefused(UserError, HAND_MADE):
                AnalyticLine.with_context(skip_analytic_sync=True).browse(
                    spent.ids
                ).unlink()

    def test_analytic_item_made_by_superuser_without_a_journal_item_refused(self):
        with self.assertMoneyKept(), self.assertRefused(UserError, HAND_MADE):
            self.env["account.analytic.line"].sudo().create(
                {
                    "name": "Grant",
                    "amount": 1000,
                    self.plan_column: self.loot.analytic_account_id.id,
                }
            )

    # -- What the figures read does not change under them -----------------------

    def test_account_type_changed_changes_no_figure(self):
        before = self._money()
        self.expense_account.account_type = "asset_current"
        self.revenue_account.account_type = "expense"
        self.gift_account.account_type = "liability_current"
        self.assertEqual(self._money(), before)

    def test_posted_items_of_a_resource_keep_their_money(self):
        (expense,) = self._loot_items(self.bill)
        for vals in (
            {"account_id": self.company_data["default_account_assets"].id},
            {"analytic_distribution": self._distribution(self.dokos)},
            {"partner_id": self.funder.id},
            {"debit": 10, "credit": 0},
        ):
            with self.assertMoneyKept(), self.assertRefused(UserError, KEPT):
                expense.with_user(self.admin).with_context(
                    skip_readonly_check=True, check_move_validity=False
                ).write(vals)
        with self.assertMoneyKept(), self.assertRefused(UserError, KEPT):
            expense.with_user(self.admin).with_context(force_delete=True).unlink()
        # a donation's entry says it is the donation's
        (net, _fee) = self._loot_items(self.loot_donation.move_id).sorted("credit")[
            ::-1
        ]
        with (
            self.assertMoneyKept(),
            self.assertRefused(UserError, "Cancel the donation"),
        ):
            net.with_user(self.admin).write(
                {"account_id": self.company_data["default_account_assets"].id}
            )

    def test_posted_entry_of_a_resource_keeps_its_date_and_journal(self):
        for vals in (
            {"date": "2024-03-01"},
            {"journal_id": self.company_data["default_journal_misc"].id},
        ):
            with (
                self.assertMoneyKept(),
                self.assertRefused(UserError, "carries the money of a commons"),
            ):
                self.bill.with_user(self.admin).with_context(
                    skip_readonly_check=True
                ).write(vals)
        self.assertEqual(str(self.bill.date), "2023-06-01")

    def test_resources_analytic_account_keeps_its_plan_and_company(self):
        # Another plan of the database (a new one would add a column to the
        # analytic items, which a test cannot roll back).
        other_plan = self.env.ref("compte_commun_communs.account_analytic_plan_host")
        account = self.loot.analytic_account_id
        for vals in (
            {"plan_id": other_plan.id},
            {"company_id": False},
            {"active": False},
        ):
            with self.assertMoneyKept(), self.assertRefused(UserError, PLAN_KEPT):
                account.with_user(self.admin).write(vals)
        with self.assertMoneyKept(), self.assertRefused(UserError, "goes with the"):
            account.with_user(self.admin).unlink()
        # the resource changes it, as superuser: its name follows the resource
        self.loot.with_user(self.accountant).name = "LOOT"
        self.assertEqual(account.name, "LOOT")

    def test_commons_plans_stay_root_plans(self):
        other_plan = self.env.ref("compte_commun_communs.account_analytic_plan_host")
        plan = self.env.ref("compte_commun_communs.account_analytic_plan_commons")
        with self.assertMoneyKept(), self.assertRefused(UserError, "stay root plans"):
            plan.with_user(self.admin).parent_id = other_plan
        with self.assertRefused(UserError, "they are not deleted"):
            plan.with_user(self.admin).unlink()

    def test_approved_bill_reset_to_draft_stays_promised(self):
        """The accountant resets a posted bill to correct it: the money is no
        longer spent, still promised to its contributor, and no more available."""
        before = self._money()["LOOT"]
        self.bill.with_user(self.accountant).button_draft()
        after = self._money()["LOOT"]
        self.assertEqual(after["spent"], before["spent"] - 1000)
        self.assertEqual(after["committed"], before["committed"] + 1000)
        self.assertEqual(after["available"], before["available"])
        # posted again as the stewards approved it
        self.bill.with_user(self.accountant).action_post()
        self.assertEqual(self._money()["LOOT"], before)

    def test_entry_reset_and_given_a_resource_cannot_be_posted_again(self):
        entry = self._entry(
            [
                (self.expense_account, 300, 0, False),
                (self.bank_account, 0, 300, False),
            ]
        )
        entry.action_post()
        entry.button_draft()
        entry.line_ids.filtered("debit").analytic_distribution = self._distribution(
            self.loot
        )
        with self.assertMoneyKept(), self.assertRefused(UserError, LEDGER_RULE):
            entry.action_post()

    # -- Before this version ----------------------------------------------------

    def test_migration_says_what_earlier_analytic_items_did(self):
        """Analytic items made before the movement was kept on them get it; an
        entry that should never have named a resource is no longer counted."""
        entry = self._entry(
            [
                (self.revenue_account, 0, 700, False),
                (self.bank_account, 700, 0, False),
            ]
        )
        entry.action_post()
        income = entry.line_ids.filtered("credit")
        column = self.plan_column
        # As an earlier version let it be: the entry's income on LOOT, and no
        # analytic item of LOOT saying what it did.
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO account_analytic_line
                    (name, date, amount, unit_amount, company_id, currency_id,
                     general_account_id, move_line_id, category, %(column)s)
                VALUES (%(name)s, '2023-07-01', 700, 0, %(company)s, %(currency)s,
                        %(account)s, %(item)s, 'other', %(loot)s)
                """,
                column=SQL.identifier(column),
                name="Income of the host",
                company=self.company.id,
                currency=self.company.currency_id.id,
                account=self.revenue_account.id,
                item=income.id,
                loot=self.loot.analytic_account_id.id,
            )
        )
        self.env.cr.execute("UPDATE account_analytic_line SET commons_movement = NULL")
        self.env.invalidate_all()
        refused = self.env["account.analytic.line"]._set_commons_movements()
        self.assertEqual(refused, entry)
        money = self._money()["LOOT"]
        self.assertEqual(
            (money["received"], money["fee"], money["spent"]), (5000, 500, 1000)
        )


@tagged("post_install", "-at_install")
class TestCommonsAnalyticItemsFromJournalItems(CommonsAuditCase):
    """The analytic items of a resource come from journal items only, and keep
    their figures."""

    # -- Analytic items of a resource come from journal items only ---------

    def _analytic_vals(self, **vals):
        return {
            "name": "Hand-made",
            "date": "2023-06-01",
            "amount": -700,
            "general_account_id": self.expense_account.id,
            self.plan_column: self.loot.analytic_account_id.id,
            "company_id": self.company.id,
            **vals,
        }

    def test_hand_made_analytic_item_on_a_resource_refused(self):
        AnalyticLine = self.env["account.analytic.line"].with_user(self.accountant)
        income = self.company_data["default_account_revenue"]
        for vals in (
            self._analytic_vals(),
            self._analytic_vals(amount=9000, general_account_id=income.id),
        ):
            with self.assertRefused(UserError, HAND_MADE):
                AnalyticLine.create(vals)
        # Nor is a hand-made item of another plan moved onto the resource.
        other_plan = self.env["account.analytic.plan"].create({"name": "Projects"})
        project = self.env["account.analytic.account"].create(
            {"name": "Website", "plan_id": other_plan.id}
        )
        item = AnalyticLine.create(
            {
                "name": "Website",
                "date": "2023-06-01",
                "amount": -300,
                other_plan._column_name(): project.id,
                "company_id": self.company.id,
            }
        )
        with self.assertRefused(UserError, HAND_MADE):
            item.write({self.plan_column: self.loot.analytic_account_id.id})
        loot = self._loot_2023()
        self.assertEqual(loot.amount_spent, 0)
        self.assertEqual(loot.amount_funded, 5000)

    def test_analytic_item_of_a_journal_item_keeps_its_figures(self):
        bill = self._approved_bill(post=True)
        item = bill.invoice_line_ids.analytic_line_ids
        self.assertEqual(item[self.plan_column], self.loot.analytic_account_id)
        self.assertEqual(self._loot_2023().amount_spent, 1000)
        for vals in (
            {"date": "2024-01-15"},
            {"general_account_id": self.company_data["default_account_revenue"].id},
            {"move_line_id": False},
            {self.plan_column: self.dokos.analytic_account_id.id},
        ):
            with self.assertRefused(UserError, HAND_MADE):
                item.with_user(self.accountant).write(vals)
        # Its label is free.
        item.with_user(self.accountant).write({"name": "Bug fixes, June"})
        self.assertEqual(self._loot_2023().amount_spent, 1000)
        # Posting a donation still makes its analytic item.
        self._donate(self.loot, 300, "2023-09-01")
        self.assertEqual(self._loot_2023().amount_funded, 5300)

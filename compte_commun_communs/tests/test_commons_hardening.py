# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The ways round the stewards' approval and the ledger's figures found by
auditing "funding out", each closed in the models: every test here failed
before its fix."""

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import CommonsCase

HAND_MADE = "come from the journal items"
OTHER_PARTNER = "paid to its contributor"
NOT_AN_EXPENSE = "a bill is spent on an expense account"
KEEPS_RESOURCE = "is posted and moved the money of Logiciel LOOT"
ALREADY_PAID = "is paid already"


@tagged("post_install", "-at_install")
class TestCommonsHardening(CommonsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.loot = cls._create_resource("Logiciel LOOT", "LOOT")
        cls.dokos = cls._create_resource("DOKOS", "DOKOS")
        cls._donate(cls.loot, 5000, "2023-02-15")
        cls._donate(cls.dokos, 8000, "2023-02-15")
        cls.expense_account = cls.company_data["default_account_expense"]
        cls.bank_journal = cls.company_data["default_journal_bank"]

    # -- Helpers --------------------------------------------------------------

    def _approved_bill(self, amount=1000, post=False):
        bill = self._bill(self.loot, amount, "2023-06-01", post=False)
        bill.action_commons_submit()
        self._approve(bill)
        self.assertEqual(bill.commons_bill_state, "approved")
        if post:
            bill.action_post()
        return bill

    def _loot_2023(self):
        loot = self.loot.with_user(self.accountant).with_context(commons_year=2023)
        loot.invalidate_recordset()
        return loot

    def _as_steward(self, record, steward=None):
        """The record as the steward's portal calls it: as superuser, the
        steward still being who calls."""
        return record.with_user(steward or self.steward).sudo()

    # -- 1. The steward's portal edits an instruction through the model --------

    def test_instruction_update_checks_the_steward(self):
        instruction = self._instruction(self.loot, 1600, "2023-05-01")
        self._as_steward(instruction).commons_update(
            {"name": "Security fixes", "amount": 2000, "date_end": "2023-12-31"}
        )
        self.assertEqual(instruction.name, "Security fixes")
        self.assertEqual(instruction.amount, 2000)
        # The portal's superuser does not make a contributor a steward, and
        # the backend and RPC get the same answer.
        for record in (
            self._as_steward(instruction, self.contributor),
            instruction.with_user(self.accountant),
        ):
            with self.assertRefused(AccessError, "Only a steward of Logiciel LOOT"):
                record.commons_update({"amount": 4000})
        self.assertEqual(instruction.amount, 2000)

    def test_instruction_update_changes_what_a_steward_edits_only(self):
        instruction = self._instruction(self.loot, 1600, "2023-05-01")
        steward = self._as_steward(instruction)
        for vals in (
            {"resource_id": self.dokos.id},
            {"contributor_id": self.contributor2.partner_id.id},
            {"state": "draft"},
            {"steward_id": self.steward2.partner_id.id},
        ):
            with self.assertRefused(AccessError, "cannot change"):
                steward.commons_update(vals)
        self.assertEqual(instruction.resource_id, self.loot)
        self.assertEqual(instruction.state, "active")

    def test_instruction_update_checks_the_funds_and_the_state(self):
        instruction = self._instruction(self.loot, 1600, "2023-05-01")
        steward = self._as_steward(instruction)
        with self.assertRefused(ValidationError, "does not have the funds"):
            steward.commons_update({"amount": 5001})
        # Days × rate make the envelope too.
        with self.assertRefused(ValidationError, "does not have the funds"):
            steward.commons_update({"days": 10, "daily_rate": 600})
        self.assertEqual(instruction.amount, 1600)
        steward.action_close()
        with self.assertRefused(UserError, "closed or cancelled instruction"):
            steward.commons_update({"name": "Reopened"})

    def test_days_and_rate_of_an_active_instruction_check_the_funds(self):
        """A steward editing an issued instruction in the backend sets days and
        a rate: the envelope they make is checked as a typed one is."""
        instruction = self._instruction(self.loot, 1600, "2023-05-01")
        with self.assertRefused(ValidationError, "does not have the funds"):
            self._as_steward(instruction).write({"days": 10, "daily_rate": 600})
        self.assertEqual(instruction.amount, 1600)
        self.assertEqual(self._loot_2023().amount_available, 5000 - 1600)

    def test_issued_instruction_stays_on_its_resource(self):
        """An envelope LOOT's stewards issued never moves onto DOKOS, whose
        stewards never decided it, nor to another contributor: not by the
        host, not by a steward of LOOT (the host's staff are never stewards)."""
        instruction = self._instruction(self.loot, 1600, "2023-05-01")
        for vals in (
            {"resource_id": self.dokos.id},
            {"contributor_id": self.contributor2.partner_id.id},
        ):
            with self.assertRefused(AccessError, "Only a steward of Logiciel LOOT"):
                instruction.with_user(self.accountant).write(vals)
            with self.assertRefused(AccessError, "A steward cannot change"):
                instruction.with_user(self.steward).sudo().commons_update(vals)
        self.assertEqual(instruction.resource_id, self.loot)
        self.assertEqual(instruction.contributor_id, self.contributor.partner_id)

    # -- 2. A bill read from an uploaded file is auto-posted only if approved --

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

    # -- 3. Analytic items of a resource come from journal items only ---------

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

    # -- 4. A commons bill is reconciled with its contributor's money only ----

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

    # -- 5. What else an approved bill keeps -----------------------------------

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

# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The guards of money out read every bill's resources at once: posting or
paying 50 approved commons bills costs the commons guards the same number of
queries as 1. Odoo's own posting and payment do some work per move: each
count is compared with the same posting or payment of as many vendor bills
charged to an analytic account of no resource."""

import itertools
import re
from unittest.mock import patch

from odoo import Command
from odoo.sql_db import Cursor
from odoo.tests import Form, tagged

from .common import CommonsCase

REFERENCES = itertools.count(1)
# The queries by which Odoo's own caches may differ between two runs.
ODOO_CACHES_SLACK = 5
COMMONS_TABLES = re.compile(
    r'(FROM|JOIN|INTO|UPDATE)\s+"(commons_[a-z_]+|donation_donation)"'
)


@tagged("post_install", "-at_install")
class TestCommonsBillQueries(CommonsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.loot = cls._create_resource("Logiciel LOOT", "LOOT")
        cls._donate(cls.loot, 100000, "2023-02-15")
        plan = cls.env["account.analytic.plan"].create({"name": "Projects"})
        cls.project = cls.env["account.analytic.account"].create(
            {"name": "Office", "plan_id": plan.id, "company_id": cls.company.id}
        )
        cls.supplier = cls.env["res.partner"].create({"name": "Office supplier"})
        cls.supplier_bank = cls.env["res.partner.bank"].create(
            {
                "acc_number": "FR7630004000010000000000042",
                "partner_id": cls.supplier.id,
                "allow_out_payment": True,
            }
        )

    def _bills(self, count, commons=True):
        """``count`` bills of one line, recorded by the accountant: the
        contributor's, charged to the resource and approved by its steward;
        or the supplier's, charged to the project."""
        partner = self.contributor.partner_id if commons else self.supplier
        account = self.loot.analytic_account_id if commons else self.project
        bills = (
            self.env["account.move"]
            .with_user(self.accountant)
            .create(
                [
                    {
                        "move_type": "in_invoice",
                        "partner_id": partner.id,
                        "partner_bank_id": (
                            self._bank_account(partner)
                            if commons
                            else self.supplier_bank
                        ).id,
                        "invoice_date": "2023-06-01",
                        "ref": f"{'C' if commons else 'S'}-{next(REFERENCES)}",
                        "invoice_line_ids": [
                            Command.create(
                                {
                                    "name": "Bug fixes",
                                    "quantity": 1,
                                    "price_unit": 100 + index,
                                    "account_id": self.company_data[
                                        "default_account_expense"
                                    ].id,
                                    "tax_ids": [Command.clear()],
                                    "analytic_distribution": {str(account.id): 100},
                                }
                            )
                        ],
                    }
                    for index in range(count)
                ]
            )
        )
        if commons:
            for bill in bills:
                bill.action_commons_submit()
                self._approve(bill)
        return bills

    def _queries(self, action):
        """The queries ``action`` makes, from a cold cache to the database:
        all of them, and those that read the commons' own tables (the
        resources, the approvals, the donations).

        :return: (int, int)
        """
        self.env.flush_all()
        self.env.invalidate_all()
        commons = []
        execute = Cursor.execute

        def counting_execute(cr, query, params=None, log_exceptions=True):
            if COMMONS_TABLES.search(str(getattr(query, "code", query))):
                commons.append(query)
            return execute(cr, query, params, log_exceptions)

        count = self.cr.sql_log_count
        with patch.object(Cursor, "execute", counting_execute):
            action()
            self.env.flush_all()
        return self.cr.sql_log_count - count, len(commons)

    def _post(self, bills):
        return self._queries(bills.with_user(self.accountant).action_post)

    def _pay(self, bills, group):
        def pay():
            action = bills.with_user(self.accountant).action_register_payment()
            wizard = Form(
                self.env["account.payment.register"]
                .with_user(self.accountant)
                .with_context(**action["context"])
            )
            wizard.payment_date = "2023-07-01"
            if len(bills) > 1:
                wizard.group_payment = group
            wizard.save().action_create_payments()

        return self._queries(pay)

    def _assert_guards_constant(self, measure):
        """``measure`` of 50 commons bills costs no more queries beyond what
        it costs for 1 than Odoo's own work for as many bills of no resource
        does, and reads the commons' own tables as many times as for 1."""
        # Odoo's caches (rules, views, translations) filled first.
        measure(self._bills(1))
        measure(self._bills(1, False))
        one, fifty = self._bills(1), self._bills(50)
        plain_one, plain_fifty = self._bills(1, False), self._bills(50, False)
        counts = {
            "commons_1": measure(one),
            "commons_50": measure(fifty),
            "plain_1": measure(plain_one),
            "plain_50": measure(plain_fifty),
        }
        total = {key: value[0] for key, value in counts.items()}
        # What 49 more bills cost is Odoo's own work per move, no more (give
        # or take the few queries by which Odoo's caches differ between two
        # partners' bills: a sequence's date range, their bank accounts).
        self.assertLessEqual(
            total["commons_50"] - total["commons_1"],
            total["plain_50"] - total["plain_1"] + ODOO_CACHES_SLACK,
            counts,
        )
        # The commons' own tables are read the same number of times, for
        # commons bills and for the others.
        self.assertEqual(counts["commons_50"][1], counts["commons_1"][1], counts)
        self.assertEqual(counts["plain_50"][1], counts["plain_1"][1], counts)
        return one | fifty

    def test_posting_50_approved_bills_costs_the_guards_what_1_does(self):
        bills = self._assert_guards_constant(self._post)
        self.assertEqual(set(bills.mapped("commons_status")), {"posted"})

    def test_paying_50_approved_bills_in_one_payment_costs_what_1_does(self):
        def post_and_pay(bills):
            bills.with_user(self.accountant).action_post()
            return self._pay(bills, group=True)

        bills = self._assert_guards_constant(post_and_pay)
        self.assertEqual(len(bills.matched_payment_ids), 2)
        self.assertLessEqual(
            set(bills.mapped("commons_status")), {"in_payment", "paid"}
        )

    def test_paying_50_approved_bills_one_by_one_costs_what_1_does(self):
        def post_and_pay(bills):
            bills.with_user(self.accountant).action_post()
            return self._pay(bills, group=False)

        bills = self._assert_guards_constant(post_and_pay)
        self.assertEqual(len(bills.matched_payment_ids), 51)
        self.assertLessEqual(
            set(bills.mapped("commons_status")), {"in_payment", "paid"}
        )

"""The ledger rule on the demo, over JSON-RPC as the host's accountant would try
it: neither a customer credit note nor a journal entry carrying LOOT's analytic
account can be posted, and LOOT's money stays where it was."""

from demo_common import DemoRpcMixin

from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestDemoLedgerRule(DemoRpcMixin, HttpCase):
    def setUp(self):
        super().setUp()
        self.loot = self._ref("commons_resource_loot_demo")
        self.accountant = self._ref("res_users_accountant_demo")
        self.distribution = {str(self.loot.analytic_account_id.id): 100}

    def _loot_money(self):
        self.env.invalidate_all()
        return self.loot._get_commons_available_amounts()[self.loot.id]

    def _create(self, vals):
        response = self._call_kw("accountant", "account.move", "create", [vals])
        self.assertIn("result", response, response)
        return response["result"]

    def _assert_post_refused(self, move_id):
        response = self._call_kw(
            "accountant", "account.move", "action_post", [[move_id]]
        )
        error = response.get("error", {}).get("data", {})
        self.assertEqual(error.get("name"), "odoo.exceptions.UserError", response)
        self.assertIn("Logiciel LOOT", error["message"])
        self.assertEqual(self.env["account.move"].browse(move_id).state, "draft")

    def test_the_accountant_cannot_post_a_credit_note_on_loot(self):
        before = self._loot_money()
        income = self.env["account.account"].search(
            [
                ("account_type", "=", "income"),
                ("company_ids", "in", self.accountant.company_id.ids),
            ],
            limit=1,
        )
        move_id = self._create(
            {
                "move_type": "out_refund",
                "partner_id": self.accountant.partner_id.id,
                "invoice_line_ids": [
                    [
                        0,
                        0,
                        {
                            "name": "Remboursement",
                            "price_unit": 500,
                            "account_id": income.id,
                            "tax_ids": [[6, 0, []]],
                            "analytic_distribution": self.distribution,
                        },
                    ]
                ],
            }
        )
        self._assert_post_refused(move_id)
        self.assertEqual(self._loot_money(), before)

    def test_the_accountant_cannot_post_a_journal_entry_on_loot(self):
        before = self._loot_money()
        company = self.accountant.company_id
        income = self.env["account.account"].search(
            [("account_type", "=", "income"), ("company_ids", "in", company.ids)],
            limit=1,
        )
        bank = self.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", company.id)], limit=1
        )
        move_id = self._create(
            {
                "move_type": "entry",
                "line_ids": [
                    [
                        0,
                        0,
                        {
                            "name": "Virement",
                            "account_id": income.id,
                            "debit": 800,
                            "analytic_distribution": self.distribution,
                        },
                    ],
                    [
                        0,
                        0,
                        {
                            "name": "Virement",
                            "account_id": bank.default_account_id.id,
                            "credit": 800,
                        },
                    ],
                ],
            }
        )
        self._assert_post_refused(move_id)
        self.assertEqual(self._loot_money(), before)

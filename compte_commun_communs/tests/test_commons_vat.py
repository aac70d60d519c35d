# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command
from odoo.tests import tagged

from .common import CommonsCase


@tagged("post_install", "-at_install")
class TestCommonsVat(CommonsCase):
    """The VAT of a contributor's bill is a cost of the resource unless the host
    recovers VAT; the French chart gets the purchase taxes that do this."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.loot = cls._create_resource("Logiciel LOOT", "LOOT")
        cls._donate(cls.loot, 5000, "2023-02-15")
        # The test company is on the generic chart: its host gets the French
        # chart's taxes of contributors' bills as a French host would.
        cls.env["account.chart.template"].sudo()._create_commons_taxes(cls.company)
        cls.tva_nd_20 = cls._commons_tax("commons_tva_nd_20")
        cls.tva_293b = cls._commons_tax("commons_tva_293b")
        cls.instruction = cls._instruction(cls.loot, 1500, "2023-03-01")

    @classmethod
    def _commons_tax(cls, name):
        return cls.env.ref(f"account.{cls.company.id}_{name}")

    def _spent(self, resource, year):
        # as in a new request: figures are computed, never stored
        self.env.invalidate_all()
        return (
            resource.with_user(self.accountant)
            .with_context(commons_year=year)
            .amount_spent
        )

    def _consumed(self, instruction):
        self.env.invalidate_all()
        return instruction.amount_consumed

    def test_non_deductible_vat_is_spent_by_the_resource(self):
        self.assertFalse(self.company.commons_vat_recoverable)
        bill = self._bill(
            self.loot,
            1000,
            "2023-04-10",
            taxes=self.tva_nd_20,
            instruction=self.instruction,
        )
        self.assertEqual(bill.state, "posted")
        self.assertEqual(bill.amount_total, 1200)
        # the VAT is on the expense account, charged to the resource
        tax_line = bill.line_ids.filtered("tax_line_id")
        self.assertEqual(
            tax_line.account_id, self.company_data["default_account_expense"]
        )
        self.assertEqual(
            tax_line.analytic_distribution,
            {str(self.loot.analytic_account_id.id): 100},
        )
        self.assertEqual(self._spent(self.loot, 2023), 1200)
        self.assertEqual(self._consumed(self.instruction), 1200)
        self.assertEqual(self.instruction.amount_remaining, 300)

    def test_vat_exemption_of_a_micro_entrepreneur(self):
        bill = self._bill(
            self.loot,
            1000,
            "2023-04-10",
            taxes=self.tva_293b,
            instruction=self.instruction,
        )
        self.assertEqual(bill.amount_total, 1000)
        self.assertEqual(self._spent(self.loot, 2023), 1000)
        self.assertEqual(self._consumed(self.instruction), 1000)

    def test_recoverable_vat_is_not_spent_by_the_resource(self):
        self.company.commons_vat_recoverable = True
        deductible = self.env["account.tax"].create(
            {
                "name": "20 % deductible",
                "amount": 20,
                "type_tax_use": "purchase",
                "company_id": self.company.id,
                "invoice_repartition_line_ids": [
                    Command.create({"repartition_type": "base"}),
                    Command.create(
                        {
                            "repartition_type": "tax",
                            "account_id": self.company_data[
                                "default_account_tax_purchase"
                            ].id,
                        }
                    ),
                ],
            }
        )
        bill = self._bill(
            self.loot,
            1000,
            "2023-04-10",
            taxes=deductible,
            instruction=self.instruction,
        )
        self.assertEqual(bill.state, "posted")
        self.assertEqual(bill.amount_total, 1200)
        self.assertEqual(self._spent(self.loot, 2023), 1000)
        self.assertEqual(self._consumed(self.instruction), 1000)
        self.assertEqual(self.instruction.amount_remaining, 500)

    def test_french_chart_taxes_of_contributors_bills(self):
        taxes = (
            self._commons_tax("commons_tva_nd_20")
            | self._commons_tax("commons_tva_nd_10")
            | self._commons_tax("commons_tva_nd_55")
            | self.tva_293b
        )
        self.assertEqual(
            taxes.mapped("name"),
            [
                "TVA non déductible 20 %",
                "TVA non déductible 10 %",
                "TVA non déductible 5,5 %",
                "TVA non applicable, art. 293 B du CGI",
            ],
        )
        self.assertEqual(taxes.mapped("amount"), [20, 10, 5.5, 0])
        self.assertEqual(set(taxes.mapped("type_tax_use")), {"purchase"})
        self.assertEqual(taxes.company_id, self.company)
        # no account: the VAT lands on the bill line's expense account
        self.assertEqual(len(taxes.repartition_line_ids), 16)
        self.assertFalse(taxes.repartition_line_ids.account_id)
        # the portal offers the host's purchase taxes, these among them
        purchase_taxes = self.env["account.tax"].search(
            [
                *self.env["account.tax"]._check_company_domain(self.company),
                ("type_tax_use", "=", "purchase"),
            ]
        )
        self.assertLessEqual(taxes, purchase_taxes)

    def test_chart_hook_creates_the_taxes_once(self):
        chart = self.env["account.chart.template"].sudo()
        # what the host changed stays, and nothing is created twice
        self.tva_nd_20.name = "TVA 20 % à la charge de la ressource"
        self.assertFalse(chart._create_commons_taxes(self.company))
        self.assertEqual(self.tva_nd_20.name, "TVA 20 % à la charge de la ressource")
        # a deleted tax comes back when the chart is loaded again
        self._commons_tax("commons_tva_nd_10").unlink()
        self.company.chart_template = "fr"
        created = chart._load_commons_taxes(self.company)
        self.assertEqual(created.mapped("name"), ["TVA non déductible 10 %"])
        self.assertEqual(self._commons_tax("commons_tva_nd_10"), created)

    def test_chart_hook_is_for_the_french_chart_only(self):
        chart = self.env["account.chart.template"].sudo()
        company = self.setup_other_company(name="Generic host")["company"]
        self.assertEqual(company.chart_template, "generic_coa")
        self.assertFalse(chart._load_commons_taxes(company))
        self.assertFalse(
            self.env.ref(
                f"account.{company.id}_commons_tva_nd_20", raise_if_not_found=False
            )
        )
        # a chart derived from the French one (Monaco) gets them
        company.chart_template = "mc"
        taxes = chart._load_commons_taxes(company)
        self.assertEqual(len(taxes), 4)
        self.assertEqual(
            self.env.ref(f"account.{company.id}_commons_tva_nd_20").company_id, company
        )

# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import Form, tagged

from .common import CommonsCase


@tagged("post_install", "-at_install")
class TestCommonsSettings(CommonsCase):
    """The host's accountant sets the Commons settings from the Communs app; any
    chart of accounts gets sensible accounts."""

    def test_accountant_changes_the_commons_settings(self):
        form = Form(self.env["commons.settings"].with_user(self.accountant))
        self.assertEqual(form.commons_fee_account_id, self.fee_account)
        form.commons_host_fee_rate = 7.5
        form.commons_sponsorship_account_id = self.gift_account
        form.save().action_save()
        self.assertEqual(self.company.commons_host_fee_rate, 7.5)
        self.assertEqual(self.company.commons_sponsorship_account_id, self.gift_account)
        # the accountant still has no write access to the company itself
        with self.assertRaises(AccessError):
            self.company.with_user(self.accountant).name = "Renamed"

    def test_commons_user_cannot_change_the_settings(self):
        with self.assertRaises(AccessError):
            self.env["commons.settings"].with_user(self.commons_user).create(
                {"commons_host_fee_rate": 50}
            )
        self.assertNotEqual(self.company.commons_host_fee_rate, 50)

    def test_a_company_on_the_generic_chart_gets_accounts_by_type(self):
        company = self.setup_other_company(name="Generic host")["company"]
        self.assertEqual(company.chart_template, "generic_coa")
        sales = self.env["account.journal"].search(
            [("company_id", "=", company.id), ("type", "=", "sale")], limit=1
        )
        self.assertEqual(company.commons_fee_account_id, sales.default_account_id)
        self.assertEqual(
            company.commons_sponsorship_account_id, sales.default_account_id
        )
        self.assertEqual(company.commons_gift_account_id.account_type, "income_other")
        self.assertEqual(company.commons_grant_account_id.account_type, "income_other")
        self.assertEqual(company.commons_accounts_origin, "by_type")
        self.assertTrue(company.commons_host_analytic_account_id)
        # and a donation validates there with no more setting
        self.accountant.company_ids += company
        resource = self._create_resource("Forum", "FORUM", company=company)
        method = self.env["account.payment.method.line"].create(
            {
                "name": "Donation transfer",
                "journal_id": self.env["account.journal"]
                .search(
                    [("company_id", "=", company.id), ("type", "=", "bank")], limit=1
                )
                .id,
                "payment_method_id": self.env.ref(
                    "account.account_payment_method_manual_in"
                ).id,
                "payment_account_id": self.env.ref(
                    f"account.{company.id}_account_journal_payment_debit_account_id"
                ).id,
                "donation": True,
            }
        )
        product = (
            self.env["product.product"]
            .with_company(company)
            .create(
                {
                    "company_id": company.id,
                    "name": "Gift",
                    "type": "service",
                    "donation_type": "donation",
                    "taxes_id": [Command.set([])],
                }
            )
        )
        donation = (
            self.env["donation.donation"]
            .with_user(self.accountant)
            .with_company(company)
            .create(
                {
                    "partner_id": self.funder.id,
                    "company_id": company.id,
                    "donation_date": "2024-03-01",
                    "payment_method_line_id": method.id,
                    "line_ids": [
                        Command.create(
                            {
                                "product_id": product.id,
                                "unit_price": 100,
                                "commons_resource_id": resource.id,
                            }
                        )
                    ],
                }
            )
        )
        donation.validate()
        self.assertEqual(donation.state, "done")
        net_item = donation.move_id.line_ids.filtered("analytic_distribution")[:1]
        self.assertEqual(net_item.account_id, company.commons_gift_account_id)

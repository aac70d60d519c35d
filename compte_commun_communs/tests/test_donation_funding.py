# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import CommonsCase


@tagged("post_install", "-at_install")
class TestDonationFunding(CommonsCase):
    """Money coming in: earmarking, host fee, pro-rata split, cancellation."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.commons_host_fee_rate = 5.0
        cls.loot = cls._create_loot_2023()
        cls.dokos = cls._create_resource("DOKOS", "DOKOS")
        cls.movilab = cls._create_resource("Movilab", "MOVILAB")
        for resource, year, amount in (
            (cls.dokos, 2023, 1000),
            (cls.movilab, 2023, 1000),
            (cls.loot, 2024, 1000),
            (cls.dokos, 2024, 3000),
        ):
            cls.env["commons.resource.need"].create(
                {
                    "resource_id": resource.id,
                    "year": year,
                    "category_id": cls.cat_dev.id,
                    "name": "Development",
                    "amount": amount,
                }
            )

    def _draft(self, lines, partner=None, **vals):
        """A draft donation; lines are (resource or None, amount)."""
        return (
            self.env["donation.donation"]
            .with_user(self.accountant)
            .create(
                {
                    "partner_id": (partner or self.funder).id,
                    "donation_date": "2023-06-01",
                    "payment_method_line_id": self.donation_method.id,
                    "line_ids": [
                        Command.create(
                            {
                                "product_id": self.donation_product.id,
                                "unit_price": amount,
                                "commons_resource_id": resource and resource.id,
                            }
                        )
                        for resource, amount in lines
                    ],
                    **vals,
                }
            )
        )

    def _figures(self, resource, year=2023):
        resource.invalidate_recordset()
        return resource.with_context(commons_year=year)

    def test_fee_rounding_keeps_the_donation_to_the_cent(self):
        donation = self._draft([(self.dokos, 100.01), (self.movilab, 333.33)])
        donation.validate()
        # 5 % of 100.01 = 5.0005 → 5.00; of 333.33 = 16.6665 → 16.67
        self.assertEqual(donation.line_ids.mapped("commons_fee_amount"), [5.0, 16.67])
        self.assertAlmostEqual(donation.commons_fee_amount, 21.67)
        self.assertAlmostEqual(donation.commons_net_amount, 411.67)
        move = donation.move_id
        self.assertEqual(move.state, "posted")
        self.assertAlmostEqual(sum(move.line_ids.mapped("credit")), 433.34)
        self.assertAlmostEqual(sum(move.line_ids.mapped("debit")), 433.34)
        fee_items = move.line_ids.filtered(
            lambda item: item.account_id == self.fee_account
        )
        self.assertEqual(sorted(fee_items.mapped("credit")), [5.0, 16.67])
        dokos = self._figures(self.dokos)
        self.assertAlmostEqual(dokos.amount_received, 100.01)
        self.assertAlmostEqual(dokos.amount_fee, 5.0)
        self.assertAlmostEqual(dokos.amount_funded, 95.01)
        self.assertAlmostEqual(dokos.coverage, 9.5, places=1)
        # the fee lands in the host's own analytic account
        host_account = self.company.commons_host_analytic_account_id
        self.assertTrue(host_account)
        self.assertAlmostEqual(host_account.balance, 21.67)
        self.assertEqual(dokos.funder_count, 1)

    def test_income_account_follows_the_kind_of_funds(self):
        ademe = self.env["res.partner"].create(
            {"name": "ADEME", "commons_funder_type": "public", "email": "a@ademe.fr"}
        )
        grant = self._draft([(self.dokos, 1000)], partner=ademe)
        self.assertEqual(grant.commons_fund_kind, "grant")
        self.assertEqual(grant.tax_receipt_option, "none")
        gift = self._draft([(self.dokos, 1000)])
        self.assertEqual(gift.commons_fund_kind, "donation")
        sponsorship = self._draft([(self.dokos, 1000)], commons_fund_kind="sponsorship")
        (grant | gift | sponsorship).validate()
        for donation, account in (
            (grant, self.grant_account),
            (gift, self.gift_account),
            (sponsorship, self.sponsorship_account),
        ):
            net_item = donation.move_id.line_ids.filtered(
                lambda item: item.credit == 950  # noqa: B023
            )
            self.assertEqual(net_item.account_id, account)
        self.assertFalse(grant.tax_receipt_id)
        self.assertFalse(sponsorship.tax_receipt_id)
        self.assertTrue(gift.tax_receipt_id)
        with self.assertRaises(ValidationError), self.cr.savepoint():
            grant.tax_receipt_option = "each"

    def test_resource_rate_overrides_company_and_rate_changes_keep_the_past(self):
        self.loot.write({"host_fee_override": True, "host_fee_override_rate": 0.0})
        donation = self._draft([(self.loot, 1000), (self.dokos, 1000)])
        donation.validate()
        self.assertEqual(donation.line_ids.mapped("commons_fee_amount"), [0.0, 50.0])
        self.assertEqual(len(donation.move_id.line_ids), 4)  # bank, 2 net, 1 fee
        self.company.commons_host_fee_rate = 10.0
        self.loot.host_fee_override = False
        self.assertEqual(donation.line_ids.mapped("commons_fee_rate"), [0.0, 5.0])
        self.assertEqual(self._figures(self.loot).amount_funded, 1000)
        self.assertEqual(self._figures(self.dokos).amount_funded, 950)
        later = self._draft([(self.loot, 1000)])
        self.assertEqual(later.line_ids.commons_fee_rate, 10.0)

    def test_prorata_split_follows_unmet_needs_already_partly_funded(self):
        self.loot.write({"host_fee_override": True, "host_fee_override_rate": 0.0})
        self._donate(self.loot, 4600, "2023-02-01")  # LOOT still needs 1,000 in 2023
        donation = self._draft(
            [(None, 100)],
            commons_allocation="prorata",
            commons_prorata_year=2023,
            commons_prorata_resource_ids=[
                Command.set((self.loot | self.dokos | self.movilab).ids)
            ],
        )
        donation.validate()
        # three unmet needs of 1,000: 100 does not split evenly in cents
        shares = {line.commons_resource_id: line.amount for line in donation.line_ids}
        self.assertEqual(
            shares, {self.loot: 33.34, self.dokos: 33.33, self.movilab: 33.33}
        )
        self.assertAlmostEqual(sum(shares.values()), 100.0)
        self.assertAlmostEqual(sum(donation.move_id.line_ids.mapped("debit")), 100.0)
        explanation = donation.message_ids.filtered(
            lambda m: "unmet needs" in (m.body or "")
        )
        self.assertIn("Movilab", explanation.body)
        self.assertIn("33.33", explanation.body)

    def test_prorata_uses_the_year_asked_and_skips_fully_funded(self):
        self.loot.write({"host_fee_override": True, "host_fee_override_rate": 0.0})
        # LOOT's 2023 needs are met on 31 December; its 2024 needs are not.
        self._donate(self.loot, 5600, "2023-12-31")
        self.assertEqual(self._figures(self.loot, 2023).coverage, 100)
        self.assertEqual(self._figures(self.loot, 2024).amount_funded, 0)
        resources = self.loot | self.dokos
        in_2023 = self._draft(
            [(None, 500)],
            commons_allocation="prorata",
            commons_prorata_year=2023,
            commons_prorata_resource_ids=[Command.set(resources.ids)],
        )
        in_2023.validate()
        self.assertEqual(in_2023.line_ids.commons_resource_id, self.dokos)
        in_2024 = self._draft(
            [(None, 400)],
            donation_date="2024-01-01",
            commons_allocation="prorata",
            commons_prorata_year=2024,
            commons_prorata_resource_ids=[Command.set(resources.ids)],
        )
        in_2024.validate()
        shares = {line.commons_resource_id: line.amount for line in in_2024.line_ids}
        self.assertEqual(shares, {self.loot: 100.0, self.dokos: 300.0})
        self.assertEqual(self._figures(self.loot, 2024).amount_funded, 100)
        self.assertEqual(self._figures(self.loot, 2023).amount_funded, 5600)

    def _prorata(self, amount, date, resources, year=2024):
        return self._draft(
            [(None, amount)],
            donation_date=date,
            commons_allocation="prorata",
            commons_prorata_year=year,
            commons_prorata_resource_ids=[Command.set(resources.ids)],
        )

    def test_gift_for_next_years_needs_lowers_that_years_unmet_needs(self):
        # In December 2023 a funder gives 500 for LOOT's needs of 2024 (1,000).
        december = self._prorata(500, "2023-12-15", self.loot)
        december.validate()
        self.assertEqual(december.line_ids.commons_needs_year, 2024)
        # In 2024 another gift is split between LOOT (525 left) and DOKOS (3,000).
        february = self._prorata(1000, "2024-02-01", self.loot | self.dokos)
        february.validate()
        shares = {line.commons_resource_id: line.amount for line in february.line_ids}
        self.assertEqual(shares, {self.loot: 148.94, self.dokos: 851.06})

    def test_gifts_validated_together_each_see_the_ones_before(self):
        first = self._prorata(500, "2024-01-10", self.loot)
        second = self._prorata(1000, "2024-02-01", self.loot | self.dokos)
        (second | first).with_user(self.accountant).validate()
        shares = {line.commons_resource_id: line.amount for line in second.line_ids}
        self.assertEqual(shares, {self.loot: 148.94, self.dokos: 851.06})

    def test_other_analytic_plans_join_the_resource(self):
        department_plan = self.env["account.analytic.plan"].create(
            {
                "name": "Department",
                "applicability_ids": [
                    Command.create(
                        {"business_domain": "general", "applicability": "mandatory"}
                    )
                ],
            }
        )
        lille = self.env["account.analytic.account"].create(
            {"name": "Lille", "plan_id": department_plan.id}
        )
        self.env["account.analytic.distribution.model"].create(
            {
                "product_id": self.donation_product.id,
                "analytic_distribution": {str(lille.id): 100},
            }
        )
        donation = self._draft([(self.dokos, 200)])
        loot_key = str(self.dokos.analytic_account_id.id)
        self.assertEqual(
            donation.line_ids.analytic_distribution, {f"{lille.id},{loot_key}": 100}
        )
        donation.validate()
        self.assertEqual(donation.state, "done")
        items = donation.move_id.line_ids.filtered(
            lambda item: item.display_type == "product"
        )
        self.assertEqual(len(items), 2)  # net and fee
        self.assertEqual(
            items.analytic_line_ids.mapped(department_plan._column_name()), lille
        )
        self.assertAlmostEqual(lille.balance, 200)
        dokos = self._figures(self.dokos)
        self.assertAlmostEqual(dokos.amount_received, 200)
        self.assertAlmostEqual(dokos.amount_fee, 10)

    def test_prorata_without_unmet_needs_is_refused(self):
        donation = self._draft(
            [(None, 100)],
            commons_allocation="prorata",
            commons_prorata_year=2030,
            commons_prorata_resource_ids=[Command.set(self.dokos.ids)],
        )
        with self.assertRaisesRegex(UserError, "has unmet needs for 2030"):
            donation.validate()
        self.assertEqual(donation.state, "draft")
        self.assertEqual(len(donation.line_ids), 1)

    def test_bad_donations_are_refused_and_nothing_is_posted(self):
        archived = self._create_resource("Old wiki", "WIKI")
        archived.active = False
        other_company = self.setup_other_company(name="Another host")["company"]
        self.accountant.company_ids += other_company
        foreign = self._create_resource("Elsewhere", "ELSE", company=other_company)
        chf = self.env.ref("base.CHF")
        chf.active = True
        self.env["res.currency.rate"].search([("currency_id", "=", chf.id)]).unlink()
        cases = (
            ([(None, 100)], {}, "is not earmarked"),
            ([(archived, 100)], {}, "which is archived"),
            ([(self.dokos, 0)], {}, "must be positive"),
            ([(self.dokos, -50)], {}, "must be positive"),
            ([(self.dokos, 100)], {"currency_id": chf.id}, "no exchange rate"),
        )
        for lines, vals, message in cases:
            with self.subTest(message=message):
                donation = self._draft(lines, **vals)
                with self.assertRaisesRegex(UserError, message), self.cr.savepoint():
                    donation.validate()
                self.assertEqual(donation.state, "draft")
                self.assertFalse(donation.move_id)
        with self.assertRaises(UserError), self.cr.savepoint():
            self._draft([(foreign, 100)])
        # a resource handed over to another host after the donation was drafted
        moved = self._create_resource("Moved away", "MOVED")
        donation = self._draft([(moved, 100)])
        moved.with_user(self.accountant).company_id = other_company
        with (
            self.assertRaisesRegex(UserError, "a resource of another company"),
            self.cr.savepoint(),
        ):
            donation.validate()
        self.assertFalse(donation.move_id)
        self.assertEqual(self._figures(self.dokos).amount_received, 0)

    def test_missing_accounts_are_named_and_nothing_is_posted(self):
        self.company.commons_fee_account_id = False
        donation = self._draft([(self.dokos, 100)])
        with (
            self.assertRaisesRegex(UserError, "Host Fee Income Account"),
            self.cr.savepoint(),
        ):
            donation.validate()
        self.assertEqual(donation.state, "draft")
        self.company.commons_sponsorship_account_id = False
        sponsorship = self._draft([(self.dokos, 100)], commons_fund_kind="sponsorship")
        with (
            self.assertRaisesRegex(UserError, "Corporate Sponsorships Account"),
            self.cr.savepoint(),
        ):
            sponsorship.validate()
        self.assertFalse(sponsorship.move_id)

    def test_cancellation_reverses_the_entry_and_cancels_the_receipt(self):
        donation = self._donate(self.dokos, 1000, "2023-06-01")
        receipt = donation.tax_receipt_id
        self.assertEqual(receipt.state, "issued")
        move = donation.move_id
        self.assertEqual(self._figures(self.dokos).amount_funded, 950)
        donation.with_user(self.accountant).done2cancel(
            reason="The transfer was returned"
        )
        self.assertEqual(donation.state, "cancel")
        self.assertEqual(move.state, "posted")
        reversal = donation.commons_reversal_move_id
        self.assertEqual(reversal.state, "posted")
        self.assertEqual(reversal.reversed_entry_id, move)
        # reversed in the donation's period: the year's figures drop it
        self.assertEqual(reversal.date.year, 2023)
        dokos = self._figures(self.dokos)
        self.assertEqual(dokos.amount_received, 0)
        self.assertEqual(dokos.amount_fee, 0)
        self.assertEqual(dokos.amount_funded, 0)
        self.assertEqual(self.company.commons_host_analytic_account_id.balance, 0)
        # the receipt is cancelled, not deleted
        self.assertTrue(receipt.exists())
        self.assertEqual(receipt.state, "cancelled")
        self.assertEqual(donation.tax_receipt_id, receipt)
        self.assertEqual(donation.commons_receipt_state, "cancelled")
        self.assertIn("The transfer was returned", donation.message_ids[:1].body)

    def test_cancelling_a_donation_of_an_annual_receipt_releases_the_others(self):
        self.funder.tax_receipt_option = "annual"
        first = self._donate(self.dokos, 100, "2023-03-01")
        second = self._donate(self.dokos, 60, "2023-09-01")
        self.env["tax.receipt.annual.create"].with_user(self.accountant).create(
            {"start_date": "2023-01-01", "end_date": "2023-12-31"}
        ).generate_annual_receipts()
        receipt = first.tax_receipt_id
        self.assertEqual(receipt.amount, 160)
        first.with_user(self.accountant).done2cancel(reason="The transfer was returned")
        self.assertEqual(receipt.state, "cancelled")
        self.assertFalse(second.tax_receipt_id)
        # the next annual run issues a new receipt for what is left
        self.env["tax.receipt.annual.create"].with_user(self.accountant).create(
            {"start_date": "2023-01-01", "end_date": "2023-12-31"}
        ).generate_annual_receipts()
        self.assertEqual(second.tax_receipt_id.amount, 60)
        self.assertNotEqual(second.tax_receipt_id, receipt)

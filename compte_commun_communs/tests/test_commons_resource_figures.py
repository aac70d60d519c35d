# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from .common import CommonsCase

FIGURES = [
    "amount_needed",
    "amount_funded",
    "amount_carried_over",
    "amount_committed",
    "amount_available",
    "coverage",
]


@tagged("post_install", "-at_install")
class TestCommonsResourceFigures(CommonsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.loot = cls._create_loot_2023()
        cls.opteos = cls.env["res.partner"].create({"name": "CAE OPTEOS"})
        cls.anis = cls.env["res.partner"].create({"name": "ANIS"})

    def _tax(self, name, deductible):
        repartition = [
            Command.create({"repartition_type": "base"}),
            Command.create(
                {
                    "repartition_type": "tax",
                    "account_id": deductible
                    and self.company_data["default_account_tax_purchase"].id,
                }
            ),
        ]
        return self.env["account.tax"].create(
            {
                "name": name,
                "amount": 20,
                "type_tax_use": "purchase",
                "company_id": self.company.id,
                "invoice_repartition_line_ids": repartition,
                "refund_repartition_line_ids": repartition,
            }
        )

    def _figures(self, resource, year, user=None):
        # as in a new request: figures are computed, never stored
        self.env.invalidate_all()
        resource = resource.with_user(user or self.accountant).with_context(
            commons_year=year
        )
        return {
            "needed": resource.amount_needed,
            "funded": resource.amount_funded,
            "spent": resource.amount_spent,
            "available": resource.amount_available,
            "coverage": resource.coverage,
            "carried_over": resource.amount_carried_over,
            "committed": resource.amount_committed,
        }

    def test_loot_2023_fully_funded_by_three_donations(self):
        self._donate(self.loot, 3000, "2023-02-15")
        self._donate(self.loot, 1460, "2023-03-20", self.opteos)
        self._donate(self.loot, 1140, "2023-04-05", self.anis)
        self.assertEqual(
            self._figures(self.loot, 2023, self.commons_user),
            {
                "needed": 5600,
                "funded": 5600,
                "spent": 0,
                "available": 5600,
                "coverage": 100,
                "carried_over": 0,
                "committed": 0,
            },
        )

    def test_partly_funded_resource(self):
        self._donate(self.loot, 1400, "2023-02-15")
        figures = self._figures(self.loot, 2023)
        self.assertEqual(figures["coverage"], 25)
        self.assertEqual(figures["available"], 1400)

    def test_draft_donation_is_not_funding(self):
        donation = self._donate(self.loot, 3000, "2023-02-15")
        draft = donation.copy({"donation_date": "2023-05-01"})
        self.assertEqual(draft.state, "draft")
        self.assertEqual(self._figures(self.loot, 2023)["funded"], 3000)

    def test_years_are_isolated(self):
        self._donate(self.loot, 3000, "2023-12-31")
        self._donate(self.loot, 500, "2024-01-01")
        self.assertEqual(self._figures(self.loot, 2023)["funded"], 3000)
        figures_2024 = self._figures(self.loot, 2024)
        self.assertEqual(figures_2024["funded"], 500)
        self.assertEqual(figures_2024["needed"], 0)
        self.assertEqual(figures_2024["coverage"], 0)

    @freeze_time("2023-07-14")
    def test_year_defaults_to_current_year(self):
        self._donate(self.loot, 2800, "2023-02-15")
        loot = self.loot.with_user(self.accountant)
        self.assertEqual(loot.figures_year, 2023)
        self.assertEqual(loot.coverage, 50)

    def test_bills_are_spent_only_once_posted(self):
        self._donate(self.loot, 3000, "2023-02-15")
        draft = self._bill(self.loot, 400, "2023-06-01", post=False)
        self.assertEqual(self._figures(self.loot, 2023)["spent"], 0)
        draft.action_commons_submit()
        self._approve(draft)
        draft.action_post()
        figures = self._figures(self.loot, 2023)
        self.assertEqual(figures["spent"], 400)
        self.assertEqual(figures["available"], 2600)

    def test_non_deductible_vat_is_spent(self):
        """The host is not VAT-registered: the VAT it pays is a cost of the resource."""
        self._donate(self.loot, 3000, "2023-02-15")
        self._bill(
            self.loot, 1000, "2023-06-01", self._tax("VAT 20% (non deductible)", False)
        )
        figures = self._figures(self.loot, 2023)
        self.assertEqual(figures["spent"], 1200)
        self.assertEqual(figures["available"], 1800)

    def test_deductible_vat_is_not_spent(self):
        self._donate(self.loot, 3000, "2023-02-15")
        self._bill(
            self.loot, 1000, "2023-06-01", self._tax("VAT 20% (deductible)", True)
        )
        self.assertEqual(self._figures(self.loot, 2023)["spent"], 1000)

    def test_refund_reduces_spent(self):
        self._donate(self.loot, 3000, "2023-02-15")
        bill = self._bill(self.loot, 1000, "2023-06-01")
        reversal = bill._reverse_moves(
            [{"date": "2023-06-15", "invoice_date": "2023-06-15"}]
        )
        # The contributor's credit note, approved by the stewards as a bill is.
        reversal.action_commons_submit()
        self._approve(reversal)
        reversal.action_post()
        self.assertEqual(self._figures(self.loot, 2023)["spent"], 0)

    def test_year_chosen_in_menu_applies_to_all_resources(self):
        self._donate(self.loot, 5600, "2023-02-15")
        Select = self.env["commons.resource.year.select"].with_user(self.commons_user)
        Select.create({"year": 2023}).action_show_figures()
        self.env.invalidate_all()
        resources = self.env["commons.resource"].with_user(self.commons_user)
        loot = resources.search([("id", "=", self.loot.id)])
        self.assertEqual(loot.coverage, 100)
        with (
            self.assertRaisesRegex(ValidationError, "between 2000 and 2100"),
            self.cr.savepoint(),
        ):
            Select.create({"year": 23})

    def test_form_shows_needs_before_they_are_saved(self):
        self._donate(self.loot, 2800, "2023-02-15")
        loot = self.loot.with_user(self.accountant).with_context(commons_year=2023)
        with Form(loot) as form:
            self.assertEqual(form.coverage, 50)
            with form.year_need_ids.new() as need:
                need.year = 2023
                need.category_id = self.cat_hosting
                need.name = "Second test server"
                need.amount = 5600
            self.assertEqual(form.amount_needed, 11200)
            self.assertEqual(form.coverage, 25)
        self.assertEqual(self._figures(self.loot, 2023)["needed"], 11200)

    def test_figures_query_count_does_not_grow_with_resources(self):
        resources = self.env["commons.resource"].create(
            [{"name": f"Commons {i}", "code": f"C{i:03d}"} for i in range(200)]
        )
        self.env["commons.resource.need"].create(
            [
                {
                    "resource_id": r.id,
                    "year": 2023,
                    "category_id": self.cat_bug.id,
                    "name": "Bug fixes",
                    "amount": 100,
                }
                for r in resources
            ]
        )
        self._donate(resources[0], 100, "2023-02-15")
        self._donate(resources[-1], 50, "2023-02-15")

        def read_figures(records):
            records = records.with_user(self.commons_user).with_context(
                commons_year=2023
            )
            self.env.invalidate_all()
            count = self.cr.sql_log_count
            records.read(FIGURES)
            return self.cr.sql_log_count - count

        read_figures(resources[:1])  # warms the user's access-rights caches up
        self.assertEqual(read_figures(resources[:5]), read_figures(resources))
        figures = resources.with_user(self.commons_user).with_context(commons_year=2023)
        self.env.invalidate_all()
        with self.assertQueryCount(10):
            figures.read(FIGURES)
        self.assertEqual(figures[0].coverage, 100)
        self.assertEqual(figures[-1].coverage, 50)
        self.assertEqual(figures[100].coverage, 0)

    @freeze_time("2026-03-01")
    def test_funds_not_spent_are_carried_over(self):
        """Money received in 2023 and 2024 and not spent is still there in 2026."""
        self._donate(self.loot, 5600, "2023-02-15")
        self._donate(self.loot, 3000, "2024-02-15")
        self._bill(self.loot, 1000, "2024-06-01")
        figures_2024 = self._figures(self.loot, 2024)
        self.assertEqual(figures_2024["carried_over"], 5600)
        self.assertEqual(figures_2024["available"], 5600 + 3000 - 1000)
        figures_2026 = self._figures(self.loot, 2026)
        self.assertEqual(figures_2026["carried_over"], 7600)
        self.assertEqual(figures_2026["funded"], 0)
        self.assertEqual(figures_2026["available"], 7600)

    @freeze_time("2026-03-01")
    def test_committed_is_what_envelopes_and_approved_bills_promise(self):
        self._donate(self.loot, 5600, "2023-02-15")
        instruction = self._instruction(self.loot, 1600, "2023-01-01")
        self._bill(self.loot, 1200, "2023-06-01", instruction=instruction)
        # Approved, not posted yet: in the instruction's envelope already.
        waiting = self._bill(self.loot, 100, "2023-07-01", post=False)
        waiting.commons_instruction_id = instruction
        waiting.action_commons_submit()
        self._approve(waiting)
        # Approved without instruction: committed on its own.
        other = self._bill(self.loot, 500, "2023-08-01", post=False)
        other.action_commons_submit()
        self._approve(other)
        figures = self._figures(self.loot, 2023)
        self.assertEqual(figures["spent"], 1200)
        # What is left of the envelope, and both approved bills.
        self.assertEqual(figures["committed"], 300 + 100 + 500)
        self.assertEqual(figures["available"], 5600 - 1200 - 900)
        self.assertEqual(instruction.amount_remaining, 300)
        # Closing the instruction frees what is left of its envelope.
        instruction.with_user(self.steward).sudo().action_close()
        figures = self._figures(self.loot, 2023)
        self.assertEqual(figures["committed"], 100 + 500)
        self.assertEqual(self._figures(self.loot, 2026)["available"], 5600 - 1200 - 600)
        self.assertEqual(self._figures(self.loot, 2026)["committed"], 600)

    @freeze_time("2026-03-01")
    def test_commitments_count_from_their_year(self):
        self._donate(self.loot, 5600, "2023-02-15")
        self._instruction(self.loot, 1000, "2024-01-01")
        self.assertEqual(self._figures(self.loot, 2023)["committed"], 0)
        self.assertEqual(self._figures(self.loot, 2023)["available"], 5600)
        figures_2024 = self._figures(self.loot, 2024)
        self.assertEqual(figures_2024["committed"], 1000)
        self.assertEqual(figures_2024["available"], 4600)

    @freeze_time("2026-03-01")
    def test_available_of_this_year_is_what_the_checks_read(self):
        """An envelope that starts next year and a bill dated next year are
        promised now: this year's figures, the envelope check and the approval
        check read one available, and a past year its balance on 31 December."""
        self._donate(self.loot, 5000, "2025-02-01")
        self._instruction(self.loot, 1000, "2027-01-01")
        later = self._bill(self.loot, 300, "2027-01-15", post=False)
        later.action_commons_submit()
        self._approve(later)
        figures = self._figures(self.loot, 2026)
        self.assertEqual(figures["carried_over"], 5000)
        self.assertEqual(figures["committed"], 1000 + 300)
        self.assertEqual(figures["available"], 3700)
        self.assertEqual(self.loot._get_commons_available(), 3700)
        # 2025 is over: its balance on 31 December, before those promises.
        self.assertEqual(self._figures(self.loot, 2025)["available"], 5000)
        # The envelope check refuses one cent more than the card shows...
        envelope = (
            self.env["commons.allocation.instruction"]
            .with_user(self.accountant)
            .create(
                {
                    "name": "Security",
                    "resource_id": self.loot.id,
                    "contributor_id": self.contributor.partner_id.id,
                    "amount": 3700.01,
                    "date_start": "2026-03-01",
                }
            )
        )
        with self.assertRefused(ValidationError, r"3,700\.00 are available"):
            envelope.with_user(self.steward).sudo().action_activate()
        # ... and so does the approval of a bill without instruction.
        bill = self._bill(self.loot, 3700.01, "2026-02-20", post=False)
        bill.action_commons_submit()
        with self.assertRefused(UserError, r"has left: .*3,700\.00"):
            self._approve(bill)
        bill = self._bill(self.loot, 3700, "2026-02-20", post=False)
        bill.action_commons_submit()
        self._approve(bill)
        self.assertEqual(self._figures(self.loot, 2026)["available"], 0)
        self.assertEqual(self.loot._get_commons_available(), 0)

    def _resources_with_history(self, count):
        """``count`` resources, each with needs, donations over three years, an
        active instruction and an approved bill not posted; every fourth with
        posted bills too."""
        resources = self.env["commons.resource"].browse()
        for index in range(count):
            resource = self._create_resource(f"Commons {index}", f"Q{index:03d}")
            self.env["commons.resource.need"].create(
                {
                    "resource_id": resource.id,
                    "year": 2024,
                    "category_id": self.cat_bug.id,
                    "name": "Bug fixes",
                    "amount": 1000,
                }
            )
            for year in (2022, 2023, 2024):
                self._donate(resource, 1000, f"{year}-02-15")
            instruction = self._instruction(resource, 300, "2024-01-01")
            if not index % 4:
                self._bill(resource, 100, "2023-06-01")
                self._bill(resource, 50, "2024-03-01", instruction=instruction)
            approved = self._bill(resource, 20, "2024-04-01", post=False)
            approved.action_commons_submit()
            self._approve(approved)
            resources |= resource
        return resources

    def _count_queries(self, function):
        self.env.invalidate_all()
        count = self.cr.sql_log_count
        function()
        return self.cr.sql_log_count - count

    @freeze_time("2025-03-01")
    def test_figures_queries_do_not_grow_with_resources_lines_or_bills(self):
        resources = self._resources_with_history(20)
        figures = resources._get_figures(2024)
        self.assertEqual(
            figures[resources[0].id],
            {
                **figures[resources[0].id],
                "amount_needed": 1000,
                "amount_carried_over": 1900,
                "amount_funded": 1000,
                "amount_spent": 50,
                "amount_committed": 250 + 20,
            },
        )
        self._count_queries(lambda: resources[:1]._get_figures(2024))
        one = self._count_queries(lambda: resources[:1]._get_figures(2024))
        self.assertLessEqual(one, 8)
        self.assertEqual(self._count_queries(lambda: resources._get_figures(2024)), one)
        # The list of resources, as the user of Commons reads it.
        users = resources.with_user(self.commons_user).with_context(commons_year=2024)
        self._count_queries(lambda: users[:1].read(FIGURES))
        self.assertEqual(
            self._count_queries(lambda: users[:1].read(FIGURES)),
            self._count_queries(lambda: users.read(FIGURES)),
        )

    def test_figures_read_the_ledger_from_their_index(self):
        """The install makes the index the figures read the ledger from (a
        resource's counted items, with their date and amount), and the one
        they count the funders from."""
        column = self.env["commons.resource"]._get_analytic_plan()._column_name()
        self.env.cr.execute(
            """
            SELECT pg_get_indexdef(index.indexrelid)
              FROM pg_index index
              JOIN pg_class class ON class.oid = index.indexrelid
             WHERE class.relname = 'account_analytic_line_commons_ledger_index'
            """
        )
        [[definition]] = self.env.cr.fetchall()
        self.assertIn(
            f"ON public.account_analytic_line USING btree ({column}, company_id, "
            "commons_movement) INCLUDE (date, amount) WHERE",
            definition,
        )
        for movement in ("received", "fee", "spent"):
            self.assertIn(f"'{movement}'", definition)
        self.assertNotIn("'none'", definition)
        # And the one its funders are counted from.
        self.env.cr.execute(
            """
            SELECT pg_get_indexdef(index.indexrelid)
              FROM pg_index index
              JOIN pg_class class ON class.oid = index.indexrelid
             WHERE class.relname = 'donation_line_commons_funders_index'
            """
        )
        [[definition]] = self.env.cr.fetchall()
        self.assertIn(
            "ON public.donation_line USING btree (commons_resource_id, "
            "donation_date) INCLUDE (state, commercial_partner_id) WHERE",
            definition,
        )

    def test_instruction_queries_do_not_grow_with_bills(self):
        self._donate(self.loot, 5600, "2023-02-15")
        instruction = self._instruction(self.loot, 3000, "2023-01-01")
        names = ["amount_consumed", "amount_remaining", "amount_waiting", "bill_count"]

        def bill(amount):
            draft = self._bill(self.loot, amount, "2023-06-01", post=False)
            draft.commons_instruction_id = instruction
            draft.action_commons_submit()
            return draft

        self._approve(bill(100))
        self._count_queries(lambda: instruction.read(names))
        one = self._count_queries(lambda: instruction.read(names))
        for _index in range(9):
            self._approve(bill(100))
        bill(50)
        self.assertEqual(self._count_queries(lambda: instruction.read(names)), one)
        # The instructions, their bills' sums, their currency (3 reads).
        self.assertLessEqual(one, 5)
        self.assertEqual(
            instruction.read(names)[0],
            {
                "id": instruction.id,
                "amount_consumed": 1000,
                "amount_remaining": 2000,
                "amount_waiting": 50,
                "bill_count": 11,
            },
        )

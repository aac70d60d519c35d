# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from .common import CommonsCase


@tagged("post_install", "-at_install")
class TestCommonsResourceYear(CommonsCase):
    """The year of the figures is each user's choice: it stays when the page is
    reloaded, and the form shows that year's figures and needs."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.loot = cls._create_loot_2023()
        cls.env["commons.resource.need"].create(
            [
                {
                    "resource_id": cls.loot.id,
                    "year": 2024,
                    "category_id": category.id,
                    "name": label,
                    "amount": amount,
                }
                for category, label, amount in (
                    (cls.cat_bug, "Bug fixes", 2000),
                    (cls.cat_hosting, "Test server hosting", 900),
                )
            ]
        )
        cls._donate(cls.loot, 2800, "2023-02-15")
        cls.this_year = fields.Date.today().year

    def _reload(self, record, user=None):
        """The record as a new request of the user reads it: an empty cache and
        no context but the user's."""
        self.env.invalidate_all()
        return record.with_env(self.env(user=user or self.accountant, context={}))

    def _choose_year(self, year, user=None):
        """The user picks a year in Commons › Figures of a Year."""
        Select = self.env["commons.resource.year.select"].with_user(
            user or self.accountant
        )
        with Form(Select) as wizard:
            wizard.year = year
        return wizard.record.action_show_figures()

    def _needs_tab(self, form):
        """The lines of the resource form's Needs tab, whatever field holds them."""
        [field] = form._view["tree"].xpath("//page[@name='needs']/field")
        return form[field.get("name")]

    def test_year_chosen_in_menu_survives_a_reload(self):
        action = self._choose_year(2023)
        self.assertEqual(action["res_model"], "commons.resource")
        self.assertEqual(action["views"][0], (False, "list"))
        loot = self._reload(self.loot)
        self.assertEqual(loot.figures_year, 2023)
        self.assertEqual(loot.amount_needed, 5600)
        self.assertEqual(loot.coverage, 50)
        # the menu offers the year chosen last
        Select = self._reload(self.env["commons.resource.year.select"])
        self.assertEqual(Form(Select).year, 2023)
        # each user has their own year
        self.assertEqual(
            self._reload(self.loot, self.commons_user).figures_year, self.this_year
        )
        self._choose_year(2024, self.commons_user)
        self.assertEqual(self._reload(self.loot).figures_year, 2023)
        self.assertEqual(self._reload(self.loot, self.commons_user).amount_needed, 2900)

    def test_previous_and_next_year_buttons(self):
        self._choose_year(2024)
        action = self._reload(self.loot).action_figures_previous_year()
        # the form reloads: the year is no edit of the resource to save
        self.assertEqual(action, {"type": "ir.actions.client", "tag": "soft_reload"})
        loot = self._reload(self.loot)
        self.assertEqual(loot.figures_year, 2023)
        self.assertEqual(loot.amount_needed, 5600)
        self.assertEqual(loot.amount_funded, 2800)
        loot.action_figures_next_year()
        loot = self._reload(self.loot)
        self.assertEqual(loot.figures_year, 2024)
        self.assertEqual(loot.amount_needed, 2900)
        self.assertEqual(loot.amount_funded, 0)
        # the year is not typed in the form: it moves with the buttons
        with self.assertRaisesRegex(AssertionError, "readonly"):
            Form(loot).figures_year = 2023
        self._choose_year(2000)
        with (
            self.assertRaisesRegex(ValidationError, "between 2000 and 2100"),
            self.cr.savepoint(),
        ):
            self._reload(self.loot).action_figures_previous_year()
        self.assertEqual(self._reload(self.loot).figures_year, 2000)

    def test_needs_tab_shows_the_chosen_years_needs(self):
        self._choose_year(2023)
        form = Form(self._reload(self.loot))
        needs = self._needs_tab(form)
        self.assertEqual(len(needs), 4)
        self.assertEqual({line["year"] for line in needs._records}, {2023})
        self.assertEqual(sum(line["amount"] for line in needs._records), 5600)
        self.assertEqual(form.amount_needed, 5600)
        with needs.new() as need:
            self.assertEqual(need.year, 2023)
            need.category_id = self.cat_hosting
            need.name = "Second test server"
            need.amount = 5600
        # needed and coverage follow the needs being edited
        self.assertEqual(form.amount_needed, 11200)
        self.assertEqual(form.coverage, 25)
        form.save()
        self.assertEqual(self._reload(self.loot).amount_needed, 11200)
        self._choose_year(2024)
        form = Form(self._reload(self.loot))
        needs = self._needs_tab(form)
        self.assertEqual(
            sorted(line["name"] for line in needs._records),
            ["Bug fixes", "Test server hosting"],
        )
        with needs.edit(0) as need:
            need.amount = 2500
        self.assertEqual(form.amount_needed, 3400)
        form.save()
        self.assertEqual(self._reload(self.loot).amount_needed, 3400)
        # the other years' needs are still there, untouched
        self.assertEqual(len(self.loot.need_ids), 7)

    def test_out_of_range_year_is_refused_and_never_crashes(self):
        Settings = self.env["res.users.settings"].with_user(self.accountant)
        settings = Settings._find_or_create_for_user(self.accountant)
        for year in (-1, 1999, 2101, 99999):
            # a link or an RPC call carrying it: the user's year is shown instead
            loot = self._reload(self.loot).with_context(commons_year=year)
            self.assertEqual(loot.figures_year, self.this_year, year)
            self.assertEqual(loot.amount_needed, 0, year)
            # typed in Figures of a Year: a clear error
            wizard = Form(
                self.env["commons.resource.year.select"].with_user(self.accountant)
            )
            wizard.year = year
            with self.assertRaisesRegex(ValidationError, "between 2000 and 2100"):
                wizard.save()
            # nor is it kept as a user's year by any other path
            with (
                self.assertRaisesRegex(ValidationError, "between 2000 and 2100"),
                self.cr.savepoint(),
            ):
                settings.with_user(self.accountant).commons_figures_year = year
            # a year already stored out of range (older data) is not used
            self.cr.execute(
                "UPDATE res_users_settings SET commons_figures_year = %s WHERE id = %s",
                [year, settings.id],
            )
            with Form(self._reload(self.env["commons.resource"])) as form:
                form.name = f"Resource {year}"
                form.code = f"R{year}"
                self.assertEqual(form.figures_year, self.this_year)

    def test_years_are_never_summed(self):
        """Group rows of the needs list show no "8 092" for four needs of 2023, and
        the pivot offers no Year measure."""
        Need = self.env["commons.resource.need"].with_user(self.accountant)
        self.assertFalse(Need.fields_get(["year"], ["aggregator"])["year"])

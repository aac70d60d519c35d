# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from .common import CommonsCase


@tagged("post_install", "-at_install")
class TestCommonsResourceForm(CommonsCase):
    """The accountant creates, edits and duplicates resources in the form, as the
    web client does (odoo.tests.Form runs the same onchanges)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_company = cls.setup_other_company(name="Another host")["company"]
        cls.accountant.write({"company_ids": [Command.link(cls.other_company.id)]})

    def _new_form(self, company=None):
        company = company or self.company
        return Form(
            self.env["commons.resource"]
            .with_user(self.accountant)
            .with_company(company)
            .with_context(allowed_company_ids=[company.id])
        )

    def _create_in_form(self, name, code, company=None):
        with self._new_form(company) as form:
            form.name = name
            form.code = code
        return form.record

    def test_accountant_creates_a_resource(self):
        with self._new_form() as form:
            form.name = "Logiciel LOOT"
            form.code = "LOOT"
            form.website = "https://loot.example.org"
            self.assertEqual(form.slug, "loot")
            self.assertEqual(form.amount_needed, 0)
        loot = form.record
        self.assertEqual(loot.name, "Logiciel LOOT")
        self.assertEqual(loot.slug, "loot")
        self.assertEqual(loot.company_id, self.company)
        self.assertEqual(loot.analytic_account_id.code, "LOOT")
        with Form(loot) as form:
            form.name = "LOOT software"
        self.assertEqual(loot.analytic_account_id.name, "LOOT software")

    def test_taken_address_gets_the_next_free_number(self):
        self._create_resource("Logiciel LOOT", "LOOT")
        # the same address from another code of the same company
        with self._new_form() as form:
            form.name = "LOOT, lower case"
            form.code = "loot"
            self.assertEqual(form.slug, "loot-2")
        self.assertEqual(form.record.slug, "loot-2")
        # the same code in another company: addresses are unique across companies
        other_loot = self._create_in_form(
            "LOOT (another host)", "LOOT", company=self.other_company
        )
        self.assertEqual(other_loot.company_id, self.other_company)
        self.assertEqual(other_loot.slug, "loot-3")
        # the first free number is taken, even below one still held
        form.record.slug = "loot-archive"
        self.assertEqual(
            self._create_in_form("LOOT 4", "Loot", company=self.other_company).slug,
            "loot-2",
        )

    def test_accountant_duplicates_a_resource(self):
        loot = self._create_loot_2023().with_user(self.accountant)
        loot.write(
            {
                "is_published": True,
                "website": "https://loot.example.org",
                "host_fee_override": True,
                "host_fee_override_rate": 4.0,
            }
        )
        copy = loot.copy()
        self.assertEqual(copy.name, "Logiciel LOOT (copy)")
        self.assertEqual(copy.code, "LOOT-2")
        self.assertEqual(copy.slug, "loot-2")
        self.assertEqual(copy.website, "https://loot.example.org")
        self.assertEqual(copy.host_fee_rate, 4.0)
        # a new place in the ledger, no needs of its own yet, not public yet
        self.assertTrue(copy.analytic_account_id)
        self.assertNotEqual(copy.analytic_account_id, loot.analytic_account_id)
        self.assertEqual(copy.analytic_account_id.code, "LOOT-2")
        self.assertFalse(copy.need_ids)
        self.assertEqual(len(loot.need_ids), 4)
        self.assertFalse(copy.is_published)
        # the duplicate opens in the form and saves
        with Form(copy) as form:
            form.name = "Logiciel LOOT 2"
        self.assertEqual(copy.analytic_account_id.name, "Logiciel LOOT 2")
        # a second duplicate takes the next free code
        self.assertEqual(loot.copy().code, "LOOT-3")
        self.assertEqual(copy.copy().code, "LOOT-4")

    def test_website_must_be_a_web_address(self):
        loot = self._create_in_form("Logiciel LOOT", "LOOT")
        for url in (
            "javascript:alert(document.cookie)",
            "JavaScript:alert(1)",
            " javascript:alert(1)",
            "java\tscript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "ftp://loot.example.org",
            "loot.example.org",
        ):
            form = Form(loot)
            form.website = url
            with (
                self.assertRaisesRegex(ValidationError, "https://"),
                self.cr.savepoint(),
            ):
                form.save()
        loot.invalidate_recordset()
        self.assertFalse(loot.website)
        with Form(loot) as form:
            form.website = "http://loot.example.org/docs?lang=fr"
        self.assertEqual(loot.website, "http://loot.example.org/docs?lang=fr")

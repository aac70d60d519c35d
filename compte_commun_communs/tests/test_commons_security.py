# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import CommonsCase


@tagged("post_install", "-at_install")
class TestCommonsSecurity(CommonsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.loot = cls._create_resource("Logiciel LOOT", "LOOT")
        cls.other_company = cls.setup_other_company(name="Another host")["company"]
        cls.accountant.write({"company_ids": [Command.link(cls.other_company.id)]})
        cls.dokos = cls._create_resource("DOKOS", "DOKOS", company=cls.other_company)

    def test_commons_user_reads_but_cannot_write(self):
        loot = self.loot.with_user(self.commons_user)
        self.assertEqual(loot.name, "Logiciel LOOT")
        self.assertEqual(loot.amount_funded, 0)
        with self.assertRaises(AccessError):
            loot.name = "Renamed"
        with self.assertRaises(AccessError):
            self.env["commons.resource"].with_user(self.commons_user).create(
                {"name": "Mine", "code": "MINE"}
            )
        with self.assertRaises(AccessError):
            loot.unlink()

    def test_portal_user_cannot_read_resources(self):
        with self.assertRaises(AccessError):
            self.loot.with_user(self.portal_user).read(["amount_funded"])
        with self.assertRaises(AccessError):
            self.env["commons.resource"].with_user(self.portal_user).search([])

    def test_resources_of_other_companies_are_hidden(self):
        Resource = self.env["commons.resource"].with_user(self.commons_user)
        self.assertEqual(Resource.search([]), self.loot)
        with self.assertRaises(AccessError):
            self.dokos.with_user(self.commons_user).read(["name"])
        both = (
            self.env["commons.resource"]
            .with_user(self.accountant)
            .with_context(allowed_company_ids=[self.company.id, self.other_company.id])
        )
        self.assertEqual(both.search([]), self.loot | self.dokos)

    def test_figures_stay_within_their_company(self):
        self._donate(self.loot, 1000, "2023-02-15")
        dokos = self.dokos.with_user(self.accountant).with_context(
            commons_year=2023, allowed_company_ids=[self.other_company.id]
        )
        self.assertEqual(dokos.amount_funded, 0)
        self.assertEqual(dokos.analytic_account_id.company_id, self.other_company)

    def test_same_code_in_two_companies_gets_two_public_addresses(self):
        other_loot = self._create_resource(
            "LOOT (another host)", "LOOT", company=self.other_company
        )
        self.assertEqual(self.loot.slug, "loot")
        self.assertEqual(other_loot.slug, "loot-2")
        other_loot.code = "LOOT2"
        self.assertEqual(other_loot.slug, "loot-2")

# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import CommonsCase


@tagged("post_install", "-at_install")
class TestCommonsResourceNeed(CommonsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.loot = cls._create_resource("Logiciel LOOT", "LOOT")
        cls.Need = cls.env["commons.resource.need"].with_user(cls.accountant)

    def _need(self, label, amount, year=2023, category=None):
        return self.Need.create(
            {
                "resource_id": self.loot.id,
                "year": year,
                "category_id": (category or self.cat_bug).id,
                "name": label,
                "amount": amount,
            }
        )

    def test_same_label_twice_in_a_year_refused(self):
        self._need("Bug fixes", 1600)
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            with self.cr.savepoint():
                self._need("Bug fixes", 100)
        # the same label another year is another need
        self._need("Bug fixes", 1700, year=2024)
        self.assertEqual(len(self.loot.need_ids), 2)

    def test_negative_amount_refused_with_clear_error(self):
        with (
            self.assertRaisesRegex(ValidationError, "must be positive"),
            self.cr.savepoint(),
        ):
            self._need("Hosting", -800, category=self.cat_hosting)
        self.assertFalse(self.Need.search([("resource_id", "=", self.loot.id)]))
        need = self._need("Hosting", 800, category=self.cat_hosting)
        with (
            self.assertRaisesRegex(ValidationError, "must be positive"),
            self.cr.savepoint(),
        ):
            need.amount = 0
        self.assertEqual(need.amount, 800)

    def test_absurd_year_refused(self):
        with (
            self.assertRaisesRegex(ValidationError, "between 2000 and 2100"),
            self.cr.savepoint(),
        ):
            self._need("Bug fixes", 1600, year=23)

    def test_commons_user_cannot_change_needs(self):
        need = self._need("Bug fixes", 1600)
        as_user = need.with_user(self.commons_user)
        self.assertEqual(as_user.amount, 1600)
        with self.assertRaises(AccessError):
            as_user.amount = 1
        with self.assertRaises(AccessError):
            self.env["commons.resource.need"].with_user(self.commons_user).create(
                {
                    "resource_id": self.loot.id,
                    "year": 2023,
                    "category_id": self.cat_bug.id,
                    "name": "Sneaky",
                    "amount": 1,
                }
            )

    def test_needs_history_in_resource_chatter(self):
        need = self._need("Test server hosting", 800, category=self.cat_hosting)
        self.assertIn("Test server hosting", self.loot.message_ids[0].body)
        self.assertIn("800.00", self.loot.message_ids[0].body)
        need.amount = 950
        self.assertIn("Needs changed", self.loot.message_ids[0].body)
        self.assertIn("950.00", self.loot.message_ids[0].body)
        need.unlink()
        self.assertIn("Needs removed", self.loot.message_ids[0].body)

    def test_error_is_translated_for_a_french_user(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(
            ["compte_commun_communs"], ["fr_FR"]
        )
        # a French user's requests carry their language in the context
        self.Need = self.Need.with_context(lang="fr_FR")
        with (
            self.assertRaisesRegex(ValidationError, "doit être positif"),
            self.cr.savepoint(),
        ):
            self._need("Hébergement", -800, category=self.cat_hosting)

# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from psycopg2 import IntegrityError

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import CommonsCase


@tagged("post_install", "-at_install")
class TestCommonsResource(CommonsCase):
    def test_resource_gets_its_analytic_account(self):
        loot = self._create_resource("Logiciel LOOT", "LOOT")
        account = loot.analytic_account_id
        self.assertTrue(account)
        self.assertEqual(account.name, "Logiciel LOOT")
        self.assertEqual(account.code, "LOOT")
        self.assertEqual(account.company_id, self.company)
        self.assertEqual(
            account.plan_id,
            self.env.ref("compte_commun_communs.account_analytic_plan_commons"),
        )
        other = self._create_resource("Movilab", "MOVILAB")
        self.assertNotEqual(other.analytic_account_id, account)

    def test_rename_and_archive_follow_on_account(self):
        loot = self._create_resource("LOOT", "LOOT").with_user(self.accountant)
        account = loot.analytic_account_id
        loot.write({"name": "Logiciel LOOT", "code": "LOOT-SW"})
        self.assertEqual(account.name, "Logiciel LOOT")
        self.assertEqual(account.code, "LOOT-SW")
        loot.action_archive()
        self.assertFalse(account.active)
        loot.action_unarchive()
        self.assertTrue(account.active)

    def test_unused_resource_is_deleted_with_its_account(self):
        loot = self._create_resource("LOOT", "LOOT")
        account = loot.analytic_account_id
        loot.with_user(self.accountant).unlink()
        self.assertFalse(loot.exists())
        self.assertFalse(account.exists())

    def test_delete_refused_once_ledger_references_account(self):
        loot = self._create_resource("LOOT", "LOOT")
        self._donate(loot, 3000, "2023-02-15")
        with self.assertRaisesRegex(UserError, "archive it instead"):
            loot.with_user(self.accountant).unlink()
        self.assertTrue(loot.exists())
        self.assertTrue(loot.analytic_account_id.exists())

    def test_delete_refused_with_draft_bill(self):
        """A draft bill has no analytic line yet, but it references the account."""
        loot = self._create_resource("LOOT", "LOOT")
        self._bill(loot, 500, "2023-06-01", post=False)
        with self.assertRaisesRegex(UserError, "archive it instead"):
            loot.with_user(self.accountant).unlink()
        self.assertTrue(loot.exists())

    def test_code_unique_per_company(self):
        self._create_resource("LOOT", "LOOT")
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            self._create_resource("Another LOOT", "LOOT")

    def test_earmarked_donation_line_gets_resource_distribution(self):
        loot = self._create_resource("LOOT", "LOOT")
        donation = self._donate(loot, 1460, "2023-03-20")
        self.assertEqual(
            donation.line_ids.analytic_distribution,
            {str(loot.analytic_account_id.id): 100.0},
        )
        income = donation.move_id.line_ids.filtered(lambda line: line.credit)
        self.assertEqual(
            income.analytic_line_ids[self.plan_column], loot.analytic_account_id
        )
        self.assertEqual(loot.with_user(self.accountant).donation_count, 1)
        action = loot.with_user(self.accountant).action_view_donations()
        self.assertEqual(
            self.env["donation.donation"].search(action["domain"]), donation
        )

# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import HttpCase, tagged

from .common import CommonsCase


@tagged("post_install", "-at_install")
class TestCommonsTour(CommonsCase, HttpCase):
    def test_accountant_reads_loot_2023_figures(self):
        loot = self._create_loot_2023()
        for amount, date in (
            (3000, "2023-02-15"),
            (1460, "2023-03-20"),
            (1140, "2023-04-05"),
        ):
            self._donate(loot, amount, date)
        self.env["commons.resource.need"].create(
            {
                "resource_id": loot.id,
                "year": 2024,
                "category_id": self.cat_security.id,
                "name": "Security audit",
                "amount": 1500,
            }
        )
        settings = self.env["res.users.settings"]._find_or_create_for_user(
            self.accountant
        )
        settings.commons_figures_year = 2024
        self.start_tour(
            "/odoo",
            "compte_commun_communs_resource_figures",
            login="commons_accountant",
        )
        self.assertEqual(settings.commons_figures_year, 2023)

    def test_accountant_splits_a_gift_by_unmet_needs(self):
        self.company.commons_host_fee_rate = 5.0
        for name, code in (("DOKOS", "DOKOS"), ("Movilab", "MOVILAB")):
            resource = self._create_resource(name, code)
            self.env["commons.resource.need"].create(
                {
                    "resource_id": resource.id,
                    "year": 2023,
                    "category_id": self.cat_dev.id,
                    "name": "Development",
                    "amount": 1000,
                }
            )
        self.env["res.partner"].create(
            {"name": "Claire Dubois", "email": "claire@example.org"}
        )
        self.accountant.context_donation_payment_method_line_id = self.donation_method
        self.start_tour(
            "/odoo",
            "compte_commun_communs_donation_prorata",
            login="commons_accountant",
        )
        donation = self.env["donation.donation"].search(
            [("partner_id.name", "=", "Claire Dubois")]
        )
        self.assertEqual(donation.state, "done")
        self.assertEqual(donation.line_ids.mapped("amount"), [50.0, 50.0])

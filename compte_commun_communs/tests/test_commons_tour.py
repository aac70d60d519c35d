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
        self.start_tour(
            "/odoo",
            "compte_commun_communs_resource_figures",
            login="commons_accountant",
        )

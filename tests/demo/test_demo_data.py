"""Checks of the demo database that setup/test builds as a newcomer would: the addon
installed with its demo data on Odoo's generic chart of accounts, then updated
once more (what a second setup/run does). They read the demo; the addon's own
tests never do."""

from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestDemoData(TransactionCase):
    def _done_donations(self):
        return self.env["donation.donation"].search([("state", "=", "done")])

    def test_every_validated_donation_equals_its_entry(self):
        donations = self._done_donations()
        self.assertEqual(len(donations), 6)
        for donation in donations:
            booked = -sum(
                donation.move_id.line_ids.filtered(
                    lambda item: item.display_type == "product"
                ).mapped("balance")
            )
            self.assertEqual(donation.move_id.state, "posted", donation.number)
            self.assertAlmostEqual(
                donation.amount_total_company_currency, booked, 2, donation.number
            )

    def test_fundings_total_after_an_update(self):
        lines = self.env["donation.line"].search([("state", "=", "done")])
        self.assertAlmostEqual(sum(lines.mapped("amount_company_currency")), 38900)
        self.assertFalse(lines.filtered(lambda line: not line.commons_resource_id))
        claire = self.env.ref("compte_commun_communs.donation_claire_2024_demo")
        self.assertEqual(len(claire.line_ids), 3)
        self.assertAlmostEqual(claire.amount_total, 300)

    def test_loot_2023_is_fully_funded(self):
        loot = self.env.ref("compte_commun_communs.commons_resource_loot_demo")
        loot = loot.with_context(commons_year=2023)
        self.assertAlmostEqual(loot.amount_funded, 5600)
        self.assertAlmostEqual(loot.coverage, 100)

    def test_the_host_is_anis_and_speaks_french(self):
        company = self.env.ref("base.main_company")
        self.assertEqual(company.name, "ANIS")
        self.assertTrue(company.logo)
        self.assertEqual(company.commons_accounts_origin, "by_type")
        self.assertEqual(company.partner_id.lang, "fr_FR")
        claire = self.env.ref("compte_commun_communs.donation_claire_2024_demo")
        self.assertEqual(claire.partner_id.lang, "fr_FR")
        # validated in French: the entry's labels and the chatter
        fee_items = self.env["account.move.line"].search(
            [("move_id", "in", self._done_donations().move_id.ids)]
        )
        self.assertTrue(
            any(
                label.startswith("Frais de gestion")
                for label in fee_items.mapped("name")
            ),
            fee_items.mapped("name"),
        )
        self.assertTrue(
            any("besoins non couverts" in (m.body or "") for m in claire.message_ids),
            claire.message_ids.mapped("body"),
        )

    def test_receipts_wait_in_the_queue_for_the_running_server(self):
        donations = self._done_donations()
        self.assertEqual(set(donations.mapped("commons_receipt_state")), {"queued"})
        self.assertFalse(donations.commons_receipt_attachment_id)
        # nothing is missing to issue them: the host's legal identity, the
        # donors' addresses, the payment mode of the payment method
        for donation in donations:
            self.assertEqual(
                donation._get_commons_receipt_missing(), [], donation.number
            )

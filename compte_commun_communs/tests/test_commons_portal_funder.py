# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from urllib.parse import urlparse

from lxml import html

from odoo.tests import HttpCase, tagged

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import CommonsCase


@tagged("post_install", "-at_install")
class TestCommonsPortal(CommonsCase, HttpCase):
    """What a funder sees of their donations in /my/fundings."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.loot = cls._create_loot_2023()
        cls.loot.write({"host_fee_override": True, "host_fee_override_rate": 8})
        cls.funder_user = mail_new_test_user(
            cls.env,
            login="commons_funder",
            name="Opteos Funder",
            email="funder@opteos.example",
            groups="base.group_portal",
        )
        cls.funder_user.partner_id.write({"street": "20 rue de Paris", "city": "Lille"})
        cls.own_donation = cls._donate(
            cls.loot,
            1000,
            "2023-03-20",
            partner=cls.funder_user.partner_id,
            number="OWN-FUNDER-0001",
        )
        cls.other_donation = cls._donate(
            cls.loot, 3000, "2023-02-15", number="OTHER-FUNDER-0001"
        )

    def setUp(self):
        super().setUp()
        self.authenticate("commons_funder", "commons_funder")

    def test_fundings_list_shows_only_own_donations(self):
        response = self.url_open("/my/fundings")
        self.assertEqual(response.status_code, 200)
        rows = html.fromstring(response.text).xpath(
            "//tr[contains(@class, 'o_commons_funding_row')]"
        )
        self.assertEqual(len(rows), 1)
        text = " ".join(rows[0].text_content().split())
        self.assertIn("OWN-FUNDER-0001", text)
        self.assertIn("1,000.00", text)
        self.assertIn("80.00", text)
        self.assertIn("920.00", text)
        self.assertIn("Private donation", text)
        self.assertNotIn("OTHER-FUNDER-0001", response.text)

    def test_fundings_list_hides_drafts_and_shows_cancelled(self):
        draft = self.own_donation.copy({"number": "OWN-DRAFT-0001"})
        self.assertEqual(draft.state, "draft")
        self.own_donation.with_user(self.accountant).done2cancel(reason="Returned")
        response = self.url_open("/my/fundings")
        self.assertNotIn("OWN-DRAFT-0001", response.text)
        row = html.fromstring(response.text).xpath(
            "//tr[contains(@class, 'o_commons_funding_row')]"
        )[0]
        self.assertIn("Cancelled", row.text_content())
        response = self.url_open(f"/my/fundings/{draft.id}")
        self.assertEqual(urlparse(response.url).path, "/my")

    def test_home_counts_fundings(self):
        counters = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["commons_funding_count"]}
        )
        self.assertEqual(counters["commons_funding_count"], 1)
        response = self.url_open("/my")
        self.assertIn('href="/my/fundings"', response.text)

    def test_funding_page_shows_split_and_fee(self):
        response = self.url_open(f"/my/fundings/{self.own_donation.id}")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            urlparse(response.url).path, f"/my/fundings/{self.own_donation.id}"
        )
        page = html.fromstring(response.text)
        split = " ".join(
            page.xpath("//table[@name='commons_split']")[0].text_content().split()
        )
        self.assertIn("Logiciel LOOT", split)
        self.assertIn("80.00", split)
        self.assertIn("(8.00 %)", split)
        self.assertIn("920.00", split)
        fee = page.xpath("//*[contains(@class, 'o_commons_funding_fee')]")[0]
        self.assertIn("80.00", fee.text_content())
        breadcrumb = " ".join(
            page.xpath("//ol[contains(@class, 'o_portal_submenu')]")[0]
            .text_content()
            .split()
        )
        self.assertIn("Fundings OWN-FUNDER-0001", breadcrumb)
        self.assertTrue(page.xpath("//a[contains(@href, '/receipt')]"))

    def test_other_funders_donation_redirects_home(self):
        for url in (
            f"/my/fundings/{self.other_donation.id}",
            f"/my/fundings/{self.other_donation.id}/receipt",
            "/my/fundings/999999999",
        ):
            response = self.url_open(url)
            self.assertEqual(urlparse(response.url).path, "/my", url)
            self.assertNotIn("OTHER-FUNDER-0001", response.text, url)

    def test_receipt_is_the_tax_receipt_as_emailed(self):
        receipt = self.own_donation.tax_receipt_id
        self.assertTrue(receipt, "a private donation gets a tax receipt")
        self._run_receipt_queue()
        emailed = self.env["mail.mail"].search(
            [("model", "=", receipt._name), ("res_id", "=", receipt.id)]
        )
        response = self.url_open(
            f"/my/fundings/{self.own_donation.id}/receipt?download=true"
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment;", response.headers["Content-Disposition"])
        self.assertIn(
            f"Tax receipt {receipt.number}", response.headers["Content-Disposition"]
        )
        # the very file that was emailed, however often it is downloaded
        self.assertEqual(response.content, emailed.attachment_ids.raw)
        again = self.url_open(f"/my/fundings/{self.own_donation.id}/receipt")
        self.assertEqual(again.content, response.content)
        self.assertIn(receipt.number, response.text)
        self.assertIn("Logiciel LOOT", response.text)

    def test_receipt_is_the_acknowledgement_without_tax_receipt(self):
        # Public bodies give grants, which get no tax receipt.
        self.funder_user.partner_id.commons_funder_type = "public"
        grant = self._donate(
            self.loot,
            500,
            "2023-05-10",
            partner=self.funder_user.partner_id,
            number="OWN-GRANT-0001",
        )
        self.assertFalse(grant.tax_receipt_id)
        response = self.url_open(f"/my/fundings/{grant.id}/receipt")
        self.assertEqual(response.status_code, 200)
        self.assertIn("inline;", response.headers["Content-Disposition"])
        self.assertIn("Acknowledgement of funds received", response.text)
        self.assertIn("OWN-GRANT-0001", response.text)
        # downloaded before the queue ran: the queue emails that same file
        self._run_receipt_queue()
        self.assertEqual(grant.commons_receipt_attachment_id.raw, response.content)

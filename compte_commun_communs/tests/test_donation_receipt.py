# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import tagged

from .common import CommonsCase


@tagged("post_install", "-at_install")
class TestDonationReceipt(CommonsCase):
    """Receipts go out by themselves, queued with their PDF, in the donor's language."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.loot = cls._create_loot_2023()
        cls.ademe = cls.env["res.partner"].create(
            {
                "name": "ADEME",
                "email": "subventions@ademe.example",
                "commons_funder_type": "public",
            }
        )
        cls.claire = cls.env["res.partner"].create(
            {"name": "Claire Dubois", "email": "claire@example.org"}
        )

    def _queued_mails(self, record):
        return self.env["mail.mail"].search(
            [("model", "=", record._name), ("res_id", "=", record.id)]
        )

    def test_grant_is_acknowledged_by_a_queued_mail_with_the_pdf(self):
        donation = self._donate(self.loot, 3000, "2023-02-15", partner=self.ademe)
        self.assertFalse(donation.tax_receipt_id)
        self.assertEqual(donation.commons_receipt_state, "sent")
        mail = self._queued_mails(donation)
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.state, "outgoing")
        self.assertEqual(mail.recipient_ids, self.ademe)
        self.assertIn("Logiciel LOOT", mail.body_html)
        self.assertEqual(len(mail.attachment_ids), 1)
        self.assertTrue(mail.attachment_ids.name.startswith("Acknowledgement"))
        # the attached report lists the resource and says it is no tax receipt
        content = mail.attachment_ids.raw.decode()
        self.assertIn("Logiciel LOOT", content)
        self.assertIn("not a tax receipt", content)

    def test_private_gift_gets_its_tax_receipt_by_mail(self):
        donation = self._donate(self.loot, 150, "2023-03-01", partner=self.claire)
        receipt = donation.tax_receipt_id
        self.assertTrue(receipt)
        self.assertEqual(receipt.amount, 150)
        self.assertFalse(self._queued_mails(donation))
        mail = self._queued_mails(receipt)
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.recipient_ids, self.claire)
        self.assertIn(receipt.number, mail.subject)
        self.assertEqual(len(mail.attachment_ids), 1)
        content = mail.attachment_ids.raw.decode()
        self.assertIn(receipt.number, content)
        self.assertIn("Logiciel LOOT", content)

    def test_donor_without_email_waits_and_the_accountant_sees_why(self):
        anonymous = self.env["res.partner"].create({"name": "Jean Sans Adresse"})
        donation = self._donate(self.loot, 50, "2023-03-01", partner=anonymous)
        self.assertEqual(donation.commons_receipt_state, "waiting")
        self.assertFalse(self._queued_mails(donation.tax_receipt_id))
        activity = donation.activity_ids
        self.assertEqual(activity.user_id, self.accountant)
        self.assertIn("no email address", activity.note)
        anonymous.email = "jean@example.org"
        donation.with_user(self.accountant).action_send_commons_receipt()
        self.assertEqual(donation.commons_receipt_state, "sent")
        self.assertFalse(donation.activity_ids)
        self.assertEqual(len(self._queued_mails(donation.tax_receipt_id)), 1)

    def test_annual_receipt_is_mailed_when_generated(self):
        self.claire.tax_receipt_option = "annual"
        first = self._donate(self.loot, 100, "2023-03-01", partner=self.claire)
        second = self._donate(self.loot, 60, "2023-09-01", partner=self.claire)
        self.assertFalse(first.tax_receipt_id)
        # the acknowledgement goes now, the tax receipt at the end of the year
        self.assertEqual(len(self._queued_mails(first)), 1)
        wizard = (
            self.env["tax.receipt.annual.create"]
            .with_user(self.accountant)
            .create({"start_date": "2023-01-01", "end_date": "2023-12-31"})
        )
        wizard.generate_annual_receipts()
        receipt = first.tax_receipt_id
        self.assertEqual(receipt, second.tax_receipt_id)
        self.assertEqual(receipt.amount, 160)
        mail = self._queued_mails(receipt)
        self.assertEqual(len(mail), 1)
        self.assertEqual(len(mail.attachment_ids), 1)

    def test_receipt_is_written_in_french_for_a_french_donor(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(
            ["compte_commun_communs"], ["fr_FR"]
        )
        self.ademe.lang = "fr_FR"
        donation = self._donate(self.loot, 3000, "2023-02-15", partner=self.ademe)
        mail = self._queued_mails(donation)
        self.assertIn("Nous avons reçu", mail.body_html)
        self.assertIn("Subvention publique", mail.attachment_ids.raw.decode())
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html(
                "compte_commun_communs.donation_donation_report_acknowledgement",
                donation.ids,
            )[0]
            .decode()
        )
        self.assertIn("Attestation de réception de fonds", html)
        self.assertIn("Frais de gestion", html)
        self.assertIn("3\xa0000,00", html)  # French digit grouping

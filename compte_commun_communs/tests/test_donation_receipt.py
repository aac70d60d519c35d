# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from unittest.mock import patch

from odoo.tests import tagged

from .common import CommonsCase


@tagged("post_install", "-at_install")
class TestDonationReceipt(CommonsCase):
    """Receipts go out through a queue with their stored PDF, in the donor's
    language, and their state is the one of the email."""

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
            {
                "name": "Claire Dubois",
                "email": "claire@example.org",
                "street": "8 rue Mercière",
                "zip": "69002",
                "city": "Lyon",
            }
        )

    def _mails(self, record):
        """The emails of the record to its funder (followers get their copy)."""
        return self.env["mail.mail"].search(
            [
                ("model", "=", record._name),
                ("res_id", "=", record.id),
                ("recipient_ids", "in", record._get_commons_receipt_partner().ids),
            ]
        )

    def _send_mail_queue(self, fail=None):
        """What the cron "Mail: Email Queue Manager" does, with a mail server that
        accepts every email or, given ``fail``, refuses the connection."""
        mails = self.env["mail.mail"].search([("state", "=", "outgoing")])
        server = type(self.env["ir.mail_server"])
        with (
            patch.object(server, "connect", side_effect=fail),
            patch.object(server, "send_email", return_value="<receipt@test>"),
        ):
            mails.send()

    def test_grant_acknowledgement_is_queued_then_sent_with_its_stored_pdf(self):
        donation = self._donate(self.loot, 3000, "2023-02-15", partner=self.ademe)
        self.assertFalse(donation.tax_receipt_id)
        # validation only queues it: nothing is rendered nor said to be sent
        self.assertEqual(donation.commons_receipt_state, "queued")
        self.assertFalse(self._mails(donation))
        self.assertFalse(donation.commons_receipt_attachment_id)
        self._run_receipt_queue()
        document = donation.commons_receipt_attachment_id
        self.assertTrue(document.name.startswith("Acknowledgement"))
        mail = self._mails(donation)
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.state, "outgoing")
        self.assertEqual(mail.recipient_ids, self.ademe)
        self.assertIn("Logiciel LOOT", mail.body_html)
        # the email carries the stored document, not another rendering of it
        self.assertEqual(len(mail.attachment_ids), 1)
        self.assertEqual(mail.attachment_ids.raw, document.raw)
        content = document.raw.decode()
        self.assertIn("Logiciel LOOT", content)
        self.assertIn("not a tax receipt", content)
        # still queued until the mail server took it
        self.assertEqual(donation.commons_receipt_state, "queued")
        self._send_mail_queue()
        self.assertEqual(donation.commons_receipt_state, "sent")

    def test_failed_email_says_failed_and_the_accountant_is_told(self):
        donation = self._donate(self.loot, 3000, "2023-02-15", partner=self.ademe)
        self._run_receipt_queue()
        self._send_mail_queue(fail=ConnectionRefusedError(111, "Connection refused"))
        self.assertEqual(self._mails(donation).state, "exception")
        self.assertEqual(donation.commons_receipt_state, "failed")
        activity = donation.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.accountant)
        self.assertIn("Connection refused", activity.note)
        # once the mail server is fixed, the accountant sends it again
        donation.with_user(self.accountant).action_send_commons_receipt()
        self.assertEqual(donation.commons_receipt_state, "queued")
        self.assertFalse(donation.activity_ids)
        document = donation.commons_receipt_attachment_id
        self._run_receipt_queue()
        self._send_mail_queue()
        self.assertEqual(donation.commons_receipt_state, "sent")
        # the same document went out again
        self.assertEqual(donation.commons_receipt_attachment_id, document)
        self.assertEqual(len(self._mails(donation)), 2)

    def test_private_gift_gets_its_tax_receipt_by_mail(self):
        donation = self._donate(self.loot, 150, "2023-03-01", partner=self.claire)
        receipt = donation.tax_receipt_id
        self.assertTrue(receipt)
        self.assertEqual(receipt.amount, 150)
        self._run_receipt_queue()
        self.assertFalse(self._mails(donation))
        mail = self._mails(receipt)
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.recipient_ids, self.claire)
        self.assertIn(receipt.number, mail.subject)
        self.assertEqual(
            mail.attachment_ids.raw, receipt.commons_receipt_attachment_id.raw
        )
        self.assertIn(receipt.number, mail.attachment_ids.raw.decode())
        self.assertEqual(donation.commons_receipt_state, "queued")
        self._send_mail_queue()
        self.assertEqual(donation.commons_receipt_state, "sent")
        self.assertEqual(receipt.commons_receipt_state, "sent")
        # a second run of the queue sends nothing again
        self._run_receipt_queue()
        self.assertEqual(len(self._mails(receipt)), 1)

    def test_donor_without_email_waits_and_the_accountant_sees_why(self):
        anonymous = self.env["res.partner"].create(
            {
                "name": "Jean Sans Adresse",
                "street": "1 place du Marché",
                "city": "Arras",
            }
        )
        donation = self._donate(self.loot, 50, "2023-03-01", partner=anonymous)
        self.assertEqual(donation.commons_receipt_state, "waiting")
        self._run_receipt_queue()
        self.assertFalse(self._mails(donation.tax_receipt_id))
        activity = donation.activity_ids
        self.assertEqual(activity.user_id, self.accountant)
        self.assertIn("an email address for Jean Sans Adresse", activity.note)
        anonymous.email = "jean@example.org"
        donation.with_user(self.accountant).action_send_commons_receipt()
        self.assertEqual(donation.commons_receipt_state, "queued")
        self.assertFalse(donation.activity_ids)
        self._run_receipt_queue()
        self.assertEqual(len(self._mails(donation.tax_receipt_id)), 1)

    def test_annual_receipt_is_mailed_when_generated(self):
        self.claire.tax_receipt_option = "annual"
        first = self._donate(self.loot, 100, "2023-03-01", partner=self.claire)
        second = self._donate(self.loot, 60, "2023-09-01", partner=self.claire)
        self.assertFalse(first.tax_receipt_id)
        # the acknowledgement goes now, the tax receipt at the end of the year
        self._run_receipt_queue()
        self.assertEqual(len(self._mails(first)), 1)
        wizard = (
            self.env["tax.receipt.annual.create"]
            .with_user(self.accountant)
            .create({"start_date": "2023-01-01", "end_date": "2023-12-31"})
        )
        wizard.generate_annual_receipts()
        receipt = first.tax_receipt_id
        self.assertEqual(receipt, second.tax_receipt_id)
        self.assertEqual(receipt.amount, 160)
        self.assertEqual(receipt.commons_receipt_state, "queued")
        self._run_receipt_queue()
        mail = self._mails(receipt)
        self.assertEqual(len(mail), 1)
        self.assertEqual(len(mail.attachment_ids), 1)
        self._send_mail_queue()
        self.assertEqual(receipt.commons_receipt_state, "sent")
        # the donations keep the state of their acknowledgement
        self.assertEqual(first.commons_receipt_state, "sent")

    def test_receipt_is_written_in_french_for_a_french_donor(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(
            ["compte_commun_communs"], ["fr_FR"]
        )
        self.ademe.lang = "fr_FR"
        donation = self._donate(self.loot, 3000, "2023-02-15", partner=self.ademe)
        self._run_receipt_queue()
        mail = self._mails(donation)
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

    def test_receipt_state_reads_in_the_host_language(self):
        """The mail queue's cron sends a receipt as the superuser, whose
        language is English, after an accountant who reads English validated
        it: the chatter of a French host says, in French, that it was
        sent."""
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(
            ["compte_commun_communs"], ["fr_FR"]
        )
        self.env.company.partner_id.lang = "fr_FR"
        self.env = self.env(
            context=dict(self.env.context, tracking_disable=False, mail_notrack=False)
        )
        donation = self._donate(self.loot, 3000, "2023-02-15", partner=self.ademe)
        self._run_receipt_queue()
        self._send_mail_queue()
        self.env.cr.precommit.run()
        self.assertEqual(donation.commons_receipt_state, "sent")
        tracked = donation.message_ids.tracking_value_ids.filtered(
            lambda value: value.field_id.name == "commons_receipt_state"
        )
        self.assertIn("Envoyé", tracked.mapped("new_value_char"))
        self.assertNotIn("Sent", tracked.mapped("new_value_char"))

    def test_cancelling_drops_a_receipt_not_sent_yet(self):
        donation = self._donate(self.loot, 3000, "2023-02-15", partner=self.ademe)
        self._run_receipt_queue()
        donation.with_user(self.accountant).done2cancel(reason="Transfer returned")
        self.assertEqual(donation.commons_receipt_state, "cancelled")
        self.assertEqual(self._mails(donation).state, "cancel")
        self._send_mail_queue()
        self.assertEqual(self._mails(donation).state, "cancel")

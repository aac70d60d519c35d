# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The emails of money out do not wait for Odoo's hourly mail queue: queueing
them has the queue sent now, as Odoo does for the emails that cannot wait."""

from datetime import timedelta

from odoo import fields
from odoo.tests import RecordCapturer, tagged

from .common import CommonsCase


@tagged("post_install", "-at_install")
class TestCommonsBillMailSoon(CommonsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.loot = cls._create_resource("Logiciel LOOT", "LOOT")
        cls._donate(cls.loot, 5000, "2023-02-15")
        cls.mail_queue = cls.env.ref("mail.ir_cron_mail_scheduler_action")

    def _bill_mails(self, bill, partner, subject):
        return (
            self.env["mail.mail"]
            .sudo()
            .search(
                [
                    ("model", "=", "account.move"),
                    ("res_id", "=", bill.id),
                    ("state", "=", "outgoing"),
                ]
            )
            .filtered(
                lambda mail: partner in mail.recipient_ids and subject in mail.subject
            )
        )

    def _assert_sent_soon(self, capture):
        """The mail queue's cron was triggered to run now, not in an hour."""
        self.assertTrue(capture.records, "the mail queue is triggered")
        self.assertLessEqual(
            max(capture.records.mapped("call_at")),
            fields.Datetime.now() + timedelta(minutes=1),
        )

    def _capture_queue_triggers(self):
        return RecordCapturer(
            self.env["ir.cron.trigger"].sudo(), [("cron_id", "=", self.mail_queue.id)]
        )

    def test_stewards_hear_of_a_submitted_bill_soon(self):
        bill = self._bill(self.loot, 1000, "2023-06-01", post=False)
        with self._capture_queue_triggers() as capture:
            bill.with_user(self.contributor).sudo().action_commons_submit()
        for steward in (self.steward, self.steward2):
            self.assertTrue(
                self._bill_mails(bill, steward.partner_id, "waits for your approval")
            )
        self._assert_sent_soon(capture)

    def test_contributor_hears_of_the_approval_soon(self):
        bill = self._bill(self.loot, 1000, "2023-06-01", post=False)
        bill.action_commons_submit()
        with self._capture_queue_triggers() as capture:
            self._approve(bill)
        self.assertTrue(
            self._bill_mails(bill, self.contributor.partner_id, "is approved")
        )
        self._assert_sent_soon(capture)

    def test_contributor_hears_of_a_sent_back_bill_soon(self):
        bill = self._bill(self.loot, 1000, "2023-06-01", post=False)
        bill.action_commons_submit()
        with self._capture_queue_triggers() as capture:
            bill.with_user(self.accountant).commons_send_back(
                "The legal mention of your VAT is missing."
            )
        self.assertTrue(self._bill_mails(bill, self.contributor.partner_id, ""))
        self._assert_sent_soon(capture)

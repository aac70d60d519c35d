# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models

RECEIPT_MODELS = ("donation.donation", "donation.tax.receipt")


class MailMail(models.Model):
    _inherit = "mail.mail"

    def _postprocess_sent_message(
        self, success_pids, failure_reason=False, failure_type=None
    ):
        """When the email of a funder's receipt fails, the user who asked for it
        gets an activity (its state already says "Failed")."""
        if failure_type and self.mail_message_id:
            self._notify_commons_receipt_failure(success_pids, failure_reason)
        return super()._postprocess_sent_message(
            success_pids, failure_reason=failure_reason, failure_type=failure_type
        )

    def _notify_commons_receipt_failure(self, success_pids, failure_reason):
        succeeded = self.env["res.partner"].concat(*success_pids)
        reasons = {
            mail.mail_message_id: failure_reason or mail.failure_reason for mail in self
        }
        for model in RECEIPT_MODELS:
            records = (
                self.env[model]
                .sudo()
                .with_context(active_test=False)
                .search(
                    [("commons_receipt_message_id", "in", self.mail_message_id.ids)]
                )
            )
            for record in records:
                if record._get_commons_receipt_partner() not in succeeded:
                    record._notify_commons_receipt_failure(
                        reasons[record.commons_receipt_message_id]
                    )

    @api.model
    def _commons_send_queue_soon(self):
        """Odoo's mail queue runs hourly: have it send what was just queued now,
        as Odoo does for the emails that cannot wait (a decision on a bill, a
        change of who decides, a tax receipt)."""
        self.env.ref("mail.ir_cron_mail_scheduler_action").sudo()._trigger()

# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models

RECEIPT_ACTIVITY = "compte_commun_communs.mail_activity_type_receipt_waiting"
RECEIPT_FAILED_ACTIVITY = "compte_commun_communs.mail_activity_type_receipt_failed"
# What the donor's email notification says, as a receipt state.
NOTIFICATION_RECEIPT_STATE = {
    "ready": "queued",
    "process": "queued",
    "pending": "queued",
    "sent": "sent",
    "exception": "failed",
    "bounce": "failed",
    "canceled": "failed",
}


class CommonsReceiptMixin(models.AbstractModel):
    """A document a funder receives by email with its PDF (an acknowledgement of
    funds received, a tax receipt).

    The PDF is generated once, stored on the record, attached to the email and
    served as such to the funder's portal: the funder always gets the same
    document. Sending goes through a queue (the cron "Commons: send receipts"),
    so that validating many donations does not wait for their PDFs, and the PDFs
    are rendered by the running server. The receipt state is never assumed: it
    follows the donor's email notification (queued, sent or failed).

    The models using the mixin say which report and mail template make their
    document (:meth:`_get_commons_receipt_report` and
    :meth:`_get_commons_receipt_template`) and who receives it
    (:meth:`_get_commons_receipt_partner`).
    """

    _name = "commons.receipt.mixin"
    _description = "Commons: document emailed to a funder"

    commons_receipt_state = fields.Selection(
        [
            ("none", "Not sent"),
            ("waiting", "Waiting for an email address"),
            ("queued", "Queued"),
            ("sent", "Sent"),
            ("failed", "Failed"),
            ("cancelled", "Cancelled"),
        ],
        string="Receipt",
        compute="_compute_commons_receipt_state",
        store=True,
        tracking=True,
        help="Queued: the receipt is being prepared or waits in the outgoing mail "
        "queue. Sent: the mail server accepted it. Failed: it could not be sent; "
        "see the activity, correct the cause and send it again. Waiting: the donor "
        "has no email address.",
    )
    # What was asked of the receipt; its state then follows the email.
    commons_receipt_request = fields.Selection(
        [("send", "Send"), ("wait", "Wait for an address"), ("cancel", "Cancelled")],
        readonly=True,
        copy=False,
    )
    commons_receipt_message_id = fields.Many2one(
        "mail.message",
        string="Receipt Email",
        readonly=True,
        copy=False,
        index="btree_not_null",
    )
    commons_receipt_attachment_id = fields.Many2one(
        "ir.attachment",
        string="Receipt Document",
        readonly=True,
        copy=False,
        help="The PDF as it was issued: the same file is emailed and downloaded.",
    )
    commons_receipt_user_id = fields.Many2one(
        "res.users",
        string="Receipt Requested By",
        readonly=True,
        copy=False,
        help="Who validated the donation or asked to send the receipt again: they "
        "get an activity when it cannot be sent.",
    )

    @api.depends(
        "commons_receipt_request",
        "commons_receipt_message_id.notification_ids.notification_status",
    )
    def _compute_commons_receipt_state(self):
        for record in self:
            request = record.commons_receipt_request
            message = record.commons_receipt_message_id
            if request == "cancel":
                state = "cancelled"
            elif message:
                partner = record._get_commons_receipt_partner()
                emails = message.notification_ids.filtered(
                    lambda n, p=partner: n.notification_type == "email"
                    and n.res_partner_id == p
                )
                # No email notification: the donor is a user reading Odoo's inbox.
                state = (
                    NOTIFICATION_RECEIPT_STATE[emails[:1].notification_status]
                    if emails
                    else "sent"
                )
            elif request == "send":
                state = "queued"
            elif request == "wait":
                state = "waiting"
            else:
                state = "none"
            record.commons_receipt_state = state

    def _get_commons_receipt_partner(self):
        """The partner who receives the document."""
        self.ensure_one()
        return self.partner_id

    def _get_commons_receipt_report(self):
        """XML id of the report that makes the document."""
        raise NotImplementedError

    def _get_commons_receipt_template(self):
        """XML id of the mail template that sends the document."""
        raise NotImplementedError

    def _get_commons_receipt_filename(self):
        """The document's file name, without extension."""
        raise NotImplementedError

    def _get_commons_receipt_attachment(self):
        """The document as it was issued: rendered the first time it is needed,
        then stored and always served as stored."""
        self.ensure_one()
        if not self.commons_receipt_attachment_id:
            content, report_type = (
                self.env["ir.actions.report"]
                .sudo()
                ._render_qweb_pdf(self._get_commons_receipt_report(), self.ids)
            )
            self.sudo().commons_receipt_attachment_id = (
                self.env["ir.attachment"]
                .sudo()
                .create(
                    {
                        "name": f"{self._get_commons_receipt_filename()}.{report_type}",
                        "raw": content,
                        "res_model": self._name,
                        "res_id": self.id,
                    }
                )
            )
        return self.commons_receipt_attachment_id

    def action_open_commons_receipt_document(self):
        """Download the document as it was issued (it is issued now if it was not
        yet)."""
        self.ensure_one()
        attachment = self._get_commons_receipt_attachment()
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "download",
        }

    def _queue_commons_receipt(self):
        """Ask the queue to email the document, or wait for the donor's email
        address (the user who asked gets an activity saying so)."""
        for record in self:
            record.activity_unlink([RECEIPT_ACTIVITY, RECEIPT_FAILED_ACTIVITY])
            partner = record._get_commons_receipt_partner()
            vals = {
                "commons_receipt_message_id": False,
                "commons_receipt_user_id": self.env.user.id,
            }
            if partner.email:
                vals["commons_receipt_request"] = "send"
            else:
                vals["commons_receipt_request"] = "wait"
                record.activity_schedule(
                    RECEIPT_ACTIVITY,
                    summary=self.env._("Receipt waiting for an email address"),
                    note=self.env._(
                        "%(donor)s has no email address: add one, then click “Send "
                        "Receipt”.",
                        donor=partner.display_name,
                    ),
                    user_id=self.env.user.id,
                )
            record.write(vals)
        if self.filtered(lambda r: r.commons_receipt_request == "send"):
            self.env.ref(
                "compte_commun_communs.ir_cron_commons_receipt_send"
            ).sudo()._trigger()

    def _send_commons_receipt_now(self):
        """Post the queued document to its recipient: the email goes to Odoo's
        outgoing mail queue with the stored PDF attached.

        :return: the posted messages
        """
        messages = self.env["mail.message"]
        for record in self:
            partner = record._get_commons_receipt_partner()
            if not partner.email:
                record._queue_commons_receipt()
                continue
            attachment = record._get_commons_receipt_attachment()
            # Sent in the name of who asked for it (the template's sender falls
            # back on them when the company has no email address).
            requester = record.commons_receipt_user_id or self.env.user
            message = record.with_user(requester).message_post_with_source(
                record._get_commons_receipt_template(),
                subtype_xmlid="mail.mt_comment",
                attachment_ids=attachment.ids,
                # Odoo's mail queue sends it, so that a slow or failing mail
                # server never blocks the receipts queue.
                force_send=False,
            )
            record.commons_receipt_message_id = message
            messages |= message
        return messages

    @api.model
    def _get_commons_receipts_to_send(self, limit=None):
        return self.search(
            [
                ("commons_receipt_request", "=", "send"),
                ("commons_receipt_message_id", "=", False),
            ],
            order="id",
            limit=limit,
        )

    def _cancel_commons_receipt_mail(self):
        """The document no longer holds: its state says so and no queued email
        leaves any more."""
        queued = self.filtered(
            lambda r: r.commons_receipt_state in ("queued", "waiting")
        ).commons_receipt_message_id.mail_ids.filtered(lambda m: m.state == "outgoing")
        queued.sudo().cancel()
        self.activity_unlink([RECEIPT_ACTIVITY, RECEIPT_FAILED_ACTIVITY])
        self.write({"commons_receipt_request": "cancel"})

    def _notify_commons_receipt_failure(self, reason):
        """The email of the document could not be sent: the user who asked for it
        gets an activity to correct the cause and send it again."""
        for record in self:
            record.activity_unlink([RECEIPT_FAILED_ACTIVITY])
            record.activity_schedule(
                RECEIPT_FAILED_ACTIVITY,
                summary=self.env._("Receipt email failed"),
                note=self.env._(
                    "The receipt could not be emailed to %(donor)s: %(reason)s. "
                    "Correct the cause (address, mail server), then click “Send "
                    "Receipt Again”.",
                    donor=record._get_commons_receipt_partner().display_name,
                    reason=reason or self.env._("unknown error"),
                ),
                user_id=(record.commons_receipt_user_id or self.env.user).id,
            )

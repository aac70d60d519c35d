# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import io
import logging

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools.pdf import PdfReader

_logger = logging.getLogger(__name__)

RECEIPT_ACTIVITY = "compte_commun_communs.mail_activity_type_receipt_waiting"
RECEIPT_FAILED_ACTIVITY = "compte_commun_communs.mail_activity_type_receipt_failed"
# How often a PDF is rendered before the queue gives up until its next run.
PDF_ATTEMPTS = 3
# The font of the reports' text (static/src/scss/commons_report.scss): a PDF set
# in it was rendered with the reports' style sheets.
REPORT_FONT = "DejaVuSans"
# The receipt's sending, which only the receipts' own methods write (as
# superuser, after their checks): nobody sets a receipt "sent" or swaps its
# document by a write, be it over RPC.
PIPELINE_FIELDS = {
    "commons_receipt_request",
    "commons_receipt_message_id",
    "commons_receipt_attachment_id",
    "commons_receipt_user_id",
}
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
            ("waiting", "Waiting"),
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
        "queue. Sent: the mail server accepted it. Failed: it could not be sent. "
        "Waiting: something it needs is missing (the donor's email address, the "
        "host's legal identity…). The activity says what to do, then send it "
        "again.",
    )
    # What was asked of the receipt; its state then follows the email.
    commons_receipt_request = fields.Selection(
        [("send", "Send"), ("wait", "Wait"), ("cancel", "Cancelled")],
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

    def write(self, vals):
        if PIPELINE_FIELDS & vals.keys() and not self.env.su:
            raise AccessError(
                self.env._(
                    "The sending of a receipt is only changed by its buttons (Send "
                    "Receipt, Cancel) and the receipts queue."
                )
            )
        return super().write(vals)

    @api.model
    def _get_commons_tracking_lang(self):
        """The language the chatter records a change of these documents in:
        the host's, whoever or whatever makes the change. A receipt's state
        follows its email, which the mail queue's cron sends as the
        superuser, whose language is not the host's. The models using the
        mixin track their changes in it (in their _message_track: the mixin
        comes after mail.thread in their classes).

        :return: the host's language code, or None to keep the writer's
        """
        langs = set(self.company_id.partner_id.mapped("lang"))
        return langs.pop() if len(langs) == 1 else None

    def _get_commons_unlocked_fields(self, method_fields):
        """The fields a locked record (a validated donation, an issued receipt)
        still lets change: its chatter and activities, its sending (which
        :meth:`write` guards), and what its own methods write as superuser.

        :param method_fields: the fields only the record's methods write
        :return: set of field names
        """
        unlocked = (
            PIPELINE_FIELDS
            | set(self.env["mail.thread"]._fields)
            | set(self.env["mail.activity.mixin"]._fields)
        )
        if self.env.su:
            unlocked |= method_fields
        return unlocked

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

    def _get_commons_document_missing(self):
        """What the document needs before it is issued, and is not set.

        :return: list of messages, each naming what to set; empty when the
            document can be issued
        """
        self.ensure_one()
        return []

    def _get_commons_receipt_missing(self):
        """What the document needs before it is issued and emailed, and is not
        set: see :meth:`_get_commons_document_missing`, and the donor's email."""
        self.ensure_one()
        missing = self._get_commons_document_missing()
        partner = self._get_commons_receipt_partner()
        if not partner.email:
            missing.append(
                self.env._("an email address for %(donor)s", donor=partner.display_name)
            )
        return missing

    def _get_commons_receipt_attachment(self):
        """The document as it was issued: rendered the first time it is needed,
        then stored and always served as stored.

        :raise UserError: when the document cannot be issued yet, or its PDF
            came out without its text or style
        """
        self.ensure_one()
        if not self.commons_receipt_attachment_id:
            missing = self._get_commons_document_missing()
            if missing:
                raise UserError(
                    self.env._(
                        "%(document)s cannot be issued yet: set %(missing)s.",
                        document=self.display_name,
                        missing="; ".join(missing),
                    )
                )
            content, report_type = self._render_commons_receipt()
            # Named in the language of its recipient, like the document.
            filename = self.with_context(
                lang=self._get_commons_receipt_partner().lang or self.env.lang
            )._get_commons_receipt_filename()
            self.sudo().commons_receipt_attachment_id = (
                self.env["ir.attachment"]
                .sudo()
                .create(
                    {
                        "name": f"{filename}.{report_type}",
                        "raw": content,
                        "res_model": self._name,
                        "res_id": self.id,
                    }
                )
            )
        return self.commons_receipt_attachment_id

    def _render_commons_receipt(self):
        """Render the document; a PDF is checked before it is kept for good.

        :return: (content, report type)
        """
        self.ensure_one()
        Report = self.env["ir.actions.report"].sudo()
        for _attempt in range(PDF_ATTEMPTS):
            content, report_type = Report._render_qweb_pdf(
                self._get_commons_receipt_report(), self.ids
            )
            if report_type != "pdf" or self._is_commons_receipt_pdf_complete(content):
                return content, report_type
            _logger.warning(
                "The PDF of %s came out without its text or style; rendering it "
                "again.",
                self.display_name,
            )
        raise UserError(
            self.env._(
                "The PDF of %(document)s could not be rendered with its text and "
                "style: the receipts queue will try again.",
                document=self.display_name,
            )
        )

    def _is_commons_receipt_pdf_complete(self, content):
        """Whether wkhtmltopdf rendered the document as designed: with the style
        sheets of the reports (their text is set in an installed font, so that
        it is real text) and the document's number in its text. Without them,
        for instance when a style sheet could not be fetched from the server, a
        PDF would be stored and sent that way for good."""
        reader = PdfReader(io.BytesIO(content))
        fonts = {
            str(font.get_object().get("/BaseFont"))
            for page in reader.pages
            for font in page["/Resources"].get("/Font", {}).values()
        }
        # Compared without spaces: a line break may split the number.
        text = "".join(
            "".join(page.extract_text() or "" for page in reader.pages).split()
        )
        number = "".join(self._get_commons_receipt_number().split())
        return any(REPORT_FONT in font for font in fonts) and number in text

    def _get_commons_receipt_number(self):
        """The document's number, printed in its text."""
        self.ensure_one()
        return self.number

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
        """Ask the queue to issue and email the document, or wait for what it
        needs (the donor's email address, the host's legal identity…): the user
        who asked gets an activity saying what to set."""
        for record in self:
            record.activity_unlink([RECEIPT_ACTIVITY, RECEIPT_FAILED_ACTIVITY])
            missing = record._get_commons_receipt_missing()
            vals = {
                "commons_receipt_message_id": False,
                "commons_receipt_user_id": self.env.user.id,
                "commons_receipt_request": "wait" if missing else "send",
            }
            if missing:
                record._schedule_commons_receipt_waiting(missing)
            record.sudo().write(vals)
        if self.filtered(lambda r: r.commons_receipt_request == "send"):
            self.env.ref(
                "compte_commun_communs.ir_cron_commons_receipt_send"
            ).sudo()._trigger()

    def _schedule_commons_receipt_waiting(self, missing):
        self.ensure_one()
        self.activity_schedule(
            RECEIPT_ACTIVITY,
            summary=self.env._("Receipt waiting"),
            note=self.env._(
                "The receipt is not sent yet. Set %(missing)s, then click “Send "
                "Receipt”.",
                missing="; ".join(missing),
            ),
            user_id=(self.commons_receipt_user_id or self.env.user).id,
        )

    def _send_commons_receipt_now(self):
        """Issue the queued documents and post them to their recipients: each
        email goes to Odoo's outgoing mail queue with the stored PDF attached. A
        document that cannot be issued yet waits (its activity says why); one
        whose PDF failed stays queued for the next run.

        :return: the posted messages
        """
        messages = self.env["mail.message"]
        for record in self:
            missing = record._get_commons_receipt_missing()
            if missing:
                record.sudo().commons_receipt_request = "wait"
                record._schedule_commons_receipt_waiting(missing)
                continue
            try:
                with self.env.cr.savepoint():
                    attachment = record._get_commons_receipt_attachment()
            except UserError as error:
                _logger.warning(
                    "Receipt of %s not sent: %s", record.display_name, error
                )
                continue
            # Sent in the name of who asked for it (the template's sender falls
            # back on them when the company has no email address).
            requester = record.commons_receipt_user_id or self.env.user
            # The donor is emailed even when the message is signed in their name
            # (the host funding a resource of its own).
            message = (
                record.with_user(requester)
                .with_context(mail_notify_author=True)
                .message_post_with_source(
                    record._get_commons_receipt_template(),
                    subtype_xmlid="mail.mt_comment",
                    attachment_ids=attachment.ids,
                    # Odoo's mail queue sends it, so that a slow or failing mail
                    # server never blocks the receipts queue.
                    force_send=False,
                )
            )
            record.sudo().commons_receipt_message_id = message
            messages |= message
        if messages:
            self.env["mail.mail"]._commons_send_queue_soon()
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
        self.sudo().write({"commons_receipt_request": "cancel"})

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

# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command, models
from odoo.exceptions import AccessError, UserError

from .commons_bill_intake import commons_form_field


class AccountMove(models.Model):
    """A contributor's bill in the portal: what the bill itself does there
    (its correction, its file, its status as the contributor reads it).
    Taking a bill in, file and form, is commons.bill.intake's."""

    _inherit = "account.move"  # pylint: disable=consider-merging-classes-inherited

    # -- The contributor's corrections -------------------------------------------

    def _check_commons_portal_contributor(self):
        """The current user is the bill's contributor, and the bill can still be
        corrected or withdrawn by them."""
        self.ensure_one()
        bill = self.sudo()
        if (
            self.env.user.partner_id.commercial_partner_id != bill.commercial_partner_id
            or not bill.commons_resource_id
        ):
            raise AccessError(self.env._("This bill is not one of yours."))
        if not bill._is_commons_portal_correctable():
            raise UserError(
                self.env._(
                    "%(bill)s can no longer be corrected: it is %(state)s.",
                    bill=bill.ref or bill.display_name,
                    state=bill._get_commons_portal_status()["label"],
                )
            )

    def _attach_commons_invoice_file(self, filename, content, mimetype):
        """Attach the file in the bill's chatter and make it the bill's main
        document."""
        self.ensure_one()
        bill = self.sudo().with_context(no_new_invoice=True)
        message = bill.message_post(
            body=self.env._("Invoice file sent by the contributor."),
            attachments=[(filename, content)],
            author_id=self.env.user.partner_id.id,
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        attachment = message.attachment_ids[:1]
        bill._message_set_main_attachment_id(
            attachment, force=True, filter_xml=mimetype != "application/xml"
        )
        return attachment

    def _update_commons_portal_bill(self, values):
        """The contributor corrects a bill not approved yet and sends it to the
        stewards again. Without a new file, the bill keeps its own.

        :param values: as for _create_commons_bill; filename and
            content optional
        """
        self.ensure_one()
        self._check_commons_portal_contributor()
        bill = self.sudo()
        intake = self.env["commons.bill.intake"]
        filename = values.get("filename")
        content = values.get("content")
        mimetype = None
        if content or filename:
            with commons_form_field("invoice_file"):
                mimetype = intake._check_commons_invoice_file(filename, content)
            filename = intake._get_commons_invoice_filename(filename, mimetype)
        if not mimetype:
            attachment = bill.message_main_attachment_id
            filename, content = attachment.name, attachment.raw
        einvoice = intake._parse_commons_einvoice(bill.company_id, filename, content)
        with self.env.cr.savepoint():
            vals = intake._prepare_commons_bill_values(
                bill.commons_resource_id, bill.company_id, values, bill.partner_id
            )
            vals["invoice_line_ids"] = [
                Command.delete(line.id) for line in bill.invoice_line_ids
            ] + vals["invoice_line_ids"]
            bill.write(vals)
            bill._check_commons_portal_bill(filename, content, mimetype, einvoice)
            bill.sudo().message_post(
                body=self.env._(
                    "Corrected by %(user)s.", user=self.env.user.partner_id.name
                ),
                author_id=self.env.user.partner_id.id,
                subtype_xmlid="mail.mt_note",
            )
            bill.action_commons_submit()
        return bill

    def _check_commons_portal_bill(self, filename, content, mimetype, einvoice):
        """What the portal checks of its own, before the bill goes to the
        stewards (action_commons_submit then checks the rules of every bill):
        the e-invoice in the file says what the contributor typed; with a
        mimetype, the file is new and attached."""
        self.ensure_one()
        with commons_form_field("invoice_file"):
            self.env["commons.bill.intake"]._check_commons_einvoice(
                self, filename, einvoice
            )
        if mimetype:
            self._attach_commons_invoice_file(filename, content, mimetype)

    # -- What the contributor sees ----------------------------------------------

    def _is_commons_portal_correctable(self):
        """Whether the contributor may still correct or withdraw the bill."""
        self.ensure_one()
        bill = self.sudo()
        return (
            bill.state == "draft"
            and bill.commons_bill_state in bill._get_commons_correctable_states()
        )

    def _get_commons_portal_status(self):
        """The bill's status as its contributor sees it.

        :return: {"code": submitted|approved|rejected|returned|posted|partial|
            paid|withdrawn|cancelled|draft, "label": str, "reason": str or
            False, "date": date or False (the payment's, when paid)}
        """
        self.ensure_one()
        bill = self.sudo()
        labels = {
            "draft": self.env._("Not submitted"),
            "submitted": self.env._("Waiting for the stewards"),
            "approved": self.env._("Approved"),
            "rejected": self.env._("Rejected"),
            "returned": self.env._("Sent back"),
            "posted": self.env._("Recorded by the host"),
            "partial": self.env._("Partly paid"),
            "paid": self.env._("Paid"),
            "withdrawn": self.env._("Withdrawn"),
            "cancelled": self.env._("Cancelled"),
        }
        # The bill's commons_status, as the contributor reads it. In payment
        # is paid to them: its money is sent, only the host's bank statement
        # is not matched yet (Odoo's portal reads it paid too).
        code = {
            False: "draft",
            "cancel": "cancelled",
            "in_payment": "paid",
            "reversed": "posted",
        }.get(bill.commons_status, bill.commons_status)
        date = code in ("partial", "paid") and bill._get_commons_payment_date()
        return {
            "code": code,
            "label": labels[code],
            "reason": bill.commons_state_reason
            if code in ("rejected", "returned")
            else False,
            "date": date,
        }

    def _get_commons_payment_date(self):
        """The date of the bill's latest payment, reconciled or not: of the
        entries reconciled with what it owes (as its payments widget reads
        them), and of the payments matched to it that are not yet. Read
        through the ORM's fields, so that a page of bills reads them for all
        its bills at once (the widget queries once per bill)."""
        self.ensure_one()
        bill = self.sudo()
        dates = []
        for line in bill.line_ids:
            if line.account_type not in ("asset_receivable", "liability_payable"):
                continue
            dates += [
                partial.credit_move_id.date for partial in line.matched_credit_ids
            ]
            dates += [partial.debit_move_id.date for partial in line.matched_debit_ids]
        dates += [
            payment.date
            for payment in bill.matched_payment_ids
            if payment.state in ("in_process", "paid")
        ]
        return max(dates) if dates else False

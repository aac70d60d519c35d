# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models
from odoo.exceptions import UserError

# How many documents one run of the receipt queue renders and emails.
RECEIPT_BATCH = 20


class DonationDonation(models.Model):
    """The receipt of a donation: its tax receipt when one is issued for it,
    otherwise an acknowledgement of funds received."""

    # One concern a file, as account_journal_dashboard.py does for account.journal.
    _inherit = "donation.donation"  # pylint: disable=consider-merging-classes-inherited

    def _get_commons_receipt_report(self):
        return "compte_commun_communs.donation_donation_report_acknowledgement"

    def _get_commons_receipt_template(self):
        return "compte_commun_communs.mail_template_donation_acknowledgement"

    def _get_commons_receipt_filename(self):
        self.ensure_one()
        return self.env._("Acknowledgement %(number)s", number=self.number).replace(
            "/", "-"
        )

    def _get_commons_receipt_document(self):
        """The record whose document the donor receives for this donation: its own
        tax receipt, else the donation (an acknowledgement of funds received).
        A donation of an annual receipt gets its acknowledgement now and the tax
        receipt when the annual receipts are generated."""
        self.ensure_one()
        receipt = self.tax_receipt_id
        if receipt and receipt.type == "each":
            return receipt
        return self

    def _get_commons_document_missing(self):
        self.ensure_one()
        document = self._get_commons_receipt_document()
        if document == self:
            return super()._get_commons_document_missing()
        return document._get_commons_document_missing()

    def _get_commons_receipt_partner(self):
        self.ensure_one()
        document = self._get_commons_receipt_document()
        if document == self:
            return self.partner_id
        return document._get_commons_receipt_partner()

    def _send_commons_receipt_now(self):
        """Email the donation's document; a tax receipt is posted on the receipt
        itself (its legal record) and the donation follows its email."""
        messages = self.env["mail.message"]
        for donation in self:
            document = donation._get_commons_receipt_document()
            if document == donation:
                messages |= super(
                    DonationDonation, donation
                )._send_commons_receipt_now()
                continue
            document.sudo().commons_receipt_user_id = donation.commons_receipt_user_id
            message = document._send_commons_receipt_now()
            if message:
                document.sudo().commons_receipt_request = "send"
                donation.sudo().commons_receipt_message_id = message
                messages |= message
        return messages

    @api.model
    def _cron_send_commons_receipts(self):
        """The receipt queue: render, store and email the queued documents."""
        Receipt = self.env["donation.tax.receipt"]
        donations = self._get_commons_receipts_to_send(limit=RECEIPT_BATCH)
        receipts = Receipt._get_commons_receipts_to_send(
            limit=RECEIPT_BATCH - len(donations)
        )
        donations._send_commons_receipt_now()
        receipts._send_commons_receipt_now()
        remaining = len(self._get_commons_receipts_to_send()) + len(
            Receipt._get_commons_receipts_to_send()
        )
        self.env["ir.cron"]._notify_progress(
            done=len(donations) + len(receipts), remaining=remaining
        )

    def action_send_commons_receipt(self):
        # The queue writes the receipt's sending as superuser: only for users
        # who may change the record.
        self.check_access("write")
        for donation in self:
            if donation.state != "done":
                raise UserError(
                    self.env._(
                        "%(donation)s is not validated: there is no receipt to send.",
                        donation=donation.display_name,
                    )
                )
        self._queue_commons_receipt()

    # Funder's portal

    @api.model
    def _get_funder_portal_domain(self, partner):
        """The donations a funder follows in the portal: their validated or
        cancelled ones, whoever of their organisation recorded them. Explicit
        even though record rules limit portal users, so that an internal user
        sees their own fundings there, not everybody's."""
        return [
            ("commercial_partner_id", "=", partner.commercial_partner_id.id),
            ("state", "in", ("done", "cancel")),
        ]

    def _get_funder_receipt_attachment(self):
        """The receipt a funder downloads: the very file they were emailed."""
        self.ensure_one()
        return (self.tax_receipt_id or self)._get_commons_receipt_attachment()

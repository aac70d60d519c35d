# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import UserError

from .donation_tax_receipt_cerfa import CERFA_REPORT

# What may change on an issued receipt, never what it certifies: the date it was
# printed (fields of the chatter and activities are added to these) and, by the
# receipt's own methods only (as superuser, after their checks), its status and
# its sending.
UNLOCKED_FIELDS = {"print_date"}
METHOD_FIELDS = {"state", "active"}
# What the document is made of, chosen until it is issued.
DOCUMENT_FIELDS = {"commons_gift_form", "commons_cgi_article"}


class DonationTaxReceipt(models.Model):
    _name = "donation.tax.receipt"
    _inherit = ["donation.tax.receipt", "commons.receipt.mixin"]

    # A cancelled receipt is archived, never deleted: it keeps its number and
    # history, and the annual receipts wizard no longer sees it.
    active = fields.Boolean(default=True)
    state = fields.Selection(
        [("issued", "Issued"), ("cancelled", "Cancelled")],
        default="issued",
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
    )

    def _message_track(self, fields_iter, initial_values_dict):
        lang = self._get_commons_tracking_lang()
        records = self.with_context(lang=lang) if lang else self
        return super(DonationTaxReceipt, records)._message_track(
            fields_iter, initial_values_dict
        )

    def write(self, vals):
        unlocked = UNLOCKED_FIELDS | self._get_commons_unlocked_fields(METHOD_FIELDS)
        if not self.commons_receipt_attachment_id:
            unlocked |= DOCUMENT_FIELDS
        changed = [name for name in vals if name not in unlocked]
        if changed and self:
            raise UserError(
                self.env._(
                    "Tax receipt %(receipt)s is issued: %(fields)s can no longer "
                    "change. Cancel the donation to cancel its receipt.",
                    receipt=self[:1].display_name,
                    fields=", ".join(
                        self._fields[name].get_description(self.env)["string"]
                        for name in changed
                    ),
                )
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_issued(self):
        raise UserError(
            self.env._(
                "A tax receipt is never deleted: cancel its donation instead, the "
                "receipt is then cancelled and kept with its number."
            )
        )

    def _get_commons_receipt_report(self):
        return CERFA_REPORT

    def _get_commons_document_missing(self):
        return self._get_commons_cerfa_missing()

    def _get_commons_receipt_template(self):
        return "compte_commun_communs.mail_template_donation_tax_receipt"

    def _get_commons_receipt_filename(self):
        self.ensure_one()
        return self.env._("Tax receipt %(number)s", number=self.number).replace(
            "/", "-"
        )

    def _cancel_commons_receipt(self, donation):
        """Cancel the receipt of a cancelled donation. The other donations of an
        annual receipt are released, to go into the next annual receipt. Its
        document is issued again, marked as cancelled; the one first issued
        stays attached to the receipt."""
        for receipt in self.filtered(lambda r: r.state == "issued"):
            others = receipt.donation_ids - donation
            others.sudo().tax_receipt_id = False
            receipt.sudo().write(
                {
                    "state": "cancelled",
                    "active": False,
                    "commons_receipt_attachment_id": False,
                }
            )
            receipt._cancel_commons_receipt_mail()
            receipt.message_post(
                body=self.env._(
                    "Receipt cancelled because donation %(donation)s was cancelled.",
                    donation=donation.number,
                )
            )

    def _notify_commons_receipt_failure(self, reason):
        # A receipt of one donation is sent for its donation, which gets the
        # activity; an annual receipt gets its own.
        return super(
            DonationTaxReceipt,
            self.filtered(lambda r: r.type != "each" or not r.donation_ids),
        )._notify_commons_receipt_failure(reason)

    def action_send_commons_receipt(self):
        # The queue writes the receipt's sending as superuser: only for users
        # who may change the record.
        self.check_access("write")
        for receipt in self:
            if receipt.state != "issued":
                raise UserError(
                    self.env._(
                        "Tax receipt %(receipt)s is cancelled: it is not sent.",
                        receipt=receipt.display_name,
                    )
                )
        self._queue_commons_receipt()

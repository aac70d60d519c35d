# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class DonationTaxReceipt(models.Model):
    _inherit = "donation.tax.receipt"

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

    def _cancel_commons_receipt(self, donation):
        """Cancel the receipt of a cancelled donation. The other donations of an
        annual receipt are released, to go into the next annual receipt."""
        for receipt in self.filtered(lambda r: r.state == "issued"):
            others = receipt.donation_ids - donation
            others.tax_receipt_id = False
            receipt.write({"state": "cancelled", "active": False})
            receipt.message_post(
                body=self.env._(
                    "Receipt cancelled because donation %(donation)s was cancelled.",
                    donation=donation.number,
                )
            )

    def _send_commons_annual_receipt(self):
        """Email annual receipts, each to its donor, queued with the PDF."""
        for receipt in self.filtered(lambda r: r.state == "issued"):
            if not receipt.partner_id.email:
                receipt.message_post(
                    body=self.env._(
                        "Not emailed: %(donor)s has no email address. Print the "
                        "receipt and send it by post, or add an address and send it "
                        "from here.",
                        donor=receipt.partner_id.display_name,
                    )
                )
                continue
            receipt.message_post_with_source(
                "compte_commun_communs.mail_template_donation_tax_receipt",
                subtype_xmlid="mail.mt_comment",
                force_send=False,
            )

    # Funder's portal

    def _get_report_base_filename(self):
        """Name of the PDF a funder downloads from the portal (used by
        ``CustomerPortal._show_report``)."""
        self.ensure_one()
        return self.env._("Tax receipt %(number)s", number=self.number)

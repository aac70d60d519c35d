# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class DonationDonationCancel(models.TransientModel):
    _name = "donation.donation.cancel"
    _description = "Cancel a validated donation"

    donation_id = fields.Many2one("donation.donation", required=True, readonly=True)
    reason = fields.Text(
        required=True,
        help="Written in the donation's chatter, for the funder's file and the "
        "auditor.",
    )

    def action_cancel(self):
        self.ensure_one()
        self.donation_id.done2cancel(reason=self.reason)

# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models

from .res_partner import commons_email_key


class BasePartnerMergeAutomaticWizard(models.TransientModel):
    """Merging contacts moves their login to the contact kept, and gives it the
    kept contact's email: for the people of the commons, only an
    administrator merges, and the previous address is told."""

    _inherit = "base.partner.merge.automatic.wizard"

    def _merge(self, partner_ids, dst_partner=None, extra_checks=True):
        Partner = self.env["res.partner"]
        partners = Partner.browse(partner_ids).exists()
        people = partners._get_commons_people()
        if not people:
            return super()._merge(
                partner_ids, dst_partner=dst_partner, extra_checks=extra_checks
            )
        if partners.with_context(active_test=False).user_ids:
            # One of them has a login: the kept contact gets it, with its email.
            partners._check_commons_identity_writer("merge", without_login=True)
        addresses = {partner.id: partner.email for partner in people}
        with partners._commons_recording():
            res = super()._merge(
                partner_ids, dst_partner=dst_partner, extra_checks=extra_checks
            )
        kept = partners.exists()  # the others were merged into it
        for old_email in addresses.values():
            if commons_email_key(old_email) != commons_email_key(kept.email):
                self.env["commons.login.change"]._commons_record(
                    kept,
                    kept._get_commons_login(),
                    old_email=old_email,
                    new_email=kept.email,
                )
        return res

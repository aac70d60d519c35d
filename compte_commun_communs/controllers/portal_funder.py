# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager


class CommonsFunderPortal(CustomerPortal):
    """The funder's portal: their donations, how each was split across the
    resources, and their receipts."""

    def _get_commons_funding_domain(self):
        return request.env["donation.donation"]._get_funder_portal_domain(
            request.env.user.partner_id
        )

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "commons_funding_count" in counters:
            Donation = request.env["donation.donation"]
            values["commons_funding_count"] = (
                Donation.search_count(self._get_commons_funding_domain())
                if Donation.has_access("read")
                else 0
            )
        return values

    @http.route(
        ["/my/fundings", "/my/fundings/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_fundings(self, page=1, **kwargs):
        Donation = request.env["donation.donation"]
        domain = self._get_commons_funding_domain()
        values = self._prepare_portal_layout_values()
        pager = portal_pager(
            url="/my/fundings",
            total=Donation.search_count(domain),
            page=page,
            step=self._items_per_page,
        )
        donations = Donation.search(
            domain,
            order="donation_date desc, id desc",
            limit=self._items_per_page,
            offset=pager["offset"],
        )
        request.session["my_fundings_history"] = donations.ids[:100]
        values.update(
            {
                "page_name": "commons_funding",
                "default_url": "/my/fundings",
                "pager": pager,
                "donations": donations,
            }
        )
        return request.render("compte_commun_communs.portal_my_fundings", values)

    def _get_commons_funding_sudo(self, donation_id):
        """The funder's donation as superuser, after the access check; raises
        MissingError for a donation that is not one of their fundings."""
        donation_sudo = self._document_check_access("donation.donation", donation_id)
        if not donation_sudo.filtered_domain(self._get_commons_funding_domain()):
            raise MissingError(request.env._("This funding does not exist."))
        return donation_sudo

    @http.route(
        "/my/fundings/<int:donation_id>", type="http", auth="user", website=True
    )
    def portal_my_funding(self, donation_id, receipt=None, **kwargs):
        try:
            donation_sudo = self._get_commons_funding_sudo(donation_id)
        except (AccessError, MissingError):
            return request.redirect("/my")
        values = self._get_page_view_values(
            donation_sudo,
            None,
            {
                "page_name": "commons_funding",
                "donation": donation_sudo,
                "receipt_pending": receipt == "pending",
            },
            "my_fundings_history",
            False,
            **kwargs,
        )
        return request.render("compte_commun_communs.portal_my_funding", values)

    @http.route(
        "/my/fundings/<int:donation_id>/receipt",
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_funding_receipt(self, donation_id, download=False, **kwargs):
        """The receipt exactly as it was issued and emailed: the stored file."""
        try:
            donation_sudo = self._get_commons_funding_sudo(donation_id)
        except (AccessError, MissingError):
            return request.redirect("/my")
        try:
            attachment = donation_sudo._get_funder_receipt_attachment()
        except UserError:
            # Not issued yet (the host's settings are incomplete): the funding
            # page says the receipt is being prepared.
            return request.redirect(f"/my/fundings/{donation_id}?receipt=pending")
        return (
            request.env["ir.binary"]
            ._get_stream_from(attachment)
            .get_response(as_attachment=bool(download))
        )

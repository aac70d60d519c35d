# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import http
from odoo.http import request

from odoo.addons.portal.controllers.portal import pager as portal_pager

# Resources a page of /communs shows.
PUBLIC_PAGE_SIZE = 20


class CommonsPublicPages(http.Controller):
    """The public needs pages: what each published resource needs and how far it
    is funded. The resource model decides what is public."""

    @http.route(
        ["/communs", "/communs/page/<int:page>"],
        type="http",
        auth="public",
        website=True,
    )
    def commons_needs(self, year=None, page=1, **kwargs):
        Resource = request.env["commons.resource"]
        year = Resource._get_public_year(year)
        # The site's host: the website's company, else the public user's.
        resources = Resource._get_public_resources(request.env.company)
        # A page of resources at a time, as Odoo's portal lists are.
        pager = portal_pager(
            url="/communs",
            url_args={"year": year},
            total=len(resources),
            page=page,
            step=PUBLIC_PAGE_SIZE,
        )
        shown = resources[pager["offset"] : pager["offset"] + PUBLIC_PAGE_SIZE]
        return request.render(
            "compte_commun_communs.commons_public_needs_page",
            {
                "year": year,
                "years": resources._get_public_years(),
                "resources_values": shown._get_public_page_values(year),
                "pager": pager,
            },
        )

    @http.route(
        "/communs/<string:slug>",
        type="http",
        auth="public",
        website=True,
        sitemap=False,
    )
    def commons_resource(self, slug, year=None, **kwargs):
        Resource = request.env["commons.resource"]
        resource = Resource._get_public_resource(slug, request.env.company)
        if not resource:
            raise request.not_found()
        year = Resource._get_public_year(year)
        return request.render(
            "compte_commun_communs.commons_public_resource_page",
            {
                "year": year,
                "years": resource._get_public_years(),
                "values": resource._get_public_page_values(year)[0],
            },
        )

# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import http
from odoo.http import request


class CommonsPublicPages(http.Controller):
    """The public needs pages: what each published resource needs and how far it
    is funded. The resource model decides what is public."""

    @http.route("/communs", type="http", auth="public", website=True)
    def commons_needs(self, year=None, **kwargs):
        Resource = request.env["commons.resource"]
        year = Resource._get_public_year(year)
        # The site's host: the website's company, else the public user's.
        resources = Resource._get_public_resources(request.env.company)
        return request.render(
            "compte_commun_communs.commons_public_needs_page",
            {
                "year": year,
                "years": resources._get_public_years(),
                "resources_values": resources._get_public_page_values(year),
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

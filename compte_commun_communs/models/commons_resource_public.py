# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import defaultdict

from odoo import api, fields, models
from odoo.osv import expression
from odoo.tools import SQL

from .ledger import is_commons_year


class CommonsResource(models.Model):
    """What the public needs pages show of the resources.

    Public and portal users have no access rights on resources: these methods
    choose what they may see (published, active resources of the site's company;
    funders who agreed to be named), read it as superuser and return it as plain
    values, so that a template cannot reach further (stewards and contributors
    are personal data).
    """

    # One concern a file, as account_journal_dashboard.py does for account.journal.
    _inherit = "commons.resource"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _get_public_year(self, year=None):
        """The year asked for in a public page's address, or the current year when
        it is missing or not a sensible year."""
        try:
            year = int(year)
        except (TypeError, ValueError):
            year = 0
        if not is_commons_year(year):
            year = fields.Date.context_today(self).year
        return year

    @api.model
    def _get_public_domain(self, company):
        return [
            ("company_id", "=", company.id),
            ("is_published", "=", True),
            ("active", "=", True),
        ]

    @api.model
    def _get_public_resources(self, company):
        """The resources of ``company`` shown on its public needs page, as
        superuser."""
        return self.sudo().search(self._get_public_domain(company))

    @api.model
    def _get_public_resource(self, slug, company):
        """The resource of ``company`` shown at a public page address, as
        superuser; an empty recordset when there is none."""
        if not slug:
            return self.sudo().browse()
        return self.sudo().search(
            expression.AND([[("slug", "=", slug)], self._get_public_domain(company)]),
            limit=1,
        )

    def _get_public_years(self):
        """The years these resources have needs for, latest first."""
        groups = (
            self.env["commons.resource.need"]
            .sudo()
            ._read_group([("resource_id", "in", self.ids)], ["year"])
        )
        return sorted((year for (year,) in groups), reverse=True)

    def _get_public_page_values(self, year):
        """What the public pages show of the resources for a year: only call it on
        resources of :meth:`_get_public_resources`.

        :return: list of dicts, one a resource, in the recordset's order, with
            ``resource`` (see :meth:`_prepare_public_resource_values`),
            ``currency`` (a res.currency record), ``needs`` (list of dicts with
            ``category`` (its name), ``needs`` (list of dicts with ``name`` and
            ``amount``) and ``amount`` (their total), in the categories' order),
            ``figures`` (see :meth:`_get_figures`, with coverage),
            ``named_funders`` (list of dicts with ``name`` and ``amount`` given in
            the year, largest first), ``other_funder_count`` and ``proposals``
            (see :meth:`_get_public_proposals`).
        """
        resources = self.sudo()
        figures = resources._get_figures(year)
        needs = (
            self.env["commons.resource.need"]
            .sudo()
            .search([("resource_id", "in", resources.ids), ("year", "=", year)])
        )
        # Lists, not recordsets: a union a need would be quadratic.
        needs_by_resource = defaultdict(lambda: defaultdict(list))
        for need in needs:
            needs_by_resource[need.resource_id.id][need.category_id].append(need)
        funders = resources._get_public_funders(year)
        proposals = resources._get_public_proposals()
        result = []
        for resource in resources:
            resource_figures = dict(figures[resource.id])
            resource_figures.update(resource._get_derived_figures(resource_figures))
            by_category = needs_by_resource[resource.id]
            result.append(
                {
                    "resource": resource._prepare_public_resource_values(),
                    # Readable by anyone: the template formats amounts with it.
                    "currency": resource.currency_id.sudo(False),
                    "needs": [
                        {
                            "category": category.name,
                            "needs": [
                                {"name": need.name, "amount": need.amount}
                                for need in category_needs
                            ],
                            "amount": sum(need.amount for need in category_needs),
                        }
                        for category, category_needs in sorted(
                            by_category.items(),
                            key=lambda item: (item[0].sequence, item[0].id),
                        )
                    ],
                    "figures": resource_figures,
                    "proposals": proposals[resource.id],
                    **funders[resource.id],
                }
            )
        return result

    def _prepare_public_resource_values(self):
        """What anyone may read of the resource on its public pages.

        ``website_url`` is the website only when it is a web address: a link
        never carries another scheme, whatever was stored before the check."""
        self.ensure_one()
        return {
            "name": self.name,
            "slug": self.slug,
            "website_url": self._get_website_url(),
            "description": self.description,
            "host_fee_rate": self.host_fee_rate,
        }

    def _get_public_funders(self, year):
        """Funders of the resources' done donations of the year: those who agreed
        to be named, with their total in the company's currency, and how many
        others. One query whatever the number of funders: the others are
        counted in SQL, and no record is made for a funder.

        :return: {resource id: {"named_funders": [{"name": str, "amount": float}],
            "other_funder_count": int}}
        """
        result = {
            resource.id: {"named_funders": [], "other_funder_count": 0}
            for resource in self
        }
        if not self.ids:
            return result
        Line = self.env["donation.line"].sudo()
        query = Line._search(self._get_donation_line_domain(year))
        partner = query.join(
            query.table, "commercial_partner_id", "res_partner", "id", "funder"
        )
        Partner = self.env["res.partner"].sudo()
        named = Partner._field_to_sql(partner, "commons_named_funder", query)
        resource = Line._field_to_sql(query.table, "commons_resource_id", query)
        funder = Line._field_to_sql(query.table, "commercial_partner_id", query)
        # A named funder is a group of its own; the others, one group a resource.
        named_funder = SQL("CASE WHEN %s THEN %s END", named, funder)
        named_name = SQL(
            "CASE WHEN %s THEN %s END",
            named,
            Partner._field_to_sql(partner, "name", query),
        )
        query.groupby = SQL("%s, %s, %s", resource, named_funder, named_name)
        rows = self.env.execute_query(
            query.select(
                resource,
                named_funder,
                named_name,
                SQL(
                    "SUM(%s)",
                    Line._field_to_sql(query.table, "amount_company_currency", query),
                ),
                SQL("COUNT(DISTINCT %s)", funder),
            )
        )
        for resource_id, funder_id, name, amount, count in rows:
            if funder_id:
                result[resource_id]["named_funders"].append(
                    {"name": name, "amount": amount}
                )
            else:
                result[resource_id]["other_funder_count"] += count
        for values in result.values():
            values["named_funders"].sort(
                key=lambda funder: (-funder["amount"], funder["name"])
            )
        return result

    def _get_public_proposals(self):
        """The changes of who decides that wait on the resources because no
        steward can confirm them: anyone may read them before they take effect
        (the change, that the host proposed it, when, and when it applies).

        :return: {resource id: [dict]}, see
            commons.governance.proposal._prepare_public_values
        """
        Proposal = self.env["commons.governance.proposal"].sudo()
        proposals = Proposal.search(
            [
                ("resource_id", "in", self.ids),
                *Proposal._get_commons_public_wait_domain(),
            ],
            order="date_effective, id",
        )
        result = {resource.id: [] for resource in self}
        for proposal in proposals:
            result[proposal.resource_id.id].append(proposal._prepare_public_values())
        return result

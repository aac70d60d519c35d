# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import defaultdict
from datetime import date

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.models import NewId

from .commons_resource_need import MAX_YEAR, MIN_YEAR

# Where the ledger puts money in and out of a resource's analytic account.
FUNDED_ACCOUNT_TYPES = ("income", "income_other")
SPENT_ACCOUNT_TYPES = ("expense", "expense_depreciation", "expense_direct_cost")
EMPTY_FIGURES = {
    "amount_needed": 0.0,
    "amount_received": 0.0,
    "amount_fee": 0.0,
    "amount_funded": 0.0,
    "amount_spent": 0.0,
    "funder_count": 0,
}


class CommonsResource(models.Model):
    _name = "commons.resource"
    _description = "Commons Resource"
    _inherit = ["mail.thread", "mail.activity.mixin", "image.mixin"]
    _order = "name, id"
    _check_company_auto = True

    def _default_figures_year(self):
        return (
            self.env.context.get("commons_year") or fields.Date.context_today(self).year
        )

    name = fields.Char(required=True, tracking=True)
    code = fields.Char(
        required=True,
        tracking=True,
        help="Short reference of the resource, used in accounting reports.",
    )
    description = fields.Html()
    website = fields.Char(string="Website URL")
    repository_url = fields.Char(string="Repository URL")
    steward_ids = fields.Many2many(
        "res.partner",
        "commons_resource_steward_rel",
        "resource_id",
        "partner_id",
        string="Stewards",
        help="People who decide how the resource's funds are allocated.",
    )
    contributor_ids = fields.Many2many(
        "res.partner",
        "commons_resource_contributor_rel",
        "resource_id",
        "partner_id",
        string="Contributors",
        help="People who may invoice the host for their work on the resource.",
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    active = fields.Boolean(default=True, tracking=True)
    analytic_account_id = fields.Many2one(
        "account.analytic.account",
        readonly=True,
        copy=False,
        ondelete="restrict",
        check_company=True,
        help="Every entry of the resource in the ledger carries this analytic account.",
    )
    need_ids = fields.One2many("commons.resource.need", "resource_id", string="Needs")
    is_published = fields.Boolean(
        string="On the Needs Page",
        tracking=True,
        help="Show the resource, its needs and its funding on the public page "
        "/communs. Contributors are never shown there.",
    )
    slug = fields.Char(
        string="Public Page Address",
        compute="_compute_slug",
        store=True,
        readonly=False,
        help="The resource's public page is /communs/<address>.",
    )
    host_fee_override = fields.Boolean(
        string="Specific Host Fee",
        tracking=True,
        help="Take a host fee of its own on this resource's donations instead of "
        "the company's rate.",
    )
    host_fee_override_rate = fields.Float(
        string="Specific Host Fee (%)", digits=(16, 2), tracking=True
    )
    host_fee_rate = fields.Float(
        string="Host Fee (%)",
        compute="_compute_host_fee_rate",
        digits=(16, 2),
        help="The share of each donation the host keeps as a management fee. A "
        "donation keeps the rate of the day it was recorded.",
    )
    # The year the figures below are computed for: the context's "commons_year"
    # (set by the search filters and the "Figures of a Year" menu) or the current
    # year; editable in the form.
    figures_year = fields.Integer(
        string="Year",
        compute="_compute_figures_year",
        readonly=False,
    )
    amount_needed = fields.Monetary(
        string="Needed", compute="_compute_figures", currency_field="currency_id"
    )
    amount_received = fields.Monetary(
        string="Received",
        compute="_compute_figures",
        currency_field="currency_id",
        help="Money received for the resource in the year, before the host fee.",
    )
    amount_fee = fields.Monetary(
        string="Host Fee",
        compute="_compute_figures",
        currency_field="currency_id",
        help="The host's management fee on the money received in the year.",
    )
    amount_funded = fields.Monetary(
        string="Funded",
        compute="_compute_figures",
        currency_field="currency_id",
        help="Money received for the resource in the year, net of the host fee.",
    )
    amount_spent = fields.Monetary(
        string="Spent", compute="_compute_figures", currency_field="currency_id"
    )
    amount_available = fields.Monetary(
        string="Available", compute="_compute_figures", currency_field="currency_id"
    )
    coverage = fields.Float(
        string="Coverage (%)",
        compute="_compute_figures",
        digits=(16, 1),
        help="Funded amount as a percentage of the needs of the year.",
    )
    funder_count = fields.Integer(
        string="Funders",
        compute="_compute_figures",
        help="Number of funders whose donations of the year went to the resource.",
    )
    donation_count = fields.Integer(compute="_compute_donation_count")

    _sql_constraints = [
        (
            "code_company_uniq",
            "unique(code, company_id)",
            "Another resource of this company already has this code.",
        ),
        (
            "slug_uniq",
            "unique(slug)",
            "Another resource already has this public page address.",
        ),
    ]

    @api.depends("code")
    def _compute_slug(self):
        # Set once: a public address does not change when the code does.
        to_set = self.filtered(lambda r: not r.slug and r.code)
        wanted = {r: self.env["ir.http"]._slugify(r.code) for r in to_set}
        # Codes are unique per company, addresses across companies.
        taken = (
            set(
                self.sudo()
                .with_context(active_test=False)
                .search(
                    [("slug", "in", list(wanted.values())), ("id", "not in", self.ids)]
                )
                .mapped("slug")
            )
            if wanted
            else set()
        )
        for resource, slug in wanted.items():
            if slug in taken:
                slug = f"{slug}-{resource._origin.id}"
            taken.add(slug)
            resource.slug = slug

    @api.depends(
        "host_fee_override",
        "host_fee_override_rate",
        "company_id.commons_host_fee_rate",
    )
    def _compute_host_fee_rate(self):
        for resource in self:
            resource.host_fee_rate = (
                resource.host_fee_override_rate
                if resource.host_fee_override
                else resource.company_id.commons_host_fee_rate
            )

    @api.depends_context("commons_year")
    def _compute_figures_year(self):
        year = self._default_figures_year()
        for resource in self:
            resource.figures_year = year

    @api.depends(
        "figures_year",
        "analytic_account_id",
        "need_ids.amount",
        "need_ids.year",
    )
    @api.depends_context("commons_year")
    def _compute_figures(self):
        by_year = defaultdict(lambda: self.browse())
        for resource in self:
            by_year[resource.figures_year] |= resource
        for year, resources in by_year.items():
            ledger = resources._origin._get_figures(year)
            for resource in resources:
                values = dict(ledger.get(resource._origin.id, EMPTY_FIGURES))
                if isinstance(resource.id, NewId):
                    # Being edited in a form: its needs are not all saved yet.
                    values["amount_needed"] = sum(
                        need.amount for need in resource.need_ids if need.year == year
                    )
                values.update(resource._get_derived_figures(values))
                resource.update(values)

    def _compute_donation_count(self):
        groups = (
            self.env["donation.line"]
            .sudo()
            ._read_group(
                [("commons_resource_id", "in", self.ids)],
                ["commons_resource_id"],
                ["donation_id:count_distinct"],
            )
        )
        counts = {resource.id: count for resource, count in groups}
        for resource in self:
            resource.donation_count = counts.get(resource.id, 0)

    @api.constrains("host_fee_override_rate")
    def _check_host_fee_override_rate(self):
        for resource in self:
            if not 0 <= resource.host_fee_override_rate < 100:
                raise ValidationError(
                    self.env._(
                        "The host fee of %(resource)s must be between 0 %% and "
                        "100 %%.",
                        resource=resource.display_name,
                    )
                )

    @api.constrains("slug")
    def _check_slug(self):
        slugify = self.env["ir.http"]._slugify
        for resource in self:
            if resource.slug and slugify(resource.slug) != resource.slug:
                raise ValidationError(
                    self.env._(
                        "The public page address “%(slug)s” may only hold lower-case "
                        "letters, digits and dashes, for instance “%(example)s”.",
                        slug=resource.slug,
                        example=slugify(resource.slug) or "loot",
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        resources = super().create(vals_list)
        for resource in resources:
            # The analytic account is the resource's place in the ledger: it is
            # managed by the resource, whoever may create resources.
            resource.analytic_account_id = (
                self.env["account.analytic.account"]
                .sudo()
                .create(resource._prepare_analytic_account_vals())
            )
        return resources

    def write(self, vals):
        if "company_id" in vals:
            # The account moves first: the resource checks it is of its company.
            self.analytic_account_id.sudo().company_id = vals["company_id"]
        res = super().write(vals)
        if {"name", "code", "active", "company_id"} & vals.keys():
            for resource in self.with_context(active_test=False):
                resource.analytic_account_id.sudo().write(
                    resource._prepare_analytic_account_vals()
                )
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_except_in_ledger(self):
        for resource in self:
            if resource._is_in_ledger():
                raise UserError(
                    self.env._(
                        "The resource “%(resource)s” has entries in the ledger or "
                        "donations: archive it instead of deleting it.",
                        resource=resource.display_name,
                    )
                )

    def unlink(self):
        accounts = self.analytic_account_id
        res = super().unlink()
        accounts.sudo().unlink()
        return res

    def action_view_analytic_lines(self):
        self.ensure_one()
        column = self._get_analytic_plan()._column_name()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "analytic.account_analytic_line_action_entries"
        )
        action.update(
            {
                "display_name": self.env._(
                    "Analytic Items of %(resource)s", resource=self.name
                ),
                "domain": [(column, "=", self.analytic_account_id.id)],
                "context": {"default_" + column: self.analytic_account_id.id},
            }
        )
        return action

    def action_view_donations(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "compte_commun_communs.donation_donation_action"
        )
        action.update(
            {
                "display_name": self.env._(
                    "Donations to %(resource)s", resource=self.name
                ),
                "domain": [("line_ids.commons_resource_id", "=", self.id)],
                "context": {"default_company_id": self.company_id.id},
            }
        )
        return action

    def _prepare_analytic_account_vals(self):
        self.ensure_one()
        return {
            "name": self.name,
            "code": self.code,
            "plan_id": self._get_analytic_plan().id,
            "company_id": self.company_id.id,
            "active": self.active,
        }

    @api.model
    def _get_analytic_plan(self):
        return self.env.ref("compte_commun_communs.account_analytic_plan_commons")

    def _is_in_ledger(self):
        """Whether an analytic line, a journal item (draft ones included) or a
        donation line refers to the resource."""
        self.ensure_one()
        account = self.analytic_account_id
        column = self._get_analytic_plan()._column_name()
        return bool(
            self.env["donation.line"]
            .sudo()
            .search_count([("commons_resource_id", "=", self.id)], limit=1)
            or account
            and (
                self.env["account.analytic.line"]
                .sudo()
                .search_count([(column, "=", account.id)], limit=1)
                or self.env["account.move.line"]
                .sudo()
                .search_count([("analytic_distribution", "in", account.ids)], limit=1)
            )
        )

    def _get_figures(self, year):
        """Figures of the resources for a calendar year, read from the ledger with a
        fixed number of grouped queries whatever the number of resources.

        :return: {resource id: {field name: value}}
        """
        figures = {resource.id: dict(EMPTY_FIGURES) for resource in self}
        needs = (
            self.env["commons.resource.need"]
            .sudo()
            ._read_group(
                [("resource_id", "in", self.ids), ("year", "=", year)],
                ["resource_id"],
                ["amount:sum"],
            )
        )
        for resource, amount in needs:
            figures[resource.id]["amount_needed"] = amount
        resource_by_account = {
            r.analytic_account_id.id: r.id for r in self if r.analytic_account_id
        }
        column = self._get_analytic_plan()._column_name()
        host_column = self.env.ref(
            "compte_commun_communs.account_analytic_plan_host"
        )._column_name()
        # Read as superuser once the resources themselves are readable: a steward
        # or a funder sees the totals, not the journal items behind them.
        ledger = (
            self.env["account.analytic.line"]
            .sudo()
            ._read_group(
                [
                    (column, "in", list(resource_by_account)),
                    ("company_id", "in", self.company_id.ids),
                    ("date", ">=", date(year, 1, 1)),
                    ("date", "<=", date(year, 12, 31)),
                ],
                [column, host_column, "general_account_id"],
                ["amount:sum"],
            )
        )
        for account, host_account, general_account, amount in ledger:
            resource_figures = figures[resource_by_account[account.id]]
            if general_account.account_type in FUNDED_ACCOUNT_TYPES:
                resource_figures["amount_received"] += amount
                # The host fee is the income the host's own account shares.
                if host_account:
                    resource_figures["amount_fee"] += amount
            elif general_account.account_type in SPENT_ACCOUNT_TYPES:
                # Expenses are negative in analytic accounting.
                resource_figures["amount_spent"] -= amount
        funders = (
            self.env["donation.line"]
            .sudo()
            ._read_group(
                self._get_donation_line_domain(year),
                ["commons_resource_id"],
                ["commercial_partner_id:count_distinct"],
            )
        )
        for resource, count in funders:
            figures[resource.id]["funder_count"] = count
        for resource_figures in figures.values():
            resource_figures["amount_funded"] = (
                resource_figures["amount_received"] - resource_figures["amount_fee"]
            )
        return figures

    def _get_donation_line_domain(self, year):
        """Lines of the validated donations of a year earmarked to the resources."""
        return [
            ("commons_resource_id", "in", self.ids),
            ("state", "=", "done"),
            ("donation_date", ">=", date(year, 1, 1)),
            ("donation_date", "<=", date(year, 12, 31)),
        ]

    def _get_unmet_needs(self, year):
        """What each resource still needs for the year, net of what it was funded.

        :return: {resource: amount ≥ 0}
        """
        figures = self._get_figures(year)
        return {
            resource: max(
                0.0,
                figures[resource.id]["amount_needed"]
                - figures[resource.id]["amount_funded"],
            )
            for resource in self
        }

    def _get_derived_figures(self, values):
        """Figures computed from the ledger's ones; a hook for "committed" amounts."""
        self.ensure_one()
        needed = values["amount_needed"]
        return {
            "amount_available": values["amount_funded"] - values["amount_spent"],
            "coverage": 100.0 * values["amount_funded"] / needed if needed else 0.0,
        }

    # Public needs pages
    # Public and portal users have no access rights on resources: these methods
    # choose what they may see (published, active resources; funders who agreed
    # to be named) and return it read as superuser. Never stewards nor
    # contributors: they are personal data.

    @api.model
    def _get_public_year(self, year=None):
        """The year asked for in a public page's address, or the current year when
        it is missing or not a sensible year."""
        try:
            year = int(year)
        except (TypeError, ValueError):
            year = 0
        if not MIN_YEAR <= year <= MAX_YEAR:
            year = fields.Date.context_today(self).year
        return year

    @api.model
    def _get_public_resources(self):
        """The resources shown on the public needs page, as superuser."""
        return self.sudo().search([("is_published", "=", True), ("active", "=", True)])

    @api.model
    def _get_public_resource(self, slug):
        """The published, active resource of a public page address, as superuser;
        an empty recordset when there is none."""
        if not slug:
            return self.sudo().browse()
        return self.sudo().search(
            [("slug", "=", slug), ("is_published", "=", True), ("active", "=", True)],
            limit=1,
        )

    def _get_public_years(self):
        """The years these resources, or else all the published ones, have needs
        for, latest first."""
        resources = self or self._get_public_resources()
        groups = (
            self.env["commons.resource.need"]
            .sudo()
            ._read_group([("resource_id", "in", resources.ids)], ["year"])
        )
        return sorted((year for (year,) in groups), reverse=True)

    def _get_public_page_values(self, year):
        """What the public pages show of the resources for a year: only call it on
        resources of :meth:`_get_public_resources`.

        :return: list of dicts, one a resource, in the recordset's order, with
            ``resource``, ``needs`` (list of (category, needs, total) in the
            categories' order), ``figures`` (see :meth:`_get_figures`, with
            coverage), ``named_funders`` (list of (funder name, total given in
            the year), largest first) and ``other_funder_count``.
        """
        resources = self.sudo()
        figures = resources._get_figures(year)
        needs = (
            self.env["commons.resource.need"]
            .sudo()
            .search([("resource_id", "in", resources.ids), ("year", "=", year)])
        )
        needs_by_resource = defaultdict(lambda: defaultdict(needs.browse))
        for need in needs:
            needs_by_resource[need.resource_id][need.category_id] |= need
        funders = resources._get_public_funders(year)
        result = []
        for resource in resources:
            resource_figures = dict(figures[resource.id])
            resource_figures.update(resource._get_derived_figures(resource_figures))
            by_category = needs_by_resource[resource]
            result.append(
                {
                    "resource": resource,
                    "needs": [
                        (category, category_needs, sum(category_needs.mapped("amount")))
                        for category, category_needs in sorted(
                            by_category.items(),
                            key=lambda item: (item[0].sequence, item[0].id),
                        )
                    ],
                    "figures": resource_figures,
                    **funders[resource.id],
                }
            )
        return result

    def _get_public_funders(self, year):
        """Funders of the resources' done donations of the year: those who agreed
        to be named, with their total in the company's currency, and how many
        others.

        :return: {resource id: {"named_funders": [(name, amount)],
            "other_funder_count": int}}
        """
        groups = (
            self.env["donation.line"]
            .sudo()
            ._read_group(
                self._get_donation_line_domain(year),
                ["commons_resource_id", "commercial_partner_id"],
                ["amount_company_currency:sum"],
            )
        )
        result = {
            resource.id: {"named_funders": [], "other_funder_count": 0}
            for resource in self
        }
        for resource, funder, amount in groups:
            if funder.commons_named_funder:
                result[resource.id]["named_funders"].append((funder.name, amount))
            else:
                result[resource.id]["other_funder_count"] += 1
        for values in result.values():
            values["named_funders"].sort(key=lambda item: (-item[1], item[0]))
        return result

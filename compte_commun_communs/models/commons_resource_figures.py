# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import defaultdict
from datetime import date

from odoo import api, fields, models
from odoo.models import NewId

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
    """The figures of a resource for a year, read from the ledger."""

    # One concern a file, as account_journal_dashboard.py does for account.journal.
    _inherit = "commons.resource"  # pylint: disable=consider-merging-classes-inherited

    def _default_figures_year(self):
        return (
            self.env.context.get("commons_year") or fields.Date.context_today(self).year
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

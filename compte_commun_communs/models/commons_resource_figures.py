# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import defaultdict
from datetime import date

from odoo import api, fields, models
from odoo.models import NewId

from .commons_resource_need import MAX_YEAR, MIN_YEAR
from .ledger import lock_rows

EMPTY_FIGURES = {
    "amount_needed": 0.0,
    "amount_received": 0.0,
    "amount_fee": 0.0,
    "amount_funded": 0.0,
    "amount_spent": 0.0,
    "amount_carried_over": 0.0,
    "amount_committed": 0.0,
    "funder_count": 0,
}


def _is_figures_year(year):
    return isinstance(year, int) and MIN_YEAR <= year <= MAX_YEAR


class CommonsResource(models.Model):
    """The figures of a resource for a year, read from the ledger."""

    # One concern a file, as account_journal_dashboard.py does for account.journal.
    _inherit = "commons.resource"  # pylint: disable=consider-merging-classes-inherited

    # The year the figures below are computed for: see _get_figures_year. The
    # default serves a new record, whose first onchange would set it to 0.
    figures_year = fields.Integer(
        string="Year",
        compute="_compute_figures_year",
        default=lambda self: self._get_figures_year(),
        help="Choose the year in Commons › Figures of a Year, or with the arrows "
        "beside it on a resource.",
    )
    # The Needs tab of the form: the needs of the year of the figures, editable
    # there; need_ids keeps every year.
    year_need_ids = fields.One2many(
        "commons.resource.need",
        "resource_id",
        string="Needs of the Year",
        domain=lambda self: [("year", "=", self._get_figures_year())],
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
    amount_carried_over = fields.Monetary(
        string="Carried Over",
        compute="_compute_figures",
        currency_field="currency_id",
        help="The resource's balance on 1 January: what it was given before the "
        "year, net of the host fee, less what it spent.",
    )
    amount_committed = fields.Monetary(
        string="Committed",
        compute="_compute_figures",
        currency_field="currency_id",
        help="Promised and not spent yet: what is left of the envelopes of active "
        "allocation instructions, and approved bills not posted yet.",
    )
    amount_available = fields.Monetary(
        string="Available",
        compute="_compute_figures",
        currency_field="currency_id",
        help="Carried over + funded − spent − committed: money that is there and "
        "promised to nobody.",
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

    @api.depends_context("commons_year", "uid")
    def _compute_figures_year(self):
        self.figures_year = self._get_figures_year()

    @api.depends(
        "figures_year",
        "analytic_account_id",
        "need_ids.amount",
        "need_ids.year",
        "year_need_ids.amount",
        "year_need_ids.year",
    )
    @api.depends_context("commons_year", "uid")
    def _compute_figures(self):
        by_year = defaultdict(lambda: self.browse())
        for resource in self:
            year = resource.figures_year
            if not _is_figures_year(year):
                # A value a client sent back in an onchange: never trust it.
                year = self._get_figures_year()
            by_year[year] |= resource
        for year, resources in by_year.items():
            ledger = resources._origin._get_figures(year)
            for resource in resources:
                values = dict(ledger.get(resource._origin.id, EMPTY_FIGURES))
                if isinstance(resource.id, NewId):
                    # Being edited in a form: its needs are not all saved yet.
                    values["amount_needed"] = sum(
                        need.amount
                        for need in resource.year_need_ids
                        if need.year == year
                    )
                values.update(resource._get_derived_figures(values))
                resource.update(values)

    def action_figures_previous_year(self):
        return self._action_move_figures_year(-1)

    def action_figures_next_year(self):
        return self._action_move_figures_year(1)

    def _action_move_figures_year(self, step):
        self._set_figures_year(self._get_figures_year() + step)
        # The year is the user's choice, not a change of the resource: reload the
        # view rather than edit the record, so that the form never looks unsaved.
        return {"type": "ir.actions.client", "tag": "soft_reload"}

    @api.model
    def _get_figures_year(self):
        """The year of the figures: the context's ``commons_year`` when the caller
        sets one, else the year the user chose (kept in their settings, so that it
        survives a reload), else the current year. A year out of range is ignored:
        an old link or an RPC call never breaks a page with it."""
        year = self.env.context.get("commons_year")
        if not _is_figures_year(year):
            # Reading one's own settings: portal users have no access to them.
            year = self.env.user.sudo().res_users_settings_id.commons_figures_year
        if not _is_figures_year(year):
            year = fields.Date.context_today(self).year
        return year

    @api.model
    def _set_figures_year(self, year):
        """Keep the year as the user's choice; a year out of range is refused."""
        self.env["res.users.settings"]._find_or_create_for_user(
            self.env.user
        ).commons_figures_year = year
        self.invalidate_model()

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
        for resource_id, years in self._get_ledger_by_year().items():
            resource_figures = figures[resource_id]
            for ledger_year, amounts in years.items():
                if ledger_year == year:
                    for key in ("amount_received", "amount_fee", "amount_spent"):
                        resource_figures[key] += amounts[key]
                elif ledger_year < year:
                    resource_figures["amount_carried_over"] += (
                        amounts["amount_received"]
                        - amounts["amount_fee"]
                        - amounts["amount_spent"]
                    )
        committed = self._get_committed_amounts(date(year, 12, 31))
        for resource_id, amount in committed.items():
            figures[resource_id]["amount_committed"] = amount
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

    def _get_ledger_by_year(self):
        """Money in and out of the resources' analytic accounts, by year, read
        with one grouped query.

        :return: {resource id: {year: {"amount_received", "amount_fee",
            "amount_spent": amount}}}
        """
        resource_by_account = {
            r.analytic_account_id.id: r.id for r in self if r.analytic_account_id
        }
        column = self._get_analytic_plan()._column_name()
        # Read as superuser once the resources themselves are readable: a steward
        # or a funder sees the totals, not the journal items behind them. What
        # each item did to the money was settled when it was posted (see
        # account.move.line._get_commons_movement).
        groups = (
            self.env["account.analytic.line"]
            .sudo()
            ._read_group(
                [
                    (column, "in", list(resource_by_account)),
                    ("company_id", "in", self.company_id.ids),
                    ("commons_movement", "in", ("received", "fee", "spent")),
                ],
                [column, "commons_movement", "date:year"],
                ["amount:sum"],
            )
        )
        ledger = defaultdict(
            lambda: defaultdict(
                lambda: {"amount_received": 0.0, "amount_fee": 0.0, "amount_spent": 0.0}
            )
        )
        for account, movement, year, amount in groups:
            amounts = ledger[resource_by_account[account.id]][year.year]
            if movement == "spent":
                # Expenses are negative in analytic accounting.
                amounts["amount_spent"] -= amount
            else:
                amounts["amount_received"] += amount
                if movement == "fee":
                    amounts["amount_fee"] += amount
        return ledger

    def _get_committed_amounts(self, date_to=None):
        """What is promised and not spent yet, as of today: what remains of
        the envelopes of the instructions that still take bills and started
        by ``date_to`` (their amount_remaining), and the approved bills dated
        by then that are not posted yet, with or without instruction (an
        envelope's remainder leaves out the bills it approved: they are
        promised as bills until posted).

        :return: {resource id: amount in the company's currency}
        """
        committed = defaultdict(float)
        Instruction = self.env["commons.allocation.instruction"].sudo()
        instruction_domain = [
            ("resource_id", "in", self.ids),
            *Instruction._get_commons_committing_domain(),
        ]
        bill_domain = [
            ("commons_resource_id", "in", self.ids),
            ("state", "=", "draft"),
            ("commons_bill_state", "=", "approved"),
        ]
        if date_to:
            instruction_domain.append(("date_start", "<=", date_to))
            bill_domain.append(("invoice_date", "<=", date_to))
        instructions = Instruction.search(instruction_domain)
        # Read now, after the caller locked the funds, never from an earlier
        # read of the same request.
        instructions.invalidate_recordset(["amount_remaining"])
        for instruction in instructions:
            committed[instruction.resource_id.id] += instruction.amount_remaining
        for bill in self.env["account.move"].sudo().search(bill_domain):
            committed[bill.commons_resource_id.id] += (
                bill._get_commons_consumed_amount()
            )
        return committed

    def _get_commons_available_amounts(self):
        """What each resource has today and has promised to nobody, all years
        together: the balance any new envelope or approval is checked against.

        :return: {resource id: amount in the company's currency}
        """
        committed = self._get_committed_amounts()
        ledger = self._get_ledger_by_year()
        return {
            resource.id: sum(
                amounts["amount_received"]
                - amounts["amount_fee"]
                - amounts["amount_spent"]
                for amounts in ledger[resource.id].values()
            )
            - committed.get(resource.id, 0.0)
            for resource in self
        }

    def _get_commons_available(self):
        self.ensure_one()
        return self._get_commons_available_amounts()[self.id]

    def _lock_commons_funds(self):
        """Lock the resources' rows before a check against their available funds
        (an envelope, an approval without instruction)."""
        lock_rows(self)

    def _get_donation_line_domain(self, year):
        """Lines of the validated donations of a year earmarked to the resources."""
        return [
            ("commons_resource_id", "in", self.ids),
            ("state", "=", "done"),
            ("donation_date", ">=", date(year, 1, 1)),
            ("donation_date", "<=", date(year, 12, 31)),
        ]

    def _get_unmet_needs(self, year):
        """What each resource still needs for the year: its needs of the year less
        what validated donations gave it for that year's needs. A gift counts for
        the year of the needs it was split by, whatever its date (a December gift
        for next year's needs), and otherwise for the year of its date.

        :return: {resource: amount in the company's currency, ≥ 0}
        """
        needed = dict(
            self.env["commons.resource.need"]
            .sudo()
            ._read_group(
                [("resource_id", "in", self.ids), ("year", "=", year)],
                ["resource_id"],
                ["amount:sum"],
            )
        )
        funded = dict(
            self.env["donation.line"]
            .sudo()
            ._read_group(
                [
                    ("commons_resource_id", "in", self.ids),
                    ("state", "=", "done"),
                    ("commons_needs_year", "=", year),
                ],
                ["commons_resource_id"],
                ["commons_net_amount_company_currency:sum"],
            )
        )
        return {
            resource: max(0.0, needed.get(resource, 0.0) - funded.get(resource, 0.0))
            for resource in self
        }

    def _get_derived_figures(self, values):
        """Figures computed from the ledger's ones."""
        self.ensure_one()
        needed = values["amount_needed"]
        return {
            "amount_available": values["amount_carried_over"]
            + values["amount_funded"]
            - values["amount_spent"]
            - values["amount_committed"],
            "coverage": 100.0 * values["amount_funded"] / needed if needed else 0.0,
        }

# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import defaultdict
from datetime import date

from odoo import api, fields, models
from odoo.models import NewId
from odoo.tools import SQL, float_round, ormcache

from .account_analytic_line import COUNTED_MOVEMENTS
from .ledger import is_commons_year, lock_rows

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
# Computed from the ones above (see _get_derived_figures).
DERIVED_FIGURES = ("amount_available", "coverage")
MONETARY_FIGURES = {
    name for name in (*EMPTY_FIGURES, *DERIVED_FIGURES) if name.startswith("amount_")
}


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
        by_year = defaultdict(list)
        for resource in self:
            year = resource.figures_year
            if not is_commons_year(year):
                # A value a client sent back in an onchange: never trust it.
                year = self._get_figures_year()
            by_year[year].append(resource)
        names = [*EMPTY_FIGURES, *DERIVED_FIGURES]
        for year, resource_list in by_year.items():
            resources = self.browse().concat(*resource_list)
            ledger = resources._origin._get_figures(year)
            columns = {name: [] for name in names}
            for resource in resource_list:
                values = ledger.get(resource._origin.id, EMPTY_FIGURES)
                if isinstance(resource.id, NewId):
                    # Being edited in a form: its needs are not all saved yet.
                    values = dict(values)
                    values["amount_needed"] = sum(
                        need.amount
                        for need in resource.year_need_ids
                        if need.year == year
                    )
                values = {**values, **resource._get_derived_figures(values)}
                rounding = resource.currency_id.rounding
                for name in names:
                    value = values[name]
                    if rounding and name in MONETARY_FIGURES:
                        value = float_round(value, precision_rounding=rounding)
                    columns[name].append(value)
            # Set the cache at once, as a compute of many records may: the
            # values are rounded above, once a figure.
            for name in names:
                self.env.cache.update(resources, self._fields[name], columns[name])

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
        if not is_commons_year(year):
            # Reading one's own settings: portal users have no access to them.
            year = self.env.user.sudo().res_users_settings_id.commons_figures_year
        if not is_commons_year(year):
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
        fixed number of queries whatever the number of resources, lines or bills.

        A year that is over (before the user's current year) is read as it stood
        on 31 December: the ledger up to then, and what was promised by then. The
        current year and later ones are open: their year runs from 1 January
        with no end, and everything promised now is committed, so that their
        available is :meth:`_get_commons_available_amounts` (see the README's
        "What “available” means").

        :return: {resource id: {field name: value}}
        """
        figures = {resource_id: dict(EMPTY_FIGURES) for resource_id in self.ids}
        if not figures:
            return figures
        date_to = None if self._is_open_figures_year(year) else date(year, 12, 31)
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
        for resource_id, amounts in self._get_ledger_amounts(year, date_to).items():
            figures[resource_id].update(amounts)
        for resource_id, amount in self._get_committed_amounts(date_to).items():
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

    @api.model
    def _is_open_figures_year(self, year):
        """Whether the figures of ``year`` run on to today and after: the
        current year of the user, and the years to come."""
        return year >= fields.Date.context_today(self).year

    @api.model
    @ormcache()
    def _get_commons_ledger_column(self):
        """The column of the resources' analytic accounts on analytic lines
        (the Commons plan's), kept once a worker: the plan is the module's."""
        return self._get_analytic_plan()._column_name()

    def _get_ledger_amounts(self, year, date_to=None):
        """Money in and out of the resources' analytic accounts in ``year``
        (from 1 January to ``date_to``, or with no end), and their balance on
        1 January, read in one pass over the ledger.

        :return: {resource id: {"amount_received", "amount_fee", "amount_spent",
            "amount_carried_over": amount}}
        """
        ledger = defaultdict(
            lambda: {
                "amount_received": 0.0,
                "amount_fee": 0.0,
                "amount_spent": 0.0,
                "amount_carried_over": 0.0,
            }
        )
        if not self.ids:
            return ledger
        column = self._get_commons_ledger_column()
        self.env["account.analytic.line"].flush_model(
            [column, "company_id", "commons_movement", "date", "amount"]
        )
        self.flush_model(["analytic_account_id", "company_id"])
        start = date(year, 1, 1)
        # Read as superuser (SQL) once the resources themselves are readable: a
        # steward or a funder sees the totals, not the journal items behind
        # them. What each item did to the money was settled when it was posted
        # (see account.move.line._get_commons_movement); only the items of the
        # resource's company count. The items are summed by analytic account
        # first, then joined to the resources: a join of a few rows an account
        # rather than of every item. They are read from the ledger's index
        # alone (see account.analytic.line._create_commons_ledger_index: the
        # condition on commons_movement is its own), one account after the
        # other: ANY(ARRAY(…)) makes the accounts an index condition, where
        # IN (SELECT …) lets PostgreSQL prefer a scan of the whole table.
        self.env.cr.execute(
            SQL(
                """
                SELECT resource.id, line.commons_movement,
                       line.in_year, line.before
                  FROM (SELECT %(column)s AS account_id, company_id,
                               commons_movement,
                               SUM(amount) FILTER (WHERE date >= %(start)s)
                                   AS in_year,
                               SUM(amount) FILTER (WHERE date < %(start)s)
                                   AS before
                          FROM account_analytic_line
                         WHERE commons_movement IN %(movements)s
                           AND %(column)s = ANY(ARRAY(
                               SELECT analytic_account_id FROM commons_resource
                                WHERE id IN %(ids)s))
                           %(date_to)s
                         GROUP BY %(column)s, company_id, commons_movement
                       ) line
                  JOIN commons_resource resource
                    ON resource.analytic_account_id = line.account_id
                   AND resource.company_id = line.company_id
                 WHERE resource.id IN %(ids)s
                """,
                start=start,
                movements=COUNTED_MOVEMENTS,
                column=SQL.identifier(column),
                ids=tuple(self.ids),
                date_to=SQL("AND date <= %s", date_to) if date_to else SQL(),
            )
        )
        for resource_id, movement, in_year, before in self.env.cr.fetchall():
            amounts = ledger[resource_id]
            in_year, before = in_year or 0.0, before or 0.0
            if movement == "spent":
                # Expenses are negative in analytic accounting.
                amounts["amount_spent"] -= in_year
                amounts["amount_carried_over"] += before
            else:
                # A fee line is received, and is the host's share of it: the
                # resource keeps what was received less the fee.
                amounts["amount_received"] += in_year
                if movement == "fee":
                    amounts["amount_fee"] += in_year
                else:
                    amounts["amount_carried_over"] += before
        return ledger

    def _get_committed_amounts(self, date_to=None):
        """What is promised and not spent yet: what remains today of the
        envelopes of the instructions that still take bills and started by
        ``date_to``, and the approved bills dated by then that are not posted
        yet, with or without instruction (an envelope's remainder leaves out
        the bills it approved: they are promised as bills until posted).
        Without ``date_to``, everything promised now. Summed in one query,
        without reading the instructions or the bills.

        :return: {resource id: amount in the company's currency}
        """
        committed = defaultdict(float)
        if not self.ids:
            return committed
        Instruction = self.env["commons.allocation.instruction"].sudo()
        Move = self.env["account.move"].sudo()
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
        instructions = Instruction._search(instruction_domain)
        # What each instruction's bills consume (its amount_consumed), read by
        # instruction from the index of the bills' instruction.
        consumed = Move._search(
            [
                "|",
                ("state", "=", "posted"),
                "&",
                ("state", "=", "draft"),
                ("commons_bill_state", "=", "approved"),
            ]
        )
        consumed.add_where(
            SQL(
                "%s = %s",
                Move._field_to_sql(consumed.table, "commons_instruction_id", consumed),
                SQL.identifier(instructions.table, "id"),
            )
        )
        instruction_resource = Instruction._field_to_sql(
            instructions.table, "resource_id", instructions
        )
        instructions.groupby = instruction_resource
        # Each envelope's amount_remaining: never below zero.
        remaining_sql = instructions.select(
            instruction_resource,
            SQL(
                "SUM(GREATEST(%s - COALESCE(%s, 0), 0))",
                Instruction._field_to_sql(instructions.table, "amount", instructions),
                consumed.subselect(
                    SQL("SUM(%s)", Move._get_commons_consumed_amount_sql(consumed))
                ),
            ),
        )
        bills = Move._search(bill_domain)
        bill_resource = Move._field_to_sql(bills.table, "commons_resource_id", bills)
        bills.groupby = bill_resource
        bills_sql = bills.select(
            bill_resource, SQL("SUM(%s)", Move._get_commons_consumed_amount_sql(bills))
        )
        for resource_id, amount in self.env.execute_query(
            SQL("%s UNION ALL %s", remaining_sql, bills_sql)
        ):
            committed[resource_id] += amount or 0.0
        return committed

    def _get_commons_available_amounts(self):
        """What each resource has and has promised to nobody, now: every entry of
        its ledger, whatever its date, less everything promised now, whatever
        its start. The balance any new envelope or approval is checked against,
        and the available of the current year's figures (see _get_figures).

        :return: {resource id: amount in the company's currency}
        """
        committed = self._get_committed_amounts()
        ledger = self._get_ledger_amounts(fields.Date.context_today(self).year)
        return {
            resource.id: ledger[resource.id]["amount_carried_over"]
            + ledger[resource.id]["amount_received"]
            - ledger[resource.id]["amount_fee"]
            - ledger[resource.id]["amount_spent"]
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

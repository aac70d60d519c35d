# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.sql import index_exists

# The index the resources' funders are counted from, without the table.
FUNDERS_INDEX = "donation_line_commons_funders_index"


class DonationLine(models.Model):
    _inherit = "donation.line"

    commons_resource_id = fields.Many2one(
        "commons.resource",
        string="Commons Resource",
        index="btree_not_null",
        ondelete="restrict",
        check_company=True,
        help="The resource this money is earmarked for: the line's analytic "
        "distribution goes to the resource's analytic account.",
    )
    # Frozen: it follows the resource chosen on the line, never a later change
    # of the company's or the resource's rate.
    commons_fee_rate = fields.Float(
        string="Host Fee (%)",
        compute="_compute_commons_fee_rate",
        store=True,
        digits=(16, 2),
    )
    commons_fee_amount = fields.Monetary(
        string="Host Fee",
        compute="_compute_commons_fee_amount",
        store=True,
        currency_field="currency_id",
    )
    commons_net_amount = fields.Monetary(
        string="Net Amount",
        compute="_compute_commons_fee_amount",
        store=True,
        currency_field="currency_id",
        help="What the resource receives: the amount less the host fee.",
    )
    commons_net_amount_company_currency = fields.Monetary(
        string="Net Amount in Company Currency",
        compute="_compute_commons_fee_amount",
        store=True,
        currency_field="company_currency_id",
    )
    commons_needs_year = fields.Integer(
        string="For the Needs of",
        compute="_compute_commons_needs_year",
        store=True,
        help="The year whose needs this money covers: the year the funder split "
        "the gift by, otherwise the year of the donation.",
    )
    # OCA donation's labels, declared again so that this module translates them
    # (OCA's French translation lacks them).
    analytic_distribution = fields.Json()
    tax_receipt_ok = fields.Boolean(string="Eligible for a Tax Receipt")
    product_donation_type = fields.Selection(string="Donation Type")
    # Stored copies of the donation's fields, to analyse lines by funder and year.
    commercial_partner_id = fields.Many2one(
        related="donation_id.commercial_partner_id", store=True, string="Funder"
    )
    donation_date = fields.Date(related="donation_id.donation_date", store=True)
    state = fields.Selection(related="donation_id.state", store=True)
    commons_fund_kind = fields.Selection(
        related="donation_id.commons_fund_kind", store=True
    )

    def init(self):
        res = super().init()
        # The funders of a year of the resources (see commons.resource.
        # _get_figures), read from the index alone: its lines by resource and
        # date, with their state and funder.
        if not index_exists(self.env.cr, FUNDERS_INDEX):
            self.env.cr.execute(
                SQL(
                    "CREATE INDEX %s ON %s (commons_resource_id, donation_date)"
                    " INCLUDE (state, commercial_partner_id)"
                    " WHERE commons_resource_id IS NOT NULL",
                    SQL.identifier(FUNDERS_INDEX),
                    SQL.identifier(self._table),
                )
            )
        return res

    @api.depends("commons_resource_id")
    def _compute_analytic_distribution(self):
        res = super()._compute_analytic_distribution()
        for line in self.filtered("commons_resource_id.analytic_account_id"):
            line.analytic_distribution = line._prepare_commons_analytic_distribution(
                line.analytic_distribution
            )
        return res

    @api.depends("commons_resource_id")
    def _compute_commons_fee_rate(self):
        for line in self:
            line.commons_fee_rate = line.commons_resource_id.host_fee_rate

    @api.depends(
        "amount",
        "amount_company_currency",
        "commons_fee_rate",
        "currency_id",
        "donation_id.donation_date",
    )
    def _compute_commons_fee_amount(self):
        for line in self:
            fee = line.currency_id.round(line.amount * line.commons_fee_rate / 100)
            line.commons_fee_amount = fee
            line.commons_net_amount = line.amount - fee
            # Converted as the journal entry does: the net item takes the
            # rounding remainder of the converted fee.
            donation = line.donation_id
            line.commons_net_amount_company_currency = (
                line.amount_company_currency
                - line.currency_id._convert(
                    fee,
                    donation.company_id.currency_id,
                    donation.company_id,
                    donation.donation_date or fields.Date.context_today(line),
                )
                if line.currency_id
                else 0.0
            )

    @api.depends(
        "donation_id.donation_date",
        "donation_id.commons_allocation",
        "donation_id.commons_prorata_year",
    )
    def _compute_commons_needs_year(self):
        for line in self:
            donation = line.donation_id
            line.commons_needs_year = (
                donation.commons_prorata_year
                if donation.commons_allocation == "prorata"
                else donation.donation_date and donation.donation_date.year
            )

    @api.model_create_multi
    def create(self, vals_list):
        donations = self.env["donation.donation"].browse(
            [vals["donation_id"] for vals in vals_list if vals.get("donation_id")]
        )
        donations._check_commons_lines_editable()
        return super().create(vals_list)

    def write(self, vals):
        self.donation_id._check_commons_lines_editable()
        if "donation_id" in vals:
            self.env["donation.donation"].browse(
                vals["donation_id"]
            )._check_commons_lines_editable()
        return super().write(vals)

    def unlink(self):
        self.donation_id._check_commons_lines_editable()
        return super().unlink()

    def _get_account(self):
        """The income account follows the kind of funds (grants and gifts are not
        booked on the same accounts), whatever the product."""
        account = super()._get_account()
        kind = self.donation_id.commons_fund_kind
        if kind and self.commons_resource_id:
            account = self.company_id._get_commons_fund_account(kind)
        return account

    def _prepare_commons_analytic_distribution(self, distribution=None):
        """The line's distribution with the resource's account at 100 %: joined to
        what other analytic plans put there (a department, a project), never
        replacing it. Accounts of the Commons plan already there (an earlier
        resource of the line) give way to the line's resource.

        :param distribution: the distribution of the other plans
        :return: an analytic distribution (``{"id,id": percentage}``)
        """
        self.ensure_one()
        resource_key = str(self.commons_resource_id.analytic_account_id.id)
        others = self._strip_commons_accounts(distribution or {})
        result = {
            f"{key},{resource_key}" if key else resource_key: percentage
            for key, percentage in others.items()
        }
        remainder = 100.0 - sum(others.values())
        if remainder > 0.0:
            result[resource_key] = result.get(resource_key, 0.0) + remainder
        return result

    def _strip_commons_accounts(self, distribution):
        """The distribution without the accounts of the Commons plan.

        :return: an analytic distribution; its key is empty for the part that was
            only on Commons accounts
        """
        plan = self.env["commons.resource"]._get_analytic_plan()
        ids = {int(i) for key in distribution for i in key.split(",") if i}
        commons_ids = set(
            self.env["account.analytic.account"]
            .browse(ids)
            .exists()
            .filtered(lambda account: account.root_plan_id == plan)
            .ids
        )
        result = {}
        for key, percentage in distribution.items():
            kept = ",".join(
                i for i in key.split(",") if i and int(i) not in commons_ids
            )
            result[kept] = result.get(kept, 0.0) + percentage
        return result

    def _prepare_commons_move_lines(self):
        """Journal items of an earmarked line: the net amount for the resource and,
        when the host takes a fee, the fee for the host's own analytic account.
        Both carry the resource (and the line's other analytic plans), so its
        figures show received, fee and net; their sum is the line's amount to
        the cent.

        :return: list of (amount in the donation's currency, move line values)
        """
        self.ensure_one()
        distribution = self._prepare_commons_analytic_distribution(
            self.analytic_distribution
        )
        common = {
            "display_type": "product",
            "product_id": self.product_id.id,
            "partner_id": self.donation_id.commercial_partner_id.id,
            "currency_id": self.currency_id.id,
        }
        result = [
            (
                self.commons_net_amount,
                dict(
                    common,
                    name=self.commons_resource_id.name,
                    account_id=self._get_account().id,
                    analytic_distribution=distribution,
                ),
            )
        ]
        if not self.currency_id.is_zero(self.commons_fee_amount):
            fee_account, host_account = self.company_id._get_commons_fee_accounts()
            rate = f"{self.commons_fee_rate:g}"
            result.append(
                (
                    self.commons_fee_amount,
                    dict(
                        common,
                        name=self.env._(
                            "Host fee %(rate)s %% – %(resource)s",
                            rate=rate,
                            resource=self.commons_resource_id.name,
                        ),
                        account_id=fee_account.id,
                        analytic_distribution={
                            f"{key},{host_account.id}": percentage
                            for key, percentage in distribution.items()
                        },
                    ),
                )
            )
        return result

    def _prepare_commons_prorata_line_vals(self, resource, amount):
        """Values of the earmarked line that takes a resource's share of this one."""
        self.ensure_one()
        return {
            "donation_id": self.donation_id.id,
            "product_id": self.product_id.id,
            "sequence": self.sequence,
            "quantity": 1,
            "unit_price": amount,
            "commons_resource_id": resource.id,
            "analytic_distribution": self.analytic_distribution,
        }

# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models


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
    # Stored copies of the donation's fields, to analyse lines by funder and year.
    commercial_partner_id = fields.Many2one(
        related="donation_id.commercial_partner_id", store=True, string="Funder"
    )
    donation_date = fields.Date(related="donation_id.donation_date", store=True)
    state = fields.Selection(related="donation_id.state", store=True)
    commons_fund_kind = fields.Selection(
        related="donation_id.commons_fund_kind", store=True
    )

    @api.depends("commons_resource_id")
    def _compute_analytic_distribution(self):
        res = super()._compute_analytic_distribution()
        for line in self.filtered("commons_resource_id.analytic_account_id"):
            line.analytic_distribution = line._prepare_commons_analytic_distribution()
        return res

    @api.depends("commons_resource_id")
    def _compute_commons_fee_rate(self):
        for line in self:
            line.commons_fee_rate = line.commons_resource_id.host_fee_rate

    @api.depends("amount", "commons_fee_rate", "currency_id")
    def _compute_commons_fee_amount(self):
        for line in self:
            fee = line.currency_id.round(line.amount * line.commons_fee_rate / 100)
            line.commons_fee_amount = fee
            line.commons_net_amount = line.amount - fee

    def _get_account(self):
        """The income account follows the kind of funds (grants and gifts are not
        booked on the same accounts), whatever the product."""
        account = super()._get_account()
        kind = self.donation_id.commons_fund_kind
        if kind and self.commons_resource_id:
            account = self.company_id._get_commons_fund_account(kind)
        return account

    def _prepare_commons_analytic_distribution(self):
        self.ensure_one()
        return {str(self.commons_resource_id.analytic_account_id.id): 100.0}

    def _prepare_commons_move_lines(self):
        """Journal items of an earmarked line: the net amount for the resource and,
        when the host takes a fee, the fee for the host's own analytic account.
        Both carry the resource, so its figures show received, fee and net; their
        sum is the line's amount to the cent.

        :return: list of (amount in the donation's currency, move line values)
        """
        self.ensure_one()
        resource_key = str(self.commons_resource_id.analytic_account_id.id)
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
                    analytic_distribution={resource_key: 100.0},
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
                            f"{resource_key},{host_account.id}": 100.0
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
        }

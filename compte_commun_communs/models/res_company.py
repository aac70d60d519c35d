# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

# Where the French chart of accounts books each kind of funds and the host fee.
FRENCH_CHART_ACCOUNTS = {
    "commons_grant_account_id": "pcg_741",
    "commons_gift_account_id": "pcg_7582",
    "commons_sponsorship_account_id": "pcg_706",
    "commons_fee_account_id": "pcg_7088",
}


class ResCompany(models.Model):
    _inherit = "res.company"

    commons_host_fee_rate = fields.Float(
        string="Host Fee (%)",
        digits=(16, 2),
        help="Share of each earmarked amount the host keeps as a management fee, "
        "unless the resource has its own rate. Changing it never changes donations "
        "already recorded.",
    )
    commons_fee_account_id = fields.Many2one(
        "account.account",
        string="Host Fee Income Account",
        check_company=True,
        domain="[('account_type', 'in', ('income', 'income_other'))]",
    )
    commons_host_analytic_account_id = fields.Many2one(
        "account.analytic.account",
        string="Host Analytic Account",
        check_company=True,
        help="The host's own analytic account, which receives the host fee.",
    )
    commons_grant_account_id = fields.Many2one(
        "account.account",
        string="Public Grants Account",
        check_company=True,
        domain="[('account_type', 'in', ('income', 'income_other'))]",
    )
    commons_gift_account_id = fields.Many2one(
        "account.account",
        string="Private Donations Account",
        check_company=True,
        domain="[('account_type', 'in', ('income', 'income_other'))]",
    )
    commons_sponsorship_account_id = fields.Many2one(
        "account.account",
        string="Corporate Sponsorships Account",
        check_company=True,
        domain="[('account_type', 'in', ('income', 'income_other'))]",
    )

    @api.constrains("commons_host_fee_rate")
    def _check_commons_host_fee_rate(self):
        for company in self:
            if not 0 <= company.commons_host_fee_rate < 100:
                raise ValidationError(
                    self.env._(
                        "The host fee of %(company)s must be between 0 %% and 100 %%.",
                        company=company.name,
                    )
                )

    def _get_commons_fund_account(self, fund_kind):
        """The income account of a kind of funds; a clear error when not set."""
        self.ensure_one()
        field_name = {
            "grant": "commons_grant_account_id",
            "donation": "commons_gift_account_id",
            "sponsorship": "commons_sponsorship_account_id",
        }[fund_kind]
        account = self[field_name]
        if not account:
            raise UserError(
                self.env._(
                    "Set the “%(account)s” of %(company)s in Commons › "
                    "Configuration › Settings.",
                    account=self._fields[field_name].get_description(self.env)[
                        "string"
                    ],
                    company=self.name,
                )
            )
        return account

    def _get_commons_fee_accounts(self):
        """The general and analytic accounts the host fee is booked on. The host's
        analytic account is created the first time a fee is taken."""
        self.ensure_one()
        if not self.commons_fee_account_id:
            raise UserError(
                self.env._(
                    "Set the “Host Fee Income Account” of %(company)s in Commons › "
                    "Configuration › Settings.",
                    company=self.name,
                )
            )
        if not self.commons_host_analytic_account_id:
            self.sudo().commons_host_analytic_account_id = (
                self.env["account.analytic.account"]
                .sudo()
                .create(self._prepare_commons_host_analytic_account_vals())
            )
        return self.commons_fee_account_id, self.commons_host_analytic_account_id

    def _prepare_commons_host_analytic_account_vals(self):
        self.ensure_one()
        return {
            "name": self.env._("Host fee – %(company)s", company=self.name),
            "plan_id": self.env.ref(
                "compte_commun_communs.account_analytic_plan_host"
            ).id,
            "company_id": self.id,
        }

    def _set_commons_default_accounts(self):
        """Fill the accounts left empty from the company's chart of accounts, when
        it is the French one."""
        chart = self.env["account.chart.template"]
        for company in self:
            for field_name, xmlid in FRENCH_CHART_ACCOUNTS.items():
                if company[field_name]:
                    continue
                account = chart.with_company(company).ref(
                    xmlid, raise_if_not_found=False
                )
                if account:
                    company[field_name] = account

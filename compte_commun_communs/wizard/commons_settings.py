# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import AccessError

MANAGER_GROUP = "compte_commun_communs.compte_commun_communs_group_manager"


class CommonsSettings(models.TransientModel):
    """The host's Commons settings, for the Commons managers: Odoo's own
    Settings are for administrators only, and the host's accountant must not get
    write access to every field of the company to set its fee and accounts."""

    _name = "commons.settings"
    _description = "Commons settings of the host"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company",
        required=True,
        readonly=True,
        default=lambda self: self.env.company,
    )
    commons_host_fee_rate = fields.Float(string="Host Fee (%)", digits=(16, 2))
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
    commons_accounts_origin = fields.Selection(
        related="company_id.commons_accounts_origin"
    )

    @api.model
    def _get_company_fields(self):
        """The company's fields these settings show and save."""
        return [
            name
            for name, field in self._fields.items()
            if name.startswith("commons_") and not field.related
        ]

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        company = self.env.company
        for name in self._get_company_fields():
            if name in fields_list:
                values[name] = self._fields[name].convert_to_write(
                    company[name], company
                )
        return values

    def action_save(self):
        self.ensure_one()
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(
                self.env._("Only a Commons manager may change the Commons settings.")
            )
        self.company_id.sudo().write(self._prepare_company_vals())
        return {"type": "ir.actions.client", "tag": "soft_reload"}

    def _prepare_company_vals(self):
        self.ensure_one()
        return {
            name: self._fields[name].convert_to_write(self[name], self)
            for name in self._get_company_fields()
        }

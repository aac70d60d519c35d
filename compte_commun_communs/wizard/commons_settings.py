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
    # The host's legal identity, printed on its tax receipts.
    commons_rna = fields.Char(string="RNA Number", size=10)
    commons_company_registry = fields.Char(
        string="SIREN", help="The company's registry number (Company ID)."
    )
    commons_organisation_kind = fields.Selection(
        selection=lambda self: self.env["res.company"]
        ._fields["commons_organisation_kind"]
        ._description_selection(self.env),
        string="Kind of Organisation",
    )
    commons_organisation_kind_detail = fields.Char(string="Kind Details")
    commons_object = fields.Text(string="Object")
    commons_receipt_signatory_name = fields.Char(string="Signatory")
    commons_receipt_signatory_function = fields.Char(string="Signatory's Capacity")
    commons_receipt_signature = fields.Image(
        string="Signature", max_width=600, max_height=300
    )
    commons_receipt_place = fields.Char(
        string="Place of Issue",
        help="Printed as “Fait à …” on tax receipts; the company's city when empty.",
    )
    commons_receipt_gift_form = fields.Selection(
        selection=lambda self: self.env["res.company"]
        ._fields["commons_receipt_gift_form"]
        ._description_selection(self.env),
        string="Default Form of Gifts",
        required=True,
    )

    @api.model
    def _get_company_fields(self):
        """The company's fields these settings show and save.

        :return: {settings field: company field}
        """
        fields_map = {
            name: name
            for name, field in self._fields.items()
            if name.startswith("commons_") and not field.related
        }
        fields_map["commons_company_registry"] = "company_registry"
        return fields_map

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        company = self.env.company
        for name, company_field in self._get_company_fields().items():
            if name in fields_list:
                values[name] = company._fields[company_field].convert_to_write(
                    company[company_field], company
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
            company_field: self._fields[name].convert_to_write(self[name], self)
            for name, company_field in self._get_company_fields().items()
        }

# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import re

from odoo import api, fields, models
from odoo.exceptions import AccessError

MANAGER_GROUP = "compte_commun_communs.compte_commun_communs_group_manager"
# How long the people of a resource have to see a change of who decides: the
# host's administrators set them, not the staff whose changes they delay.
GOVERNANCE_FIELDS = {
    "commons_login_wait_days",
    "commons_proposal_wait_days",
    "commons_instruction_grace_days",
}


class CommonsSettings(models.TransientModel):
    """The host's Commons settings, for the Commons managers. Like Odoo's
    Settings, its fields are the company's, written when the form is saved; but
    Odoo's Settings are for administrators only, and the host's accountant must
    not get write access to every field of the company to set its fee, accounts
    and legal identity: these settings write the company's fields they show, and
    only those, after checking the user is a Commons manager."""

    _name = "commons.settings"
    _description = "Commons settings of the host"

    company_id = fields.Many2one(
        "res.company",
        required=True,
        readonly=True,
        default=lambda self: self.env.company,
    )
    commons_host_fee_rate = fields.Float(
        related="company_id.commons_host_fee_rate", readonly=False
    )
    commons_fee_account_id = fields.Many2one(
        related="company_id.commons_fee_account_id", readonly=False
    )
    commons_host_analytic_account_id = fields.Many2one(
        related="company_id.commons_host_analytic_account_id", readonly=False
    )
    commons_grant_account_id = fields.Many2one(
        related="company_id.commons_grant_account_id", readonly=False
    )
    commons_gift_account_id = fields.Many2one(
        related="company_id.commons_gift_account_id", readonly=False
    )
    commons_sponsorship_account_id = fields.Many2one(
        related="company_id.commons_sponsorship_account_id", readonly=False
    )
    commons_accounts_origin = fields.Selection(
        related="company_id.commons_accounts_origin"
    )
    commons_vat_recoverable = fields.Boolean(
        related="company_id.commons_vat_recoverable", readonly=False
    )
    # The accountant's worklist: who the bills to post and to pay go to.
    commons_accountant_user_id = fields.Many2one(
        related="company_id.commons_accountant_user_id", readonly=False
    )
    # The host's legal identity, printed on its tax receipts.
    commons_rna = fields.Char(related="company_id.commons_rna", readonly=False)
    commons_company_registry = fields.Char(
        related="company_id.company_registry",
        string="SIREN",
        readonly=False,
        help="The company's registry number (Company ID).",
    )
    commons_organisation_kind = fields.Selection(
        related="company_id.commons_organisation_kind", readonly=False
    )
    commons_organisation_kind_detail = fields.Char(
        related="company_id.commons_organisation_kind_detail", readonly=False
    )
    commons_object = fields.Text(related="company_id.commons_object", readonly=False)
    commons_receipt_signatory_name = fields.Char(
        related="company_id.commons_receipt_signatory_name", readonly=False
    )
    commons_receipt_signatory_function = fields.Char(
        related="company_id.commons_receipt_signatory_function", readonly=False
    )
    commons_receipt_signature = fields.Image(
        related="company_id.commons_receipt_signature", readonly=False
    )
    commons_receipt_place = fields.Char(
        related="company_id.commons_receipt_place", readonly=False
    )
    commons_receipt_gift_form = fields.Selection(
        related="company_id.commons_receipt_gift_form", readonly=False
    )
    commons_login_wait_days = fields.Integer(
        related="company_id.commons_login_wait_days", readonly=False
    )
    commons_proposal_wait_days = fields.Integer(
        related="company_id.commons_proposal_wait_days", readonly=False
    )
    commons_instruction_grace_days = fields.Integer(
        related="company_id.commons_instruction_grace_days", readonly=False
    )
    commons_is_administrator = fields.Boolean(
        compute="_compute_commons_is_administrator"
    )
    # How the contributors are paid: SEPA credit transfers from the host's
    # bank account (see res.company._set_commons_sepa_transfer).
    commons_sepa_iban = fields.Char(
        string="Host's IBAN",
        help="The IBAN of the host's bank account the contributors are paid "
        "from, put on its bank journal.",
    )
    commons_sepa_bic = fields.Char(
        string="Host's BIC", help="The BIC of the host's bank."
    )
    commons_payment_mode_id = fields.Many2one(
        related="company_id.commons_payment_mode_id"
    )

    def _compute_commons_is_administrator(self):
        self.commons_is_administrator = self.env.user.has_group("base.group_system")

    @api.model
    def default_get(self, fields_list):
        # As Odoo's Settings do: the form opens on the company's current values.
        values = super().default_get(fields_list)
        company = self.env.company
        for name in fields_list:
            related = self._fields[name].related
            if related and related.startswith("company_id."):
                company_field = related.split(".", 1)[1]
                values[name] = company._fields[company_field].convert_to_write(
                    company[company_field], company
                )
        host_account = company._get_commons_host_bank_account()
        if "commons_sepa_iban" in fields_list:
            values["commons_sepa_iban"] = host_account.acc_number or False
        if "commons_sepa_bic" in fields_list:
            values["commons_sepa_bic"] = host_account.bank_id.bic or False
        return values

    @api.model_create_multi
    def create(self, vals_list):
        self._check_commons_manager()
        company = self.env.company
        for vals in vals_list:
            # The form sends every field back: only a changed delay is a change.
            self._check_commons_governance_access(
                {
                    name: value
                    for name, value in vals.items()
                    if name in GOVERNANCE_FIELDS and company[name] != value
                }
            )
        # The related fields write the company: as superuser, once the user is
        # known to be a Commons manager.
        settings = super(CommonsSettings, self.sudo()).create(vals_list)
        settings._apply_commons_sepa_transfer()
        return settings.sudo(False)

    def write(self, vals):
        self._check_commons_manager()
        self._check_commons_governance_access(
            {
                name: value
                for name, value in vals.items()
                if name in GOVERNANCE_FIELDS
                and any(settings.company_id[name] != value for settings in self)
            }
        )
        res = super(CommonsSettings, self.sudo()).write(vals)
        if {"commons_sepa_iban", "commons_sepa_bic"} & vals.keys():
            self.sudo()._apply_commons_sepa_transfer()
        return res

    @api.model
    def _check_commons_manager(self):
        if not self.env.su and not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(
                self.env._("Only a Commons manager may change the Commons settings.")
            )

    @api.model
    def _check_commons_governance_access(self, vals):
        if not vals or self.env.su or self.env.user.has_group("base.group_system"):
            return
        raise AccessError(
            self.env._(
                "Only an administrator changes the waiting periods that give "
                "stewards the time to see a change of who decides."
            )
        )

    def _apply_commons_sepa_transfer(self):
        """Set up the SEPA transfers to contributors when the host's IBAN or
        BIC changed (or the payment mode is not set up yet)."""
        for settings in self:
            company = settings.company_id
            if not settings.commons_sepa_iban and not settings.commons_sepa_bic:
                continue
            account = company._get_commons_host_bank_account()
            if (
                company._get_commons_payment_mode()
                and account.sanitized_acc_number
                == re.sub(r"\s", "", settings.commons_sepa_iban or "").upper()
                and account.bank_id.bic
                == re.sub(r"\s", "", settings.commons_sepa_bic or "").upper()
            ):
                continue
            company._set_commons_sepa_transfer(
                settings.commons_sepa_iban, settings.commons_sepa_bic
            )

    def action_save(self):
        """The form's Save: the settings were written when the record was saved;
        show them again as they now are."""
        self.ensure_one()
        return {"type": "ir.actions.client", "tag": "soft_reload"}

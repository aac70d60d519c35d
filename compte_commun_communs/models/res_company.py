# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from .donation_tax_receipt_cerfa import CERFA_GIFT_FORMS

# Where the French chart of accounts books each kind of funds and the host fee.
FRENCH_CHART_ACCOUNTS = {
    "commons_grant_account_id": "pcg_741",
    "commons_gift_account_id": "pcg_7582",
    "commons_sponsorship_account_id": "pcg_706",
    "commons_fee_account_id": "pcg_7088",
}

# The shortest waiting periods the host may set: people must have the time to
# read their email before a change of who decides takes effect.
COMMONS_WAITING_FLOORS = {
    "commons_login_wait_days": 1,
    "commons_proposal_wait_days": 7,
    "commons_instruction_grace_days": 0,
}
MAX_WAITING_DAYS = 365


class ResCompany(models.Model):
    _inherit = "res.company"

    commons_vat_recoverable = fields.Boolean(
        string="VAT Recoverable on Contributors' Bills",
        help="Off (an association not subject to VAT): the VAT of a contributor's "
        "bill is a cost of the resource, which spends the total. On: the host "
        "recovers the VAT and the resource spends the untaxed amount.",
    )
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
    commons_accounts_origin = fields.Selection(
        [
            ("french", "Filled from the French chart of accounts (PCG)."),
            (
                "by_type",
                "Chosen by account type from your chart of accounts: check that "
                "they suit you.",
            ),
        ],
        string="How the Accounts Were Chosen",
        readonly=True,
    )
    # Legal identity of the host printed on its tax receipts (CERFA n° 11580 and
    # 16216). Not needed by donations without a receipt: a receipt cannot be
    # issued while one of these is missing (_get_commons_cerfa_missing), but
    # donations without a receipt never need them.

    commons_rna = fields.Char(
        string="RNA Number",
        size=10,
        help="Number of the association in the Répertoire national des "
        "associations (W followed by 9 characters). Tax receipts need it or the "
        "SIREN (the Company ID).",
    )
    commons_organisation_kind = fields.Selection(
        [
            ("general_interest_association", "General-interest association"),
            ("public_utility", "Association or foundation of public utility"),
            ("university_foundation", "University or partnership foundation"),
            ("company_foundation", "Corporate foundation"),
            ("museum", "Musée de France"),
            ("humanitarian_aid", "Free food, care or housing aid organisation"),
            ("general_interest_other", "Other general-interest organisation"),
            ("endowment_fund", "Endowment fund"),
            ("higher_education", "Non-profit higher education establishment"),
            ("research", "Non-profit research establishment"),
            ("other", "Other"),
        ],
        string="Kind of Organisation",
        help="The case of the tax receipt form the host falls under.",
    )
    commons_organisation_kind_detail = fields.Char(
        string="Kind Details",
        help="For an organisation of public utility: the date of the decree and of "
        "its publication in the Journal officiel. For “Other”: which kind. Printed "
        "after the kind of organisation.",
    )
    commons_object = fields.Text(
        string="Object",
        help="The host's object, as in its statutes: printed on tax receipts.",
    )
    commons_receipt_signatory_name = fields.Char(
        string="Signatory",
        help="The person who signs the tax receipts.",
    )
    commons_receipt_signatory_function = fields.Char(
        string="Signatory's Capacity",
        help="Printed under the signatory's name, e.g. “Président” or “Trésorier”.",
    )
    commons_receipt_signature = fields.Image(
        string="Signature",
        max_width=600,
        max_height=300,
        help="Image of the signatory's signature, printed on tax receipts.",
    )
    commons_receipt_place = fields.Char(
        string="Place of Issue",
        help="Printed as “Fait à …” on tax receipts; the company's city when empty.",
    )
    commons_receipt_gift_form = fields.Selection(
        CERFA_GIFT_FORMS,
        string="Default Form of Gifts",
        default="manual",
        required=True,
        help="Form of the gift printed on a new tax receipt; it can be changed on "
        "each receipt.",
    )
    # How long the people of a resource have to see a change of who decides
    # before it takes effect: administrators only set them, never below a floor.
    commons_login_wait_days = fields.Integer(
        string="Waiting Period of a Changed Login (days)",
        default=7,
        help="A steward's or contributor's login or email changed by someone else "
        "decides nothing for this many days, unless its owner confirms the change "
        "from their previous address.",
    )
    commons_proposal_wait_days = fields.Integer(
        string="Waiting Period of a Proposal Nobody Can Confirm (days)",
        default=14,
        help="A change of a resource's stewards, two-approvals threshold or analytic "
        "account proposed by the host, when no steward of the resource can confirm "
        "it, takes effect after this many days unless a steward objects.",
    )
    commons_instruction_grace_days = fields.Integer(
        string="Grace Period for Late Bills (days)",
        default=30,
        help="Once an allocation instruction's period has ended, its contributor may "
        "still send bills against it for this many days; after that, what is left "
        "of its envelope is no longer committed. A change applies to the end dates "
        "set from then on: an instruction keeps the day it was given.",
    )

    commons_accountant_user_id = fields.Many2one(
        "res.users",
        string="Host's Accountant",
        domain=lambda self: [
            ("share", "=", False),
            ("groups_id", "in", self.env.ref("account.group_account_invoice").ids),
        ],
        help="The user who posts the bills the stewards approved and pays them: "
        "each comes to them as an activity. Empty: no activity is scheduled.",
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

    @api.constrains(
        "commons_login_wait_days",
        "commons_proposal_wait_days",
        "commons_instruction_grace_days",
    )
    def _check_commons_waiting_periods(self):
        for company in self:
            for fname, floor in COMMONS_WAITING_FLOORS.items():
                if not floor <= company[fname] <= MAX_WAITING_DAYS:
                    raise ValidationError(
                        self.env._(
                            "%(setting)s must be between %(floor)s and %(max)s days.",
                            setting=company._fields[fname].get_description(self.env)[
                                "string"
                            ],
                            floor=floor,
                            max=MAX_WAITING_DAYS,
                        )
                    )

    @api.constrains("commons_accountant_user_id")
    def _check_commons_accountant_user_id(self):
        invoicing = self.env.ref("account.group_account_invoice")
        for company in self:
            user = company.commons_accountant_user_id
            if user and (
                user.share
                or invoicing not in user.groups_id
                or company not in user.company_ids
            ):
                raise ValidationError(
                    self.env._(
                        "%(user)s cannot be the host's accountant of %(company)s: "
                        "the accountant is an internal user of the company with "
                        "accounting rights.",
                        user=user.name,
                        company=company.name,
                    )
                )

    @api.constrains("commons_rna")
    def _check_commons_rna(self):
        for company in self.filtered("commons_rna"):
            rna = company.commons_rna
            if not (
                len(rna) == 10
                and rna[0] == "W"
                and rna[1:].isascii()
                and rna[1:].isalnum()
                and rna[1:] == rna[1:].upper()
            ):
                raise ValidationError(
                    self.env._(
                        "The RNA number %(rna)s of %(company)s is not valid: it is "
                        "a W followed by 9 digits or capital letters.",
                        rna=rna,
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
                    "Configuration › Commons Settings.",
                    account=self._fields[field_name].get_description(self.env)[
                        "string"
                    ],
                    company=self.name,
                )
            )
        return account

    def _get_commons_fee_accounts(self):
        """The general and analytic accounts the host fee is booked on."""
        self.ensure_one()
        if not self.commons_fee_account_id:
            raise UserError(
                self.env._(
                    "Set the “Host Fee Income Account” of %(company)s in Commons › "
                    "Configuration › Commons Settings.",
                    company=self.name,
                )
            )
        return self.commons_fee_account_id, self._get_commons_host_analytic_account()

    def _get_commons_host_analytic_account(self):
        """The host's own analytic account, created with the company's settings
        (or the first time a fee is taken, for a company created before)."""
        self.ensure_one()
        if not self.commons_host_analytic_account_id:
            company = self.with_context(lang=self.partner_id.lang or self.env.lang)
            self.sudo().commons_host_analytic_account_id = (
                self.env["account.analytic.account"]
                .sudo()
                .create(company._prepare_commons_host_analytic_account_vals())
            )
        return self.commons_host_analytic_account_id

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
        """Fill the accounts left empty from the company's chart of accounts: the
        French chart's accounts when it is the French one, otherwise accounts
        chosen by their type, and say which in the settings."""
        for company in self:
            if not self.env["account.account"].search_count(
                [*self.env["account.account"]._check_company_domain(company)],
                limit=1,
            ):
                continue  # no chart of accounts yet
            chosen = company._get_commons_french_accounts()
            origin = "french"
            if not all(chosen.values()):
                by_type = company._get_commons_accounts_by_type()
                chosen = {name: chosen[name] or by_type[name] for name in by_type}
                origin = "by_type"
            vals = {
                name: account.id
                for name, account in chosen.items()
                if account and not company[name]
            }
            if vals:
                vals["commons_accounts_origin"] = origin
                company.write(vals)
            company._get_commons_host_analytic_account()

    def _get_commons_french_accounts(self):
        """The French chart's accounts of the kinds of funds and the host fee.

        :return: {field name: account or empty recordset}
        """
        self.ensure_one()
        chart = self.env["account.chart.template"].with_company(self)
        return {
            field_name: chart.ref(xmlid, raise_if_not_found=False)
            or self.env["account.account"]
            for field_name, xmlid in FRENCH_CHART_ACCOUNTS.items()
        }

    def _get_commons_accounts_by_type(self):
        """Accounts of any chart for the kinds of funds and the host fee: gifts
        and grants on an "other income" account, sponsorships and the host fee
        on the main income account (the one of the sales journal).

        :return: {field name: account or empty recordset}
        """
        self.ensure_one()
        Account = self.env["account.account"]
        company_domain = Account._check_company_domain(self)
        main_income = (
            self.env["account.journal"]
            .search(
                [
                    *self.env["account.journal"]._check_company_domain(self),
                    ("type", "=", "sale"),
                ],
                limit=1,
            )
            .default_account_id
        ) or Account.search(
            [*company_domain, ("account_type", "=", "income")], order="code", limit=1
        )
        other_income = (
            Account.search(
                [*company_domain, ("account_type", "=", "income_other")],
                order="code",
                limit=1,
            )
            or main_income
        )
        return {
            "commons_grant_account_id": other_income,
            "commons_gift_account_id": other_income,
            "commons_sponsorship_account_id": main_income,
            "commons_fee_account_id": main_income,
        }

    def _get_commons_cerfa_missing(self):
        """The settings a tax receipt of the company needs and that are not set.

        :return: list of the settings' labels, empty when receipts can be issued
        """
        self.ensure_one()

        def label(field_name):
            return self._fields[field_name].get_description(self.env)["string"]

        kind = self.commons_organisation_kind
        needs_detail = kind in ("public_utility", "general_interest_other", "other")
        checks = [
            (
                self.commons_rna or self.company_registry,
                self.env._("RNA Number or SIREN (Company ID)"),
            ),
            (
                self.street and self.city,
                self.env._("Address of the company (street and city)"),
            ),
            (self.commons_object, label("commons_object")),
            (kind, label("commons_organisation_kind")),
            (
                not needs_detail or self.commons_organisation_kind_detail,
                label("commons_organisation_kind_detail"),
            ),
            (
                self.commons_receipt_signatory_name,
                label("commons_receipt_signatory_name"),
            ),
            (
                self.commons_receipt_signatory_function,
                label("commons_receipt_signatory_function"),
            ),
            (self.commons_receipt_signature, label("commons_receipt_signature")),
        ]
        return [missing_label for is_set, missing_label in checks if not is_set]

    def _check_commons_cerfa_ready(self):
        """Raise a clear error naming the missing settings when the companies
        cannot issue tax receipts yet."""
        for company in self:
            missing = company._get_commons_cerfa_missing()
            if missing:
                raise UserError(
                    self.env._(
                        "Tax receipts of %(company)s cannot be issued yet: set "
                        "%(settings)s in Commons › Configuration › Commons Settings, "
                        "“Tax receipts”.",
                        company=company.name,
                        settings=", ".join(f"“{label}”" for label in missing),
                    )
                )

    def _get_commons_receipt_place(self):
        self.ensure_one()
        return self.commons_receipt_place or self.city or ""

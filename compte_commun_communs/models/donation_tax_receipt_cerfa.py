# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from num2words import num2words

from odoo import api, fields, models
from odoo.exceptions import UserError

CERFA_REPORT = "compte_commun_communs.donation_tax_receipt_report_cerfa"

CERFA_GIFT_FORMS = [
    ("manual", "Manual gift declaration"),
    ("authentic", "Notarial deed"),
    ("private_deed", "Private deed"),
    ("other", "Other"),
]

# The receipt is a French legal form, read by the French tax administration: its
# wording is the CERFA's, in French whatever the donor's language, and is not
# translated. The keys are the values of the fields the boxes are ticked from.
CERFA_GENERAL_INTEREST = (
    "Œuvre ou organisme d'intérêt général ayant un caractère philanthropique, "
    "éducatif, scientifique, social, humanitaire, sportif, familial, culturel, ou "
    "concourant à l'égalité entre les femmes et les hommes, à la mise en valeur du "
    "patrimoine artistique, à la défense de l'environnement naturel ou à la "
    "diffusion de la culture, de la langue et des connaissances scientifiques "
    "françaises"
)
CERFA_ORGANISATION_KINDS = {
    "general_interest_association": "Association loi 1901",
    "public_utility": "Association ou fondation reconnue d'utilité publique par "
    "décret",
    "university_foundation": "Fondation universitaire ou fondation partenariale "
    "mentionnées respectivement aux articles L. 719-12 et L. 719-13 du code de "
    "l'éducation",
    "company_foundation": "Fondation d'entreprise",
    "museum": "Musée de France",
    "humanitarian_aid": "Organisme sans but lucratif fournissant gratuitement une "
    "aide alimentaire ou des soins médicaux à des personnes en difficulté ou "
    "favorisant leur logement",
    "general_interest_other": "Autre",
    "endowment_fund": "Fonds de dotation",
    "higher_education": "Établissement d'enseignement supérieur ou d'enseignement "
    "artistique public ou privé, d'intérêt général, à but non lucratif",
    "research": "Établissement de recherche public ou privé, d'intérêt général, à "
    "but non lucratif",
    "other": "Autre",
}
# The cases the form lists under "Œuvre ou organisme d'intérêt général".
CERFA_GENERAL_INTEREST_KINDS = (
    "general_interest_association",
    "public_utility",
    "university_foundation",
    "company_foundation",
    "museum",
    "humanitarian_aid",
    "general_interest_other",
)
CERFA_ARTICLES = [
    ("200", "200 du CGI"),
    ("238bis", "238 bis du CGI"),
    ("978", "978 du CGI"),
]
CERFA_GIFT_FORM_BOXES = [
    ("authentic", "Acte authentique"),
    ("private_deed", "Acte sous seing privé"),
    ("manual", "Déclaration de don manuel"),
    ("other", "Autres"),
]
CERFA_NATURE_BOXES = [
    ("cash", "Numéraire"),
    ("shares", "Titres de sociétés cotés"),
    ("in_kind", "Autres (dons en nature)"),
]
CERFA_PAYMENT_BOXES = [
    ("cash", "Remise d'espèces"),
    ("cheque", "Chèque"),
    ("transfer", "Virement, prélèvement, carte bancaire"),
    ("other", "Autre"),
]
# Payment mode of a payment method (account.payment.method.line) → box of the form.
CERFA_PAYMENT_MODE_BOX = {
    "transfer": "transfer",
    "direct_debit": "transfer",
    "card": "transfer",
    "cheque": "cheque",
    "cash": "cash",
    "other": "other",
}
# Currency → (unit, units, subunit, subunits) in French words.
FRENCH_CURRENCY_WORDS = {
    "EUR": ("euro", "euros", "centime", "centimes"),
    "CHF": ("franc suisse", "francs suisses", "centime", "centimes"),
    "USD": ("dollar", "dollars", "cent", "cents"),
}


def amount_to_french_words(amount, currency):
    """The amount in French words, as a French receipt writes it in full.

    ``amount_to_text`` of ``res.currency`` capitalises every word and follows the
    user's language; a French receipt needs "trois cents euros", "un million
    d'euros" or "dix euros et cinq centimes".
    """
    cents = round(abs(amount) * 100)
    units, cents = divmod(cents, 100)
    unit, units_word, subunit, subunits = FRENCH_CURRENCY_WORDS.get(
        currency.name,
        (currency.currency_unit_label or currency.name,) * 2
        + (currency.currency_subunit_label or "",) * 2,
    )
    words = num2words(units, lang="fr")
    if words.endswith(("million", "millions", "milliard", "milliards")):
        text = f"{words} d'{units_word}"
    else:
        text = f"{words} {unit if units <= 1 else units_word}"
    if cents:
        text += f" et {num2words(cents, lang='fr')} "
        text += subunit if cents == 1 else subunits
    return text


class DonationTaxReceipt(models.Model):
    """The French tax receipt ("reçu au titre des dons", CERFA n° 11580, and its
    companies' counterpart n° 16216): what it prints and what it needs."""

    _inherit = "donation.tax.receipt"

    commons_gift_form = fields.Selection(
        CERFA_GIFT_FORMS,
        string="Form of the Gift",
        compute="_compute_commons_gift_form",
        store=True,
        precompute=True,
        readonly=False,
        required=True,
        tracking=True,
        help="Printed on the receipt (“forme du don”); a new receipt takes the "
        "company's default.",
    )
    commons_cgi_article = fields.Selection(
        [
            ("200", "Article 200 (individuals)"),
            ("238bis", "Article 238 bis (companies)"),
        ],
        string="Article of the Tax Code",
        compute="_compute_commons_cgi_article",
        store=True,
        precompute=True,
        readonly=False,
        required=True,
        tracking=True,
        help="The article of the French tax code (CGI) that gives the donor the "
        "tax reduction: 200 for an individual, 238 bis for a company.",
    )

    @api.depends("company_id")
    def _compute_commons_gift_form(self):
        for receipt in self:
            receipt.commons_gift_form = (
                receipt.company_id.commons_receipt_gift_form or "manual"
            )

    # Deliberately not depending on partner_id.is_company: a receipt keeps the
    # article it was issued with if the donor's record changes later.
    @api.depends("partner_id")
    def _compute_commons_cgi_article(self):
        for receipt in self:
            is_company = receipt.partner_id.commercial_partner_id.is_company
            receipt.commons_cgi_article = "238bis" if is_company else "200"

    def action_print_commons_cerfa(self):
        """Print the receipts as the CERFA, after checking they can be issued: one
        receipt as it was issued and emailed, several in one PDF."""
        self._check_commons_cerfa_ready()
        if len(self) == 1:
            return self.action_open_commons_receipt_document()
        return self.env.ref(CERFA_REPORT).report_action(self)

    def _get_commons_cerfa_missing(self):
        """What the receipt needs before it can be issued and is not set: the
        host's legal settings, the donor's address, the payment mode of the
        payment methods the money was given with.

        :return: list of messages naming each missing setting, empty when the
            receipt can be issued
        """
        self.ensure_one()
        missing = [
            self.env._(
                "“%(setting)s” in Commons › Configuration › Commons Settings",
                setting=setting,
            )
            for setting in self.company_id._get_commons_cerfa_missing()
        ]
        donor = self.partner_id.commercial_partner_id
        if not (donor.street and donor.city):
            missing.append(
                self.env._(
                    "Address of the donor %(donor)s (street and city)",
                    donor=donor.display_name,
                )
            )
        methods = self._get_commons_cash_donations().payment_method_line_id
        for method in methods.filtered(lambda m: not m.commons_receipt_payment_mode):
            missing.append(
                self.env._(
                    "“Tax Receipt Payment Mode” of the payment method %(method)s "
                    "(journal %(journal)s, Incoming Payments)",
                    method=method.name,
                    journal=method.journal_id.display_name,
                )
            )
        return missing

    def _check_commons_cerfa_ready(self):
        """Raise a clear error naming what is missing when a receipt cannot be
        issued or printed. Call it before issuing: donations are validated
        whatever the settings, their receipts wait until these are complete."""
        self.company_id._check_commons_cerfa_ready()
        for receipt in self:
            missing = receipt._get_commons_cerfa_missing()
            if missing:
                raise UserError(
                    self.env._(
                        "Tax receipt %(receipt)s cannot be issued yet: set "
                        "%(missing)s.",
                        receipt=receipt.number,
                        missing="; ".join(missing),
                    )
                )

    def _get_commons_cash_donations(self):
        """The receipt's donations given in money, which have a payment mode."""
        self.ensure_one()
        return self.donation_ids.filtered(
            lambda d: any(
                not line.in_kind for line in d.line_ids if line.tax_receipt_ok
            )
        )

    def _format_commons_cerfa_amount(self, amount):
        """An amount as French receipts print it: 1 234,50."""
        self.ensure_one()
        digits = self.currency_id.decimal_places
        return f"{amount:,.{digits}f}".replace(",", "\xa0").replace(".", ",")

    @api.model
    def _format_commons_cerfa_date(self, date):
        return date.strftime("%d/%m/%Y") if date else ""

    @api.model
    def _get_commons_cerfa_boxes(self, boxes, ticked):
        """:return: [(label, is_ticked)] of a row of boxes of the form"""
        return [(label, key in ticked) for key, label in boxes]

    @api.model
    def _get_commons_cerfa_address(self, partner):
        """:return: the lines of a postal address"""
        city = " ".join(filter(None, [partner.zip, partner.city]))
        return [
            line
            for line in (partner.street, partner.street2, city, partner.country_id.name)
            if line
        ]

    def _get_commons_cerfa_lang(self):
        """The language the receipt is rendered in: French, the form's language,
        when it is installed, for the appendix too (the split across resources);
        else the donor's."""
        self.ensure_one()
        return self.env["res.lang"]._get_code("fr_FR") or self.partner_id.lang

    def _prepare_commons_cerfa_values(self):
        """What the CERFA prints, as French text whatever the donor's language.

        :return: dict of the document's values: ``title``, ``form_number``,
            ``number``, ``beneficiary`` and ``donor`` (dicts), ``amount``,
            ``amount_in_words``, ``gifts`` ([{date, amount, number}]),
            ``period`` ((first date, last date) of an annual receipt, else False),
            ``articles``, ``gift_forms``, ``natures``, ``payment_modes`` (rows of
            boxes, [(label, is_ticked)]), ``place``, ``date``, ``signatory``,
            ``signatory_function``, ``signature`` (base64 image), ``cancelled``
            and ``missing`` (what the receipt still needs, see
            ``_get_commons_cerfa_missing``)
        """
        self.ensure_one()
        company = self.company_id
        donor = self.partner_id.commercial_partner_id
        is_company = self.commons_cgi_article == "238bis"
        donations = self.donation_ids.sorted(lambda d: (d.donation_date, d.id))
        gifts = [
            {
                "date": self._format_commons_cerfa_date(donation.donation_date),
                "amount": self._format_commons_cerfa_amount(donation.tax_receipt_total),
                "number": donation.number,
            }
            for donation in donations
        ] or [
            {
                "date": self._format_commons_cerfa_date(self.donation_date),
                "amount": self._format_commons_cerfa_amount(self.amount),
                "number": "",
            }
        ]
        lines = donations.line_ids.filtered("tax_receipt_ok")
        natures = set()
        if not donations or any(not line.in_kind for line in lines):
            natures.add("cash")
        if any(line.in_kind for line in lines):
            natures.add("in_kind")
        payment_modes = {
            CERFA_PAYMENT_MODE_BOX[mode]
            for mode in self._get_commons_cash_donations().mapped(
                "payment_method_line_id.commons_receipt_payment_mode"
            )
            if mode
        }
        kind = company.commons_organisation_kind
        kind_wording = CERFA_ORGANISATION_KINDS.get(kind, "")
        kind_detail = company.commons_organisation_kind_detail
        if kind_detail:
            kind_wording = f"{kind_wording} : {kind_detail}"
        registry_ids = [
            f"{label} {value}"
            for label, value in (
                ("RNA", company.commons_rna),
                ("SIREN", company.company_registry),
            )
            if value
        ]
        if is_company:
            title = (
                "Reçu des dons et versements effectués par les entreprises au titre "
                "de l'article 238 bis du code général des impôts"
            )
            form_number = "Cerfa n° 16216 (2041-MEC-SD)"
        else:
            title = (
                "Reçu des dons et versements effectués par les particuliers au titre "
                "des articles 200 et 978 du code général des impôts"
            )
            form_number = "Cerfa n° 11580*05 (2041-RD)"
        return {
            "title": title,
            "form_number": form_number,
            "number": self.number,
            "beneficiary": {
                "name": company.name,
                "registry_ids": " – ".join(registry_ids),
                "address": self._get_commons_cerfa_address(company.partner_id),
                "object": company.commons_object or "",
                "general_interest": CERFA_GENERAL_INTEREST
                if kind in CERFA_GENERAL_INTEREST_KINDS
                else "",
                "kind": kind_wording,
            },
            "donor": {
                "name": donor.name,
                "is_company": is_company,
                "siren": (donor.company_registry or "") if is_company else "",
                "address": self._get_commons_cerfa_address(donor),
            },
            "amount": self._format_commons_cerfa_amount(self.amount),
            "currency": FRENCH_CURRENCY_WORDS.get(
                self.currency_id.name, (self.currency_id.name,) * 2
            )[1],
            "amount_in_words": amount_to_french_words(self.amount, self.currency_id),
            "gifts": gifts,
            "period": (gifts[0]["date"], gifts[-1]["date"])
            if self.type == "annual" and len(gifts) > 1
            else False,
            "articles": self._get_commons_cerfa_boxes(
                CERFA_ARTICLES, {self.commons_cgi_article}
            ),
            "gift_forms": self._get_commons_cerfa_boxes(
                CERFA_GIFT_FORM_BOXES, {self.commons_gift_form}
            ),
            "natures": self._get_commons_cerfa_boxes(CERFA_NATURE_BOXES, natures),
            "payment_modes": self._get_commons_cerfa_boxes(
                CERFA_PAYMENT_BOXES, payment_modes
            ),
            "place": company._get_commons_receipt_place(),
            "date": self._format_commons_cerfa_date(self.date),
            "signatory": company.commons_receipt_signatory_name or "",
            "signatory_function": company.commons_receipt_signatory_function or "",
            "signature": company.commons_receipt_signature,
            "cancelled": self.state == "cancelled",
            "missing": self._get_commons_cerfa_missing(),
        }

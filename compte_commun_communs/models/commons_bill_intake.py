# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import math
import os
import re
from contextlib import closing, contextmanager
from datetime import date, datetime
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from lxml import etree

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import DEFAULT_SERVER_DATE_FORMAT, float_compare
from odoo.tools.misc import format_date, formatLang, get_lang

# The largest invoice file a contributor may send.
MAX_INVOICE_FILE_SIZE = 10 * 1024 * 1024
# What an invoice file is, by its first bytes (never by its name).
INVOICE_FILE_SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)
# The root elements of the e-invoices Odoo imports: UBL and CII (Factur-X).
EINVOICE_XML_ROOTS = ("Invoice", "CrossIndustryInvoice")
INVOICE_FILE_EXTENSIONS = {
    "application/pdf": (".pdf",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
    "application/xml": (".xml",),
}
# What groups the thousands of a typed amount, never its decimals: spaces of
# any kind (French writes "1 500,00" with a narrow no-break space) and the
# Swiss apostrophe.
AMOUNT_GROUPING = re.compile(r"[\s\u00a0\u202f'\u2019]")
# A typed amount once read: digits, with a point before its decimals.
AMOUNT_TEXT = re.compile(r"[+-]?\d+(\.\d+)?")
# Most lines a portal bill takes.
MAX_PORTAL_LINES = 50
# An amount of an e-invoice, as XML Schema writes a decimal (xsd:decimal): no
# exponent, no NaN nor infinity, all of which float() accepts.
XSD_DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
# The largest amount of an e-invoice read: far beyond any bill, and within
# what a float holds to the cent (Odoo's rounding of a larger one overflows).
MAX_EINVOICE_AMOUNT = 10**12
# The totals an e-invoice declares (EN 16931: BT-106 to BT-115), by format: its
# root's namespace, where its totals are, and the element of each figure there.
# Odoo's import reads the lines and recomputes the totals; these say what the
# document itself asks for.
EINVOICE_TOTALS = {
    "cii": {
        "roots": ("urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",),
        "namespaces": {
            "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
            "ram": "urn:un:unece:uncefact:data:standard:"
            "ReusableAggregateBusinessInformationEntity:100",
        },
        "currency": "rsm:SupplyChainTradeTransaction"
        "/ram:ApplicableHeaderTradeSettlement/ram:InvoiceCurrencyCode",
        "totals": "rsm:SupplyChainTradeTransaction"
        "/ram:ApplicableHeaderTradeSettlement"
        "/ram:SpecifiedTradeSettlementHeaderMonetarySummation",
        "figures": {
            "lines": "ram:LineTotalAmount",
            "allowances": "ram:AllowanceTotalAmount",
            "charges": "ram:ChargeTotalAmount",
            "untaxed": "ram:TaxBasisTotalAmount",
            "tax": "ram:TaxTotalAmount",
            "total": "ram:GrandTotalAmount",
            "rounding": "ram:RoundingAmount",
            "prepaid": "ram:TotalPrepaidAmount",
            "due": "ram:DuePayableAmount",
        },
        # Odoo's CII import ignores the rounding amount.
        "rounding_imported": False,
    },
    "ubl": {
        "roots": (
            "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
            "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2",
        ),
        "namespaces": {
            "cac": "urn:oasis:names:specification:ubl:schema:xsd:"
            "CommonAggregateComponents-2",
            "cbc": "urn:oasis:names:specification:ubl:schema:xsd:"
            "CommonBasicComponents-2",
        },
        "currency": "cbc:DocumentCurrencyCode",
        "totals": "cac:LegalMonetaryTotal",
        "figures": {
            "lines": "cbc:LineExtensionAmount",
            "allowances": "cbc:AllowanceTotalAmount",
            "charges": "cbc:ChargeTotalAmount",
            "untaxed": "cbc:TaxExclusiveAmount",
            "total": "cbc:TaxInclusiveAmount",
            "prepaid": "cbc:PrepaidAmount",
            "rounding": "cbc:PayableRoundingAmount",
            "due": "cbc:PayableAmount",
        },
        # Odoo's UBL import books the payable rounding amount as a line.
        "rounding_imported": True,
    },
}


class CommonsFormError(UserError):
    """A refused value of the bill form, naming the form's field it is about
    (ref, invoice_date, lines, tax_id, partner_bank_id, invoice_file), so
    that the page shows the error beside it."""

    def __init__(self, message, field):
        super().__init__(message)
        self.field = field


@contextmanager
def commons_form_field(field):
    """Name ``field`` in the UserError raised inside the block (a
    CommonsFormError keeps the field it names)."""
    try:
        yield
    except CommonsFormError:
        raise
    except UserError as error:
        if isinstance(error, AccessError):
            raise
        raise CommonsFormError(error.args[0], field) from error


class CommonsBillIntake(models.AbstractModel):
    """Taking a contributor's bill in from the portal, as account.move.send
    sends one out: the invoice file checked by its content, the e-invoice it
    may carry read and cross-checked with what was typed, the form parsed
    (amounts, dates, lines, VAT, bank account) and the bill's values
    prepared. A service, not a record: its methods take the bill, the
    instruction or the values they work on. What a bill does itself (its
    portal status, its correction) is on account.move.

    Its parsers of amounts and dates serve every portal form."""

    _name = "commons.bill.intake"
    _description = "Commons Bill Intake"

    # -- The invoice file -------------------------------------------------------

    @api.model
    def _check_commons_invoice_file(self, filename, content):
        """Check an invoice file sent by a contributor, by its content.

        :return: its mimetype, one of INVOICE_FILE_EXTENSIONS
        :raise UserError: no file, too large, or not a PDF, JPEG, PNG or
            UBL/CII XML invoice
        """
        if not content:
            raise UserError(self.env._("Attach your invoice: a PDF, JPEG or PNG file."))
        if len(content) > MAX_INVOICE_FILE_SIZE:
            raise UserError(
                self.env._(
                    "%(file)s is too large: an invoice file is at most %(max)s MB.",
                    file=filename or self.env._("The file"),
                    max=MAX_INVOICE_FILE_SIZE // (1024 * 1024),
                )
            )
        for signature, mimetype in INVOICE_FILE_SIGNATURES:
            if content.startswith(signature):
                return mimetype
        if self._is_commons_einvoice_xml(content):
            return "application/xml"
        raise UserError(
            self.env._(
                "%(file)s is not a PDF, JPEG or PNG file (nor a UBL or Factur-X "
                "XML invoice): send your invoice in one of these formats.",
                file=filename or self.env._("The file"),
            )
        )

    @api.model
    def _is_commons_einvoice_xml(self, content):
        """Whether the content is a UBL or CII invoice in XML."""
        text = content.lstrip(b"\xef\xbb\xbf \t\r\n")
        if not text.startswith(b"<"):
            return False
        parser = etree.XMLParser(resolve_entities=False, no_network=True)
        try:
            root = etree.fromstring(text, parser=parser)
        except (etree.XMLSyntaxError, ValueError):
            return False
        return etree.QName(root).localname in EINVOICE_XML_ROOTS

    @api.model
    def _get_commons_invoice_filename(self, filename, mimetype):
        """The file's own name, without a path, ending as its content is."""
        name = os.path.basename((filename or "").replace("\\", "/")).strip()
        extensions = INVOICE_FILE_EXTENSIONS[mimetype]
        if not name:
            name = "invoice"
        if not name.lower().endswith(extensions):
            name += extensions[0]
        return name

    # -- Amounts and dates, as people type them -----------------------------

    @api.model
    def _parse_commons_amount(self, value, currency=None):
        """An amount typed in a portal form, read as people write it in the
        user's language or in French: "1 500,00", "1500.50", "1,500.00",
        "1.500,00", "200,50", with or without the currency's symbol. Alone,
        the user's thousands separator followed by three digits groups
        thousands ("1,500" is 1500 in English); any other lone comma or
        point is the decimal one ("200,50", "1.5").

        :param value: str, int or float; an empty value is 0.0 (the caller
            says when an amount is required)
        :param currency: res.currency to round to, or None (days, rates)
        :return: float
        :raise UserError: not a number, or not one any form takes
        """
        if isinstance(value, bool):
            value = ""
        if isinstance(value, int | float):
            amount = float(value)
        else:
            text = self._get_commons_amount_digits(value, currency)
            if text is None:
                raise UserError(
                    self.env._("“%(value)s” is not an amount.", value=value)
                )
            amount = float(text) if text else 0.0
        if not math.isfinite(amount) or abs(amount) >= MAX_EINVOICE_AMOUNT:
            raise UserError(self.env._("“%(value)s” is not an amount.", value=value))
        return currency.round(amount) if currency else amount

    @api.model
    def _get_commons_amount_digits(self, value, currency=None):
        """The typed amount as Python reads a number ("-1500.5"), "" when
        blank, or None when it is not an amount."""
        text = str(value or "").strip()
        if currency and currency.symbol:
            text = text.replace(currency.symbol, "")
        # Spaces of any kind (French groups thousands with a narrow one) and
        # the Swiss apostrophe only group thousands.
        text = AMOUNT_GROUPING.sub("", text).replace("\u2212", "-")
        if not text:
            return ""
        commas, points = text.count(","), text.count(".")
        if commas and points:
            decimal = "," if text.rindex(",") > text.rindex(".") else "."
            thousands = "." if decimal == "," else ","
        elif commas + points > 1:
            decimal, thousands = None, "," if commas else "."
        elif commas + points:
            separator = "," if commas else "."
            lang = get_lang(self.env)
            decimal, thousands = separator, None
            if (
                separator == lang.thousands_sep
                and separator != lang.decimal_point
                and re.fullmatch(r"[+-]?\d{1,3}[.,]\d{3}", text)
            ):
                decimal, thousands = None, separator
        else:
            decimal = thousands = None
        integer, _sep, decimals = text.partition(decimal) if decimal else (text, "", "")
        if thousands and thousands in integer:
            if not re.fullmatch(
                rf"[+-]?\d{{1,3}}({re.escape(thousands)}\d{{3}})+", integer
            ):
                return None
            integer = integer.replace(thousands, "")
        text = f"{integer}.{decimals}" if decimal else integer
        return text if AMOUNT_TEXT.fullmatch(text) else None

    @api.model
    def _format_commons_amount(self, amount, currency):
        """An amount as a form shows it to be typed again: in the user's
        language, without the currency's symbol ("1 500,00" in French)."""
        return formatLang(self.env, amount or 0.0, digits=currency.decimal_places)

    @api.model
    def _parse_commons_date(self, value):
        """A date typed in a portal form: as a date field sends it
        (2026-03-31), or as the user's language writes it (31/03/2026).

        :return: date, or False when blank (the caller says when a date is
            required)
        :raise UserError: not a date
        """
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        text = str(value or "").strip()
        if not text:
            return False
        formats = [DEFAULT_SERVER_DATE_FORMAT, get_lang(self.env).date_format]
        formats += ["%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y"]
        for date_format in dict.fromkeys(formats):
            try:
                parsed = datetime.strptime(text, date_format).date()
            except ValueError:
                continue
            if parsed.year >= 1900:
                return parsed
        raise UserError(self.env._("“%(value)s” is not a date.", value=value))

    @api.model
    def _parse_commons_invoice_date(self, value):
        """The invoice's date: required, and within a year of today (an older
        bill is the accountant's to record)."""
        invoice_date = self._parse_commons_date(value)
        if not invoice_date:
            raise UserError(self.env._("Give the date of your invoice."))
        today = fields.Date.context_today(self)
        if invoice_date > today + relativedelta(years=1):
            raise UserError(
                self.env._(
                    "The date of your invoice, %(date)s, is more than a year from "
                    "now.",
                    date=format_date(self.env, invoice_date),
                )
            )
        if invoice_date < today - relativedelta(years=1):
            raise UserError(
                self.env._(
                    "The date of your invoice, %(date)s, is more than a year ago: "
                    "ask the host's accountant to record it.",
                    date=format_date(self.env, invoice_date),
                )
            )
        return invoice_date

    # -- What the contributor typed ---------------------------------------------

    @api.model
    def _get_commons_taxes(self, company):
        """The VAT rates a contributor may choose: the host's purchase taxes on
        amounts before VAT (the form asks for them). A host that does not
        recover VAT offers only the taxes whose VAT is a cost (no tax account:
        it lands on the expense and the resource), so that what the resource
        spends in the ledger is what the bill consumes."""
        taxes = (
            self.env["account.tax"]
            .sudo()
            .search(
                [
                    *self.env["account.tax"]._check_company_domain(company),
                    ("type_tax_use", "=", "purchase"),
                    ("amount_type", "in", ("percent", "division", "fixed")),
                ],
                order="sequence, amount, id",
            )
            .filtered(lambda tax: not tax.price_include)
        )
        if not company.commons_vat_recoverable:
            taxes = taxes.filtered(
                lambda tax: not tax.invoice_repartition_line_ids.filtered(
                    lambda line: line.repartition_type == "tax"
                ).account_id
            )
        return taxes

    @api.model
    def _parse_commons_lines(self, lines, currency):
        """[(label, amount)] from the form, without its blank rows."""
        parsed = []
        for label, amount in lines or []:
            label = (label or "").strip()
            if not label and not (str(amount or "")).strip():
                continue
            if not label:
                raise UserError(self.env._("Describe each line of your invoice."))
            if not str(amount or "").strip():
                raise UserError(
                    self.env._("Give the amount of “%(line)s”.", line=label)
                )
            amount = self._parse_commons_amount(amount, currency)
            if float_compare(amount, 0.0, precision_rounding=currency.rounding) <= 0:
                raise UserError(
                    self.env._("Each line's amount must be more than zero.")
                )
            parsed.append((label, amount))
        if not parsed:
            raise UserError(
                self.env._("Add at least one line with its amount to your invoice.")
            )
        if len(parsed) > MAX_PORTAL_LINES:
            raise UserError(
                self.env._(
                    "An invoice sent from the portal has at most %(max)s lines.",
                    max=MAX_PORTAL_LINES,
                )
            )
        return parsed

    @api.model
    def _get_commons_tax(self, tax_id, company):
        if not tax_id:
            return self.env["account.tax"]
        try:
            tax_id = int(tax_id)
        except (TypeError, ValueError):
            tax_id = 0
        tax = self._get_commons_taxes(company).filtered(lambda t: t.id == tax_id)
        if not tax:
            raise UserError(self.env._("Choose the VAT of your invoice in the list."))
        return tax

    @api.model
    def _get_commons_bank_accounts(self, partner, company):
        """The bank accounts a contributor may be paid on: those the host
        recorded for them (their commercial partner's, its contacts' too), as
        superuser: portal users do not read bank accounts."""
        commercial = partner.commercial_partner_id
        return (
            self.env["res.partner.bank"]
            .sudo()
            .search(
                [
                    ("partner_id", "child_of", commercial.id),
                    ("company_id", "in", [False, company.id]),
                ],
                order="sequence, id",
            )
            .filtered(
                lambda bank: self._is_commons_bank_account(bank, partner, company)
            )
        )

    @api.model
    def _is_commons_bank_account(self, bank, partner, company):
        """Whether ``bank`` is one of the accounts the contributor ``partner``
        may be paid on (see _get_commons_bank_accounts), read from the account
        itself: the guards ask it of every bill without a search."""
        bank = bank.sudo()
        return bool(
            bank.active
            and bank.partner_id.commercial_partner_id == partner.commercial_partner_id
            and (not bank.company_id or bank.company_id == company)
        )

    @api.model
    def _get_commons_bank_account(self, value, partner, company):
        """The bank account the contributor chose for their bill, or their only
        one.

        :param value: the id sent by the form, or nothing
        :raise UserError: none recorded, none chosen among several, or one that
            is not theirs
        """
        accounts = self._get_commons_bank_accounts(partner, company)
        if not accounts:
            raise UserError(
                self.env._(
                    "The host has no bank account of yours to pay this bill to: add "
                    "yours in My bank accounts, then send your bill."
                )
            )
        try:
            bank_id = int(value or 0)
        except (TypeError, ValueError):
            bank_id = -1
        if not bank_id and len(accounts) == 1:
            return accounts
        account = accounts.filtered(lambda bank: bank.id == bank_id)
        if not account:
            raise UserError(
                self.env._("Choose, among yours, the bank account the bill is paid to.")
            )
        return account

    @api.model
    def _prepare_commons_bill_values(self, resource, company, values, partner=None):
        """The bill's values from what the contributor typed.

        :param values: {ref, invoice_date, lines: [(label, amount)], tax_id,
            partner_bank_id}
        :param partner: res.partner, the contributor the bill is paid to (by
            default the current user's)
        """
        partner = partner or self.env.user.partner_id
        ref = (values.get("ref") or "").strip()
        if not ref:
            raise CommonsFormError(
                self.env._("Give the number of your invoice."), "ref"
            )
        with commons_form_field("invoice_date"):
            invoice_date = self._parse_commons_invoice_date(values.get("invoice_date"))
        with commons_form_field("lines"):
            lines = self._parse_commons_lines(values.get("lines"), company.currency_id)
        with commons_form_field("tax_id"):
            tax = self._get_commons_tax(values.get("tax_id"), company)
        with commons_form_field("partner_bank_id"):
            bank = self._get_commons_bank_account(
                values.get("partner_bank_id"), partner, company
            )
        distribution = {str(resource.analytic_account_id.id): 100}
        return {
            "ref": ref,
            "invoice_date": invoice_date,
            "partner_bank_id": bank.id,
            # The expense account is the purchase journal's default, as for
            # any bill line without a product.
            "invoice_line_ids": [
                Command.create(
                    {
                        "name": label,
                        "quantity": 1,
                        "price_unit": amount,
                        "tax_ids": [Command.set(tax.ids)],
                        "analytic_distribution": distribution,
                    }
                )
                for label, amount in lines
            ],
        }

    # -- Checks ---------------------------------------------------------------

    @api.model
    def _check_commons_instruction(self, instruction):
        """The instruction a bill is sent against is given to the current
        user's partner; what else it must be is a rule of every bill (see
        _check_commons_bill), checked when the bill is submitted."""
        instruction = instruction.sudo().exists()
        partner = self.env.user.partner_id.commercial_partner_id
        if (
            not instruction
            or instruction.contributor_id.commercial_partner_id != partner
        ):
            raise AccessError(
                self.env._("This allocation instruction is not given to you.")
            )
        return instruction

    # -- The e-invoice in the file ----------------------------------------------

    @api.model
    def _parse_commons_einvoice(self, company, filename, content):
        """Read the file with Odoo's own e-invoice import (account_edi_ubl_cii)
        into a throwaway bill, in a savepoint that is always rolled back: the
        import replaces the bill's partner and may create partners and bank
        accounts, none of which must stay. Call it before writing anything:
        rolling a savepoint back also drops the transaction's pending
        precommit hooks (such as the chatter's tracking).

        :return: None when the file carries no e-invoice, else
            {"partner": res.partner (commercial), "currency": res.currency,
            "move_type": str, "untaxed": float, "tax": float, "total": float,
            "declared": [dict]}: what Odoo's import made of the lines, and
            what each e-invoice in the file declares of its totals (see
            _parse_commons_einvoice_totals); partner is empty when the import
            failed
        """
        if not content:
            return None
        result = None
        Move = (
            self.env["account.move"]
            .sudo()
            .with_company(company)
            .with_context(
                mail_create_nosubscribe=True,
                tracking_disable=True,
            )
        )
        with (
            closing(self.env.cr.savepoint()),
            self.env["res.partner.bank"]._commons_einvoice_probe(),
        ):
            probe = Move.create({"move_type": "in_invoice"})
            attachment = (
                self.env["ir.attachment"]
                .sudo()
                .create(
                    {
                        "name": filename,
                        "raw": content,
                        "res_model": probe._name,
                        "res_id": probe.id,
                    }
                )
            )
            declared = []
            for file_data in attachment._unwrap_edi_attachments():
                if file_data["type"] == "xml" and probe._get_edi_decoder(
                    file_data, new=True
                ):
                    # The tree the decoder reads (an AttachedDocument is
                    # unwrapped by _get_edi_decoder).
                    declared.append(
                        self._parse_commons_einvoice_totals(file_data["xml_tree"])
                    )
                if file_data.get("on_close"):
                    file_data["on_close"]()
            if declared:
                probe._extend_with_attachments(attachment, new=True)
                imported = bool(probe.invoice_line_ids)
                result = {
                    "partner_id": probe.partner_id.commercial_partner_id.id
                    if imported
                    else False,
                    "currency_id": probe.currency_id.id,
                    "move_type": probe.move_type,
                    "untaxed": probe.amount_untaxed,
                    "tax": probe.amount_tax,
                    "total": probe.amount_total,
                    "declared": declared,
                }
        # The savepoint is rolled back: browse again what outlives it.
        if result:
            result["partner"] = self.env["res.partner"].browse(result.pop("partner_id"))
            result["currency"] = self.env["res.currency"].browse(
                result.pop("currency_id")
            )
        return result

    @api.model
    def _parse_commons_einvoice_totals(self, tree):
        """What an e-invoice declares of its totals, read in its XML tree (CII
        or UBL, by its root's namespace), in its own currency.

        :return: {"format": "cii"|"ubl"|False, "invalid": [element names
            whose amount is not a number], "rounding_imported": bool, and,
            for each figure the document has: "lines", "allowances",
            "charges", "untaxed", "tax", "total", "rounding", "prepaid",
            "due": float}
        """
        root_namespace = etree.QName(tree).namespace
        spec_format = next(
            (
                key
                for key, spec in EINVOICE_TOTALS.items()
                if root_namespace in spec["roots"]
            ),
            False,
        )
        totals = {"format": spec_format, "invalid": [], "rounding_imported": False}
        if not spec_format:
            return totals
        spec = EINVOICE_TOTALS[spec_format]
        namespaces = spec["namespaces"]
        totals["rounding_imported"] = spec["rounding_imported"]
        currency = (
            tree.findtext(spec["currency"], namespaces=namespaces) or ""
        ).strip()
        summation = tree.find(spec["totals"], namespaces=namespaces)
        if summation is None:
            return totals
        for figure, element in spec["figures"].items():
            # An amount in another currency (CII gives the VAT in the tax
            # currency too) is not the document's.
            nodes = [
                node
                for node in summation.findall(element, namespaces=namespaces)
                if not currency or node.get("currencyID", currency) == currency
            ]
            if not nodes:
                continue
            amount = self._parse_commons_einvoice_amount(nodes[0].text)
            if amount is None:
                totals["invalid"].append(etree.QName(nodes[0]).localname)
            else:
                totals[figure] = amount
        return totals

    @api.model
    def _parse_commons_einvoice_amount(self, text):
        """An amount of an e-invoice, read as the xsd:decimal it must be.

        :return: float, or None when ``text`` is not a decimal number, or not
            one a bill can be (see MAX_EINVOICE_AMOUNT)
        """
        text = (text or "").strip()
        if not XSD_DECIMAL.fullmatch(text):
            return None
        amount = float(Decimal(text))
        if not math.isfinite(amount) or abs(amount) >= MAX_EINVOICE_AMOUNT:
            return None
        return amount

    @api.model
    def _check_commons_einvoice(self, bill, filename, einvoice):
        """When the file carries an e-invoice (Factur-X, UBL, CII), it must be
        the contributor's invoice, add up, and say what they typed.

        :param bill: account.move, the bill as the contributor typed it
        :param einvoice: what _parse_commons_einvoice read in the file
        :raise UserError: naming what the file and the bill disagree on
        """
        bill.ensure_one()
        if einvoice is None:
            return
        if not einvoice["partner"]:
            raise UserError(
                self.env._(
                    "The e-invoice in %(file)s could not be read: send it again "
                    "or send a plain PDF.",
                    file=filename,
                )
            )
        if einvoice["move_type"] != bill.move_type:
            raise UserError(
                self.env._(
                    "The e-invoice in %(file)s is a credit note, not an invoice: "
                    "send the invoice of your work.",
                    file=filename,
                )
            )
        if einvoice["partner"] != bill.commercial_partner_id:
            # Never name the partner the import found: it may be anyone's.
            raise UserError(
                self.env._(
                    "The seller in the e-invoice of %(file)s is not you: send an "
                    "invoice you issued yourself.",
                    file=filename,
                )
            )
        self._check_commons_einvoice_totals(filename, einvoice)
        currency = bill.currency_id
        if einvoice["currency"] != currency or any(
            float_compare(read, typed, precision_rounding=currency.rounding)
            for read, typed in (
                (einvoice["untaxed"], bill.amount_untaxed),
                (einvoice["total"], bill.amount_total),
            )
        ):
            raise UserError(
                self.env._(
                    "The e-invoice in %(file)s says %(untaxed)s before VAT and "
                    "%(total)s with VAT, but you typed %(typed_untaxed)s and "
                    "%(typed_total)s: correct the lines or the VAT.",
                    file=filename,
                    untaxed=formatLang(
                        self.env, einvoice["untaxed"], currency_obj=einvoice["currency"]
                    ),
                    total=formatLang(
                        self.env, einvoice["total"], currency_obj=einvoice["currency"]
                    ),
                    typed_untaxed=formatLang(
                        self.env, bill.amount_untaxed, currency_obj=currency
                    ),
                    typed_total=formatLang(
                        self.env, bill.amount_total, currency_obj=currency
                    ),
                )
            )
        for declared in einvoice["declared"]:
            if float_compare(
                declared["due"], bill.amount_total, precision_rounding=currency.rounding
            ):
                raise UserError(
                    self.env._(
                        "The e-invoice in %(file)s asks for %(due)s, but your bill "
                        "comes to %(total)s: the host pays what the bill says, so "
                        "send an invoice whose amount due is its total.",
                        file=filename,
                        due=formatLang(
                            self.env, declared["due"], currency_obj=currency
                        ),
                        total=formatLang(
                            self.env, bill.amount_total, currency_obj=currency
                        ),
                    )
                )

    @api.model
    def _check_commons_einvoice_totals(self, filename, einvoice):
        """Each e-invoice in the file adds up: the totals it declares (of its
        lines, before VAT, the VAT, with VAT, due) are those of its lines as
        Odoo's import computed them. A file whose PDF and XML say 250 € is
        due while its lines make 150 € is not a bill of 150 €.

        :param einvoice: what _parse_commons_einvoice read in the file
        :raise UserError: naming each figure that disagrees
        """
        currency = einvoice["currency"]
        labels = {
            "lines": self.env._("a line total"),
            "untaxed": self.env._("a total before VAT"),
            "tax": self.env._("a VAT"),
            "total": self.env._("a total with VAT"),
            "due": self.env._("an amount due"),
        }
        for declared in einvoice["declared"]:
            if declared["invalid"]:
                raise UserError(
                    self.env._(
                        "The e-invoice in %(file)s gives as %(amounts)s something "
                        "that is not a number: send a complete e-invoice or a "
                        "plain PDF.",
                        file=filename,
                        amounts=", ".join(declared["invalid"]),
                    )
                )
            if "total" not in declared or "due" not in declared:
                raise UserError(
                    self.env._(
                        "The e-invoice in %(file)s does not give its total and the "
                        "amount due as amounts: send a complete e-invoice or a "
                        "plain PDF.",
                        file=filename,
                    )
                )
            # What the lines make, as Odoo imported them; UBL's payable rounding
            # is imported as a line but is not part of the declared totals
            # before it.
            rounding_line = (
                declared.get("rounding", 0.0) if declared["rounding_imported"] else 0.0
            )
            untaxed = einvoice["untaxed"] - rounding_line
            total = einvoice["total"] - rounding_line
            computed = {
                "lines": untaxed
                + declared.get("allowances", 0.0)
                - declared.get("charges", 0.0),
                "untaxed": untaxed,
                "tax": einvoice["tax"],
                "total": total,
                "due": total
                - declared.get("prepaid", 0.0)
                + declared.get("rounding", 0.0),
            }
            differences = [
                self.env._(
                    "%(figure)s of %(declared)s where its lines make %(computed)s",
                    figure=labels[figure],
                    declared=formatLang(
                        self.env, declared[figure], currency_obj=currency
                    ),
                    computed=formatLang(
                        self.env, computed[figure], currency_obj=currency
                    ),
                )
                for figure in labels
                if figure in declared
                and float_compare(
                    declared[figure],
                    computed[figure],
                    precision_rounding=currency.rounding,
                )
            ]
            if differences:
                raise UserError(
                    self.env._(
                        "The e-invoice in %(file)s does not add up: it declares "
                        "%(differences)s. Send an invoice whose totals are those "
                        "of its lines.",
                        file=filename,
                        differences="; ".join(differences),
                    )
                )

    # -- The contributor's actions ----------------------------------------------

    @api.model
    def _create_commons_bill(self, instruction, values):
        """Create, check and submit a contributor's bill sent from the portal.

        The portal calls it as superuser once it checked the instruction is the
        user's; it checks it again. Everything happens in a savepoint: on any
        error nothing is left, even when the caller catches the error.

        :param instruction: commons.allocation.instruction
        :param values: {ref, invoice_date, lines: [(label, amount)], tax_id,
            partner_bank_id, filename, content}
        :return: the draft bill, submitted to the stewards
        """
        instruction = self._check_commons_instruction(instruction)
        filename = values.get("filename")
        content = values.get("content")
        with commons_form_field("invoice_file"):
            mimetype = self._check_commons_invoice_file(filename, content)
        filename = self._get_commons_invoice_filename(filename, mimetype)
        company = instruction.company_id
        resource = instruction.resource_id
        einvoice = self._parse_commons_einvoice(company, filename, content)
        with self.env.cr.savepoint():
            vals = self._prepare_commons_bill_values(
                resource, company, values, instruction.contributor_id
            )
            bill = (
                self.env["account.move"]
                .sudo()
                .with_company(company)
                .with_context(mail_create_nosubscribe=True)
                .create(
                    {
                        **vals,
                        "move_type": "in_invoice",
                        "partner_id": instruction.contributor_id.id,
                        "commons_instruction_id": instruction.id,
                    }
                )
            )
            bill._check_commons_portal_bill(filename, content, mimetype, einvoice)
            bill.action_commons_submit()
        return bill


class AccountEdiCommon(models.AbstractModel):
    _inherit = "account.edi.common"

    def _import_partner_bank(self, invoice, bank_details):
        # An e-invoice names the account it wants to be paid to: whoever
        # imports it (the host's administrator included), the account it
        # brings is a new one to confirm, never trusted, and its contributor
        # hears of it (see res.partner.bank.create).
        return super(
            AccountEdiCommon, self.with_context(commons_untrusted=True)
        )._import_partner_bank(invoice, bank_details)

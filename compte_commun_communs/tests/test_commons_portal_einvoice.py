# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

import facturx
from lxml import etree, html

from odoo import fields
from odoo.tests import HttpCase, tagged
from odoo.tools.misc import formatLang

from .common import CommonsCase
from .test_commons_portal_contributor import CII_LINE, CII_TEMPLATE, make_pdf

CII_NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:"
    "ReusableAggregateBusinessInformationEntity:100",
}
UBL_NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
# Where each declared total is, in the order the standards give them.
CII_TOTALS = {
    "lines": "ram:LineTotalAmount",
    "untaxed": "ram:TaxBasisTotalAmount",
    "tax": "ram:TaxTotalAmount",
    "total": "ram:GrandTotalAmount",
    "prepaid": "ram:TotalPrepaidAmount",
    "due": "ram:DuePayableAmount",
}
UBL_TOTALS = {
    "lines": "cbc:LineExtensionAmount",
    "untaxed": "cbc:TaxExclusiveAmount",
    "total": "cbc:TaxInclusiveAmount",
    "prepaid": "cbc:PrepaidAmount",
    "due": "cbc:PayableAmount",
}
# The labels of the figures in the error.
LABELS = {
    "lines": "a line total",
    "untaxed": "a total before VAT",
    "tax": "a VAT",
    "total": "a total with VAT",
    "due": "an amount due",
}

UBL_TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
    xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
    xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0</cbc:CustomizationID>
  <cbc:ProfileID>urn:fdc:peppol.eu:2017:poacc:billing:01:1.0</cbc:ProfileID>
  <cbc:ID>UBL-001</cbc:ID>
  <cbc:IssueDate>{date}</cbc:IssueDate>
  <cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>
  <cbc:DocumentCurrencyCode>{cur}</cbc:DocumentCurrencyCode>
  <cac:AccountingSupplierParty>
    <cac:Party>
      <cac:PartyName>
        <cbc:Name>{seller}</cbc:Name>
      </cac:PartyName>
      <cac:PostalAddress>
        <cac:Country>
          <cbc:IdentificationCode>FR</cbc:IdentificationCode>
        </cac:Country>
      </cac:PostalAddress>
      <cac:Contact>
        <cbc:ElectronicMail>{email}</cbc:ElectronicMail>
      </cac:Contact>
    </cac:Party>
  </cac:AccountingSupplierParty>
  <cac:AccountingCustomerParty>
    <cac:Party>
      <cac:PartyName>
        <cbc:Name>{buyer}</cbc:Name>
      </cac:PartyName>
    </cac:Party>
  </cac:AccountingCustomerParty>
  <cac:PaymentMeans>
    <cbc:PaymentMeansCode>30</cbc:PaymentMeansCode>
    <cac:PayeeFinancialAccount>
      <cbc:ID>FR7630006000011234567890189</cbc:ID>
    </cac:PayeeFinancialAccount>
  </cac:PaymentMeans>
  <cac:TaxTotal>
    <cbc:TaxAmount currencyID="{cur}">{tax:.2f}</cbc:TaxAmount>
    <cac:TaxSubtotal>
      <cbc:TaxableAmount currencyID="{cur}">{untaxed:.2f}</cbc:TaxableAmount>
      <cbc:TaxAmount currencyID="{cur}">{tax:.2f}</cbc:TaxAmount>
      <cac:TaxCategory>
        <cbc:ID>S</cbc:ID>
        <cbc:Percent>{rate:.2f}</cbc:Percent>
        <cac:TaxScheme>
          <cbc:ID>VAT</cbc:ID>
        </cac:TaxScheme>
      </cac:TaxCategory>
    </cac:TaxSubtotal>
  </cac:TaxTotal>
  <cac:LegalMonetaryTotal>
    <cbc:LineExtensionAmount currencyID="{cur}">{untaxed:.2f}</cbc:LineExtensionAmount>
    <cbc:TaxExclusiveAmount currencyID="{cur}">{untaxed:.2f}</cbc:TaxExclusiveAmount>
    <cbc:TaxInclusiveAmount currencyID="{cur}">{total:.2f}</cbc:TaxInclusiveAmount>
    <cbc:PayableAmount currencyID="{cur}">{total:.2f}</cbc:PayableAmount>
  </cac:LegalMonetaryTotal>
  {lines}
</Invoice>
"""

UBL_LINE = """<cac:InvoiceLine>
    <cbc:ID>{index}</cbc:ID>
    <cbc:InvoicedQuantity unitCode="C62">1.0</cbc:InvoicedQuantity>
    <cbc:LineExtensionAmount currencyID="{cur}">{amount:.2f}</cbc:LineExtensionAmount>
    <cac:Item>
      <cbc:Name>{name}</cbc:Name>
      <cac:ClassifiedTaxCategory>
        <cbc:ID>S</cbc:ID>
        <cbc:Percent>{rate:.2f}</cbc:Percent>
        <cac:TaxScheme>
          <cbc:ID>VAT</cbc:ID>
        </cac:TaxScheme>
      </cac:ClassifiedTaxCategory>
    </cac:Item>
    <cac:Price>
      <cbc:PriceAmount currencyID="{cur}">{amount:.2f}</cbc:PriceAmount>
    </cac:Price>
  </cac:InvoiceLine>"""


def set_totals(root, summation_xpath, namespaces, elements, declared):
    """Make the document declare other totals than its lines' (``declared``:
    {figure: amount, or the text to write}); a figure the document lacks is
    added in its place.

    :param elements: {figure: "prefix:name"}
    """
    summation = root.find(summation_xpath, namespaces)
    for figure, amount in (declared or {}).items():
        prefix, name = elements[figure].split(":")
        node = summation.find(elements[figure], namespaces)
        if node is None:
            node = etree.Element(f"{{{namespaces[prefix]}}}{name}")
            # Before the amount due, where the standards put it.
            summation.find(elements["due"], namespaces).addprevious(node)
            if currency := summation[0].get("currencyID"):
                node.set("currencyID", currency)
        node.text = amount if isinstance(amount, str) else f"{amount:.2f}"
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


@tagged("post_install", "-at_install")
class TestCommonsPortalEinvoice(CommonsCase, HttpCase):
    """An e-invoice a contributor sends from the portal is read as the document
    it is: a Factur-X PDF or a UBL/CII XML whose own totals disagree with its
    lines, or ask for another amount than the bill, is refused and nothing is
    left of it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.today()
        cls.loot = cls._create_resource("Logiciel LOOT", "LOOT")
        cls._donate(cls.loot, 10000, cls.today - timedelta(days=60))
        cls.instruction = cls._instruction(
            cls.loot, 3000, cls.today - timedelta(days=30)
        )
        # A VAT the portal offers while the host does not recover VAT.
        cls.purchase_tax = cls.company_data["default_tax_purchase"].copy(
            {"name": "TVA non déductible 15 %"}
        )
        cls.purchase_tax.invoice_repartition_line_ids.account_id = False
        cls.purchase_tax.refund_repartition_line_ids.account_id = False

    def setUp(self):
        super().setUp()
        self.authenticate("commons_contributor", "commons_contributor")

    # -- Files ----------------------------------------------------------------

    def _amounts(self, lines, rate):
        untaxed = sum(amount for _name, amount in lines)
        tax = round(untaxed * rate / 100, 2)
        return untaxed, tax, untaxed + tax

    def _cii(self, lines, rate=0.0, type_code="380", declared=None):
        """A CII invoice of the contributor whose totals are its lines', but
        for ``declared``."""
        untaxed, tax, total = self._amounts(lines, rate)
        xml = CII_TEMPLATE.format(
            ref="FX-001",
            date=self.today.strftime("%Y%m%d"),
            lines="\n".join(
                CII_LINE.format(index=index, name=name, amount=amount, rate=rate)
                for index, (name, amount) in enumerate(lines, start=1)
            ),
            seller=self.contributor.partner_id.name,
            email=self.contributor.partner_id.email,
            vat="",
            buyer=self.company.name,
            currency=self.company.currency_id.name,
            rate=rate,
            untaxed=untaxed,
            tax=tax,
            total=total,
        )
        root = etree.fromstring(xml.encode())
        root.find("rsm:ExchangedDocument/ram:TypeCode", CII_NS).text = type_code
        return set_totals(
            root,
            ".//ram:SpecifiedTradeSettlementHeaderMonetarySummation",
            CII_NS,
            CII_TOTALS,
            declared,
        )

    def _facturx(self, lines, rate=0.0, printed=None, **kwargs):
        """A Factur-X PDF: a PDF (saying ``printed``) with the CII in it."""
        pdf = make_pdf(printed or "Invoice FX-001")
        return facturx.generate_from_binary(
            pdf, self._cii(lines, rate, **kwargs), check_xsd=False
        )

    def _ubl(self, lines, rate=0.0, declared=None):
        """A UBL (Peppol BIS 3) invoice of the contributor whose totals are its
        lines', but for ``declared``."""
        untaxed, tax, total = self._amounts(lines, rate)
        currency = self.company.currency_id.name
        xml = UBL_TEMPLATE.format(
            date=self.today.isoformat(),
            cur=currency,
            seller=self.contributor.partner_id.name,
            email=self.contributor.partner_id.email,
            buyer=self.company.name,
            rate=rate,
            untaxed=untaxed,
            tax=tax,
            total=total,
            lines="\n".join(
                UBL_LINE.format(
                    index=index, name=name, amount=amount, rate=rate, cur=currency
                )
                for index, (name, amount) in enumerate(lines, start=1)
            ),
        )
        return set_totals(
            etree.fromstring(xml.encode()),
            "cac:LegalMonetaryTotal",
            UBL_NS,
            UBL_TOTALS,
            declared,
        )

    # -- The portal -------------------------------------------------------------

    def _post_bill(self, filename, content, lines, tax=None, ref="FAC-2026-001"):
        """Send a bill from the portal's form, as the contributor's browser
        does."""
        response = self.url_open(
            f"/my/commons/bills/new?instruction_id={self.instruction.id}"
        )
        self.assertEqual(response.status_code, 200)
        csrf_token = html.fromstring(response.text).xpath(
            "//form[contains(@class, 'o_commons_bill_form')]"
            "//input[@name='csrf_token']/@value"
        )[0]
        return self.url_open(
            "/my/commons/bills/new",
            data={
                "csrf_token": csrf_token,
                "instruction_id": str(self.instruction.id),
                "ref": ref,
                "invoice_date": str(self.today),
                "line_label": [label for label, _amount in lines],
                "line_amount": [amount for _label, amount in lines],
                "tax_id": str(tax.id) if tax else "",
            },
            files={"invoice_file": (filename, content)},
            timeout=60,
        )

    def _error(self, response):
        self.assertEqual(response.status_code, 200)
        errors = html.fromstring(response.text).xpath(
            "//*[contains(@class, 'o_commons_bill_error')]"
        )
        return " ".join(errors[0].text_content().split()) if errors else ""

    def _bills(self):
        return self.env["account.move"].search(
            [
                ("move_type", "in", ("in_invoice", "in_refund")),
                ("commercial_partner_id", "=", self.contributor.partner_id.id),
            ]
        )

    def _money(self, amount):
        """An amount as the contributor reads it."""
        return formatLang(self.env, amount, currency_obj=self.company.currency_id)

    def _difference(self, figure, declared, computed):
        """How the error names a declared total that is not its lines'."""
        return (
            f"{LABELS[figure]} of {self._money(declared)} where its lines make "
            f"{self._money(computed)}"
        )

    def _counts(self):
        """What a refused file must not leave behind: bills, files, partners
        and bank accounts."""
        return {
            model: self.env[model].sudo().search_count(domain)
            for model, domain in (
                ("account.move", []),
                ("ir.attachment", [("res_model", "=", "account.move")]),
                ("res.partner", []),
                ("res.partner.bank", []),
            )
        }

    def _assert_refused(self, filename, content, lines, messages, tax=None):
        """The file is refused with an error saying ``messages``, and nothing
        is created; the resource's money did not move."""
        counts = self._counts()
        available = self.loot.amount_available
        response = self._post_bill(filename, content, lines, tax=tax)
        error = self._error(response)
        for message in messages:
            self.assertIn(" ".join(message.split()), error)
        self.assertFalse(self._bills(), "no bill is created")
        self.assertEqual(self._counts(), counts, "nothing is created")
        self.loot.invalidate_recordset()
        self.assertEqual(self.loot.amount_available, available)
        return error

    # -- Factur-X ---------------------------------------------------------------

    def test_facturx_declaring_250_due_for_150_of_lines_refused(self):
        """The PDF and the XML say 250 € is due; the lines make 150 €."""
        content = self._facturx(
            [("Bug fixes", 100.0), ("Review", 50.0)],
            printed="Total due: 250.00 EUR",
            declared={"total": 250.0, "due": 250.0},
        )
        for typed in ("150", "250"):
            with self.subTest(typed=typed):
                error = self._assert_refused(
                    "facturx.pdf",
                    content,
                    [("Bug fixes", typed)],
                    [
                        "The e-invoice in facturx.pdf does not add up",
                        self._difference("total", 250, 150),
                        self._difference("due", 250, 150),
                    ],
                )
                self.assertNotIn(LABELS["untaxed"], error, "that one adds up")

    def test_facturx_each_declared_total_is_read(self):
        lines = [("Bug fixes", 1000.0)]
        expected = {
            "lines": 1000,
            "untaxed": 1000,
            "tax": 150,
            "total": 1150,
            "due": 1150,
        }
        for figure in expected:
            with self.subTest(figure=figure):
                error = self._assert_refused(
                    "facturx.pdf",
                    self._facturx(lines, rate=15.0, declared={figure: 1234.56}),
                    [("Bug fixes", "1000")],
                    [self._difference(figure, 1234.56, expected[figure])],
                    tax=self.purchase_tax,
                )
                self.assertEqual(error.count("where its lines make"), 1, error)

    def test_facturx_total_that_is_not_a_number_refused(self):
        """Each declared total is read as the xsd:decimal it must be: NaN, an
        infinity, an exponent, a number too large for a bill or a comma is
        refused with a clear error, never a server error."""
        for text in (
            "NaN",
            "inf",
            "-Infinity",
            "1e400",
            "1E2",
            "1" + "0" * 400,
            "150,00",
        ):
            with self.subTest(text=text):
                self._assert_refused(
                    "facturx.pdf",
                    self._facturx(
                        [("Bug fixes", 150.0)], declared={"total": text, "due": text}
                    ),
                    [("Bug fixes", "150")],
                    [
                        "The e-invoice in facturx.pdf gives as GrandTotalAmount, "
                        "DuePayableAmount something that is not a number"
                    ],
                )

    def test_facturx_due_less_than_its_total_refused(self):
        """A file that adds up (150 €, 50 € of it paid already, 100 € due) is
        not a bill of 150 €: the host would pay what was paid already."""
        self._assert_refused(
            "facturx.pdf",
            self._facturx(
                [("Bug fixes", 150.0)], declared={"prepaid": 50.0, "due": 100.0}
            ),
            [("Bug fixes", "150")],
            [
                f"asks for {self._money(100)}, but your bill comes to "
                f"{self._money(150)}"
            ],
        )

    def test_facturx_credit_note_refused(self):
        self._assert_refused(
            "facturx.pdf",
            self._facturx([("Bug fixes", 150.0)], type_code="381"),
            [("Bug fixes", "150")],
            ["is a credit note"],
        )

    def test_facturx_that_adds_up_accepted(self):
        counts = self._counts()
        content = self._facturx([("Bug fixes", 1000.0)], rate=15.0)
        response = self._post_bill(
            "facturx.pdf", content, [("Work on LOOT", "1000")], tax=self.purchase_tax
        )
        bill = self._bills()
        self.assertTrue(bill, self._error(response))
        self.assertEqual(bill.commons_bill_state, "submitted")
        self.assertAlmostEqual(bill.amount_total, 1150.0)
        self.assertEqual(bill.message_main_attachment_id.raw, content)
        for model in ("res.partner", "res.partner.bank"):
            self.assertEqual(self._counts()[model], counts[model], model)

    # -- UBL --------------------------------------------------------------------

    def test_ubl_declaring_250_due_for_150_of_lines_refused(self):
        self._assert_refused(
            "invoice.xml",
            self._ubl(
                [("Bug fixes", 100.0), ("Review", 50.0)],
                declared={"total": 250.0, "due": 250.0},
            ),
            [("Bug fixes", "150")],
            [
                "The e-invoice in invoice.xml does not add up",
                self._difference("total", 250, 150),
                self._difference("due", 250, 150),
            ],
        )

    def test_ubl_each_declared_total_is_read(self):
        lines = [("Bug fixes", 1000.0)]
        expected = {"lines": 1000, "untaxed": 1000, "total": 1150, "due": 1150}
        for figure in expected:
            with self.subTest(figure=figure):
                error = self._assert_refused(
                    "invoice.xml",
                    self._ubl(lines, rate=15.0, declared={figure: 1234.56}),
                    [("Bug fixes", "1000")],
                    [self._difference(figure, 1234.56, expected[figure])],
                    tax=self.purchase_tax,
                )
                self.assertEqual(error.count("where its lines make"), 1, error)

    def test_ubl_total_that_is_not_a_number_refused(self):
        for text in ("NaN", "Infinity", "1e400"):
            with self.subTest(text=text):
                self._assert_refused(
                    "invoice.xml",
                    self._ubl([("Bug fixes", 150.0)], declared={"due": text}),
                    [("Bug fixes", "150")],
                    [
                        "The e-invoice in invoice.xml gives as PayableAmount "
                        "something that is not a number"
                    ],
                )

    def test_ubl_that_adds_up_accepted(self):
        counts = self._counts()
        content = self._ubl([("Bug fixes", 100.0), ("Review", 50.0)])
        response = self._post_bill(
            "invoice.xml", content, [("Bug fixes", "100"), ("Review", "50")]
        )
        bill = self._bills()
        self.assertTrue(bill, self._error(response))
        self.assertEqual(bill.commons_bill_state, "submitted")
        self.assertAlmostEqual(bill.amount_total, 150.0)
        self.assertNotEqual(
            bill.partner_bank_id.acc_number,
            "FR7630006000011234567890189",
            "the bank account in the file is not trusted",
        )
        for model in ("res.partner", "res.partner.bank"):
            self.assertEqual(self._counts()[model], counts[model], model)

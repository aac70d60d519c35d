# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import io
from datetime import timedelta
from unittest.mock import patch
from urllib.parse import urlparse

import facturx
from lxml import html
from reportlab.pdfgen import canvas

from odoo import Command, fields
from odoo.tests import HttpCase, tagged

from odoo.addons.mail.tests.common import mail_new_test_user
from odoo.addons.portal.controllers.portal import CustomerPortal

from .common import CommonsCase

CII_TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice
    xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
    xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
    xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100">
  <rsm:ExchangedDocumentContext>
    <ram:GuidelineSpecifiedDocumentContextParameter>
      <ram:ID>urn:cen.eu:en16931:2017</ram:ID>
    </ram:GuidelineSpecifiedDocumentContextParameter>
  </rsm:ExchangedDocumentContext>
  <rsm:ExchangedDocument>
    <ram:ID>{ref}</ram:ID>
    <ram:TypeCode>380</ram:TypeCode>
    <ram:IssueDateTime>
      <udt:DateTimeString format="102">{date}</udt:DateTimeString>
    </ram:IssueDateTime>
  </rsm:ExchangedDocument>
  <rsm:SupplyChainTradeTransaction>
    {lines}
    <ram:ApplicableHeaderTradeAgreement>
      <ram:SellerTradeParty>
        <ram:Name>{seller}</ram:Name>
        <ram:DefinedTradeContact>
          <ram:EmailURIUniversalCommunication>
            <ram:URIID schemeID="SMTP">{email}</ram:URIID>
          </ram:EmailURIUniversalCommunication>
        </ram:DefinedTradeContact>
        <ram:PostalTradeAddress>
          <ram:CountryID>FR</ram:CountryID>
        </ram:PostalTradeAddress>
        {vat}
      </ram:SellerTradeParty>
      <ram:BuyerTradeParty>
        <ram:Name>{buyer}</ram:Name>
      </ram:BuyerTradeParty>
    </ram:ApplicableHeaderTradeAgreement>
    <ram:ApplicableHeaderTradeDelivery/>
    <ram:ApplicableHeaderTradeSettlement>
      <ram:InvoiceCurrencyCode>{currency}</ram:InvoiceCurrencyCode>
      <ram:SpecifiedTradeSettlementPaymentMeans>
        <ram:TypeCode>58</ram:TypeCode>
        <ram:PayeePartyCreditorFinancialAccount>
          <ram:IBANID>FR7630006000011234567890189</ram:IBANID>
        </ram:PayeePartyCreditorFinancialAccount>
      </ram:SpecifiedTradeSettlementPaymentMeans>
      <ram:ApplicableTradeTax>
        <ram:CalculatedAmount>{tax:.2f}</ram:CalculatedAmount>
        <ram:TypeCode>VAT</ram:TypeCode>
        <ram:BasisAmount>{untaxed:.2f}</ram:BasisAmount>
        <ram:CategoryCode>S</ram:CategoryCode>
        <ram:RateApplicablePercent>{rate:.2f}</ram:RateApplicablePercent>
      </ram:ApplicableTradeTax>
      <ram:SpecifiedTradeSettlementHeaderMonetarySummation>
        <ram:LineTotalAmount>{untaxed:.2f}</ram:LineTotalAmount>
        <ram:TaxBasisTotalAmount>{untaxed:.2f}</ram:TaxBasisTotalAmount>
        <ram:TaxTotalAmount currencyID="{currency}">{tax:.2f}</ram:TaxTotalAmount>
        <ram:GrandTotalAmount>{total:.2f}</ram:GrandTotalAmount>
        <ram:DuePayableAmount>{total:.2f}</ram:DuePayableAmount>
      </ram:SpecifiedTradeSettlementHeaderMonetarySummation>
    </ram:ApplicableHeaderTradeSettlement>
  </rsm:SupplyChainTradeTransaction>
</rsm:CrossIndustryInvoice>
"""

CII_LINE = """<ram:IncludedSupplyChainTradeLineItem>
      <ram:AssociatedDocumentLineDocument>
        <ram:LineID>{index}</ram:LineID>
      </ram:AssociatedDocumentLineDocument>
      <ram:SpecifiedTradeProduct>
        <ram:Name>{name}</ram:Name>
      </ram:SpecifiedTradeProduct>
      <ram:SpecifiedLineTradeAgreement>
        <ram:NetPriceProductTradePrice>
          <ram:ChargeAmount>{amount:.2f}</ram:ChargeAmount>
        </ram:NetPriceProductTradePrice>
      </ram:SpecifiedLineTradeAgreement>
      <ram:SpecifiedLineTradeDelivery>
        <ram:BilledQuantity unitCode="C62">1.0</ram:BilledQuantity>
      </ram:SpecifiedLineTradeDelivery>
      <ram:SpecifiedLineTradeSettlement>
        <ram:ApplicableTradeTax>
          <ram:TypeCode>VAT</ram:TypeCode>
          <ram:CategoryCode>S</ram:CategoryCode>
          <ram:RateApplicablePercent>{rate:.2f}</ram:RateApplicablePercent>
        </ram:ApplicableTradeTax>
        <ram:SpecifiedTradeSettlementLineMonetarySummation>
          <ram:LineTotalAmount>{amount:.2f}</ram:LineTotalAmount>
        </ram:SpecifiedTradeSettlementLineMonetarySummation>
      </ram:SpecifiedLineTradeSettlement>
    </ram:IncludedSupplyChainTradeLineItem>"""


def make_pdf(text="Invoice"):
    """A real one-page PDF."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.drawString(72, 720, text)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


@tagged("post_install", "-at_install")
class TestCommonsPortalContributor(CommonsCase, HttpCase):
    """What a contributor does in /my/commons/bills: send a bill against their
    allocation instruction, follow it, correct or withdraw it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.today()
        cls.loot = cls._create_resource("Logiciel LOOT", "LOOT")
        cls.dokos = cls._create_resource("DOKOS", "DOKOS", people=False)
        cls.dokos.with_user(cls.accountant).write(
            {
                "steward_ids": [Command.set(cls.steward.partner_id.ids)],
                "contributor_ids": [Command.set(cls.contributor2.partner_id.ids)],
            }
        )
        cls._donate(cls.loot, 10000, cls.today - timedelta(days=60))
        cls._donate(cls.dokos, 5000, cls.today - timedelta(days=60))
        cls.instruction = cls._instruction(
            cls.loot, 3000, cls.today - timedelta(days=30)
        )
        cls.other_instruction = cls._instruction(
            cls.loot,
            1000,
            cls.today - timedelta(days=30),
            contributor=cls.contributor2,
            name="Security review",
        )
        cls.dokos_instruction = cls._instruction(
            cls.dokos,
            1000,
            cls.today - timedelta(days=30),
            contributor=cls.contributor2,
            name="DOKOS hosting",
        )
        cls.funder_user = mail_new_test_user(
            cls.env,
            login="commons_funder",
            email="funder@example.org",
            groups="base.group_portal",
        )
        # The host does not recover VAT (the default): the VAT of a bill is a
        # cost of the resource, booked without a tax account.
        cls.deductible_tax = cls.company_data["default_tax_purchase"]
        cls.purchase_tax = cls.deductible_tax.copy(
            {
                "name": "TVA non déductible 20 %",
                "invoice_repartition_line_ids": [
                    Command.create({"repartition_type": "base"}),
                    Command.create({"repartition_type": "tax"}),
                ],
                "refund_repartition_line_ids": [
                    Command.create({"repartition_type": "base"}),
                    Command.create({"repartition_type": "tax"}),
                ],
            }
        )
        cls.pdf = make_pdf()

    def setUp(self):
        super().setUp()
        self.authenticate("commons_contributor", "commons_contributor")

    # -- Helpers --------------------------------------------------------------

    def _csrf_token(self):
        response = self.url_open(
            f"/my/commons/bills/new?instruction_id={self.instruction.id}"
        )
        self.assertEqual(response.status_code, 200)
        return html.fromstring(response.text).xpath(
            "//form[contains(@class, 'o_commons_bill_form')]"
            "//input[@name='csrf_token']/@value"
        )[0]

    def _form_data(
        self, instruction=None, ref="FAC-2026-001", date=None, lines=None, tax=None
    ):
        lines = lines if lines is not None else [("Bug fixes", "1200")]
        return {
            "csrf_token": self._csrf_token(),
            "instruction_id": str((instruction or self.instruction).id),
            "ref": ref,
            "invoice_date": str(date or self.today),
            "line_label": [label for label, _amount in lines],
            "line_amount": [amount for _label, amount in lines],
            "tax_id": str(tax.id) if tax else "",
        }

    def _post_bill(
        self, file=("invoice.pdf", None), url="/my/commons/bills/new", **kwargs
    ):
        data = self._form_data(**kwargs)
        files = None
        if file:
            name, content = file
            files = {"invoice_file": (name, self.pdf if content is None else content)}
        return self.url_open(url, data=data, files=files, timeout=60)

    def _bills(self, ref=None):
        domain = [
            ("move_type", "=", "in_invoice"),
            ("commercial_partner_id", "=", self.contributor.partner_id.id),
        ]
        if ref:
            domain.append(("ref", "=", ref))
        return self.env["account.move"].search(domain)

    def _error(self, response):
        errors = html.fromstring(response.text).xpath(
            "//*[contains(@class, 'o_commons_bill_error')]"
        )
        return " ".join(errors[0].text_content().split()) if errors else ""

    def _assert_refused(self, response, message):
        self.assertEqual(
            response.status_code,
            200,
            html.fromstring(response.text).xpath("//main")[0].text_content()[:3000]
            if "<main" in response.text
            else response.text[-3000:],
        )
        self.assertIn(message, self._error(response))
        self.assertFalse(self._bills(), "nothing is created")

    def _cii(
        self,
        seller=None,
        email=None,
        vat=None,
        lines=(("Bug fixes", 1000.0),),
        rate=15.0,
    ):
        untaxed = sum(amount for _name, amount in lines)
        tax = round(untaxed * rate / 100, 2)
        xml = CII_TEMPLATE.format(
            ref="FX-001",
            date=self.today.strftime("%Y%m%d"),
            lines="\n".join(
                CII_LINE.format(index=index, name=name, amount=amount, rate=rate)
                for index, (name, amount) in enumerate(lines, start=1)
            ),
            seller=seller or self.contributor.partner_id.name,
            email=email or self.contributor.partner_id.email,
            vat=(
                "<ram:SpecifiedTaxRegistration>"
                f'<ram:ID schemeID="VA">{vat}</ram:ID>'
                "</ram:SpecifiedTaxRegistration>"
            )
            if vat
            else "",
            buyer=self.company.name,
            currency=self.company.currency_id.name,
            rate=rate,
            untaxed=untaxed,
            tax=tax,
            total=untaxed + tax,
        )
        return xml.encode()

    def _facturx(self, **kwargs):
        return facturx.generate_from_binary(
            self.pdf, self._cii(**kwargs), check_xsd=False
        )

    # -- Sending a bill -------------------------------------------------------

    def test_home_card_and_list(self):
        counters = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["commons_bill_count"]}
        )
        self.assertTrue(counters["commons_bill_count"])
        response = self.url_open("/my")
        self.assertIn('href="/my/commons/bills"', response.text)
        response = self.url_open("/my/commons/bills")
        self.assertEqual(response.status_code, 200)
        rows = html.fromstring(response.text).xpath(
            "//tr[contains(@class, 'o_commons_instruction_row')]"
        )
        self.assertEqual(len(rows), 1, "only their own instruction")
        text = " ".join(rows[0].text_content().split())
        self.assertIn("Bug fixes", text)
        self.assertIn("3,000.00", text)
        self.assertNotIn("Security review", response.text)
        self.assertNotIn("DOKOS hosting", response.text)

    def test_bills_are_listed_page_by_page(self):
        for day in (1, 2, 3):
            self._bill(self.loot, 100, f"2023-06-0{day}", post=False)
        with patch.object(CustomerPortal, "_items_per_page", 2):
            first = html.fromstring(self.url_open("/my/commons/bills").text)
            second = html.fromstring(self.url_open("/my/commons/bills/page/2").text)
        rows = "//tr[contains(@class, 'o_commons_bill_row')]"
        self.assertEqual(len(first.xpath(rows)), 2)
        self.assertEqual(len(second.xpath(rows)), 1)
        self.assertTrue(first.xpath("//a[@href='/my/commons/bills/page/2']"))

    def test_good_pdf_creates_submitted_bill(self):
        response = self._post_bill(
            lines=[("Bug fixes", "1000"), ("Security patch", "200,50")],
            tax=self.purchase_tax,
        )
        bill = self._bills("FAC-2026-001")
        self.assertEqual(len(bill), 1, self._error(response))
        self.assertEqual(urlparse(response.url).path, f"/my/commons/bills/{bill.id}")
        self.assertIn("Waiting for the stewards", response.text)
        self.assertEqual(bill.state, "draft")
        self.assertEqual(bill.partner_id, self.contributor.partner_id)
        self.assertEqual(bill.commons_instruction_id, self.instruction)
        self.assertEqual(bill.commons_resource_id, self.loot)
        self.assertEqual(bill.commons_bill_state, "submitted")
        self.assertEqual(bill.invoice_date, self.today)
        lines = bill.invoice_line_ids
        self.assertEqual(lines.mapped("name"), ["Bug fixes", "Security patch"])
        self.assertEqual(lines.mapped("price_unit"), [1000.0, 200.5])
        self.assertEqual(lines.tax_ids, self.purchase_tax)
        for line in lines:
            self.assertEqual(
                line.analytic_distribution,
                {str(self.loot.analytic_account_id.id): 100},
            )
            self.assertEqual(line.account_id.account_type, "expense")
        self.assertAlmostEqual(bill.amount_untaxed, 1200.5)
        attachment = bill.message_main_attachment_id
        self.assertEqual(attachment.name, "invoice.pdf")
        self.assertEqual(attachment.mimetype, "application/pdf")
        self.assertEqual(attachment.raw, self.pdf)
        mails = self.env["mail.mail"].search(
            [("model", "=", "account.move"), ("res_id", "=", bill.id)]
        )
        self.assertEqual(
            mails.recipient_ids,
            (self.steward | self.steward2).partner_id,
            "each steward is emailed",
        )
        # The file is shown to the contributor.
        response = self.url_open(f"/my/commons/bills/{bill.id}/file")
        self.assertEqual(response.content, self.pdf)

    def test_png_and_jpeg_accepted_by_content(self):
        png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
        response = self._post_bill(file=("scan.bin", png), ref="PNG-1")
        bill = self._bills("PNG-1")
        self.assertTrue(bill, self._error(response))
        self.assertEqual(bill.message_main_attachment_id.name, "scan.bin.png")
        jpeg = b"\xff\xd8\xff\xe0" + b"\x00" * 64
        response = self._post_bill(file=("photo.jpg", jpeg), ref="JPG-1")
        self.assertTrue(self._bills("JPG-1"), self._error(response))

    def test_bad_inputs_create_nothing(self):
        cases = [
            ({"file": None}, "Attach your invoice"),
            (
                # Lines, as in a real PDF (the multipart parser buffers a
                # line at a time).
                {
                    "file": (
                        "big.pdf",
                        b"%PDF-1.4\n" + (b"0" * 1023 + b"\n") * 11 * 1024,
                    )
                },
                "is too large",
            ),
            ({"file": ("invoice.pdf", b"MZ\x90\x00" + b"\x00" * 200)}, "is not a PDF"),
            ({"lines": [("Bug fixes", "0")]}, "must be more than zero"),
            ({"lines": [("Bug fixes", "-100")]}, "must be more than zero"),
            ({"lines": [("Bug fixes", "abc")]}, "is not an amount"),
            ({"lines": []}, "at least one line"),
            ({"ref": ""}, "number of your invoice"),
            (
                {"date": self.today + timedelta(days=400)},
                "more than a year from now",
            ),
            ({"lines": [("Bug fixes", "3500")]}, "more than what is left"),
            (
                {"instruction": self.other_instruction},
                "Choose one of your allocation instructions",
            ),
            (
                {"instruction": self.dokos_instruction},
                "Choose one of your allocation instructions",
            ),
        ]
        for kwargs, message in cases:
            with self.subTest(message=message):
                self._assert_refused(self._post_bill(**kwargs), message)
        self.assertNotIn(
            "DOKOS hosting", self._post_bill(instruction=self.dokos_instruction).text
        )

    def _assert_error_beside(self, response, field=None):
        """The refused form comes back scrolled to its error (the action's
        fragment), shown beside the field it is about, marked invalid, or,
        about no field, just above the form's button: not only at the top of
        the page."""
        [form] = html.fromstring(response.text).xpath(
            "//form[contains(@class, 'o_commons_bill_form')]"
        )
        self.assertTrue(form.get("action").endswith("#o_commons_bill_error"))
        [error] = form.xpath(".//*[@id='o_commons_bill_error']")
        self.assertIn("o_commons_bill_error", error.get("class"))
        if field is None:
            actions = error.getnext()
            self.assertIn("o_commons_bill_form_actions", actions.get("class"))
            self.assertTrue(actions.xpath(".//button[@type='submit']"))
            return
        self.assertEqual(error.get("data-field"), field)
        if field == "lines":
            table = error.getparent().getprevious()
            self.assertTrue(table.xpath(".//input[@name='line_amount']"))
        else:
            control = error.getprevious()
            if control.tag == "div":  # the file's help text
                control = control.getprevious()
            self.assertEqual(control.get("name"), field)
            self.assertIn("is-invalid", control.get("class"))

    def test_refused_bill_shows_its_error_beside_the_field(self):
        cases = [
            ({"lines": [("Bug fixes", "abc")]}, "is not an amount", "lines"),
            ({"ref": ""}, "number of your invoice", "ref"),
            (
                {"date": self.today + timedelta(days=400)},
                "more than a year from now",
                "invoice_date",
            ),
            ({"file": None}, "Attach your invoice", "invoice_file"),
            (
                {"tax": self.company_data["default_tax_sale"]},
                "Choose the VAT",
                "tax_id",
            ),
            (
                {"instruction": self.other_instruction},
                "Choose one of your allocation instructions",
                "instruction_id",
            ),
            # A rule of the bill, about no one field: beside the button.
            ({"lines": [("Bug fixes", "3500")]}, "more than what is left", None),
        ]
        for kwargs, message, field in cases:
            with self.subTest(message=message):
                response = self._post_bill(**kwargs)
                self._assert_refused(response, message)
                self._assert_error_beside(response, field)
        # What was typed is kept.
        response = self._post_bill(lines=[("Bug fixes", "abc")])
        page = html.fromstring(response.text)
        self.assertEqual(page.xpath("//input[@name='line_amount']/@value")[0], "abc")

    def test_amounts_read_and_shown_in_french(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.contributor.lang = "fr_FR"
        self.authenticate("commons_contributor", "commons_contributor")
        response = self._post_bill(lines=[("Bug fixes", "1 250,50")])
        bill = self._bills("FAC-2026-001")
        self.assertEqual(len(bill), 1, self._error(response))
        self.assertAlmostEqual(bill.amount_total, 1250.5)
        form = html.fromstring(self.url_open(f"/my/commons/bills/{bill.id}/edit").text)
        [amount] = form.xpath("//input[@name='line_amount']/@value")[:1]
        self.assertEqual(" ".join(amount.split()), "1 250,50")
        page = html.fromstring(self.url_open("/my/commons/bills").text)
        [row] = page.xpath("//tr[contains(@class, 'o_commons_bill_row')]")
        self.assertIn("1 250,50", " ".join(row.text_content().split()))

    def test_send_a_bill_is_at_the_top_of_the_page(self):
        """On a phone the tables scroll sideways: the page's first action is
        above them, and the form it opens is for their only instruction."""
        page = html.fromstring(self.url_open("/my/commons/bills").text)
        [send] = page.xpath("//a[contains(@class, 'o_commons_bill_send')]")
        tables = page.xpath("//table")
        self.assertTrue(tables)
        self.assertLess(
            list(page.iter()).index(send), list(page.iter()).index(tables[0])
        )
        form = html.fromstring(self.url_open(send.get("href")).text)
        [selected] = form.xpath("//select[@name='instruction_id']/option[@selected]")
        self.assertEqual(selected.get("value"), str(self.instruction.id))

    def test_page_queries_do_not_grow_with_the_bills(self):
        """The page shows one page of bills and reads the amounts of the
        instructions once: the same queries at 3 bills and at 30."""
        counts = []
        # Each state at 3 already: the bills the instructions' amounts read
        # (approved, waiting) and those they do not (rejected…).
        states = ("paid", "rejected", "submitted", "approved", "draft", "withdrawn")
        for number in (3, 30):
            while len(self._bills()) < number:
                index = len(self._bills())
                state = states[index % len(states)]
                bill = self._bill(
                    self.loot,
                    10,
                    self.today,
                    post=state == "paid",
                    instruction=self.instruction,
                )
                bill.ref = f"Q-{index}"
                if state == "paid":
                    self.env["account.payment.register"].with_user(
                        self.accountant
                    ).with_context(
                        active_model="account.move", active_ids=bill.ids
                    ).create({"payment_date": self.today})._create_payments()
                elif state != "draft":
                    bill.action_commons_submit()
                if state == "approved":
                    self._approve(bill)
                elif state == "rejected":
                    steward = bill.with_user(self.steward).sudo()
                    steward.commons_reject(steward._get_commons_fingerprint(), "No")
                elif state == "withdrawn":
                    bill.with_user(self.contributor).sudo().action_commons_withdraw()
            with patch.object(CustomerPortal, "_items_per_page", 40):
                for _warm in range(2):
                    self.url_open("/my/commons/bills")
                self.env.invalidate_all()
                before = self.cr.sql_log_count
                response = self.url_open("/my/commons/bills")
                counts.append(self.cr.sql_log_count - before)
            page = html.fromstring(response.text)
            rows = page.xpath("//tr[contains(@class, 'o_commons_bill_row')]")
            self.assertEqual(len(rows), number)
            paid = page.xpath("//*[contains(@class, 'o_commons_bill_paid_date')]")
            self.assertEqual(len(paid), len(range(0, number, len(states))))
        self.assertEqual(counts[0], counts[1], counts)

    def test_foreign_tax_refused(self):
        sale_tax = self.company_data["default_tax_sale"]
        self._assert_refused(self._post_bill(tax=sale_tax), "Choose the VAT")

    def test_deductible_vat_offered_only_when_the_host_recovers_it(self):
        """What a bill consumes is what the resource spends in the ledger: a
        host that does not recover VAT offers only VAT that is a cost."""
        form = self.url_open(
            f"/my/commons/bills/new?instruction_id={self.instruction.id}"
        ).text
        self.assertIn(self.purchase_tax.name, form)
        self.assertNotIn(f'value="{self.deductible_tax.id}"', form)
        self._assert_refused(self._post_bill(tax=self.deductible_tax), "Choose the VAT")
        self.company.commons_vat_recoverable = True
        self._post_bill(tax=self.deductible_tax)
        bill = self.env["account.move"].search(
            [("commons_instruction_id", "=", self.instruction.id)]
        )
        self.assertEqual(bill.invoice_line_ids.tax_ids, self.deductible_tax)

    def test_closed_cancelled_and_ended_instructions_refused(self):
        closed = self._instruction(self.loot, 500, self.today - timedelta(days=10))
        closed.with_user(self.steward).sudo().action_close()
        cancelled = self._instruction(self.loot, 500, self.today - timedelta(days=10))
        cancelled.with_user(self.steward).sudo().action_cancel()
        grace = self.company.commons_instruction_grace_days
        ended = self._instruction(
            self.loot,
            500,
            self.today - timedelta(days=grace + 60),
            date_end=self.today - timedelta(days=grace + 1),
        )
        for instruction, message in (
            (closed, "is Closed"),
            (cancelled, "is Cancelled"),
            (ended, "took late bills until"),
        ):
            with self.subTest(message=message):
                self._assert_refused(
                    self._post_bill(instruction=instruction, lines=[("Fix", "100")]),
                    message,
                )

    def test_late_bill_accepted_until_the_grace_period_ends(self):
        late = self._instruction(
            self.loot,
            500,
            self.today - timedelta(days=60),
            date_end=self.today - timedelta(days=1),
        )
        page = html.fromstring(self.url_open("/my/commons/bills").text)
        row = page.xpath(f"//tr[@data-instruction-id='{late.id}']")[0]
        status = row.xpath(".//*[contains(@class, 'o_commons_instruction_status')]")
        self.assertIn("Ended: late bills until", status[0].text_content())
        self.assertTrue(row.xpath(".//a[contains(@class, 'o_commons_bill_new')]"))
        self._post_bill(instruction=late, lines=[("Fixes of last month", "400")])
        self.assertEqual(self._bills("FAC-2026-001").commons_instruction_id, late)

    def test_two_bills_cannot_promise_the_same_money(self):
        """900 left: a first bill of 800 waits, a second of 800 is refused."""
        approved = self._bill(
            self.loot, 2100, self.today, post=False, instruction=self.instruction
        )
        approved.action_commons_submit()
        self._approve(approved)
        self.instruction.invalidate_recordset()
        self.assertEqual(self.instruction.amount_left, 900)
        figures = self._loot_figures()
        self._post_bill(ref="FAC-1", lines=[("Bug fixes", "800")])
        first = self._bills("FAC-1")
        self.assertEqual(first.commons_bill_state, "submitted")
        page = html.fromstring(self.url_open("/my/commons/bills").text)
        row = page.xpath(f"//tr[@data-instruction-id='{self.instruction.id}']")[0]
        left = row.xpath(".//td[contains(@class, 'o_commons_instruction_left')]")
        self.assertIn("100.00", left[0].text_content(), "800 wait: 100 left")
        response = self._post_bill(ref="FAC-2", lines=[("Bug fixes", "800")])
        self.assertIn(
            "is more than what is left of the envelope of “Bug fixes”: $ 100.00, "
            "once the bills already waiting for the stewards ($ 800.00) are counted",
            self._error(response).replace("\xa0", " "),
        )
        self.assertFalse(self._bills("FAC-2"), "nothing is created")
        self.assertEqual(self._loot_figures(), figures)
        # What is left is still sent, and a correction counts the others too.
        self._post_bill(ref="FAC-3", lines=[("Bug fixes", "100")])
        third = self._bills("FAC-3")
        self.assertEqual(third.commons_bill_state, "submitted")
        response = self._post_bill(
            url=f"/my/commons/bills/{third.id}/edit",
            file=None,
            ref="FAC-3",
            lines=[("Bug fixes", "150")],
        )
        self.assertIn("is more than what is left", self._error(response))
        third.invalidate_recordset()
        self.assertAlmostEqual(third.amount_total, 100.0)

    def test_former_contributor_cannot_send_a_bill(self):
        sent = self._submitted_bill(ref="FAC-2026-001", amount="100")
        self.loot.with_user(
            self.accountant
        ).contributor_ids -= self.contributor.partner_id
        figures = self._loot_figures()
        response = self._post_bill(ref="FAC-2026-002")
        self.assertIn("is not, or no longer, a contributor of", self._error(response))
        self.assertFalse(self._bills("FAC-2026-002"), "nothing is created")
        response = self._post_bill(
            url=f"/my/commons/bills/{sent.id}/edit",
            file=None,
            ref="FAC-2026-001",
            lines=[("Bug fixes", "200")],
        )
        self.assertIn("is not, or no longer, a contributor of", self._error(response))
        sent.invalidate_recordset()
        self.assertAlmostEqual(sent.amount_total, 100.0)
        self.assertEqual(self._loot_figures(), figures)

    def test_invoice_number_sent_once(self):
        self._submitted_bill(ref="FAC-2026-007", amount="100")
        figures = self._loot_figures()
        response = self._post_bill(ref="FAC-2026-007", lines=[("Again", "200")])
        self.assertIn(
            "already sent an invoice numbered FAC-2026-007", self._error(response)
        )
        self.assertEqual(len(self._bills("FAC-2026-007")), 1, "nothing is created")
        self.assertEqual(self._loot_figures(), figures)

    def _loot_figures(self):
        loot = self.loot.with_context(commons_year=self.today.year)
        loot.invalidate_recordset()
        return (loot.amount_committed, loot.amount_available, loot.amount_spent)

    def test_missing_csrf_token_refused(self):
        data = self._form_data()
        del data["csrf_token"]
        response = self.url_open(
            "/my/commons/bills/new",
            data=data,
            files={"invoice_file": ("invoice.pdf", self.pdf)},
        )
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self._bills())

    # -- Factur-X ---------------------------------------------------------------

    def test_facturx_with_other_totals_refused(self):
        partners = self.env["res.partner"].search_count([])
        response = self._post_bill(
            file=("facturx.pdf", self._facturx(lines=[("Bug fixes", 900.0)])),
            lines=[("Bug fixes", "1000")],
            tax=self.purchase_tax,
        )
        self._assert_refused(response, "says")
        self.assertIn("1,035.00", self._error(response))
        self.assertIn("1,150.00", self._error(response))
        self.assertEqual(self.env["res.partner"].search_count([]), partners)

    def test_facturx_with_same_totals_accepted(self):
        partners = self.env["res.partner"].search_count([])
        banks = self.env["res.partner.bank"].search_count([])
        content = self._facturx(lines=[("Bug fixes", 1000.0)])
        response = self._post_bill(
            file=("facturx.pdf", content),
            lines=[("Work on LOOT", "1000")],
            tax=self.purchase_tax,
        )
        bill = self._bills("FAC-2026-001")
        self.assertTrue(bill, self._error(response))
        self.assertEqual(bill.partner_id, self.contributor.partner_id)
        self.assertEqual(bill.invoice_line_ids.mapped("name"), ["Work on LOOT"])
        self.assertEqual(bill.ref, "FAC-2026-001", "the typed number is kept")
        self.assertEqual(
            bill.partner_bank_id, self.contributor_bank, "no bank account from the file"
        )
        self.assertAlmostEqual(bill.amount_total, 1150.0)
        self.assertEqual(bill.message_main_attachment_id.raw, content)
        self.assertEqual(self.env["res.partner"].search_count([]), partners)
        self.assertEqual(self.env["res.partner.bank"].search_count([]), banks)

    def test_facturx_of_another_seller_refused(self):
        partners = self.env["res.partner"].search_count([])
        response = self._post_bill(
            file=(
                "facturx.pdf",
                self._facturx(
                    seller="Société Tierce",
                    email="tierce@example.com",
                    vat="FR23334175221",
                ),
            ),
            lines=[("Bug fixes", "1000")],
            tax=self.purchase_tax,
        )
        self._assert_refused(response, "is not you")
        self.assertNotIn("Société Tierce", self._error(response))
        self.assertEqual(self.env["res.partner"].search_count([]), partners)
        self.assertFalse(
            self.env["res.partner"].search([("name", "=", "Société Tierce")])
        )

    def test_ubl_cii_xml_upload(self):
        response = self._post_bill(
            file=("facturx.xml", self._cii(lines=[("Bug fixes", 1000.0)])),
            lines=[("Bug fixes", "1000")],
            tax=self.purchase_tax,
        )
        bill = self._bills("FAC-2026-001")
        self.assertTrue(bill, self._error(response))
        self.assertEqual(bill.partner_id, self.contributor.partner_id)
        response = self._post_bill(
            file=("other.xml", b"<?xml version='1.0'?><note>hello</note>"),
            ref="XML-2",
        )
        self.assertIn("is not a PDF", self._error(response))
        self.assertFalse(self._bills("XML-2"))

    # -- Following, correcting and withdrawing ---------------------------------

    def _submitted_bill(self, ref="FAC-2026-001", amount="1200"):
        response = self._post_bill(ref=ref, lines=[("Bug fixes", amount)])
        bill = self._bills(ref)
        self.assertTrue(bill, self._error(response))
        return bill

    def test_rejected_bill_shows_reason_and_is_corrected(self):
        bill = self._submitted_bill()
        bill = bill.with_user(self.steward).sudo()
        bill.commons_reject(bill._get_commons_fingerprint(), "Missing SIRET")
        bill = bill.with_env(self.env)
        response = self.url_open("/my/commons/bills")
        row = html.fromstring(response.text).xpath(
            "//tr[contains(@class, 'o_commons_bill_row')]"
        )[0]
        self.assertIn("Rejected", row.text_content())
        self.assertIn("Missing SIRET", row.text_content())
        self.env["mail.mail"].search([("res_id", "=", bill.id)]).unlink()
        response = self._post_bill(
            url=f"/my/commons/bills/{bill.id}/edit",
            file=("corrected.pdf", make_pdf("Corrected")),
            ref="FAC-2026-001b",
            lines=[("Bug fixes with SIRET", "1100")],
        )
        self.assertEqual(urlparse(response.url).path, f"/my/commons/bills/{bill.id}")
        self.assertEqual(bill.commons_bill_state, "submitted")
        self.assertEqual(bill.ref, "FAC-2026-001b")
        self.assertEqual(bill.invoice_line_ids.mapped("name"), ["Bug fixes with SIRET"])
        self.assertAlmostEqual(bill.amount_total, 1100.0)
        self.assertEqual(bill.message_main_attachment_id.name, "corrected.pdf")
        mails = self.env["mail.mail"].search(
            [("model", "=", "account.move"), ("res_id", "=", bill.id)]
        )
        self.assertEqual(mails.recipient_ids, (self.steward | self.steward2).partner_id)

    def test_sent_back_bill_shows_reason(self):
        bill = self._submitted_bill()
        bill.with_user(self.accountant).commons_send_back(
            "Add the mention “TVA non applicable, art. 293 B du CGI”"
        )
        response = self.url_open(f"/my/commons/bills/{bill.id}")
        page = html.fromstring(response.text)
        status = page.xpath("//*[contains(@class, 'o_commons_bill_status')]")[0]
        self.assertEqual(status.get("data-status"), "returned")
        self.assertIn("Sent back", status.text_content())
        reason = page.xpath("//*[contains(@class, 'o_commons_bill_reason')]")[0]
        self.assertIn("art. 293 B du CGI", reason.text_content())
        self.assertTrue(page.xpath("//*[contains(@class, 'o_commons_bill_edit')]"))

    def test_correct_keeps_file_and_refuses_bad_input(self):
        bill = self._submitted_bill()
        response = self._post_bill(
            url=f"/my/commons/bills/{bill.id}/edit",
            file=None,
            lines=[("Bug fixes", "-5")],
        )
        self.assertIn("must be more than zero", self._error(response))
        self._assert_error_beside(response, "lines")
        self.assertAlmostEqual(bill.amount_total, 1200.0)
        response = self._post_bill(
            url=f"/my/commons/bills/{bill.id}/edit",
            file=None,
            lines=[("Bug fixes", "1000")],
        )
        self.assertAlmostEqual(bill.amount_total, 1000.0)
        self.assertEqual(bill.message_main_attachment_id.raw, self.pdf)

    def test_withdraw_until_approved(self):
        bill = self._submitted_bill()
        # Withdraw asks first: the button opens a confirmation, whose own
        # button withdraws.
        page = html.fromstring(self.url_open(f"/my/commons/bills/{bill.id}").text)
        [ask] = page.xpath("//button[contains(@class, 'o_commons_bill_withdraw_ask')]")
        [dialog] = page.xpath(f"//*[@id='{ask.get('data-bs-target')[1:]}']")
        self.assertIn("will be cancelled", dialog.text_content())
        [form] = dialog.xpath(".//form[contains(@class, 'o_commons_bill_withdraw')]")
        self.assertEqual(form.get("action"), f"/my/commons/bills/{bill.id}/withdraw")
        self.assertTrue(form.xpath(".//button[@type='submit']"))
        self.assertEqual(bill.commons_bill_state, "submitted", "nothing done yet")
        token = self._csrf_token()
        response = self.url_open(
            f"/my/commons/bills/{bill.id}/withdraw", data={"csrf_token": token}
        )
        self.assertEqual(bill.commons_bill_state, "withdrawn")
        self.assertEqual(bill.state, "cancel")
        # And says what was done.
        done = html.fromstring(response.text).xpath(
            "//*[contains(@class, 'o_commons_bill_done')]"
        )
        self.assertIn("Your bill was withdrawn", done[0].text_content())
        response = self.url_open("/my/commons/bills")
        self.assertIn("Withdrawn", response.text)
        approved = self._submitted_bill(ref="FAC-2026-002", amount="500")
        self._approve(approved)
        response = self.url_open(f"/my/commons/bills/{approved.id}")
        self.assertNotIn("o_commons_bill_withdraw", response.text)
        response = self.url_open(
            f"/my/commons/bills/{approved.id}/withdraw", data={"csrf_token": token}
        )
        self.assertIn("can no longer be withdrawn", self._error(response))
        self.assertEqual(approved.commons_bill_state, "approved")
        response = self.url_open(f"/my/commons/bills/{approved.id}/edit")
        self.assertEqual(
            urlparse(response.url).path, f"/my/commons/bills/{approved.id}"
        )

    def test_paid_bill_shows_payment_date(self):
        bill = self._bill(self.loot, 800, self.today, instruction=self.instruction)
        self.env["account.payment.register"].with_user(self.accountant).with_context(
            active_model="account.move", active_ids=bill.ids
        ).create({"payment_date": self.today})._create_payments()
        response = self.url_open("/my/commons/bills")
        row = html.fromstring(response.text).xpath(
            "//tr[contains(@class, 'o_commons_bill_row')]"
        )[0]
        status = row.xpath(".//*[contains(@class, 'o_commons_bill_status')]")[0]
        self.assertEqual(status.get("data-status"), "paid")
        [paid_on] = row.xpath(".//*[contains(@class, 'o_commons_bill_paid_date')]")
        self.assertEqual(
            paid_on.text_content().strip(), self.today.strftime("%m/%d/%Y")
        )

    # -- Nobody else's records ------------------------------------------------

    def _bill_urls(self, bill):
        return (
            f"/my/commons/bills/{bill.id}",
            f"/my/commons/bills/{bill.id}/file",
            f"/my/commons/bills/{bill.id}/edit",
        )

    def test_other_users_see_nothing(self):
        bill = self._submitted_bill()
        for login in ("commons_contributor2", "commons_steward", "commons_funder"):
            with self.subTest(login=login):
                self.authenticate(login, login)
                for url in self._bill_urls(bill):
                    response = self.url_open(url)
                    self.assertEqual(urlparse(response.url).path, "/my", url)
                    self.assertNotIn("FAC-2026-001", response.text)
                token = html.fromstring(self.url_open("/my").text).xpath(
                    "//input[@name='csrf_token']/@value"
                )
                if token:
                    self.url_open(
                        f"/my/commons/bills/{bill.id}/withdraw",
                        data={"csrf_token": token[0]},
                    )
                self.assertEqual(bill.commons_bill_state, "submitted")
        self.authenticate("commons_steward", "commons_steward")
        response = self.url_open("/my/commons/bills")
        self.assertEqual(urlparse(response.url).path, "/my")
        response = self.url_open(
            f"/my/commons/bills/new?instruction_id={self.instruction.id}"
        )
        self.assertEqual(urlparse(response.url).path, "/my")
        self.logout()
        for url in ("/my/commons/bills", *self._bill_urls(bill)):
            response = self.url_open(url)
            self.assertEqual(urlparse(response.url).path, "/web/login", url)

    def test_contributor2_does_not_see_contributor_bills(self):
        self._submitted_bill()
        self.authenticate("commons_contributor2", "commons_contributor2")
        response = self.url_open("/my/commons/bills")
        self.assertNotIn("FAC-2026-001", response.text)
        self.assertIn("Security review", response.text)
        self.assertIn("DOKOS hosting", response.text)
        response = self.url_open(
            f"/my/commons/bills/new?instruction_id={self.instruction.id}"
        )
        self.assertEqual(urlparse(response.url).path, "/my")

    def test_non_contributor_has_no_card(self):
        self.authenticate("commons_funder", "commons_funder")
        counters = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["commons_bill_count"]}
        )
        self.assertFalse(counters["commons_bill_count"])

    def test_bills_are_read_from_an_index_of_their_contributor(self):
        """The install makes the index a contributor's page reads their bills
        from, latest first: Odoo indexes no commercial partner of a move, and
        the page would otherwise read every vendor bill of the host."""
        self.env.cr.execute(
            """
            SELECT pg_get_indexdef(index.indexrelid)
              FROM pg_index index
              JOIN pg_class class ON class.oid = index.indexrelid
             WHERE class.relname = 'account_move_commons_contributor_index'
            """
        )
        [[definition]] = self.env.cr.fetchall()
        self.assertIn(
            "ON public.account_move USING btree (commercial_partner_id, "
            "invoice_date, id) WHERE (commons_resource_id IS NOT NULL)",
            definition,
        )

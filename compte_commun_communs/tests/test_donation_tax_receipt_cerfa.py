# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import base64
import io

from PIL import Image

from odoo import Command, fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import HttpCase, TransactionCase, new_test_user, tagged
from odoo.tools.pdf import PdfReader

from ..models.donation_tax_receipt_cerfa import amount_to_french_words
from .common import CommonsCase

CERFA_REPORT = "compte_commun_communs.donation_tax_receipt_report_cerfa"


def _signature_png():
    image = Image.new("RGB", (120, 40), "white")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue())


@tagged("post_install", "-at_install")
class TestDonationTaxReceiptCerfa(CommonsCase, HttpCase):
    """The tax receipt is the French “reçu au titre des dons” (CERFA n° 11580): a
    PDF of real text, that states what the form requires."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.loot = cls._create_loot_2023()
        # A French host, in euros (no journal entry yet to forbid the change).
        euro = cls.env.ref("base.EUR")
        euro.active = True
        cls.company.write(
            {
                "currency_id": euro.id,
                "country_id": cls.env.ref("base.fr").id,
                "name": "ANIS",
                "street": "12 rue des Communs",
                "zip": "75011",
                "city": "Paris",
                "commons_rna": "W751234567",
                "commons_object": "Favoriser les communs numériques des territoires",
                "commons_organisation_kind": "general_interest_association",
                "commons_receipt_signatory_name": "Camille Dupré",
                "commons_receipt_signatory_function": "Présidente",
                "commons_receipt_signature": _signature_png(),
            }
        )
        cls.donation_method.commons_receipt_payment_mode = "transfer"
        # An individual whose language is English: the receipt is French anyway.
        cls.claire = cls.env["res.partner"].create(
            {
                "name": "Claire Dubois",
                "email": "claire@example.org",
                "street": "8 rue Victor Hugo",
                "zip": "69002",
                "city": "Lyon",
            }
        )
        cls.opteos = cls.env["res.partner"].create(
            {
                "name": "CAE OPTEOS",
                "is_company": True,
                "email": "dons@opteos.example",
                "street": "1 avenue de la Coopération",
                "zip": "31000",
                "city": "Toulouse",
                "commons_funder_type": "private",
            }
        )

    def _render_pdf(self, records, report=CERFA_REPORT):
        """Render the real PDF, as emailed or downloaded, with wkhtmltopdf and the
        report's styles served by the test server.

        :return: (text of the PDF with whitespace collapsed, names of its fonts)
        """
        # wkhtmltopdf fetches the report's two style sheets at once. The first
        # requests a server gets make it read the addons' manifests, which Python
        # 3.11.7 cannot do in two threads at a time (python/cpython#106905): one
        # of them fails and the PDF has no style. One request first avoids it.
        self.url_open("/web/health")
        pdf = (
            self.env["ir.actions.report"]
            .with_user(self.accountant)
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf(report, records.ids)[0]
        )
        reader = PdfReader(io.BytesIO(pdf))
        fonts = {
            font.get_object()["/BaseFont"]
            for page in reader.pages
            for font in page["/Resources"].get("/Font", {}).values()
        }
        text = " ".join(page.extract_text() for page in reader.pages)
        return " ".join(text.split()), fonts

    def _assert_real_text_in_styled_pdf(self, fonts):
        # The report's styles were applied (without them wkhtmltopdf falls back
        # on a serif font and the text would be real whatever the fix) and its
        # text is set in an embedded system font, not drawn as shapes.
        self.assertTrue(
            any("DejaVuSans" in font for font in fonts),
            f"the PDF is not set in the report's sans-serif font: {fonts}",
        )

    def _render_html(self, records):
        return (
            self.env["ir.actions.report"]
            .with_user(self.accountant)
            ._render_qweb_html(CERFA_REPORT, records.ids)[0]
            .decode()
        )

    def test_receipt_of_an_individual_states_what_the_cerfa_requires(self):
        donation = self._donate(self.loot, 300, "2023-03-01", partner=self.claire)
        receipt = donation.tax_receipt_id
        text, fonts = self._render_pdf(receipt)
        self._assert_real_text_in_styled_pdf(fonts)
        self.assertIn(
            "Reçu des dons et versements effectués par les particuliers", text
        )
        self.assertIn(f"Numéro d'ordre du reçu {receipt.number}", text)
        # the beneficiary
        self.assertIn("Nom ou dénomination : ANIS", text)
        self.assertIn("N° SIREN ou RNA : RNA W751234567", text)
        self.assertIn("Adresse : 12 rue des Communs, 75011 Paris", text)
        self.assertIn("Objet : Favoriser les communs numériques des territoires", text)
        self.assertIn("☒ Association loi 1901", text)
        # the donor
        self.assertIn("Nom et prénoms : Claire Dubois", text)
        self.assertIn("Adresse : 8 rue Victor Hugo, 69002 Lyon", text)
        # the gift: in figures and in words, on the day it was given
        self.assertIn("Montant en chiffres : ***300,00*** euros", text)
        self.assertIn("Somme en toutes lettres : trois cents euros", text)
        self.assertIn("Date du versement ou du don : 01/03/2023", text)
        self.assertIn("☒ 200 du CGI ☐ 238 bis du CGI", text)
        self.assertIn("☒ Déclaration de don manuel", text)
        self.assertIn("☒ Numéraire", text)
        self.assertIn("☒ Virement, prélèvement, carte bancaire", text)
        # issued today, signed
        today = fields.Date.context_today(receipt).strftime("%d/%m/%Y")
        self.assertNotIn(today, text.split("Fait à")[0], "the gift's date, not today")
        self.assertIn(f"Fait à Paris, le {today} Camille Dupré Présidente", text)
        self.assertNotIn("DOCUMENT INCOMPLET", text)
        # funders like to see what their money funded
        self.assertIn("Logiciel LOOT", text)

    def test_receipt_of_a_company_cites_article_238_bis(self):
        donation = self._donate(self.loot, 1460, "2023-03-20", partner=self.opteos)
        receipt = donation.tax_receipt_id
        self.assertEqual(receipt.commons_cgi_article, "238bis")
        text, fonts = self._render_pdf(receipt)
        self._assert_real_text_in_styled_pdf(fonts)
        self.assertIn(
            "effectués par les entreprises au titre de l'article 238 bis du code "
            "général des impôts",
            text,
        )
        self.assertIn("Dénomination : CAE OPTEOS", text)
        self.assertIn("☐ 200 du CGI ☒ 238 bis du CGI", text)
        self.assertIn(
            "Somme en toutes lettres : mille quatre cent soixante euros", text
        )
        self.assertIn("Date du versement ou du don : 20/03/2023", text)

    def test_annual_receipt_lists_each_gift(self):
        self.claire.tax_receipt_option = "annual"
        self._donate(self.loot, 100, "2023-03-01", partner=self.claire)
        self._donate(self.loot, 60.5, "2023-09-01", partner=self.claire)
        self.env["tax.receipt.annual.create"].with_user(self.accountant).create(
            {"start_date": "2023-01-01", "end_date": "2023-12-31"}
        ).generate_annual_receipts()
        receipt = self.env["donation.tax.receipt"].search(
            [("partner_id", "=", self.claire.id)]
        )
        self.assertEqual(receipt.type, "annual")
        text, _fonts = self._render_pdf(receipt)
        self.assertIn("Montant en chiffres : ***160,50*** euros", text)
        self.assertIn(
            "Somme en toutes lettres : cent soixante euros et cinquante centimes", text
        )
        self.assertIn("(période du 01/03/2023 au 01/09/2023)", text)
        first, second = receipt.donation_ids.sorted("donation_date")
        self.assertIn(f"01/03/2023 {first.number} 100,00 euros", text)
        self.assertIn(f"01/09/2023 {second.number} 60,50 euros", text)

    def test_acknowledgement_pdf_holds_real_text(self):
        ademe = self.env["res.partner"].create(
            {"name": "ADEME", "commons_funder_type": "public"}
        )
        grant = self._donate(self.loot, 3000, "2023-02-15", partner=ademe)
        text, fonts = self._render_pdf(
            grant, "compte_commun_communs.donation_donation_report_acknowledgement"
        )
        self._assert_real_text_in_styled_pdf(fonts)
        self.assertIn(f"Acknowledgement of funds received {grant.number}", text)
        self.assertIn("ADEME", text)
        self.assertIn("Logiciel LOOT", text)

    def test_cancelled_receipt_says_so(self):
        donation = self._donate(self.loot, 300, "2023-03-01", partner=self.claire)
        receipt = donation.tax_receipt_id
        self.assertNotIn("REÇU ANNULÉ", self._render_html(receipt))
        donation.with_user(self.accountant).done2cancel(reason="Transfer returned")
        self.assertEqual(receipt.state, "cancelled")
        self.assertIn("REÇU ANNULÉ", self._render_html(receipt))

    def test_missing_legal_setting_blocks_printing_not_validation(self):
        self.company.commons_receipt_signatory_name = False
        # the donation is validated and its receipt numbered...
        donation = self._donate(self.loot, 300, "2023-03-01", partner=self.claire)
        receipt = donation.tax_receipt_id.with_user(self.accountant)
        self.assertEqual(donation.state, "done")
        # ... but it cannot be printed, by any of the accountant's ways
        with self.assertRaisesRegex(UserError, "“Signatory”.*Settings"):
            receipt.action_print_commons_cerfa()
        print_menu_action = self.env.ref(
            "compte_commun_communs.donation_tax_receipt_action_print_cerfa"
        ).with_user(self.accountant)
        with self.assertRaisesRegex(UserError, "“Signatory”"):
            print_menu_action.with_context(
                active_model=receipt._name, active_ids=receipt.ids
            ).run()
        wizard = (
            self.env["donation.tax.receipt.print"]
            .with_user(self.accountant)
            .create({"receipt_ids": [Command.set(receipt.ids)]})
        )
        with self.assertRaisesRegex(UserError, "“Signatory”"):
            wizard.print_receipts()
        self.assertFalse(receipt.print_date)
        # nor sent: it waits, and the accountant is told what to set
        self.assertEqual(donation.commons_receipt_state, "waiting")
        self.assertIn("“Signatory”", donation.activity_ids.note)
        self._run_receipt_queue()
        self.assertFalse(receipt.commons_receipt_attachment_id)
        self.assertFalse(receipt.message_ids.attachment_ids)
        # a document rendered anyway says it is no valid receipt
        self.assertIn("DOCUMENT INCOMPLET", self._render_html(receipt))
        self.company.commons_receipt_signatory_name = "Camille Dupré"
        donation.with_user(self.accountant).action_send_commons_receipt()
        self.assertEqual(donation.commons_receipt_state, "queued")
        action = receipt.action_print_commons_cerfa()
        self.assertEqual(action["type"], "ir.actions.act_url")
        self.assertIn(str(receipt.commons_receipt_attachment_id.id), action["url"])

    def test_payment_method_without_payment_mode_blocks_printing(self):
        self.donation_method.commons_receipt_payment_mode = False
        donation = self._donate(self.loot, 300, "2023-03-01", partner=self.claire)
        with self.assertRaisesRegex(UserError, "Donation transfer"):
            donation.tax_receipt_id.with_user(
                self.accountant
            ).action_print_commons_cerfa()

    def test_receipt_waits_for_the_donor_address(self):
        self.claire.street = False
        donation = self._donate(self.loot, 300, "2023-03-01", partner=self.claire)
        with self.assertRaisesRegex(UserError, "Address of the donor Claire Dubois"):
            donation.tax_receipt_id.with_user(
                self.accountant
            ).action_print_commons_cerfa()

    def test_rna_number_is_checked(self):
        with self.assertRaises(ValidationError):
            self.company.commons_rna = "751234567"

    def test_emailed_receipt_is_the_one_the_funder_downloads(self):
        funder = new_test_user(
            self.env,
            login="claire_funder",
            groups="base.group_portal",
            partner_id=self.claire.id,
        )
        self.assertEqual(funder.partner_id, self.claire)
        donation = self._donate(self.loot, 300, "2023-03-01", partner=self.claire)
        receipt = donation.tax_receipt_id
        self.url_open("/web/health")  # see _render_pdf
        self._run_receipt_queue(force_report_rendering=True)
        mail = self.env["mail.mail"].search(
            [
                ("model", "=", receipt._name),
                ("res_id", "=", receipt.id),
                ("recipient_ids", "in", self.claire.ids),
            ]
        )
        emailed = mail.attachment_ids.raw
        self.assertTrue(emailed.startswith(b"%PDF"))
        self.authenticate("claire_funder", "claire_funder")
        downloaded = self.url_open(f"/my/fundings/{donation.id}/receipt?download=true")
        self.assertEqual(downloaded.headers["Content-Type"], "application/pdf")
        self.assertEqual(downloaded.content, emailed)
        text = " ".join(
            " ".join(
                page.extract_text() for page in PdfReader(io.BytesIO(emailed)).pages
            ).split()
        )
        self.assertIn("Somme en toutes lettres : trois cents euros", text)
        self.assertIn("Date du versement ou du don : 01/03/2023", text)
        self.assertIn("☒ 200 du CGI", text)
        self.assertIn(f"Numéro d'ordre du reçu {receipt.number}", text)

    def test_print_menu_offers_the_cerfa_only(self):
        bindings = self.env["ir.actions.actions"].get_bindings("donation.tax.receipt")
        printed = {action["id"] for action in bindings["report"]}
        self.assertIn(
            self.env.ref(
                "compte_commun_communs.donation_tax_receipt_action_print_cerfa"
            ).id,
            printed,
        )
        self.assertNotIn(
            self.env.ref("donation_base.report_donation_tax_receipt").id, printed
        )
        form = self.env["donation.tax.receipt"].get_view(
            self.env.ref("donation_base.donation_tax_receipt_form").id
        )
        self.assertIn('name="action_print_commons_cerfa"', form["arch"])


@tagged("post_install", "-at_install")
class TestCerfaAmountInWords(TransactionCase):
    def test_amounts_are_written_as_french_receipts_do(self):
        euro = self.env.ref("base.EUR")
        for amount, words in (
            (300, "trois cents euros"),
            (1, "un euro"),
            (80, "quatre-vingts euros"),
            (21.5, "vingt et un euros et cinquante centimes"),
            (1460, "mille quatre cent soixante euros"),
            (2_000_000.01, "deux millions d'euros et un centime"),
        ):
            self.assertEqual(amount_to_french_words(amount, euro), words)

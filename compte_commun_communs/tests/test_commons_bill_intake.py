# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The intake's readers of what people type in portal forms: amounts as French
and English write them, dates as a date field or a person writes them."""

from datetime import date

from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestCommonsBillIntakeParsing(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.euro = cls.env.ref("base.EUR")
        cls.intake = cls.env["commons.bill.intake"]

    def _amount(self, value, lang="fr_FR", currency=None):
        return self.intake.with_context(lang=lang)._parse_commons_amount(
            value, currency or self.euro
        )

    def test_french_amounts_are_read(self):
        for typed, amount in (
            ("1 500,00", 1500.0),
            ("1\u202f500,00", 1500.0),
            ("1\u00a0500,5", 1500.5),
            ("1500.50", 1500.5),
            ("1500,50", 1500.5),
            ("1.500,00", 1500.0),
            ("1 500,00 €", 1500.0),
            ("12 345 678,9", 12345678.9),
            ("200,50", 200.5),
            ("-100", -100.0),
            ("1500", 1500.0),
            ("0,005", 0.01),
            (1500, 1500.0),
            ("", 0.0),
        ):
            with self.subTest(typed=typed):
                self.assertEqual(self._amount(typed), amount)

    def test_english_amounts_are_read(self):
        for typed, amount in (
            ("1,500.00", 1500.0),
            ("1,500", 1500.0),
            ("200,50", 200.5),
            ("1500.5", 1500.5),
            ("1,234,567", 1234567.0),
        ):
            with self.subTest(typed=typed):
                self.assertEqual(self._amount(typed, lang="en_US"), amount)

    def test_what_is_not_an_amount_is_refused(self):
        for typed in (
            "abc",
            "1,50,0",
            "1.2.3,4,5",
            "12,34.567,8",
            "nan",
            "inf",
            "1e5",
            "1 500,00 $US",
            "10" * 10,
        ):
            with self.subTest(typed=typed):
                with self.assertRaisesRegex(UserError, "n'est pas un montant"):
                    self._amount(typed)

    def test_without_currency_the_amount_is_not_rounded(self):
        days = self.intake.with_context(lang="fr_FR")._parse_commons_amount("2,125")
        self.assertEqual(days, 2.125)

    def test_a_form_shows_an_amount_as_it_is_typed_again(self):
        intake = self.intake.with_context(lang="fr_FR")
        shown = intake._format_commons_amount(1500.0, self.euro)
        self.assertEqual(" ".join(shown.split()), "1 500,00")
        self.assertEqual(intake._parse_commons_amount(shown, self.euro), 1500.0)
        english = self.intake.with_context(lang="en_US")
        shown = english._format_commons_amount(1500.0, self.euro)
        self.assertEqual(shown, "1,500.00")
        self.assertEqual(english._parse_commons_amount(shown, self.euro), 1500.0)

    def test_dates_are_read_as_sent_or_typed(self):
        intake = self.intake.with_context(lang="fr_FR")
        for typed in ("2026-03-31", "31/03/2026", "31.03.2026", date(2026, 3, 31)):
            with self.subTest(typed=typed):
                self.assertEqual(intake._parse_commons_date(typed), date(2026, 3, 31))
        self.assertFalse(intake._parse_commons_date(""))
        self.assertFalse(intake._parse_commons_date(None))
        for typed in ("2026-02-30", "31/13/2026", "demain", "31/03/26"):
            with self.subTest(typed=typed):
                with self.assertRaisesRegex(UserError, "n'est pas une date"):
                    intake._parse_commons_date(typed)

    def test_invoice_date_is_required_and_near(self):
        intake = self.intake.with_context(lang="fr_FR")
        with self.assertRaisesRegex(UserError, "Indiquez la date de votre facture"):
            intake._parse_commons_invoice_date("")
        with self.assertRaisesRegex(
            UserError, "La date de votre facture, 01/01/2001, remonte à plus d'un an"
        ):
            intake._parse_commons_invoice_date("01/01/2001")

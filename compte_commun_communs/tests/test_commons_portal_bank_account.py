# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta
from urllib.parse import urlparse

from lxml import html

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged

from .common import CommonsCase
from .test_commons_bank_account_trust import make_iban

ROWS = "//*[contains(@class, 'o_commons_bank_account_row')]"


@tagged("post_install", "-at_install")
class TestCommonsPortalBankAccount(CommonsCase, HttpCase):
    """What a contributor does in /my/commons/bank-accounts: read their bank
    accounts by their last digits, add one, change one; and what the host
    then pays to."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin = cls._admin_with_accounting()
        cls.today = fields.Date.today()
        cls.loot = cls._create_resource("Logiciel LOOT", "LOOT")
        cls._donate(cls.loot, 10000, cls.today - timedelta(days=60))
        cls.instruction = cls._instruction(
            cls.loot, 3000, cls.today - timedelta(days=30)
        )
        cls.partner = cls.contributor.partner_id

    def setUp(self):
        super().setUp()
        self.authenticate("commons_contributor", "commons_contributor")

    # -- Helpers --------------------------------------------------------------

    def _page(self, url="/my/commons/bank-accounts"):
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        return response, html.fromstring(response.text)

    def _csrf_token(self):
        _response, page = self._page()
        return page.xpath(
            "//form[contains(@class, 'o_commons_bank_form')]"
            "//input[@name='csrf_token']/@value"
        )[0]

    def _post(self, acc_number, holder="Sacha Dupont", bank=None, csrf=True):
        data = {"acc_number": acc_number, "acc_holder_name": holder}
        if csrf:
            data["csrf_token"] = self._csrf_token()
        if bank:
            data["bank_id"] = str(getattr(bank, "id", bank))
        return self.url_open("/my/commons/bank-accounts", data=data)

    def _banks(self, partner=None):
        return (
            self.env["res.partner.bank"]
            .with_context(active_test=False)
            .search([("partner_id", "=", (partner or self.partner).id)])
        )

    def _error(self, response):
        errors = html.fromstring(response.text).xpath(
            "//*[contains(@class, 'o_commons_bank_error')]"
        )
        return " ".join(errors[0].text_content().split()) if errors else ""

    def _assert_nothing_changed(self, response, message, before):
        self.assertEqual(response.status_code, 200)
        self.assertIn(message, self._error(response))
        banks = self._banks()
        self.assertEqual(banks, before[0], "nothing is created")
        self.assertEqual(
            [(b.acc_number, b.acc_holder_name, b.active) for b in banks], before[1]
        )

    def _state(self):
        banks = self._banks()
        return banks, [(b.acc_number, b.acc_holder_name, b.active) for b in banks]

    # -- Reading --------------------------------------------------------------

    def test_home_card_and_list_by_last_digits(self):
        counters = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["commons_bank_count"]}
        )
        self.assertTrue(counters["commons_bank_count"])
        self.assertIn('href="/my/commons/bank-accounts"', self.url_open("/my").text)
        response, page = self._page()
        rows = page.xpath(ROWS)
        self.assertEqual(len(rows), 1)
        text = " ".join(rows[0].text_content().split())
        number = self.contributor_bank.sanitized_acc_number
        self.assertIn("Sacha Dupont", text)
        self.assertIn("•••• " + number[-4:], text)
        self.assertIn("Confirmed by the host", text)
        self.assertNotIn(number[4:-4], response.text, "never the whole IBAN")
        self.assertNotIn(self.contributor_bank.acc_number, response.text)

    def test_not_a_contributor_is_sent_home(self):
        self.authenticate("commons_portal", "commons_portal")
        response = self.url_open("/my/commons/bank-accounts")
        self.assertEqual(urlparse(response.url).path, "/my")
        counters = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["commons_bank_count"]}
        )
        self.assertFalse(counters["commons_bank_count"])

    def test_cannot_read_another_contributor_iban(self):
        other = self.contributor2_bank
        response, page = self._page(f"/my/commons/bank-accounts?edit={other.id}")
        for secret in (other.sanitized_acc_number[-4:], other.acc_holder_name):
            self.assertNotIn(secret, response.text)
        self.assertFalse(page.xpath("//input[@name='bank_id']"), "no form of theirs")
        # Over RPC, neither the account nor its bill's name of it.
        Bank = self.env["res.partner.bank"].with_user(self.contributor)
        with self.assertRaises(AccessError):
            Bank.browse(other.id).read(["acc_number"])
        with self.assertRaises(AccessError):
            Bank.search([("partner_id", "=", self.contributor2.partner_id.id)])
        bill = self._bill(self.loot, 100, "2023-06-01", contributor=self.contributor2)
        name = bill.partner_bank_id.with_user(self.contributor).sudo(False).display_name
        self.assertNotIn(other.sanitized_acc_number[4:-4], name)

    # -- Adding, changing ----------------------------------------------------------

    def test_add_an_account_untrusted(self):
        iban = make_iban(61)
        response = self._post(iban[:4] + " " + iban[4:].lower())
        new = self._banks() - self.contributor_bank
        self.assertEqual(len(new), 1, self._error(response))
        self.assertEqual(new.sanitized_acc_number, iban)
        self.assertEqual(new.acc_holder_name, "Sacha Dupont")
        self.assertFalse(new.allow_out_payment)
        self.assertEqual(urlparse(response.url).path, "/my/commons/bank-accounts")
        page = html.fromstring(response.text)
        self.assertTrue(page.xpath("//*[contains(@class, 'o_commons_bank_done')]"))
        row = page.xpath(f"{ROWS}[@data-bank-id='{new.id}']")[0]
        self.assertIn("Waits for the host's confirmation", row.text_content())
        self.assertTrue(
            self.env["mail.mail"].search(
                [
                    ("model", "=", "res.partner.bank"),
                    ("res_id", "=", new.id),
                    ("recipient_ids", "in", self.partner.ids),
                ]
            )
        )

    def test_change_an_untrusted_account_in_place(self):
        bank = self.env["res.partner.bank"]._commons_portal_save(
            self.partner, {"acc_number": make_iban(62), "acc_holder_name": "S D"}
        )
        iban = make_iban(63)
        response = self._post(iban, holder="Sacha Dupont", bank=bank)
        self.assertFalse(self._error(response))
        self.assertEqual(bank.sanitized_acc_number, iban)
        self.assertEqual(bank.acc_holder_name, "Sacha Dupont")
        self.assertEqual(self._banks(), self.contributor_bank | bank)

    def test_change_a_trusted_account_adds_an_untrusted_one(self):
        old = self.contributor_bank
        _response, page = self._page(f"/my/commons/bank-accounts?edit={old.id}")
        self.assertEqual(page.xpath("//input[@name='bank_id']/@value"), [str(old.id)])
        iban = make_iban(64)
        response = self._post(iban, bank=old)
        self.assertFalse(self._error(response))
        new = self._banks() - old
        self.assertEqual(new.sanitized_acc_number, iban)
        self.assertFalse(new.allow_out_payment)
        self.assertTrue(old.allow_out_payment, "the trusted one is never changed")
        self.assertNotEqual(old.sanitized_acc_number, iban)
        self.assertFalse(old.active, "archived: no bill is to be paid to it")

    def test_change_keeps_a_trusted_account_a_bill_is_paid_to(self):
        old = self.contributor_bank
        bill = self._bill(self.loot, 100, "2023-06-01")
        self._post(make_iban(65), bank=old)
        self.assertTrue(old.active, "kept while the bill is not paid")
        self.assertTrue(old.allow_out_payment)
        self.assertEqual(bill.partner_bank_id, old)

    def test_new_holder_of_a_trusted_account_untrusts_it(self):
        old = self.contributor_bank
        self._post(old.acc_number, holder="Sacha M. Dupont", bank=old)
        self.assertEqual(old.acc_holder_name, "Sacha M. Dupont")
        self.assertFalse(old.allow_out_payment)
        self.assertEqual(self._banks(), old)

    # -- Bad input creates nothing -----------------------------------------------

    def test_invalid_checksum_refused(self):
        before = self._state()
        iban = make_iban(66)
        wrong = iban[:-1] + str((int(iban[-1]) + 1) % 10)
        response = self._post(wrong)
        self._assert_nothing_changed(response, "validation check", before)
        self.assertEqual(
            html.fromstring(response.text).xpath("//input[@name='acc_number']/@value"),
            [wrong],
            "the form keeps what was typed",
        )

    def test_not_an_iban_refused(self):
        before = self._state()
        response = self._post("12345678")
        self._assert_nothing_changed(response, "IBAN", before)

    def test_empty_holder_refused(self):
        before = self._state()
        response = self._post(make_iban(67), holder="   ")
        self._assert_nothing_changed(response, "name the account is held in", before)

    def test_another_contact_bank_id_refused(self):
        before = self._state()
        other = self.contributor2_bank
        number, holder = other.acc_number, other.acc_holder_name
        response = self._post(make_iban(68), holder="Sacha Dupont", bank=other)
        self._assert_nothing_changed(response, "not one of yours", before)
        self.assertEqual((other.acc_number, other.acc_holder_name), (number, holder))
        self.assertTrue(other.allow_out_payment)
        self.assertEqual(self._banks(self.contributor2.partner_id), other)
        response = self._post(make_iban(69), bank="x")
        self._assert_nothing_changed(response, "not one of yours", before)

    def test_missing_csrf_token_refused(self):
        before = self._state()
        response = self._post(make_iban(70), csrf=False)
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self._state(), before)

    def test_number_already_recorded_refused(self):
        before = self._state()
        response = self._post(self.contributor_bank.acc_number)
        self._assert_nothing_changed(response, "already recorded", before)

    # -- Bills paid to it ----------------------------------------------------------

    def test_bill_form_links_to_bank_accounts(self):
        _response, page = self._page(
            f"/my/commons/bills/new?instruction_id={self.instruction.id}"
        )
        self.assertTrue(
            page.xpath(
                "//*[contains(@class, 'o_commons_bank_accounts_link')]"
                "//a[@href='/my/commons/bank-accounts']"
            )
        )

    def test_bill_to_an_untrusted_account_waits_in_both_portals(self):
        bank = self.env["res.partner.bank"]._commons_portal_save(
            self.partner, {"acc_number": make_iban(71), "acc_holder_name": "Sacha"}
        )
        bill = self._bill(self.loot, 200, "2023-06-01", post=False)
        bill.partner_bank_id = bank
        bill.action_commons_submit()
        waits = "//*[contains(@class, 'o_commons_bill_bank_waits')]"
        _response, page = self._page(f"/my/commons/bills/{bill.id}")
        text = " ".join(page.xpath(waits)[0].text_content().split())
        self.assertEqual(
            text,
            "Waits for the host to confirm the bank account •••• "
            + bank.sanitized_acc_number[-4:],
        )
        self.authenticate("commons_steward", "commons_steward")
        _response, page = self._page("/my/commons")
        card = page.xpath(f"//*[@id='commons_bill_{bill.id}']")[0]
        self.assertIn(
            "Waits for the host to confirm the bank account",
            card.xpath(f".{waits}")[0].text_content(),
        )
        bank.with_user(self.admin).allow_out_payment = True
        _response, page = self._page("/my/commons")
        self.assertFalse(page.xpath(waits))

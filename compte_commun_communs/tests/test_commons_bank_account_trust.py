# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import CommonsCase
from .test_commons_portal_contributor import CII_LINE, CII_TEMPLATE


def make_iban(account, country="FR", bank="30004000"):
    """A French IBAN with the right check digits (ISO 13616)."""
    bban = f"{bank}{account:013d}{account % 97:02d}"
    check = 98 - int("".join(str(int(c, 36)) for c in bban + country + "00")) % 97
    return f"{country}{check:02d}{bban}"


@tagged("post_install", "-at_install")
class TestCommonsBankAccountTrust(CommonsCase):
    """A contributor's bank account is untrusted until someone with Odoo's
    right confirms it, and each new number is told to the contributor."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin = cls._admin_with_accounting()
        cls.loot = cls._create_resource("Logiciel LOOT", "LOOT")
        cls._donate(cls.loot, 5000, "2023-02-15")
        cls.partner = cls.contributor.partner_id
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.template = cls.env.ref(
            "compte_commun_communs.mail_template_commons_bank_account"
        )
        cls.activity_type = cls.env.ref(
            "compte_commun_communs.mail_activity_type_commons_bank_confirm"
        )

    # -- Helpers --------------------------------------------------------------

    def _mails(self, bank):
        """The emails to the account's contributor about it."""
        return self.env["mail.mail"].search(
            [
                ("model", "=", "res.partner.bank"),
                ("res_id", "=", bank.id),
                ("recipient_ids", "in", bank.partner_id.ids),
            ]
        )

    def _activities(self, bank):
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", "res.partner.bank"),
                ("res_id", "=", bank.id),
                ("activity_type_id", "=", self.activity_type.id),
            ]
        )

    def _portal_save(self, values, bank=None, user=None):
        return (
            self.env["res.partner.bank"]
            .with_user(user or self.contributor)
            ._commons_portal_save(self.partner, values, bank)
        )

    # -- Untrusted on creation ------------------------------------------------

    def test_portal_account_untrusted_whoever_saves_it(self):
        for account, user in ((11, self.contributor), (12, self.admin)):
            bank = self._portal_save(
                {"acc_number": make_iban(account), "acc_holder_name": "Sacha Dupont"},
                user=user,
            )
            self.assertFalse(bank.allow_out_payment, user.login)
            self.assertEqual(bank.partner_id, self.partner)

    def test_accountant_cannot_create_a_trusted_account(self):
        bank = (
            self.env["res.partner.bank"]
            .with_user(self.accountant)
            .create(
                {
                    "acc_number": make_iban(13),
                    "partner_id": self.partner.id,
                    "allow_out_payment": True,
                }
            )
        )
        self.assertFalse(bank.allow_out_payment)

    def test_portal_user_cannot_create_one_over_rpc(self):
        with self.assertRaises(AccessError):
            self.env["res.partner.bank"].with_user(self.contributor).create(
                {"acc_number": make_iban(14), "partner_id": self.partner.id}
            )

    # -- Announced --------------------------------------------------------------

    def test_new_account_is_announced_with_its_last_digits(self):
        iban = make_iban(21)
        bank = self._portal_save(
            {"acc_number": iban, "acc_holder_name": "Sacha Dupont"}
        )
        mail = self._mails(bank)
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.recipient_ids, self.partner)
        body = mail.body_html
        self.assertIn("•••• " + iban[-4:], body)
        self.assertIn("Sacha Dupont", body)
        self.assertIn("If this was not you", body)
        for part in (iban, iban[4:12], iban[-12:-4]):
            self.assertNotIn(part, body + mail.subject)

    def test_announcement_cannot_be_silenced_over_rpc(self):
        # The portal's probe of an e-invoice announces nothing, as it is
        # rolled back: a request cannot claim to be one.
        iban = make_iban(27)
        bank = (
            self.env["res.partner.bank"]
            .with_user(self.accountant)
            .with_context(commons_einvoice_probe=True)
            .create({"acc_number": iban, "partner_id": self.partner.id})
        )
        self.assertIn("•••• " + iban[-4:], self._mails(bank).body_html)
        self.assertTrue(self._activities(bank))

    def test_announced_in_the_partner_language(self):
        self.template.with_context(
            lang="fr_FR"
        ).subject = (
            "Un compte bancaire {{ ctx.get('commons_number') }} a été enregistré"
        )
        self.partner.lang = "fr_FR"
        french = self._portal_save(
            {"acc_number": make_iban(22), "acc_holder_name": "Sacha Dupont"}
        )
        self.contributor2.partner_id.lang = "en_US"
        english = (
            self.env["res.partner.bank"]
            .with_user(self.contributor2)
            ._commons_portal_save(
                self.contributor2.partner_id,
                {"acc_number": make_iban(23), "acc_holder_name": "Noé Leroy"},
            )
        )
        self.assertIn("a été enregistré", self._mails(french).subject)
        self.assertIn("was recorded for you", self._mails(english).subject)

    def test_changed_number_is_announced_and_unchanged_holder_is_not(self):
        bank = self._portal_save(
            {"acc_number": make_iban(24), "acc_holder_name": "Sacha Dupont"}
        )
        self._mails(bank).unlink()
        bank.with_user(self.accountant).write({"acc_holder_name": "S. Dupont"})
        self.assertFalse(self._mails(bank), "an untrusted account's holder: no email")
        new = make_iban(25)
        bank.with_user(self.accountant).write({"acc_number": new})
        self.assertIn("•••• " + new[-4:], self._mails(bank).body_html)

    def test_host_account_is_not_announced(self):
        bank = self.env["res.partner.bank"].create(
            {"acc_number": make_iban(26), "partner_id": self.company.partner_id.id}
        )
        self.assertFalse(self._mails(bank))
        self.assertFalse(self._activities(bank))

    # -- Holder changed, trust withdrawn ---------------------------------------------

    def test_holder_change_without_the_right_untrusts(self):
        bank = self.contributor_bank
        self.assertTrue(bank.allow_out_payment)
        self._mails(bank).unlink()
        bank.with_user(self.accountant).write({"acc_holder_name": "Someone Else"})
        self.assertFalse(bank.allow_out_payment)
        self.assertEqual(bank.acc_holder_name, "Someone Else")
        self.assertIn("Someone Else", self._mails(bank).body_html)
        self.assertEqual(self._activities(bank).user_id, self.admin)

    def test_holder_change_by_a_holder_of_the_right_keeps_trust(self):
        bank = self.contributor2_bank
        self._mails(bank).unlink()
        bank.with_user(self.admin).write({"acc_holder_name": "Noé L. Leroy"})
        self.assertTrue(bank.allow_out_payment)
        self.assertFalse(self._mails(bank))

    def test_trusted_account_is_not_moved_to_another_partner(self):
        bank = self.contributor_bank
        with self.assertRaisesRegex(UserError, "trusted"):
            bank.with_user(self.accountant).write(
                {"partner_id": self.contributor2.partner_id.id}
            )
        self.assertEqual(bank.partner_id, self.partner)
        self.assertTrue(bank.allow_out_payment)

    def test_trusted_number_stays_locked(self):
        with self.assertRaisesRegex(UserError, "trusted"):
            self.contributor_bank.with_user(self.admin).write(
                {"acc_number": make_iban(27)}
            )

    # -- Who confirms it --------------------------------------------------------------

    def test_activity_for_whoever_confirms_done_when_confirmed(self):
        bank = self._portal_save(
            {"acc_number": make_iban(31), "acc_holder_name": "Sacha Dupont"}
        )
        activity = self._activities(bank)
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.admin, "the one user with the right")
        self.assertIn("•••• ", activity.note)
        with self.assertRaises(UserError):
            bank.with_user(self.accountant).write({"allow_out_payment": True})
        bank.with_user(self.admin).write({"allow_out_payment": True})
        self.assertTrue(bank.allow_out_payment)
        self.assertFalse(self._activities(bank), "done")
        # Its trust withdrawn, it is to confirm again.
        bank.with_user(self.admin).write({"allow_out_payment": False})
        self.assertEqual(self._activities(bank).user_id, self.admin)

    def test_activity_goes_to_the_accountant_who_holds_the_right(self):
        self.accountant.groups_id += self.env.ref("account.group_validate_bank_account")
        user = self.env["res.partner.bank"]._get_commons_confirming_user(self.company)
        self.assertIn(user, self.admin | self.accountant)
        if "commons_accountant_user_id" in self.company._fields:
            self.company.commons_accountant_user_id = self.accountant
            self.assertEqual(
                self.env["res.partner.bank"]._get_commons_confirming_user(self.company),
                self.accountant,
            )

    # -- A bill paid to it waits ------------------------------------------------------

    def test_bill_on_an_untrusted_account_waits(self):
        bank = self._portal_save(
            {"acc_number": make_iban(41), "acc_holder_name": "Sacha Dupont"}
        )
        bill = self._bill(self.loot, 500, "2023-06-01", post=False)
        bill.partner_bank_id = bank
        self.assertTrue(bank._is_commons_bill_waiting(bill))
        bill.action_commons_submit()
        self._approve(bill)
        bill.action_post()
        self.assertTrue(bank._is_commons_bill_waiting(bill))
        with self.assertRaisesRegex(UserError, "not confirmed by the host"):
            self.env["account.payment.register"].with_user(
                self.accountant
            ).with_context(active_model="account.move", active_ids=bill.ids).create(
                {}
            )._create_payments()
        bank.with_user(self.admin).write({"allow_out_payment": True})
        self.assertFalse(bank._is_commons_bill_waiting(bill))

    # -- E-invoices ---------------------------------------------------------------

    def _cii(self, iban):
        xml = CII_TEMPLATE.format(
            ref="FX-BANK-1",
            date=fields.Date.today().strftime("%Y%m%d"),
            lines=CII_LINE.format(index=1, name="Bug fixes", amount=100.0, rate=0.0),
            seller=self.partner.name,
            email=self.partner.email,
            vat="",
            buyer=self.company.name,
            currency=self.company.currency_id.name,
            rate=0.0,
            untaxed=100.0,
            tax=0.0,
            total=100.0,
        ).replace("FR7630006000011234567890189", iban)
        return xml.encode()

    def test_einvoice_imported_by_the_administrator_brings_an_untrusted_account(self):
        iban = make_iban(51)
        bill = (
            self.env["account.move"]
            .with_user(self.admin)
            .with_company(self.company)
            .create({"move_type": "in_invoice"})
        )
        attachment = self.env["ir.attachment"].create(
            {
                "name": "invoice.xml",
                "raw": self._cii(iban),
                "res_model": "account.move",
                "res_id": bill.id,
            }
        )
        bill.with_user(self.admin)._extend_with_attachments(attachment, new=True)
        bank = self.env["res.partner.bank"].search(
            [("sanitized_acc_number", "=", iban)]
        )
        self.assertEqual(len(bank), 1, "the import recorded the e-invoice's account")
        self.assertEqual(bank.partner_id, self.partner)
        self.assertFalse(bank.allow_out_payment, "never trusted")
        self.assertEqual(bill.partner_bank_id, bank)
        # Not silently: its contributor hears of it, someone is to confirm it.
        self.assertIn("•••• " + iban[-4:], self._mails(bank).body_html)
        self.assertTrue(self._activities(bank))

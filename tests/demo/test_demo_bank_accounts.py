"""Noé entered his IBAN in his portal: it waits for the host to confirm it,
and so does his approved and posted bill. Read as the accountant over
JSON-RPC and as Noé in his portal."""

from demo_common import DemoRpcMixin
from lxml import html

from odoo.tests import HttpCase, tagged

NOE_BANK = "res_partner_bank_loot_contributor2_demo"
NOE_BILL = "account_move_loot_bill_review_current_demo"


@tagged("post_install", "-at_install")
class TestDemoBankAccounts(DemoRpcMixin, HttpCase):
    def test_noes_iban_waits_for_the_host(self):
        bank = self._ref(NOE_BANK)
        noe = self._ref("res_users_loot_contributor2_demo")
        self.assertEqual(bank.partner_id, noe.partner_id)
        self.assertEqual(bank.acc_holder_name, "Noé Leroy")
        self.assertFalse(bank.allow_out_payment)
        # Noé was told, with the last digits only.
        mail = self.env["mail.mail"].search(
            [
                ("model", "=", "res.partner.bank"),
                ("res_id", "=", bank.id),
                ("recipient_ids", "in", noe.partner_id.ids),
            ]
        )
        self.assertEqual(len(mail), 1)
        self.assertIn("•••• 0158", mail.body_html)
        self.assertNotIn("1027 8007", mail.body_html)
        # The accountant finds it in the list of accounts to confirm.
        action = self.env.ref(
            "compte_commun_communs.res_partner_bank_action_commons_to_confirm"
        )
        self.assertTrue(action)
        found = self._call_kw(
            "accountant",
            "res.partner.bank",
            "search",
            [[("allow_out_payment", "=", False), ("id", "=", bank.id)]],
        )
        self.assertEqual(found.get("result"), bank.ids, found)
        activity = bank.activity_ids.filtered(
            lambda a: a.activity_type_id
            == self._ref("mail_activity_type_commons_bank_confirm")
        )
        self.assertEqual(activity.user_id, self.env.ref("base.user_admin"))

    def test_noes_bill_is_approved_posted_and_cannot_be_paid(self):
        bill = self._ref(NOE_BILL)
        self.assertEqual(
            (bill.state, bill.commons_bill_state, bill.payment_state),
            ("posted", "approved", "not_paid"),
        )
        self.assertEqual(bill.partner_bank_id, self._ref(NOE_BANK))
        action = self._call_kw(
            "accountant", "account.move", "action_register_payment", [bill.ids]
        )["result"]
        wizard = self._call_kw(
            "accountant",
            "account.payment.register",
            "create",
            [{}],
            {"context": action["context"]},
        )["result"]
        response = self._call_kw(
            "accountant",
            "account.payment.register",
            "action_create_payments",
            [[wizard]],
            {"context": action["context"]},
        )
        self.assertIn("error", response, response)
        self.assertIn("•••• 0158", response["error"]["data"]["message"])
        # Nor put in a payment order.
        response = self._call_kw(
            "accountant", "account.move", "create_account_payment_line", [bill.ids]
        )
        self.assertIn("error", response, response)
        self.assertIn("•••• 0158", response["error"]["data"]["message"])
        bill.invalidate_recordset()
        self.assertFalse(bill.line_ids.payment_line_ids)
        self.assertEqual(bill.payment_state, "not_paid")
        # Noé reads why in his portal.
        self.authenticate("contributor2", "contributor2")
        page = html.fromstring(self.url_open(f"/my/commons/bills/{bill.id}").text)
        waits = page.xpath("//*[contains(@class, 'o_commons_bill_bank_waits')]")
        self.assertEqual(len(waits), 1)
        self.assertIn("•••• 0158", waits[0].text_content())

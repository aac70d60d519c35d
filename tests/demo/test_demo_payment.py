"""The demo's money goes where its stewards approved: as the host's accountant,
over JSON-RPC, Sacha's June bill (approved by Camille, posted, its payment
order rejected by the bank and set back) cannot be paid
to another bank account, by the payment wizard nor by a payment made
directly; it is paid on Sacha's own account, the one Camille approved."""

from demo_common import DemoRpcMixin

from odoo import Command
from odoo.tests import HttpCase, tagged

JUNE_BILL = "account_move_loot_bill_june_2023_demo"


@tagged("post_install", "-at_install")
class TestDemoPayment(DemoRpcMixin, HttpCase):
    def _result(self, response):
        self.assertNotIn("error", response, response)
        return response["result"]

    def _assert_refused(self, response, text):
        self.assertIn("error", response, response)
        error = response["error"]["data"]
        self.assertEqual(error["name"], "odoo.exceptions.UserError", response)
        self.assertIn(text, error["message"])
        self.assertIn("SD-2023-07", error["message"])

    def _new_bank_account(self, partner, number):
        """A bank account the accountant records over RPC (Odoo leaves it
        unconfirmed: only an administrator lets it receive money)."""
        return self._result(
            self._call_kw(
                "accountant",
                "res.partner.bank",
                "create",
                [{"acc_number": number, "partner_id": partner.id}],
            )
        )

    def test_approved_bill_is_not_paid_to_another_bank_account(self):
        june = self._ref(JUNE_BILL)
        sacha_bank = self._ref("res_partner_bank_loot_contributor_demo")
        # The demo paid it through a SEPA payment order: the bank rejects the
        # file, and the accountant sets the order back (OCA's Cancel).
        self._result(
            self._call_kw(
                "accountant",
                "account.payment.order",
                "action_uploaded_cancel",
                [self._ref("account_payment_order_loot_june_2023_demo").ids],
            )
        )
        june.invalidate_recordset()
        self.assertEqual(
            (june.state, june.commons_bill_state, june.payment_state),
            ("posted", "approved", "not_paid"),
        )
        self.assertEqual(june.partner_bank_id, sacha_bank)
        self.assertTrue(sacha_bank.allow_out_payment)
        payments = self.env["account.payment"].search_count([])
        accountant = self._ref("res_users_accountant_demo")
        other_banks = [
            self._new_bank_account(june.partner_id, "FR7630003020000005000123427"),
            self._new_bank_account(
                accountant.partner_id, "FR7610107001010009988776658"
            ),
        ]

        # The form's Pay: the wizard, on another account or on none.
        action = self._result(
            self._call_kw(
                "accountant", "account.move", "action_register_payment", [june.ids]
            )
        )
        context = action["context"]
        for bank_id in [*other_banks, False]:
            wizard_id = self._result(
                self._call_kw(
                    "accountant",
                    "account.payment.register",
                    "create",
                    [{"payment_date": "2023-08-01", "partner_bank_id": bank_id}],
                    {"context": context},
                )
            )
            self._assert_refused(
                self._call_kw(
                    "accountant",
                    "account.payment.register",
                    "action_create_payments",
                    [[wizard_id]],
                    {"context": context},
                ),
                "is paid on the bank account its stewards approved",
            )

        # A payment made over RPC for the bill, on another account.
        journal = self.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", june.company_id.id)], limit=1
        )
        for bank_id in other_banks:
            self._assert_refused(
                self._call_kw(
                    "accountant",
                    "account.payment",
                    "create",
                    [
                        {
                            "payment_type": "outbound",
                            "partner_type": "supplier",
                            "partner_id": self.env["res.partner.bank"]
                            .browse(bank_id)
                            .partner_id.id,
                            "partner_bank_id": bank_id,
                            "amount": june.amount_residual,
                            "date": "2023-08-01",
                            "journal_id": journal.id,
                            "invoice_ids": [Command.link(june.id)],
                        }
                    ],
                ),
                "is paid",
            )

        # Nothing paid it: no payment made, linked or reconciled.
        june.invalidate_recordset()
        self.assertEqual(june.payment_state, "not_paid")
        self.assertAlmostEqual(june.amount_residual, 1200)
        self.assertFalse(june.matched_payment_ids)
        self.assertFalse(
            june.line_ids.filtered(
                lambda line: line.display_type == "payment_term"
            ).matched_debit_ids
        )
        self.assertEqual(self.env["account.payment"].search_count([]), payments)

        # On Sacha's account, the one Camille approved, the bill is paid.
        wizard_id = self._result(
            self._call_kw(
                "accountant",
                "account.payment.register",
                "create",
                [{"payment_date": "2023-08-01"}],
                {"context": context},
            )
        )
        self._result(
            self._call_kw(
                "accountant",
                "account.payment.register",
                "action_create_payments",
                [[wizard_id]],
                {"context": context},
            )
        )
        june.invalidate_recordset()
        self.assertIn(june.payment_state, ("paid", "in_payment"))
        self.assertEqual(june.matched_payment_ids.partner_bank_id, sacha_bank)

"""The demo leaves the host's accountant their worklist: as the accountant,
over JSON-RPC, Sacha's June bill, approved by Camille, came to them as an
activity to post it, done when they posted it; then to pay it, open until
it is paid."""

from demo_common import DemoRpcMixin

from odoo.tests import HttpCase, tagged

JUNE_BILL = "account_move_loot_bill_june_2023_demo"
POST = "mail_activity_type_commons_bill_post"
PAY = "mail_activity_type_commons_bill_pay"


@tagged("post_install", "-at_install")
class TestDemoWorklist(DemoRpcMixin, HttpCase):
    def _result(self, response):
        self.assertNotIn("error", response, response)
        return response["result"]

    def test_the_accountant_has_the_june_bill_in_their_worklist(self):
        accountant = self.env.ref("compte_commun_communs.res_users_accountant_demo")
        self.assertEqual(
            self.env.ref("base.main_company").commons_accountant_user_id, accountant
        )
        june = self._ref(JUNE_BILL)
        post, pay = self._ref(POST), self._ref(PAY)
        done = self._result(
            self._call_kw(
                "accountant",
                "mail.message",
                "search_read",
                [
                    [
                        ("model", "=", "account.move"),
                        ("res_id", "=", june.id),
                        ("mail_activity_type_id", "!=", False),
                    ]
                ],
                {"fields": ["mail_activity_type_id"]},
            )
        )
        done_types = {message["mail_activity_type_id"][0] for message in done}
        self.assertIn(post.id, done_types)
        activities = self._result(
            self._call_kw(
                "accountant",
                "mail.activity",
                "search_read",
                [[("res_model", "=", "account.move"), ("res_id", "=", june.id)]],
                {"fields": ["activity_type_id", "user_id"]},
            )
        )
        if june.payment_state in ("paid", "in_payment"):
            # paid (through a payment order, since issue 14): nothing left
            self.assertIn(pay.id, done_types)
            self.assertEqual(activities, [])
        else:
            self.assertEqual(
                [
                    (activity["activity_type_id"][0], activity["user_id"][0])
                    for activity in activities
                ],
                [(pay.id, accountant.id)],
            )

"""Checks of the demo's logins, as the host's accountant would try them over
JSON-RPC: Camille, LOOT's steward, keeps her login; the accountant cannot
change her email nor send her an invitation again."""

from demo_common import DemoRpcMixin

from odoo.tests import HttpCase, tagged

ACCESS_ERROR = "odoo.exceptions.AccessError"
ELSEWHERE = "dominique.perso@example.org"


@tagged("post_install", "-at_install")
class TestDemoLogins(DemoRpcMixin, HttpCase):
    def setUp(self):
        super().setUp()
        self.camille = self._ref("res_users_loot_steward_demo")
        self.partner = self.camille.partner_id

    def _identity(self):
        self.env.invalidate_all()
        self.env.cr.execute(
            "SELECT password FROM res_users WHERE id = %s", [self.camille.id]
        )
        (password,) = self.env.cr.fetchone()
        return (
            self.partner.email,
            self.camille.login,
            password,
            self.partner.sudo().signup_type,
        )

    def _mails_to(self, address):
        return (
            self.env["mail.mail"].sudo().search_count([("email_to", "ilike", address)])
        )

    def _assert_refused(self, response):
        self.assertIn("error", response, response)
        self.assertEqual(response["error"]["data"]["name"], ACCESS_ERROR, response)
        self.assertIn("Camille Martin", response["error"]["data"]["message"])

    def test_accountant_cannot_change_camilles_email(self):
        self.assertEqual(self.camille.login, "steward")
        before = self._identity()
        self._assert_refused(
            self._call_kw(
                "accountant",
                "res.partner",
                "write",
                [self.partner.ids, {"email": ELSEWHERE}],
            )
        )
        self.assertEqual(self._identity(), before)
        self.assertFalse(self._mails_to(ELSEWHERE))

    def test_accountant_cannot_invite_camille_again(self):
        before = self._identity()
        mails = self._mails_to(self.partner.email)
        # The contact's "Grant portal access" action, then its list's buttons.
        action = self._call_kw(
            "accountant",
            "portal.wizard",
            "action_open_wizard",
            [],
            {
                "context": {
                    "active_ids": self.partner.ids,
                    "active_model": "res.partner",
                }
            },
        )["result"]
        lines = self._call_kw(
            "accountant",
            "portal.wizard.user",
            "search_read",
            [[["wizard_id", "=", action["res_id"]]], ["email", "commons_locked"]],
        )["result"]
        self.assertEqual(len(lines), 1)
        self.assertEqual(lines[0]["email"], self.partner.email)
        self.assertTrue(lines[0]["commons_locked"])
        line_ids = [lines[0]["id"]]
        self._assert_refused(
            self._call_kw(
                "accountant", "portal.wizard.user", "action_invite_again", [line_ids]
            )
        )
        # With another address in the list, neither.
        self._call_kw(
            "accountant",
            "portal.wizard.user",
            "write",
            [line_ids, {"email": ELSEWHERE}],
        )
        for method in ("action_invite_again", "action_revoke_access"):
            self._assert_refused(
                self._call_kw("accountant", "portal.wizard.user", method, [line_ids])
            )
        self.assertEqual(self._identity(), before)
        self.assertFalse(self._mails_to(ELSEWHERE))
        self.assertEqual(self._mails_to(self.partner.email), mails)

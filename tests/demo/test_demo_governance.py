"""The bar of issue 12 on the demo: as `admin`, over JSON-RPC, a steward just
proposed for LOOT cannot approve until Camille confirms."""

from demo_common import DemoRpcMixin
from lxml import html

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged

WAITING_BILL = "compte_commun_communs.account_move_loot_bill_security_current_demo"


@tagged("post_install", "-at_install")
class TestDemoGovernance(DemoRpcMixin, HttpCase):
    def _error(self, response):
        self.assertIn("error", response, response)
        return response["error"]["data"]

    def test_a_steward_the_admin_adds_approves_only_once_camille_confirms(self):
        loot = self._ref("commons_resource_loot_demo")
        bill = self.env.ref(WAITING_BILL)
        camille = self._ref("res_users_loot_steward_demo")
        stewards = loot.steward_ids
        # the administrator makes a login it controls
        created = self._call_kw(
            "admin",
            "res.users",
            "create",
            [
                {
                    "name": "Alex Nouveau",
                    "login": "alex.nouveau",
                    "password": "alex.nouveau",
                    "email": "alex.nouveau@example.org",
                    "groups_id": [[6, 0, [self.env.ref("base.group_portal").id]]],
                }
            ],
        )
        alex = self.env["res.users"].browse(created["result"])
        # and cannot write it among the stewards
        error = self._error(
            self._call_kw(
                "admin",
                "commons.resource",
                "write",
                [loot.ids, {"steward_ids": [[4, alex.partner_id.id]]}],
            )
        )
        self.assertEqual(error["name"], "odoo.exceptions.UserError")
        self.assertIn("Logiciel LOOT", error["message"])
        loot.invalidate_recordset()
        self.assertEqual(loot.steward_ids, stewards)
        # it proposes Alex
        response = self._call_kw(
            "admin",
            "commons.resource",
            "action_commons_propose",
            [loot.ids, "add_steward"],
            {"partner_id": alex.partner_id.id},
        )
        proposal = self.env["commons.governance.proposal"].browse(response["result"])
        self.assertEqual(proposal.state, "waiting")
        self.assertFalse(proposal.date_effective, "Camille and Lou can confirm")
        # Camille and Lou are emailed; Alex is not a steward yet
        mails = self.env["mail.mail"].search(
            [("model", "=", proposal._name), ("res_id", "=", proposal.id)]
        )
        self.assertEqual(mails.recipient_ids, stewards)
        loot.invalidate_recordset()
        self.assertNotIn(alex.partner_id, loot.steward_ids)
        # Alex approves nothing, as the stewards' portal calls it
        with self.assertRaisesRegex(AccessError, "Only a steward of Logiciel LOOT"):
            bill.with_user(alex).sudo().commons_approve(bill._get_commons_fingerprint())
        self.assertEqual(bill.commons_bill_state, "submitted")
        # nor confirms his own arrival, nor does the administrator: neither is
        # a steward
        for login, name in (
            ("admin", self.env.ref("base.user_admin").name),
            ("alex.nouveau", "Alex Nouveau"),
        ):
            error = self._error(
                self._call_kw(
                    login,
                    "commons.governance.proposal",
                    "action_commons_confirm",
                    [proposal.ids],
                )
            )
            self.assertEqual(error["name"], "odoo.exceptions.AccessError", login)
            self.assertEqual(
                error["message"],
                "Only a steward of Logiciel LOOT confirms or objects to a change "
                f"of who decides for it: {name} is not one.",
            )
        proposal.invalidate_recordset()
        self.assertEqual(proposal.state, "waiting")
        # Camille confirms in her portal
        self.authenticate("steward", "steward")
        page = html.fromstring(self.url_open("/my/commons/proposals").text)
        card = page.xpath(f"//div[@id='commons_proposal_{proposal.id}']")[0]
        self.assertIn("Alex Nouveau", card.text_content())
        csrf = card.xpath(
            ".//form[contains(@class, 'o_commons_proposal_confirm_form')]"
        )[0].xpath(".//input[@name='csrf_token']/@value")[0]
        self.url_open(
            f"/my/commons/proposals/{proposal.id}/confirm",
            data={"csrf_token": csrf},
        )
        proposal.invalidate_recordset()
        loot.invalidate_recordset()
        self.assertEqual(proposal.state, "confirmed")
        self.assertEqual(proposal.decided_by_id, camille)
        self.assertIn(alex.partner_id, loot.steward_ids)
        # now Alex decides, as a steward (the call as test_demo_data.py makes it)
        bill.with_user(alex).sudo().commons_approve(bill._get_commons_fingerprint())
        self.assertEqual(bill.commons_bill_state, "approved")

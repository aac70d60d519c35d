# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""What a contributor reaches of the bills, instructions and approvals, tried as
an attacker would: over Odoo's JSON-RPC endpoint with their own session, and
through the portal's pages, whose records the portal group's rules decide."""

from datetime import timedelta

from lxml import html

from odoo import fields
from odoo.tests import HttpCase, tagged
from odoo.tests.common import JsonRpcException

from .common import CommonsCase


@tagged("post_install", "-at_install")
class TestCommonsPortalContributorAccess(CommonsCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.today()
        cls.loot = cls._create_resource("Logiciel LOOT", "LOOT")
        cls._donate(cls.loot, 10000, cls.today - timedelta(days=60))
        start = cls.today - timedelta(days=30)
        cls.instruction = cls._instruction(cls.loot, 3000, start)
        cls.other_instruction = cls._instruction(
            cls.loot, 1000, start, contributor=cls.contributor2, name="Security review"
        )
        cls.bill = cls._bill(
            cls.loot, 500, cls.today, post=False, instruction=cls.instruction
        )
        cls.bill.action_commons_submit()
        cls._approve(cls.bill)
        cls.withdrawn = cls._bill(
            cls.loot, 200, cls.today, post=False, instruction=cls.instruction
        )
        cls.withdrawn.action_commons_submit()
        cls.withdrawn.with_user(cls.contributor).sudo().action_commons_withdraw()
        cls.other_bill = cls._bill(
            cls.loot,
            300,
            cls.today,
            post=False,
            contributor=cls.contributor2,
            instruction=cls.other_instruction,
        )
        cls.other_bill.action_commons_submit()
        cls._approve(cls.other_bill)
        # A vendor bill of the host that is not a commons bill.
        cls.host_bill = cls._bill(None, 90, cls.today, post=False)

    def setUp(self):
        super().setUp()
        self.authenticate("commons_contributor", "commons_contributor")

    def _rpc(self, model, method, *args, **kwargs):
        return self.make_jsonrpc_request(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        )

    def _assert_refused(self, model, method, *args, **kwargs):
        with self.assertRaisesRegex(JsonRpcException, "AccessError"):
            self._rpc(model, method, *args, **kwargs)

    def test_contributor_reads_their_own_bills_and_no_other(self):
        found = self._rpc(
            "account.move", "search_read", [], fields=["ref", "amount_total"]
        )
        self.assertEqual(
            {row["id"] for row in found}, {self.bill.id, self.withdrawn.id}
        )
        [bill] = self._rpc("account.move", "read", self.bill.ids, ["amount_total"])
        self.assertEqual(bill["amount_total"], 500)
        for move in (self.other_bill, self.host_bill):
            with self.subTest(move=move.display_name):
                self._assert_refused("account.move", "read", move.ids, ["ref"])

    def test_contributor_writes_no_bill(self):
        self._assert_refused("account.move", "write", self.bill.ids, {"ref": "X"})
        self._assert_refused("account.move", "unlink", self.bill.ids)
        self._assert_refused(
            "account.move",
            "create",
            {"move_type": "in_invoice", "partner_id": self.contributor.partner_id.id},
        )
        self.assertEqual(self.bill.commons_bill_state, "approved")
        self.assertEqual(self.bill.amount_total, 500)

    def test_contributor_cannot_withdraw_another_contributors_bill(self):
        with self.assertRaises(JsonRpcException):
            self._rpc("account.move", "action_commons_withdraw", self.other_bill.ids)
        self.assertEqual(self.other_bill.commons_bill_state, "approved")
        self.assertEqual(self.other_bill.state, "draft")

    def test_contributor_reads_the_instructions_given_to_them_only(self):
        draft = self.env["commons.allocation.instruction"].create(
            {
                "name": "Not issued yet",
                "resource_id": self.loot.id,
                "contributor_id": self.contributor.partner_id.id,
                "amount": 100,
                "date_start": self.today,
            }
        )
        found = self._rpc(
            "commons.allocation.instruction",
            "search_read",
            [],
            fields=["name", "amount", "amount_left", "bill_ids"],
        )
        self.assertEqual([row["id"] for row in found], self.instruction.ids)
        self.assertEqual(found[0]["amount_left"], 2500)
        self.assertEqual(set(found[0]["bill_ids"]), {self.bill.id, self.withdrawn.id})
        for instruction in (self.other_instruction, draft):
            with self.subTest(instruction=instruction.name):
                self._assert_refused(
                    "commons.allocation.instruction",
                    "read",
                    instruction.ids,
                    ["name", "amount"],
                )
        self._assert_refused(
            "commons.allocation.instruction",
            "write",
            self.instruction.ids,
            {"amount": 9000},
        )
        self.assertEqual(self.instruction.amount, 3000)

    def test_contributor_reads_no_approval(self):
        approval = self.bill.commons_approval_ids
        self.assertTrue(approval)
        self._assert_refused("commons.bill.approval", "search_read", [], fields=[])
        self._assert_refused(
            "commons.bill.approval", "read", approval.ids, ["partner_id"]
        )
        self._assert_refused(
            "commons.bill.approval", "write", approval.ids, {"fingerprint": "x"}
        )

    def test_pages_show_what_the_rules_give(self):
        """The list shows their bills only; another's bill, a bill of the host
        and a missing one lead back to /my."""
        page = html.fromstring(self.url_open("/my/commons/bills").text)
        rows = page.xpath("//tr[contains(@class, 'o_commons_bill_row')]/@data-bill-id")
        self.assertEqual(
            sorted(map(int, rows)), sorted((self.bill | self.withdrawn).ids)
        )
        for move_id in (self.other_bill.id, self.host_bill.id, 999999):
            with self.subTest(move_id=move_id):
                response = self.url_open(f"/my/commons/bills/{move_id}")
                self.assertEqual(response.url.split("?")[0][-3:], "/my")
        response = self.url_open(f"/my/commons/bills/{self.bill.id}")
        self.assertIn("Bug fixes", response.text)

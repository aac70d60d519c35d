# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Drives the installed system through Odoo's JSON-RPC endpoint, as the people who
use it: a portal user must not read a resource's figures; a commons user reads
them."""

from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException

FIGURES = ["name", "amount_needed", "amount_funded", "amount_available", "coverage"]


@tagged("post_install", "-at_install")
class TestRpcAccess(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.loot = cls.env["commons.resource"].create(
            {"name": "Logiciel LOOT", "code": "LOOT"}
        )
        cls.env["commons.resource.need"].create(
            {
                "resource_id": cls.loot.id,
                "year": 2023,
                "category_id": cls.env.ref(
                    "compte_commun_communs.commons_need_category_hosting"
                ).id,
                "name": "Test server hosting",
                "amount": 800,
            }
        )
        new_test_user(
            cls.env,
            login="rpc_portal",
            password="rpc_portal_pw",
            groups="base.group_portal",
        )
        new_test_user(
            cls.env,
            login="rpc_commons",
            password="rpc_commons_pw",
            groups="base.group_user,compte_commun_communs.compte_commun_communs_group_user",
        )

    def _call(self, method, args, kwargs=None):
        return self.make_jsonrpc_request(
            f"/web/dataset/call_kw/commons.resource/{method}",
            {
                "model": "commons.resource",
                "method": method,
                "args": args,
                "kwargs": dict(kwargs or {}, context={"commons_year": 2023}),
            },
        )

    def test_portal_user_cannot_read_figures(self):
        self.authenticate("rpc_portal", "rpc_portal_pw")
        with self.assertRaisesRegex(JsonRpcException, "AccessError"):
            self._call("search_read", [[]], {"fields": FIGURES})
        with self.assertRaisesRegex(JsonRpcException, "AccessError"):
            self._call("read", [self.loot.ids, FIGURES])

    def test_commons_user_reads_figures(self):
        self.authenticate("rpc_commons", "rpc_commons_pw")
        [loot] = self._call("read", [self.loot.ids, FIGURES])
        self.assertEqual(loot["amount_needed"], 800)
        self.assertEqual(loot["coverage"], 0)

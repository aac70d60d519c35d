# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tests.common import JsonRpcException

from . import test_commons_portal_steward

PDF = test_commons_portal_steward.PDF


@tagged("post_install", "-at_install")
class TestCommonsStewardRules(test_commons_portal_steward.TestCommonsPortalSteward):
    """What a portal steward reads and writes over RPC now that record rules
    give them the bills and instructions of their resources: they read them,
    write nothing more than before, and read nothing of another resource."""

    def _rpc(self, user, model):
        return self.env[model].with_user(user)

    def test_the_steward_reads_the_bills_of_their_resource(self):
        Move = self._rpc(self.steward, "account.move")
        found = Move.search([("move_type", "=", "in_invoice")])
        self.assertIn(self.bill, found)
        self.assertNotIn(self.dokos_bill, found)
        values = Move.browse(self.bill.id).read(["ref", "amount_total"])[0]
        self.assertEqual(values["ref"], "F-2023-014")
        with self.assertRaises(AccessError):
            Move.browse(self.dokos_bill.id).read(["ref"])

    def test_the_bank_account_reads_by_its_last_digits(self):
        number = self.bill.partner_bank_id.acc_number
        for user in (self.steward, self.dokos_steward):
            bank = self.bill.partner_bank_id.with_user(user)
            self.assertNotIn(number, bank.sudo().display_name)
            self.assertTrue(bank.sudo().display_name.startswith("••••"))
        shown = (
            self._rpc(self.steward, "account.move")
            .browse(self.bill.id)
            .read(["partner_bank_id"])[0]["partner_bank_id"]
        )
        self.assertNotIn(number, shown[1])
        # Their own account, the contributor reads whole.
        own = self.bill.partner_bank_id.with_user(self.contributor).sudo()
        self.assertIn(self.bill.partner_bank_id.acc_number, own.display_name)

    def test_the_steward_writes_nothing_more(self):
        bill = self._rpc(self.steward, "account.move").browse(self.bill.id)
        for values in ({"ref": "F-FORGED"}, {"commons_bill_state": "approved"}):
            with self.assertRaises(AccessError):
                bill.write(values)
        with self.assertRaises(AccessError):
            bill.unlink()
        with self.assertRaises(AccessError):
            self._rpc(self.steward, "account.move").create(
                {"move_type": "in_invoice", "partner_id": self.steward.partner_id.id}
            )
        instruction = self._rpc(self.steward, "commons.allocation.instruction").browse(
            self.instruction.id
        )
        self.assertEqual(instruction.read(["name"])[0]["name"], "Bug fixes")
        with self.assertRaises(AccessError):
            instruction.write({"amount": 100000})
        with self.assertRaises(AccessError):
            instruction.unlink()
        self.bill.invalidate_recordset()
        self.instruction.invalidate_recordset()
        self.assertEqual(self.bill.ref, "F-2023-014")
        self.assertEqual(self.instruction.amount, 1600)

    def test_approvals_and_lines_stay_out_of_reach(self):
        self._approve(self.bill)
        with self.assertRaises(AccessError):
            self._rpc(self.steward, "commons.bill.approval").search([])
        # The bill's items: Odoo's portal reads those of posted documents only.
        self.assertFalse(
            self._rpc(self.steward, "account.move.line").search(
                [("move_id", "=", self.bill.id)]
            )
        )

    def test_the_invoice_files_only_through_the_page(self):
        """Portal users read no attachment over RPC, a steward's bill's file
        neither: the page serves it to its stewards only."""
        Attachment = self._rpc(self.steward, "ir.attachment")
        mine = self.env["ir.attachment"].search(
            [("res_model", "=", "account.move"), ("res_id", "=", self.bill.id)]
        )
        with self.assertRaises(AccessError):
            Attachment.browse(mine.id).read(["raw"])
        with self.assertRaises(AccessError):
            Attachment.browse(mine.id).write({"name": "forged.pdf"})
        response = self.url_open(f"/my/commons/approvals/{self.bill.id}/file")
        self.assertEqual(response.content, PDF)

    def test_another_resources_steward_reads_none_of_it(self):
        for model, record in (
            ("account.move", self.bill),
            ("commons.allocation.instruction", self.instruction),
        ):
            Model = self._rpc(self.dokos_steward, model)
            self.assertNotIn(record, Model.search([]))
            with self.assertRaises(AccessError):
                Model.browse(record.id).read(["display_name"])

    def test_over_json_rpc(self):
        """The same through /web/dataset/call_kw, as the steward's browser
        would send it."""
        self.authenticate("commons_steward", "commons_steward")

        def call(model, method, args, kwargs=None):
            return self.make_jsonrpc_request(
                f"/web/dataset/call_kw/{model}/{method}",
                {
                    "model": model,
                    "method": method,
                    "args": args,
                    "kwargs": kwargs or {},
                },
            )

        found = call(
            "account.move",
            "search_read",
            [[["move_type", "=", "in_invoice"]]],
            {"fields": ["ref"]},
        )
        refs = {values["ref"] for values in found}
        self.assertIn("F-2023-014", refs)
        self.assertNotIn("DK-001", refs)
        with self.assertRaisesRegex(JsonRpcException, "AccessError"):
            call("account.move", "write", [[self.bill.id], {"ref": "F-FORGED"}])
        self.bill.invalidate_recordset()
        self.assertEqual(self.bill.ref, "F-2023-014")


# The tests of TestCommonsPortalSteward run once, in their own class.
for _name in dir(test_commons_portal_steward.TestCommonsPortalSteward):
    if _name.startswith("test_") and _name not in vars(TestCommonsStewardRules):
        setattr(TestCommonsStewardRules, _name, None)

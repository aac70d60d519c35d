# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import json

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, HttpCase, tagged

from .common import CommonsCase


def assert_donations_match_their_entries(case, donations):
    """Each validated donation amounts to what its posted journal entry says."""
    for donation in donations.filtered(lambda d: d.state == "done"):
        money = donation.line_ids.filtered(lambda line: not line.in_kind)
        booked = -sum(
            donation.move_id.line_ids.filtered(
                lambda item: item.display_type == "product"
            ).mapped("balance")
        )
        case.assertEqual(donation.move_id.state, "posted", donation.number)
        case.assertAlmostEqual(
            sum(money.mapped("amount_company_currency")), booked, 2, donation.number
        )
        case.assertAlmostEqual(
            donation.amount_total_company_currency, booked, 2, donation.number
        )


@tagged("post_install", "-at_install")
class TestDonationLock(CommonsCase):
    """A validated donation is what its journal entry says, by any path."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.commons_host_fee_rate = 5.0
        cls.loot = cls._create_loot_2023()
        cls.dokos = cls._create_resource("DOKOS", "DOKOS")
        cls.donation = cls._donate(cls.loot, 300, "2023-06-01")
        cls.move = cls.donation.move_id

    def _as_accountant(self, record):
        return record.with_user(self.accountant)

    def test_validated_donation_and_lines_cannot_change(self):
        donation = self._as_accountant(self.donation)
        line = donation.line_ids
        for vals in (
            {"partner_id": self.partner_a.id},
            {"donation_date": "2023-07-01"},
            {"commons_fund_kind": "grant"},
            {"number": "DON-OTHER"},
            {"line_ids": [Command.create({"product_id": self.donation_product.id})]},
        ):
            with self.assertRaisesRegex(UserError, "can no longer change"):
                donation.write(vals)
        for vals in (
            {"unit_price": 999},
            {"commons_resource_id": self.dokos.id},
            {"quantity": 2},
        ):
            with self.assertRaisesRegex(UserError, "its lines can no longer change"):
                line.write(vals)
        with self.assertRaisesRegex(UserError, "its lines can no longer change"):
            line.unlink()
        with self.assertRaisesRegex(UserError, "its lines can no longer change"):
            self.env["donation.line"].with_user(self.accountant).create(
                {
                    "donation_id": donation.id,
                    "product_id": self.donation_product.id,
                    "unit_price": 50,
                    "commons_resource_id": self.loot.id,
                }
            )
        # nor is a line of a draft donation moved into it
        draft = donation.copy()
        with self.assertRaisesRegex(UserError, "its lines can no longer change"):
            draft.line_ids.write({"donation_id": donation.id})
        self.assertEqual(donation.amount_total, 300)
        self.assertEqual(len(donation.line_ids), 1)
        assert_donations_match_their_entries(self, donation)

    def test_state_moves_only_by_the_donations_buttons(self):
        donation = self._as_accountant(self.donation)
        with self.assertRaisesRegex(UserError, "cannot go from Done to Draft"):
            donation.write({"state": "draft"})
        with (
            self.assertRaisesRegex(ValidationError, "is not reversed"),
            self.cr.savepoint(),
        ):
            donation.write({"state": "cancel"})
        # a draft donation marked done without its entry
        draft = donation.copy()
        with (
            self.assertRaisesRegex(ValidationError, "Use the Validate button"),
            self.cr.savepoint(),
        ):
            draft.write({"state": "done"})
        self.env.invalidate_all()
        self.assertEqual(self.donation.state, "done")
        self.assertEqual(draft.state, "draft")

    def test_its_entry_is_not_reset_edited_or_reversed_by_hand(self):
        move = self.move.with_user(self.accountant)
        with self.assertRaisesRegex(UserError, "belongs to donation"):
            move.button_draft()
        with self.assertRaisesRegex(UserError, "belongs to donation"):
            move.write({"state": "draft"})
        with self.assertRaisesRegex(UserError, "belongs to donation"):
            move.line_ids.filtered("analytic_distribution")[:1].write(
                {"analytic_distribution": {str(self.dokos.analytic_account_id.id): 100}}
            )
        reversal = (
            self.env["account.move.reversal"]
            .with_user(self.accountant)
            .with_context(active_model="account.move", active_ids=move.ids)
            .create({"journal_id": move.journal_id.id, "date": "2023-06-30"})
        )
        with self.assertRaisesRegex(UserError, "belongs to donation"):
            reversal.refund_moves()
        self.assertEqual(self.move.state, "posted")
        self.assertFalse(self.move.reversal_move_ids)

    def test_cancel_back_to_draft_and_validate_again(self):
        form = Form(
            self.env["donation.donation.cancel"]
            .with_user(self.accountant)
            .with_context(default_donation_id=self.donation.id)
        )
        with self.assertRaises(AssertionError):
            form.save()  # the reason is required
        form.reason = "Wrong amount: the bank received 350"
        form.save().action_cancel()
        donation = self._as_accountant(self.donation)
        self.assertEqual(donation.state, "cancel")
        self.assertEqual(
            donation.commons_cancel_reason, "Wrong amount: the bank received 350"
        )
        reversal = donation.commons_reversal_move_id
        with self.assertRaisesRegex(UserError, "can no longer change"):
            donation.write({"partner_id": self.partner_a.id})
        donation.cancel2draft()
        self.assertEqual(donation.state, "draft")
        self.assertEqual(donation.commons_previous_move_ids, self.move | reversal)
        self.assertFalse(donation.move_id)
        donation.line_ids.unit_price = 350
        donation.validate()
        self.assertNotIn(donation.move_id, self.move | reversal)
        assert_donations_match_their_entries(self, donation)
        loot = self.loot.with_context(commons_year=2023)
        loot.invalidate_recordset()
        self.assertEqual(loot.amount_received, 350)

    def test_cancelling_requires_a_reason(self):
        with self.assertRaisesRegex(UserError, "Give the reason"):
            self._as_accountant(self.donation).done2cancel(reason="  ")
        self.assertEqual(self.donation.state, "done")

    def test_links_to_entries_and_receipts_are_written_by_the_buttons_only(self):
        donation = self._as_accountant(self.donation)
        other = self._donate(self.loot, 300, "2023-06-02")
        # another entry of the same amount, another donor's receipt
        with self.assertRaisesRegex(UserError, "can no longer change"):
            donation.write({"move_id": other.move_id.id})
        with self.assertRaisesRegex(UserError, "can no longer change"):
            donation.write({"tax_receipt_id": other.tax_receipt_id.id})
        with self.assertRaisesRegex(UserError, "can no longer change"):
            donation.write({"commons_reversal_move_id": other.move_id.id})
        # a receipt said sent, or its document swapped, by a write
        self._run_receipt_queue()
        for vals in (
            {"commons_receipt_message_id": other.commons_receipt_message_id.id},
            {"commons_receipt_attachment_id": False},
            {"commons_receipt_request": "cancel"},
        ):
            with self.assertRaisesRegex(AccessError, "only changed by its buttons"):
                donation.write(vals)
            with self.assertRaisesRegex(AccessError, "only changed by its buttons"):
                donation.tax_receipt_id.write(vals)
        receipt = donation.tax_receipt_id
        with self.assertRaisesRegex(UserError, "can no longer change"):
            receipt.write({"state": "cancelled", "active": False})
        self.assertEqual(donation.move_id, self.move)
        self.assertEqual(receipt.state, "issued")

    def test_a_donation_takes_no_receipt_of_another_donor(self):
        self.partner_a.tax_receipt_option = "each"
        draft = self._as_accountant(self.donation).copy(
            {"partner_id": self.partner_a.id}
        )
        with self.assertRaisesRegex(ValidationError, "is not one of partner_a"):
            draft.write({"tax_receipt_id": self.donation.tax_receipt_id.id})

    def test_issued_tax_receipt_cannot_change_nor_be_deleted(self):
        receipt = self.donation.tax_receipt_id.with_user(self.accountant)
        self.assertTrue(receipt)
        with self.assertRaisesRegex(UserError, "can no longer change"):
            receipt.write({"amount": 30})
        with self.assertRaisesRegex(UserError, "never deleted"):
            receipt.unlink()
        self.assertEqual(receipt.amount, 300)


@tagged("post_install", "-at_install")
class TestDonationLockRpc(CommonsCase, HttpCase):
    """The accountant's JSON-RPC calls get the same answer as the forms."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.loot = cls._create_loot_2023()
        cls.donation = cls._donate(cls.loot, 300, "2023-06-01")

    def _call_kw(self, model, method, args):
        """A JSON-RPC call as the web client makes it; returns the error message."""
        response = self.url_open(
            f"/web/dataset/call_kw/{model}/{method}",
            data=json.dumps(
                {
                    "jsonrpc": "2.0",
                    "method": "call",
                    "params": {
                        "model": model,
                        "method": method,
                        "args": args,
                        "kwargs": {},
                    },
                }
            ),
            headers={"Content-Type": "application/json"},
        ).json()
        return response.get("error", {}).get("data", {}).get("message")

    def test_rpc_write_of_a_validated_line_is_refused(self):
        self.authenticate("commons_accountant", "commons_accountant")
        line = self.donation.line_ids
        error = self._call_kw("donation.line", "write", [line.ids, {"unit_price": 999}])
        self.assertIn("its lines can no longer change", error)
        error = self._call_kw(
            "donation.donation", "write", [self.donation.ids, {"state": "draft"}]
        )
        self.assertIn("cannot go from Done to Draft", error)
        line.invalidate_recordset()
        self.assertEqual(line.unit_price, 300)
        self.assertEqual(self.donation.amount_total, 300)
        assert_donations_match_their_entries(self, self.donation)

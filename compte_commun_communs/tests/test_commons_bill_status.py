# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""A commons bill's status, one stored field from its draft to its payment,
through the paths its people take: the backend's form and buttons, the
stewards' decisions, the contributor's withdrawal, the payment wizard; the
list of contributors' bills filters on it."""

from lxml import etree

from odoo.tests import Form, tagged
from odoo.tools.safe_eval import safe_eval

from .common import CommonsCase


@tagged("post_install", "-at_install")
class TestCommonsBillStatus(CommonsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.loot = cls._create_resource("Logiciel LOOT", "LOOT")
        cls._donate(cls.loot, 5000, "2023-02-15")

    def _form_bill(self, resource=None, amount=1000):
        """A bill the accountant records in the backend's form."""
        partner = self.contributor.partner_id
        form = Form(
            self.env["account.move"]
            .with_user(self.accountant)
            .with_context(default_move_type="in_invoice")
        )
        form.partner_id = partner
        form.partner_bank_id = self._bank_account(partner)
        form.invoice_date = "2023-06-01"
        with form.invoice_line_ids.new() as line:
            line.name = "Bug fixes"
            line.price_unit = amount
            line.tax_ids.clear()
            if resource:
                line.analytic_distribution = {str(resource.analytic_account_id.id): 100}
        return form.save()

    def _submitted(self, amount=1000):
        bill = self._form_bill(self.loot, amount)
        bill.action_commons_submit()
        return bill

    def _posted(self, amount=1000):
        bill = self._submitted(amount)
        self._approve(bill)
        bill.action_post()
        return bill

    def _pay(self, bills, **vals):
        action = bills.with_user(self.accountant).action_register_payment()
        wizard = Form(
            self.env["account.payment.register"]
            .with_user(self.accountant)
            .with_context(**action["context"])
        )
        wizard.payment_date = "2023-07-01"
        for name, value in vals.items():
            setattr(wizard, name, value)
        wizard.save().action_create_payments()

    def _listed(self, filter_name):
        """The contributors' bills the list shows under the filter."""
        return (
            self.env["account.move"]
            .with_user(self.accountant)
            .search(
                [
                    ("move_type", "=", "in_invoice"),
                    ("commons_resource_id", "!=", False),
                    *self._filter_domain(filter_name),
                ]
            )
        )

    def _filter_domain(self, filter_name):
        view = self.env.ref("compte_commun_communs.account_move_view_search_commons")
        arch = self.env["account.move"].get_view(view.inherit_id.id, "search")["arch"]
        node = etree.fromstring(arch).xpath(f"//filter[@name='{filter_name}']")[0]
        return safe_eval(node.get("domain"))

    # -- Each status ------------------------------------------------------------

    def test_a_bill_recorded_in_the_form_is_to_submit(self):
        bill = self._form_bill(self.loot)
        self.assertEqual(bill.commons_status, "draft")

    def test_a_bill_of_no_resource_has_no_commons_status(self):
        bill = self._form_bill()
        self.assertFalse(bill.commons_status)
        bill.action_post()
        self.assertFalse(bill.commons_status)

    def test_a_resource_added_in_the_form_makes_it_a_commons_bill(self):
        bill = self._form_bill()
        with Form(bill.with_user(self.accountant)) as form:
            with form.invoice_line_ids.edit(0) as line:
                line.analytic_distribution = {
                    str(self.loot.analytic_account_id.id): 100
                }
        self.assertEqual(bill.commons_status, "draft")

    def test_submitted_bill_waits_for_the_stewards(self):
        self.assertEqual(self._submitted().commons_status, "submitted")

    def test_approved_bill_is_to_post(self):
        bill = self._submitted()
        self._approve(bill)
        self.assertEqual(bill.commons_status, "approved")

    def test_a_first_approval_of_two_keeps_it_waiting(self):
        self.loot.commons_double_approval_amount = 500
        bill = self._submitted()
        self._approve(bill)
        self.assertEqual(bill.commons_status, "submitted")
        self._approve(bill, self.steward2)
        self.assertEqual(bill.commons_status, "approved")

    def test_rejected_bill(self):
        bill = self._submitted().with_user(self.steward).sudo()
        bill.commons_reject(bill._get_commons_fingerprint(), "Not ours")
        self.assertEqual(bill.commons_status, "rejected")

    def test_bill_sent_back_by_the_host(self):
        bill = self._submitted()
        wizard = Form(
            self.env["account.move.commons.send.back"]
            .with_user(self.accountant)
            .with_context(active_model="account.move", active_id=bill.id)
        )
        wizard.reason = "The VAT number is missing"
        wizard.save().action_send_back()
        self.assertEqual(bill.commons_status, "returned")

    def test_bill_withdrawn_by_its_contributor(self):
        bill = self._submitted()
        bill.with_user(self.contributor).action_commons_withdraw()
        self.assertEqual(bill.state, "cancel")
        self.assertEqual(bill.commons_status, "withdrawn")

    def test_a_changed_approved_bill_waits_again(self):
        bill = self._submitted()
        self._approve(bill)
        with Form(bill.with_user(self.accountant)) as form:
            with form.invoice_line_ids.edit(0) as line:
                line.price_unit = 900
        self.assertEqual(bill.commons_status, "submitted")

    def test_posted_bill_is_to_pay(self):
        self.assertEqual(self._posted().commons_status, "posted")

    def test_bill_paid_in_part(self):
        bill = self._posted()
        self._pay(bill, amount=400, payment_difference_handling="open")
        self.assertEqual(bill.payment_state, "partial")
        self.assertEqual(bill.commons_status, "partial")

    def test_paid_bill(self):
        bill = self._posted()
        self._pay(bill)
        self.assertIn(bill.payment_state, ("in_payment", "paid"))
        self.assertEqual(bill.commons_status, bill.payment_state)

    def test_bill_reversed_by_its_approved_credit_note(self):
        bill = self._posted()
        wizard = Form(
            self.env["account.move.reversal"]
            .with_user(self.accountant)
            .with_context(active_model="account.move", active_ids=bill.ids)
        )
        wizard.reason = "Sent twice"
        wizard.journal_id = bill.journal_id
        wizard.date = "2023-07-01"
        action = wizard.save().refund_moves()
        note = self.env["account.move"].browse(action["res_id"])
        self.assertEqual(note.commons_status, "draft")
        note.action_commons_submit()
        self._approve(note)
        self.assertEqual(note.commons_status, "approved")
        # Odoo reconciles a posted reversal with the bill it reverses.
        note.action_post()
        self.assertEqual(bill.commons_status, "reversed")
        # Odoo reads the credit note as settled by the bill.
        self.assertEqual(note.commons_status, "paid")

    def test_bill_cancelled_by_the_host_before_it_was_sent(self):
        bill = self._form_bill(self.loot)
        bill.with_user(self.accountant).button_cancel()
        self.assertEqual(bill.commons_status, "cancel")

    # -- Read on an update, and by the list -------------------------------------

    def test_status_is_computed_for_the_bills_of_a_database_updated(self):
        """What an update of the module does for this new column: every move
        marked for computation (BaseModel._auto_init), then computed."""
        waiting, posted = self._submitted(), self._posted()
        paid = self._posted()
        self._pay(paid)
        plain = self._form_bill()
        moves = waiting | posted | paid | plain
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE account_move SET commons_status = NULL WHERE id IN %s",
            [tuple(moves.ids)],
        )
        self.env.invalidate_all()
        Move = self.env["account.move"]
        self.env.add_to_compute(Move._fields["commons_status"], Move.search([]))
        self.env.flush_all()
        self.env.invalidate_all()
        self.assertEqual(
            moves.mapped("commons_status"),
            ["submitted", "posted", paid.payment_state, False],
        )

    def test_list_filters_read_the_status(self):
        waiting, approved = self._submitted(), self._submitted()
        self._approve(approved)
        posted, paid = self._posted(), self._posted()
        self._pay(paid)
        rejected = self._submitted().with_user(self.steward).sudo()
        rejected.commons_reject(rejected._get_commons_fingerprint(), "Not ours")
        withdrawn = self._submitted()
        withdrawn.with_user(self.contributor).action_commons_withdraw()
        self.assertEqual(self._listed("commons_waiting"), waiting)
        self.assertEqual(self._listed("commons_approved"), approved)
        self.assertEqual(self._listed("commons_posted"), posted)
        self.assertEqual(self._listed("commons_paid"), paid)
        self.assertEqual(
            self._listed("commons_standing"), waiting | approved | posted | paid
        )

    def test_list_counts_the_open_bills_by_default(self):
        # Since issue 14 the list opens on what waits (its default filter,
        # "Open", also leaves the withdrawn and rejected bills out): see
        # test_commons_accountant_worklist.py for its total.
        action = self.env.ref("compte_commun_communs.account_move_action_commons_bills")
        self.assertEqual(safe_eval(action.context)["search_default_commons_open"], 1)
        view = self.env["account.move"].get_view(
            self.env.ref(
                "compte_commun_communs.account_move_view_list_commons_bills"
            ).id,
            "list",
        )
        self.assertIn('name="commons_status"', view["arch"])
        self.assertIn('sum="Total"', view["arch"])

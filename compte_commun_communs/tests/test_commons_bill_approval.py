# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Only a steward of a bill's resource approves or rejects it; never the
accountant, the administrator, nor the bill's own contributor."""

import psycopg2.errors
from freezegun import freeze_time

from odoo import SUPERUSER_ID, Command, api, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, TransactionCase, tagged
from odoo.tools import mute_logger

from ..models.ledger import ledger_pass_context
from .common import CommonsCase
from .test_commons_bill_guards import NOT_APPROVED

NOT_A_STEWARD = "Only a steward of Logiciel LOOT approves or rejects its bills"
OWN_BILL = "Nobody approves their own bill"


@tagged("post_install", "-at_install")
class TestCommonsBillApproval(CommonsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.loot = cls._create_resource("Logiciel LOOT", "LOOT")
        cls._donate(cls.loot, 5000, "2023-02-15")
        cls.admin = cls._admin_with_accounting()

    # -- Helpers ------------------------------------------------------------

    def _submitted_bill(self, amount=1000, contributor=None, instruction=None):
        bill = self._bill(
            self.loot,
            amount,
            "2023-06-01",
            post=False,
            contributor=contributor,
            instruction=instruction,
        )
        bill.action_commons_submit()
        return bill

    def _as_portal(self, bill, user):
        """The bill as the portal's controllers call it: as superuser, the
        user still being who calls."""
        return bill.with_user(user).sudo()

    def _reject(self, bill, user, reason):
        """Reject the bill as the steward's portal does: as it is shown."""
        bill = self._as_portal(bill, user)
        bill.commons_reject(bill._get_commons_fingerprint(), reason)

    def _shown(self, bill):
        """The fingerprint of the bill as a page shows it now."""
        return bill.sudo()._get_commons_fingerprint()

    def _mails_to(self, bill, partner, subject):
        return (
            self.env["mail.mail"]
            .sudo()
            .search([("model", "=", "account.move"), ("res_id", "=", bill.id)])
            .filtered(
                lambda mail: partner in mail.recipient_ids and subject in mail.subject
            )
        )

    def _figures(self):
        """LOOT's figures of 2023, as the accountant reads them."""
        loot = self.loot.with_user(self.accountant).with_context(commons_year=2023)
        loot.invalidate_recordset()
        return {
            name: loot[name]
            for name in (
                "amount_funded",
                "amount_spent",
                "amount_committed",
                "amount_available",
            )
        }

    def _notes(self, bill, text):
        return bill.message_ids.filtered(lambda message: text in message.body)

    def _assert_not_approved(self, bill):
        bill.invalidate_recordset()
        self.assertEqual(bill.commons_bill_state, "submitted")
        self.assertFalse(bill.sudo().commons_approval_ids)
        with self.assertRefused(UserError, NOT_APPROVED):
            bill.action_post()

    # -- Who may approve ----------------------------------------------------

    def test_accountant_cannot_approve_nor_reject(self):
        bill = self._submitted_bill()
        with self.assertRaisesRegex(AccessError, NOT_A_STEWARD):
            bill.commons_approve(self._shown(bill))
        with self.assertRaisesRegex(AccessError, NOT_A_STEWARD):
            bill.commons_reject(self._shown(bill), "Too expensive")
        self._assert_not_approved(bill)

    def test_administrator_cannot_approve(self):
        bill = self._submitted_bill()
        admin_bill = bill.with_user(self.admin).with_company(self.company)
        with self.assertRaisesRegex(AccessError, NOT_A_STEWARD):
            admin_bill.commons_approve(self._shown(bill))
        # Not even as superuser: who calls still counts.
        with self.assertRaisesRegex(AccessError, NOT_A_STEWARD):
            admin_bill.sudo().commons_approve(self._shown(bill))
        self._assert_not_approved(bill)

    def test_commons_user_cannot_approve(self):
        bill = self._submitted_bill()
        with self.assertRaises(AccessError):
            bill.with_user(self.commons_user).commons_approve(self._shown(bill))
        with self.assertRaisesRegex(AccessError, NOT_A_STEWARD):
            self._approve(bill, self.commons_user)
        self._assert_not_approved(bill)

    def test_contributors_cannot_approve(self):
        bill = self._submitted_bill()
        for contributor in (self.contributor, self.contributor2):
            with self.assertRaises(AccessError):
                bill.with_user(contributor).commons_approve(self._shown(bill))
            with self.assertRaisesRegex(AccessError, NOT_A_STEWARD):
                self._approve(bill, contributor)
        self._assert_not_approved(bill)

    def test_steward_who_is_the_contributor_cannot_approve_their_bill(self):
        # A steward confirms the host's proposal.
        self.loot.with_user(self.accountant).action_commons_propose(
            "add_steward", partner_id=self.contributor2.partner_id.id
        ).with_user(self.steward).sudo().action_commons_confirm()
        self.assertIn(self.contributor2.partner_id, self.loot.steward_ids)
        bill = self._submitted_bill(contributor=self.contributor2)
        with self.assertRaisesRegex(AccessError, OWN_BILL):
            self._approve(bill, self.contributor2)
        with self.assertRaisesRegex(AccessError, OWN_BILL):
            self._reject(bill, self.contributor2, "No")
        self._assert_not_approved(bill)
        # Another steward decides.
        self._approve(bill, self.steward)
        self.assertEqual(bill.commons_bill_state, "approved")
        # As steward, they decide on the bills of others.
        other = self._submitted_bill()
        self._approve(other, self.contributor2)
        self.assertEqual(other.commons_bill_state, "approved")

    def test_steward_approves(self):
        bill = self._submitted_bill()
        self.assertEqual(bill.commons_submitted_by_id, self.accountant)
        self.assertEqual(bill.commons_approvals_needed, 1)
        self._approve(bill, self.steward)
        self.assertEqual(bill.commons_bill_state, "approved")
        approval = bill.sudo().commons_approval_ids
        self.assertEqual(approval.user_id, self.steward)
        self.assertEqual(approval.partner_id, self.steward.partner_id)
        self.assertEqual(approval.amount, 1000)
        note = self._notes(bill, "Approved by Camille Martin, steward of Logiciel LOOT")
        self.assertEqual(len(note), 1)
        self.assertEqual(note.author_id, self.steward.partner_id)
        self.assertTrue(
            self._mails_to(bill, self.contributor.partner_id, "is approved"),
            "the contributor is emailed",
        )
        bill.action_post()
        self.assertEqual(bill.state, "posted")

    def test_no_approval_without_the_bill_shown(self):
        """An approval carries the bill as the steward read it, whoever calls
        (the portal, RPC): without it, or for a bill that changed since, it is
        refused and nothing changes."""
        bill = self._submitted_bill(1000)
        steward_bill = self._as_portal(bill, self.steward)
        shown = steward_bill._get_commons_fingerprint()
        figures = self._figures()
        with self.assertRaises(TypeError):
            steward_bill.commons_approve()
        for fingerprint in (None, "", False):
            with self.assertRefused(UserError, "does not say which bill they read"):
                steward_bill.commons_approve(fingerprint)
            with self.assertRefused(UserError, "does not say which bill they read"):
                steward_bill.commons_reject(fingerprint, "No")
        # The accountant corrects the amount meanwhile.
        bill.invoice_line_ids.price_unit = 3000
        for decide in (
            lambda: steward_bill.commons_approve(shown),
            lambda: steward_bill.commons_reject(shown, "Too expensive"),
        ):
            with self.assertRefused(
                UserError,
                "This bill changed since you opened the page: read it again",
            ):
                decide()
            self._assert_not_approved(bill)
            self.assertFalse(bill.commons_state_reason)
            self.assertEqual(self._figures(), figures)
        # As it is now, it is approved.
        self._approve(bill, self.steward)
        self.assertEqual(bill.commons_bill_state, "approved")
        self.assertEqual(bill.sudo().commons_approval_ids.amount, 3000)

    def test_steward_decides_once(self):
        bill = self._submitted_bill()
        self._approve(bill, self.steward)
        for steward in (self.steward, self.steward2):
            with self.assertRefused(UserError, "is not waiting for the stewards"):
                self._approve(bill, steward)
            with self.assertRefused(UserError, "is not waiting for the stewards"):
                self._reject(bill, steward, "Changed my mind")
        self.assertEqual(bill.commons_bill_state, "approved")

    def test_bill_not_submitted_cannot_be_approved(self):
        bill = self._bill(self.loot, 1000, "2023-06-01", post=False)
        with self.assertRefused(UserError, "is not waiting for the stewards"):
            self._approve(bill, self.steward)
        self.assertFalse(bill.sudo().commons_approval_ids)

    # -- Submitting, rejecting, sending back, withdrawing ---------------------

    def test_submit_emails_every_steward(self):
        bill = self._bill(self.loot, 1000, "2023-06-01", post=False)
        self._as_portal(bill, self.contributor).action_commons_submit()
        self.assertEqual(bill.commons_bill_state, "submitted")
        self.assertEqual(bill.commons_submitted_by_id, self.contributor)
        for steward in (self.steward, self.steward2):
            self.assertEqual(
                len(
                    self._mails_to(bill, steward.partner_id, "waits for your approval")
                ),
                1,
            )
        self.assertFalse(
            self._mails_to(bill, self.contributor.partner_id, "waits for your approval")
        )

    def test_only_the_contributor_or_the_accountant_submits(self):
        bill = self._bill(self.loot, 1000, "2023-06-01", post=False)
        for user in (self.contributor2, self.steward):
            with self.assertRaisesRegex(AccessError, "Only the contributor"):
                self._as_portal(bill, user).action_commons_submit()
        self.assertFalse(bill.commons_bill_state)

    def test_reject_needs_a_reason_and_records_it(self):
        bill = self._submitted_bill()
        for reason in (None, "", "   "):
            with self.assertRefused(UserError, "Say why the bill is rejected"):
                self._reject(bill, self.steward, reason)
        self.assertEqual(bill.commons_bill_state, "submitted")
        self._reject(bill, self.steward2, "The invoice lacks the SIRET number.")
        self.assertEqual(bill.commons_bill_state, "rejected")
        self.assertEqual(
            bill.commons_state_reason, "The invoice lacks the SIRET number."
        )
        note = self._notes(bill, "Rejected by Lou Bernard")
        self.assertIn("The invoice lacks the SIRET number.", note.body)
        self.assertEqual(note.author_id, self.steward2.partner_id)
        self.assertTrue(self._mails_to(bill, self.contributor.partner_id, "rejected"))
        with self.assertRefused(UserError, NOT_APPROVED):
            bill.action_post()
        # The contributor corrects and submits again.
        self._as_portal(bill, self.contributor).action_commons_submit()
        self.assertEqual(bill.commons_bill_state, "submitted")
        self.assertFalse(bill.commons_state_reason)

    def test_send_back_by_the_accountant_needs_a_reason(self):
        bill = self._submitted_bill()
        self._approve(bill, self.steward)
        with self.assertRefused(UserError, "Say why the bill is sent back"):
            bill.commons_send_back("")
        for user in (self.steward, self.contributor):
            with self.assertRaisesRegex(AccessError, "Only the host's accountant"):
                self._as_portal(bill, user).commons_send_back("No")
        self.assertEqual(bill.commons_bill_state, "approved")
        bill.commons_send_back("Missing the mention “TVA non applicable”.")
        self.assertEqual(bill.commons_bill_state, "returned")
        self.assertEqual(
            bill.commons_state_reason, "Missing the mention “TVA non applicable”."
        )
        self.assertFalse(bill.sudo().commons_approval_ids)
        self.assertTrue(self._notes(bill, "Sent back to the contributor"))
        self.assertTrue(self._mails_to(bill, self.contributor.partner_id, ""))
        with self.assertRefused(UserError, NOT_APPROVED):
            bill.action_post()

    def test_withdraw_by_the_contributor_cancels_the_bill(self):
        bill = self._submitted_bill()
        with self.assertRaisesRegex(AccessError, "Only the contributor"):
            self._as_portal(bill, self.contributor2).action_commons_withdraw()
        self._as_portal(bill, self.contributor).action_commons_withdraw()
        self.assertEqual(bill.commons_bill_state, "withdrawn")
        self.assertEqual(bill.state, "cancel")
        self.assertTrue(self._notes(bill, "Withdrawn by Sacha Dupont"))

    def test_approved_bill_cannot_be_withdrawn(self):
        bill = self._submitted_bill()
        self._approve(bill, self.steward)
        with self.assertRefused(UserError, "can no longer be withdrawn"):
            self._as_portal(bill, self.contributor).action_commons_withdraw()
        self.assertEqual(bill.state, "draft")
        self.assertEqual(bill.commons_bill_state, "approved")

    # -- Two stewards above the threshold ----------------------------------

    def test_two_stewards_above_the_threshold(self):
        self.loot.with_user(self.accountant).commons_double_approval_amount = 1000
        small = self._submitted_bill(800)
        self.assertEqual(small.commons_approvals_needed, 1)
        bill = self._submitted_bill(1200)
        self.assertEqual(bill.commons_approvals_needed, 2)
        self._approve(bill, self.steward)
        self.assertEqual(bill.commons_bill_state, "submitted")
        self.assertTrue(self._notes(bill, "First approval by Camille Martin"))
        self.assertFalse(self._mails_to(bill, self.contributor.partner_id, "approved"))
        with self.assertRefused(UserError, NOT_APPROVED):
            bill.action_post()
        with self.assertRefused(UserError, "You already approved"):
            self._approve(bill, self.steward)
        self.assertEqual(len(bill.sudo().commons_approval_ids), 1)
        self._approve(bill, self.steward2)
        self.assertEqual(bill.commons_bill_state, "approved")
        self.assertEqual(
            bill.sudo().commons_approval_ids.partner_id,
            (self.steward | self.steward2).partner_id,
        )
        bill.action_post()
        self.assertEqual(bill.state, "posted")

    def test_first_of_two_stewards_may_still_reject(self):
        self.loot.with_user(self.accountant).commons_double_approval_amount = 1000
        instruction = self._instruction(self.loot, 1500, "2023-05-01")
        bill = self._submitted_bill(1200, instruction=instruction)
        self._approve(bill, self.steward)
        self.assertEqual(bill.commons_bill_state, "submitted")
        # Closing the instruction rejects it, whoever approved it first.
        instruction.with_user(self.steward).sudo().commons_close(
            "Work stopped.", bill.ids
        )
        self.assertEqual(bill.commons_bill_state, "rejected")
        self.assertEqual(bill.commons_state_reason, "Work stopped.")
        self.assertFalse(bill.sudo().commons_approval_ids)

    def test_first_of_two_approvals_lapses_with_a_change(self):
        self.loot.with_user(self.accountant).commons_double_approval_amount = 1000
        bill = self._submitted_bill(1200)
        self._approve(bill, self.steward)
        bill.invoice_line_ids.write({"price_unit": 1300})
        self.assertFalse(bill.sudo().commons_approval_ids)
        self._approve(bill, self.steward2)
        self.assertEqual(bill.commons_bill_state, "submitted")
        with self.assertRefused(UserError, NOT_APPROVED):
            bill.action_post()

    def test_threshold_lowered_under_an_approved_bill(self):
        """The state shown is the real one: a bill approved by one steward
        waits for a second once the threshold falls below it."""
        bill = self._submitted_bill(1200)
        self._approve(bill, self.steward)
        self.assertEqual(bill.commons_bill_state, "approved")
        self.loot.with_user(self.accountant).commons_double_approval_amount = 1000
        self.assertEqual(bill.commons_bill_state, "submitted")
        self.assertTrue(self._notes(bill, "waits for a second steward"))
        with self.assertRefused(UserError, NOT_APPROVED):
            bill.action_post()
        self._approve(bill, self.steward2)
        self.assertEqual(bill.commons_bill_state, "approved")

    # -- Funds --------------------------------------------------------------

    def test_approval_beyond_the_envelope_refused(self):
        """The envelope was lowered under the bills waiting on it: approving
        one takes no more than the envelope has left."""
        instruction = self._instruction(self.loot, 1500, "2023-05-01")
        first = self._submitted_bill(1000, instruction=instruction)
        second = self._submitted_bill(500, instruction=instruction)
        instruction.with_user(self.steward).sudo().commons_update({"amount": 1200})
        self._approve(first, self.steward)
        self.assertEqual(instruction.amount_remaining, 200)
        figures = self._figures()
        with self.assertRefused(UserError, "exceeds what Bug fixes has left"):
            self._approve(second, self.steward)
        self._assert_not_approved(second)
        self.assertEqual(self._figures(), figures)
        instruction.invalidate_recordset()
        self.assertEqual(instruction.amount_remaining, 200)
        # It can still be rejected.
        self._reject(second, self.steward, "Beyond the envelope")
        self.assertEqual(second.commons_bill_state, "rejected")

    def test_approval_beyond_the_available_funds_refused(self):
        """Without instruction, a bill is checked against what the resource has
        available: received less spent and promised."""
        self._instruction(self.loot, 3000, "2023-05-01")
        bill = self._submitted_bill(2500)
        with self.assertRefused(UserError, "exceeds what .*LOOT.* has left"):
            self._approve(bill, self.steward)
        self._assert_not_approved(bill)
        bill = self._submitted_bill(2000)
        self._approve(bill, self.steward)
        self.assertEqual(bill.commons_bill_state, "approved")


@tagged("post_install", "-at_install")
class TestCommonsBillRules(CommonsCase):
    """One rule set on every path: the backend's Submit and every approval
    check what the contributor's portal checks; a waiting bill can always be
    rejected."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.loot = cls._create_resource("Logiciel LOOT", "LOOT")
        cls._donate(cls.loot, 5000, "2023-02-15")
        with freeze_time("2023-06-15"):
            cls.instruction = cls._instruction(
                cls.loot, 1600, "2023-01-01", date_end="2023-12-31"
            )

    def _bill_in_form(self, ref="FAC-2023-007", amount=300, contributor=None):
        """A contributor's bill the accountant records in the vendor bill form,
        against the 2023 instruction."""
        form = Form(
            self.env["account.move"]
            .with_user(self.accountant)
            .with_context(default_move_type="in_invoice"),
            view="account.view_move_form",
        )
        form.partner_id = (contributor or self.contributor).partner_id
        form.invoice_date = "2023-11-20"
        form.ref = ref
        with form.invoice_line_ids.new() as line:
            line.name = "Bug fixes"
            line.price_unit = amount
            line.tax_ids.clear()
            line.analytic_distribution = {str(self.loot.analytic_account_id.id): 100}
        form.commons_instruction_id = self.instruction
        return form.save()

    def _figures(self):
        loot = self.loot.with_user(self.accountant).with_context(commons_year=2023)
        loot.invalidate_recordset()
        return (loot.amount_committed, loot.amount_available, loot.amount_spent)

    def _assert_refused_submit(self, bill, message):
        """The backend's Submit to Stewards refuses the bill: nothing moved."""
        figures = self._figures()
        state = bill.commons_bill_state
        with self.assertRefused(UserError, message):
            bill.action_commons_submit()
        bill.invalidate_recordset()
        self.assertEqual(bill.commons_bill_state, state)
        self.assertFalse(bill.sudo().commons_approval_ids)
        self.assertEqual(self._figures(), figures)

    def _assert_refused_approval(self, bill, message, error=UserError):
        figures = self._figures()
        with self.assertRefused(error, message):
            self._approve(bill)
        bill.invalidate_recordset()
        self.assertEqual(bill.commons_bill_state, "submitted")
        self.assertFalse(bill.sudo().commons_approval_ids)
        self.assertEqual(self._figures(), figures)

    @freeze_time("2024-03-01")
    def test_backend_submit_refused_once_the_instruction_ended(self):
        bill = self._bill_in_form()
        self._assert_refused_submit(
            bill, "ended on 12/31/2023 and took late bills until 01/30/2024"
        )

    @freeze_time("2024-01-15")
    def test_backend_submit_of_a_late_bill_then_its_approval_after_the_grace(self):
        bill = self._bill_in_form()
        bill.action_commons_submit()
        self.assertEqual(bill.commons_bill_state, "submitted")
        with freeze_time("2024-02-01"):
            self._assert_refused_approval(bill, "took late bills until 01/30/2024")
            # Never stranded: a steward rejects it.
            self._as_steward_reject(bill, "Too late")
            self.assertEqual(bill.commons_bill_state, "rejected")

    @freeze_time("2023-12-01")
    def test_backend_submit_refused_for_a_former_contributor(self):
        bill = self._bill_in_form()
        self.loot.with_user(
            self.accountant
        ).contributor_ids -= self.contributor.partner_id
        self._assert_refused_submit(bill, "is not, or no longer, a contributor of")

    @freeze_time("2023-12-01")
    def test_approval_refused_for_a_former_contributor(self):
        bill = self._bill_in_form()
        bill.action_commons_submit()
        self.loot.with_user(
            self.accountant
        ).contributor_ids -= self.contributor.partner_id
        self._assert_refused_approval(bill, "is not, or no longer, a contributor of")
        self._as_steward_reject(bill, "You no longer work on LOOT.")
        self.assertEqual(bill.commons_bill_state, "rejected")

    @freeze_time("2023-12-01")
    def test_backend_submit_refused_for_a_duplicate_reference(self):
        first = self._bill_in_form(ref="FAC-2023-009")
        first.action_commons_submit()
        # The host's accountant records the same invoice again, as a draft.
        second = self._bill_in_form(ref="FAC-2023-009", amount=100)
        self._assert_refused_submit(
            second, "already sent an invoice numbered FAC-2023-009"
        )
        self.assertTrue(second.duplicated_ref_ids, "Odoo's own detection")
        # That stray draft does not stop the stewards from approving the
        # genuine bill.
        self._approve(first)
        self.assertEqual(first.commons_bill_state, "approved")
        # Another number is another invoice.
        second.ref = "FAC-2023-010"
        second.action_commons_submit()
        self.assertEqual(second.commons_bill_state, "submitted")

    @freeze_time("2023-12-01")
    def test_approval_refused_for_a_number_approved_or_posted_already(self):
        """Two bills waiting with the same number (the host corrected one's
        number into the other's): the first approved, the second is not."""
        first = self._bill_in_form(ref="FAC-2023-011")
        first.action_commons_submit()
        second = self._bill_in_form(ref="FAC-2023-012", amount=100)
        second.action_commons_submit()
        second.ref = "FAC-2023-011"
        self._approve(first)
        self.assertEqual(first.commons_bill_state, "approved")
        self._assert_refused_approval(
            second, "already sent an invoice numbered FAC-2023-011"
        )
        first.action_post()
        self._assert_refused_approval(
            second, "already sent an invoice numbered FAC-2023-011"
        )
        self._as_steward_reject(second, "This invoice was paid already.")
        self.assertEqual(second.commons_bill_state, "rejected")
        # A withdrawn bill (cancelled) with the same number does not count.
        third = self._bill_in_form(ref="FAC-2023-013")
        third.action_commons_submit()
        fourth = self._bill_in_form(ref="FAC-2023-014", amount=100)
        fourth.action_commons_submit()
        fourth.ref = "FAC-2023-013"
        third.action_commons_withdraw()
        self.assertEqual(third.state, "cancel")
        self._approve(fourth)
        self.assertEqual(fourth.commons_bill_state, "approved")

    @freeze_time("2023-12-01")
    def test_backend_submit_counts_the_bills_waiting(self):
        self._bill_in_form(ref="FAC-A", amount=1000).action_commons_submit()
        bill = self._bill_in_form(ref="FAC-B", amount=700)
        self._assert_refused_submit(
            bill,
            "is more than what is left of the envelope of “Bug fixes”: "
            r"\$\s?600.00, once the bills already waiting",
        )

    @freeze_time("2023-12-01")
    def test_a_waiting_credit_note_does_not_raise_what_is_left(self):
        """A credit note waiting for the stewards gives nothing back before
        they approve it: what is left to bill, what a new bill may ask and
        what the stewards read after each bill are as without it."""
        first = self._bill_in_form(ref="FAC-A", amount=1000)
        first.action_commons_submit()
        note = self._bill_in_form(ref="AV-A", amount=500)
        note.move_type = "in_refund"
        note.action_commons_submit()
        self.assertEqual(note.commons_bill_state, "submitted")
        self.assertEqual(note._get_commons_consumed_amount(), -500)
        instruction = self.instruction
        instruction.invalidate_recordset()
        self.assertEqual(instruction.waiting_bill_count, 2)
        self.assertEqual(instruction.amount_waiting, 1000)
        self.assertEqual(instruction.amount_left, 600)
        self.assertEqual(
            (first | note)._get_commons_left_after(), {first: 600, note: 600}
        )
        bill = self._bill_in_form(ref="FAC-B", amount=700)
        self._assert_refused_submit(
            bill, r"\$\s?600.00, once the bills already waiting for the stewards"
        )
        # Approved, it gives back.
        self._approve(first)
        self._approve(note)
        instruction.invalidate_recordset()
        self.assertEqual(instruction.amount_consumed, 500)
        self.assertEqual(instruction.amount_left, 1100)
        bill.action_commons_submit()
        self.assertEqual(bill.commons_bill_state, "submitted")

    @freeze_time("2023-12-01")
    def test_rejecting_needs_only_a_steward_and_a_waiting_bill(self):
        bill = self._bill_in_form()
        bill.action_commons_submit()
        with freeze_time("2024-06-01"):
            with self.assertRaisesRegex(AccessError, NOT_A_STEWARD):
                bill.commons_reject(bill._get_commons_fingerprint(), "No")
            with self.assertRefused(UserError, "changed since you opened the page"):
                bill.with_user(self.steward).sudo().commons_reject("0" * 64, "No")
            self.assertEqual(bill.commons_bill_state, "submitted")
            self._as_steward_reject(bill, "The instruction ended.")
            self.assertEqual(bill.commons_bill_state, "rejected")

    def _as_steward_reject(self, bill, reason):
        bill = bill.with_user(self.steward).sudo()
        bill.commons_reject(bill._get_commons_fingerprint(), reason)


@tagged("post_install", "-at_install")
class TestCommonsBillApprovalConcurrency(TransactionCase):
    """Two stewards approve at the same moment two bills that together exceed
    what is left: exactly one approval holds.

    The other cursors of this test cannot see what the test's own transaction
    made, so the data is committed here, and removed at the end."""

    def _new_env(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {})

    def _make_fixture(self):
        with self.registry.cursor() as cr:
            env = self._new_env(cr)
            company = env.ref("base.main_company")
            portal = env.ref("base.group_portal")
            Users = env["res.users"].with_context(no_reset_password=True)
            steward, steward2 = Users.create(
                [
                    {
                        "name": name,
                        "login": login,
                        "email": f"{login}@example.org",
                        "groups_id": [Command.set(portal.ids)],
                    }
                    for name, login in (
                        ("Concurrent Steward", "h3_concurrent_steward"),
                        ("Concurrent Steward 2", "h3_concurrent_steward2"),
                    )
                ]
            )
            self.fixture_ids["users"] = (steward | steward2).ids
            contributor = env["res.partner"].create(
                {"name": "Concurrent Contributor", "email": "cc@example.org"}
            )
            self.fixture_ids["partners"] = (
                steward | steward2
            ).partner_id.ids + contributor.ids
            bank_account = env["res.partner.bank"].create(
                {
                    "acc_number": "FR7630006000011234567890189",
                    "partner_id": contributor.id,
                    "allow_out_payment": True,
                }
            )
            resource = env["commons.resource"].create(
                {
                    "name": "Concurrent resource",
                    "code": "H3CONCURRENT",
                    "company_id": company.id,
                    "steward_ids": [Command.set((steward | steward2).partner_id.ids)],
                    "contributor_ids": [Command.set(contributor.ids)],
                }
            )
            self.fixture_ids["resource"] = resource.id
            distribution = {str(resource.analytic_account_id.id): 100}
            accounts = env["account.account"].with_company(company)
            income = accounts.search(
                [("account_type", "=", "income"), ("company_ids", "in", company.ids)],
                limit=1,
            )
            asset = accounts.search(
                [
                    ("account_type", "=", "asset_current"),
                    ("company_ids", "in", company.ids),
                ],
                limit=1,
            )
            expense = accounts.search(
                [("account_type", "=", "expense"), ("company_ids", "in", company.ids)],
                limit=1,
            )
            # 2,000 received, posted as a validated donation posts its entry: a
            # real donation needs a product, a journal and receipt settings
            # this committed fixture does not build.
            funding = (
                env["account.move"]
                .with_company(company)
                .with_context(**ledger_pass_context(env["donation.donation"]))
                .create(
                    {
                        "move_type": "entry",
                        "date": fields.Date.today(),
                        "line_ids": [
                            Command.create(
                                {"account_id": asset.id, "debit": 2000, "name": "Grant"}
                            ),
                            Command.create(
                                {
                                    "account_id": income.id,
                                    "credit": 2000,
                                    "name": "Grant",
                                    "analytic_distribution": distribution,
                                }
                            ),
                        ],
                    }
                )
            )
            self.fixture_ids["funding"] = funding.id
            funding.action_post()
            instruction = env["commons.allocation.instruction"].create(
                {
                    "name": "Concurrent envelope",
                    "resource_id": resource.id,
                    "contributor_id": contributor.id,
                    "amount": 1500,
                    "date_start": fields.Date.today(),
                }
            )
            self.fixture_ids["instruction"] = instruction.id
            instruction.with_user(steward).sudo().action_activate()
            # Two bills under the envelope (1,000 + 800 > 1,500) and two without
            # (300 + 300 > the 500 the resource has left).
            bills = (
                env["account.move"]
                .with_company(company)
                .create(
                    [
                        {
                            "move_type": "in_invoice",
                            "partner_id": contributor.id,
                            "partner_bank_id": bank_account.id,
                            "invoice_date": fields.Date.today(),
                            "commons_instruction_id": instruction_id,
                            "invoice_line_ids": [
                                Command.create(
                                    {
                                        "name": "Work",
                                        "price_unit": amount,
                                        "account_id": expense.id,
                                        "tax_ids": [Command.clear()],
                                        "analytic_distribution": distribution,
                                    }
                                )
                            ],
                        }
                        for amount, instruction_id in (
                            (1000, instruction.id),
                            (800, instruction.id),
                            (300, False),
                            (300, False),
                        )
                    ]
                )
            )
            self.fixture_ids["bills"] = bills.ids
            bills.write({"commons_bill_state": "submitted"})
            self.assertEqual(resource._get_commons_available(), 500)
        return steward.id, steward2.id

    def _remove_fixture(self):
        with self.registry.cursor() as cr:
            env = self._new_env(cr)
            bills = (
                env["account.move"].browse(self.fixture_ids.get("bills", [])).exists()
            )
            env["commons.bill.approval"].search([("move_id", "in", bills.ids)]).unlink()
            env["mail.mail"].search(
                [("model", "=", "account.move"), ("res_id", "in", bills.ids)]
            ).unlink()
            bills.with_context(force_delete=True).unlink()
            funding = (
                env["account.move"].browse(self.fixture_ids.get("funding")).exists()
            )
            if funding:
                funding.button_draft()
                funding.with_context(force_delete=True).unlink()
            instruction = (
                env["commons.allocation.instruction"]
                .browse(self.fixture_ids.get("instruction"))
                .exists()
            )
            instruction.write({"state": "draft"})
            instruction.unlink()
            env["commons.resource"].browse(
                self.fixture_ids.get("resource")
            ).exists().unlink()
            env["res.users"].browse(self.fixture_ids.get("users", [])).exists().unlink()
            env["res.partner"].browse(
                self.fixture_ids.get("partners", [])
            ).exists().unlink()

    def _approve(self, cr, bill_id, steward_id):
        env = self._new_env(cr)
        bill = env["account.move"].browse(bill_id).with_user(steward_id).sudo()
        bill.commons_approve(bill._get_commons_fingerprint())

    def _race(self, bill_a, bill_b, steward_a, steward_b, error):
        """Steward A approves bill A while steward B approves bill B: B waits
        for nothing and fails at once; retried, B sees A's approval."""
        cr_a = self.registry.cursor()
        cr_b = self.registry.cursor()
        try:
            # B's transaction starts (takes its snapshot) before A commits.
            cr_b.execute("SELECT 1")
            self._approve(cr_a, bill_a, steward_a)
            with (
                mute_logger("odoo.sql_db"),
                self.assertRaises(psycopg2.errors.LockNotAvailable),
            ):
                self._approve(cr_b, bill_b, steward_b)
            cr_a.commit()
            cr_b.rollback()
            # What Odoo does on a lock failure: the request again, afresh.
            with self.assertRaisesRegex(UserError, error):
                self._approve(cr_b, bill_b, steward_b)
            cr_b.rollback()
        finally:
            cr_a.close()
            cr_b.close()

    def test_concurrent_approvals_exactly_one_holds(self):
        self.assertFalse(self.registry.in_test_mode(), "real cursors are needed")
        self.fixture_ids = {}
        self.addCleanup(self._remove_fixture)
        steward, steward2 = self._make_fixture()
        bill1, bill2, bill3, bill4 = self.fixture_ids["bills"]
        # Under the envelope: the instruction's row is locked.
        self._race(
            bill1, bill2, steward, steward2, "exceeds what Concurrent envelope has left"
        )
        # Without instruction: the resource's row is locked.
        self._race(
            bill3,
            bill4,
            steward2,
            steward,
            "exceeds what .*Concurrent resource.* has left",
        )
        with self.registry.cursor() as cr:
            env = self._new_env(cr)
            approvals = env["commons.bill.approval"].search(
                [("move_id", "in", self.fixture_ids["bills"])]
            )
            self.assertEqual(approvals.move_id.ids, [bill1, bill3])
            states = (
                env["account.move"]
                .browse(self.fixture_ids["bills"])
                .mapped("commons_bill_state")
            )
            self.assertEqual(states, ["approved", "submitted", "approved", "submitted"])


@tagged("post_install", "-at_install")
class TestCommonsStewardsChange(CommonsCase):
    """The host cannot make itself a steward, and no steward is added or
    removed unseen."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.loot = cls._create_resource("Logiciel LOOT", "LOOT")
        cls.admin = cls._admin_with_accounting()

    def test_nobody_makes_themselves_a_steward(self):
        for user in (self.accountant, self.admin):
            loot = self.loot.with_user(user).with_company(self.company)
            with self.assertRefused(UserError, "Use “Propose a Change”"):
                loot.steward_ids = [Command.link(user.partner_id.id)]
            with self.assertRefused(UserError, "Use “Propose a Change”"):
                loot.write({"steward_ids": [Command.set(user.partner_id.ids)]})
            with self.assertRefused(UserError, "cannot make yourself a steward"):
                loot.action_commons_propose(
                    "add_steward", partner_id=user.partner_id.id
                )
            with self.assertRefused(UserError, "cannot make yourself a steward"):
                loot.create(
                    {
                        "name": "Mine",
                        "code": "MINE",
                        "steward_ids": [Command.set(user.partner_id.ids)],
                    }
                )
        self.assertEqual(
            self.loot.steward_ids, (self.steward | self.steward2).partner_id
        )

    def test_first_stewards_are_written_and_sent_to_them(self):
        """A new resource's first stewards are set directly; from then on, a
        change is a proposal (tests/test_commons_governance.py)."""
        forum = self._create_resource("Forum", "FORUM", people=False)
        forum.with_user(self.accountant).write(
            {
                "steward_ids": [
                    Command.link(self.steward2.partner_id.id),
                    Command.link(self.contributor2.partner_id.id),
                ]
            }
        )
        message = forum.message_ids.filtered(
            lambda message: "Stewards of Forum changed" in message.body
        )
        self.assertEqual(len(message), 1)
        self.assertIn("Added: Lou Bernard, Noé Leroy", message.body)
        self.assertIn("Removed: —", message.body)
        self.assertEqual(
            message.partner_ids, (self.steward2 | self.contributor2).partner_id
        )
        self.assertEqual(message.author_id, self.accountant.partner_id)
        # Nothing is written when the stewards stay the same.
        forum.with_user(self.accountant).write(
            {"steward_ids": [Command.set(forum.steward_ids.ids)]}
        )
        self.assertEqual(
            len(forum.message_ids.filtered(lambda m: "Stewards of" in m.body)), 1
        )

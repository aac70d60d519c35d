# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Only a steward of a bill's resource approves or rejects it; never the
accountant, the administrator, nor the bill's own contributor."""

import psycopg2.errors

from odoo import SUPERUSER_ID, Command, api, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

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

    def _mails_to(self, bill, partner, subject):
        return (
            self.env["mail.mail"]
            .sudo()
            .search([("model", "=", "account.move"), ("res_id", "=", bill.id)])
            .filtered(
                lambda mail: partner in mail.recipient_ids and subject in mail.subject
            )
        )

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
            bill.action_commons_approve()
        with self.assertRaisesRegex(AccessError, NOT_A_STEWARD):
            bill.action_commons_reject("Too expensive")
        self._assert_not_approved(bill)

    def test_administrator_cannot_approve(self):
        bill = self._submitted_bill()
        admin_bill = bill.with_user(self.admin).with_company(self.company)
        with self.assertRaisesRegex(AccessError, NOT_A_STEWARD):
            admin_bill.action_commons_approve()
        # Not even as superuser: who calls still counts.
        with self.assertRaisesRegex(AccessError, NOT_A_STEWARD):
            admin_bill.sudo().action_commons_approve()
        self._assert_not_approved(bill)

    def test_commons_user_cannot_approve(self):
        bill = self._submitted_bill()
        with self.assertRaises(AccessError):
            bill.with_user(self.commons_user).action_commons_approve()
        with self.assertRaisesRegex(AccessError, NOT_A_STEWARD):
            bill.with_user(self.commons_user).sudo().action_commons_approve()
        self._assert_not_approved(bill)

    def test_contributors_cannot_approve(self):
        bill = self._submitted_bill()
        for contributor in (self.contributor, self.contributor2):
            with self.assertRaises(AccessError):
                bill.with_user(contributor).action_commons_approve()
            with self.assertRaisesRegex(AccessError, NOT_A_STEWARD):
                self._as_portal(bill, contributor).action_commons_approve()
        self._assert_not_approved(bill)

    def test_steward_who_is_the_contributor_cannot_approve_their_bill(self):
        # A steward confirms the host's proposal.
        self.loot.with_user(self.accountant).action_commons_propose(
            "add_steward", partner_id=self.contributor2.partner_id.id
        ).with_user(self.steward).sudo().action_commons_confirm()
        self.assertIn(self.contributor2.partner_id, self.loot.steward_ids)
        bill = self._submitted_bill(contributor=self.contributor2)
        with self.assertRaisesRegex(AccessError, OWN_BILL):
            self._as_portal(bill, self.contributor2).action_commons_approve()
        with self.assertRaisesRegex(AccessError, OWN_BILL):
            self._as_portal(bill, self.contributor2).action_commons_reject("No")
        self._assert_not_approved(bill)
        # Another steward decides.
        self._as_portal(bill, self.steward).action_commons_approve()
        self.assertEqual(bill.commons_bill_state, "approved")
        # As steward, they decide on the bills of others.
        other = self._submitted_bill()
        self._as_portal(other, self.contributor2).action_commons_approve()
        self.assertEqual(other.commons_bill_state, "approved")

    def test_steward_approves(self):
        bill = self._submitted_bill()
        self.assertEqual(bill.commons_submitted_by_id, self.accountant)
        self.assertEqual(bill.commons_approvals_needed, 1)
        self._as_portal(bill, self.steward).action_commons_approve()
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

    def test_steward_decides_once(self):
        bill = self._submitted_bill()
        self._as_portal(bill, self.steward).action_commons_approve()
        for steward in (self.steward, self.steward2):
            with self.assertRefused(UserError, "is not waiting for the stewards"):
                self._as_portal(bill, steward).action_commons_approve()
            with self.assertRefused(UserError, "is not waiting for the stewards"):
                self._as_portal(bill, steward).action_commons_reject("Changed my mind")
        self.assertEqual(bill.commons_bill_state, "approved")

    def test_bill_not_submitted_cannot_be_approved(self):
        bill = self._bill(self.loot, 1000, "2023-06-01", post=False)
        with self.assertRefused(UserError, "is not waiting for the stewards"):
            self._as_portal(bill, self.steward).action_commons_approve()
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
                self._as_portal(bill, self.steward).action_commons_reject(reason)
        self.assertEqual(bill.commons_bill_state, "submitted")
        self._as_portal(bill, self.steward2).action_commons_reject(
            "The invoice lacks the SIRET number."
        )
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
        self._as_portal(bill, self.steward).action_commons_approve()
        with self.assertRefused(UserError, "Say why the bill is sent back"):
            bill.action_commons_send_back("")
        for user in (self.steward, self.contributor):
            with self.assertRaisesRegex(AccessError, "Only the host's accountant"):
                self._as_portal(bill, user).action_commons_send_back("No")
        self.assertEqual(bill.commons_bill_state, "approved")
        bill.action_commons_send_back("Missing the mention “TVA non applicable”.")
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
        self._as_portal(bill, self.steward).action_commons_approve()
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
        self._as_portal(bill, self.steward).action_commons_approve()
        self.assertEqual(bill.commons_bill_state, "submitted")
        self.assertTrue(self._notes(bill, "First approval by Camille Martin"))
        self.assertFalse(self._mails_to(bill, self.contributor.partner_id, "approved"))
        with self.assertRefused(UserError, NOT_APPROVED):
            bill.action_post()
        with self.assertRefused(UserError, "You already approved"):
            self._as_portal(bill, self.steward).action_commons_approve()
        self.assertEqual(len(bill.sudo().commons_approval_ids), 1)
        self._as_portal(bill, self.steward2).action_commons_approve()
        self.assertEqual(bill.commons_bill_state, "approved")
        self.assertEqual(
            bill.sudo().commons_approval_ids.partner_id,
            (self.steward | self.steward2).partner_id,
        )
        bill.action_post()
        self.assertEqual(bill.state, "posted")

    def test_first_of_two_approvals_lapses_with_a_change(self):
        self.loot.with_user(self.accountant).commons_double_approval_amount = 1000
        bill = self._submitted_bill(1200)
        self._as_portal(bill, self.steward).action_commons_approve()
        bill.invoice_line_ids.write({"price_unit": 1300})
        self.assertFalse(bill.sudo().commons_approval_ids)
        self._as_portal(bill, self.steward2).action_commons_approve()
        self.assertEqual(bill.commons_bill_state, "submitted")
        with self.assertRefused(UserError, NOT_APPROVED):
            bill.action_post()

    def test_threshold_lowered_under_an_approved_bill(self):
        """The state shown is the real one: a bill approved by one steward
        waits for a second once the threshold falls below it."""
        bill = self._submitted_bill(1200)
        self._as_portal(bill, self.steward).action_commons_approve()
        self.assertEqual(bill.commons_bill_state, "approved")
        self.loot.with_user(self.accountant).commons_double_approval_amount = 1000
        self.assertEqual(bill.commons_bill_state, "submitted")
        self.assertTrue(self._notes(bill, "waits for a second steward"))
        with self.assertRefused(UserError, NOT_APPROVED):
            bill.action_post()
        self._as_portal(bill, self.steward2).action_commons_approve()
        self.assertEqual(bill.commons_bill_state, "approved")

    # -- Funds --------------------------------------------------------------

    def test_approval_beyond_the_envelope_refused(self):
        instruction = self._instruction(self.loot, 1500, "2023-05-01")
        first = self._submitted_bill(1000, instruction=instruction)
        self._as_portal(first, self.steward).action_commons_approve()
        self.assertEqual(instruction.amount_remaining, 500)
        second = self._submitted_bill(600, instruction=instruction)
        with self.assertRefused(UserError, "exceeds what Bug fixes has left"):
            self._as_portal(second, self.steward).action_commons_approve()
        self._assert_not_approved(second)
        third = self._submitted_bill(500, instruction=instruction)
        self._as_portal(third, self.steward).action_commons_approve()
        self.assertEqual(third.commons_bill_state, "approved")
        instruction.invalidate_recordset()
        self.assertEqual(instruction.amount_remaining, 0)

    def test_approval_beyond_the_available_funds_refused(self):
        """Without instruction, a bill is checked against what the resource has
        available: received less spent and promised."""
        self._instruction(self.loot, 3000, "2023-05-01")
        bill = self._submitted_bill(2500)
        with self.assertRefused(UserError, "exceeds what .*LOOT.* has left"):
            self._as_portal(bill, self.steward).action_commons_approve()
        self._assert_not_approved(bill)
        bill = self._submitted_bill(2000)
        self._as_portal(bill, self.steward).action_commons_approve()
        self.assertEqual(bill.commons_bill_state, "approved")


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
            # 2,000 received: an entry that funds the resource (no donation).
            funding = (
                env["account.move"]
                .with_company(company)
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
        env["account.move"].browse(bill_id).with_user(
            steward_id
        ).sudo().action_commons_approve()

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

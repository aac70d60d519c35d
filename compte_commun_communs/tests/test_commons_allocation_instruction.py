# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""A steward's allocation instruction: the accountant may draft one, only a
steward of the resource issues, changes, closes or cancels it, and its envelope
never exceeds what the resource has available."""

from freezegun import freeze_time
from lxml import html

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, HttpCase, tagged

from .common import CommonsAuditCase, CommonsCase

NOT_A_STEWARD = "Only a steward of Logiciel LOOT decides on its allocation"
BY_BUTTONS = "The state of an instruction changes by its buttons only"


@tagged("post_install", "-at_install")
class TestCommonsAllocationInstruction(CommonsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.loot = cls._create_resource("Logiciel LOOT", "LOOT")
        cls._donate(cls.loot, 5000, "2023-02-15")
        cls.admin = cls._admin_with_accounting()

    def _draft(self, amount=1600, **vals):
        return (
            self.env["commons.allocation.instruction"]
            .with_user(self.accountant)
            .create(
                {
                    "name": "Bug fixes",
                    "resource_id": self.loot.id,
                    "contributor_id": self.contributor.partner_id.id,
                    "amount": amount,
                    "date_start": "2023-05-01",
                    **vals,
                }
            )
        )

    def _as_steward(self, instruction, steward=None):
        return instruction.with_user(steward or self.steward).sudo()

    def _loot_2023(self):
        loot = self.loot.with_user(self.accountant).with_context(commons_year=2023)
        loot.invalidate_recordset()
        return loot

    # -- Drafting ---------------------------------------------------------------

    def test_accountant_drafts_an_instruction(self):
        with Form(
            self.env["commons.allocation.instruction"].with_user(self.accountant)
        ) as form:
            form.name = "Bug fixes of 2023"
            form.resource_id = self.loot
            form.contributor_id = self.contributor.partner_id
            form.days = 2.5
            form.daily_rate = 600
            self.assertEqual(form.amount, 1500)
            form.date_start = "2023-05-01"
        instruction = form.record
        self.assertEqual(instruction.state, "draft")
        self.assertEqual(instruction.amount, 1500)
        self.assertTrue(instruction.reference.startswith("CONS-"))
        self.assertFalse(instruction.steward_id)
        self.assertEqual(instruction.amount_remaining, 0, "nothing is promised yet")
        self.assertEqual(self._loot_2023().amount_committed, 0)
        # The envelope may differ from days × rate.
        with Form(instruction) as form:
            form.amount = 1400
        self.assertEqual(instruction.amount, 1400)

    def test_contributor_must_be_one_of_the_resource(self):
        for partner in (self.funder, self.steward.partner_id):
            with self.assertRefused(ValidationError, "is not a contributor of"):
                self._draft(contributor_id=partner.id)

    def test_envelope_must_be_positive(self):
        for amount in (0, -100):
            with self.assertRefused(ValidationError, "must be more than zero"):
                self._draft(amount=amount)

    # -- Issuing ----------------------------------------------------------------

    def test_accountant_and_admin_cannot_issue(self):
        instruction = self._draft()
        for user in (self.accountant, self.admin):
            mine = instruction.with_user(user).with_company(self.company)
            with self.assertRaisesRegex(AccessError, NOT_A_STEWARD):
                mine.action_activate()
            with self.assertRaisesRegex(AccessError, BY_BUTTONS):
                mine.write({"state": "active"})
            with self.assertRaisesRegex(AccessError, BY_BUTTONS):
                mine.write({"steward_id": self.steward.partner_id.id})
            with self.assertRaisesRegex(AccessError, BY_BUTTONS):
                mine.write({"date_activated": "2023-05-01 10:00:00"})
            with self.assertRaisesRegex(AccessError, "made active by a steward only"):
                mine.create(
                    {
                        "name": "Mine",
                        "resource_id": self.loot.id,
                        "contributor_id": self.contributor.partner_id.id,
                        "amount": 100,
                        "state": "active",
                        "steward_id": self.steward.partner_id.id,
                    }
                )
        self.assertEqual(instruction.state, "draft")
        self.assertFalse(instruction.steward_id)

    def test_contributor_and_other_stewards_cannot_issue(self):
        instruction = self._draft()
        for user in (self.contributor, self.portal_user):
            with self.assertRaisesRegex(AccessError, NOT_A_STEWARD):
                self._as_steward(instruction, user).action_activate()
        self.assertEqual(instruction.state, "draft")
        # A steward of LOOT only is no steward of DOKOS.
        dokos = self._create_resource("DOKOS", "DOKOS", people=False)
        dokos.write(
            {
                "steward_ids": [Command.set(self.steward2.partner_id.ids)],
                "contributor_ids": [Command.set(self.contributor.partner_id.ids)],
            }
        )
        self._donate(dokos, 1000, "2023-02-15")
        other = self._draft(amount=100, resource_id=dokos.id)
        with self.assertRaisesRegex(AccessError, "Only a steward of DOKOS"):
            self._as_steward(other).action_activate()
        self._as_steward(other, self.steward2).action_activate()
        self.assertEqual(other.state, "active")

    def test_steward_issues(self):
        instruction = self._draft()
        self._as_steward(instruction, self.steward2).action_activate()
        self.assertEqual(instruction.state, "active")
        self.assertEqual(instruction.steward_id, self.steward2.partner_id)
        self.assertTrue(instruction.date_activated)
        # Numbered in the year the work starts.
        self.assertRegex(instruction.reference, r"^CONS-2023-\d{4}$")
        self.assertEqual(instruction.amount_remaining, 1600)
        self.assertEqual(self._loot_2023().amount_committed, 1600)
        self.assertEqual(self._loot_2023().amount_available, 3400)
        with self.assertRefused(UserError, "Only a draft instruction can be issued"):
            self._as_steward(instruction).action_activate()

    def test_envelope_above_the_available_funds_refused(self):
        instruction = self._draft(amount=5001)
        with self.assertRefused(ValidationError, "does not have the funds"):
            self._as_steward(instruction).action_activate()
        self.assertEqual(instruction.state, "draft")
        first = self._draft(amount=3000)
        self._as_steward(first).action_activate()
        second = self._draft(amount=2001)
        with self.assertRefused(
            ValidationError, r"does not have the funds for this envelope: \$\s?2,000.00"
        ):
            self._as_steward(second).action_activate()
        second.amount = 2000
        self._as_steward(second).action_activate()
        self.assertEqual(self._loot_2023().amount_available, 0)

    @freeze_time("2026-03-02")
    def test_funds_of_former_years_still_count(self):
        """5,000 received in 2023 and not spent are still there in 2026."""
        self.assertEqual(self.loot._get_commons_available(), 5000)
        instruction = self._draft(amount=4500, date_start="2026-03-01")
        self._as_steward(instruction).action_activate()
        self.assertEqual(instruction.state, "active")
        loot = self.loot.with_user(self.accountant).with_context(commons_year=2026)
        self.assertEqual(loot.amount_carried_over, 5000)
        self.assertEqual(loot.amount_committed, 4500)
        self.assertEqual(loot.amount_available, 500)
        with self.assertRefused(ValidationError, "does not have the funds"):
            self._as_steward(
                self._draft(amount=600, date_start="2026-03-01")
            ).action_activate()

    # -- Changing an active instruction ---------------------------------------

    def test_accountant_cannot_change_an_active_instruction(self):
        instruction = self._instruction(self.loot, 1600, "2023-05-01")
        for user in (self.accountant, self.admin):
            mine = instruction.with_user(user).with_company(self.company)
            for vals in (
                {"amount": 4000},
                {"name": "Anything"},
                {"contributor_id": self.contributor2.partner_id.id},
                {"date_end": "2023-12-31"},
            ):
                with self.assertRaisesRegex(AccessError, NOT_A_STEWARD):
                    mine.write(vals)
        # The form shows an issued envelope read-only.
        form = Form(instruction)
        with self.assertRaisesRegex(AssertionError, "readonly field 'amount'"):
            form.amount = 4000
        instruction.invalidate_recordset()
        self.assertEqual(instruction.amount, 1600)
        self.assertEqual(instruction.name, "Bug fixes")

    @freeze_time("2023-09-01")
    def test_steward_changes_the_envelope_within_the_funds(self):
        instruction = self._instruction(self.loot, 1600, "2023-05-01")
        steward = self._as_steward(instruction)
        steward.write({"amount": 2000, "date_end": "2023-12-31"})
        self.assertEqual(instruction.amount, 2000)
        with self.assertRefused(ValidationError, "does not have the funds"):
            steward.write({"amount": 5001})
        bill = self._bill(self.loot, 1200, "2023-06-01", instruction=instruction)
        self.assertEqual(bill.state, "posted")
        with self.assertRefused(ValidationError, "cannot be less than what its bills"):
            steward.write({"amount": 1000})
        self.assertEqual(instruction.amount, 2000)

    def test_steward_closes(self):
        instruction = self._instruction(self.loot, 1600, "2023-05-01")
        self._bill(self.loot, 1200, "2023-06-01", instruction=instruction)
        with self.assertRaisesRegex(AccessError, NOT_A_STEWARD):
            instruction.action_close()
        self._as_steward(instruction, self.steward2).action_close()
        self.assertEqual(instruction.state, "closed")
        self.assertEqual(instruction.amount_consumed, 1200)
        self.assertEqual(instruction.amount_remaining, 0)
        loot = self._loot_2023()
        self.assertEqual(loot.amount_committed, 0, "what is left is free again")
        self.assertEqual(loot.amount_available, 5000 - 1200)
        with self.assertRefused(
            UserError, "closed or cancelled instruction cannot change"
        ):
            instruction.write({"amount": 100})
        with self.assertRefused(UserError, "Only an active instruction can be closed"):
            self._as_steward(instruction).action_close()
        # A closed instruction takes no new bill.
        bill = self._bill(
            self.loot, 100, "2023-07-01", post=False, instruction=instruction
        )
        with self.assertRefused(UserError, "bills go against an active instruction"):
            bill.action_commons_submit()

    def test_cancel(self):
        draft = self._draft()
        # The accountant may cancel what it drafted.
        draft.action_cancel()
        self.assertEqual(draft.state, "cancel")
        instruction = self._instruction(self.loot, 1600, "2023-05-01")
        with self.assertRaisesRegex(AccessError, NOT_A_STEWARD):
            instruction.action_cancel()
        bill = self._bill(
            self.loot, 1000, "2023-06-01", post=False, instruction=instruction
        )
        bill.action_commons_submit()
        self._approve(bill)
        with self.assertRefused(UserError, "has approved bills: close it instead"):
            self._as_steward(instruction).action_cancel()
        self.assertEqual(instruction.state, "active")
        other = self._instruction(self.loot, 500, "2023-05-01")
        waiting = self._bill(
            self.loot, 100, "2023-06-01", post=False, instruction=other
        )
        waiting.action_commons_submit()
        # A bill waits: the button says so, and nothing changes.
        with self.assertRefused(UserError, "say why they are rejected"):
            self._as_steward(other).action_cancel()
        self.assertEqual(other.state, "active")
        self.assertEqual(waiting.commons_bill_state, "submitted")
        self._as_steward(other).commons_cancel("Issued by mistake.", waiting.ids)
        self.assertEqual(other.state, "cancel")
        self.assertEqual(other.amount_remaining, 0)
        self.assertEqual(waiting.commons_bill_state, "rejected")
        self.assertEqual(waiting.commons_state_reason, "Issued by mistake.")

    def test_issued_instruction_cannot_be_deleted(self):
        instruction = self._instruction(self.loot, 1600, "2023-05-01")
        with self.assertRefused(UserError, "cannot be deleted"):
            instruction.unlink()
        draft = self._draft()
        draft.unlink()
        self.assertFalse(draft.exists())

    # -- What an instruction consumes and what the resource has committed -----

    def test_consumed_and_remaining(self):
        instruction = self._instruction(self.loot, 1600, "2023-05-01")
        waiting = self._bill(
            self.loot, 300, "2023-06-01", post=False, instruction=instruction
        )
        waiting.action_commons_submit()
        self.assertEqual(instruction.amount_consumed, 0, "not approved yet")
        approved = self._bill(
            self.loot, 1000, "2023-06-01", post=False, instruction=instruction
        )
        approved.action_commons_submit()
        self._approve(approved)
        self.assertEqual(instruction.amount_consumed, 1000)
        self.assertEqual(instruction.amount_remaining, 600)
        approved.action_post()
        self.assertEqual(instruction.amount_consumed, 1000)
        self.assertEqual(instruction.amount_remaining, 600)
        self._bill(self.loot, 200, "2023-06-02", instruction=instruction)
        self.assertEqual(instruction.amount_consumed, 1200)
        self.assertEqual(instruction.amount_remaining, 400)
        self.assertEqual(instruction.bill_count, 3)

    def test_consumed_with_vat(self):
        """Without VAT recovered (the default), the VAT of a bill is a cost of
        the resource: it consumes the total."""
        self.assertFalse(self.company.commons_vat_recoverable)
        tax = self.company_data["default_tax_purchase"]
        instruction = self._instruction(self.loot, 1600, "2023-05-01")
        bill = self._bill(
            self.loot, 1000, "2023-06-01", taxes=tax, instruction=instruction
        )
        self.assertGreater(bill.amount_total, 1000)
        self.assertEqual(instruction.amount_consumed, bill.amount_total)
        self.company.commons_vat_recoverable = True
        instruction.invalidate_recordset()
        self.assertEqual(instruction.amount_consumed, 1000)

    def test_committed_figure(self):
        """Committed = what is left of the active envelopes + the approved bills
        not posted yet (of an instruction or not)."""
        active = self._instruction(self.loot, 1600, "2023-05-01")
        approved = self._bill(
            self.loot, 1000, "2023-06-01", post=False, instruction=active
        )
        approved.action_commons_submit()
        self._approve(approved)
        self._bill(self.loot, 200, "2023-06-01", instruction=active)
        closed = self._instruction(self.loot, 300, "2023-05-01")
        approved_closed = self._bill(
            self.loot, 100, "2023-06-01", post=False, instruction=closed
        )
        approved_closed.action_commons_submit()
        self._approve(approved_closed)
        self._as_steward(closed).action_close()
        without = self._bill(self.loot, 300, "2023-06-01", post=False)
        without.action_commons_submit()
        self._approve(without)
        self._draft(amount=500)
        waiting = self._bill(self.loot, 50, "2023-06-01", post=False)
        waiting.action_commons_submit()
        loot = self._loot_2023()
        self.assertEqual(loot.amount_spent, 200)
        # 400 left of the envelope + 1,000 + 100 + 300 approved, not posted.
        self.assertEqual(loot.amount_committed, 1800)
        self.assertEqual(loot.amount_available, 5000 - 200 - 1800)
        self.assertEqual(self.loot._get_commons_available(), 3000)
        # Approving a bill of an envelope moves money within the promise.
        active.invalidate_recordset()
        self.assertEqual(active.amount_remaining, 400)
        # Posting an approved bill moves it from committed to spent.
        approved.action_post()
        loot = self._loot_2023()
        self.assertEqual(loot.amount_spent, 1200)
        self.assertEqual(loot.amount_committed, 800)
        self.assertEqual(loot.amount_available, 3000)

    # -- Ending an instruction whose bills wait for the stewards ---------------

    def _waiting(self, instruction, amount, date="2023-06-01"):
        bill = self._bill(self.loot, amount, date, post=False, instruction=instruction)
        bill.action_commons_submit()
        return bill

    def _committed_and_available(self):
        loot = self._loot_2023()
        return loot.amount_committed, loot.amount_available

    def test_close_with_waiting_bills_says_so_and_rejects_them_with_a_reason(self):
        instruction = self._instruction(self.loot, 1600, "2023-05-01")
        approved = self._waiting(instruction, 500)
        self._approve(approved)
        first, second = self._waiting(instruction, 300), self._waiting(instruction, 200)
        self.assertEqual(instruction.waiting_bill_count, 2)
        self.assertEqual(instruction.amount_waiting, 500)
        figures = self._committed_and_available()
        for call in (
            lambda: self._as_steward(instruction).action_close(),
            lambda: self._as_steward(instruction).commons_close("   "),
        ):
            with self.assertRefused(UserError, "Bills wait for the stewards"):
                call()
            self.assertEqual(instruction.state, "active")
            self.assertEqual(
                (first | second).mapped("commons_bill_state"),
                ["submitted", "submitted"],
            )
            self.assertEqual(self._committed_and_available(), figures)
        # Nobody but a steward closes it, even with a reason.
        with self.assertRaisesRegex(AccessError, NOT_A_STEWARD):
            instruction.commons_close("Done", (first | second).ids)
        # Nor does a steward reject bills she was not shown.
        for shown in (None, first.ids, (first | second | approved).ids):
            with self.assertRefused(UserError, "changed since you opened the page"):
                self._as_steward(instruction).commons_close("Done", shown)
            self.assertEqual(instruction.state, "active")
            self.assertEqual(self._committed_and_available(), figures)
        self._as_steward(instruction, self.steward2).commons_close(
            "The bug fixes of 2023 are done.", (first | second).ids
        )
        self.assertEqual(instruction.state, "closed")
        for bill in first | second:
            self.assertEqual(bill.commons_bill_state, "rejected")
            self.assertEqual(
                bill.commons_state_reason, "The bug fixes of 2023 are done."
            )
            self.assertTrue(
                bill.message_ids.filtered(
                    lambda m: "Rejected by Lou Bernard" in (m.body or "")
                )
            )
            # A rejected bill of a closed instruction goes nowhere again.
            with self.assertRefused(
                UserError, "bills go against an active instruction"
            ):
                bill.action_commons_submit()
        # The approved bill keeps its approval: it is committed until posted,
        # and what was left of the envelope is free again.
        self.assertEqual(approved.commons_bill_state, "approved")
        self.assertEqual(self._committed_and_available(), (500, 5000 - 500))

    def test_cancel_with_waiting_bills_says_so_and_rejects_them_with_a_reason(self):
        instruction = self._instruction(self.loot, 1600, "2023-05-01")
        bill = self._waiting(instruction, 300)
        figures = self._committed_and_available()
        with self.assertRefused(UserError, "Bills wait for the stewards"):
            self._as_steward(instruction).commons_cancel()
        self.assertEqual(instruction.state, "active")
        self.assertEqual(bill.commons_bill_state, "submitted")
        self.assertEqual(self._committed_and_available(), figures)
        self._as_steward(instruction).commons_cancel(
            "Issued to the wrong person.", bill.ids
        )
        self.assertEqual(instruction.state, "cancel")
        self.assertEqual(bill.commons_bill_state, "rejected")
        self.assertEqual(self._committed_and_available(), (0, 5000))

    # -- The grace period for late bills ----------------------------------------

    def _ended_2023(self):
        """An envelope for 2023 with a bill of 600 approved in 2023."""
        with freeze_time("2023-06-15"):
            instruction = self._instruction(
                self.loot, 1600, "2023-01-01", date_end="2023-12-31"
            )
            self._bill(self.loot, 600, "2023-06-01", instruction=instruction)
        return instruction

    def _figures_of(self, year):
        loot = self.loot.with_user(self.accountant).with_context(commons_year=year)
        loot.invalidate_recordset()
        return loot.amount_committed, loot.amount_available

    def test_an_ended_instruction_commits_until_the_grace_period_ends(self):
        self.assertEqual(self.company.commons_instruction_grace_days, 30)
        instruction = self._ended_2023()
        with freeze_time("2023-12-31"):
            instruction.invalidate_recordset()
            self.assertEqual(instruction._get_commons_status()["code"], "active")
            self.assertEqual(self._figures_of(2023), (1000, 5000 - 600 - 1000))
        with freeze_time("2024-01-30"):
            # Ended, and late bills still go against it: its remainder is
            # committed, in the figures of 2023 and of 2024.
            instruction.invalidate_recordset()
            status = instruction._get_commons_status()
            self.assertEqual(status["code"], "late")
            self.assertEqual(status["label"], "Ended: late bills until 01/30/2024")
            self.assertEqual(self._figures_of(2023), (1000, 3400))
            self.assertEqual(self._figures_of(2024), (1000, 3400))
            self.assertEqual(instruction.amount_left, 1000)
            late = self._waiting(instruction, 400, "2023-12-20")
            self.assertEqual(late.commons_bill_state, "submitted")
            instruction.invalidate_recordset()
            self.assertEqual(instruction.amount_left, 600)
        with freeze_time("2024-01-31"):
            # The grace period is over: nothing of it is committed any more,
            # and it takes no bill.
            instruction.invalidate_recordset()
            status = instruction._get_commons_status()
            self.assertEqual((status["code"], status["label"]), ("ended", "Ended"))
            self.assertEqual(self._figures_of(2023), (0, 4400))
            self.assertEqual(self._figures_of(2024), (0, 4400))
            self.assertEqual(self.loot._get_commons_available(), 4400)
            self.assertEqual(instruction.amount_left, 0)
            self.assertNotIn(
                instruction,
                instruction.search(instruction._get_commons_committing_domain()),
            )
            other = self._bill(
                self.loot, 100, "2023-12-28", post=False, instruction=instruction
            )
            with self.assertRefused(
                UserError,
                "ended on 12/31/2023 and took late bills until 01/30/2024",
            ):
                other.action_commons_submit()
            self.assertFalse(other.commons_bill_state)
            # The late bill still waiting can no longer be approved, and is
            # never stranded: a steward rejects it.
            with self.assertRefused(UserError, "took late bills until 01/30/2024"):
                self._approve(late)
            self.assertEqual(late.commons_bill_state, "submitted")
            self.assertFalse(late.sudo().commons_approval_ids)
            self.assertEqual(self._figures_of(2023), (0, 4400))
            late.with_user(self.steward).sudo().commons_reject(
                late.sudo()._get_commons_fingerprint(), "Too late for 2023."
            )
            self.assertEqual(late.commons_bill_state, "rejected")

    def test_the_grace_period_is_the_hosts_setting(self):
        """The host's grace period applies to the ends set from then on: an
        instruction that ended keeps the day it takes late bills until, so a
        raised setting never makes it commit again and a lowered one never
        strands its late bills."""
        instruction = self._ended_2023()
        self.assertEqual(str(instruction.date_bills_until), "2024-01-30")
        self.company.sudo().commons_instruction_grace_days = 0
        with freeze_time("2024-01-15"):
            instruction.invalidate_recordset()
            self.assertEqual(str(instruction.date_bills_until), "2024-01-30")
            self.assertEqual(instruction._get_commons_status()["code"], "late")
            self.assertEqual(self._figures_of(2023), (1000, 3400))
            late = self._waiting(instruction, 400, "2023-12-20")
            self.assertEqual(late.commons_bill_state, "submitted")
            self._approve(late)
            self.assertEqual(late.commons_bill_state, "approved")
        self.company.sudo().commons_instruction_grace_days = 90
        with freeze_time("2024-03-30"):
            instruction.invalidate_recordset()
            self.assertEqual(str(instruction.date_bills_until), "2024-01-30")
            self.assertEqual(instruction._get_commons_status()["code"], "ended")
            self.assertNotIn(
                instruction,
                instruction.search(instruction._get_commons_committing_domain()),
            )
            # Only the approved late bill, not posted yet, is committed.
            self.assertEqual(self._figures_of(2023), (400, 4000))
            # An end set now takes the setting of now.
            new = self._instruction(self.loot, 500, "2024-03-01", date_end="2024-03-31")
            self.assertEqual(str(new.date_bills_until), "2024-06-29")
            self._as_steward(new).commons_update({"date_end": "2024-04-30"})
            self.assertEqual(str(new.date_bills_until), "2024-07-29")
            self.assertEqual(str(instruction.date_bills_until), "2024-01-30")

    def test_extending_an_ended_instruction_commits_it_again_within_the_funds(self):
        instruction = self._ended_2023()
        with freeze_time("2024-06-01"):
            self._instruction(self.loot, 4000, "2024-06-01")
            self.assertEqual(self.loot._get_commons_available(), 400)
            # Its 1,000 left would commit again: more than the 400 available.
            with self.assertRefused(ValidationError, "does not have the funds"):
                self._as_steward(instruction).commons_update({"date_end": "2024-12-31"})
            instruction.invalidate_recordset()
            self.assertEqual(str(instruction.date_end), "2023-12-31")
            self.assertEqual(self.loot._get_commons_available(), 400)


@tagged("post_install", "-at_install")
class TestCommonsInstructionEndedInThePortals(CommonsCase, HttpCase):
    """An instruction whose period ended reads the same to its stewards and
    to its contributor: ended, and until when late bills are accepted."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.loot = cls._create_resource("Logiciel LOOT", "LOOT")
        cls._donate(cls.loot, 5000, "2023-02-15")
        with freeze_time("2023-06-15"):
            cls.instruction = cls._instruction(
                cls.loot, 1600, "2023-01-01", date_end="2023-12-31"
            )

    def _statuses(self, login, url, row_xpath):
        self.authenticate(login, login)
        page = html.fromstring(self.url_open(url).text)
        row = page.xpath(row_xpath)[0]
        status = row.xpath(".//*[contains(@class, 'o_commons_instruction_status')]")
        return (
            status[0].get("data-status"),
            " ".join(status[0].text_content().split()),
            bool(row.xpath(".//a[contains(@class, 'o_commons_bill_new')]")),
        )

    def _as_steward_and_contributor(self):
        steward = self._statuses(
            "commons_steward",
            "/my/commons",
            f"//tr[@id='commons_instruction_{self.instruction.id}']",
        )
        contributor = self._statuses(
            "commons_contributor",
            "/my/commons/bills",
            f"//tr[@data-instruction-id='{self.instruction.id}']",
        )
        return steward[:2], contributor

    def test_the_steward_reads_why_a_late_bill_cannot_be_approved(self):
        """After the grace period, the instruction's card reads that nothing
        remains of it, and the late bill still waiting says why it cannot be
        approved: the steward rejects it."""
        with freeze_time("2024-01-10"):
            bill = self._bill(
                self.loot, 300, "2023-12-20", post=False, instruction=self.instruction
            )
            bill.action_commons_submit()
        with freeze_time("2024-02-15"):
            self.authenticate("commons_steward", "commons_steward")
            page = html.fromstring(self.url_open("/my/commons").text)
            card = page.xpath(f"//div[@id='commons_bill_{bill.id}']")[0]
            text = " ".join(card.text_content().split())
            self.assertRegex(text, r"remaining \$\s?0\.00, Ended\)")
            refusal = card.xpath(".//p[contains(@class, 'o_commons_approval_refusal')]")
            self.assertIn(
                "ended on 12/31/2023 and took late bills until 01/30/2024",
                " ".join(refusal[0].text_content().split()),
            )
            self.assertFalse(card.xpath(".//*[contains(@class, 'o_commons_approve')]"))
            reject = card.xpath(".//form[contains(@class, 'o_commons_reject_form')]")[0]
            response = self.url_open(
                reject.get("action"),
                data={
                    "csrf_token": reject.xpath(".//input[@name='csrf_token']/@value")[
                        0
                    ],
                    "fingerprint": reject.xpath(".//input[@name='fingerprint']/@value")[
                        0
                    ],
                    "reason": "Too late for 2023.",
                },
            )
            self.assertEqual(response.status_code, 200)
            bill.invalidate_recordset()
            self.assertEqual(bill.commons_bill_state, "rejected")
            self.assertEqual(bill.commons_state_reason, "Too late for 2023.")

    def test_late_bills_then_ended_alike_for_steward_and_contributor(self):
        with freeze_time("2024-01-10"):
            steward, contributor = self._as_steward_and_contributor()
            expected = ("late", "Ended: late bills until 01/30/2024")
            self.assertEqual(steward, expected)
            self.assertEqual(contributor, (*expected, True), "a late bill is sent")
        with freeze_time("2024-02-15"):
            steward, contributor = self._as_steward_and_contributor()
            self.assertEqual(steward, ("ended", "Ended"))
            self.assertEqual(contributor, ("ended", "Ended", False))


@tagged("post_install", "-at_install")
class TestCommonsInstructionStewardEdit(CommonsAuditCase):
    """A steward's portal edits an instruction through the model, which checks
    who calls, what they change, the funds and the state."""

    def _as_steward(self, record, steward=None):
        """The record as the steward's portal calls it: as superuser, the
        steward still being who calls."""
        return record.with_user(steward or self.steward).sudo()

    # -- The steward's portal edits an instruction through the model --------

    def test_instruction_update_checks_the_steward(self):
        instruction = self._instruction(self.loot, 1600, "2023-05-01")
        self._as_steward(instruction).commons_update(
            {"name": "Security fixes", "amount": 2000, "date_end": "2023-12-31"}
        )
        self.assertEqual(instruction.name, "Security fixes")
        self.assertEqual(instruction.amount, 2000)
        # The portal's superuser does not make a contributor a steward, and
        # the backend and RPC get the same answer.
        for record in (
            self._as_steward(instruction, self.contributor),
            instruction.with_user(self.accountant),
        ):
            with self.assertRefused(AccessError, "Only a steward of Logiciel LOOT"):
                record.commons_update({"amount": 4000})
        self.assertEqual(instruction.amount, 2000)

    def test_instruction_update_changes_what_a_steward_edits_only(self):
        instruction = self._instruction(self.loot, 1600, "2023-05-01")
        steward = self._as_steward(instruction)
        for vals in (
            {"resource_id": self.dokos.id},
            {"contributor_id": self.contributor2.partner_id.id},
            {"state": "draft"},
            {"steward_id": self.steward2.partner_id.id},
        ):
            with self.assertRefused(AccessError, "cannot change"):
                steward.commons_update(vals)
        self.assertEqual(instruction.resource_id, self.loot)
        self.assertEqual(instruction.state, "active")

    def test_instruction_update_checks_the_funds_and_the_state(self):
        instruction = self._instruction(self.loot, 1600, "2023-05-01")
        steward = self._as_steward(instruction)
        with self.assertRefused(ValidationError, "does not have the funds"):
            steward.commons_update({"amount": 5001})
        # Days × rate make the envelope too.
        with self.assertRefused(ValidationError, "does not have the funds"):
            steward.commons_update({"days": 10, "daily_rate": 600})
        self.assertEqual(instruction.amount, 1600)
        steward.action_close()
        with self.assertRefused(UserError, "closed or cancelled instruction"):
            steward.commons_update({"name": "Reopened"})

    def test_days_and_rate_of_an_active_instruction_check_the_funds(self):
        """A steward editing an issued instruction in the backend sets days and
        a rate: the envelope they make is checked as a typed one is."""
        instruction = self._instruction(self.loot, 1600, "2023-05-01")
        with self.assertRefused(ValidationError, "does not have the funds"):
            self._as_steward(instruction).write({"days": 10, "daily_rate": 600})
        self.assertEqual(instruction.amount, 1600)
        self.assertEqual(self._loot_2023().amount_available, 5000 - 1600)

    def test_issued_instruction_stays_on_its_resource(self):
        """An envelope LOOT's stewards issued never moves onto DOKOS, whose
        stewards never decided it, nor to another contributor: not by the
        host, not by a steward of LOOT (the host's staff are never stewards)."""
        instruction = self._instruction(self.loot, 1600, "2023-05-01")
        for vals in (
            {"resource_id": self.dokos.id},
            {"contributor_id": self.contributor2.partner_id.id},
        ):
            with self.assertRefused(AccessError, "Only a steward of Logiciel LOOT"):
                instruction.with_user(self.accountant).write(vals)
            with self.assertRefused(AccessError, "A steward cannot change"):
                instruction.with_user(self.steward).sudo().commons_update(vals)
        self.assertEqual(instruction.resource_id, self.loot)
        self.assertEqual(instruction.contributor_id, self.contributor.partner_id)

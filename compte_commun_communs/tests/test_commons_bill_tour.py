# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import CommonsCase


@tagged("post_install", "-at_install")
class TestCommonsBillTour(CommonsCase, HttpCase):
    """A bill from end to end in the browser: the contributor sends it from
    their portal, a steward approves it from theirs."""

    def _emails_to(self, partner, kind):
        return self.env["mail.mail"].search(
            [
                ("recipient_ids", "in", partner.ids),
                ("mail_message_id.model", "=", "account.move"),
                ("subject", "ilike", kind),
            ]
        )

    def test_contributor_sends_a_bill_and_a_steward_approves_it(self):
        loot = self._create_loot_2023()
        self._donate(loot, 5000, "2023-03-01")
        instruction = self._instruction(loot, 1600, "2023-01-01")

        self.start_tour(
            "/my",
            "compte_commun_communs_contributor_submits_bill",
            login="commons_contributor",
        )
        bill = self.env["account.move"].search(
            [("commons_instruction_id", "=", instruction.id)]
        )
        self.assertEqual(len(bill), 1)
        # A draft vendor bill of the contributor, with what they typed,
        # charged to LOOT and waiting for its stewards.
        self.assertEqual(
            (bill.move_type, bill.state, bill.commons_bill_state),
            ("in_invoice", "draft", "submitted"),
        )
        self.assertEqual(bill.partner_id, self.contributor.partner_id)
        self.assertEqual(bill.commons_submitted_by_id, self.contributor)
        self.assertEqual(bill.ref, "F-2023-014")
        # The browser's today: a day apart at most from the server's.
        self.assertLessEqual(
            abs((bill.invoice_date - fields.Date.today()).days), 1, bill.invoice_date
        )
        self.assertEqual(bill.invoice_line_ids.mapped("name"), ["Bug fixes of June"])
        self.assertAlmostEqual(bill.amount_total, 1200)
        self.assertEqual(bill.commons_resource_id, loot)
        self.assertEqual(
            bill.invoice_line_ids.analytic_distribution,
            {str(loot.analytic_account_id.id): 100},
        )
        # The PDF the browser sent is the bill's invoice file.
        attachment = bill.message_main_attachment_id
        self.assertEqual(attachment.name, "F-2023-014.pdf")
        self.assertEqual(attachment.mimetype, "application/pdf")
        self.assertTrue(attachment.raw.startswith(b"%PDF-1.4\n"))
        self.assertTrue(attachment.raw.endswith(b"%%EOF\n"))
        # Each steward of LOOT is told the bill waits for them.
        for steward in self.steward | self.steward2:
            self.assertTrue(
                self._emails_to(steward.partner_id, "waits for your approval"),
                steward.login,
            )
        self.assertFalse(bill.commons_approval_ids)

        self.start_tour(
            "/my",
            "compte_commun_communs_steward_approves_bill",
            login="commons_steward",
        )
        bill.invalidate_recordset()
        instruction.invalidate_recordset()
        self.assertEqual(bill.commons_bill_state, "approved")
        self.assertEqual(bill.state, "draft")  # the accountant posts it
        self.assertEqual(bill.commons_approval_ids.user_id, self.steward)
        self.assertAlmostEqual(instruction.amount_remaining, 400)
        # The chatter says who approved it, and the contributor is emailed.
        approved_note = bill.message_ids.filtered(
            lambda message: "Approved by" in (message.body or "")
        )
        self.assertEqual(len(approved_note), 1, bill.message_ids.mapped("body"))
        self.assertIn(self.steward.partner_id.name, approved_note.body)
        self.assertEqual(approved_note.author_id, self.steward.partner_id)
        self.assertEqual(
            len(self._emails_to(self.contributor.partner_id, "is approved")), 1
        )

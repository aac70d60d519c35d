"""Checks of the demo database that setup/test builds as a newcomer would: the addon
installed with its demo data on Odoo's generic chart of accounts, then updated
once more (what a second setup/run does). They read the demo; the addon's own
tests never do."""

from urllib.parse import urlparse

from demo_common import DemoRpcMixin
from lxml import html

from odoo import fields
from odoo.tests import HttpCase, TransactionCase, tagged

WAITING_BILL = "compte_commun_communs.account_move_loot_bill_september_2023_demo"
REJECTION_REASON = "Ces corrections sont déjà couvertes par la facture de juin."


@tagged("post_install", "-at_install")
class TestDemoData(TransactionCase):
    def _done_donations(self):
        return self.env["donation.donation"].search([("state", "=", "done")])

    def test_every_validated_donation_equals_its_entry(self):
        donations = self._done_donations()
        self.assertEqual(len(donations), 6)
        for donation in donations:
            booked = -sum(
                donation.move_id.line_ids.filtered(
                    lambda item: item.display_type == "product"
                ).mapped("balance")
            )
            self.assertEqual(donation.move_id.state, "posted", donation.number)
            self.assertAlmostEqual(
                donation.amount_total_company_currency, booked, 2, donation.number
            )

    def test_fundings_total_after_an_update(self):
        lines = self.env["donation.line"].search([("state", "=", "done")])
        self.assertAlmostEqual(sum(lines.mapped("amount_company_currency")), 38900)
        self.assertFalse(lines.filtered(lambda line: not line.commons_resource_id))
        claire = self.env.ref("compte_commun_communs.donation_claire_2024_demo")
        self.assertEqual(len(claire.line_ids), 3)
        self.assertAlmostEqual(claire.amount_total, 300)

    def test_loot_2023_is_fully_funded(self):
        loot = self.env.ref("compte_commun_communs.commons_resource_loot_demo")
        loot = loot.with_context(commons_year=2023)
        self.assertAlmostEqual(loot.amount_funded, 5600)
        self.assertAlmostEqual(loot.coverage, 100)

    def test_the_host_is_anis_and_speaks_french(self):
        company = self.env.ref("base.main_company")
        self.assertEqual(company.name, "ANIS")
        self.assertTrue(company.logo)
        self.assertEqual(company.commons_accounts_origin, "by_type")
        self.assertEqual(company.partner_id.lang, "fr_FR")
        claire = self.env.ref("compte_commun_communs.donation_claire_2024_demo")
        self.assertEqual(claire.partner_id.lang, "fr_FR")
        # validated in French: the entry's labels and the chatter
        fee_items = self.env["account.move.line"].search(
            [("move_id", "in", self._done_donations().move_id.ids)]
        )
        self.assertTrue(
            any(
                label.startswith("Frais de gestion")
                for label in fee_items.mapped("name")
            ),
            fee_items.mapped("name"),
        )
        self.assertTrue(
            any("besoins non couverts" in (m.body or "") for m in claire.message_ids),
            claire.message_ids.mapped("body"),
        )

    def test_receipts_wait_in_the_queue_for_the_running_server(self):
        donations = self._done_donations()
        self.assertEqual(set(donations.mapped("commons_receipt_state")), {"queued"})
        self.assertFalse(donations.commons_receipt_attachment_id)
        # nothing is missing to issue them: the host's legal identity, the
        # donors' addresses, the payment mode of the payment method
        for donation in donations:
            self.assertEqual(
                donation._get_commons_receipt_missing(), [], donation.number
            )


@tagged("post_install", "-at_install")
class TestDemoStory(DemoRpcMixin, HttpCase):
    """LOOT's 2023 story: Camille, a steward, gives Sacha, a contributor, an
    envelope of 1,600 € for the bug fixes; Sacha's bill of June (1,200 €) is
    approved and posted, the one of September (300 €) waits for a steward,
    the one of August (250 €) was rejected."""

    def test_loot_figures_of_2023_after_the_story(self):
        loot = self._ref("commons_resource_loot_demo")
        self.assertFalse(loot.host_fee_override_rate)
        loot_2023 = loot.with_context(commons_year=2023)
        self.assertAlmostEqual(loot_2023.amount_carried_over, 0)
        self.assertAlmostEqual(loot_2023.amount_funded, 5600)
        # the bill of June, posted
        self.assertAlmostEqual(loot_2023.amount_spent, 1200)
        # what is left of the envelope; the waiting bill is not approved
        self.assertAlmostEqual(loot_2023.amount_committed, 400)
        self.assertAlmostEqual(loot_2023.amount_available, 4000)
        # funds do not vanish at new year: 2024 starts with what 2023 left
        loot_2024 = loot.with_context(commons_year=2024)
        self.assertAlmostEqual(loot_2024.amount_carried_over, 4400)
        self.assertAlmostEqual(loot_2024.amount_funded, 3000)
        self.assertAlmostEqual(loot_2024.amount_committed, 400)
        self.assertAlmostEqual(loot_2024.amount_available, 7000)

    def test_camille_issued_the_instruction_to_sacha(self):
        instruction = self._ref("commons_allocation_instruction_loot_bugs_2023_demo")
        self.assertEqual(instruction.state, "active")
        self.assertEqual(
            instruction.steward_id, self._ref("res_partner_loot_steward_demo")
        )
        self.assertEqual(
            instruction.contributor_id, self._ref("res_partner_loot_contributor_demo")
        )
        self.assertEqual(
            instruction.need_id, self._ref("commons_resource_need_loot_1_2023_demo")
        )
        self.assertAlmostEqual(instruction.amount, 1600)
        self.assertAlmostEqual(instruction.amount_consumed, 1200)
        self.assertAlmostEqual(instruction.amount_remaining, 400)
        self.assertEqual(instruction.bill_count, 3)

    def test_story_emails_are_in_french(self):
        """Each steward was told of Sacha's bills in French, and Sacha of
        Camille's decisions."""
        bill = self._ref("account_move_loot_bill_september_2023_demo")
        mails = self.env["mail.mail"].search(
            [("model", "=", "account.move"), ("res_id", "=", bill.id)]
        )
        self.assertEqual(
            set(mails.mapped("subject")),
            {"ANIS – Une facture de Sacha Dupont attend votre approbation"},
        )
        self.assertEqual(
            mails.recipient_ids,
            self._ref("res_partner_loot_steward_demo")
            | self._ref("res_partner_loot_steward2_demo"),
        )
        rejected = self._ref("account_move_loot_bill_june_extra_2023_demo")
        self.assertIn(
            "ANIS – Votre facture SD-2023-08 est refusée",
            self.env["mail.mail"]
            .search([("model", "=", "account.move"), ("res_id", "=", rejected.id)])
            .mapped("subject"),
        )

    def test_sacha_has_an_envelope_to_bill_this_year(self):
        instruction = self._ref(
            "commons_allocation_instruction_loot_security_current_demo"
        )
        self.assertEqual(instruction.state, "active")
        self.assertEqual(
            instruction.steward_id, self._ref("res_partner_loot_steward_demo")
        )
        # 2 days at the brief's 600 € a day
        self.assertAlmostEqual(instruction.amount, 1200)
        self.assertAlmostEqual(instruction.amount_remaining, 1200)
        self.assertGreaterEqual(instruction.date_end, fields.Date.today())

    def test_sachas_bills_tell_the_story(self):
        june = self._ref("account_move_loot_bill_june_2023_demo")
        august = self._ref("account_move_loot_bill_june_extra_2023_demo")
        september = self.env.ref(WAITING_BILL)
        self.assertEqual(
            [
                (bill.ref, bill.state, bill.commons_bill_state)
                for bill in (june, august, september)
            ],
            [
                ("SD-2023-07", "posted", "approved"),
                ("SD-2023-08", "draft", "rejected"),
                ("SD-2023-10", "draft", "submitted"),
            ],
        )
        self.assertEqual(
            june.commons_approval_ids.partner_id,
            self._ref("res_partner_loot_steward_demo"),
        )
        self.assertEqual(august.commons_state_reason, REJECTION_REASON)
        sacha = self._ref("res_users_loot_contributor_demo")
        for bill in june | august | september:
            self.assertEqual(bill.partner_id, sacha.partner_id, bill.ref)
            self.assertEqual(bill.commons_submitted_by_id, sacha, bill.ref)
            self.assertEqual(bill.commons_resource_id.code, "LOOT", bill.ref)
            # a micro-entrepreneur's bill: no VAT, and the legal mention
            self.assertFalse(bill.amount_tax, bill.ref)
            self.assertIn("293 B", str(bill.narration), bill.ref)
            # the invoice file, which the stewards preview
            attachment = bill.message_main_attachment_id
            self.assertEqual(attachment.mimetype, "application/pdf", bill.ref)
            self.assertTrue(attachment.raw.startswith(b"%PDF-"), bill.ref)

    def test_loot_has_two_stewards_who_log_in(self):
        loot = self._ref("commons_resource_loot_demo")
        camille = self._ref("res_users_loot_steward_demo")
        lou = self._ref("res_users_loot_steward2_demo")
        self.assertEqual(loot.steward_ids, camille.partner_id | lou.partner_id)
        self.assertEqual(
            (camille.partner_id.name, lou.partner_id.name),
            ("Camille Martin", "Lou Bernard"),
        )
        for user in camille | lou:
            self.assertTrue(user._is_portal(), user.login)
            self.assertEqual(user.lang, "fr_FR", user.login)
            self.authenticate(user.login, user.login)
            self.assertEqual(self.session.uid, user.id, user.login)

    def test_nobody_but_a_steward_approves_the_waiting_bill(self):
        bill = self.env.ref(WAITING_BILL)
        # the accountant can neither post it nor approve it, nor can the
        # administrator or Sacha approve it
        response = self._call_kw(
            "accountant", "account.move", "action_post", [bill.ids]
        )
        self.assertEqual(
            response["error"]["data"]["name"], "odoo.exceptions.UserError", response
        )
        self.assertIn("SD-2023-10", response["error"]["data"]["message"])
        for login in ("accountant", "admin", "contributor"):
            response = self._call_kw(
                login, "account.move", "action_commons_approve", [bill.ids]
            )
            self.assertEqual(
                response["error"]["data"]["name"],
                "odoo.exceptions.AccessError",
                (login, response),
            )
            if login != "contributor":  # a portal user does not even read it
                self.assertIn(
                    "Logiciel LOOT", response["error"]["data"]["message"], login
                )
        bill.invalidate_recordset()
        self.assertEqual((bill.state, bill.commons_bill_state), ("draft", "submitted"))
        self.assertFalse(bill.commons_approval_ids)
        # Lou, the other steward, approves it, as the stewards' portal does
        lou = self._ref("res_users_loot_steward2_demo")
        bill.with_user(lou).sudo().action_commons_approve()
        self.assertEqual(bill.commons_bill_state, "approved")
        instruction = bill.commons_instruction_id
        instruction.invalidate_recordset()
        self.assertAlmostEqual(instruction.amount_remaining, 100)
        # approved, not posted yet: still committed, not spent
        loot_2023 = bill.commons_resource_id.with_context(commons_year=2023)
        self.assertAlmostEqual(loot_2023.amount_spent, 1200)
        self.assertAlmostEqual(loot_2023.amount_committed, 400)
        self.assertAlmostEqual(loot_2023.amount_available, 4000)
        # and the accountant posts it: spent, no longer committed
        accountant = self._ref("res_users_accountant_demo")
        bill.with_user(accountant).action_post()
        self.assertEqual(bill.state, "posted")
        self.env["commons.resource"].invalidate_model()
        self.assertAlmostEqual(loot_2023.amount_spent, 1500)
        self.assertAlmostEqual(loot_2023.amount_committed, 100)
        self.assertAlmostEqual(loot_2023.amount_available, 4000)

    def _portal_page(self, login, path):
        """The portal page ``path`` as the demo user ``login`` reads it."""
        self.authenticate(login, login)
        response = self.url_open(path)
        response.raise_for_status()
        # not sent back to /my: the page is theirs, in French, their language
        self.assertEqual(urlparse(response.url).path, f"/fr{path}", login)
        return html.fromstring(response.text)

    @staticmethod
    def _text(element):
        return " ".join(element.text_content().split())

    def test_the_stewards_find_the_waiting_bill_in_their_portal(self):
        bill = self.env.ref(WAITING_BILL)
        for login in ("steward", "steward2"):  # Camille, then Lou
            page = self._portal_page(login, "/my/commons")
            resources = page.xpath(
                "//section[contains(@class, 'o_commons_steward_resource')]"
            )
            self.assertEqual(
                [self._text(r.xpath(".//h4")[0]) for r in resources],
                ["Logiciel LOOT"],
                login,
            )
            # the bill of September is the only one waiting for them, with
            # its invoice file and their Approve and Reject buttons
            cards = page.xpath("//div[contains(@class, 'o_commons_bill_to_decide')]")
            self.assertEqual(
                [card.get("id") for card in cards], [f"commons_bill_{bill.id}"], login
            )
            card = cards[0]
            self.assertEqual(
                self._text(
                    card.xpath(".//*[contains(@class, 'o_commons_bill_ref')]")[0]
                ),
                "SD-2023-10",
            )
            self.assertIn("Sacha", self._text(card))
            # what the envelope keeps after it: 400 - 300
            remaining = card.xpath(
                ".//*[contains(@class, 'o_commons_remaining_after')]"
            )
            self.assertIn("100,00", self._text(remaining[0]), login)
            self.assertTrue(
                card.xpath(".//a[contains(@class, 'o_commons_bill_file_view')]"), login
            )
            self.assertTrue(
                card.xpath(".//button[contains(@class, 'o_commons_approve')]"), login
            )
            self.assertTrue(
                card.xpath(".//button[contains(@class, 'o_commons_reject')]"), login
            )

    def test_sacha_reads_why_a_bill_was_rejected_in_his_portal(self):
        august = self._ref("account_move_loot_bill_june_extra_2023_demo")
        page = self._portal_page("contributor", "/my/commons/bills")
        rows = {
            self._text(row.xpath("./td[1]")[0]): row
            for row in page.xpath("//tr[contains(@class, 'o_commons_bill_row')]")
        }
        self.assertEqual(
            {
                ref: row.xpath(".//*[contains(@class, 'o_commons_bill_status')]")[
                    0
                ].get("data-status")
                for ref, row in rows.items()
            },
            {
                "SD-2023-07": "posted",
                "SD-2023-08": "rejected",
                "SD-2023-10": "submitted",
            },
        )
        reasons = {
            ref: [
                self._text(reason)
                for reason in row.xpath(
                    ".//*[contains(@class, 'o_commons_bill_reason')]"
                )
            ]
            for ref, row in rows.items()
        }
        self.assertEqual(
            reasons,
            {"SD-2023-07": [], "SD-2023-08": [REJECTION_REASON], "SD-2023-10": []},
        )
        # and on the bill's own page
        page = self._portal_page("contributor", f"/my/commons/bills/{august.id}")
        reason = page.xpath("//*[contains(@class, 'o_commons_bill_reason')]")
        self.assertEqual(len(reason), 1)
        self.assertIn(REJECTION_REASON, self._text(reason[0]))

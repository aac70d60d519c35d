"""Checks of the demo database that setup/test builds as a newcomer would: the addon
installed with its demo data on Odoo's generic chart of accounts, then updated
once more (what a second setup/run does). They read the demo; the addon's own
tests never do."""

from urllib.parse import urlparse

from demo_common import DemoRpcMixin
from lxml import html

from odoo import fields
from odoo.tests import HttpCase, TransactionCase, tagged
from odoo.tools.misc import format_amount

WAITING_BILL = "compte_commun_communs.account_move_loot_bill_security_current_demo"
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
    """LOOT's story, which holds whatever the day the demo is installed. In
    2023, Camille, a steward, gave Sacha, a contributor, an envelope of
    1,600 € for the bug fixes: Sacha's bill of June (1,200 €) was approved and
    posted, the one of August (250 €) rejected, and the envelope ended with
    2023 (its 400 € left are no longer committed). This year, the envelope
    "Sécurisation" (1,200 €): Sacha's first bill (600 €) waits for a steward."""

    def _this_year(self):
        return fields.Date.context_today(self.env.user).year

    def _figures(self, year):
        loot = self._ref("commons_resource_loot_demo").with_context(commons_year=year)
        loot.invalidate_recordset()
        return {
            "carried_over": loot.amount_carried_over,
            "funded": loot.amount_funded,
            "spent": loot.amount_spent,
            "committed": loot.amount_committed,
            "available": loot.amount_available,
        }

    def test_loot_figures_after_the_story(self):
        loot = self._ref("commons_resource_loot_demo")
        self.assertFalse(loot.host_fee_override_rate)
        # 2023: the bill of June, posted; the envelope of 2023 has ended, what
        # is left of it is promised to nobody; the bill waiting is this year's
        self.assertEqual(
            self._figures(2023),
            {
                "carried_over": 0,
                "funded": 5600,
                "spent": 1200,
                "committed": 0,
                "available": 4400,
            },
        )
        # funds do not vanish at new year: 2024 starts with what 2023 left
        self.assertEqual(
            self._figures(2024),
            {
                "carried_over": 4400,
                "funded": 3000,
                "spent": 0,
                "committed": 0,
                "available": 7400,
            },
        )
        # this year: the envelope "Sécurisation" is committed, the bill
        # waiting on it is not approved yet; Noé's security review is billed,
        # approved and posted (spent; it waits for his IBAN to be paid)
        self.assertEqual(
            self._figures(self._this_year()),
            {
                "carried_over": 7400,
                "funded": 0,
                "spent": 800,
                "committed": 1200,
                "available": 5400,
            },
        )

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
        self.assertEqual(instruction.bill_count, 2)
        # ended with 2023, and the grace period for late bills is over: it
        # reads ended, takes no bill, and commits nothing, so nothing of it
        # remains (its 400 € are promised to nobody)
        self.assertEqual(str(instruction.date_end), "2023-12-31")
        self.assertEqual(str(instruction.date_bills_until), "2024-01-30")
        self.assertEqual(instruction._get_commons_status()["code"], "ended")
        self.assertAlmostEqual(instruction.amount_remaining, 0)
        self.assertAlmostEqual(instruction.amount_left, 0)
        self.assertNotIn(
            instruction,
            instruction.search(instruction._get_commons_committing_domain()),
        )

    def test_story_emails_are_in_french(self):
        """Each steward was told of Sacha's bills in French, and Sacha of
        Camille's decisions."""
        bill = self.env.ref(WAITING_BILL)
        mails = self.env["mail.mail"].search(
            [("model", "=", "account.move"), ("res_id", "=", bill.id)]
        )
        # the subject names the bill and its amount, in French
        amount = format_amount(self.env, bill.amount_total, bill.currency_id, "fr_FR")
        self.assertEqual(
            set(mails.mapped("subject")),
            {
                f"ANIS – Facture {bill.ref} de Sacha Dupont ({amount}) en attente "
                "de votre approbation"
            },
        )
        self.assertIn("Facture de Sacha Dupont", mails[0].body_html)
        self.assertNotIn("Pièce comptable", mails[0].body_html)
        self.assertEqual(
            mails.recipient_ids,
            self._ref("res_partner_loot_steward_demo")
            | self._ref("res_partner_loot_steward2_demo"),
        )
        rejected = self._ref("account_move_loot_bill_june_extra_2023_demo")
        amount = format_amount(
            self.env, rejected.amount_total, rejected.currency_id, "fr_FR"
        )
        self.assertIn(
            f"ANIS – Votre facture SD-2023-08 ({amount}) est refusée",
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
        # 2 days at the brief's 600 € a day; the first one's bill waits
        self.assertAlmostEqual(instruction.amount, 1200)
        self.assertAlmostEqual(instruction.amount_consumed, 0)
        self.assertAlmostEqual(instruction.amount_remaining, 1200)
        self.assertAlmostEqual(instruction.amount_waiting, 600)
        self.assertAlmostEqual(instruction.amount_left, 600)
        self.assertEqual(instruction.date_start.year, self._this_year())
        self.assertGreaterEqual(instruction.date_end, fields.Date.today())
        self.assertEqual(instruction._get_commons_status()["code"], "active")

    def test_sachas_bills_tell_the_story(self):
        june = self._ref("account_move_loot_bill_june_2023_demo")
        august = self._ref("account_move_loot_bill_june_extra_2023_demo")
        waiting = self.env.ref(WAITING_BILL)
        security = self._ref(
            "commons_allocation_instruction_loot_security_current_demo"
        )
        self.assertEqual(
            [
                (bill.ref, bill.state, bill.commons_bill_state)
                for bill in (june, august, waiting)
            ],
            [
                ("SD-2023-07", "posted", "approved"),
                ("SD-2023-08", "draft", "rejected"),
                (f"SD-{waiting.invoice_date.year}-01", "draft", "submitted"),
            ],
        )
        # the waiting bill is of this year's envelope, dated within it
        self.assertEqual(waiting.commons_instruction_id, security)
        self.assertTrue(
            security.date_start <= waiting.invoice_date <= security.date_end
        )
        self.assertAlmostEqual(waiting.amount_total, 600)
        self.assertEqual(
            june.commons_approval_ids.partner_id,
            self._ref("res_partner_loot_steward_demo"),
        )
        self.assertEqual(august.commons_state_reason, REJECTION_REASON)
        sacha = self._ref("res_users_loot_contributor_demo")
        for bill in june | august | waiting:
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
        self.assertEqual(
            waiting.message_main_attachment_id.name, f"Facture {waiting.ref}.pdf"
        )

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
        fingerprint = bill._get_commons_fingerprint()
        # the accountant can neither post it nor approve it, nor can the
        # administrator or Sacha approve it, even with the bill as it is
        response = self._call_kw(
            "accountant", "account.move", "action_post", [bill.ids]
        )
        self.assertEqual(
            response["error"]["data"]["name"], "odoo.exceptions.UserError", response
        )
        self.assertIn(bill.ref, response["error"]["data"]["message"])
        for login in ("accountant", "admin", "contributor"):
            response = self._call_kw(
                login, "account.move", "commons_approve", [bill.ids, fingerprint]
            )
            self.assertEqual(
                response["error"]["data"]["name"],
                "odoo.exceptions.AccessError",
                (login, response),
            )
            self.assertIn("Logiciel LOOT", response["error"]["data"]["message"], login)
            # and there is no approval without the bill as it was read
            response = self._call_kw(
                login, "account.move", "commons_approve", [bill.ids]
            )
            self.assertIn("error", response, login)
        bill.invalidate_recordset()
        self.assertEqual((bill.state, bill.commons_bill_state), ("draft", "submitted"))
        self.assertFalse(bill.commons_approval_ids)
        # Lou, the other steward, approves it as the stewards' portal does,
        # through the rules of today: this year's envelope takes it
        lou = self._ref("res_users_loot_steward2_demo")
        bill.with_user(lou).sudo().commons_approve(fingerprint)
        self.assertEqual(bill.commons_bill_state, "approved")
        instruction = bill.commons_instruction_id
        instruction.invalidate_recordset()
        self.assertAlmostEqual(instruction.amount_remaining, 600)
        # approved, not posted yet: still committed, not spent (what is
        # spent is Noé's posted bill)
        year = self._this_year()
        figures = self._figures(year)
        self.assertEqual(
            (figures["spent"], figures["committed"], figures["available"]),
            (800, 1200, 5400),
        )
        # and the accountant posts it: spent, no longer committed
        accountant = self._ref("res_users_accountant_demo")
        bill.with_user(accountant).action_post()
        self.assertEqual(bill.state, "posted")
        figures = self._figures(year)
        self.assertEqual(
            (figures["spent"], figures["committed"], figures["available"]),
            (1400, 600, 5400),
        )

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
                bill.ref,
            )
            self.assertIn("Sacha", self._text(card))
            # what the envelope keeps after it: 1,200 - 600
            remaining = card.xpath(
                ".//*[contains(@class, 'o_commons_remaining_after')]"
            )
            self.assertIn("600,00", self._text(remaining[0]), login)
            self.assertTrue(
                card.xpath(".//a[contains(@class, 'o_commons_bill_file_view')]"), login
            )
            self.assertTrue(
                card.xpath(".//button[contains(@class, 'o_commons_approve')]"), login
            )
            self.assertTrue(
                card.xpath(".//button[contains(@class, 'o_commons_reject')]"), login
            )

    def _instruction_status(self, login, path, row_xpath):
        page = self._portal_page(login, path)
        status = page.xpath(row_xpath)[0].xpath(
            ".//*[contains(@class, 'o_commons_instruction_status')]"
        )[0]
        return status.get("data-status"), self._text(status)

    def test_the_ended_envelope_reads_alike_to_steward_and_contributor(self):
        instruction = self._ref("commons_allocation_instruction_loot_bugs_2023_demo")
        steward = self._instruction_status(
            "steward",
            "/my/commons",
            f"//tr[@id='commons_instruction_{instruction.id}']",
        )
        contributor = self._instruction_status(
            "contributor",
            "/my/commons/bills",
            f"//tr[@data-instruction-id='{instruction.id}']",
        )
        self.assertEqual(steward[0], "ended")
        self.assertEqual(steward, contributor)
        self.assertTrue(steward[1])

    def test_sacha_reads_why_a_bill_was_rejected_in_his_portal(self):
        august = self._ref("account_move_loot_bill_june_extra_2023_demo")
        waiting = self.env.ref(WAITING_BILL)
        page = self._portal_page("contributor", "/my/commons/bills")
        rows = {
            self._text(row.xpath("./td[1]/a")[0]): row
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
                # paid through the demo's SEPA payment order
                "SD-2023-07": "paid",
                "SD-2023-08": "rejected",
                waiting.ref: "submitted",
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
            {"SD-2023-07": [], "SD-2023-08": [REJECTION_REASON], waiting.ref: []},
        )
        # and on the bill's own page
        page = self._portal_page("contributor", f"/my/commons/bills/{august.id}")
        reason = page.xpath("//*[contains(@class, 'o_commons_bill_reason')]")
        self.assertEqual(len(reason), 1)
        self.assertIn(REJECTION_REASON, self._text(reason[0]))

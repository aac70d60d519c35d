# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from urllib.parse import urlparse

from lxml import html

from odoo import Command, fields
from odoo.tests import HttpCase, tagged

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import CommonsCase

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


@tagged("post_install", "-at_install")
class TestCommonsPortalSteward(CommonsCase, HttpCase):
    """What a steward decides in /my/commons: the bills of the resources they
    steward, and the allocation instructions they issue."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.loot = cls._create_loot_2023()
        cls._donate(cls.loot, 5000, "2023-03-01")
        cls.instruction = cls._instruction(cls.loot, 1600, "2023-01-01")
        cls.bill = cls._submitted_bill(cls.loot, 1200, "F-2023-014", cls.instruction)
        # DOKOS has its own stewards and contributor.
        cls.dokos_steward, cls.dokos_contributor = (
            mail_new_test_user(
                cls.env,
                login=login,
                name=name,
                email=f"{login}@example.org",
                groups="base.group_portal",
            )
            for login, name in (
                ("dokos_steward", "Alex Durand"),
                ("dokos_contributor", "Sam Petit"),
            )
        )
        cls.dokos = cls._create_resource("Dokos", "DOKOS", people=False)
        cls.dokos.write(
            {
                "steward_ids": [Command.set(cls.dokos_steward.partner_id.ids)],
                "contributor_ids": [Command.set(cls.dokos_contributor.partner_id.ids)],
            }
        )
        cls._donate(cls.dokos, 3000, "2023-03-01")
        cls.dokos_bill = cls._submitted_bill(
            cls.dokos, 300, "DK-001", contributor=cls.dokos_contributor
        )

    @classmethod
    def _submitted_bill(cls, resource, amount, ref, instruction=None, contributor=None):
        """A bill submitted to the stewards, with its invoice file."""
        bill = cls._bill(
            resource,
            amount,
            "2023-06-01",
            post=False,
            instruction=instruction,
            contributor=contributor,
        )
        bill.ref = ref
        cls.env["ir.attachment"].create(
            {
                "name": f"{ref}.pdf",
                "raw": PDF,
                "mimetype": "application/pdf",
                "res_model": "account.move",
                "res_id": bill.id,
            }
        )
        bill.action_commons_submit()
        return bill

    def setUp(self):
        super().setUp()
        self.authenticate("commons_steward", "commons_steward")

    # -- helpers ---------------------------------------------------------------

    def _csrf(self, url="/my/account"):
        """A CSRF token of the current session, read from a portal form."""
        page = html.fromstring(self.url_open(url).text)
        return page.xpath("//input[@name='csrf_token']/@value")[0]

    def _page(self):
        response = self.url_open("/my/commons")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(urlparse(response.url).path, "/my/commons")
        return html.fromstring(response.text)

    def _bill_card(self, page, bill):
        cards = page.xpath(f"//div[@id='commons_bill_{bill.id}']")
        return cards[0] if cards else None

    def _text(self, node):
        return " ".join(node.text_content().split())

    def _notice(self, page):
        notices = page.xpath("//div[contains(@class, 'o_commons_notice')]")
        return self._text(notices[0]) if notices else ""

    def _post(self, url, data=None, csrf=True):
        # A field at least, or url_open sends a GET.
        data = {"submit": "1", **(data or {})}
        if csrf:
            data["csrf_token"] = self._csrf()
        return self.url_open(url, data=data)

    def _shown_fingerprint(self, bill):
        """The bill as the steward's page shows it, which its Approve and
        Reject forms carry; for a bill the page does not offer to decide on,
        what a forged form would carry: the bill as it is."""
        response = self.url_open("/my/commons")
        card = (
            self._bill_card(html.fromstring(response.text), bill)
            if urlparse(response.url).path == "/my/commons"
            else None
        )
        shown = (
            card.xpath(
                ".//form[contains(@class, 'o_commons_approve_form')]"
                "//input[@name='fingerprint']/@value"
            )
            if card is not None
            else []
        )
        return shown[0] if shown else bill.sudo()._get_commons_fingerprint()

    def _approve(self, bill, fingerprint=None, **kwargs):
        return self._post(
            f"/my/commons/approvals/{bill.id}/approve",
            {"fingerprint": fingerprint or self._shown_fingerprint(bill)},
            **kwargs,
        )

    def _reject(self, bill, reason, fingerprint=None, **kwargs):
        return self._post(
            f"/my/commons/approvals/{bill.id}/reject",
            {
                "reason": reason,
                "fingerprint": fingerprint or self._shown_fingerprint(bill),
            },
            **kwargs,
        )

    def _contributor_emails(self, bill, partner=None):
        partner = partner or self.contributor.partner_id
        return self.env["mail.mail"].search(
            [
                ("model", "=", "account.move"),
                ("res_id", "=", bill.id),
                ("recipient_ids", "in", partner.ids),
            ]
        )

    # -- the page ---------------------------------------------------------------

    def test_home_card_counts_bills_to_decide(self):
        counters = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["commons_approval_count"]}
        )
        self.assertEqual(counters["commons_approval_count"], 1)
        response = self.url_open("/my")
        card = html.fromstring(response.text).xpath(
            "//a[@href='/my/commons']/ancestor::div[contains(@class, "
            "'o_portal_index_card')]"
        )
        self.assertTrue(card)
        self.assertNotIn("d-none", card[0].get("class"))

    def test_home_card_hidden_for_who_stewards_nothing(self):
        self.authenticate("commons_contributor", "commons_contributor")
        counters = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["commons_approval_count"]}
        )
        self.assertEqual(counters["commons_approval_count"], 0)
        card = html.fromstring(self.url_open("/my").text).xpath(
            "//a[@href='/my/commons']/ancestor::div[contains(@class, "
            "'o_portal_index_card')]"
        )
        self.assertIn("d-none", card[0].get("class"))

    def test_contributor_who_is_a_steward_sees_both_roles(self):
        """A contributor of LOOT with an envelope to bill, who is also a
        steward of DOKOS: both cards, and DOKOS's bill to decide."""
        self._instruction(self.loot, 300, "2023-01-01", contributor=self.contributor2)
        # DOKOS's steward confirms the host's proposal.
        self.dokos.with_user(self.accountant).action_commons_propose(
            "add_steward", partner_id=self.contributor2.partner_id.id
        ).with_user(self.dokos_steward).sudo().action_commons_confirm()
        self.authenticate("commons_contributor2", "commons_contributor2")
        counters = self.make_jsonrpc_request(
            "/my/counters",
            {"counters": ["commons_approval_count", "commons_bill_count"]},
        )
        self.assertEqual(counters["commons_approval_count"], 1)
        home = html.fromstring(self.url_open("/my").text)
        for url in ("/my/commons", "/my/commons/bills"):
            card = home.xpath(
                f"//a[@href='{url}']/ancestor::div[contains(@class, "
                "'o_portal_index_card')]"
            )
            self.assertNotIn("d-none", card[0].get("class"), url)
        page = self._page()
        self.assertIn("DK-001", self._text(page))
        self.assertNotIn("F-2023-014", self._text(page))
        self.assertEqual(self.url_open("/my/commons/bills").status_code, 200)

    def test_page_lists_submitted_bill_with_remaining_envelope(self):
        page = self._page()
        card = self._bill_card(page, self.bill)
        self.assertIsNotNone(card)
        text = self._text(card)
        self.assertIn("Sacha Dupont", text)
        self.assertIn("F-2023-014", text)
        self.assertIn("1,200.00", text)
        self.assertIn(self.instruction.reference, text)
        self.assertIn("Bug fixes", text)
        self.assertIn("1,600.00", text)
        remaining = card.xpath(".//dd[contains(@class, 'o_commons_remaining_after')]")
        self.assertIn("400.00", self._text(remaining[0]))
        self.assertTrue(
            card.xpath(".//form[contains(@class, 'o_commons_approve_form')]")
        )
        # The figures of the year and the instruction are on the page too.
        self.assertTrue(
            page.xpath("//dl[contains(@class, 'o_commons_steward_figures')]")
        )
        rows = page.xpath("//tr[contains(@class, 'o_commons_instruction_row')]")
        self.assertIn(self.instruction.reference, self._text(rows[0]))
        # Nothing of DOKOS.
        self.assertIsNone(self._bill_card(page, self.dokos_bill))
        self.assertNotIn("DK-001", html.tostring(page, encoding="unicode"))

    def test_bill_without_instruction_shows_available_after(self):
        bill = self._submitted_bill(self.loot, 250, "F-NO-INSTR")
        available = self.loot._get_commons_available()
        card = self._bill_card(self._page(), bill)
        remaining = self._text(
            card.xpath(".//dd[contains(@class, 'o_commons_remaining_after')]")[0]
        )
        self.assertIn(f"{available - 250:,.2f}", remaining)

    def _left_after(self, page, bill):
        card = self._bill_card(page, bill)
        return self._text(
            card.xpath(".//dd[contains(@class, 'o_commons_remaining_after')]")[0]
        )

    def test_what_is_left_after_each_bill_counts_the_bills_before_it(self):
        """Three bills wait on the envelope of 1,600: each shows what is left
        once it and those listed before it are approved, not as if alone."""
        second = self._submitted_bill(self.loot, 250, "F-2023-020", self.instruction)
        third = self._submitted_bill(self.loot, 100, "F-2023-021", self.instruction)
        page = self._page()
        self.assertTrue(
            page.xpath("//p[contains(@class, 'o_commons_waiting_order')]"),
            "the page says how it counts",
        )
        cards = page.xpath("//div[contains(@class, 'o_commons_bill_to_decide')]")
        self.assertEqual(
            [card.get("id") for card in cards[:3]],
            [f"commons_bill_{bill.id}" for bill in (self.bill, second, third)],
        )
        for bill, left in ((self.bill, "400.00"), (second, "150.00"), (third, "50.00")):
            self.assertIn(left, self._left_after(page, bill), bill.ref)
        # The instruction's row: what waits, and what is left to bill.
        row = page.xpath(f"//tr[@id='commons_instruction_{self.instruction.id}']")[0]

        def cell(name):
            return self._text(
                row.xpath(f".//td[contains(@class, 'o_commons_instruction_{name}')]")[0]
            )

        self.assertRegex(cell("amount_waiting"), r"^\D*1,550\.00$")
        self.assertRegex(cell("left"), r"^\D*50\.00$")

    def test_available_after_each_bill_without_instruction(self):
        first = self._submitted_bill(self.loot, 250, "F-NO-1")
        second = self._submitted_bill(self.loot, 300, "F-NO-2")
        available = self.loot._get_commons_available()
        page = self._page()
        self.assertIn(f"{available - 250:,.2f}", self._left_after(page, first))
        self.assertIn(f"{available - 550:,.2f}", self._left_after(page, second))

    def _queries(self, request):
        """How many queries ``request``, an HTTP request, makes."""
        count = self.cr.sql_log_count
        request()
        return self.cr.sql_log_count - count

    def test_page_and_counter_queries_do_not_grow_with_the_bills(self):
        """The /my counter takes the same queries for 1 and for 10 bills
        waiting for the steward; the page shows them all, each with its
        Approve form (test_commons_portal_steward_pages.py counts the queries
        of the paged list)."""

        def counter():
            return self.make_jsonrpc_request(
                "/my/counters", {"counters": ["commons_approval_count"]}
            )["commons_approval_count"]

        def measure():
            # Once to warm the caches up (routing, templates, access rights).
            counter()
            return self._queries(counter)

        self.assertEqual(counter(), 1)
        one = measure()
        for index in range(9):
            self._submitted_bill(
                self.loot, 10, f"F-2023-1{index:02d}", self.instruction
            )
        self.assertEqual(counter(), 10)
        self.assertEqual(
            len(
                self._page().xpath("//form[contains(@class, 'o_commons_approve_form')]")
            ),
            10,
        )
        self.assertEqual(measure(), one)

    def test_invoice_file_inline(self):
        response = self.url_open(f"/my/commons/approvals/{self.bill.id}/file")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, PDF)
        self.assertEqual(response.headers["Content-Type"], "application/pdf")
        self.assertNotIn("attachment", response.headers.get("Content-Disposition", ""))
        download = self.url_open(
            f"/my/commons/approvals/{self.bill.id}/file?download=1"
        )
        self.assertIn("attachment", download.headers["Content-Disposition"])

    # -- deciding ---------------------------------------------------------------

    def test_approve(self):
        response = self._approve(self.bill)
        self.assertEqual(urlparse(response.url).path, "/my/commons")
        self.bill.invalidate_recordset()
        self.assertEqual(self.bill.commons_bill_state, "approved")
        approval = self.bill.commons_approval_ids
        self.assertEqual(approval.partner_id, self.steward.partner_id)
        message = self.bill.message_ids.filtered(
            lambda m: "Approved by Camille Martin" in (m.body or "")
        )
        self.assertEqual(message.author_id, self.steward.partner_id)
        self.assertTrue(message.date)
        emails = self._contributor_emails(self.bill)
        self.assertTrue(emails.filtered(lambda m: "approved" in m.subject))
        page = html.fromstring(response.text)
        self.assertIn("F-2023-014 is approved", self._notice(page))
        self.assertIsNone(self._bill_card(page, self.bill))
        decisions = page.xpath("//tr[contains(@class, 'o_commons_decision_row')]")
        self.assertIn("F-2023-014", self._text(decisions[0]))

    def test_reject_needs_a_reason(self):
        response = self._reject(self.bill, "  ")
        page = html.fromstring(response.text)
        self.assertIn("Say why the bill is rejected", self._notice(page))
        self.bill.invalidate_recordset()
        self.assertEqual(self.bill.commons_bill_state, "submitted")
        self.assertFalse(self.bill.commons_state_reason)
        self.assertIsNotNone(self._bill_card(page, self.bill))

    def test_reject_with_reason(self):
        response = self._reject(self.bill, "The days are not in the instruction.")
        self.assertIn("rejected", self._notice(html.fromstring(response.text)))
        self.bill.invalidate_recordset()
        self.assertEqual(self.bill.commons_bill_state, "rejected")
        self.assertEqual(
            self.bill.commons_state_reason, "The days are not in the instruction."
        )
        emails = self._contributor_emails(self.bill)
        self.assertTrue(emails.filtered(lambda m: "reject" in m.subject.lower()))

    def test_missing_csrf_is_refused(self):
        response = self._approve(self.bill, csrf=False)
        self.assertEqual(response.status_code, 400)
        response = self._reject(self.bill, "No.", csrf=False)
        self.assertEqual(response.status_code, 400)
        self.bill.invalidate_recordset()
        self.assertEqual(self.bill.commons_bill_state, "submitted")
        self.assertFalse(self.bill.commons_approval_ids)

    def test_get_does_not_decide(self):
        response = self.url_open(f"/my/commons/approvals/{self.bill.id}/approve")
        self.assertNotEqual(response.status_code, 200)
        self.bill.invalidate_recordset()
        self.assertEqual(self.bill.commons_bill_state, "submitted")

    def test_steward_of_another_resource_is_refused(self):
        self.authenticate("dokos_steward", "dokos_steward")
        page = self._page()
        self.assertIsNone(self._bill_card(page, self.bill))
        self.assertIsNotNone(self._bill_card(page, self.dokos_bill))
        self.assertNotIn("F-2023-014", html.tostring(page, encoding="unicode"))
        for url in (
            f"/my/commons/approvals/{self.bill.id}/file",
            f"/my/commons/instructions/{self.instruction.id}",
            f"/my/commons/resources/{self.loot.id}/instructions/new",
        ):
            response = self.url_open(url)
            self.assertEqual(urlparse(response.url).path, "/my", url)
            self.assertNotIn(b"%PDF", response.content)
        for response in (
            self._approve(self.bill),
            self._reject(self.bill, "Not mine"),
            self._post(f"/my/commons/instructions/{self.instruction.id}/close"),
            self._post(
                f"/my/commons/instructions/{self.instruction.id}",
                {"name": "Taken", "amount": "1"},
            ),
        ):
            self.assertEqual(urlparse(response.url).path, "/my")
        self.bill.invalidate_recordset()
        self.instruction.invalidate_recordset()
        self.assertEqual(self.bill.commons_bill_state, "submitted")
        self.assertEqual(self.instruction.state, "active")
        self.assertEqual(self.instruction.name, "Bug fixes")

    def test_contributor_and_funder_are_refused(self):
        for login in ("commons_contributor", "commons_portal"):
            self.authenticate(login, login)
            for url in (
                "/my/commons",
                f"/my/commons/approvals/{self.bill.id}/file",
                f"/my/commons/instructions/{self.instruction.id}",
            ):
                response = self.url_open(url)
                self.assertEqual(urlparse(response.url).path, "/my", (login, url))
            response = self._approve(self.bill)
            self.assertEqual(urlparse(response.url).path, "/my")
        self.bill.invalidate_recordset()
        self.assertEqual(self.bill.commons_bill_state, "submitted")

    def test_anonymous_is_refused(self):
        self.authenticate(None, None)
        for url in ("/my/commons", f"/my/commons/approvals/{self.bill.id}/file"):
            response = self.url_open(url)
            self.assertEqual(urlparse(response.url).path, "/web/login", url)
            self.assertNotIn(b"%PDF", response.content)
        response = self.url_open(
            f"/my/commons/approvals/{self.bill.id}/approve", data={"submit": "1"}
        )
        self.assertNotEqual(urlparse(response.url).path, "/my/commons")
        self.bill.invalidate_recordset()
        self.assertEqual(self.bill.commons_bill_state, "submitted")

    def test_two_stewards_above_threshold(self):
        self.loot.with_user(self.accountant).commons_double_approval_amount = 1000
        response = self._approve(self.bill)
        self.assertIn("another steward", self._notice(html.fromstring(response.text)))
        self.bill.invalidate_recordset()
        self.assertEqual(self.bill.commons_bill_state, "submitted")
        self.assertFalse(self._contributor_emails(self.bill))
        # The first steward sees their approval waiting for the other.
        waiting = self._page().xpath(
            "//ul[contains(@class, 'o_commons_bills_approved_by_me')]"
        )
        self.assertIn("1/2", self._text(waiting[0]))
        self.authenticate("commons_steward2", "commons_steward2")
        card = self._bill_card(self._page(), self.bill)
        approvals = card.xpath(".//dd[contains(@class, 'o_commons_bill_approvals')]")
        self.assertIn("1/2", self._text(approvals[0]))
        self.assertIn("Camille Martin", self._text(approvals[0]))
        self._approve(self.bill)
        self.bill.invalidate_recordset()
        self.assertEqual(self.bill.commons_bill_state, "approved")
        self.assertEqual(
            self.bill.commons_approval_ids.partner_id,
            (self.steward | self.steward2).partner_id,
        )

    def test_own_bill_needs_another_steward(self):
        self.loot.with_user(self.accountant).contributor_ids += self.steward.partner_id
        own = self._submitted_bill(self.loot, 100, "OWN-1", contributor=self.steward)
        counters = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["commons_approval_count"]}
        )
        self.assertEqual(counters["commons_approval_count"], 1)
        # Not among the bills to decide, which the counter counts: among all
        # the bills waiting, with why she may not decide.
        self.assertIsNone(self._bill_card(self._page(), own))
        response = self.url_open("/my/commons?filterby=waiting")
        card = self._bill_card(html.fromstring(response.text), own)
        refusal = card.xpath(".//p[contains(@class, 'o_commons_decision_refusal')]")
        self.assertIn("Nobody approves their own bill", self._text(refusal[0]))
        self.assertFalse(
            card.xpath(".//form[contains(@class, 'o_commons_approve_form')]")
        )
        response = self._approve(own)
        self.assertIn(
            "Nobody approves their own bill",
            self._notice(html.fromstring(response.text)),
        )
        own.invalidate_recordset()
        self.assertEqual(own.commons_bill_state, "submitted")
        self.assertFalse(own.commons_approval_ids)

    def _correct_as_contributor(self, bill, amount):
        """The contributor corrects the bill in their portal, keeping its file."""
        self.authenticate("commons_contributor", "commons_contributor")
        url = f"/my/commons/bills/{bill.id}/edit"
        token = html.fromstring(self.url_open(url).text).xpath(
            "//form[contains(@class, 'o_commons_bill_form')]"
            "//input[@name='csrf_token']/@value"
        )[0]
        response = self.url_open(
            url,
            data={
                "csrf_token": token,
                "ref": bill.ref,
                "invoice_date": str(fields.Date.today()),
                "line_label": ["Bug fixes"],
                "line_amount": [amount],
                "tax_id": "",
            },
        )
        self.assertEqual(urlparse(response.url).path, f"/my/commons/bills/{bill.id}")
        bill.invalidate_recordset()
        self.assertEqual(bill.commons_bill_state, "submitted")

    def test_what_she_saw_is_what_she_approves(self):
        """Her page showed a 5 € bill; the contributor corrected it to 300 €
        meanwhile: her click does not approve 300 €."""
        bill = self._submitted_bill(self.loot, 5, "F-2023-015", self.instruction)
        card = self._bill_card(self._page(), bill)
        self.assertIn("5.00", self._text(card))
        shown = self._shown_fingerprint(bill)
        self._correct_as_contributor(bill, "300")
        self.assertEqual(bill.amount_total, 300)
        figures = self._loot_figures()
        self.authenticate("commons_steward", "commons_steward")
        for response in (
            self._approve(bill, fingerprint=shown),
            self._reject(bill, "Too small", fingerprint=shown),
        ):
            self.assertEqual(urlparse(response.url).path, "/my/commons")
            page = html.fromstring(response.text)
            self.assertIn(
                "This bill changed since you opened the page: read it again",
                self._notice(page),
            )
            bill.invalidate_recordset()
            self.assertEqual(bill.commons_bill_state, "submitted")
            self.assertFalse(bill.commons_approval_ids)
            self.assertFalse(bill.commons_state_reason)
            self.assertEqual(self._loot_figures(), figures)
            # The page shows the bill again, as it is now.
            card = self._bill_card(page, bill)
            self.assertIn("300.00", self._text(card))
            self.assertNotEqual(self._shown_fingerprint(bill), shown)
        self.assertFalse(
            self._contributor_emails(bill).filtered(lambda m: "approved" in m.subject)
        )
        # Read again, it is approved as it is.
        self._approve(bill)
        bill.invalidate_recordset()
        self.assertEqual(bill.commons_bill_state, "approved")
        self.assertEqual(bill.commons_approval_ids.amount, 300)

    def test_a_decision_carries_the_bill_shown(self):
        figures = self._loot_figures()
        for data in ({}, {"fingerprint": ""}, {"fingerprint": "0" * 64}):
            response = self._post(f"/my/commons/approvals/{self.bill.id}/approve", data)
            self.assertIn(
                "F-2023-014" if not data.get("fingerprint") else "changed since",
                self._notice(html.fromstring(response.text)),
                data,
            )
        self._assert_still_waiting(figures)
        self.assertFalse(self.bill.commons_approval_ids)

    def test_approval_beyond_envelope_is_refused(self):
        """The steward lowered the envelope under the bill waiting on it."""
        self.instruction.with_user(self.steward).sudo().commons_update({"amount": 1000})
        card = self._bill_card(self._page(), self.bill)
        remaining = card.xpath(".//dd[contains(@class, 'o_commons_remaining_after')]")
        self.assertRegex(self._text(remaining[0]), r"-\W*200\.00")
        self.assertIn("exceeds", self._text(remaining[0]))
        response = self._approve(self.bill)
        self.assertIn("exceeds", self._notice(html.fromstring(response.text)))
        self.bill.invalidate_recordset()
        self.assertEqual(self.bill.commons_bill_state, "submitted")
        self.assertFalse(self.bill.commons_approval_ids)

    # -- allocation instructions ------------------------------------------------

    def _issue(self, resource=None, **values):
        resource = resource or self.loot
        data = {
            "contributor_id": str(self.contributor2.partner_id.id),
            "name": "Security audit",
            "amount": "",
            "days": "2",
            "daily_rate": "600",
            "date_start": "2023-07-01",
            "date_end": "",
            **values,
        }
        return self._post(f"/my/commons/resources/{resource.id}/instructions/new", data)

    def _loot_instructions(self):
        return self.env["commons.allocation.instruction"].search(
            [("resource_id", "=", self.loot.id)]
        )

    def test_issue_instruction(self):
        form = self.url_open(f"/my/commons/resources/{self.loot.id}/instructions/new")
        options = html.fromstring(form.text).xpath(
            "//select[@name='contributor_id']/option/@value"
        )
        self.assertEqual(
            set(options) - {""},
            {str(p.id) for p in (self.contributor | self.contributor2).partner_id},
        )
        security = self.loot.need_ids.filtered(lambda n: n.name == "Security")
        response = self._issue(need_id=str(security.id), date_end="2023-12-31")
        self.assertEqual(urlparse(response.url).path, "/my/commons")
        instruction = self._loot_instructions() - self.instruction
        self.assertEqual(instruction.need_id, security)
        self.assertEqual(len(instruction), 1)
        self.assertEqual(instruction.state, "active")
        self.assertEqual(instruction.steward_id, self.steward.partner_id)
        self.assertEqual(instruction.contributor_id, self.contributor2.partner_id)
        self.assertEqual(instruction.amount, 1200)
        self.assertEqual(str(instruction.date_end), "2023-12-31")
        self.assertIn(
            instruction.reference, self._notice(html.fromstring(response.text))
        )

    def test_issue_instruction_above_available_is_refused(self):
        response = self._issue(days="", daily_rate="", amount="100000")
        self.assertEqual(response.status_code, 200)
        errors = html.fromstring(response.text).xpath(
            "//div[contains(@class, 'o_commons_form_errors')]"
        )
        self.assertIn("does not have the funds", self._text(errors[0]))
        self.assertEqual(self._loot_instructions(), self.instruction)

    def test_issue_instruction_bad_input(self):
        for values, message in (
            ({"name": ""}, "Say what the envelope is for"),
            (
                {"contributor_id": str(self.dokos_contributor.partner_id.id)},
                "Choose one of the resource's contributors",
            ),
            ({"days": "", "daily_rate": "", "amount": "0"}, "Give the envelope"),
            ({"date_end": "2023-01-01"}, "ends before it starts"),
        ):
            response = self._issue(**values)
            errors = html.fromstring(response.text).xpath(
                "//div[contains(@class, 'o_commons_form_errors')]"
            )
            self.assertIn(message, self._text(errors[0]), values)
        self.assertEqual(self._loot_instructions(), self.instruction)

    def test_edit_instruction(self):
        url = f"/my/commons/instructions/{self.instruction.id}"
        form = html.fromstring(self.url_open(url).text)
        self.assertEqual(form.xpath("//input[@name='name']/@value"), ["Bug fixes"])
        response = self._post(
            url,
            {
                "name": "Bug fixes and tests",
                "amount": "1800",
                "date_start": "2023-01-01",
            },
        )
        self.assertEqual(urlparse(response.url).path, "/my/commons")
        self.instruction.invalidate_recordset()
        self.assertEqual(self.instruction.name, "Bug fixes and tests")
        self.assertEqual(self.instruction.amount, 1800)
        # Above what the resource has available: refused, nothing changed.
        response = self._post(
            url, {"name": "Everything", "amount": "100000", "date_start": "2023-01-01"}
        )
        errors = html.fromstring(response.text).xpath(
            "//div[contains(@class, 'o_commons_form_errors')]"
        )
        self.assertIn("does not have the funds", self._text(errors[0]))
        self.instruction.invalidate_recordset()
        self.assertEqual(self.instruction.name, "Bug fixes and tests")
        self.assertEqual(self.instruction.amount, 1800)

    def test_close_and_cancel_instruction(self):
        self._issue()
        other = self._loot_instructions() - self.instruction
        response = self._post(f"/my/commons/instructions/{other.id}/cancel")
        self.assertIn("cancelled", self._notice(html.fromstring(response.text)))
        other.invalidate_recordset()
        self.assertEqual(other.state, "cancel")
        # Without waiting bills, closing needs no reason.
        self.bill.with_user(self.steward2).sudo().commons_reject(
            self.bill.sudo()._get_commons_fingerprint(), "Not this one"
        )
        response = self._post(f"/my/commons/instructions/{self.instruction.id}/close")
        self.assertIn("closed", self._notice(html.fromstring(response.text)))
        self.instruction.invalidate_recordset()
        self.assertEqual(self.instruction.state, "closed")
        # A closed instruction no longer changes.
        response = self._post(
            f"/my/commons/instructions/{self.instruction.id}",
            {"name": "Again", "amount": "10"},
        )
        errors = html.fromstring(response.text).xpath(
            "//div[contains(@class, 'o_commons_form_errors')]"
        )
        self.assertIn("cannot change", self._text(errors[0]))
        response = self._post(f"/my/commons/instructions/{self.instruction.id}/close")
        self.assertIn(
            "Only an active instruction", self._notice(html.fromstring(response.text))
        )

    def _end_page(self, response):
        """The page that ends an instruction with bills waiting on it."""
        self.assertEqual(response.status_code, 200)
        page = html.fromstring(response.text)
        self.assertTrue(
            page.xpath("//form[contains(@class, 'o_commons_instruction_end_form')]")
        )
        return page

    def _waiting_on_end_page(self, page):
        return [
            int(item.get("data-bill-id"))
            for item in page.xpath(
                "//ul[contains(@class, 'o_commons_instruction_waiting_bills')]/li"
            )
        ]

    def _assert_still_waiting(self, figures):
        self.bill.invalidate_recordset()
        self.instruction.invalidate_recordset()
        self.assertEqual(self.instruction.state, "active")
        self.assertEqual(self.bill.commons_bill_state, "submitted")
        self.assertFalse(self.bill.commons_state_reason)
        self.assertEqual(self._loot_figures(), figures)

    def _loot_figures(self):
        loot = self.loot.with_context(commons_year=2023)
        loot.invalidate_recordset()
        return (loot.amount_committed, loot.amount_available, loot.amount_spent)

    def test_closing_with_waiting_bills_asks_why_they_are_rejected(self):
        figures = self._loot_figures()
        page = html.fromstring(self._page_text())
        row = page.xpath(f"//tr[@id='commons_instruction_{self.instruction.id}']")[0]
        close = row.xpath(".//a[contains(@class, 'o_commons_instruction_close')]")
        self.assertEqual(
            close[0].get("href"),
            f"/my/commons/instructions/{self.instruction.id}/close",
        )
        # The page shows the waiting bill and asks a reason.
        page = self._end_page(self.url_open(close[0].get("href")))
        self.assertEqual(self._waiting_on_end_page(page), self.bill.ids)
        self.assertIn("F-2023-014", self._text(page))
        self.assertTrue(page.xpath("//textarea[@name='reason']"))
        # Without a reason: refused, the page again, nothing changed.
        url = f"/my/commons/instructions/{self.instruction.id}/close"
        page = self._end_page(self._post(url, {"reason": " "}))
        errors = page.xpath("//div[contains(@class, 'o_commons_form_errors')]")
        self.assertIn("say why they are rejected", self._text(errors[0]))
        self.assertEqual(self._waiting_on_end_page(page), self.bill.ids)
        self._assert_still_waiting(figures)
        # With one: closed, the bill rejected with the reason, its contributor told.
        response = self._post(
            url, {"reason": "The bug fixes are done.", "bill_ids": str(self.bill.id)}
        )
        self.assertEqual(urlparse(response.url).path, "/my/commons")
        notice = self._notice(html.fromstring(response.text))
        self.assertIn("is closed", notice)
        self.assertIn("1 bills waiting for the stewards are rejected", notice)
        self.bill.invalidate_recordset()
        self.instruction.invalidate_recordset()
        self.assertEqual(self.instruction.state, "closed")
        self.assertEqual(self.bill.commons_bill_state, "rejected")
        self.assertEqual(self.bill.commons_state_reason, "The bug fixes are done.")
        self.assertFalse(self.bill.commons_approval_ids)
        self.assertTrue(
            self._contributor_emails(self.bill).filtered(
                lambda mail: "reject" in mail.subject.lower()
            )
        )
        # What was left of the envelope is free again.
        self.assertEqual(self._loot_figures()[0], figures[0] - 1600)

    def test_closing_never_rejects_a_bill_that_arrived_since_the_page(self):
        """A bill submitted between the page that asks why the bills are
        rejected and its POST is not rejected with her reason: the page shows
        the bills again."""
        url = f"/my/commons/instructions/{self.instruction.id}/close"
        page = self._end_page(self.url_open(url))
        self.assertEqual(self._waiting_on_end_page(page), self.bill.ids)
        form = page.xpath("//form[contains(@class, 'o_commons_instruction_end_form')]")
        shown = form[0].xpath(".//input[@name='bill_ids']/@value")[0]
        self.assertEqual(shown, str(self.bill.id))
        late = self._submitted_bill(self.loot, 100, "F-2023-030", self.instruction)
        figures = self._loot_figures()
        page = self._end_page(
            self._post(url, {"reason": "The bug fixes are done.", "bill_ids": shown})
        )
        errors = page.xpath("//div[contains(@class, 'o_commons_form_errors')]")
        self.assertIn("changed since you opened the page", self._text(errors[0]))
        self.assertEqual(self._waiting_on_end_page(page), (self.bill | late).ids)
        self._assert_still_waiting(figures)
        late.invalidate_recordset()
        self.assertEqual(late.commons_bill_state, "submitted")
        # Read again, both are rejected as she closes it.
        shown = page.xpath("//input[@name='bill_ids']/@value")[0]
        response = self._post(
            url, {"reason": "The bug fixes are done.", "bill_ids": shown}
        )
        self.assertIn(
            "2 bills waiting for the stewards are rejected",
            self._notice(html.fromstring(response.text)),
        )
        (self.bill | late).invalidate_recordset()
        self.assertEqual(
            (self.bill | late).mapped("commons_bill_state"), ["rejected", "rejected"]
        )

    def test_cancelling_with_waiting_bills_asks_why_they_are_rejected(self):
        figures = self._loot_figures()
        url = f"/my/commons/instructions/{self.instruction.id}/cancel"
        page = self._end_page(self.url_open(url))
        self.assertEqual(self._waiting_on_end_page(page), self.bill.ids)
        # The table's direct POST, without a reason: the page asks it.
        page = self._end_page(self._post(url))
        self.assertIn(
            "say why they are rejected",
            self._text(
                page.xpath("//div[contains(@class, 'o_commons_form_errors')]")[0]
            ),
        )
        self._assert_still_waiting(figures)
        response = self._post(
            url, {"reason": "Issued by mistake.", "bill_ids": str(self.bill.id)}
        )
        self.assertIn("cancelled", self._notice(html.fromstring(response.text)))
        self.bill.invalidate_recordset()
        self.instruction.invalidate_recordset()
        self.assertEqual(self.instruction.state, "cancel")
        self.assertEqual(self.bill.commons_bill_state, "rejected")
        self.assertEqual(self.bill.commons_state_reason, "Issued by mistake.")

    def _page_text(self):
        response = self.url_open("/my/commons")
        self.assertEqual(response.status_code, 200)
        return response.text

    def test_issue_a_draft_of_the_accountant(self):
        draft = (
            self.env["commons.allocation.instruction"]
            .with_user(self.accountant)
            .create(
                {
                    "name": "Hosting",
                    "resource_id": self.loot.id,
                    "contributor_id": self.contributor.partner_id.id,
                    "amount": 300,
                    "date_start": "2023-02-01",
                }
            )
        )
        self._post(f"/my/commons/instructions/{draft.id}/activate")
        draft.invalidate_recordset()
        self.assertEqual(draft.state, "active")
        self.assertEqual(draft.steward_id, self.steward.partner_id)

    def test_tour_steward_approves_bill(self):
        self.start_tour(
            "/my",
            "compte_commun_communs_steward_approves_bill",
            login="commons_steward",
        )
        self.bill.invalidate_recordset()
        self.assertEqual(self.bill.commons_bill_state, "approved")

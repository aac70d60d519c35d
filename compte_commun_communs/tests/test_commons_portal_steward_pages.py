# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from urllib.parse import urlparse

from lxml import html

from odoo.tests import tagged

from . import test_commons_portal_steward


@tagged("post_install", "-at_install")
class TestCommonsStewardList(test_commons_portal_steward.TestCommonsPortalSteward):
    """/my/commons as Odoo's portal lists are: paged, sorted and filtered,
    with the same queries whatever the number of bills, and the /my counter
    agreeing with its default list."""

    def _open(self, url):
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200, url)
        return html.fromstring(response.text)

    def _cards(self, page):
        return page.xpath(
            "//div[contains(@class, 'o_commons_bill_to_decide') "
            "or contains(@class, 'o_commons_bill_decided')]"
        )

    def _counter(self):
        return self.make_jsonrpc_request(
            "/my/counters", {"counters": ["commons_approval_count"]}
        )["commons_approval_count"]

    def _total(self, page):
        return int(
            self._text(
                page.xpath("//*[contains(@class, 'o_commons_bill_total')]")[0]
            ).strip("()")
        )

    def _submit_many(self, count, amount=10, instruction=None):
        first = len(self.env["account.move"].search([("ref", "like", "F-MANY-")]))
        return [
            self._submitted_bill(self.loot, amount, f"F-MANY-{index:03d}", instruction)
            for index in range(first, first + count)
        ]

    def test_the_list_is_paged_by_twenty(self):
        bills = self._submit_many(24)
        page = self._page()
        cards = self._cards(page)
        self.assertEqual(len(cards), 20)
        self.assertEqual(self._total(page), 25)
        self.assertEqual(self._counter(), 25)
        # Oldest first, the order in which they count against the envelope.
        self.assertEqual(cards[0].get("id"), f"commons_bill_{self.bill.id}")
        links = page.xpath("//ul[contains(@class, 'pagination')]//a/@href")
        self.assertIn("/my/commons/page/2?sortby=date&filterby=to_decide", links)
        second = self._open("/my/commons/page/2")
        self.assertEqual(
            [card.get("id") for card in self._cards(second)],
            [f"commons_bill_{bill.id}" for bill in bills[19:]],
        )

    def test_left_after_a_bill_of_page_two_counts_those_of_page_one(self):
        """25 bills of 10 wait on an envelope of 1,600 after the first of
        1,200: the last one, on page 2, leaves 1,600 - 1,200 - 24 × 10."""
        bills = self._submit_many(24, instruction=self.instruction)
        card = self._bill_card(self._open("/my/commons/page/2"), bills[-1])
        left = card.xpath(".//dd[contains(@class, 'o_commons_remaining_after')]")
        self.assertIn("160.00", self._text(left[0]))
        # Sorted by amount, the largest first: what is left after each is
        # still counted in the order of the dates.
        page = self._open("/my/commons?sortby=amount")
        self.assertEqual(self._cards(page)[0].get("id"), f"commons_bill_{self.bill.id}")
        left = self._bill_card(page, self.bill).xpath(
            ".//dd[contains(@class, 'o_commons_remaining_after')]"
        )
        self.assertIn("400.00", self._text(left[0]))

    def test_filters_approved_rejected_all(self):
        rejected = self._submitted_bill(self.loot, 50, "F-REJ", self.instruction)
        self._approve(self.bill)
        self._reject(rejected, "Not in the instruction.")
        waiting = self._submitted_bill(self.loot, 20, "F-WAIT", self.instruction)

        def ids(url):
            return {card.get("id") for card in self._cards(self._open(url))}

        def card_id(bill):
            return f"commons_bill_{bill.id}"

        self.assertEqual(ids("/my/commons"), {card_id(waiting)})
        self.assertEqual(ids("/my/commons?filterby=approved"), {card_id(self.bill)})
        self.assertEqual(ids("/my/commons?filterby=rejected"), {card_id(rejected)})
        self.assertEqual(
            ids("/my/commons?filterby=all"),
            {card_id(b) for b in (self.bill, rejected, waiting)},
        )
        # A decided bill says its decision, and offers none.
        card = self._bill_card(self._open("/my/commons?filterby=rejected"), rejected)
        self.assertIn("Not in the instruction.", self._text(card))
        self.assertFalse(card.xpath(".//form"))
        # An unknown filter or order is the default one.
        self.assertEqual(
            ids("/my/commons?filterby=nonsense&sortby=nonsense"), {card_id(waiting)}
        )

    def test_resource_filter_for_a_steward_of_two(self):
        self.dokos.with_user(self.accountant).action_commons_propose(
            "add_steward", partner_id=self.steward.partner_id.id
        ).with_user(self.dokos_steward).sudo().action_commons_confirm()
        page = self._page()
        self.assertEqual(
            {card.get("id") for card in self._cards(page)},
            {f"commons_bill_{self.bill.id}", f"commons_bill_{self.dokos_bill.id}"},
        )
        options = page.xpath(
            "//div[contains(@class, 'o_commons_resource_filter')]//a/@href"
        )
        self.assertEqual(len(options), 3)
        page = self._open(f"/my/commons?resource={self.dokos.id}")
        self.assertEqual(
            [card.get("id") for card in self._cards(page)],
            [f"commons_bill_{self.dokos_bill.id}"],
        )
        # Not a resource of hers: the bills of all hers.
        page = self._open("/my/commons?resource=999999")
        self.assertEqual(len(self._cards(page)), 2)

    def test_counter_agrees_with_the_list(self):
        """Her own bill, a bill she approved that waits for another steward,
        another resource's bill: neither counted nor in her list."""
        self.loot.with_user(self.accountant).write(
            {
                "commons_double_approval_amount": 1000,
                "contributor_ids": [(4, self.steward.partner_id.id)],
            }
        )
        self._submitted_bill(self.loot, 100, "OWN-1", contributor=self.steward)
        self._approve(self.bill)
        other = self._submitted_bill(self.loot, 30, "F-OTHER", self.instruction)
        page = self._page()
        self.assertEqual(self._counter(), 1)
        self.assertEqual(self._total(page), 1)
        self.assertEqual(
            [card.get("id") for card in self._cards(page)],
            [f"commons_bill_{other.id}"],
        )
        mine = page.xpath("//ul[contains(@class, 'o_commons_bills_approved_by_me')]")
        self.assertIn("F-2023-014", self._text(mine[0]))
        # For the second steward: both bills of Sacha, not her own.
        self.authenticate("commons_steward2", "commons_steward2")
        self.assertEqual(self._counter(), 3)
        self.assertEqual(self._total(self._page()), 3)

    def test_queries_do_not_grow_with_the_bills(self):
        """The page and the counter take the same queries at 3 and at 30
        bills waiting, and the page at 20 and at 40."""

        def measure(url):
            def page():
                self.assertEqual(self.url_open(url).status_code, 200)

            page()
            self._counter()
            return self._queries(page), self._queries(self._counter)

        self._submit_many(2)
        three = measure("/my/commons?filterby=approved")
        self._submit_many(27)
        self.assertEqual(self._counter(), 30)
        self.assertEqual(measure("/my/commons?filterby=approved"), three)
        twenty = measure("/my/commons")
        self._submit_many(10)
        self.assertEqual(self._counter(), 40)
        self.assertEqual(measure("/my/commons"), twenty)
        # the second page reads no more (its cards' partners may be fewer)
        page, counter = measure("/my/commons/page/2")
        self.assertLessEqual(page, twenty[0])
        self.assertEqual(counter, twenty[1])

    def test_a_refused_approval_is_said_on_the_bill(self):
        self.instruction.with_user(self.steward).sudo().commons_update({"amount": 1000})
        response = self._approve(self.bill)
        self.assertEqual(
            urlparse(response.url).fragment, f"commons_bill_{self.bill.id}"
        )
        page = html.fromstring(response.text)
        card = self._bill_card(page, self.bill)
        notice = card.xpath(".//div[contains(@class, 'o_commons_notice')]")
        self.assertIn("exceeds", self._text(notice[0]))
        self.assertEqual(
            len(page.xpath("//div[contains(@class, 'o_commons_notice')]")), 1
        )

    def test_a_decision_comes_back_to_the_list_it_was_made_from(self):
        self._submit_many(24)
        page = self._open("/my/commons/page/2?sortby=recent")
        card = self._cards(page)[0]
        form = card.xpath(".//form[contains(@class, 'o_commons_approve_form')]")[0]
        data = {
            field.get("name"): field.get("value") for field in form.xpath(".//input")
        }
        self.assertEqual(data["page"], "2")
        self.assertEqual(data["sortby"], "recent")
        response = self.url_open(form.get("action"), data=data)
        self.assertEqual(urlparse(response.url).path, "/my/commons/page/2")
        self.assertIn("sortby=recent", urlparse(response.url).query)

    def test_year_of_the_figures(self):
        page = self._open("/my/commons?year=2023")
        self.assertIn("Figures of 2023", self._text(page))
        figures = page.xpath("//dl[contains(@class, 'o_commons_steward_figures')]")[0]
        self.assertIn("Carried over", self._text(figures))
        self.assertIn("5,000.00", self._text(figures))
        previous = page.xpath("//a[contains(@class, 'o_commons_year_previous')]/@href")
        self.assertIn("year=2022", previous[0])
        page = self._open("/my/commons?year=2024")
        carried = page.xpath(
            "//div[contains(@class, 'o_commons_figure_carried_over')]//dd"
        )
        self.assertNotRegex(self._text(carried[0]), r"^\D*0\.00$")
        page = self._open("/my/commons?year=tomorrow")
        error = page.xpath("//div[contains(@class, 'o_commons_year_error')]")
        self.assertIn("“tomorrow” is not a year", self._text(error[0]))
        self.assertEqual(
            len(
                page.xpath("//section[contains(@class, 'o_commons_steward_resource')]")
            ),
            1,
        )


# The tests of TestCommonsPortalSteward run once, in their own class.
for _name in dir(test_commons_portal_steward.TestCommonsPortalSteward):
    if _name.startswith("test_") and _name not in vars(TestCommonsStewardList):
        setattr(TestCommonsStewardList, _name, None)


@tagged("post_install", "-at_install")
class TestCommonsStewardInstructionForm(
    test_commons_portal_steward.TestCommonsPortalSteward
):
    """The instruction form reads amounts as the user's language writes them,
    and ending an instruction asks first."""

    def test_the_form_shows_and_reads_amounts_as_written(self):
        url = f"/my/commons/instructions/{self.instruction.id}"
        page = html.fromstring(self.url_open(url).text)
        self.assertEqual(page.xpath("//input[@name='amount']/@value"), ["1,600.00"])
        for typed, amount in (("1,700.00", 1700), ("1 800,50", 1800.5)):
            response = self._post(url, {"name": "Bug fixes", "amount": typed})
            self.assertEqual(urlparse(response.url).path, "/my/commons", typed)
            self.instruction.invalidate_recordset()
            self.assertEqual(self.instruction.amount, amount, typed)

    def test_closing_asks_first_then_says_what_was_done(self):
        self._reject(self.bill, "Not now.")
        row = self._page().xpath(
            f"//tr[@id='commons_instruction_{self.instruction.id}']"
        )[0]
        close = row.xpath(".//a[contains(@class, 'o_commons_instruction_close')]")
        self.assertFalse(
            row.xpath(".//button[contains(@class, 'o_commons_instruction_close')]")
        )
        page = html.fromstring(self.url_open(close[0].get("href")).text)
        self.instruction.invalidate_recordset()
        self.assertEqual(self.instruction.state, "active", "asking closes nothing")
        form = page.xpath("//form[contains(@class, 'o_commons_instruction_end_form')]")
        response = self._post(form[0].get("action"))
        self.instruction.invalidate_recordset()
        self.assertEqual(self.instruction.state, "closed")
        self.assertIn("is closed", self._notice(html.fromstring(response.text)))


for _name in dir(test_commons_portal_steward.TestCommonsPortalSteward):
    if _name.startswith("test_") and _name not in vars(
        TestCommonsStewardInstructionForm
    ):
        setattr(TestCommonsStewardInstructionForm, _name, None)


@tagged("post_install", "-at_install")
class TestCommonsStewardTimes(test_commons_portal_steward.TestCommonsPortalSteward):
    def test_times_in_the_users_zone_else_the_browsers(self):
        """The first approval of a bill above the threshold, given at 10:00
        UTC, reads 11:00 in Paris in winter (and 10:00 with no zone known)."""
        self.loot.with_user(self.accountant).commons_double_approval_amount = 1000
        self._approve(self.bill)
        self.bill.commons_approval_ids.sudo().date = "2024-01-15 10:00:00"
        self.authenticate("commons_steward2", "commons_steward2")

        def approvals():
            card = self._bill_card(self._page(), self.bill)
            return self._text(
                card.xpath(".//dd[contains(@class, 'o_commons_bill_approvals')]")[0]
            )

        self.assertIn("10:00", approvals())
        self.opener.cookies.set("tz", "Europe/Paris")
        self.assertIn("11:00", approvals())
        self.opener.cookies.set("tz", "Nowhere/Atlantis")
        self.assertIn("10:00", approvals())
        self.steward2.tz = "America/New_York"
        self.assertIn("05:00", approvals())


for _name in dir(test_commons_portal_steward.TestCommonsPortalSteward):
    if _name.startswith("test_") and _name not in vars(TestCommonsStewardTimes):
        setattr(TestCommonsStewardTimes, _name, None)

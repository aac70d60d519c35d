# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date

from lxml import html

from odoo import Command
from odoo.tests import HttpCase, tagged

from .common import CommonsCase


@tagged("post_install", "-at_install")
class TestCommonsPublicPage(CommonsCase, HttpCase):
    """What an anonymous visitor sees on /communs and /communs/<slug>."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The host of the site: an anonymous visitor's company is the public
        # user's (the website's, when the website module is installed).
        cls.env.ref("base.public_user").sudo().write(
            {
                "company_ids": [Command.link(cls.company.id)],
                "company_id": cls.company.id,
            }
        )
        cls.loot = cls._create_loot_2023()
        cls.private_contributor = cls.env["res.partner"].create(
            {
                "name": "Zephyrine Codewright",
                "email": "zephyrine.private@contrib.example",
            }
        )
        cls.private_steward = cls.env["res.partner"].create(
            {"name": "Barnabe Gardekeeper", "email": "barnabe.private@steward.example"}
        )
        cls.loot.write(
            {
                "is_published": True,
                "website": "https://loot.example.org",
                "description": "<p>Free software for third places.</p>",
                "contributor_ids": [Command.set(cls.private_contributor.ids)],
            }
        )
        # A steward joins as the stewards confirm it: nothing waits in public.
        cls.loot.with_user(cls.accountant).action_commons_propose(
            "add_steward", partner_id=cls.private_steward.id
        ).with_user(cls.steward).sudo().action_commons_confirm()
        cls.funder.commons_named_funder = True
        cls.unnamed_funders = cls.env["res.partner"].create(
            [
                {"name": "Quietude Cooperative", "email": "q@quietude.example"},
                {"name": "Silent Partner Foundation", "email": "s@silent.example"},
            ]
        )
        cls._donate(cls.loot, 3000, "2023-02-15")
        cls._donate(cls.loot, 1460, "2023-03-20", partner=cls.unnamed_funders[0])
        cls._donate(cls.loot, 1140, "2023-04-05", partner=cls.unnamed_funders[1])
        cls.hidden = cls._create_resource("Unpublished Movilab", "MOVI")
        cls.archived = cls._create_resource("Archived Forum", "FORUM")
        cls.env["commons.resource.need"].create(
            [
                {
                    "resource_id": resource.id,
                    "year": 2023,
                    "category_id": cls.cat_bug.id,
                    "name": "Hidden need",
                    "amount": 999,
                }
                for resource in cls.hidden | cls.archived
            ]
        )
        cls.archived.write({"is_published": True, "active": False})

    def _get(self, url, status=200):
        response = self.url_open(url)
        self.assertEqual(response.status_code, status, url)
        return response

    def _resource_card(self, response, slug):
        cards = html.fromstring(response.text).xpath(
            f"//*[contains(@class, 'o_commons_resource')][@data-slug='{slug}']"
        )
        self.assertEqual(len(cards), 1, f"one card for {slug}")
        return cards[0]

    def test_needs_page_lists_published_resources_for_anonymous(self):
        self.assertFalse(self.loot.host_fee_rate, "no host fee: funded = received")
        response = self._get("/communs?year=2023")
        card = self._resource_card(response, "loot")
        text = " ".join(card.text_content().split())
        self.assertIn("Logiciel LOOT", text)
        self.assertIn("Free software for third places.", text)
        self.assertTrue(card.xpath(".//a[@href='https://loot.example.org']"))
        for label in ("Bug fixes", "Security", "Micro-development", "Test server"):
            self.assertIn(label, text)
        self.assertIn("5,600.00", text)
        coverage = card.xpath(".//*[contains(@class, 'o_commons_coverage_value')]")
        self.assertEqual(" ".join(coverage[0].text_content().split()), "100 %")
        bar = card.xpath(".//*[contains(@class, 'o_commons_coverage')][@role]")
        self.assertEqual(bar[0].get("aria-valuenow"), "100")
        funder_count = card.xpath(".//*[contains(@class, 'o_commons_funder_count')]")
        self.assertEqual(funder_count[0].text_content().strip(), "3")
        self.assertNotIn("Unpublished Movilab", response.text)
        self.assertNotIn("Archived Forum", response.text)
        self.assertNotIn("Hidden need", response.text)
        year_links = html.fromstring(response.text).xpath(
            "//*[contains(@class, 'o_commons_years')]//a/@href"
        )
        self.assertIn("/communs?year=2023", year_links)

    def test_needs_page_coverage_follows_the_year(self):
        response = self._get("/communs?year=2022")
        card = self._resource_card(response, "loot")
        coverage = card.xpath(".//*[contains(@class, 'o_commons_coverage_value')]")
        self.assertEqual(" ".join(coverage[0].text_content().split()), "0 %")
        self.assertNotIn("Micro-development", card.text_content())

    def test_needs_page_bad_year_falls_back_to_current_year(self):
        current = str(date.today().year)
        for year in ("abc", "1900", "99999", ""):
            response = self._get(f"/communs?year={year}")
            title = html.fromstring(response.text).xpath("//h1")[0].text_content()
            self.assertIn(current, title, year)
            self.assertNotIn("Micro-development", response.text, year)

    def test_public_pages_show_no_contributor_nor_steward(self):
        for url in ("/communs?year=2023", "/communs/loot?year=2023"):
            page = self._get(url).text
            self.assertIn("Logiciel LOOT", page)
            for secret in (
                "Zephyrine",
                "Codewright",
                "zephyrine.private@contrib.example",
                "Barnabe",
                "Gardekeeper",
                "barnabe.private@steward.example",
            ):
                self.assertNotIn(secret, page, url)

    def test_resource_page_names_only_consenting_funders(self):
        response = self._get("/communs/loot?year=2023")
        page = html.fromstring(response.text)
        funders = page.xpath("//*[contains(@class, 'o_commons_funders')]")[0]
        text = " ".join(funders.text_content().split())
        self.assertIn("La Fabrique Monscobar", text)
        self.assertIn("3,000.00", text)
        self.assertIn("2 other funders", text)
        for name in self.unnamed_funders.mapped("name"):
            self.assertNotIn(name, response.text)
        figures = " ".join(
            page.xpath("//*[contains(@class, 'o_commons_figures')]")[0]
            .text_content()
            .split()
        )
        self.assertIn("Received $ 5,600.00", figures)
        self.assertIn("Funded $ 5,600.00", figures)
        coverage = page.xpath("//*[contains(@class, 'o_commons_coverage_value')]")
        self.assertEqual(" ".join(coverage[0].text_content().split()), "100 %")

    def test_resource_page_shows_host_fee(self):
        self.loot.write({"host_fee_override": True, "host_fee_override_rate": 10})
        self._donate(self.loot, 1000, "2023-06-01")
        response = self._get("/communs/loot?year=2023")
        figures = " ".join(
            html.fromstring(response.text)
            .xpath("//*[contains(@class, 'o_commons_figures')]")[0]
            .text_content()
            .split()
        )
        self.assertIn("Received $ 6,600.00", figures)
        self.assertIn("Host fee (10.00 %) $ 100.00", figures)
        self.assertIn("Funded $ 6,500.00", figures)

    def test_resource_page_not_found(self):
        for slug in ("nope", "movi", "forum"):
            self._get(f"/communs/{slug}", status=404)
        self.hidden.is_published = True
        self._get("/communs/movi")

    def test_pages_show_only_the_resources_of_the_sites_host(self):
        other_company = self.setup_other_company(name="Another host")["company"]
        self.accountant.company_ids += other_company
        elsewhere = self._create_resource(
            "Forum of another host", "ELSEWHERE", company=other_company
        )
        self.env["commons.resource.need"].create(
            [
                {
                    "resource_id": elsewhere.id,
                    "year": year,
                    "category_id": self.cat_hosting.id,
                    "name": "Forum hosting elsewhere",
                    "amount": 700,
                }
                for year in (2021, 2023)
            ]
        )
        elsewhere.is_published = True
        response = self._get("/communs?year=2023")
        self._resource_card(response, "loot")
        self.assertNotIn("Forum of another host", response.text)
        self.assertNotIn("Forum hosting elsewhere", response.text)
        year_links = html.fromstring(response.text).xpath(
            "//*[contains(@class, 'o_commons_years')]//a/@href"
        )
        self.assertNotIn("/communs?year=2021", year_links)
        self._get("/communs/elsewhere?year=2023", status=404)

    def test_website_other_than_http_is_never_a_link(self):
        """A website stored before the check (or by SQL) with another scheme is
        shown as no link at all."""
        for url in ("javascript:alert(document.domain)", " JavaScript:alert(1)"):
            self.env.cr.execute(
                "UPDATE commons_resource SET website = %s WHERE id = %s",
                [url, self.loot.id],
            )
            self.env.invalidate_all()
            for page in ("/communs?year=2023", "/communs/loot?year=2023"):
                response = self._get(page)
                self.assertIn("Logiciel LOOT", response.text)
                hrefs = html.fromstring(response.text).xpath("//a/@href")
                self.assertFalse(
                    [href for href in hrefs if "script" in href.lower()], page
                )
                self.assertNotIn("alert(", response.text, page)

    def _published(self, count, start=0):
        resources = self.env["commons.resource"].create(
            [
                {"name": f"Commons {i:03d}", "code": f"P{i:03d}", "is_published": True}
                for i in range(start, start + count)
            ]
        )
        self.env["commons.resource.need"].create(
            [
                {
                    "resource_id": resource.id,
                    "year": 2023,
                    "category_id": self.cat_bug.id,
                    "name": "Bug fixes",
                    "amount": 500,
                }
                for resource in resources
            ]
        )
        for resource in resources[:3]:
            self._donate(resource, 100, "2023-02-15")
        return resources

    def _count_page_queries(self, url):
        self._get(url)  # the caches of a first visit
        self.env.invalidate_all()
        count = self.cr.sql_log_count
        response = self._get(url)
        return self.cr.sql_log_count - count, response

    def test_needs_page_is_paged_with_the_same_queries_whatever_the_resources(self):
        self._published(2)
        few, _response = self._count_page_queries("/communs?year=2023")
        self._published(40, start=2)
        many, response = self._count_page_queries("/communs?year=2023")
        self.assertEqual(many, few)
        page = html.fromstring(response.text)
        self.assertEqual(
            len(page.xpath("//section[hasclass('o_commons_resource')]")), 20
        )
        self.assertIn(
            "/communs/page/3?year=2023",
            page.xpath("//*[hasclass('o_commons_pager')]//a/@href"),
        )
        last = html.fromstring(self._get("/communs/page/3?year=2023").text)
        # LOOT and the 42 others, 20 a page.
        self.assertEqual(
            len(last.xpath("//section[hasclass('o_commons_resource')]")), 3
        )

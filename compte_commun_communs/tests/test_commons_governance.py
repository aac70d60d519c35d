# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Who decides for a resource changes only with its stewards' knowledge: the
host proposes, a steward confirms or objects in the portal; when no steward can
confirm, the change waits in public and takes effect after a waiting period
unless someone objects."""

import re
from contextlib import contextmanager
from datetime import datetime, timedelta
from unittest.mock import patch
from urllib.parse import parse_qs, urlparse

from freezegun import freeze_time
from lxml import html

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, HttpCase, tagged

from odoo.addons.base.models.ir_mail_server import IrMailServer
from odoo.addons.mail.tests.common import mail_new_test_user

from .common import CommonsCase
from .test_commons_bill_guards import NOT_APPROVED

NOT_A_STEWARD = "Only a steward of Logiciel LOOT confirms or objects"
NOT_WRITTEN = "confirmed or objected to by its stewards: it cannot be written"
NOT_A_MANAGER = re.escape(
    "You are not allowed to modify 'Commons Resource' (commons.resource) records."
)
NOT_A_BILL_STEWARD = "Only a steward of Logiciel LOOT approves or rejects its bills"
PROPOSE = "Use “Propose a Change” on the resource"
IN_LEDGER = "Logiciel LOOT has entries in the ledger on its analytic account"
ACCOUNT_IN_LEDGER = "already has entries in the ledger: {resource} cannot take it"
PROPOSAL_MODEL = "commons.governance.proposal"
NOW = datetime(2026, 3, 2, 9, 0)


@tagged("post_install", "-at_install")
class TestCommonsGovernance(CommonsCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        # The host of the public pages: an anonymous visitor's company is the
        # public user's.
        cls.env.ref("base.public_user").sudo().write(
            {
                "company_ids": [Command.link(cls.company.id)],
                "company_id": cls.company.id,
            }
        )
        # Camille reads English, Lou French.
        cls.steward2.partner_id.lang = "fr_FR"
        cls.loot = cls._create_loot_2023()
        cls.loot.write({"is_published": True})
        cls._donate(cls.loot, 5000, "2023-02-15")
        cls.admin = cls._admin_with_accounting()
        # Someone the host would like to see decide for LOOT.
        cls.newcomer = mail_new_test_user(
            cls.env,
            login="commons_newcomer",
            name="Alex Nouveau",
            email="alex.nouveau@example.org",
            groups="base.group_portal",
        )
        # A steward who left: no login, an address.
        cls.gone = cls.env["res.partner"].create(
            {"name": "Dominique Parti", "email": "dominique.parti@example.org"}
        )

    # -- Helpers ------------------------------------------------------------

    def _propose(self, kind, resource=None, user=None, **values):
        resource = resource or self.loot
        return (
            resource.with_user(user or self.accountant)
            .with_company(resource.company_id)
            .action_commons_propose(kind, **values)
        )

    def _propose_newcomer(self, resource=None):
        return self._propose(
            "add_steward", resource, partner_id=self.newcomer.partner_id.id
        )

    def _as_portal(self, record, user):
        """The record as the portal's controllers call it: as superuser, the
        user still being who calls."""
        return record.with_user(user).sudo()

    def _figures(self, resource=None):
        resource = (resource or self.loot).with_context(commons_year=2023)
        resource.invalidate_recordset()
        return {
            name: resource[name]
            for name in (
                "amount_funded",
                "amount_spent",
                "amount_committed",
                "amount_available",
            )
        }

    def _mail_mark(self):
        """The last email queued so far: the emails of an event are the ones
        after it (their subject is in the recipient's language)."""
        return self.env["mail.mail"].search([], order="id desc", limit=1).id or 0

    @contextmanager
    def _outgoing_mail_server(self):
        """An outgoing mail server that takes every email: a change of login
        sends its confirmation link at once, and refuses to be made when the
        link cannot be sent."""
        with (
            patch.object(IrMailServer, "connect"),
            patch.object(IrMailServer, "send_email", return_value="<sent@test>"),
        ):
            yield

    def _mails(self, proposal, partner=None, since=0):
        mails = self.env["mail.mail"].search(
            [
                ("model", "=", PROPOSAL_MODEL),
                ("res_id", "=", proposal.id),
                ("id", ">", since),
            ]
        )
        if partner:
            mails = mails.filtered(lambda mail: partner in mail.recipient_ids)
        return mails

    def _notes(self, resource, text):
        return resource.message_ids.filtered(lambda m: text in (m.body or ""))

    def _submitted_bill(self, amount):
        bill = self._bill(self.loot, amount, "2023-06-01", post=False)
        bill.action_commons_submit()
        return bill

    def _text(self, node):
        return " ".join(node.text_content().split())

    def _csrf(self, url="/my/account"):
        page = html.fromstring(self.url_open(url).text)
        return page.xpath("//input[@name='csrf_token']/@value")[0]

    def _post(self, url, data=None, csrf=True, csrf_url="/my/account"):
        # A field at least, or url_open sends a GET.
        data = {"submit": "1", **(data or {})}
        if csrf:
            data["csrf_token"] = self._csrf(csrf_url)
        return self.url_open(url, data=data)

    def _proposals_page(self):
        response = self.url_open("/my/commons/proposals")
        self.assertEqual(urlparse(response.url).path, "/my/commons/proposals")
        return html.fromstring(response.text)

    def _card(self, page, proposal):
        cards = page.xpath(f"//div[@id='commons_proposal_{proposal.id}']")
        return cards[0] if cards else None

    def _notice(self, page):
        notices = page.xpath("//div[contains(@class, 'o_commons_notice')]")
        return self._text(notices[0]) if notices else ""

    def _object_url(self, proposal, partner):
        """The link emailed to ``partner`` to object to the proposal."""
        mail = self._mails(proposal, partner)
        self.assertEqual(len(mail), 1, partner.name)
        links = html.fromstring(mail.body_html).xpath(
            "//a[contains(@href, '/communs/proposals/object')]/@href"
        )
        self.assertEqual(len(links), 1, partner.name)
        url = urlparse(links[0])
        return f"{url.path}?{url.query}"

    def _gone_resource(self):
        """A published resource with money whose only steward left: nobody can
        confirm a change of who decides for it."""
        forum = self._create_resource("Forum Tiers-Lieux", "FORUM", people=False)
        forum.write({"is_published": True, "steward_ids": [Command.set(self.gone.ids)]})
        self._donate(forum, 1000, "2023-02-15")
        return forum

    # -- No silent change --------------------------------------------------

    def test_host_cannot_write_who_decides(self):
        """Form, write and import: the host's change of the stewards, a weaker
        two-approvals rule or another analytic account is refused, and names
        the way to propose it."""
        self.loot.with_user(self.accountant).commons_double_approval_amount = 1000
        figures = self._figures()
        other_account = self.env["account.analytic.account"].create(
            {
                "name": "Spare",
                "plan_id": self.loot._get_analytic_plan().id,
                "company_id": self.company.id,
            }
        )
        stewards = (self.steward | self.steward2).partner_id
        for user in (self.accountant, self.admin):
            loot = self.loot.with_user(user).with_company(self.company)
            for vals in (
                {"steward_ids": [Command.link(self.newcomer.partner_id.id)]},
                {"steward_ids": [Command.unlink(self.steward2.partner_id.id)]},
                {"steward_ids": [Command.set(self.newcomer.partner_id.ids)]},
                {"commons_former_steward_ids": [Command.link(self.gone.id)]},
                {"commons_double_approval_amount": 0},
                {"commons_double_approval_amount": 5000},
            ):
                with self.subTest(user=user.login, vals=vals):
                    with self.assertRefused(UserError, PROPOSE):
                        loot.write(vals)
            # LOOT has money: its analytic account changes not even by proposal
            with self.assertRefused(UserError, IN_LEDGER):
                loot.write({"analytic_account_id": other_account.id})
        # the form: the stewards are read-only, a weaker rule is refused on save
        form = Form(self.loot.with_user(self.accountant))
        with self.assertRaises(AssertionError):
            form.steward_ids.add(self.newcomer.partner_id)
        form.commons_double_approval_amount = 0
        with self.assertRefused(UserError, PROPOSE):
            form.save()
        # an import of the stewards of an existing resource
        result = (
            self.env["commons.resource"]
            .with_user(self.accountant)
            .load(
                [".id", "steward_ids/.id"],
                [[str(self.loot.id), str(self.newcomer.partner_id.id)]],
            )
        )
        self.assertFalse(result["ids"])
        self.assertIn(PROPOSE, result["messages"][0]["message"])
        self.loot.invalidate_recordset()
        self.assertEqual(self.loot.steward_ids, stewards)
        self.assertFalse(self.loot.commons_former_steward_ids)
        self.assertEqual(self.loot.commons_double_approval_amount, 1000)
        self.assertNotEqual(self.loot.analytic_account_id, other_account)
        self.assertEqual(self._figures(), figures)
        self.assertFalse(self.env[PROPOSAL_MODEL].search([]))

    def test_nobody_writes_a_proposal(self):
        proposal = self._propose_newcomer()
        self.assertEqual(proposal.with_user(self.commons_user).state, "waiting")
        for user in (self.accountant, self.admin, self.commons_user):
            Proposal = self.env[PROPOSAL_MODEL].with_user(user)
            with self.assertRefused(AccessError, NOT_WRITTEN):
                Proposal.create(
                    {
                        "resource_id": self.loot.id,
                        "kind": "add_steward",
                        "partner_id": self.newcomer.partner_id.id,
                        "proposed_by_id": user.id,
                    }
                )
            with self.assertRefused(AccessError, NOT_WRITTEN):
                proposal.with_user(user).write({"state": "applied"})
            with self.assertRefused(AccessError, NOT_WRITTEN):
                proposal.with_user(user).unlink()
        # a portal user reads none
        with self.assertRaises(AccessError):
            proposal.with_user(self.steward).read(["state"])
        self.assertEqual(proposal.state, "waiting")
        self.assertNotIn(self.newcomer.partner_id, self.loot.steward_ids)

    def test_stricter_threshold_applies_at_once(self):
        loot = self.loot.with_user(self.accountant)
        loot.commons_double_approval_amount = 1000
        loot.commons_double_approval_amount = 800
        self.assertFalse(self._propose("threshold", amount=500))
        self.assertEqual(self.loot.commons_double_approval_amount, 500)
        self.assertFalse(self.env[PROPOSAL_MODEL].search([]))
        with self.assertRefused(ValidationError, "cannot be negative"):
            self._propose("threshold", amount=-1)

    def test_a_new_resource_gets_its_first_stewards_directly(self):
        forum = self._create_resource("Forum Tiers-Lieux", "FORUM", people=False)
        forum = forum.with_user(self.accountant)
        forum.steward_ids = [Command.link(self.steward.partner_id.id)]
        self.assertEqual(forum.steward_ids, self.steward.partner_id)
        self.assertTrue(self._notes(forum, "Stewards of Forum Tiers-Lieux changed"))
        # from then on, by proposal
        with self.assertRefused(UserError, PROPOSE):
            forum.steward_ids = [Command.link(self.steward2.partner_id.id)]
        self.assertTrue(
            self._propose("add_steward", forum, partner_id=self.steward2.partner_id.id)
        )
        # a resource nobody decides for yet: the proposal applies at once
        chat = self._create_resource("Chat Tiers-Lieux", "CHAT", people=False)
        self.assertFalse(
            self._propose("add_steward", chat, partner_id=self.steward.partner_id.id)
        )
        self.assertEqual(chat.steward_ids, self.steward.partner_id)
        # the host never makes itself a steward
        for user in (self.accountant, self.admin):
            with self.assertRefused(UserError, "cannot make yourself a steward"):
                self._propose("add_steward", user=user, partner_id=user.partner_id.id)

    # -- Propose, confirm in the portal -------------------------------------

    def test_accountant_proposes_a_steward_who_confirms_in_the_portal(self):
        """Case 6 of issue 12, then the stewards' way: a user the host controls
        is no steward until a steward confirms."""
        bill = self._submitted_bill(300)
        figures = self._figures()
        form = Form(
            self.env["commons.resource.propose"]
            .with_user(self.accountant)
            .with_context(default_resource_id=self.loot.id)
        )
        self.assertEqual(form.resource_id, self.loot)
        form.kind = "add_steward"
        form.partner_id = self.newcomer.partner_id
        form.save().action_propose()
        proposal = self.loot.commons_waiting_proposal_ids
        self.assertEqual(len(proposal), 1)
        self.assertEqual(
            (proposal.kind, proposal.partner_id, proposal.proposed_by_id),
            ("add_steward", self.newcomer.partner_id, self.accountant),
        )
        self.assertFalse(proposal.date_effective, "the stewards can confirm")
        self.assertNotIn(self.newcomer.partner_id, self.loot.steward_ids)
        note = self._notes(self.loot, "proposes a change to Logiciel LOOT")
        self.assertIn("Add Alex Nouveau to the stewards", note.body)
        self.assertIn("once a steward of the resource confirms it", note.body)
        self.assertEqual(note.author_id, self.accountant.partner_id)
        # each steward is emailed, with the way to their portal; the newcomer not
        mails = self._mails(proposal)
        self.assertEqual(mails.recipient_ids, (self.steward | self.steward2).partner_id)
        self.assertEqual(len(mails), 2)
        for mail in mails:
            self.assertIn("Alex Nouveau", mail.body_html)
            self.assertIn("/my/commons/proposals", mail.body_html)
            self.assertNotIn("/communs/proposals/object", mail.body_html)
        # the newcomer approves nothing
        with self.assertRefused(AccessError, NOT_A_BILL_STEWARD):
            self._approve(bill, steward=self.newcomer)
        self.assertEqual(bill.commons_bill_state, "submitted")
        # the accountant, the administrator and the newcomer cannot confirm
        for user in (self.accountant, self.admin, self.newcomer):
            for record in (proposal.with_user(user), self._as_portal(proposal, user)):
                with self.assertRefused(AccessError, NOT_A_STEWARD):
                    record.action_commons_confirm()
        self.authenticate("commons_newcomer", "commons_newcomer")
        response = self._post(f"/my/commons/proposals/{proposal.id}/confirm")
        self.assertEqual(urlparse(response.url).path, "/my")
        proposal.invalidate_recordset()
        self.assertEqual(proposal.state, "waiting")
        # Camille sees it from her page of the commons she stewards
        self.authenticate("commons_steward", "commons_steward")
        home = html.fromstring(self.url_open("/my/commons").text)
        waiting = home.xpath("//div[contains(@class, 'o_commons_proposals_waiting')]")
        self.assertIn("1", self._text(waiting[0]))
        self.assertTrue(waiting[0].xpath(".//a[@href='/my/commons/proposals']"))
        card = self._card(self._proposals_page(), proposal)
        self.assertIn("Add Alex Nouveau to the stewards", self._text(card))
        self.assertTrue(
            card.xpath(".//button[contains(@class, 'o_commons_proposal_confirm')]")
        )
        self.assertTrue(
            card.xpath(".//button[contains(@class, 'o_commons_proposal_object')]")
        )
        # no CSRF token, no GET: nothing is decided
        response = self._post(
            f"/my/commons/proposals/{proposal.id}/confirm", csrf=False
        )
        self.assertEqual(response.status_code, 400)
        self.url_open(f"/my/commons/proposals/{proposal.id}/confirm")
        proposal.invalidate_recordset()
        self.assertEqual(proposal.state, "waiting")
        self.assertEqual(self._figures(), figures)
        # she confirms
        mark = self._mail_mark()
        response = self._post(f"/my/commons/proposals/{proposal.id}/confirm")
        page = html.fromstring(response.text)
        self.assertIn("You confirmed the change to Logiciel LOOT", self._notice(page))
        self.assertIsNone(self._card(page, proposal))
        decided = page.xpath("//tr[contains(@class, 'o_commons_proposal_decided_row')]")
        self.assertIn("Camille Martin", self._text(decided[0]))
        proposal.invalidate_recordset()
        self.loot.invalidate_recordset()
        self.assertEqual(proposal.state, "confirmed")
        self.assertEqual(proposal.decided_partner_id, self.steward.partner_id)
        self.assertEqual(proposal.decided_by_id, self.steward)
        self.assertTrue(proposal.date_decided)
        self.assertIn(self.newcomer.partner_id, self.loot.steward_ids)
        note = self._notes(
            self.loot, "Camille Martin, steward of Logiciel LOOT, confirmed"
        )
        self.assertIn(
            "Stewards now: Alex Nouveau, Camille Martin, Lou Bernard", note.body
        )
        self.assertEqual(note.author_id, self.steward.partner_id)
        # the old way's message is not written twice
        self.assertFalse(self._notes(self.loot, "Stewards of Logiciel LOOT changed"))
        applied = self._mails(proposal, since=mark)
        self.assertEqual(
            applied.recipient_ids,
            (self.steward | self.steward2 | self.newcomer).partner_id,
        )
        self.assertEqual(len(applied), 3)
        # the newcomer now decides
        self._approve(bill, steward=self.newcomer)
        self.assertEqual(bill.commons_bill_state, "approved")

    def test_administrator_adds_a_user_it_controls_and_approves_at_once(self):
        """Case 6 of issue 12, as the administrator: its own login added to
        the stewards approves nothing, and only a steward's confirmation makes
        it one."""
        bill = self._submitted_bill(300)
        figures = self._figures()
        puppet = (
            self.env["res.users"]
            .with_user(self.admin)
            .create(
                {
                    "name": "Puppet Steward",
                    "login": "commons_puppet",
                    "password": "commons_puppet",
                    "email": "puppet@example.org",
                    "groups_id": [Command.set(self.env.ref("base.group_portal").ids)],
                }
            )
        )
        loot = self.loot.with_user(self.admin).with_company(self.company)
        with self.assertRefused(UserError, PROPOSE):
            loot.steward_ids = [Command.link(puppet.partner_id.id)]
        with self.assertRefused(AccessError, NOT_A_BILL_STEWARD):
            self._approve(bill, steward=puppet)
        proposal = self._propose(
            "add_steward", user=self.admin, partner_id=puppet.partner_id.id
        )
        for user in (self.admin, puppet):
            with self.assertRefused(AccessError, NOT_A_STEWARD):
                self._as_portal(proposal, user).action_commons_confirm()
        with self.assertRefused(AccessError, NOT_A_BILL_STEWARD):
            self._approve(bill, steward=puppet)
        self.assertEqual(bill.commons_bill_state, "submitted")
        self.assertEqual(proposal.state, "waiting")
        self.assertNotIn(puppet.partner_id, self.loot.steward_ids)
        self.assertEqual(self._figures(), figures)
        # the stewards heard of it before anything happened
        self.assertEqual(
            self._mails(proposal).recipient_ids,
            (self.steward | self.steward2).partner_id,
        )
        self.assertTrue(self._notes(self.loot, "proposes a change to Logiciel LOOT"))
        # a read-only user of the host proposes nothing
        with self.assertRefused(AccessError, NOT_A_MANAGER):
            self._propose(
                "remove_steward",
                user=self.commons_user,
                partner_id=self.steward2.partner_id.id,
            )

    def test_the_person_added_is_the_one_proposed(self):
        """While the proposal waits, the person it adds is nobody's steward
        yet: the accountant may change their email. The stewards decided on
        the address proposed: confirmed or applied, the proposal is cancelled
        instead."""
        newcomer = self.newcomer.partner_id
        proposal = self._propose_newcomer()
        self.assertEqual(
            (proposal.partner_name, proposal.partner_email),
            ("Alex Nouveau", "alex.nouveau@example.org"),
        )
        # the stewards read the address in the email and on their page
        for mail in self._mails(proposal):
            self.assertIn("alex.nouveau@example.org", mail.body_html)
        self.authenticate("commons_steward", "commons_steward")
        card = self._card(self._proposals_page(), proposal)
        self.assertIn(
            "Email of Alex Nouveau: alex.nouveau@example.org", self._text(card)
        )
        # the accountant gives the contact a mailbox of his own
        newcomer.with_user(self.accountant).write(
            {"name": "Alex N.", "email": "mailbox@accountant.example.org"}
        )
        self.assertEqual(proposal.description, "Add Alex Nouveau to the stewards")
        mark = self._mail_mark()
        response = self._post(f"/my/commons/proposals/{proposal.id}/confirm")
        changed = (
            "The email of Alex Nouveau changed since the change was proposed "
            "(alex.nouveau@example.org, now mailbox@accountant.example.org)"
        )
        self.assertIn(changed, self._notice(html.fromstring(response.text)))
        proposal.invalidate_recordset()
        self.assertEqual(proposal.state, "cancel")
        self.assertIn(changed, proposal.state_reason)
        self.assertNotIn(newcomer, self.loot.steward_ids)
        self.assertTrue(self._notes(self.loot, changed))
        cancelled = self._mails(proposal, since=mark)
        self.assertEqual(
            cancelled.recipient_ids, (self.steward | self.steward2).partner_id
        )
        self.assertIn(changed, cancelled[0].body_html)
        # proposed again with the new address, which only changes case since:
        # the same address, confirmed
        again = self._propose_newcomer()
        self.assertEqual(again.partner_email, "mailbox@accountant.example.org")
        newcomer.with_user(self.accountant).email = "Mailbox@Accountant.example.org"
        self.assertTrue(self._as_portal(again, self.steward).action_commons_confirm())
        self.assertEqual(again.state, "confirmed")
        self.assertIn(newcomer, self.loot.steward_ids)

    def test_the_person_added_changed_during_the_public_wait(self):
        forum = self._gone_resource()
        with freeze_time(NOW):
            proposal = self._propose_newcomer(forum)
        self.newcomer.partner_id.with_user(
            self.accountant
        ).email = "mailbox@accountant.example.org"
        with freeze_time(NOW + timedelta(days=15)):
            self.env[PROPOSAL_MODEL]._cron_apply_commons_proposals()
        self.assertEqual(proposal.state, "cancel")
        self.assertIn("The email of Alex Nouveau changed", proposal.state_reason)
        self.assertEqual(forum.steward_ids, self.gone)

    def test_nobody_confirms_their_own_proposal(self):
        """The accountant proposes a change, then leaves the host's staff and
        becomes a steward of LOOT while it waits: another steward confirms
        what he proposed, not he."""
        self.loot.with_user(self.accountant).commons_double_approval_amount = 1000
        proposal = self._propose("threshold", amount=0)
        self.accountant.with_user(self.admin).groups_id = [
            Command.set(self.env.ref("base.group_user").ids)
        ]
        loot = self.loot.with_env(self.env)
        arrival = self._propose(
            "add_steward",
            loot,
            user=self.admin,
            partner_id=self.accountant.partner_id.id,
        )
        self._as_portal(arrival, self.steward).action_commons_confirm()
        self.assertIn(self.accountant.partner_id, loot.steward_ids)
        self.assertFalse(self.accountant._get_commons_decision_refusal())
        with self.assertRefused(
            AccessError,
            "Nobody confirms their own proposal: another steward of Logiciel LOOT "
            "must",
        ):
            self._as_portal(proposal, self.accountant).action_commons_confirm()
        self.assertEqual(loot.commons_double_approval_amount, 1000)
        self._as_portal(proposal, self.steward2).action_commons_confirm()
        self.assertFalse(loot.commons_double_approval_amount)

    def test_a_person_who_joined_the_hosts_staff_meanwhile_is_not_added(self):
        """Proposed while a portal user, the newcomer is given the host's
        rights before a steward confirms: the confirmation is refused, since
        the host's staff never decide for a resource."""
        proposal = self._propose_newcomer()
        self.newcomer.with_user(self.admin).groups_id = [
            Command.set(
                (
                    self.env.ref("base.group_user")
                    | self.env.ref("account.group_account_invoice")
                ).ids
            )
        ]
        with self.assertRefused(
            UserError,
            "Alex Nouveau cannot be a steward of a resource of "
            f"{self.company.name}: their login commons_newcomer has the host's "
            "rights there",
        ):
            self._as_portal(proposal, self.steward).action_commons_confirm()
        self.assertEqual(proposal.state, "waiting")
        self.assertNotIn(self.newcomer.partner_id, self.loot.steward_ids)

    def test_the_proposals_page_does_not_query_more_with_more_proposals(self):
        people = self.env["res.partner"].create(
            [
                {"name": f"Person {i}", "email": f"person{i}@example.org"}
                for i in range(5)
            ]
        )
        self._propose("add_steward", partner_id=people[0].id)
        self.authenticate("commons_steward", "commons_steward")

        def read_page():
            self._proposals_page()  # warms the caches up
            count = self.cr.sql_log_count
            page = self._proposals_page()
            cards = page.xpath("//div[starts-with(@id, 'commons_proposal_')]")
            return self.cr.sql_log_count - count, len(cards)

        one = read_page()
        for person in people[1:]:
            self._propose("add_steward", partner_id=person.id)
        five = read_page()
        self.assertEqual((one[1], five[1]), (1, 5))
        self.assertEqual(five[0], one[0])

    def test_a_steward_objects_in_the_portal(self):
        figures = self._figures()
        proposal = self._propose(
            "remove_steward", partner_id=self.steward2.partner_id.id
        )
        # a removal is told to the former stewards too: there are none yet
        self.assertEqual(
            self._mails(proposal).recipient_ids,
            (self.steward | self.steward2).partner_id,
        )
        mark = self._mail_mark()
        self.authenticate("commons_steward", "commons_steward")
        response = self._post(f"/my/commons/proposals/{proposal.id}/object")
        self.assertIn(
            "You objected to the change to Logiciel LOOT",
            self._notice(html.fromstring(response.text)),
        )
        proposal.invalidate_recordset()
        self.assertEqual(proposal.state, "objected")
        self.assertEqual(proposal.decided_partner_id, self.steward.partner_id)
        self.assertIn(self.steward2.partner_id, self.loot.steward_ids)
        self.assertTrue(self._notes(self.loot, "Camille Martin objected to the change"))
        cancelled = self._mails(proposal, since=mark)
        self.assertEqual(
            cancelled.recipient_ids, (self.steward | self.steward2).partner_id
        )
        self.assertIn("Camille Martin", cancelled[0].body_html)
        # decided once: neither confirmed nor objected again
        response = self._post(f"/my/commons/proposals/{proposal.id}/confirm")
        self.assertIn("no longer waits", self._notice(html.fromstring(response.text)))
        proposal.invalidate_recordset()
        self.assertEqual(proposal.state, "objected")
        self.assertEqual(self._figures(), figures)

    def test_removed_steward_becomes_a_former_steward(self):
        with freeze_time(NOW):
            proposal = self._propose(
                "remove_steward", partner_id=self.steward2.partner_id.id
            )
            mark = self._mail_mark()
            self._as_portal(proposal, self.steward).action_commons_confirm()
        self.assertEqual(self.loot.steward_ids, self.steward.partner_id)
        self.assertEqual(self.loot.commons_former_steward_ids, self.steward2.partner_id)
        applied = self._mails(proposal, since=mark)
        self.assertEqual(
            applied.recipient_ids, (self.steward | self.steward2).partner_id
        )
        # Lou reads it in French: the dates and amounts of her emails are hers
        french = applied.filtered(lambda m: self.steward2.partner_id in m.recipient_ids)
        english = applied - french
        self.assertIn("02/03/2026", french.body_html)
        self.assertIn("03/02/2026", english.body_html)
        # she is told of what comes next, and adding her back needs a proposal
        with self.assertRefused(UserError, PROPOSE):
            self.loot.with_user(self.accountant).steward_ids = [
                Command.link(self.steward2.partner_id.id)
            ]
        back = self._propose("add_steward", partner_id=self.steward2.partner_id.id)
        self._as_portal(back, self.steward).action_commons_confirm()
        self.assertEqual(
            self.loot.steward_ids, (self.steward | self.steward2).partner_id
        )
        self.assertFalse(self.loot.commons_former_steward_ids)

    def test_one_proposal_of_a_change_at_a_time_and_the_host_withdraws(self):
        proposal = self._propose_newcomer()
        with self.assertRefused(UserError, "already waits for the stewards"):
            self._propose_newcomer()
        with self.assertRefused(UserError, "is already a steward"):
            self._propose("add_steward", partner_id=self.steward.partner_id.id)
        with self.assertRefused(UserError, "is not a steward"):
            self._propose("remove_steward", partner_id=self.gone.id)
        # a steward cannot withdraw it; the host can
        with self.assertRaises(AccessError):
            proposal.with_user(self.steward).action_commons_withdraw()
        mark = self._mail_mark()
        proposal.with_user(self.accountant).action_commons_withdraw()
        self.assertEqual(proposal.state, "cancel")
        self.assertIn("withdrew it", proposal.state_reason)
        self.assertTrue(self._notes(self.loot, "is cancelled: Add Alex Nouveau"))
        cancelled = self._mails(proposal, since=mark)
        self.assertEqual(len(cancelled), 2)
        with self.assertRefused(UserError, "no longer waits"):
            self._as_portal(proposal, self.steward).action_commons_confirm()
        self.assertNotIn(self.newcomer.partner_id, self.loot.steward_ids)
        # withdrawn: it may be proposed again
        self.assertTrue(self._propose_newcomer())

    # -- The two-approvals rule ---------------------------------------------

    def test_threshold_removed_for_one_bill_then_set_back(self):
        """Case 7 of issue 12: the accountant removes the threshold for the
        time of one bill, then sets it back."""
        loot = self.loot.with_user(self.accountant)
        loot.commons_double_approval_amount = 1000
        bill = self._submitted_bill(1200)
        self.assertEqual(bill.commons_approvals_needed, 2)
        figures = self._figures()
        with self.assertRefused(UserError, PROPOSE):
            loot.commons_double_approval_amount = 0
        proposal = self._propose("threshold", amount=0)
        self.assertEqual(proposal.amount_before, 1000)
        self.assertIn("One steward's approval for every bill", proposal.description)
        # while the stewards have not confirmed, the bill needs two of them
        self._approve(bill)
        self.assertEqual(bill.commons_bill_state, "submitted")
        with self.assertRefused(UserError, NOT_APPROVED):
            bill.with_user(self.accountant).action_post()
        self.assertEqual(self._figures(), figures)
        # Lou objects: nothing changed
        self._as_portal(proposal, self.steward2).action_commons_object()
        self.assertEqual(self.loot.commons_double_approval_amount, 1000)
        bill.invalidate_recordset()
        self.assertEqual(bill.commons_approvals_needed, 2)
        self.assertEqual(bill.commons_bill_state, "submitted")
        # proposed again and confirmed: one approval is enough from then on
        proposal = self._propose("threshold", amount=0)
        self._as_portal(proposal, self.steward2).action_commons_confirm()
        self.assertFalse(self.loot.commons_double_approval_amount)
        note = self._notes(
            self.loot, "Lou Bernard, steward of Logiciel LOOT, confirmed"
        )
        self.assertIn("approval for every bill", note.body)
        # set back at once: more control needs nobody's consent
        loot.commons_double_approval_amount = 1000
        self.assertEqual(self.loot.commons_double_approval_amount, 1000)
        other = self._submitted_bill(1100)
        self.assertEqual(other.commons_approvals_needed, 2)

    def test_a_waiting_threshold_change_reads_the_rule_now(self):
        """A stricter rule applies at once, even while a weaker one waits: the
        stewards read what the proposal would replace now, not what it would
        have when proposed."""
        loot = self.loot.with_user(self.accountant)
        loot.commons_double_approval_amount = 1000
        proposal = self._propose("threshold", amount=0)
        self.assertIn("instead of two above $\xa01,000.00", proposal.description)
        loot.commons_double_approval_amount = 500
        self.assertEqual(
            proposal.description,
            "One steward's approval for every bill, instead of two above $\xa0500.00",
        )
        self.assertEqual(proposal.amount_before, 1000)
        self.authenticate("commons_steward", "commons_steward")
        card = self._card(self._proposals_page(), proposal)
        self.assertIn("instead of two above $ 500.00", self._text(card))
        # confirmed: it replaced 500
        self._as_portal(proposal, self.steward).action_commons_confirm()
        self.assertEqual(proposal.amount_before, 500)
        self.assertIn("instead of two above $\xa0500.00", proposal.description)
        note = self._notes(self.loot, "Camille Martin, steward of Logiciel LOOT")
        self.assertIn("instead of two above $&nbsp;500.00. It is applied", note.body)

    def test_threshold_raised_is_a_proposal_in_french(self):
        self.loot.with_user(self.accountant).commons_double_approval_amount = 1000
        proposal = self._propose("threshold", amount=5000)
        mails = self._mails(proposal)
        french = mails.filtered(lambda m: self.steward2.partner_id in m.recipient_ids)
        english = mails - french
        self.assertIn("5,000.00", english.body_html)
        self.assertIn("5\xa0000,00", french.body_html)
        self._as_portal(proposal, self.steward).action_commons_confirm()
        self.assertEqual(self.loot.commons_double_approval_amount, 5000)

    # -- The analytic account and the company --------------------------------

    def _spare_account(self, name="LOOT (new)"):
        return self.env["account.analytic.account"].create(
            {
                "name": name,
                "plan_id": self.loot._get_analytic_plan().id,
                "company_id": self.company.id,
            }
        )

    def test_analytic_account_changes_by_proposal(self):
        spare = self._spare_account()
        elsewhere = self.env["account.analytic.account"].create(
            {
                "name": "Projects",
                "plan_id": self.env["account.analytic.plan"]
                .create({"name": "Projects"})
                .id,
            }
        )
        # DOKOS has stewards and no money yet: its account changes by proposal
        dokos = self._create_resource("DOKOS", "DOKOS")
        for account, message in (
            (elsewhere, "must be an account of the"),
            (self.loot.analytic_account_id, "is the one of Logiciel LOOT"),
            (dokos.analytic_account_id, "is already the analytic account"),
        ):
            with self.assertRefused((UserError, ValidationError), message):
                self._propose("analytic_account", dokos, analytic_account_id=account.id)
        before = dokos.analytic_account_id
        proposal = self._propose(
            "analytic_account", dokos, analytic_account_id=spare.id
        )
        self.assertEqual(proposal.analytic_account_before_id, before)
        self.assertEqual(dokos.analytic_account_id, before)
        self._as_portal(proposal, self.steward).action_commons_confirm()
        self.assertEqual(dokos.analytic_account_id, spare)

    def test_analytic_account_stays_once_the_resource_has_entries(self):
        """Moving LOOT to another account would make its figures 0 and leave
        its money on the former account, for another resource to take: once
        LOOT has entries, its account changes not even by proposal."""
        figures = self._figures()
        account = self.loot.analytic_account_id
        spare = self._spare_account()
        with self.assertRefused(UserError, IN_LEDGER):
            self._propose("analytic_account", analytic_account_id=spare.id)
        self.assertFalse(self.loot.commons_proposal_ids)
        # nor as superuser
        with self.assertRefused(UserError, IN_LEDGER):
            self.loot.sudo().write({"analytic_account_id": spare.id})
        # proposed while DOKOS had no money, confirmed once it has: refused
        dokos = self._create_resource("DOKOS", "DOKOS")
        proposal = self._propose(
            "analytic_account", dokos, analytic_account_id=spare.id
        )
        self._donate(dokos, 700, "2023-03-01")
        dokos_figures = self._figures(dokos)
        with self.assertRefused(UserError, "DOKOS has entries in the ledger"):
            self._as_portal(proposal, self.steward).action_commons_confirm()
        self.assertEqual(proposal.state, "waiting")
        self.assertEqual(dokos.analytic_account_id, proposal.analytic_account_before_id)
        self.assertEqual(self._figures(dokos), dokos_figures)
        self.assertEqual(dokos_figures["amount_funded"], 700)
        self.assertEqual(self.loot.analytic_account_id, account)
        self.assertEqual(self._figures(), figures)

    def test_no_resource_takes_an_account_with_entries(self):
        """An account that holds entries brings their money with it: a new
        resource, which needs nobody's consent yet, does not take one, whether
        created with it or written it."""
        figures = self._figures()
        spare = self._spare_account("Spare")
        entry = self.env["account.move"].create(
            {
                "move_type": "entry",
                "date": "2023-03-01",
                "line_ids": [
                    Command.create(
                        {
                            "name": "Grant",
                            "account_id": self.company_data[
                                "default_account_revenue"
                            ].id,
                            "credit": 900,
                            "analytic_distribution": {str(spare.id): 100},
                        }
                    ),
                    Command.create(
                        {
                            "name": "Grant",
                            "account_id": self.company_data[
                                "default_journal_bank"
                            ].default_account_id.id,
                            "debit": 900,
                        }
                    ),
                ],
            }
        )
        # A draft entry names it (the ledger rule refuses to post one): the
        # account is in the ledger already.
        self.assertEqual(entry.state, "draft")
        forum = self._create_resource("Forum Tiers-Lieux", "FORUM", people=False)
        forum_figures = self._figures(forum)
        with self.assertRefused(
            UserError, ACCOUNT_IN_LEDGER.format(resource="Forum Tiers-Lieux")
        ):
            forum.with_user(self.accountant).write({"analytic_account_id": spare.id})
        with self.assertRefused(
            UserError, ACCOUNT_IN_LEDGER.format(resource="Forum Tiers-Lieux")
        ):
            forum.sudo().write({"analytic_account_id": spare.id})
        self.assertNotEqual(forum.analytic_account_id, spare)
        # created with it: the new resource has an account of its own
        chat = (
            self.env["commons.resource"]
            .with_user(self.accountant)
            .create(
                {
                    "name": "Chat Tiers-Lieux",
                    "code": "CHAT",
                    "analytic_account_id": spare.id,
                }
            )
        )
        self.assertNotEqual(chat.analytic_account_id, spare)
        self.assertEqual(chat.analytic_account_id.code, "CHAT")
        self.assertEqual(self._figures(chat), forum_figures)
        self.assertEqual(self._figures(forum), forum_figures)
        self.assertEqual(self._figures(), figures)
        # without entries, a new resource may take it
        entry.unlink()
        forum.with_user(self.accountant).write({"analytic_account_id": spare.id})
        self.assertEqual(forum.analytic_account_id, spare)

    def test_company_stays_once_there_is_money(self):
        other_company = self.setup_other_company(name="Another host")["company"]
        self.accountant.company_ids += other_company
        figures = self._figures()
        for user in (self.accountant, self.admin):
            with self.assertRefused(UserError, "its money stays there"):
                self.loot.with_user(user).write({"company_id": other_company.id})
        with self.assertRefused(UserError, "its money stays there"):
            self.loot.sudo().write({"company_id": other_company.id})
        self.assertEqual(self.loot.company_id, self.company)
        self.assertEqual(self.loot.analytic_account_id.company_id, self.company)
        self.assertEqual(self._figures(), figures)

    # -- Nobody can confirm: public, delayed --------------------------------

    def test_nobody_can_confirm_the_change_waits_in_public(self):
        forum = self._gone_resource()
        with freeze_time(NOW):
            proposal = self._propose_newcomer(forum)
        self.assertEqual(proposal.date_effective, NOW + timedelta(days=14))
        note = self._notes(forum, "No steward of the resource can confirm it")
        self.assertTrue(note)
        # emailed to the steward who left, with a link to object
        mail = self._mails(proposal)
        self.assertEqual(mail.recipient_ids, self.gone)
        self.assertIn("unless a steward or a former steward objects", mail.body_html)
        self.assertTrue(self._object_url(proposal, self.gone))
        # shown on the resource's public page, with nothing personal of the host
        self.authenticate(None, None)
        page = self.url_open("/communs/forum?year=2023").text
        items = html.fromstring(page).xpath(
            "//li[contains(@class, 'o_commons_public_proposal')]"
        )
        self.assertEqual(len(items), 1)
        text = self._text(items[0])
        self.assertIn("Add Alex Nouveau to the stewards", text)
        self.assertIn(self.company.name, text)
        self.assertIn("Mar 16, 2026", text)
        for secret in ("commons_accountant", self.accountant.email, "Dominique Parti"):
            self.assertNotIn(secret, page)
        # a day short of the period, nothing; after it, applied
        with freeze_time(NOW + timedelta(days=13, hours=23)):
            self.env[PROPOSAL_MODEL]._cron_apply_commons_proposals()
        self.assertEqual(proposal.state, "waiting")
        self.assertNotIn(self.newcomer.partner_id, forum.steward_ids)
        mark = self._mail_mark()
        with freeze_time(NOW + timedelta(days=14, hours=1)):
            self.env[PROPOSAL_MODEL]._cron_apply_commons_proposals()
        self.assertEqual(proposal.state, "applied")
        self.assertEqual(forum.steward_ids, self.gone | self.newcomer.partner_id)
        self.assertTrue(self._notes(forum, "Nobody objected to the change"))
        applied = self._mails(proposal, since=mark)
        self.assertEqual(applied.recipient_ids, self.gone | self.newcomer.partner_id)
        self.assertIn(
            "Nobody objected to it within the waiting period", applied[0].body_html
        )
        # no longer on the public page
        page = self.url_open("/communs/forum?year=2023").text
        self.assertNotIn("o_commons_public_proposal", page)

    def test_the_cron_job_runs_the_daily_method(self):
        cron = self.env.ref(
            "compte_commun_communs.ir_cron_commons_governance_proposal_apply"
        )
        self.assertEqual((cron.interval_number, cron.interval_type), (1, "days"))
        self.assertTrue(cron.active)
        forum = self._gone_resource()
        with freeze_time(NOW):
            proposal = self._propose_newcomer(forum)
        with freeze_time(NOW + timedelta(days=15)):
            cron.sudo().method_direct_trigger()
        self.assertEqual(proposal.state, "applied")

    def test_waiting_period_is_the_companys(self):
        self.company.commons_proposal_wait_days = 30
        forum = self._gone_resource()
        with freeze_time(NOW):
            proposal = self._propose_newcomer(forum)
        self.assertEqual(proposal.date_effective, NOW + timedelta(days=30))

    def test_nobody_can_confirm_on_a_resource_without_public_page(self):
        forum = self._gone_resource()
        forum.is_published = False
        with self.assertRefused(UserError, "publish the resource on the needs page"):
            self._propose_newcomer(forum)
        self.assertFalse(forum.commons_proposal_ids)

    def test_the_public_notice_stays_for_the_whole_wait(self):
        """Unpublished or archived right after proposing, and published again
        before the daily job, the resource would hide the change for most of
        its wait: while it waits in public, the resource stays on the needs
        page, until the host withdraws the proposal."""
        forum = self._gone_resource()
        with freeze_time(NOW):
            proposal = self._propose_newcomer(forum)
        waits = (
            "No steward of Forum Tiers-Lieux can confirm the change “Add Alex "
            "Nouveau to the stewards” proposed on Mar 2, 2026"
        )
        for record in (forum.with_user(self.accountant), forum.sudo()):
            for vals in ({"is_published": False}, {"active": False}):
                with self.subTest(vals=vals, su=record.env.su):
                    with self.assertRefused(UserError, waits):
                        record.write(vals)
            with self.assertRefused(UserError, "withdraw the proposal first"):
                record.action_archive()
        self.assertTrue(forum.is_published and forum.active)
        self.authenticate(None, None)
        page = self.url_open("/communs/forum?year=2023").text
        self.assertIn("o_commons_public_proposal", page)
        # withdrawn, the resource may leave the needs page
        proposal.with_user(self.accountant).action_commons_withdraw()
        forum.with_user(self.accountant).write({"is_published": False})
        self.assertFalse(forum.is_published)
        # a change the stewards can confirm does not keep LOOT published
        self._propose_newcomer()
        self.loot.with_user(self.accountant).write({"is_published": False})
        self.assertFalse(self.loot.is_published)

    def test_a_steward_whose_login_may_not_decide_cannot_confirm(self):
        """The administrator changes Camille's and Lou's emails: their logins
        decide nothing for the waiting period, so nobody can confirm and the
        change waits in public. They still hear of it at their previous
        addresses, and object to it from the portal or the emailed link."""
        figures = self._figures()
        previous = {}
        for user in (self.steward, self.steward2):
            previous[user] = user.email
            # The link confirming a change of login is sent at once.
            with self._outgoing_mail_server():
                user.with_user(self.admin).write(
                    {"email": f"{user.login}@admin.example.org"}
                )
        self.assertFalse(self.loot._get_commons_deciding_stewards())
        proposal = self._propose_newcomer()
        self.assertTrue(proposal.date_effective, "nobody can confirm")
        self.assertTrue(self._notes(self.loot, "No steward of the resource can"))
        # each steward is emailed at the administrator's address and at their
        # own, with the link to object
        for user in (self.steward, self.steward2):
            mail = self._mails(proposal, user.partner_id)
            self.assertEqual(mail.email_to, previous[user], user.name)
            self.assertEqual(
                mail.recipient_ids.email, f"{user.login}@admin.example.org"
            )
            self.assertTrue(self._object_url(proposal, user.partner_id))
        # neither confirms: their logins were changed by someone else
        for user in (self.steward, self.steward2):
            with self.assertRefused(
                AccessError,
                f"The login of {user.name} was changed by {self.admin.name}",
            ):
                self._as_portal(proposal, user).action_commons_confirm()
        # in her portal, Camille may object, not confirm, and reads why
        self.authenticate("commons_steward", "commons_steward")
        card = self._card(self._proposals_page(), proposal)
        self.assertFalse(
            card.xpath(".//button[contains(@class, 'o_commons_proposal_confirm')]")
        )
        self.assertTrue(
            card.xpath(".//button[contains(@class, 'o_commons_proposal_object')]")
        )
        self.assertIn("The login of Camille Martin was changed", self._text(card))
        mark = self._mail_mark()
        response = self._post(f"/my/commons/proposals/{proposal.id}/object")
        self.assertIn(
            "You objected to the change to Logiciel LOOT",
            self._notice(html.fromstring(response.text)),
        )
        proposal.invalidate_recordset()
        self.assertEqual(proposal.state, "objected")
        self.assertEqual(
            (proposal.decided_partner_id, proposal.decided_by_id),
            (self.steward.partner_id, self.steward),
        )
        # told at her own address too
        cancelled = self._mails(proposal, self.steward.partner_id, since=mark)
        self.assertEqual(cancelled.email_to, previous[self.steward])
        # proposed again: Lou objects from the link sent to her own address
        again = self._propose_newcomer()
        url = self._object_url(again, self.steward2.partner_id)
        token = parse_qs(urlparse(url).query)["token"][0]
        self.authenticate(None, None)
        response = self._post(url, {"token": token}, csrf_url=url)
        self.assertIn(
            "Your objection is recorded", self._text(html.fromstring(response.text))
        )
        again.invalidate_recordset()
        self.assertEqual(again.state, "objected")
        self.assertEqual(again.decided_partner_id, self.steward2.partner_id)
        with freeze_time(again.date_effective + timedelta(days=1)):
            self.env[PROPOSAL_MODEL]._cron_apply_commons_proposals()
        self.assertNotIn(self.newcomer.partner_id, self.loot.steward_ids)
        self.assertEqual(self._figures(), figures)

    def test_only_a_steward_objects_in_the_portal(self):
        """Objecting needs no login that may decide, yet it needs a steward."""
        proposal = self._propose_newcomer()
        for user in (self.accountant, self.newcomer, self.contributor):
            with self.assertRefused(AccessError, NOT_A_STEWARD):
                self._as_portal(proposal, user).action_commons_object()
        self.assertEqual(proposal.state, "waiting")

    def test_objection_from_the_emailed_link_without_logging_in(self):
        forum = self._gone_resource()
        figures = self._figures(forum)
        proposal = self._propose_newcomer(forum)
        url = self._object_url(proposal, self.gone)
        self.authenticate(None, None)
        # opening the link decides nothing
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        page = html.fromstring(response.text)
        self.assertIn("Add Alex Nouveau to the stewards", self._text(page))
        self.assertIn("You object as Dominique Parti", self._text(page))
        proposal.invalidate_recordset()
        self.assertEqual(proposal.state, "waiting")
        # a link tampered with is refused
        token = parse_qs(urlparse(url).query)["token"][0]
        response = self.url_open(f"/communs/proposals/object?token={token[:-2]}xx")
        self.assertEqual(response.status_code, 403)
        self.assertIn("not valid", response.text)
        # no CSRF token: refused
        response = self.url_open(url, data={"token": token})
        self.assertEqual(response.status_code, 400)
        proposal.invalidate_recordset()
        self.assertEqual(proposal.state, "waiting")
        # objected
        response = self._post(url, {"token": token}, csrf_url=url)
        self.assertIn(
            "Your objection is recorded", self._text(html.fromstring(response.text))
        )
        proposal.invalidate_recordset()
        self.assertEqual(proposal.state, "objected")
        self.assertEqual(proposal.decided_partner_id, self.gone)
        self.assertFalse(proposal.decided_by_id)
        note = self._notes(forum, "Dominique Parti objected to the change")
        self.assertEqual(note.author_id, self.gone)
        # the link works once
        response = self.url_open(url)
        self.assertIn("no longer waits", response.text)
        self.assertFalse(
            html.fromstring(response.text).xpath(
                "//button[contains(@class, 'o_commons_proposal_object')]"
            )
        )
        with freeze_time(proposal.date_effective + timedelta(days=1)):
            self.env[PROPOSAL_MODEL]._cron_apply_commons_proposals()
        self.assertEqual(forum.steward_ids, self.gone)
        self.assertEqual(self._figures(forum), figures)

    def test_objection_link_expires_and_is_personal(self):
        forum = self._gone_resource()
        with freeze_time(NOW):
            proposal = self._propose_newcomer(forum)
            token = proposal._get_commons_object_token(self.gone)
        Proposal = self.env[PROPOSAL_MODEL]
        with freeze_time(NOW + timedelta(days=17)):
            with self.assertRefused(AccessError, "not valid, or it has expired"):
                Proposal._get_commons_proposal_by_token(token)
        # a link made for someone who is no steward nor former steward
        with freeze_time(NOW + timedelta(days=1)):
            stranger = proposal._get_commons_object_token(self.newcomer.partner_id)
            found, partner = Proposal._get_commons_proposal_by_token(stranger)
            with self.assertRefused(AccessError, "no longer a steward"):
                found._object_commons_by_link(partner)
        self.assertEqual(proposal.state, "waiting")

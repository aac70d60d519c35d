# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The stewards' own logins. The host's staff never take over the login of a
steward or a contributor (their email, an invitation again, a password
reset, a merge); an administrator's change is told to the previous address
and holds the login until its owner confirms it from there; a second login,
or a login with the host's rights, decides nothing."""

import base64
import json
from datetime import datetime, timedelta
from unittest.mock import patch
from urllib.parse import urlparse

from freezegun import freeze_time
from lxml import html

from odoo import Command, api, fields, tools
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, HttpCase, tagged

from odoo.addons.base.models.ir_mail_server import MailDeliveryException
from odoo.addons.mail.tests.common import MockEmail, mail_new_test_user

from ..models.commons_login_change import TOKEN_SCOPE
from .common import CommonsCase

EVIL = "evil@example.com"
NEW_ADDRESS = "camille.martin@new.example.org"
ONLY_ADMIN_EMAIL = "Only an administrator may change the email of Camille Martin"
ONLY_ADMIN_INVITE = "Only an administrator may send Camille Martin an invitation"
ONLY_ADMIN_GRANT = "Only an administrator may give back its access"
ONLY_ADMIN_REVOKE = "Only an administrator may revoke the access of Camille Martin"
ONLY_ADMIN_RESET = "Only an administrator may reset the password of Camille Martin"
ONLY_ADMIN_MERGE = "Only an administrator may merge these contacts"
FROZEN = "it decides nothing until"
SECOND_LOGIN = "is a second login of Camille Martin"
HOST_RIGHTS = "has the host's rights"
NOT_A_STEWARD = "cannot be a steward of a resource of"


class CommonsLoginsCase(CommonsCase, MockEmail):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.loot = cls._create_resource("Logiciel LOOT", "LOOT")
        cls._donate(cls.loot, 5000, "2023-02-15")
        cls.admin = cls.env.ref("base.user_admin")
        cls.admin.company_ids = [Command.link(cls.company.id)]
        # A contributor the host has not invited yet.
        cls.newcomer = cls.env["res.partner"].create(
            {"name": "Alex Nouveau", "email": "alex.nouveau@example.org"}
        )
        cls.loot.contributor_ids = [Command.link(cls.newcomer.id)]
        cls.camille = cls.steward
        cls.camille_email = cls.camille.partner_id.email

    # -- Helpers ------------------------------------------------------------

    def _identity(self, user):
        """What proves who the person is: the contact's email, the login, the
        stored password, the sign-up state, whether the login is active."""
        self.env.invalidate_all()
        self.env.cr.execute("SELECT password FROM res_users WHERE id = %s", [user.id])
        (password,) = self.env.cr.fetchone()
        return (
            user.partner_id.email,
            user.login,
            password,
            user.partner_id.sudo().signup_type,
            user.active,
        )

    def _emails_to(self, address):
        """The emails sent (by the mail gateway) or queued to ``address``
        while the mail gateway was mocked."""
        sent = [
            mail
            for mail in self._mails
            if any(address in recipient for recipient in mail["email_to"])
        ]
        queued = self._new_mails.exists().filtered(
            lambda mail: address in (mail.email_to or "")
            or address in "".join(mail.recipient_ids.mapped("email"))
        )
        return sent, queued

    def _confirm_links_to(self, address):
        """The links that confirm a change, in the emails sent or queued to
        ``address``."""
        sent, queued = self._emails_to(address)
        bodies = [mail["body"] for mail in sent] + queued.mapped("body_html")
        links = (
            href
            for body in bodies
            for href in html.fromstring(body).xpath(
                "//a[contains(@href, '/commons/login-change/')]/@href"
            )
        )
        return list(dict.fromkeys(links))  # a sent mail is also a mail.mail

    def _assert_nothing_sent_to(self, address):
        sent, queued = self._emails_to(address)
        self.assertFalse(sent, f"an email was sent to {address}")
        self.assertFalse(queued, f"an email waits for {address}")

    def _changes(self, partner=None):
        return (
            self.env["commons.login.change"]
            .sudo()
            .search([("partner_id", "=", (partner or self.camille.partner_id).id)])
        )

    def _submitted_bill(self, amount=1000):
        bill = self._bill(self.loot, amount, "2023-06-01", post=False)
        bill.action_commons_submit()
        return bill

    def _assert_cannot_approve(self, bill, user, regex):
        available = self.loot._get_commons_available()
        # needs WP-E for the message to come from _check_commons_approver; the
        # approval record refuses it already.
        with self.assertRefused(AccessError, regex):
            self._approve(bill, steward=user)
        bill.invalidate_recordset()
        self.assertEqual(bill.commons_bill_state, "submitted")
        self.assertFalse(bill.sudo().commons_approval_ids)
        self.assertEqual(self.loot._get_commons_available(), available)

    def _wizard(self, partner, user=None):
        """The portal access wizard as the contact's action opens it."""
        Wizard = (
            self.env["portal.wizard"]
            .with_user(user or self.accountant)
            .with_context(active_ids=partner.ids, active_model="res.partner")
        )
        return Wizard.browse(Wizard.action_open_wizard()["res_id"])

    def _wizard_line(self, partner, user=None):
        return self._wizard(partner, user=user).user_ids.filtered(
            lambda line: line.partner_id == partner
        )


@tagged("post_install", "-at_install")
class TestCommonsLoginsHostStaff(CommonsLoginsCase):
    """The accountant (Contact Creation, accounting and Commons manager, no
    administrator rights) takes over no steward's or contributor's login."""

    def test_portal_wizard_does_not_offer_to_change_the_email(self):
        form = Form(self._wizard(self.camille.partner_id))
        with form.user_ids.edit(0) as line:
            self.assertEqual(line.email, self.camille_email)
            with self.assertRaisesRegex(AssertionError, "readonly field 'email'"):
                line.email = EVIL
        # A contact who has no login yet: its email may be fixed there.
        form = Form(self._wizard(self.newcomer))
        with form.user_ids.edit(0) as line:
            line.email = "alex@example.org"
        form.save()

    def test_accountant_cannot_change_a_stewards_email_in_the_portal_wizard(self):
        before = self._identity(self.camille)
        line = self._wizard_line(self.camille.partner_id)
        # What the wizard's list sends when its email is edited over RPC.
        line.write({"email": EVIL})
        with self.mock_mail_gateway():
            with self.assertRefused(AccessError, ONLY_ADMIN_INVITE):
                line.action_invite_again()
            with self.assertRefused(AccessError, ONLY_ADMIN_REVOKE):
                line.action_revoke_access()
        self.assertEqual(self._identity(self.camille), before)
        self._assert_nothing_sent_to(EVIL)
        self.assertFalse(self._changes())

    def test_accountant_cannot_invite_a_steward_again(self):
        before = self._identity(self.camille)
        line = self._wizard_line(self.camille.partner_id)
        self.assertTrue(line.commons_locked)
        with self.mock_mail_gateway():
            with self.assertRefused(AccessError, ONLY_ADMIN_INVITE):
                line.action_invite_again()
        self.assertEqual(self._identity(self.camille), before)
        self.assertFalse(self._mails, "no invitation was sent")
        self._assert_nothing_sent_to(self.camille_email)

    def test_accountant_cannot_revoke_a_stewards_access(self):
        """Done to every steward, the host's proposals would have nobody to
        confirm them: the accountant cuts nobody off."""
        before = self._identity(self.camille)
        with self.mock_mail_gateway():
            with self.assertRefused(AccessError, ONLY_ADMIN_REVOKE):
                self._wizard_line(self.camille.partner_id).action_revoke_access()
        self.assertEqual(self._identity(self.camille), before)
        self.assertTrue(self.camille.active)
        self.assertFalse(self._mails)
        # The host's other logins stay the accountant's to revoke.
        self._wizard_line(self.portal_user.partner_id).action_revoke_access()
        self.assertFalse(self.portal_user.active)

    def test_accountant_cannot_give_back_an_archived_login(self):
        line = self._wizard_line(self.camille.partner_id, user=self.admin)
        line.action_revoke_access()
        self.assertFalse(self.camille.active)
        before = self._identity(self.camille)
        line = self._wizard_line(self.camille.partner_id)
        with self.mock_mail_gateway():
            with self.assertRefused(AccessError, ONLY_ADMIN_GRANT):
                line.action_grant_access()
        self.assertEqual(self._identity(self.camille), before)
        self.assertFalse(self._mails, "no invitation was sent")

    def test_accountant_invites_a_person_who_has_no_login(self):
        line = self._wizard_line(self.newcomer)
        self.assertFalse(line.commons_locked)
        with self.mock_mail_gateway():
            line.action_grant_access()
        user = self.newcomer.user_ids
        self.assertEqual(user.login, "alex.nouveau@example.org")
        self.assertTrue(user._is_portal())
        sent, _queued = self._emails_to("alex.nouveau@example.org")
        self.assertEqual(len(sent), 1, "the invitation goes to the contact's address")
        self.assertFalse(user._get_commons_decision_refusal())
        # Once it exists, the login is guarded too.
        with self.assertRefused(AccessError, "an invitation again"):
            self._wizard_line(self.newcomer).action_invite_again()

    def test_portal_wizard_writes_the_email_as_the_contact_does(self):
        """The email typed in the wizard goes to the contact with the button:
        for a person who has no login yet, the change is the accountant's to
        make, and is written down as any change of the contact's email."""
        form = Form(self._wizard(self.newcomer))
        with form.user_ids.edit(0) as line:
            line.email = "alex@example.org"
        wizard = form.save()
        with self.mock_mail_gateway():
            wizard.user_ids.action_grant_access()
        self.assertEqual(self.newcomer.email, "alex@example.org")
        self.assertEqual(self.newcomer.user_ids.login, "alex@example.org")
        change = self._changes(self.newcomer)
        self.assertEqual(
            (change.changed_by_id, change.old_email, change.new_email),
            (self.accountant, "alex.nouveau@example.org", "alex@example.org"),
        )

    def test_accountant_cannot_change_the_email_on_the_contact(self):
        for user in (self.camille, self.contributor):
            partner = user.partner_id
            before = self._identity(user)
            with self.mock_mail_gateway():
                form = Form(partner.with_user(self.accountant))
                form.email = EVIL
                with self.assertRefused(
                    AccessError, "Only an administrator may change"
                ):
                    form.save()
                # Over RPC, and cleared.
                for email in (EVIL, False):
                    with self.assertRefused(AccessError, "Only an administrator"):
                        partner.with_user(self.accountant).write({"email": email})
            self.assertEqual(self._identity(user), before)
            self._assert_nothing_sent_to(EVIL)
        # The host's other contacts, and people without a login, stay theirs.
        self.funder.with_user(self.accountant).email = "dons@fabrique.example"
        with self.mock_mail_gateway():
            self.newcomer.with_user(self.accountant).email = "alex@example.org"
        self.assertEqual(self.newcomer.email, "alex@example.org")
        # ... but the change of a person of the commons is written down.
        self.assertEqual(self._changes(self.newcomer).new_email, "alex@example.org")
        self.assertFalse(self._changes(self.funder))

    def test_a_refused_email_change_searches_the_people_once(self):
        Partner = type(self.env["res.partner"])
        with patch.object(
            Partner,
            "_get_commons_resources",
            autospec=True,
            side_effect=Partner._get_commons_resources,
        ) as search:
            with self.assertRefused(AccessError, ONLY_ADMIN_EMAIL):
                self.camille.partner_id.with_user(self.accountant).write(
                    {"email": EVIL}
                )
        self.assertEqual(search.call_count, 1)

    def test_accountant_cannot_change_an_email_of_several_addresses(self):
        # A contact whose email field holds two addresses (stored so before
        # this version): email_normalize reads neither the old value nor the
        # new one.
        partner = self.camille.partner_id
        self.env.cr.execute(
            "UPDATE res_partner SET email = %s WHERE id = %s",
            ["camille@example.org, camille@work.example", partner.id],
        )
        self.env.invalidate_all()
        before = self._identity(self.camille)
        with self.mock_mail_gateway():
            with self.assertRefused(AccessError, ONLY_ADMIN_EMAIL):
                partner.with_user(self.accountant).write(
                    {"email": f"{EVIL}, camille@work.example"}
                )
        self.assertEqual(self._identity(self.camille), before)
        self._assert_nothing_sent_to(EVIL)

    def test_accountant_cannot_make_a_contact_act_for_a_contributor(self):
        """A contact under Sacha (a person, so his own commercial partner)
        bills as Sacha: the accountant neither makes one, with an address of
        his own to invite, nor moves one in or out."""
        sacha = self.contributor.partner_id
        Partner = self.env["res.partner"].with_user(self.accountant)
        only_admin = "Only an administrator may attach a contact to Sacha Dupont"
        with self.mock_mail_gateway():
            with self.assertRefused(AccessError, only_admin):
                Partner.create(
                    {"name": "Sacha (compta)", "parent_id": sacha.id, "email": EVIL}
                )
            # From Sacha's form, as over RPC (Odoo creates the lines as the
            # request's user, who is the accountant there).
            accountant_env = api.Environment(self.env.cr, self.accountant.id, {})
            with self.assertRefused(AccessError, only_admin):
                sacha.with_env(accountant_env).write(
                    {"child_ids": [Command.create({"name": "Sacha", "email": EVIL})]}
                )
            with self.assertRefused(AccessError, only_admin):
                self.funder.with_user(self.accountant).parent_id = sacha
        self.assertFalse(sacha.child_ids)
        self._assert_nothing_sent_to(EVIL)
        # A contact the administrator made under Sacha acts for him: it stays
        # there, and once it has a login its email is guarded too.
        contact = (
            self.env["res.partner"]
            .with_user(self.admin)
            .create(
                {
                    "name": "Sacha Dupont, invoicing",
                    "parent_id": sacha.id,
                    "email": "sacha.factures@example.org",
                }
            )
        )
        self.assertEqual(
            (contact | self.funder)._get_commons_people(), contact, "a person"
        )
        for vals in ({"parent_id": False}, {"is_company": True}):
            with self.assertRefused(AccessError, only_admin):
                contact.with_user(self.accountant).write(vals)
        self.assertEqual(contact.commercial_partner_id, sacha)
        # Inviting it, without a login yet, stays possible.
        with self.mock_mail_gateway():
            self._wizard_line(contact).action_grant_access()
        self.assertTrue(contact.user_ids)
        with self.assertRefused(AccessError, "Only an administrator may change"):
            contact.with_user(self.accountant).email = EVIL
        # The host's other contacts stay the accountant's to arrange.
        office = Partner.create({"name": "La Fabrique, office", "is_company": True})
        self.funder.with_user(self.accountant).parent_id = office
        self.assertEqual(self.funder.commercial_partner_id, office)

    def test_accountant_cannot_reset_a_stewards_password(self):
        self.camille.partner_id.sudo().signup_prepare()
        token = self.camille.partner_id.sudo()._generate_signup_token()
        before = self._identity(self.camille)
        Users = self.env["res.users"].with_user(self.accountant)
        with self.mock_mail_gateway():
            with self.assertRefused(AccessError, ONLY_ADMIN_RESET):
                self.camille.with_user(self.accountant).action_reset_password()
            # What the login page's "Reset Password" does, as the accountant.
            with self.assertRefused(AccessError, ONLY_ADMIN_RESET):
                Users.sudo().reset_password(self.camille.login)
            with self.assertRefused(AccessError, ONLY_ADMIN_RESET):
                Users.sudo().reset_password(self.camille_email)
            # A sign-up link that reached the accountant sets no password.
            with self.assertRefused(AccessError, ONLY_ADMIN_RESET):
                Users.sudo().signup({"password": "taken-over"}, token)
        self.assertEqual(self._identity(self.camille), before)
        self.assertFalse(self._mails)
        # The person herself, from the link sent to her address, may.
        public = self.env.ref("base.public_user")
        self.env["res.users"].with_user(public).sudo().signup(
            {"password": "camille-new-password"}, token
        )
        self.assertNotEqual(self._identity(self.camille)[2], before[2])
        self.assertFalse(self._changes())
        self.assertFalse(self.camille._get_commons_decision_refusal())

    def test_accountant_cannot_merge_a_steward(self):
        duplicate = self.env["res.partner"].create(
            {"name": "Camille Martin", "email": self.camille_email}
        )
        Merge = self.env["base.partner.merge.automatic.wizard"].with_user(
            self.accountant
        )
        before = self._identity(self.camille)
        for dst in (duplicate, self.camille.partner_id):
            wizard = Merge.create(
                {
                    "partner_ids": [
                        Command.set((duplicate | self.camille.partner_id).ids)
                    ],
                    "dst_partner_id": dst.id,
                }
            )
            with self.assertRefused(AccessError, ONLY_ADMIN_MERGE):
                wizard.action_merge()
        # A steward who has no login yet, into a contact that has one.
        # (as superuser: a test's fixture, not the host's way of adding one)
        self.loot.sudo().steward_ids = [Command.link(self.newcomer.id)]
        wizard = Merge.create(
            {
                "partner_ids": [
                    Command.set((self.newcomer | self.portal_user.partner_id).ids)
                ],
                "dst_partner_id": self.portal_user.partner_id.id,
            }
        )
        with self.assertRefused(AccessError, ONLY_ADMIN_MERGE):
            wizard.action_merge()
        self.assertTrue(duplicate.exists())
        self.assertTrue(self.newcomer.exists())
        self.assertEqual(self._identity(self.camille), before)
        self.assertEqual(self.camille.partner_id.user_ids, self.camille)


@tagged("post_install", "-at_install")
class TestCommonsLoginChange(CommonsLoginsCase):
    """An administrator may change a steward's login: the previous address is
    told, and the login decides nothing until it is confirmed from there or
    the waiting period ends."""

    def _change_email_as_admin(self, email=NEW_ADDRESS):
        form = Form(self.camille.partner_id.with_user(self.admin))
        form.email = email
        form.save()
        return self._changes()

    def _login_change_mails(self):
        """The emails made with a confirmation link (the mocked gateway keeps
        them once sent)."""
        return self._new_mails.filtered(
            lambda mail: "/commons/login-change/" in (mail.body_html or "")
        )

    @freeze_time("2026-05-04 10:00:00")
    def test_email_changed_by_the_administrator_holds_the_login(self):
        bill = self._submitted_bill()
        with self.mock_mail_gateway():
            change = self._change_email_as_admin()
        self.assertEqual(len(change), 1)
        self.assertEqual(
            (change.user_id, change.changed_by_id, change.old_email, change.new_email),
            (self.camille, self.admin, self.camille_email, NEW_ADDRESS),
        )
        self.assertEqual(change.date, datetime(2026, 5, 4, 10))
        self.assertEqual(change.date_until, datetime(2026, 5, 11, 10))
        self.assertEqual(change.state, "pending")
        # The previous address, and only it, is told, with the link.
        mail = self._login_change_mails()
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.email_to, self.camille_email)
        self.assertFalse(mail.recipient_ids)
        self.assertEqual(mail.state, "sent", "sent at once, not queued")
        self.assertIn("confirm the change", mail.body_html)
        self.assertIn("/commons/login-change/", mail.body_html)
        self.assertIn(NEW_ADDRESS, mail.body_html)
        self.assertFalse(self._emails_to(NEW_ADDRESS)[1])
        # ... in her language.
        self.camille.partner_id.lang = "fr_FR"
        template = self.env.ref(
            "compte_commun_communs.mail_template_commons_login_change"
        )
        self.assertEqual(template._render_lang(change.ids), {change.id: "fr_FR"})
        # Her contact's chatter says so, for the host.
        self.assertTrue(
            self.camille.partner_id.message_ids.filtered(
                lambda message: "It decides nothing in the commons until"
                in (message.body or "")
            )
        )
        # Her login decides nothing; the other steward still does.
        refusal = self.camille._get_commons_decision_refusal()
        self.assertIn("The login of Camille Martin was changed by", refusal)
        self.assertIn("(email)", refusal)
        self.assertIn(FROZEN, refusal)
        with self.assertRaisesRegex(AccessError, FROZEN):
            self.camille._check_commons_decision_login()
        self._assert_cannot_approve(bill, self.camille, FROZEN)
        self._approve(bill, steward=self.steward2)
        self.assertEqual(bill.commons_bill_state, "approved")

    def test_waiting_period_ends(self):
        with freeze_time("2026-05-04 10:00:00"), self.mock_mail_gateway():
            self._change_email_as_admin()
        with freeze_time("2026-05-11 09:59:00"):
            self.assertIn(FROZEN, self.camille._get_commons_decision_refusal())
        with freeze_time("2026-05-11 10:00:01"):
            self.assertFalse(self.camille._get_commons_decision_refusal())
            self.assertEqual(self._changes().state, "elapsed")
            bill = self._submitted_bill()
            self._approve(bill, steward=self.camille)
            self.assertEqual(bill.commons_bill_state, "approved")

    def test_waiting_period_is_the_setting(self):
        self.company.commons_login_wait_days = 3
        with freeze_time("2026-05-04 10:00:00"), self.mock_mail_gateway():
            change = self._change_email_as_admin()
        self.assertEqual(change.date_until, datetime(2026, 5, 7, 10))

    def test_login_and_email_in_one_save_make_one_change(self):
        with self.mock_mail_gateway():
            # What the user form saves when its login (an email) is changed.
            self.camille.with_user(self.admin).write(
                {"login": "camille.martin", "email": NEW_ADDRESS}
            )
        change = self._changes()
        self.assertEqual(len(change), 1)
        self.assertEqual(
            (change.old_login, change.new_login, change.old_email, change.new_email),
            ("commons_steward", "camille.martin", self.camille_email, NEW_ADDRESS),
        )
        self.assertEqual(change.changes, "email and login")
        mail = self._login_change_mails()
        self.assertEqual(mail.email_to, self.camille_email)
        self.assertIn(FROZEN, self.camille._get_commons_decision_refusal())

    def test_email_of_several_addresses_changed_by_the_administrator(self):
        self.env.cr.execute(
            "UPDATE res_partner SET email = %s WHERE id = %s",
            ["camille@example.org, camille@work.example", self.camille.partner_id.id],
        )
        self.env.invalidate_all()
        with self.mock_mail_gateway():
            self.camille.with_user(self.admin).write(
                {"email": f"{NEW_ADDRESS}, camille@work.example"}
            )
        change = self._changes()
        self.assertEqual(
            (change.old_email, change.new_email),
            (
                "camille@example.org, camille@work.example",
                f"{NEW_ADDRESS}, camille@work.example",
            ),
        )
        self.assertIn(FROZEN, self.camille._get_commons_decision_refusal())

    def test_password_set_by_the_administrator_holds_the_login(self):
        with self.mock_mail_gateway():
            self.camille.with_user(self.admin).password = "chosen-by-admin"
        change = self._changes()
        self.assertTrue(change.password_changed)
        self.assertEqual(change.changes, "password")
        self.assertEqual(self._login_change_mails().email_to, self.camille_email)
        self.assertIn("(password)", self.camille._get_commons_decision_refusal())

    def test_invitation_by_the_administrator_to_a_new_address(self):
        line = self._wizard_line(self.camille.partner_id, user=self.admin)
        self.assertFalse(line.commons_locked)
        line.email = NEW_ADDRESS
        with self.mock_mail_gateway():
            line.action_invite_again()
        self.assertEqual(self.camille.partner_id.email, NEW_ADDRESS)
        self.assertEqual(self._changes().new_email, NEW_ADDRESS)
        self.assertEqual(self._login_change_mails().email_to, self.camille_email)
        self.assertIn(FROZEN, self.camille._get_commons_decision_refusal())

    def test_access_revoked_by_the_administrator_is_told(self):
        with self.mock_mail_gateway():
            self._wizard_line(
                self.camille.partner_id, user=self.admin
            ).action_revoke_access()
        self.assertFalse(self.camille.active)
        told = self._new_mails.filtered(
            lambda mail: mail.email_to == self.camille.email_formatted
        )
        self.assertEqual(len(told), 1)
        self.assertIn("Access Revoked", told.subject)
        self.assertIn("commons_steward", told.body_html)
        self.assertTrue(
            self.camille.partner_id.message_ids.filtered(
                lambda message: "revoked the access of Camille Martin"
                in (message.body or "")
            )
        )

    def test_merge_by_the_administrator_is_told(self):
        duplicate = self.env["res.partner"].create(
            {"name": "Camille Martin", "email": NEW_ADDRESS}
        )
        with self.mock_mail_gateway():
            self.env["base.partner.merge.automatic.wizard"].with_user(
                self.admin
            )._merge((duplicate | self.camille.partner_id).ids, duplicate)
        self.env.invalidate_all()
        self.assertEqual(self.camille.partner_id, duplicate)
        self.assertIn(duplicate, self.loot.steward_ids)
        change = self._changes(duplicate)
        self.assertEqual(len(change), 1)
        self.assertEqual(
            (change.old_email, change.new_email), (self.camille_email, NEW_ADDRESS)
        )
        self.assertEqual(self._login_change_mails().email_to, self.camille_email)
        self.assertIn(FROZEN, self.camille._get_commons_decision_refusal())

    def test_her_own_change_is_told_and_holds_nothing(self):
        with self.mock_mail_gateway():
            # What the portal's "My account" does.
            self.camille.partner_id.with_user(self.camille).sudo().write(
                {"email": NEW_ADDRESS}
            )
        self.assertFalse(self._changes())
        self.assertFalse(self.camille._get_commons_decision_refusal())
        told = self._new_mails.filtered(
            lambda mail: mail.email_to == self.camille_email
        )
        self.assertEqual(len(told), 1)
        self.assertIn("Email Changed", told.subject)

    def test_the_administrator_reads_no_link_of_his_change(self):
        """The link confirms the change: the administrator who made it finds
        it in no message and no mail he may read, only the previous address
        got it."""
        with self.mock_mail_gateway(mail_unlink_sent=True):
            self._change_email_as_admin()
        (href,) = self._confirm_links_to(self.camille_email)
        token = href.rsplit("/", 1)[1]
        self.env.flush_all()
        Message = self.env["mail.message"].with_user(self.admin)
        Mail = self.env["mail.mail"].with_user(self.admin)
        for value in (token, "/commons/login-change/"):
            self.assertFalse(Message.search([("body", "ilike", value)]))
            self.assertFalse(Mail.search([("body_html", "ilike", value)]))
        self.assertFalse(
            [
                message
                for message in Message.search([]).mapped("body")
                if token in (message or "")
            ]
        )

    def test_a_change_nobody_can_be_told_of_is_not_made(self):
        before = self._identity(self.camille)
        with patch.object(
            type(self.env["mail.mail"]),
            "send",
            autospec=True,
            side_effect=MailDeliveryException("Unable to connect to SMTP Server"),
        ):
            with self.assertRefused(UserError, "could not be told"):
                self._change_email_as_admin()
        self.assertEqual(self._identity(self.camille), before)
        self.assertFalse(self._changes())

    def test_changes_are_written_by_odoo_only(self):
        with self.mock_mail_gateway():
            change = self._change_email_as_admin()
        for user in (self.admin, self.accountant):
            with self.assertRefused(AccessError, "nobody writes them"):
                change.with_user(user).write({"date_confirmed": fields.Datetime.now()})
            with self.assertRefused(AccessError, ""):
                change.with_user(user).unlink()
        with self.assertRaises(AccessError):
            change.with_user(self.accountant).read(["old_email"])
        self.assertEqual(change.with_user(self.admin).old_email, self.camille_email)
        self.assertEqual(change.state, "pending")


@tagged("post_install", "-at_install")
class TestCommonsSecondLogin(CommonsLoginsCase):
    def _second_login(self):
        return (
            self.env["res.users"]
            .with_user(self.admin)
            .create(
                {
                    "name": "Camille Martin (2)",
                    "login": "camille-bis",
                    "partner_id": self.camille.partner_id.id,
                    "groups_id": [Command.set(self.env.ref("base.group_portal").ids)],
                }
            )
        )

    def test_a_second_login_decides_nothing(self):
        bill = self._submitted_bill()
        with self.mock_mail_gateway():
            second = self._second_login()
        self.assertIn(SECOND_LOGIN, second._get_commons_decision_refusal())
        self._assert_cannot_approve(bill, second, SECOND_LOGIN)
        # She is told at her address; her own login still decides.
        told = self._new_mails.filtered(
            lambda mail: "second login" in (mail.body_html or "")
        )
        self.assertEqual(told.email_to, self.camille.email_formatted)
        self.assertIn("camille-bis", told.body_html)
        self.assertFalse(self.camille._get_commons_decision_refusal())
        # Archiving her login makes no other one hers.
        self.camille.with_user(self.admin).action_archive()
        self.assertIn(SECOND_LOGIN, second._get_commons_decision_refusal())
        self._assert_cannot_approve(bill, second, SECOND_LOGIN)

    def test_a_second_login_changing_her_email_is_not_her(self):
        """The administrator makes a second login on Camille's contact,
        changes her email from "My account" as it, and has her first login's
        password reset to the new address: her login waits all the same."""
        bill = self._submitted_bill()
        with self.mock_mail_gateway():
            second = self._second_login()
            # What the portal's "My account" does, as the second login.
            self.camille.partner_id.with_user(second).sudo().write(
                {"email": NEW_ADDRESS}
            )
        change = self._changes()
        self.assertEqual(
            (change.user_id, change.changed_by_id, change.old_email, change.new_email),
            (self.camille, second, self.camille_email, NEW_ADDRESS),
        )
        self.assertTrue(self._confirm_links_to(self.camille_email))
        self.assertIn(FROZEN, self.camille._get_commons_decision_refusal())
        # Her first login's password, reset to the new address and set there.
        self.camille.with_user(self.admin).action_reset_password()
        token = self.camille.partner_id.sudo()._generate_signup_token()
        public = self.env.ref("base.public_user")
        self.env["res.users"].with_user(public).sudo().signup(
            {"password": "set-from-the-new-address"}, token
        )
        self._assert_cannot_approve(bill, self.camille, FROZEN)

    def test_an_internal_second_login_is_not_her(self):
        """A second login of the host's backend on Camille's contact (Contact
        Creation, no administrator rights) is not Camille: it neither changes
        her email nor invites her again."""
        second = (
            self.env["res.users"]
            .with_user(self.admin)
            .create(
                {
                    "login": "camille-backend",
                    "partner_id": self.camille.partner_id.id,
                    "company_id": self.company.id,
                    "company_ids": [Command.set(self.company.ids)],
                    "groups_id": [
                        Command.set(
                            (
                                self.env.ref("base.group_user")
                                | self.env.ref("base.group_partner_manager")
                            ).ids
                        )
                    ],
                }
            )
        )
        before = self._identity(self.camille)
        with self.mock_mail_gateway():
            with self.assertRefused(AccessError, ONLY_ADMIN_EMAIL):
                self.camille.partner_id.with_user(second).write({"email": EVIL})
            line = self._wizard_line(self.camille.partner_id, user=second)
            self.assertTrue(line.commons_locked)
            with self.assertRefused(AccessError, ONLY_ADMIN_INVITE):
                line.action_invite_again()
        self.assertEqual(self._identity(self.camille), before)
        self._assert_nothing_sent_to(EVIL)

    def test_an_approval_reads_the_logins_changes_once(self):
        bill = self._submitted_bill()
        self.env.invalidate_all()
        Change = type(self.env["commons.login.change"])
        with patch.object(
            Change, "_search", autospec=True, side_effect=Change._search
        ) as search:
            self._approve(bill)
        self.assertEqual(bill.commons_bill_state, "approved")
        self.assertEqual(search.call_count, 1, "one search of Camille's changes")

    def test_no_approval_is_recorded_for_a_login_that_may_not_decide(self):
        """The last line: an approval that code would make without the bill's
        own check."""
        bill = self._submitted_bill()
        second = self._second_login()
        Approval = self.env["commons.bill.approval"].sudo()
        values = {
            "move_id": bill.id,
            "user_id": second.id,
            "partner_id": second.partner_id.id,
            "fingerprint": bill._get_commons_fingerprint(),
        }
        with self.assertRefused(AccessError, SECOND_LOGIN):
            Approval.create(values)
        with self.assertRefused(AccessError, "approves for Lou Bernard only"):
            Approval.create(dict(values, user_id=self.steward2.id))
        self.assertFalse(bill.sudo().commons_approval_ids)

    def test_a_stewards_login_is_archived_not_deleted(self):
        second = self._second_login()
        with self.assertRefused(UserError, "archive it instead of deleting it"):
            self.camille.with_user(self.admin).unlink()
        second.with_user(self.admin).unlink()
        self.assertTrue(self.camille.exists())

    def test_a_login_stays_with_its_contact(self):
        other = self.env["res.partner"].create({"name": "Someone else"})
        with self.assertRefused(UserError, "cannot be moved to or from the contact"):
            self.camille.with_user(self.admin).partner_id = other
        with self.assertRefused(UserError, "cannot be moved to or from the contact"):
            self.portal_user.with_user(self.admin).partner_id = self.newcomer
        self.assertEqual(self.camille.partner_id.user_ids, self.camille)


@tagged("post_install", "-at_install")
class TestCommonsLoginChangeLink(CommonsLoginsCase, HttpCase):
    """The owner confirms from the link sent to her previous address, without
    logging in; once, and within the waiting period."""

    def _confirm_path(self):
        with self.mock_mail_gateway():
            form = Form(self.camille.partner_id.with_user(self.admin))
            form.email = NEW_ADDRESS
            form.save()
        (href,) = self._confirm_links_to(self.camille_email)
        return urlparse(href).path

    def _page(self, response):
        self.assertEqual(response.status_code, 200)
        return html.fromstring(response.text)

    def test_owner_confirms_from_the_link(self):
        with freeze_time("2026-05-04 10:00:00"):
            path = self._confirm_path()
        with freeze_time("2026-05-05 08:00:00"):
            page = self._page(self.url_open(path))
            text = page.text_content()
            self.assertIn(self.camille_email, text)
            self.assertIn(NEW_ADDRESS, text)
            self.assertIn("Camille Martin", text)
            form = page.xpath("//form[contains(@action, '/confirm')]")[0]
            csrf = form.xpath(".//input[@name='csrf_token']/@value")[0]
            # Without the CSRF token, nothing is confirmed.
            response = self.url_open(form.get("action"), data={"confirm": "1"})
            self.assertEqual(response.status_code, 400)
            self.assertIn(FROZEN, self.camille._get_commons_decision_refusal())
            page = self._page(
                self.url_open(form.get("action"), data={"csrf_token": csrf})
            )
            self.assertIn("the change is confirmed", page.text_content())
            self.assertFalse(self.camille._get_commons_decision_refusal())
            change = self._changes()
            self.assertEqual(change.date_confirmed, datetime(2026, 5, 5, 8))
            self.assertEqual(change.state, "confirmed")
            # Once.
            page = self._page(
                self.url_open(form.get("action"), data={"csrf_token": csrf})
            )
            self.assertIn("already confirmed", page.text_content())
            page = self._page(self.url_open(path))
            self.assertIn("already confirmed", page.text_content())
            self.assertFalse(page.xpath("//form[contains(@action, '/confirm')]"))
            self.assertEqual(change.date_confirmed, datetime(2026, 5, 5, 8))
            bill = self._submitted_bill()
            self._approve(bill, steward=self.camille)
            self.assertEqual(bill.commons_bill_state, "approved")

    def test_link_expires_with_the_waiting_period(self):
        with freeze_time("2026-05-04 10:00:00"):
            path = self._confirm_path()
        with freeze_time("2026-05-12 10:00:00"):
            page = self._page(self.url_open(path))
            self.assertIn("This link is not valid", page.text_content())
            self.assertFalse(page.xpath("//form[contains(@action, '/confirm')]"))
            self.assertFalse(self._changes().date_confirmed)
            self.assertEqual(self._changes().state, "elapsed")
            self.assertFalse(self.camille._get_commons_decision_refusal())

    def test_forged_link_confirms_nothing(self):
        path = self._confirm_path()
        token = path.rsplit("/", 1)[1]
        for forged in (token[:-4] + "AAAA", "not-a-token", "AQ"):
            page = self._page(self.url_open(f"/commons/login-change/{forged}"))
            self.assertIn("This link is not valid", page.text_content())
        self.assertFalse(self._changes().date_confirmed)
        self.assertIn(FROZEN, self.camille._get_commons_decision_refusal())

    def test_link_names_the_change_only(self):
        """The link lands in access logs: it carries no email nor login, and a
        link signed for the change alone (as whoever reads the database's
        secret could sign it) confirms nothing."""
        path = self._confirm_path()
        token = path.rsplit("/", 1)[1]
        payload = base64.urlsafe_b64decode(token + "===")[41:].decode()
        change = self._changes()
        self.assertEqual(json.loads(payload)[0], change.id)
        for value in (self.camille_email, NEW_ADDRESS, "commons_steward"):
            self.assertNotIn(value, payload)
        self.assertEqual(len(json.loads(payload)), 2)
        Change = self.env["commons.login.change"]
        self.assertEqual(Change._get_commons_from_token(token), change)
        for values in (
            [change.id],
            [change.id, ""],
            [change.id, change.partner_id.id, self.camille_email, NEW_ADDRESS],
        ):
            forged = tools.hash_sign(
                self.env(su=True), TOKEN_SCOPE, values, expiration=timedelta(days=1)
            )
            self.assertFalse(Change._get_commons_from_token(forged))
            page = self._page(self.url_open(f"/commons/login-change/{forged}"))
            self.assertIn("This link is not valid", page.text_content())
        self.assertIn(FROZEN, self.camille._get_commons_decision_refusal())

    def test_login_page_offers_no_sign_up(self):
        self.assertEqual(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("auth_signup.invitation_scope"),
            "b2b",
        )
        page = self._page(self.url_open("/web/login"))
        self.assertTrue(page.xpath("//form[contains(@class, 'oe_login_form')]"))
        self.assertFalse(page.xpath("//a[contains(@href, '/web/signup')]"))
        # Forgetting one's password stays possible.
        self.assertTrue(page.xpath("//a[contains(@href, '/web/reset_password')]"))
        self.assertEqual(self.url_open("/web/signup").status_code, 404)


@tagged("post_install", "-at_install")
class TestCommonsStewardDuties(CommonsCase):
    """The host's staff post and pay; the stewards decide. Nobody is both in a
    company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.loot = cls._create_resource("Logiciel LOOT", "LOOT")
        cls._donate(cls.loot, 5000, "2023-02-15")
        cls.admin = cls.env.ref("base.user_admin")
        cls.admin.company_ids = [Command.link(cls.company.id)]
        cls.invoicing = mail_new_test_user(
            cls.env,
            login="commons_invoicing",
            groups="base.group_user,account.group_account_invoice",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        # A steward who works in the host's backend, without its rights.
        cls.internal_steward = mail_new_test_user(
            cls.env,
            login="commons_internal_steward",
            name="Inès Interne",
            groups="base.group_user",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.loot.sudo().steward_ids = [Command.link(cls.internal_steward.partner_id.id)]
        cls.other_company = cls.env["res.company"].create({"name": "Other host"})

    def test_host_staff_cannot_be_stewards(self):
        for user in (self.accountant, self.invoicing, self.admin):
            with self.assertRaisesRegex(UserError, NOT_A_STEWARD):
                user.partner_id._check_commons_steward_duties(self.company)
            # In a company they do not work for, they may.
            self.assertTrue(
                user.partner_id._check_commons_steward_duties(self.other_company)
            )
        stewards = (self.steward | self.internal_steward | self.commons_user).partner_id
        self.assertTrue(stewards._check_commons_steward_duties(self.company))

    def test_a_stewards_login_gets_no_host_rights(self):
        user = self.internal_steward
        for xmlid in (
            "account.group_account_invoice",
            "account.group_account_manager",
            "compte_commun_communs.compte_commun_communs_group_manager",
            "base.group_erp_manager",
        ):
            group = self.env.ref(xmlid)
            with self.subTest(group=xmlid):
                with self.assertRefused(UserError, "cannot have the host's rights"):
                    user.with_user(self.admin).write(
                        {"groups_id": [Command.link(group.id)]}
                    )
                with self.assertRefused(UserError, "cannot have the host's rights"):
                    group.with_user(self.admin).write(
                        {"users": [Command.link(user.id)]}
                    )
                self.env.invalidate_all()
                self.assertNotIn(group, user.groups_id)
        with self.assertRefused(UserError, "cannot have the host's rights"):
            self.env["res.users"].with_user(self.admin).create(
                {
                    "name": "Camille Comptable",
                    "login": "camille-compta",
                    "partner_id": self.internal_steward.partner_id.id,
                    "company_id": self.company.id,
                    "company_ids": [Command.set(self.company.ids)],
                    "groups_id": [
                        Command.set(self.env.ref("account.group_account_invoice").ids)
                    ],
                }
            )
        self.assertFalse(user._get_commons_decision_refusal())

    def test_settings_toggles_check_nobody(self):
        """The settings write the implied groups of Employee at each toggle:
        only a right of the host, given so, checks its users."""
        employee = self.env.ref("base.group_user").with_user(self.admin)
        Users = type(self.env["res.users"])
        with patch.object(
            Users,
            "_check_commons_host_duties",
            autospec=True,
            side_effect=Users._check_commons_host_duties,
        ) as check:
            employee.write(
                {
                    "implied_ids": [
                        Command.link(self.env.ref("base.group_multi_currency").id)
                    ]
                }
            )
            check.assert_not_called()
            with self.assertRefused(UserError, "cannot have the host's rights"):
                employee.write(
                    {
                        "implied_ids": [
                            Command.link(
                                self.env.ref("account.group_account_invoice").id
                            )
                        ]
                    }
                )
            self.assertEqual(check.call_count, 1)

    def test_rights_in_another_company_only(self):
        self.invoicing.write(
            {
                "company_ids": [Command.set(self.other_company.ids)],
                "company_id": self.other_company.id,
            }
        )
        self.loot.sudo().steward_ids = [Command.link(self.invoicing.partner_id.id)]
        self.assertFalse(self.invoicing._get_commons_decision_refusal())
        # Given the company of the resource, refused.
        with self.assertRefused(UserError, "cannot have the host's rights"):
            self.invoicing.with_user(self.admin).company_ids = [
                Command.link(self.company.id)
            ]

    def test_a_login_with_host_rights_decides_nothing(self):
        # A steward made before this version, who is also the accountant.
        self.env.cr.execute(
            "INSERT INTO commons_resource_steward_rel (resource_id, partner_id) "
            "VALUES (%s, %s)",
            [self.loot.id, self.accountant.partner_id.id],
        )
        self.env.invalidate_all()
        self.assertIn(self.accountant.partner_id, self.loot.steward_ids)
        refusal = self.accountant._get_commons_decision_refusal()
        self.assertIn(HOST_RIGHTS, refusal)
        bill = self._bill(self.loot, 1000, "2023-06-01", post=False)
        bill.with_user(self.contributor).sudo().action_commons_submit()
        available = self.loot._get_commons_available()
        # needs WP-E for the message to come from _check_commons_approver.
        with self.assertRefused(AccessError, HOST_RIGHTS):
            self._approve(bill, steward=self.accountant)
        self.assertEqual(bill.commons_bill_state, "submitted")
        self.assertEqual(self.loot._get_commons_available(), available)

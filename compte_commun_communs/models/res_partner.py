# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from contextlib import contextmanager

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import email_normalize

# Key, in the transaction's cache, of the partners whose change of email is
# recorded by the write in progress on their login (res.users.write, a merge):
# their own write then records nothing, so that one change makes one record
# and one email. Only the code sets it: a context key would come from RPC.
RECORDING_KEY = "commons_login_change_recording"
# Values of res.partner that decide its commercial entity.
ENTITY_FIELDS = {"parent_id", "is_company"}


def commons_email_key(value):
    """What an email field says, to tell whether it changed: its address,
    normalized, or its raw value when email_normalize reads none (several
    addresses, or a value that is not one), since it returns False for all of
    those alike."""
    return email_normalize(value or "") or (value or "").strip()


class ResPartner(models.Model):
    _inherit = "res.partner"

    commons_funder_type = fields.Selection(
        [("public", "Public body"), ("private", "Private")],
        string="Funder Type",
        tracking=True,
        help="Public bodies (State agencies, regions, municipalities) give grants; "
        "their donations are recorded as public grants by default.",
    )
    commons_named_funder = fields.Boolean(
        string="Named on the Needs Pages",
        tracking=True,
        help="The funder agreed to be named on the public pages of the resources "
        "they fund.",
    )
    # Read (as superuser) by every check of who decides: the ORM keeps it for
    # the transaction, so the checks of one decision read it once.
    commons_login_change_ids = fields.One2many(
        "commons.login.change",
        "partner_id",
        string="Changes of the Commons Login",
        groups="base.group_erp_manager",
    )

    @api.model_create_multi
    def create(self, vals_list):
        partners = super().create(vals_list)
        # A contact made under a person of the commons acts for them.
        joined = partners.sudo().filtered(
            lambda partner: partner.commercial_partner_id != partner
        )
        if joined:
            joined.commercial_partner_id.with_env(
                self.env
            )._check_commons_identity_writer("entity", without_login=True)
        return partners

    def write(self, vals):
        entities = (
            self._get_commons_entity_map()
            if ENTITY_FIELDS & vals.keys() and self._is_commons_guarded_writer()
            else {}
        )
        if "email" in vals:
            res = self._write_commons_email(vals)
        else:
            res = super().write(vals)
        if entities:
            self._check_commons_entity_moves(entities)
        return res

    def _write_commons_email(self, vals):
        """Write ``vals``, which change the email: guarded, and recorded, for
        the people of the commons."""
        new_email = commons_email_key(vals["email"])
        changed = self.filtered(
            lambda partner: commons_email_key(partner.email) != new_email
        )
        people = changed._get_commons_people()
        people._check_commons_identity_writer("email", people=people)
        skipped = self.env.cr.cache.get(RECORDING_KEY, set())
        before = {
            partner: partner.email for partner in people if partner.id not in skipped
        }
        res = super().write(vals)
        for partner, old_email in before.items():
            partner._commons_on_email_changed(old_email)
        return res

    # -- Who the people of the commons are -----------------------------------

    def _get_commons_resources(self):
        """The resources, of any company and archived ones included, of which
        a person of the commercial entity of these partners (the entity
        itself or any of its contacts) is a steward or a contributor, as
        superuser.

        :return: commons.resource
        """
        Resource = self.env["commons.resource"].sudo().with_context(active_test=False)
        if not self:
            return Resource
        entity_ids = self.sudo().commercial_partner_id.ids
        return Resource.search(
            [
                "|",
                ("steward_ids.commercial_partner_id", "in", entity_ids),
                ("contributor_ids.commercial_partner_id", "in", entity_ids),
            ]
        )

    def _get_commons_people(self):
        """The partners of ``self`` whose commercial entity is a steward's or a
        contributor's of a resource (any company, archived resources
        included): the stewards and contributors, their commercial partners
        and the other contacts of these, whose logins act for them in the
        commons (a contributor is known by their commercial partner).

        :return: res.partner, a subset of ``self``
        """
        resources = self._get_commons_resources()
        people = resources.steward_ids | resources.contributor_ids
        entity_ids = set(people.commercial_partner_id.ids)
        return self.filtered(
            lambda partner: partner.sudo().commercial_partner_id.id in entity_ids
        )

    def _get_commons_entity_map(self):
        """The commercial partner of each of these partners and of their
        contacts, whatever their depth, as superuser: what a change of
        ``parent_id`` or ``is_company`` may change.

        :return: {res.partner: res.partner}
        """
        family = (
            self.sudo()
            .with_context(active_test=False)
            .search([("id", "child_of", self.ids)])
        )
        return {partner: partner.commercial_partner_id for partner in family}

    def _check_commons_entity_moves(self, entities):
        """Raise AccessError when a partner of ``entities`` (see
        _get_commons_entity_map, taken before a write) joined or left the
        commercial entity of a person of the commons, and the current user is
        the host's staff without administrator rights."""
        moved = [
            (old, partner.commercial_partner_id)
            for partner, old in entities.items()
            if partner.commercial_partner_id != old
        ]
        if moved:
            concerned = self.env["res.partner"].concat(
                *(old | new for old, new in moved)
            )
            concerned.with_env(self.env)._check_commons_identity_writer(
                "entity", without_login=True
            )

    def _get_commons_login(self):
        """The login that speaks for this person in the commons: their first
        user (the oldest, archived ones included). A second login on the same
        contact never decides.

        :return: res.users, empty when the person has no login
        """
        self.ensure_one()
        return self.sudo().with_context(active_test=False).user_ids.sorted("id")[:1]

    def _get_commons_login_wait(self):
        """How long a login of this person decides nothing after a change made
        by someone else: the longest waiting period of the companies of their
        resources (the current company's when they have none).

        :return: (company, days)
        """
        self.ensure_one()
        companies = self._get_commons_resources().company_id or self.env.company
        company = companies.sorted(
            lambda company: (-company.commons_login_wait_days, company.id)
        )[:1]
        return company, company.commons_login_wait_days

    # -- Who may change the identity of these people -------------------------

    @api.model
    def _is_commons_guarded_writer(self):
        """Whether the current user is the host's staff without administrator
        rights, whom the identity of the people of the commons is refused.
        Administrators may change it (the change is then recorded and the
        person told); portal and public users act only through Odoo's own
        flows, which prove the person's mailbox (sign-up tokens)."""
        writer = self.env.user
        return writer._is_internal() and not writer._is_admin()

    def _check_commons_identity_writer(self, action, without_login=False, people=None):
        """Raise AccessError when the current user is the host's staff without
        administrator rights and ``action`` would touch the login of one of
        these people who has one (what their own login does excepted: a
        second login on their contact is someone else).

        :param action: "email", "invite", "grant", "revoke", "reset", "login",
            "merge" or "entity"
        :param without_login: guard the people who have no login yet too (a
            merge would give them one)
        :param people: the people of the commons among these partners
            (_get_commons_people), when the caller has them already
        """
        if not self._is_commons_guarded_writer():
            return
        writer = self.env.user
        guarded = (
            (self._get_commons_people() if people is None else people)
            .filtered(
                lambda partner: without_login
                or partner.with_context(active_test=False).user_ids
            )
            .filtered(lambda partner: partner._get_commons_login() != writer)
        )
        if not guarded:
            return
        names = ", ".join(guarded.mapped("display_name"))
        messages = {
            "email": self.env._(
                "Only an administrator may change the email of %(people)s: it is "
                "the address of their login as a steward or contributor of a "
                "commons resource, where their invitations and password resets "
                "are sent.",
                people=names,
            ),
            "invite": self.env._(
                "Only an administrator may send %(people)s an invitation again: it "
                "carries a link that sets the password of their login as a "
                "steward or contributor of a commons resource.",
                people=names,
            ),
            "grant": self.env._(
                "Only an administrator may give back its access to the login of "
                "%(people)s, a steward or contributor of a commons resource.",
                people=names,
            ),
            "revoke": self.env._(
                "Only an administrator may revoke the access of %(people)s, a "
                "steward or contributor of a commons resource: without it, they "
                "no longer decide for their resources.",
                people=names,
            ),
            "reset": self.env._(
                "Only an administrator may reset the password of %(people)s, a "
                "steward or contributor of a commons resource.",
                people=names,
            ),
            "login": self.env._(
                "Only an administrator may change the login or the password of "
                "%(people)s, a steward or contributor of a commons resource.",
                people=names,
            ),
            "entity": self.env._(
                "Only an administrator may attach a contact to %(people)s, or "
                "detach one from them: the contacts of a steward or "
                "contributor of a commons resource act for them in the "
                "commons.",
                people=names,
            ),
            "merge": self.env._(
                "Only an administrator may merge these contacts: the login of "
                "%(people)s, a steward or contributor of a commons resource, "
                "would change.",
                people=names,
            ),
        }
        raise AccessError(messages.get(action, messages["login"]))

    # -- Changes of a person's address ----------------------------------------

    def _commons_on_email_changed(self, old_email):
        """The email of this person of the commons changed from ``old_email``:
        by themselves, their previous address is told; by anyone else, the
        change is recorded and their login decides nothing until it is
        confirmed from the previous address or the waiting period ends."""
        self.ensure_one()
        login = self._get_commons_login()
        # Their own change is their own login's: a second login on their
        # contact is someone else.
        if login and self.env.user == login:
            if old_email:
                login._notify_commons_own_email_change(old_email, self.email)
            return
        self.env["commons.login.change"]._commons_record(
            self, login, old_email=old_email, new_email=self.email
        )

    @contextmanager
    def _commons_recording(self):
        """While the caller records the change of these partners' logins
        itself, their own write of the email records nothing."""
        recording = self.env.cr.cache.setdefault(RECORDING_KEY, set())
        added = set(self.ids) - recording
        recording |= added
        try:
            yield
        finally:
            recording -= added

    # -- Separation of duties --------------------------------------------------

    def _check_commons_steward_duties(self, company):
        """Raise UserError unless each of these people may be a steward of a
        resource of ``company``: the host's staff who post or pay for it, or
        administer its database, never decide for a resource (separation of
        duties)."""
        for partner in self:
            staff = (
                partner.sudo()
                .user_ids.filtered(lambda user: user._has_commons_host_rights(company))
                .sorted("id")
            )
            if staff:
                raise UserError(
                    self.env._(
                        "%(person)s cannot be a steward of a resource of "
                        "%(company)s: their login %(login)s has the host's rights "
                        "there (accounting, Commons manager or administrator). "
                        "The host's staff post and pay, the stewards decide: "
                        "another person must be the steward, or these rights must "
                        "be removed first.",
                        person=partner.display_name,
                        company=company.name,
                        login=staff[0].login,
                    )
                )
        return True

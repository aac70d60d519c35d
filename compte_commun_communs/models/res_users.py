# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from contextlib import nullcontext

from odoo import api, models
from odoo.exceptions import AccessError, UserError

from .res_partner import commons_email_key

# The host's rights: who holds one posts or pays for a company (accounting),
# manages its resources and donations (Commons manager) or its users and
# their rights (administrator). Such a login never decides for a resource.
HOST_RIGHTS_GROUPS = (
    "account.group_account_invoice",
    "compte_commun_communs.compte_commun_communs_group_manager",
    "base.group_erp_manager",
)
# Values of res.users by which a login may get the host's rights.
RIGHTS_FIELDS = {"groups_id", "company_ids", "active"}
RIGHTS_FIELD_PREFIXES = ("in_group_", "sel_groups_")
# Values of res.users that prove who the person is.
CREDENTIAL_FIELDS = {"login", "password", "email"}


def _touches_rights(vals):
    return bool(RIGHTS_FIELDS & vals.keys()) or any(
        key.startswith(RIGHTS_FIELD_PREFIXES) for key in vals
    )


class ResUsers(models.Model):
    """The logins of the people who decide for a resource (stewards) or invoice
    it (contributors)."""

    _inherit = "res.users"

    @api.model_create_multi
    def create(self, vals_list):
        users = super().create(vals_list)
        users._check_commons_host_duties()
        users._notify_commons_second_logins()
        return users

    def write(self, vals):
        watched = self._check_commons_login_write(vals)
        recording = (
            self.env["res.partner"]
            .browse([user.partner_id.id for user in watched])
            ._commons_recording()
            if watched
            else nullcontext()
        )
        with recording:
            res = super().write(vals)
        self._commons_record_login_changes(watched, vals)
        if _touches_rights(vals):
            self._check_commons_host_duties()
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_except_commons_login(self):
        people = self.partner_id._get_commons_people()
        for user in self:
            if (
                user.partner_id in people
                and user.partner_id._get_commons_login() == user
            ):
                raise UserError(
                    self.env._(
                        "The login %(login)s speaks for %(person)s, a steward or "
                        "contributor of a commons resource: archive it instead of "
                        "deleting it.",
                        login=user.login,
                        person=user.partner_id.display_name,
                    )
                )

    # -- Sign-up and password resets -----------------------------------------

    @api.model
    def signup(self, values, token=None):
        """A sign-up token sets the password of an existing login: the host's
        staff without administrator rights never use one on a steward's or a
        contributor's login."""
        if token:
            partner = self.env["res.partner"].sudo()._get_partner_from_token(token)
            if partner:
                partner.with_env(self.env)._check_commons_identity_writer("reset")
        return super().signup(values, token=token)

    def _action_reset_password(self, signup_type="reset"):
        """Every password reset and sign-up email comes here (the user form's
        buttons, the login page's "Reset Password", an account created): the
        host's staff without administrator rights send none to a steward or a
        contributor who has a login."""
        self.partner_id._check_commons_identity_writer("reset")
        return super()._action_reset_password(signup_type=signup_type)

    # -- Who decides --------------------------------------------------------

    def _get_commons_decision_refusal(self):
        """Why this login may not decide for its partner now (approve or reject
        a bill, issue an instruction, confirm or object to a proposal), or
        False when it may:

        - it is not the first login of its partner (a second login never
          decides);
        - it has the host's rights in a company where its partner is a steward
          (separation of duties);
        - its login, email or password was changed by someone else and the
          change is neither confirmed from the previous address nor past its
          waiting period.

        :return: a translated reason, or False
        """
        self.ensure_one()
        user = self.sudo()
        partner = user.partner_id
        if partner._get_commons_login() != user:
            return self.env._(
                "%(login)s is a second login of %(person)s: only their first login "
                "decides for them in the commons.",
                login=user.login,
                person=partner.display_name,
            )
        company = user._get_commons_staff_company()
        if company:
            return self.env._(
                "%(login)s has the host's rights (accounting, Commons manager or "
                "administrator) in %(company)s, where %(person)s is a steward: the "
                "host's staff never decide for a resource.",
                login=user.login,
                company=company.name,
                person=partner.display_name,
            )
        change = self.env["commons.login.change"]._get_commons_pending(partner)[:1]
        if change:
            return change._get_commons_refusal()
        return False

    def _check_commons_decision_login(self):
        """Raise AccessError unless this login may decide for its partner now."""
        self.ensure_one()
        refusal = self._get_commons_decision_refusal()
        if refusal:
            raise AccessError(refusal)

    # -- Separation of duties ------------------------------------------------

    def _has_commons_host_rights(self, company=None):
        """Whether this login posts or pays for ``company`` (any of its
        companies when None), manages its commons or administers the users.
        """
        self.ensure_one()
        user = self.sudo()
        if company and company not in user.company_ids:
            return False
        # The login's groups hold the groups they imply: read them rather than
        # has_group(), whose cache outlives a refused change.
        return user._is_superuser() or bool(
            user.groups_id & self._get_commons_host_groups()
        )

    @api.model
    def _get_commons_host_groups(self):
        """The groups of the host's rights (HOST_RIGHTS_GROUPS); while the
        addon installs, its Manager group gets users before its external id,
        and is then left out.

        :return: res.groups
        """
        return self.env["res.groups"].concat(
            *(
                self.env.ref(xmlid, raise_if_not_found=False) or self.env["res.groups"]
                for xmlid in HOST_RIGHTS_GROUPS
            )
        )

    def _get_commons_staff_company(self):
        """The first company where this login has the host's rights and its
        partner is a steward of a resource, or an empty recordset."""
        self.ensure_one()
        user = self.sudo()
        if not user._has_commons_host_rights():
            return self.env["res.company"]
        resource = (
            self.env["commons.resource"]
            .sudo()
            .with_context(active_test=False)
            .search(
                [
                    ("steward_ids", "in", user.partner_id.ids),
                    ("company_id", "in", user.company_ids.ids),
                ],
                order="company_id, id",
                limit=1,
            )
        )
        return resource.company_id

    def _check_commons_host_duties(self):
        """A steward's login never gets the host's rights in a company where
        its partner is a steward."""
        for user in self.sudo().filtered("active"):
            company = user._get_commons_staff_company()
            if company:
                raise UserError(
                    self.env._(
                        "%(login)s cannot have the host's rights (accounting, "
                        "Commons manager or administrator) in %(company)s: "
                        "%(person)s is a steward of a resource there. The host's "
                        "staff post and pay, the stewards decide: another person "
                        "must hold these rights.",
                        login=user.login,
                        company=company.name,
                        person=user.partner_id.display_name,
                    )
                )

    # -- Changes of a login ---------------------------------------------------

    def _check_commons_login_write(self, vals):
        """Refuse what may not change on the logins of the people of the
        commons, and say which logins to watch.

        :return: {user: (login, email) before the write} of the logins that
            speak for a person of the commons and whose credentials may change
        """
        if "partner_id" in vals:
            moved = self.filtered(lambda user: user.partner_id.id != vals["partner_id"])
            people = (
                moved.partner_id | self.env["res.partner"].browse(vals["partner_id"])
            )._get_commons_people()
            if moved and people:
                raise UserError(
                    self.env._(
                        "A login cannot be moved to or from the contact of "
                        "%(people)s, a steward or contributor of a commons "
                        "resource: archive it, and give each contact a login of "
                        "its own.",
                        people=", ".join(people.mapped("display_name")),
                    )
                )
        if not CREDENTIAL_FIELDS & vals.keys():
            return {}
        people = self.partner_id._get_commons_people()
        if {"login", "password"} & vals.keys():
            self.partner_id._check_commons_identity_writer("login", people=people)
        return {
            user: (user.login, user.email)
            for user in self
            if user.partner_id in people
            and user.partner_id._get_commons_login() == user
        }

    def _commons_record_login_changes(self, watched, vals):
        """Record the changes of the watched logins made by someone else: the
        previous address is emailed and the login decides nothing until the
        change is confirmed from it, or its waiting period ended."""
        writer = self.env.user
        # A password set from a sign-up or reset link (as the public user)
        # proves the person's mailbox; one set by another user does not.
        password = bool(vals.get("password")) and writer._is_internal()
        for user, (old_login, old_email) in watched.items():
            if writer == user:
                continue  # their own change: Odoo tells their address
            login_changed = user.login != old_login
            email_changed = commons_email_key(user.email) != commons_email_key(
                old_email
            )
            if login_changed or email_changed or password:
                self.env["commons.login.change"]._commons_record(
                    user.partner_id,
                    user,
                    old_login=old_login,
                    new_login=user.login,
                    old_email=old_email,
                    new_email=user.email,
                    password_changed=password,
                )

    # -- Telling the person -----------------------------------------------------

    def _notify_commons_second_logins(self):
        """A login created on the contact of a person of the commons who already
        has one decides nothing; the person is told at their address."""
        people = self.partner_id._get_commons_people()
        for user in self.filtered(lambda user: user.partner_id in people):
            first = user.partner_id._get_commons_login()
            if first == user:
                continue
            env = first.with_context(lang=first.lang or self.env.lang).env
            content = env._(
                "A second login, %(login)s, was created on your contact by "
                "%(user)s. It decides nothing for you in the commons: only your own "
                "login does.",
                login=user.login,
                user=self.env.user.name,
            )
            user.partner_id.sudo().message_post(
                body=content, subtype_xmlid="mail.mt_note"
            )
            if first.email:
                first.with_env(env)._notify_security_setting_update(
                    env._("Security Update: a Second Login on Your Contact"),
                    content,
                )
                self.env["mail.mail"]._commons_send_queue_soon()

    def _notify_commons_access_revoked(self):
        """Tell a person of the commons, at their address, that an
        administrator revoked their login's access (Odoo tells nobody), and
        write it in their contact's chatter."""
        self.ensure_one()
        self.partner_id.sudo().message_post(
            body=self.env._(
                "%(user)s revoked the access of %(person)s (login %(login)s): it "
                "decides nothing for them in the commons until an administrator "
                "gives it back.",
                user=self.env.user.name,
                person=self.partner_id.display_name,
                login=self.login,
            ),
            subtype_xmlid="mail.mt_note",
        )
        if not self.email:
            return
        env = self.with_context(lang=self.lang or self.env.lang).env
        self.with_env(env)._notify_security_setting_update(
            env._("Security Update: Access Revoked"),
            env._(
                "%(user)s revoked the access of your login %(login)s: it no "
                "longer opens the portal, and decides nothing for you in the "
                "commons until an administrator gives it back.",
                user=self.env.user.name,
                login=self.login,
            ),
            suggest_password_reset=False,
        )
        self.env["mail.mail"]._commons_send_queue_soon()

    def _notify_commons_own_email_change(self, old_email, new_email):
        """Tell the previous address of a person of the commons that they
        changed their email themselves (Odoo tells nothing when a contact's
        email changes, as on the portal's "My account")."""
        self.ensure_one()
        env = self.with_context(lang=self.lang or self.env.lang).env
        self.with_env(env)._notify_security_setting_update(
            env._("Security Update: Email Changed"),
            env._(
                "The email of your account changed from %(old)s to %(new)s.",
                old=old_email,
                new=new_email or "—",
            ),
            mail_values={"email_to": old_email},
            suggest_password_reset=False,
        )
        self.env["mail.mail"]._commons_send_queue_soon()

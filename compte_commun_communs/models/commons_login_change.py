# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import binascii
import hashlib
import secrets
from datetime import timedelta

from odoo import api, fields, models, tools
from odoo.exceptions import AccessError, UserError
from odoo.tools import consteq
from odoo.tools.misc import format_datetime

from odoo.addons.base.models.ir_mail_server import MailDeliveryException

# The scope of the links that confirm a change: a signup or portal token never
# confirms one, and the other way round.
TOKEN_SCOPE = "compte_commun_communs.login_change"


def _hash_token_key(key):
    return hashlib.sha256(key.encode()).hexdigest()


class CommonsLoginChange(models.Model):
    """A change of the login, email or password of a steward or a contributor
    made by someone else (an administrator, or the host's staff on a person
    who has no login yet).

    Until its owner confirms it from the link emailed to their previous
    address, or its waiting period ends, the person's login decides nothing
    (``res.users._get_commons_decision_refusal``). Only the code records or
    confirms a change: nobody writes one, not even an administrator.
    """

    _name = "commons.login.change"
    _description = "Change of a Commons Login"
    _order = "date desc, id desc"
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner",
        string="Person",
        required=True,
        readonly=True,
        index=True,
        ondelete="restrict",
    )
    user_id = fields.Many2one(
        "res.users",
        string="User",
        readonly=True,
        ondelete="restrict",
        help="The login that speaks for the person; empty when they had none yet.",
    )
    changed_by_id = fields.Many2one(
        "res.users", string="Changed By", required=True, readonly=True
    )
    company_id = fields.Many2one(
        "res.company",
        string="Company",
        required=True,
        readonly=True,
        help="The host whose waiting period applies.",
    )
    date = fields.Datetime(string="Changed On", required=True, readonly=True)
    date_until = fields.Datetime(
        string="Decides Nothing Until", required=True, readonly=True
    )
    date_confirmed = fields.Datetime(
        string="Confirmed On",
        readonly=True,
        help="When the person confirmed the change from their previous address.",
    )
    old_login = fields.Char(string="Previous Login", readonly=True)
    new_login = fields.Char(readonly=True)
    old_email = fields.Char(string="Previous Email", readonly=True)
    new_email = fields.Char(readonly=True)
    password_changed = fields.Boolean(readonly=True)
    # The link's random key, hashed: the link is in the email only. A
    # signature alone would not do, since an administrator reads the
    # database secret that signs it.
    token_hash = fields.Char(readonly=True, copy=False)
    state = fields.Selection(
        [
            ("pending", "Waiting"),
            ("confirmed", "Confirmed"),
            ("elapsed", "In Effect"),
        ],
        compute="_compute_state",
        help="Waiting: the login decides nothing yet. Confirmed: its owner "
        "confirmed the change from their previous address. In effect: the "
        "waiting period ended.",
    )
    changes = fields.Char(
        string="What Changed",
        compute="_compute_changes",
    )

    def _compute_state(self):
        now = fields.Datetime.now()
        for change in self:
            if change.date_confirmed:
                change.state = "confirmed"
            elif change.date_until > now:
                change.state = "pending"
            else:
                change.state = "elapsed"

    def _compute_changes(self):
        for change in self:
            change.changes = change._get_commons_changes_label()

    @api.model_create_multi
    def create(self, vals_list):
        self._check_commons_change_access()
        return super().create(vals_list)

    def write(self, vals):
        self._check_commons_change_access()
        return super().write(vals)

    def unlink(self):
        self._check_commons_change_access()
        return super().unlink()

    def _check_commons_change_access(self):
        if not self.env.su:
            raise AccessError(
                self.env._(
                    "The changes of the logins of the commons are recorded by "
                    "Odoo when they happen; nobody writes them."
                )
            )

    # -- Recording a change -------------------------------------------------

    @api.model
    def _commons_record(self, partner, login, **values):
        """Record a change of ``partner``'s login, email or password made by
        the current user, and email it to the previous address with the link
        that confirms it.

        :param partner: the person (res.partner)
        :param login: their login (res.users, possibly empty)
        :param values: old_login, new_login, old_email, new_email,
            password_changed
        :return: the commons.login.change
        """
        company, days = partner._get_commons_login_wait()
        now = fields.Datetime.now()
        key = secrets.token_urlsafe(24)
        change = self.sudo().create(
            {
                "partner_id": partner.id,
                "user_id": login.id,
                "changed_by_id": self.env.uid,
                "company_id": company.id,
                "date": now,
                "date_until": now + timedelta(days=days),
                "token_hash": _hash_token_key(key),
                **values,
            }
        )
        change._notify_commons_change(key)
        return change

    def _notify_commons_change(self, key):
        """Write the change in the person's chatter, and email it to their
        previous address in their language, with the link of ``key``."""
        self.ensure_one()
        partner = self.partner_id.sudo()
        partner.message_post(
            body=self.env._(
                "%(user)s changed the login of %(person)s (%(changes)s). It decides "
                "nothing in the commons until %(until)s, unless they confirm the "
                "change from the link sent to %(old)s.",
                user=self.changed_by_id.name,
                changes=self._get_commons_changes_label(),
                person=partner.display_name,
                until=self._format_commons_date(self.date_until),
                old=self.old_email or "—",
            ),
            author_id=self.changed_by_id.partner_id.id,
            subtype_xmlid="mail.mt_note",
        )
        if not self.old_email:
            return  # nobody to tell: the change waits its period
        template = self.env.ref(
            "compte_commun_communs.mail_template_commons_login_change"
        ).sudo()
        # The link confirms the change: it must reach no one but the previous
        # address. The email belongs to no record, and is sent at once and
        # deleted once sent (as Odoo's password reset is), so that no message
        # or mail an administrator reads keeps it. One that cannot be sent
        # refuses the change: a change nobody is told of does not happen.
        try:
            template.with_context(
                commons_confirm_url=self._get_commons_confirm_url(key),
                commons_changes=self.with_context(
                    lang=partner.lang or self.env.lang
                )._get_commons_changes_label(),
            ).send_mail(
                self.id,
                force_send=True,
                raise_exception=True,
                email_values={"model": False, "res_id": False, "auto_delete": True},
                email_layout_xmlid="mail.mail_notification_light",
            )
        except MailDeliveryException as error:
            raise UserError(
                self.env._(
                    "The change of the account of %(person)s is not made: its "
                    "previous address, %(old)s, could not be told (%(error)s). "
                    "Try again once the outgoing mail server works.",
                    person=partner.display_name,
                    old=self.old_email,
                    error=error.args[0] if error.args else error,
                )
            ) from error

    # -- The link that confirms it -----------------------------------------

    def _get_commons_confirm_url(self, key):
        """The link sent to the previous address: it names the change and
        carries its key, nothing else (the record holds what changed), signed
        with the addon's own scope; it expires with the waiting period, and
        it confirms once."""
        self.ensure_one()
        token = tools.hash_sign(
            self.sudo().env,
            TOKEN_SCOPE,
            [self.id, key],
            expiration=max(self.date_until - fields.Datetime.now(), timedelta(0)),
        )
        return f"{self.get_base_url()}/commons/login-change/{token}"

    @api.model
    def _get_commons_from_token(self, token):
        """The change a confirmation link names, as superuser, or an empty
        recordset when the link is not one we sent or has expired."""
        Change = self.sudo()
        try:
            payload = tools.verify_hash_signed(Change.env, TOKEN_SCOPE, token or "")
        except (ValueError, binascii.Error, UnicodeDecodeError):
            payload = None
        if not (
            isinstance(payload, list)
            and len(payload) == 2
            and isinstance(payload[0], int)
            and isinstance(payload[1], str)
        ):
            return Change
        change_id, key = payload
        change = Change.browse(change_id).exists()
        if not change.token_hash or not consteq(
            change.token_hash, _hash_token_key(key)
        ):
            return Change
        return change

    @api.model
    def _commons_confirm_token(self, token):
        """Confirm the change of a link, once and within its waiting period.

        :return: the confirmed change (as superuser)
        :raise UserError: when the link is not valid, was used, or its period
            ended
        """
        change = self._get_commons_from_token(token)
        if not change:
            raise UserError(change._get_commons_invalid_link_message())
        change._check_commons_confirmable()
        change.write({"date_confirmed": fields.Datetime.now()})
        change.partner_id.message_post(
            body=self.env._(
                "%(person)s confirmed from their previous address the change of "
                "their login made by %(user)s on %(date)s (%(changes)s).",
                person=change.partner_id.display_name,
                changes=change._get_commons_changes_label(),
                user=change.changed_by_id.name,
                date=change._format_commons_date(change.date),
            ),
            author_id=change.partner_id.id,
            subtype_xmlid="mail.mt_note",
        )
        return change

    def _check_commons_confirmable(self):
        self.ensure_one()
        if self.date_confirmed:
            raise UserError(
                self.env._(
                    "This change was already confirmed, on %(date)s.",
                    date=self._format_commons_date(self.date_confirmed),
                )
            )
        if self.date_until <= fields.Datetime.now():
            raise UserError(
                self.env._(
                    "The waiting period of this change ended on %(date)s: it is "
                    "in effect, there is nothing left to confirm.",
                    date=self._format_commons_date(self.date_until),
                )
            )

    def _get_commons_invalid_link_message(self):
        return self.env._(
            "This link is not valid: it was not sent by us, or the waiting period "
            "of the change it confirms has ended."
        )

    # -- Reading it ----------------------------------------------------------

    @api.model
    def _get_commons_pending(self, partners):
        """The changes of these people that hold their logins now, the one
        that holds the longest first, as superuser. (Read from the people's
        changes, which the ORM keeps for the transaction: the several checks
        of one decision search them once.)"""
        now = fields.Datetime.now()
        return (
            partners.sudo()
            .commons_login_change_ids.filtered(
                lambda change: not change.date_confirmed and change.date_until > now
            )
            .sorted(lambda change: (change.date_until, change.id), reverse=True)
        )

    def _get_commons_refusal(self):
        """Why the login of this change's person decides nothing now."""
        self.ensure_one()
        return self.env._(
            "The login of %(person)s was changed by %(user)s on %(date)s "
            "(%(changes)s): it decides nothing until %(until)s, unless its owner "
            "confirms the change from the link sent to their previous address.",
            changes=self._get_commons_changes_label(),
            person=self.partner_id.display_name,
            user=self.changed_by_id.name,
            date=self._format_commons_date(self.date),
            until=self._format_commons_date(self.date_until),
        )

    def _get_commons_changes_label(self):
        """What changed, in words: "email, login and password"."""
        self.ensure_one()
        changes = []
        if (self.old_email or "") != (self.new_email or ""):
            changes.append(self.env._("email"))
        if (self.old_login or "") != (self.new_login or ""):
            changes.append(self.env._("login"))
        if self.password_changed:
            changes.append(self.env._("password"))
        if len(changes) > 1:
            return self.env._(
                "%(changes)s and %(last)s",
                changes=", ".join(changes[:-1]),
                last=changes[-1],
            )
        return changes[0] if changes else self.env._("credentials")

    def _format_commons_date(self, value):
        """A date of the change in the person's time zone."""
        tz = self.partner_id.sudo().tz or self.env.user.tz or "UTC"
        return format_datetime(self.env, value, tz=tz)

    def _get_commons_page_values(self):
        """What the confirmation page shows of the change."""
        self.ensure_one()
        return {
            "change": self,
            "summary": self.env._(
                "On %(date)s, %(user)s changed the account of %(person)s: "
                "%(changes)s.",
                date=self._format_commons_date(self.date),
                user=self.changed_by_id.name,
                person=self.partner_id.display_name,
                changes=self._get_commons_changes_label(),
            ),
            "holding": self.env._(
                "Until %(until)s, this account decides nothing for you in the "
                "commons (no approval, no instruction, no proposal), unless you "
                "confirm that you asked for this change.",
                until=self._format_commons_date(self.date_until),
            ),
            "email_changed": (self.old_email or "") != (self.new_email or ""),
            "login_changed": (self.old_login or "") != (self.new_login or ""),
        }

# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command, models
from odoo.tools.misc import format_datetime, formatLang

from .commons_governance_proposal import (
    EVENT_TEMPLATES,
    OBJECT_URL,
    PORTAL_URL,
    STEWARD_KINDS,
)


class CommonsGovernanceProposal(models.Model):
    """What people read of a proposal: the change in words, the resource's
    chatter, the emails to the people it concerns (each in their language),
    the stewards' page and the resource's public page."""

    # One concern a file, as commons_resource_public.py does for resources.
    _inherit = "commons.governance.proposal"  # pylint: disable=consider-merging-classes-inherited

    def _get_commons_description(self):
        """The change, in the reader's language: "Add Noé Leroy to the
        stewards"."""
        self.ensure_one()
        _ = self.env._
        proposal = self.sudo()
        # The person as proposed, whatever their contact reads since.
        person = self.partner_name or proposal.partner_id.name
        if self.kind == "add_steward":
            return _("Add %(person)s to the stewards", person=person)
        if self.kind == "remove_steward":
            return _("Remove %(person)s from the stewards", person=person)
        if self.kind == "threshold":
            # While it waits, what it would replace is the rule now, which a
            # stricter one applied at once may have changed; once decided,
            # the rule it replaced or would have.
            before = self._format_commons_amount(
                proposal.resource_id.commons_double_approval_amount
                if self.state == "waiting"
                else self.amount_before
            )
            if not self.amount:
                return _(
                    "One steward's approval for every bill, instead of two above "
                    "%(before)s",
                    before=before,
                )
            return _(
                "Two stewards' approvals only above %(amount)s, instead of above "
                "%(before)s",
                amount=self._format_commons_amount(self.amount),
                before=before,
            )
        if self.kind == "analytic_account":
            return _(
                "Hold the resource's money on the analytic account %(account)s "
                "instead of %(before)s",
                account=proposal.analytic_account_id.display_name,
                before=proposal.analytic_account_before_id.display_name or "—",
            )
        return ""

    def _format_commons_amount(self, amount):
        return formatLang(self.env, amount, currency_obj=self.currency_id)

    def _format_commons_datetime(self, value, tz=False):
        return format_datetime(self.env, value, tz=tz, dt_format="medium")

    def _get_commons_event_message(self, event):
        """What the resource's chatter reads of the event."""
        self.ensure_one()
        _ = self.env._
        proposal = self.sudo()
        values = {
            "user": proposal.proposed_by_id.name,
            "resource": proposal.resource_id.name,
            "change": proposal.description,
            "date": self._format_commons_datetime(self.date_proposed),
            "steward": proposal.decided_partner_id.name,
        }
        if event == "proposed" and self.date_effective:
            message = _(
                "%(user)s proposes a change to %(resource)s: %(change)s. No steward "
                "of the resource can confirm it: it takes effect on %(effective)s "
                "unless a steward or a former steward objects. It is shown on the "
                "resource's public page until then.",
                effective=self._format_commons_datetime(self.date_effective),
                **values,
            )
        elif event == "proposed":
            message = _(
                "%(user)s proposes a change to %(resource)s: %(change)s. It takes "
                "effect once a steward of the resource confirms it.",
                **values,
            )
        elif event == "confirmed":
            message = _(
                "%(steward)s, steward of %(resource)s, confirmed the change "
                "proposed by %(user)s on %(date)s: %(change)s. It is applied.",
                **values,
            )
        elif event == "applied":
            message = _(
                "Nobody objected to the change proposed by %(user)s on %(date)s "
                "within the waiting period: %(change)s. It is applied.",
                **values,
            )
        elif event == "objected":
            message = _(
                "%(steward)s objected to the change proposed by %(user)s on "
                "%(date)s: %(change)s. It is cancelled.",
                **values,
            )
        else:
            message = _(
                "The change proposed by %(user)s on %(date)s is cancelled: "
                "%(change)s. %(reason)s",
                reason=self.state_reason or "",
                **values,
            )
        if event in ("confirmed", "applied") and self.kind in STEWARD_KINDS:
            message = _(
                "%(message)s Stewards now: %(stewards)s.",
                message=message,
                stewards=", ".join(
                    proposal.resource_id.steward_ids.sorted("name").mapped("name")
                )
                or "—",
            )
        return message

    def _post_commons_event(self, event):
        """Write the event in the resource's chatter and email it to each
        person it concerns, in their language; the mail queue is sent soon."""
        self.ensure_one()
        proposal = self.sudo()
        author = (
            proposal.decided_partner_id
            if event in ("confirmed", "objected")
            else self.env.user.partner_id
        )
        # The chatter is the host's record: in the host's language, whoever
        # acted.
        host_lang = proposal.company_id.partner_id.lang or self.env.lang
        proposal.resource_id.message_post(
            body=self.with_context(lang=host_lang)._get_commons_event_message(event),
            author_id=author.id,
            subtype_xmlid="mail.mt_note",
        )
        template = self.env.ref(EVENT_TEMPLATES[event]).sudo()
        base_url = proposal.resource_id.get_base_url()
        recipients = proposal._get_commons_recipients()
        previous_emails = self._get_commons_previous_emails(recipients)
        for partner in recipients:
            email_values = {}
            if partner.email:
                email_values["recipient_ids"] = [Command.set(partner.ids)]
            if previous_emails.get(partner):
                email_values["email_to"] = ", ".join(previous_emails[partner])
            if not email_values:
                continue
            context = {
                "commons_recipient_lang": partner.lang,
                "commons_recipient_tz": partner.tz or False,
                "commons_portal_url": base_url + PORTAL_URL,
            }
            if event == "proposed" and self.date_effective:
                context["commons_object_url"] = (
                    f"{base_url}{OBJECT_URL}?token="
                    f"{self._get_commons_object_token(partner)}"
                )
            template.with_context(**context).send_mail(
                self.id,
                email_layout_xmlid="mail.mail_notification_light",
                email_values=email_values,
            )
        self.env["mail.mail"]._commons_send_queue_soon()

    def _get_commons_portal_summary(self):
        """What the stewards' page says of the proposal, in the reader's
        language and time zone.

        :return: dict with ``proposed`` (who proposed it, when),
            ``person`` (the email of the person it adds or removes, as
            proposed, or False) and ``effective`` (when it takes effect if
            nobody can confirm it, or False)
        """
        self.ensure_one()
        _ = self.env._
        proposal = self.sudo()
        return {
            "person": self.partner_email
            and _(
                "Email of %(person)s: %(email)s",
                person=self.partner_name,
                email=self.partner_email,
            ),
            "proposed": _(
                "Proposed by %(user)s (%(host)s) on %(date)s.",
                user=proposal.proposed_by_id.name,
                host=proposal.company_id.name,
                date=self._format_commons_datetime(self.date_proposed),
            ),
            "effective": self.date_effective
            and _(
                "No steward can confirm it: it takes effect on %(date)s unless "
                "someone objects.",
                date=self._format_commons_datetime(self.date_effective),
            ),
        }

    def _prepare_public_values(self):
        """What anyone may read of a proposal nobody can confirm, on the
        resource's public page: the change, that the host proposed it (not who
        of its staff), when, and when it takes effect."""
        self.ensure_one()
        _ = self.env._
        proposal = self.sudo()
        values = {
            "host": proposal.company_id.name,
            "resource": proposal.resource_id.name,
            "date": self._format_commons_datetime(self.date_proposed),
            "effective": self._format_commons_datetime(self.date_effective),
        }
        return {
            "id": self.id,
            "description": proposal.description,
            "date_effective": values["effective"],
            "summary": _(
                "Proposed by %(host)s on %(date)s; it takes effect on "
                "%(effective)s unless someone objects.",
                **values,
            ),
            "intro": _(
                "%(host)s proposed this change to %(resource)s on %(date)s:",
                **values,
            ),
        }

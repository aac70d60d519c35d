# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo import Command, api, fields, models, tools
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import email_normalize

from .ledger import lock_rows

PROPOSAL_KINDS = [
    ("add_steward", "Add a steward"),
    ("remove_steward", "Remove a steward"),
    ("threshold", "Weaken the two-approvals rule"),
    ("analytic_account", "Change the analytic account"),
]
STEWARD_KINDS = ("add_steward", "remove_steward")
PROPOSAL_STATES = [
    ("waiting", "Waiting for the Stewards"),
    ("confirmed", "Confirmed by a Steward"),
    ("applied", "Applied after the Waiting Period"),
    ("objected", "Objected to by a Steward"),
    ("cancel", "Cancelled"),
]
# The email of each event, to each person it concerns.
EVENT_TEMPLATES = {
    "proposed": "compte_commun_communs.mail_template_commons_proposal_new",
    "confirmed": "compte_commun_communs.mail_template_commons_proposal_applied",
    "applied": "compte_commun_communs.mail_template_commons_proposal_applied",
    "objected": "compte_commun_communs.mail_template_commons_proposal_cancelled",
    "cancel": "compte_commun_communs.mail_template_commons_proposal_cancelled",
}
# The signed links by which the people of a resource object to a change nobody
# can confirm, without logging in (see _get_commons_object_token).
OBJECT_TOKEN_SCOPE = "compte_commun_communs.proposal_object"
# How long such a link outlives the waiting period: the daily job applies the
# proposal within a day after it.
OBJECT_TOKEN_MARGIN = timedelta(days=2)
OBJECT_URL = "/communs/proposals/object"
PORTAL_URL = "/my/commons/proposals"


class CommonsGovernanceProposal(models.Model):
    """A change of who decides for a resource, proposed by the host: adding or
    removing a steward, weakening the two-approvals rule, changing the analytic
    account that holds its money.

    A steward of the resource confirms it (it is applied) or objects to it (it
    is cancelled), in the portal. When no steward can confirm it, it waits in
    public: emailed to the current and former stewards with a link to object,
    shown on the resource's public page, applied by a daily job after the
    company's waiting period unless someone of them objected.

    Only its own methods write a proposal, as superuser after checking who
    calls them: nobody creates, writes or deletes one over RPC, not even an
    administrator. Every event is written in the resource's chatter and emailed
    to the people it concerns, each in their language.
    """

    _name = "commons.governance.proposal"
    _description = "Proposed Change of Who Decides for a Resource"
    _order = "date_proposed desc, id desc"
    _check_company_auto = True

    resource_id = fields.Many2one(
        "commons.resource",
        required=True,
        index=True,
        readonly=True,
        ondelete="cascade",
        check_company=True,
    )
    company_id = fields.Many2one(
        related="resource_id.company_id", store=True, index=True
    )
    currency_id = fields.Many2one(related="resource_id.currency_id")
    kind = fields.Selection(
        PROPOSAL_KINDS, string="Kind of Change", required=True, readonly=True
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Person",
        readonly=True,
        help="The person added to or removed from the stewards.",
    )
    # What the stewards decide on is the person as proposed: their contact is
    # nobody's steward yet, so its email is not guarded meanwhile.
    partner_name = fields.Char(
        string="Person's Name",
        readonly=True,
        help="The person's name when the change was proposed.",
    )
    partner_email = fields.Char(
        string="Person's Email",
        readonly=True,
        help="The person's email when the change was proposed: a person added "
        "whose email changed since is not added, the proposal is cancelled.",
    )
    amount = fields.Monetary(
        string="Two Approvals Above",
        currency_field="currency_id",
        readonly=True,
        help="The proposed two-approvals threshold; zero: one approval for every "
        "bill.",
    )
    amount_before = fields.Monetary(
        string="Two Approvals Above, Before",
        currency_field="currency_id",
        readonly=True,
    )
    analytic_account_id = fields.Many2one(
        "account.analytic.account",
        string="Proposed Analytic Account",
        readonly=True,
    )
    analytic_account_before_id = fields.Many2one(
        "account.analytic.account",
        string="Analytic Account Before",
        readonly=True,
    )
    description = fields.Char(compute="_compute_description")
    proposed_by_id = fields.Many2one(
        "res.users", string="Proposed By", required=True, readonly=True
    )
    date_proposed = fields.Datetime(
        string="Proposed On",
        required=True,
        readonly=True,
        default=fields.Datetime.now,
    )
    date_effective = fields.Datetime(
        string="Takes Effect On",
        readonly=True,
        help="Set when no steward could confirm the change: it takes effect then, "
        "unless a steward or a former steward objects before.",
    )
    state = fields.Selection(
        PROPOSAL_STATES,
        required=True,
        readonly=True,
        index=True,
        default="waiting",
    )
    decided_partner_id = fields.Many2one(
        "res.partner",
        string="Confirmed or Objected To By",
        readonly=True,
    )
    decided_by_id = fields.Many2one(
        "res.users",
        string="With the Login",
        readonly=True,
        help="The login a steward decided with; empty when they objected from "
        "the link emailed to them.",
    )
    date_decided = fields.Datetime(string="Decided On", readonly=True)
    state_reason = fields.Text(string="Why Cancelled", readonly=True)

    @api.depends_context("lang")
    @api.depends(
        "kind",
        "state",
        "partner_id",
        "partner_name",
        "amount",
        "amount_before",
        "resource_id.commons_double_approval_amount",
        "analytic_account_id",
        "analytic_account_before_id",
    )
    def _compute_description(self):
        for proposal in self:
            proposal.description = proposal._get_commons_description()

    @api.depends_context("lang")
    @api.depends("resource_id", "description")
    def _compute_display_name(self):
        for proposal in self:
            proposal.display_name = self.env._(
                "%(resource)s: %(change)s",
                resource=proposal.resource_id.sudo().name,
                change=proposal.description,
            )

    @api.model_create_multi
    def create(self, vals_list):
        self._check_commons_proposal_access()
        return super().create(vals_list)

    def write(self, vals):
        self._check_commons_proposal_access()
        return super().write(vals)

    def unlink(self):
        self._check_commons_proposal_access()
        return super().unlink()

    def _check_commons_proposal_access(self):
        if not self.env.su:
            raise AccessError(
                self.env._(
                    "A change of who decides for a resource is proposed with "
                    "“Propose a Change” on the resource, and confirmed or objected "
                    "to by its stewards: it cannot be written."
                )
            )

    # -- The stewards' and the host's actions ------------------------------

    def action_commons_confirm(self):
        """Confirm the proposal as a steward of its resource: it is applied,
        or cancelled when the person it adds changed since (see
        :meth:`_apply_commons_change`).

        :return: whether it was applied
        """
        self.ensure_one()
        self._check_commons_decider("confirm")
        user = self.env.user
        proposal = self.sudo()
        proposal._lock_commons_proposal()
        return proposal._apply_commons_change("confirmed", user.partner_id, user)

    def action_commons_object(self):
        """Object to the proposal as a steward of its resource: it is
        cancelled."""
        self.ensure_one()
        self._check_commons_decider("object")
        user = self.env.user
        proposal = self.sudo()
        proposal._lock_commons_proposal()
        proposal._set_commons_outcome("objected", user.partner_id, user)
        return True

    def action_commons_withdraw(self):
        """Withdraw the proposal, as the host that made it."""
        self.ensure_one()
        self.resource_id.check_access("write")
        proposal = self.sudo()
        proposal._lock_commons_proposal()
        proposal._set_commons_outcome(
            "cancel",
            reason=self.env._("%(user)s withdrew it.", user=self.env.user.name),
        )
        return True

    # -- Business methods ----------------------------------------------------

    @api.model
    def _propose(self, resource, kind, partner, amount, account):
        """Propose a change of who decides for ``resource``; see
        commons.resource.action_commons_propose.

        :param partner: res.partner added or removed (steward kinds)
        :param amount: the new two-approvals threshold (kind ``threshold``)
        :param account: the new account.analytic.account (``analytic_account``)
        :return: the proposal, or an empty recordset when the change applied
            at once
        """
        resource.ensure_one()
        resource.check_access("write")
        _ = self.env._
        if kind not in dict(PROPOSAL_KINDS):
            raise UserError(
                _(
                    "Choose the change to propose: add or remove a steward, weaken "
                    "the two-approvals rule or change the analytic account."
                )
            )
        # What the resource would be written, if it needs nobody's consent.
        change = self._prepare_commons_change(resource, kind, partner, amount, account)
        vals = {
            "resource_id": resource.id,
            "kind": kind,
            "proposed_by_id": self.env.uid,
        }
        if kind in STEWARD_KINDS:
            vals.update(
                partner_id=partner.id,
                partner_name=partner.name,
                partner_email=partner.email,
            )
        if kind == "threshold":
            before = resource.commons_double_approval_amount
            vals.update(amount=amount, amount_before=before)
            if not resource._is_commons_threshold_weaker(before, amount):
                # More control: no stewards' consent needed.
                resource.write(change)
                return self.browse()
        elif kind == "analytic_account":
            vals.update(
                analytic_account_id=account.id,
                analytic_account_before_id=resource.analytic_account_id.id,
            )
        if not resource._is_commons_governed():
            # Nobody decides for it yet: the first stewards are set directly.
            resource.write(change)
            return self.browse()
        self._check_commons_not_proposed(resource, kind, partner)
        # Who proposes is the host's staff, and the person added is no steward
        # yet: neither is among the stewards who may decide.
        if not resource._get_commons_deciding_stewards():
            resource._check_commons_public_wait()
            vals["date_effective"] = fields.Datetime.now() + timedelta(
                days=resource.company_id.commons_proposal_wait_days
            )
        proposal = self.sudo().create(vals)
        proposal._post_commons_event("proposed")
        return proposal.sudo(False)

    @api.model
    def _prepare_commons_change(self, resource, kind, partner, amount, account):
        """The values the proposal writes on ``resource`` once it is confirmed
        or applied; raise when the change makes no sense. Called when the
        change is proposed and again when it applies."""
        _ = self.env._
        resource = resource.sudo()
        if kind in STEWARD_KINDS and not partner:
            raise UserError(
                _(
                    "Choose the person to add to or remove from the stewards of "
                    "%(resource)s.",
                    resource=resource.display_name,
                )
            )
        if kind == "add_steward":
            if partner in resource.steward_ids:
                raise UserError(
                    _(
                        "%(person)s is already a steward of %(resource)s.",
                        person=partner.name,
                        resource=resource.display_name,
                    )
                )
            if partner == self.env.user.partner_id:
                raise UserError(resource._get_commons_not_self_error())
            # When the change is proposed, for a clear error at once, and when
            # it applies (this method runs then too): the person may have
            # become the host's staff meanwhile.
            partner._check_commons_steward_duties(resource.company_id)
            return {"steward_ids": [Command.link(partner.id)]}
        if kind == "remove_steward":
            if partner not in resource.steward_ids:
                raise UserError(
                    _(
                        "%(person)s is not a steward of %(resource)s.",
                        person=partner.name,
                        resource=resource.display_name,
                    )
                )
            return {"steward_ids": [Command.unlink(partner.id)]}
        if kind == "threshold":
            if amount < 0:
                raise ValidationError(
                    _("The two-approvals threshold cannot be negative.")
                )
            if resource.currency_id.compare_amounts(
                amount, resource.commons_double_approval_amount
            ) == 0 or not (amount or resource.commons_double_approval_amount):
                raise UserError(
                    _(
                        "This is already the two-approvals rule of %(resource)s.",
                        resource=resource.display_name,
                    )
                )
            return {"commons_double_approval_amount": amount}
        if account and account == resource.analytic_account_id:
            raise UserError(
                _(
                    "%(account)s is already the analytic account of %(resource)s.",
                    account=account.sudo().display_name,
                    resource=resource.display_name,
                )
            )
        resource._check_commons_analytic_account(account)
        # The resource's write checks it when the change applies; here too, so
        # that a change that cannot apply is not proposed.
        resource._check_commons_account_change(account.id)
        return {"analytic_account_id": account.id}

    @api.model
    def _check_commons_not_proposed(self, resource, kind, partner):
        """One proposal at a time of each change: the stewards decide on one
        value, never on two that race."""
        domain = [
            ("resource_id", "=", resource.id),
            ("kind", "=", kind),
            ("state", "=", "waiting"),
        ]
        if kind in STEWARD_KINDS:
            domain.append(("partner_id", "=", partner.id))
        waiting = self.sudo().search(domain, limit=1)
        if waiting:
            raise UserError(
                self.env._(
                    "This change already waits for the stewards of %(resource)s: "
                    "“%(change)s”, proposed on %(date)s. Withdraw it first to "
                    "propose another.",
                    resource=resource.display_name,
                    change=waiting.description,
                    date=waiting._format_commons_datetime(waiting.date_proposed),
                )
            )

    def _get_commons_objectors(self):
        """Who may object to the proposal from the link emailed to them: the
        current and former stewards of its resource."""
        self.ensure_one()
        resource = self.resource_id.sudo()
        return resource.steward_ids | resource.commons_former_steward_ids

    def _get_commons_recipients(self):
        """Who is emailed the proposal's events: the stewards; the former ones
        too when it removes a steward or nobody can confirm it. Each is
        emailed at their address and at their previous ones (see
        :meth:`_get_commons_previous_emails`).

        :return: res.partner
        """
        self.ensure_one()
        resource = self.resource_id.sudo()
        partners = resource.steward_ids
        if self.kind == "remove_steward" or self.date_effective:
            partners |= resource.commons_former_steward_ids
        if self.kind == "remove_steward":
            partners |= self.partner_id
        return partners

    @api.model
    def _get_commons_previous_emails(self, partners):
        """The addresses these people had before a change of their login made
        by someone else that still holds it (neither confirmed from the
        previous address nor past its waiting period). Such a change is why
        their login cannot confirm, and whoever made it reads their new
        address: the proposal's emails, with the link to object, go to the
        previous one too.

        :return: {res.partner: [email]}, the addresses other than their
            current one
        """
        previous = {}
        for change in self.env["commons.login.change"]._get_commons_pending(partners):
            partner = change.partner_id
            known = previous.setdefault(partner, [])
            email = email_normalize(change.old_email or "")
            if email and email != email_normalize(partner.email or ""):
                if email not in map(email_normalize, known):
                    known.append(change.old_email)
        return previous

    def _check_commons_decider(self, action, login_refusal=None):
        """Raise unless the session user may ``action`` ("confirm" or
        "object") the proposal now: a steward of its resource. Who confirms
        does it with their own login, which may decide, and did not propose
        it (one of the host's staff may leave it and become a steward while
        the proposal waits). Objecting only stops a change: a steward whose
        login decides nothing now (an administrator changed its email, say)
        still objects.

        :param login_refusal: the session user's
            :meth:`res.users._get_commons_decision_refusal`, when the caller
            read it already (it depends on the login only)
        """
        self.ensure_one()
        _ = self.env._
        user = self.env.user
        partner = user.partner_id
        proposal = self.sudo()
        resource = proposal.resource_id
        if partner not in resource.steward_ids:
            raise AccessError(
                _(
                    "Only a steward of %(resource)s confirms or objects to a change "
                    "of who decides for it: %(user)s is not one.",
                    resource=resource.display_name,
                    user=user.name,
                )
            )
        if proposal.state != "waiting":
            raise UserError(proposal._get_commons_not_waiting_error())
        if action != "confirm":
            return
        if login_refusal is None:
            login_refusal = user._get_commons_decision_refusal()
        if login_refusal:
            raise AccessError(login_refusal)
        # The person a proposal adds is no steward while it waits (one
        # proposal at a time adds them): only who proposed it may be one.
        if partner == proposal.proposed_by_id.partner_id:
            raise AccessError(
                _(
                    "Nobody confirms their own proposal: another steward of "
                    "%(resource)s must.",
                    resource=resource.display_name,
                )
            )

    def _get_commons_decider_refusal(self, action, login_refusal=None):
        """Why the session user may not ``action`` the proposal now, or False;
        see :meth:`_check_commons_decider`."""
        try:
            self._check_commons_decider(action, login_refusal)
        except (AccessError, UserError) as error:
            return error.args[0]
        return False

    def _get_commons_decider_refusals(self):
        """Why the session user may not confirm, or object to, each of these
        proposals now, as the stewards' page lists them; the login's own
        refusal is read once for them all.

        :return: {proposal: {"confirm": reason or False, "object": reason or
            False}}
        """
        login_refusal = self.env.user._get_commons_decision_refusal()
        return {
            proposal: {
                "confirm": proposal._get_commons_decider_refusal(
                    "confirm", login_refusal
                ),
                "object": proposal._get_commons_decider_refusal("object"),
            }
            for proposal in self
        }

    def _get_commons_not_waiting_error(self):
        self.ensure_one()
        return self.env._(
            "This change of %(resource)s no longer waits for its stewards: it is "
            "%(state)s.",
            resource=self.resource_id.sudo().display_name,
            state=dict(self._fields["state"]._description_selection(self.env))[
                self.state
            ].lower(),
        )

    def _lock_commons_proposal(self):
        """Lock the proposal before deciding on it: of two decisions at the same
        moment, the second fails (and is retried), then sees the first."""
        lock_rows(self)
        self.invalidate_recordset(["state"])
        for proposal in self:
            if proposal.state != "waiting":
                raise UserError(proposal._get_commons_not_waiting_error())

    def _apply_commons_change(self, state, partner=None, user=None):
        """Write the change on the resource, as superuser, and record who
        decided it; raise when it can no longer apply. A person added whose
        email changed since it was proposed is not added: the proposal is
        cancelled, with the reason.

        :return: whether the change was applied
        """
        self.ensure_one()
        changed = self._get_commons_person_changed_reason()
        if changed:
            self._set_commons_outcome("cancel", reason=changed)
            return False
        resource = self.resource_id.sudo()
        # A change that waited in public was on the public page all along: the
        # resource could not be unpublished nor archived meanwhile (see
        # commons.resource._check_commons_public_proposals).
        change = self._prepare_commons_change(
            resource, self.kind, self.partner_id, self.amount, self.analytic_account_id
        )
        if self.kind == "threshold":
            # What it replaces: a stricter rule may have applied meanwhile.
            self.amount_before = resource.commons_double_approval_amount
        resource.with_context(commons_proposal_id=self.id).write(change)
        self._set_commons_outcome(state, partner, user)
        return True

    def _get_commons_person_changed_reason(self):
        """Why the person the proposal adds is no longer the one proposed, or
        False: their email (normalised) changed since. The stewards decided on
        that address, where the new steward's invitation and notices go."""
        self.ensure_one()
        if self.kind != "add_steward":
            return False
        proposed = self.partner_email or ""
        email = self.partner_id.email or ""
        if email_normalize(email) == email_normalize(proposed):
            return False
        return self.env._(
            "The email of %(person)s changed since the change was proposed "
            "(%(proposed)s, now %(email)s): the stewards decided on the person "
            "with the address proposed. Propose the change again if it is still "
            "wanted.",
            person=self.partner_name or self.partner_id.name,
            proposed=proposed or "—",
            email=email or "—",
        )

    def _set_commons_outcome(self, state, partner=None, user=None, reason=False):
        """Close the proposal in ``state``, then tell the people it concerns."""
        self.ensure_one()
        self.write(
            {
                "state": state,
                "decided_partner_id": partner.id if partner else False,
                "decided_by_id": user.id if user else False,
                "date_decided": fields.Datetime.now(),
                "state_reason": reason,
            }
        )
        self._post_commons_event(state)

    @api.model
    def _get_commons_public_wait_domain(self):
        """The proposals that wait in public: no steward could confirm them,
        so they take effect at their date unless someone objects."""
        return [("state", "=", "waiting"), ("date_effective", "!=", False)]

    @api.model
    def _cron_apply_commons_proposals(self):
        """Apply the proposals nobody could confirm whose waiting period is
        over and that nobody objected to; one that can no longer apply is
        cancelled, with the reason."""
        due = self.sudo().search(
            [
                *self._get_commons_public_wait_domain(),
                ("date_effective", "<=", fields.Datetime.now()),
            ],
            order="date_effective, id",
        )
        for proposal in due:
            try:
                with self.env.cr.savepoint():
                    proposal._lock_commons_proposal()
                    proposal._apply_commons_change("applied")
            except (UserError, ValidationError) as error:
                proposal._set_commons_outcome(
                    "cancel",
                    reason=self.env._(
                        "It could not be applied: %(error)s", error=error.args[0]
                    ),
                )

    # -- Objecting from the emailed link ------------------------------------

    def _get_commons_object_token(self, partner):
        """The signed link's token by which ``partner`` objects to the proposal
        without logging in; it works while the proposal waits."""
        self.ensure_one()
        return tools.hash_sign(
            self.sudo().env,
            OBJECT_TOKEN_SCOPE,
            [self.id, partner.id],
            expiration=self.date_effective + OBJECT_TOKEN_MARGIN,
        )

    @api.model
    def _get_commons_proposal_by_token(self, token):
        """The proposal and the person an objection link was made for, as
        superuser; raise AccessError when the link is not valid or expired.

        :return: (commons.governance.proposal, res.partner)
        """
        invalid = AccessError(self.env._("This link is not valid, or it has expired."))
        try:
            values = tools.verify_hash_signed(
                self.sudo().env, OBJECT_TOKEN_SCOPE, token or ""
            )
        except ValueError:
            values = None
        if not (
            isinstance(values, list)
            and len(values) == 2
            and all(isinstance(value, int) for value in values)
        ):
            raise invalid
        proposal = self.sudo().browse(values[0]).exists()
        partner = self.env["res.partner"].sudo().browse(values[1]).exists()
        if not proposal or not partner:
            raise invalid
        return proposal, partner

    def _object_commons_by_link(self, partner):
        """Object to the proposal for ``partner``, who opened the link emailed
        to them: it is cancelled. A link works once: the proposal no longer
        waits afterwards."""
        self.ensure_one()
        proposal = self.sudo()
        if partner not in proposal._get_commons_objectors():
            raise AccessError(
                self.env._(
                    "%(person)s is no longer a steward nor a former steward of "
                    "%(resource)s.",
                    person=partner.name,
                    resource=proposal.resource_id.display_name,
                )
            )
        proposal._lock_commons_proposal()
        proposal._set_commons_outcome("objected", partner)

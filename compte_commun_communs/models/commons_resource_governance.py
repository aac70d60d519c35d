# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError


class CommonsResource(models.Model):
    """Who decides for a resource: its stewards, its two-approvals threshold and
    the analytic account that holds its money.

    Once a resource has had stewards or money, the host changes them only by a
    proposal (``commons.governance.proposal``) that a steward confirms, or that
    waits in public when no steward can; the resource's ``write`` refuses any
    other change (see :meth:`_check_commons_governance_write`).
    """

    # One concern a file, as account_journal_dashboard.py does for account.journal.
    _inherit = "commons.resource"  # pylint: disable=consider-merging-classes-inherited

    # Who is told of a change nobody can confirm, and may object to it.
    commons_former_steward_ids = fields.Many2many(
        "res.partner",
        "commons_resource_former_steward_rel",
        "resource_id",
        "partner_id",
        string="Former Stewards",
        readonly=True,
        copy=False,
        help="People who were stewards of the resource: they are emailed a change "
        "that no current steward can confirm, and may object to it.",
    )
    commons_proposal_ids = fields.One2many(
        "commons.governance.proposal", "resource_id", string="Proposed Changes"
    )
    commons_waiting_proposal_ids = fields.One2many(
        "commons.governance.proposal",
        "resource_id",
        string="Changes Waiting for the Stewards",
        domain=[("state", "=", "waiting")],
    )
    commons_governed = fields.Boolean(
        string="Governed by its Stewards",
        compute="_compute_commons_governed",
        help="The resource has had stewards or money: a change of its stewards or "
        "of its analytic account, or a weaker two-approvals rule, is a proposal "
        "that a steward confirms.",
    )

    def _compute_commons_governed(self):
        for resource in self:
            origin = resource._origin
            resource.commons_governed = (
                bool(origin.id) and origin._is_commons_governed()
            )

    @api.constrains("analytic_account_id")
    def _check_analytic_account(self):
        for resource in self.filtered("analytic_account_id"):
            resource._check_commons_analytic_account(resource.analytic_account_id)

    # -- Proposing a change ----------------------------------------------------

    @api.returns("commons.governance.proposal")
    def action_commons_propose(
        self, kind, partner_id=False, amount=0.0, analytic_account_id=False
    ):
        """Propose a change of who decides for the resource, as the host does:
        add a steward (``partner_id``), remove one (``partner_id``), weaken the
        two-approvals rule (``amount``, the new threshold; zero: none) or
        change the analytic account (``analytic_account_id``).

        A change that needs no stewards' consent (a stricter threshold, or any
        change of a resource that never had stewards nor money) applies at
        once, with the caller's rights.

        :return: the proposal, or an empty recordset when applied at once
        """
        self.ensure_one()
        return self.env["commons.governance.proposal"]._propose(
            self,
            kind,
            partner=self.env["res.partner"].browse(partner_id or ()).exists(),
            amount=amount or 0.0,
            account=self.env["account.analytic.account"]
            .browse(analytic_account_id or ())
            .exists(),
        )

    # -- Who decides -------------------------------------------------------------

    def _get_commons_deciding_stewards(self):
        """The stewards whose own login may decide now: it exists, is active
        and :meth:`res.users._get_commons_decision_refusal` has nothing against
        it.

        :return: res.partner
        """
        self.ensure_one()

        def may_decide(partner):
            login = partner._get_commons_login()
            return bool(
                login and login.active and not login._get_commons_decision_refusal()
            )

        return self.sudo().steward_ids.filtered(may_decide)

    def _is_commons_governed(self):
        """Whether the resource has had stewards or money: then who decides for
        it changes by a proposal its stewards confirm."""
        self.ensure_one()
        return bool(
            self.steward_ids or self.commons_former_steward_ids or self._is_in_ledger()
        )

    @api.model
    def _is_commons_threshold_weaker(self, before, after):
        """Whether the two-approvals threshold ``after`` lets more bills pass
        with one approval than ``before`` (zero: no threshold)."""
        return bool(before) and (not after or after > before)

    def _get_commons_governance_values(self):
        """What the stewards decide of the resource, as it is now; see
        :meth:`_check_commons_governance_write`."""
        self.ensure_one()
        return {
            "governed": self._is_commons_governed(),
            "stewards": self.steward_ids,
            "former_stewards": self.commons_former_steward_ids,
            "threshold": self.commons_double_approval_amount,
            "account": self.analytic_account_id,
        }

    def _check_commons_governance_write(self, before):
        """Refuse a write that changes who decides for a resource that has had
        stewards or money: only a proposal a steward confirms does (as
        superuser, after its own checks). A new resource gets its first
        stewards directly; a stricter two-approvals threshold applies at once.

        :param before: see :meth:`_get_commons_governance_values`
        """
        self.ensure_one()
        if self.env.su:
            return
        if not before["governed"]:
            self._check_steward_not_self(before["stewards"])
            added = self.steward_ids - before["stewards"]
            if added:
                added._check_commons_steward_duties(self.company_id)
            return
        if (
            self.steward_ids != before["stewards"]
            or self.commons_former_steward_ids != before["former_stewards"]
        ):
            raise UserError(
                self.env._(
                    "The stewards of %(resource)s decide how its funds are spent: "
                    "a steward is added or removed only by a proposal that a "
                    "steward of the resource confirms. Use “Propose a Change” on "
                    "the resource.",
                    resource=self.display_name,
                )
            )
        if self._is_commons_threshold_weaker(
            before["threshold"], self.commons_double_approval_amount
        ):
            raise UserError(
                self.env._(
                    "A higher two-approvals threshold, or none, lets more bills of "
                    "%(resource)s pass with one steward's approval: it is a "
                    "proposal that a steward of the resource confirms. Use "
                    "“Propose a Change” on the resource. A stricter threshold "
                    "applies at once.",
                    resource=self.display_name,
                )
            )
        if self.analytic_account_id != before["account"]:
            raise UserError(
                self.env._(
                    "The analytic account of %(resource)s holds its money in the "
                    "ledger: it changes only by a proposal that a steward of the "
                    "resource confirms. Use “Propose a Change” on the resource.",
                    resource=self.display_name,
                )
            )

    def _update_commons_former_stewards(self, before):
        """Who was a steward and is no longer one is a former steward; who is
        one again is no longer a former one.

        :param before: the stewards before the change (res.partner)
        """
        self.ensure_one()
        former = (
            self.commons_former_steward_ids | (before - self.steward_ids)
        ) - self.steward_ids
        if former != self.commons_former_steward_ids:
            self.sudo().write({"commons_former_steward_ids": [Command.set(former.ids)]})

    def _check_commons_public_wait(self):
        """A change that no steward can confirm waits in public: the resource
        must be on the needs page, where anyone reads it until it applies."""
        self.ensure_one()
        if not (self.is_published and self.active):
            raise UserError(
                self.env._(
                    "No steward of %(resource)s can confirm this change, so it must "
                    "wait %(days)s days on the resource's public page, where anyone "
                    "may read it: publish the resource on the needs page first.",
                    resource=self.display_name,
                    days=self.company_id.commons_proposal_wait_days,
                )
            )

    def _check_commons_public_proposals(self):
        """While a change that no steward can confirm waits on a resource's
        public page, the resource stays published and active: hidden, the
        change would take effect unseen. Checked whoever writes."""
        Proposal = self.env["commons.governance.proposal"].sudo()
        waiting = Proposal.search(
            [
                ("resource_id", "in", self.ids),
                *Proposal._get_commons_public_wait_domain(),
            ],
            order="date_effective, id",
            limit=1,
        )
        if waiting:
            raise UserError(
                self.env._(
                    "No steward of %(resource)s can confirm the change “%(change)s” "
                    "proposed on %(date)s: it waits on the resource's public page "
                    "until it takes effect, on %(effective)s. Until then the "
                    "resource stays on the needs page and active; to unpublish or "
                    "archive it sooner, withdraw the proposal first.",
                    resource=waiting.resource_id.display_name,
                    change=waiting.description,
                    date=waiting._format_commons_datetime(waiting.date_proposed),
                    effective=waiting._format_commons_datetime(waiting.date_effective),
                )
            )

    # -- The ledger ----------------------------------------------------------------

    def _check_commons_company_change(self, company_id):
        """A resource's money stays in the books of its company: once entries
        name its analytic account, the resource cannot move to another one."""
        for resource in self:
            if resource.company_id.id != company_id and resource._has_commons_entries():
                raise UserError(
                    self.env._(
                        "%(resource)s has entries in the ledger of %(company)s: its "
                        "money stays there, and so does the resource.",
                        resource=resource.display_name,
                        company=resource.company_id.name,
                    )
                )

    def _check_commons_account_change(self, account_id):
        """The figures of a resource read the entries of its analytic account
        as it is now. It changes only while the resource has none there: once
        it has, its money would be left on the former account, free for
        another resource to take. And it changes only to an account that has
        none yet: the resource would take money that is not its own. Checked
        whoever writes, as the company is (see
        :meth:`_check_commons_company_change`).

        :param account_id: id of the new account.analytic.account, or False
        """
        account = self.env["account.analytic.account"].sudo().browse(account_id)
        for resource in self:
            if resource.analytic_account_id == account:
                continue
            if resource._has_commons_entries():
                raise UserError(
                    self.env._(
                        "%(resource)s has entries in the ledger on its analytic "
                        "account %(account)s, and its figures read them there: "
                        "its money stays on that account, and so does the "
                        "resource. A resource's analytic account changes only "
                        "while it has no entries.",
                        resource=resource.display_name,
                        account=resource.analytic_account_id.sudo().display_name,
                    )
                )
            if self._is_commons_account_in_ledger(account):
                raise UserError(
                    self.env._(
                        "The analytic account %(account)s already has entries in "
                        "the ledger: %(resource)s cannot take it, their money is "
                        "not the resource's. Choose an account without entries.",
                        account=account.display_name,
                        resource=resource.display_name,
                    )
                )

    def _check_commons_analytic_account(self, account):
        """Raise unless ``account`` may hold the resource's money: an account
        of the Commons plan, of the resource's company, that no other resource
        has."""
        self.ensure_one()
        if not account:
            raise ValidationError(
                self.env._(
                    "Choose the analytic account of %(resource)s.",
                    resource=self.display_name,
                )
            )
        account = account.sudo()
        if account.root_plan_id != self._get_analytic_plan() or (
            account.company_id and account.company_id != self.company_id
        ):
            raise ValidationError(
                self.env._(
                    "The analytic account of %(resource)s must be an account of the "
                    "%(plan)s plan of %(company)s; %(account)s is not.",
                    resource=self.display_name,
                    plan=self._get_analytic_plan().name,
                    company=self.company_id.name,
                    account=account.display_name,
                )
            )
        other = (
            self.sudo()
            .with_context(active_test=False)
            .search(
                [("analytic_account_id", "=", account.id), ("id", "!=", self.id)],
                limit=1,
            )
        )
        if other:
            raise ValidationError(
                self.env._(
                    "The analytic account %(account)s is the one of %(other)s: each "
                    "resource has its own.",
                    account=account.display_name,
                    other=other.display_name,
                )
            )

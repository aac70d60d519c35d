# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models

from ..models.commons_governance_proposal import PROPOSAL_KINDS


class CommonsResourcePropose(models.TransientModel):
    """The host proposes a change of who decides for a resource; the
    resource's own method checks it and makes the proposal its stewards
    confirm (or applies at once what needs nobody's consent)."""

    _name = "commons.resource.propose"
    _description = "Propose a change of who decides for a resource"

    resource_id = fields.Many2one("commons.resource", required=True)
    company_id = fields.Many2one(related="resource_id.company_id")
    currency_id = fields.Many2one(related="resource_id.currency_id")
    steward_ids = fields.Many2many(related="resource_id.steward_ids")
    kind = fields.Selection(
        PROPOSAL_KINDS, string="Kind of Change", required=True, default="add_steward"
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Person",
        domain="[('id', 'not in', steward_ids)] if kind == 'add_steward' "
        "else [('id', 'in', steward_ids)]",
    )
    amount = fields.Monetary(
        string="Two Approvals Above",
        currency_field="currency_id",
        help="The new threshold; zero: one approval for every bill.",
    )
    analytic_account_id = fields.Many2one(
        "account.analytic.account",
        string="Analytic Account",
        domain="[('root_plan_id', '=', plan_id), "
        "('company_id', 'in', (False, company_id))]",
    )
    plan_id = fields.Many2one(
        "account.analytic.plan", compute="_compute_plan_id", string="Commons Plan"
    )

    def _compute_plan_id(self):
        self.plan_id = self.env["commons.resource"]._get_analytic_plan()

    @api.onchange("kind")
    def _onchange_kind(self):
        self.partner_id = False
        self.analytic_account_id = False
        self.amount = 0.0

    def action_propose(self):
        self.ensure_one()
        self.resource_id.action_commons_propose(
            self.kind,
            partner_id=self.partner_id.id,
            amount=self.amount,
            analytic_account_id=self.analytic_account_id.id,
        )
        return {"type": "ir.actions.act_window_close"}

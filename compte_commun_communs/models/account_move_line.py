# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models
from odoo.exceptions import UserError

from .account_move_commons_bill import APPROVAL_MOVE_TYPES

# What a posted item of a donation's entry keeps: its money and where it is
# earmarked.
PROTECTED_LINE_FIELDS = {
    "analytic_distribution",
    "account_id",
    "debit",
    "credit",
    "balance",
    "amount_currency",
    "partner_id",
}

# What makes an item spend a resource's funds, or how much.
SPENDING_LINE_FIELDS = PROTECTED_LINE_FIELDS | {
    "price_unit",
    "quantity",
    "discount",
    "tax_ids",
}


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines.move_id._lapse_commons_approvals()
        lines.move_id.filtered(
            lambda move: move.state == "posted"
        )._check_commons_postable()
        return lines

    def write(self, vals):
        if PROTECTED_LINE_FIELDS & vals.keys():
            self.move_id._check_commons_donation_entry()
        posted_resources = (
            self.move_id._get_commons_posted_resources()
            if SPENDING_LINE_FIELDS & vals.keys()
            else {}
        )
        res = super().write(vals)
        # A line written on its own (not through its bill) changes the bill too.
        self.move_id._lapse_commons_approvals()
        if SPENDING_LINE_FIELDS & vals.keys():
            # A posted move keeps what the stewards approved, and spends no
            # resource's funds unapproved (the analytic distribution of a
            # posted item may still change).
            self.move_id.filtered(
                lambda move: move.state == "posted"
            )._check_commons_postable()
            self.move_id._check_commons_posted_resources(posted_resources)
        return res

    def unlink(self):
        moves = self.move_id
        res = super().unlink()
        moves.exists()._lapse_commons_approvals()
        return res

    def _create_analytic_lines(self):
        # The journal items' own analytic items: the only ones a commons
        # resource's analytic account takes (see account.analytic.line).
        return super(AccountMoveLine, self.sudo())._create_analytic_lines()

    def _check_amls_exigibility_for_reconciliation(self, shadowed_aml_values=None):
        # Every reconciliation (payment, bank line, manual) comes here.
        self.move_id._check_commons_payable()
        self._check_commons_reconciliation_partner()
        return super()._check_amls_exigibility_for_reconciliation(
            shadowed_aml_values=shadowed_aml_values
        )

    def _check_commons_reconciliation_partner(self):
        """A commons bill is paid to its contributor: its items are reconciled
        only with items of the same partner, not with money that went to
        anyone else; its payable item only with a payment to the bank account
        its stewards approved (or an approved credit note of theirs)."""
        lines = self.sudo()
        for bill in lines.move_id:
            if (
                bill.move_type not in APPROVAL_MOVE_TYPES
                or not bill._get_commons_resources()
            ):
                continue
            others = lines.filtered(
                lambda line, b=bill: line.partner_id.commercial_partner_id
                != b.commercial_partner_id
            )
            if others:
                raise UserError(
                    self.env._(
                        "%(bill)s is paid to its contributor %(partner)s: it cannot "
                        "be reconciled with an item of %(other)s.",
                        bill=bill.display_name,
                        partner=bill.commercial_partner_id.display_name,
                        other=others[:1].partner_id.display_name
                        or self.env._("no partner"),
                    )
                )
        lines.move_id._check_commons_reconciliation_counterparts(lines)

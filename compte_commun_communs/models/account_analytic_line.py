# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models
from odoo.exceptions import UserError

# What an analytic item of a resource holds of the ledger: its money, its
# year and its journal item. The plans' columns are added to these.
LEDGER_FIELDS = {"amount", "date", "general_account_id", "move_line_id", "company_id"}


class AccountAnalyticLine(models.Model):
    """The analytic items of a resource are its figures: they come from
    journal items only (account.move.line._create_analytic_lines makes them as
    superuser when an entry is posted), never from a hand-made item."""

    _inherit = "account.analytic.line"

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            column = self._get_commons_column()
            if any(vals.get(column) for vals in vals_list):
                raise UserError(self._get_commons_hand_made_error())
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            column = self._get_commons_column()
            fields = LEDGER_FIELDS | set(self._get_plan_fnames())
            if vals.get(column) or (fields & vals.keys() and self.filtered(column)):
                raise UserError(self._get_commons_hand_made_error())
        return super().write(vals)

    @api.model
    def _get_commons_column(self):
        # None while the module is being installed, before its plan exists.
        plan = self.env.ref(
            "compte_commun_communs.account_analytic_plan_commons",
            raise_if_not_found=False,
        )
        return plan and plan._column_name()

    def _get_commons_hand_made_error(self):
        return self.env._(
            "The analytic items of a commons resource come from the journal items "
            "of its donations and bills: they are not made or changed by hand. "
            "Record or correct the entry instead."
        )

# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models
from odoo.exceptions import UserError

from odoo.addons.base.models.ir_model import MODULE_UNINSTALL_FLAG

# The plans whose analytic items hold the resources' money and the host fee.
COMMONS_PLAN_XMLIDS = (
    "compte_commun_communs.account_analytic_plan_commons",
    "compte_commun_communs.account_analytic_plan_host",
)


class AccountAnalyticPlan(models.Model):
    """Odoo moves the analytic items of a plan to another column when the plan
    is put under another one: the plans of the commons stay where they are."""

    _inherit = "account.analytic.plan"

    def write(self, vals):
        if "parent_id" in vals and not self.env.su and self._is_commons_plan():
            raise UserError(
                self.env._(
                    "The analytic plans Commons and Host hold the money of the "
                    "commons resources and the host fee: they stay root plans."
                )
            )
        return super().write(vals)

    def unlink(self):
        # Before Odoo's unlink, which first removes the plan's column: an
        # ondelete check would come too late.
        if not self.env.context.get(MODULE_UNINSTALL_FLAG) and self._is_commons_plan():
            raise UserError(
                self.env._(
                    "The analytic plans Commons and Host hold the money of the "
                    "commons resources and the host fee: they are not deleted."
                )
            )
        return super().unlink()

    def _is_commons_plan(self):
        plans = self.browse()
        for xmlid in COMMONS_PLAN_XMLIDS:
            plans |= self.env.ref(xmlid, raise_if_not_found=False) or plans
        return bool(self & plans)

# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models
from odoo.exceptions import UserError


class AccountAnalyticAccount(models.Model):
    """A resource's analytic account is its place in the ledger: its plan and
    company, which decide where its analytic items are read, change with the
    resource only (commons.resource writes them as superuser)."""

    _inherit = "account.analytic.account"

    def write(self, vals):
        if not self.env.su and self._get_commons_ledger_fields() & vals.keys():
            resources = self._get_commons_resources()
            if resources:
                raise UserError(
                    self.env._(
                        "%(account)s is the analytic account of the commons "
                        "resource %(resource)s: its plan, company and status "
                        "change with the resource, in the resource's form.",
                        account=resources[:1].analytic_account_id.display_name,
                        resource=resources[:1].display_name,
                    )
                )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_commons_resource(self):
        if not self.env.su and self._get_commons_resources():
            raise UserError(
                self.env._(
                    "This analytic account is a commons resource's: it goes with "
                    "the resource, which is archived rather than deleted once it "
                    "has money."
                )
            )

    def _get_commons_ledger_fields(self):
        return {"plan_id", "company_id", "active"}

    def _get_commons_resources(self):
        """The resources whose analytic accounts are among these."""
        return (
            self.env["commons.resource"]
            .sudo()
            .with_context(active_test=False)
            .search([("analytic_account_id", "in", self.ids)])
            if self.ids
            else self.env["commons.resource"]
        )

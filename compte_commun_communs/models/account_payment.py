# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models


class AccountPayment(models.Model):
    _inherit = "account.payment"

    @api.model_create_multi
    def create(self, vals_list):
        payments = super().create(vals_list)
        # A payment linked to bills (over RPC, without the wizard) pays them.
        payments.invoice_ids._check_commons_payable()
        return payments

    def write(self, vals):
        res = super().write(vals)
        if "invoice_ids" in vals:
            self.invoice_ids._check_commons_payable()
        return res

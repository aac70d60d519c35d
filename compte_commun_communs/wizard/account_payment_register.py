# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models


class AccountPaymentRegister(models.TransientModel):
    _inherit = "account.payment.register"

    def _create_payments(self):
        # The list's "Pay" opens this wizard on draft bills too.
        self.line_ids.move_id._check_commons_payable()
        return super()._create_payments()

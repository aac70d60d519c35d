# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models
from odoo.exceptions import UserError


class AccountPaymentRegister(models.TransientModel):
    _inherit = "account.payment.register"

    def _create_payments(self):
        # The list's "Pay" opens this wizard on draft bills too.
        bills = self.line_ids.move_id
        bills._check_commons_payable()
        self._check_commons_bank_account(bills)
        return super()._create_payments()

    def _check_commons_bank_account(self, bills):
        """A commons bill is paid on the bank account its stewards approved."""
        for wizard in self:
            if not wizard.partner_bank_id:
                continue
            for bill in bills.sudo().filtered("commons_approval_ids"):
                if (
                    bill.partner_bank_id
                    and bill.partner_bank_id != wizard.partner_bank_id
                ):
                    raise UserError(
                        self.env._(
                            "%(bill)s is paid on the bank account its stewards "
                            "approved (%(account)s), not on %(other)s.",
                            bill=bill.display_name,
                            account=bill.partner_bank_id.display_name,
                            other=wizard.partner_bank_id.display_name,
                        )
                    )

# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models
from odoo.exceptions import UserError
from odoo.tools.misc import formatLang


class AccountPaymentRegister(models.TransientModel):
    _inherit = "account.payment.register"

    def _create_payments(self):
        # The list's "Pay" opens this wizard on draft bills too. Its payments
        # and reconciliations check the bills again, one payment at a time:
        # their resources are read once, here; their contributors hear of
        # what paid them once all are made (one batch of emails).
        bills = self.line_ids.move_id
        with (
            bills._read_commons_bills_once(),
            self.env["account.move"]._announce_commons_payments_after(),
        ):
            bills._check_commons_payable()
            self._check_commons_bank_account(bills)
            return super()._create_payments()

    def _check_commons_bank_account(self, bills):
        """A commons bill is paid on the bank account its stewards approved:
        the wizard that shows the account pays on the one it shows (none
        chosen, or another, is refused). A wizard of several payments makes
        each on its bills' own account, which the payment and the
        reconciliation check again."""
        self.ensure_one()
        bills = bills._get_commons_paid_out_bills()
        if bills and self.can_edit_wizard:
            bills._check_commons_paid_to(
                self.partner_bank_id,
                partner=self.partner_id,
                outbound=self.payment_type == "outbound",
            )
            if self.payment_difference_handling == "reconcile" and (
                not self.currency_id.is_zero(self.payment_difference)
            ):
                # "Mark as fully paid": the difference would be written off,
                # or put on the exchange difference at a rate made for it.
                raise UserError(
                    self.env._(
                        "%(bills)s cannot be marked as fully paid with %(amount)s "
                        "sent: a bill of a commons resource is settled by the "
                        "money sent to its contributor, as its stewards approved "
                        "it. Pay it in full, or keep what is left open.",
                        bills=", ".join(bills.mapped("display_name")),
                        amount=formatLang(
                            self.env, self.amount, currency_obj=self.currency_id
                        ),
                    )
                )

# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models


class AccountPaymentOrder(models.Model):
    """Each step of a payment order that brings its money closer to the bank
    checks all its lines again, before it makes anything: its payments when it
    is confirmed, its file when it is generated, the reconciliations when it is
    marked uploaded. A line accepted when it was made may no longer be payable
    (its bill's approval lapsed, its bank account is no longer trusted)."""

    _inherit = "account.payment.order"

    def draft2open(self):
        self._check_commons_payment_lines()
        return super().draft2open()

    def open2generated(self):
        self._check_commons_payment_lines()
        return super().open2generated()

    def generated2uploaded(self):
        self._check_commons_payment_lines()
        # OCA reconciles one payment at a time: the contributors hear of what
        # paid them once the whole order is reconciled (one batch of emails).
        with self.env["account.move"]._announce_commons_payments_after():
            return super().generated2uploaded()

    def _check_commons_payment_lines(self):
        """Check the lines of these orders, all at once (see
        account.payment.line._check_commons_payment_lines)."""
        self.sudo().payment_line_ids._check_commons_payment_lines()

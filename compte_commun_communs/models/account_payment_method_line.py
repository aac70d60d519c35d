# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class AccountPaymentMethodLine(models.Model):
    _inherit = "account.payment.method.line"

    commons_receipt_payment_mode = fields.Selection(
        [
            ("transfer", "Bank transfer"),
            ("direct_debit", "Direct debit"),
            ("card", "Card"),
            ("cheque", "Cheque"),
            ("cash", "Cash"),
            ("other", "Other"),
        ],
        string="Tax Receipt Payment Mode",
        help="How donors pay with this method, as printed on tax receipts (“mode de "
        "versement”). Set it once on every donation payment method: a tax receipt "
        "for a donation paid with a method without it cannot be issued.",
    )

# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models

from ..models.account_move_commons_payment import PAID_OUT_MOVE_TYPES


class AccountPaymentLineCreate(models.TransientModel):
    """OCA's "Create Transactions from Journal Items": even with "All
    Entries", it proposes a commons bill once posted only, as the payment
    lines accept it (see account.payment.line._check_commons_payment_lines,
    which refuses any other the wizard is given)."""

    _inherit = "account.payment.line.create"

    @api.depends(
        "date_type",
        "due_on",
        "filter_date",
        "filter_date_end",
        "journal_ids",
        "invoice",
        "target_move",
        "payment_mode",
        "partner_ids",
    )
    def _compute_move_line_domain(self):
        res = super()._compute_move_line_domain()
        for wizard in self:
            wizard.move_line_domain = [
                *wizard.move_line_domain,
                "|",
                "|",
                ("move_id.commons_resource_id", "=", False),
                ("move_id.move_type", "not in", PAID_OUT_MOVE_TYPES),
                ("move_id.state", "=", "posted"),
            ]
        return res

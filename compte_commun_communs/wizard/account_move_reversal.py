# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models


class AccountMoveReversal(models.TransientModel):
    _inherit = "account.move.reversal"

    def reverse_moves(self, is_modify=False):
        # A donation's entry is reversed by cancelling the donation, so that the
        # donation, its receipt and the ledger keep saying the same thing.
        self.move_ids._check_commons_donation_entry()
        return super().reverse_moves(is_modify=is_modify)

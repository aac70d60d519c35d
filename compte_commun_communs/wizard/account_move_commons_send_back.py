# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models


class AccountMoveCommonsSendBack(models.TransientModel):
    """The host sends a contributor's bill back with a reason the contributor
    reads (a missing legal mention, a wrong VAT); the bill's own method checks
    who sends it back and what the bill is."""

    _name = "account.move.commons.send.back"
    _description = "Send a contributor's bill back"

    move_id = fields.Many2one("account.move", string="Bill", required=True)
    reason = fields.Text(
        required=True,
        help="Emailed to the contributor and written in the bill's chatter.",
    )

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        if (
            "move_id" in fields_list
            and not values.get("move_id")
            and context.get("active_model") == "account.move"
            and context.get("active_id")
        ):
            values["move_id"] = context["active_id"]
        return values

    def action_send_back(self):
        self.ensure_one()
        self.move_id.commons_send_back(self.reason)
        return {"type": "ir.actions.act_window_close"}

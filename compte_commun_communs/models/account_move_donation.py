# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models
from odoo.exceptions import UserError


class AccountMove(models.Model):
    _inherit = "account.move"

    def write(self, vals):
        if self._get_commons_donation_entry_fields() & vals.keys():
            self._check_commons_donation_entry()
        return super().write(vals)

    @api.model
    def _get_commons_donation_entry_fields(self):
        """What a donation's entry may not see changed once posted: the money,
        where it is earmarked, and whether it is posted."""
        return {"state", "line_ids", "invoice_line_ids", "date", "partner_id"}

    def _check_draftable(self):
        self._check_commons_donation_entry()
        return super()._check_draftable()

    def _get_commons_donations(self):
        """The donations whose entry (or the reversal of it) is among these."""
        return (
            self.env["donation.donation"]
            .sudo()
            .search(
                [
                    "|",
                    "|",
                    ("move_id", "in", self.ids),
                    ("commons_reversal_move_id", "in", self.ids),
                    ("commons_previous_move_ids", "in", self.ids),
                ]
            )
            if self.ids
            else self.env["donation.donation"]
        )

    def _get_commons_amounts_by_resource(self):
        """What the entry gives each commons resource (the income on its analytic
        account, host fee included), in the company's currency.

        :return: {analytic account id of the resource: amount}
        """
        self.ensure_one()
        plan = self.env["commons.resource"]._get_analytic_plan()
        items = self.line_ids.filtered(
            lambda item: item.display_type == "product" and item.analytic_distribution
        )
        accounts = self.env["account.analytic.account"].browse(
            {
                int(account_id)
                for item in items
                for key in item.analytic_distribution
                for account_id in key.split(",")
            }
        )
        commons_ids = set(accounts.filtered(lambda a: a.root_plan_id == plan).ids)
        amounts = {}
        for item in items:
            for key, percentage in item.analytic_distribution.items():
                for account_id in map(int, key.split(",")):
                    if account_id in commons_ids:
                        amounts[account_id] = (
                            amounts.get(account_id, 0.0)
                            - item.balance * percentage / 100.0
                        )
        return amounts

    def _check_commons_donation_entry(self):
        """A donation's posted entry says what the donation says: it is not reset
        to draft, cancelled or edited. The donation is cancelled instead, which
        reverses its entry."""
        posted = self.filtered(lambda move: move.state == "posted")
        donations = posted._get_commons_donations()
        if donations:
            raise UserError(
                self.env._(
                    "This entry belongs to donation %(donation)s: it cannot be "
                    "changed, reset to draft or reversed by hand. Cancel the "
                    "donation instead: its entry is then reversed.",
                    donation=donations[:1].display_name,
                )
            )

# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models

# What the stewards read of a bank account's number: its last characters.
SHOWN_DIGITS = 4


# What the stewards approve of the bank account a bill is paid to.
APPROVED_BANK_FIELDS = {"acc_number", "acc_holder_name", "partner_id"}


class ResPartnerBank(models.Model):
    _inherit = "res.partner.bank"

    def write(self, vals):
        res = super().write(vals)
        if APPROVED_BANK_FIELDS & vals.keys():
            # The account of bills their stewards approved is no longer the
            # one they read: the approvals of those not posted lapse, and the
            # stewards are told (a posted one is not paid, see
            # account.move._check_commons_payable).
            self.env["account.move"].sudo().search(
                [
                    ("partner_bank_id", "in", self.ids),
                    ("commons_approval_ids", "!=", False),
                    ("state", "=", "draft"),
                ]
            )._lapse_commons_approvals()
        return res

    def _get_commons_holder(self):
        """The name the account is held in, as the bank reads it."""
        self.ensure_one()
        return self.acc_holder_name or self.partner_id.name or ""

    def _get_commons_masked_number(self):
        """The account's number as the stewards read it: its last characters
        only, enough to tell two accounts apart."""
        self.ensure_one()
        return "•••• " + (self.sanitized_acc_number or "")[-SHOWN_DIGITS:]

    def _get_commons_label(self):
        """The account as the stewards read it: its holder and last digits."""
        self.ensure_one()
        return f"{self._get_commons_holder()} {self._get_commons_masked_number()}"

    def _get_commons_approved_values(self):
        """What the stewards approve of the bank account a bill is paid to: its
        record, its number and who holds it.

        :return: [id, sanitized number, holder, partner id], or [] for none
        """
        if not self:
            return []
        self.ensure_one()
        bank = self.sudo()
        return [
            bank.id,
            bank.sanitized_acc_number or "",
            bank._get_commons_holder(),
            bank.partner_id.id,
        ]

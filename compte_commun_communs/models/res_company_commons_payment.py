# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import re

from odoo import Command, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.base_iban.models.res_partner_bank import (
    normalize_iban,
    pretty_iban,
    validate_iban,
)

from .account_move_commons_payment import PAID_OUT_MOVE_TYPES

SEPA_CREDIT_TRANSFER = "account_banking_sepa_credit_transfer.sepa_credit_transfer"
# A BIC (ISO 9362): bank, country, location, and an optional branch.
BIC_PATTERN = re.compile(r"^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$")


class ResCompany(models.Model):
    """How the host pays its contributors: one SEPA credit transfer a
    contributor, in OCA's payment orders, from the host's bank account."""

    _inherit = "res.company"  # pylint: disable=consider-merging-classes-inherited

    commons_payment_mode_id = fields.Many2one(
        "account.payment.mode",
        string="Payment Mode of Contributors' Bills",
        readonly=True,
        check_company=True,
        help="The payment mode the contributors' bills are paid with: SEPA "
        "credit transfers in payment orders, from the host's bank journal. "
        "Set up in the Commons settings.",
    )

    def _get_commons_payment_mode(self):
        """The payment mode "SEPA transfer to contributors" of the company,
        or an empty recordset when the host has not set it up."""
        self.ensure_one()
        return self.sudo().commons_payment_mode_id

    def _get_commons_host_bank_account(self):
        """The host's bank account its contributors are paid from (that of the
        payment mode's journal), or an empty recordset."""
        self.ensure_one()
        return self._get_commons_payment_mode().fixed_journal_id.bank_account_id

    def _set_commons_sepa_transfer(self, iban, bic):
        """Set up the payment of contributors' bills by SEPA credit transfer:
        the host's IBAN and its bank's BIC on the company's bank journal, and
        the payment mode "SEPA transfer to contributors" on that journal, which
        the commons bills waiting to be paid then take. Called as superuser
        by the Commons settings, once it checked who calls.

        :param iban: the host's IBAN (its checksum is checked)
        :param bic: the BIC of the host's bank
        :return: the payment mode
        :raise UserError: on an invalid IBAN or BIC, or without a bank journal
        """
        self.ensure_one()
        company = self.sudo()
        iban = normalize_iban(iban or "")
        bic = re.sub(r"\s", "", bic or "").upper()
        try:
            validate_iban(iban)
        except ValidationError as error:
            raise UserError(
                self.env._(
                    "The host's IBAN %(iban)s is not valid: %(error)s",
                    iban=iban,
                    error=error.args[0],
                )
            ) from error
        if not BIC_PATTERN.match(bic):
            raise UserError(
                self.env._(
                    "The BIC %(bic)s of the host's bank is not valid: 8 or 11 "
                    "letters and digits, such as BNPAFRPPXXX.",
                    bic=bic,
                )
            )
        journal = company._get_commons_payment_journal()
        bank = self.env["res.bank"].sudo().search([("bic", "=", bic)], limit=1)
        if not bank:
            bank = bank.create({"name": bic, "bic": bic})
        account = company._get_commons_partner_bank(iban)
        if account.bank_id != bank:
            account.bank_id = bank
        method = self.env.ref(SEPA_CREDIT_TRANSFER)
        journal_vals = {"bank_account_id": account.id}
        if method not in journal.outbound_payment_method_line_ids.payment_method_id:
            journal_vals["outbound_payment_method_line_ids"] = [
                Command.create({"payment_method_id": method.id})
            ]
        journal.write(journal_vals)
        mode = company.commons_payment_mode_id
        mode_vals = company._prepare_commons_payment_mode_vals(journal, method)
        if mode:
            mode.write(mode_vals)
        else:
            mode = (
                self.env["account.payment.mode"]
                .sudo()
                .create(
                    {**mode_vals, "name": self.env._("SEPA transfer to contributors")}
                )
            )
            company._translate_commons_payment_mode(mode)
            company.commons_payment_mode_id = mode
            company._set_commons_payment_mode_on_bills()
        return mode

    def _get_commons_payment_journal(self):
        """The bank journal the contributors are paid from: the payment mode's
        once set up, else the company's first bank journal."""
        self.ensure_one()
        journal = self.commons_payment_mode_id.fixed_journal_id
        if not journal:
            journal = (
                self.env["account.journal"]
                .sudo()
                .search(
                    [("type", "=", "bank"), ("company_id", "=", self.id)],
                    order="sequence, id",
                    limit=1,
                )
            )
        if not journal:
            raise UserError(
                self.env._(
                    "%(company)s has no bank journal to pay its contributors "
                    "from: create one in Accounting ▸ Configuration ▸ Journals.",
                    company=self.display_name,
                )
            )
        return journal

    def _get_commons_partner_bank(self, iban):
        """The company's bank account of this IBAN, made when it has none."""
        self.ensure_one()
        banks = self.env["res.partner.bank"].sudo()
        account = banks.search(
            [
                ("partner_id", "=", self.partner_id.id),
                ("sanitized_acc_number", "=", iban),
            ],
            limit=1,
        )
        if not account:
            account = banks.create(
                {
                    "acc_number": pretty_iban(iban),
                    "partner_id": self.partner_id.id,
                    "company_id": self.id,
                }
            )
        return account

    def _prepare_commons_payment_mode_vals(self, journal, method):
        """The payment mode "SEPA transfer to contributors": payment orders of
        posted bills, one transfer a contributor (its lines grouped), from
        ``journal``."""
        self.ensure_one()
        return {
            "company_id": self.id,
            "payment_method_id": method.id,
            "bank_account_link": "fixed",
            "fixed_journal_id": journal.id,
            "payment_order_ok": True,
            "group_lines": True,
            "default_target_move": "posted",
            "default_payment_mode": "same",
            "default_invoice": True,
            "default_date_prefered": "now",
        }

    def _translate_commons_payment_mode(self, mode):
        """Name the new payment mode in each installed language."""
        self.ensure_one()
        names = {
            lang: self.with_context(lang=lang).env._("SEPA transfer to contributors")
            for lang, _name in self.env["res.lang"].get_installed()
        }
        mode.update_field_translations("name", names)

    def _set_commons_payment_mode_on_bills(self):
        """Once the payment mode is set up, the company's commons bills posted
        and waiting to be paid take it, as those posted from now on do
        (account.move._post), unless a payment order already has them: the
        "Add to Payment Order" action then takes them."""
        self.ensure_one()
        mode = self.commons_payment_mode_id
        bills = (
            self.env["account.move"]
            .sudo()
            .search(
                [
                    ("company_id", "=", self.id),
                    ("move_type", "in", PAID_OUT_MOVE_TYPES),
                    ("commons_resource_id", "!=", False),
                    ("state", "=", "posted"),
                    ("payment_state", "in", ("not_paid", "partial")),
                    ("payment_mode_id", "!=", mode.id),
                ]
            )
        ).filtered(lambda bill: not bill.line_ids.payment_line_ids)
        if mode and bills:
            bills.write({"payment_mode_id": mode.id})

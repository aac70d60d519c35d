# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""What the stewards approve now includes the bank account's number and holder,
the invoice file, the accounting date and each line's account. An approval
given before carries the former fingerprint: where it still matches the bill,
it is given the new one, so that it holds. A draft bill approved without a bank
account goes back to its stewards (its approvals are withdrawn, they are told):
its money has nowhere approved to go. A posted bill approved without one is
not paid until reset to draft and approved again with the account; its chatter
says so."""

import hashlib
import json

from odoo import SUPERUSER_ID, api

PAID_OUT_MOVE_TYPES = ("in_invoice", "in_receipt")


def migrate(cr, version):
    migrate_bank_account(api.Environment(cr, SUPERUSER_ID, {}))


def migrate_bank_account(env):
    bills = (
        env["account.move"]
        .sudo()
        .with_context(active_test=False)
        .search([("commons_approval_ids", "!=", False), ("state", "!=", "cancel")])
    )
    for bill in bills:
        # Its notes read in the host's language.
        bill = bill.with_context(lang=bill.company_id.partner_id.lang or "en_US")
        without_account = (
            bill.move_type in PAID_OUT_MOVE_TYPES and not bill.partner_bank_id
        )
        if without_account and bill.state == "draft":
            _send_back_to_stewards(bill)
            continue
        old = get_former_fingerprint(bill)
        bill.commons_approval_ids.filtered(
            lambda approval, old=old: approval.fingerprint == old
        ).write({"fingerprint": bill._get_commons_fingerprint()})
        if without_account and bill.payment_state == "not_paid":
            bill.message_post(
                body=bill.env._(
                    "This bill was approved without the bank account its money "
                    "goes to: it is not paid until it is reset to draft, given "
                    "its contributor's bank account, and approved again by its "
                    "stewards."
                ),
                subtype_xmlid="mail.mt_note",
            )


def _send_back_to_stewards(bill):
    env = bill.env
    stewards = ", ".join(bill.commons_approval_ids.partner_id.mapped("name"))
    bill.commons_approval_ids.unlink()
    if bill.commons_bill_state == "approved":
        bill.write({"commons_bill_state": "submitted"})
    bill.message_post(
        body=env._(
            "This bill was approved without the bank account its money goes to: "
            "the approval of %(stewards)s is withdrawn. Once its contributor's "
            "bank account is set, the stewards approve it again.",
            stewards=stewards,
        ),
        subtype_xmlid="mail.mt_note",
    )
    if bill.commons_bill_state == "submitted":
        bill._notify_commons_stewards()


def get_former_fingerprint(bill):
    """The fingerprint of a bill as versions up to 18.0.1.2.0 computed it (a
    copy of their account.move._get_commons_fingerprint)."""
    lines = sorted(
        (
            json.dumps(line.analytic_distribution or {}, sort_keys=True),
            line.currency_id.round(line.price_subtotal),
            line.currency_id.round(line.price_total),
            sorted(line.tax_ids.ids),
        )
        for line in bill.invoice_line_ids
        if line.display_type == "product"
    )
    data = [
        bill.move_type,
        bill.company_id.id,
        bill.partner_id.id,
        bill.commercial_partner_id.id,
        bill.partner_bank_id.id,
        bill.currency_id.id,
        bill.commons_instruction_id.id,
        bill.invoice_date,
        bill.currency_id.round(bill.amount_untaxed),
        bill.currency_id.round(bill.amount_total),
        bill.company_currency_id.round(bill.amount_total_signed),
        lines,
    ]
    return hashlib.sha256(json.dumps(data, default=str).encode()).hexdigest()

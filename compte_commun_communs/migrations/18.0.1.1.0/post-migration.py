# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Receipts now go through a queue and follow their email: map the old receipt
states, so that nothing already sent is sent again, and stop the templates from
rendering a second copy of the PDF."""

from odoo import SUPERUSER_ID, api

OLD_STATE_REQUEST = {"sent": "send", "waiting": "wait", "cancelled": "cancel"}


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    for xmlid in (
        "compte_commun_communs.mail_template_donation_acknowledgement",
        "compte_commun_communs.mail_template_donation_tax_receipt",
    ):
        template = env.ref(xmlid, raise_if_not_found=False)
        if template:
            template.report_template_ids = False
    activity_type = env.ref(
        "compte_commun_communs.mail_activity_type_receipt_waiting",
        raise_if_not_found=False,
    )
    if activity_type:
        activity_type.res_model = False
    for model in ("donation.donation", "donation.tax.receipt"):
        records = env[model].with_context(active_test=False).search([])
        for record in records:
            if model == "donation.donation":
                old_state = record.commons_receipt_state
            else:
                old_state = "sent" if record.message_ids else False
            request = OLD_STATE_REQUEST.get(old_state)
            if not request:
                continue
            vals = {"commons_receipt_request": request}
            if request == "send":
                document = (
                    record._get_commons_receipt_document()
                    if model == "donation.donation"
                    else record
                )
                message = env["mail.message"].search(
                    [
                        ("model", "=", document._name),
                        ("res_id", "=", document.id),
                        ("message_type", "=", "comment"),
                    ],
                    order="id desc",
                    limit=1,
                )
                if not message:
                    continue
                vals["commons_receipt_message_id"] = message.id
            record.write(vals)

# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The bill emails' subjects now name the bill and its amount. Their templates
are not reloaded once installed (the host may have reworded them): those whose
subject is still the one shipped before get the new one, in English only, so
that the update then loads its translations (it fills the translations that
are missing and never replaces one)."""

AMOUNT = "({{ format_amount(object.amount_total, object.currency_id) }})"
COMPANY = "{{ object.company_id.name }} – "
BILL = "{{ object.ref or object.name }}"
# {template: (the subject shipped before, the subject shipped now)}
SUBJECTS = {
    "mail_template_commons_bill_to_approve": (
        f"{COMPANY}A bill of {{{{ object.partner_id.name }}}} waits for your approval",
        f"{COMPANY}Bill {BILL} of {{{{ object.partner_id.name }}}} {AMOUNT} waits "
        "for your approval",
    ),
    "mail_template_commons_bill_approved": (
        f"{COMPANY}Your bill {BILL} is approved",
        f"{COMPANY}Your bill {BILL} {AMOUNT} is approved",
    ),
    "mail_template_commons_bill_rejected": (
        f"{COMPANY}Your bill {BILL} is rejected",
        f"{COMPANY}Your bill {BILL} {AMOUNT} is rejected",
    ),
    "mail_template_commons_bill_returned": (
        f"{COMPANY}Your bill {BILL} needs a correction",
        f"{COMPANY}Your bill {BILL} {AMOUNT} needs a correction",
    ),
}


def migrate(cr, version):
    for name, (former, new) in SUBJECTS.items():
        cr.execute(
            """
            UPDATE mail_template template
               SET subject = jsonb_build_object('en_US', %s::text)
              FROM ir_model_data data
             WHERE data.module = 'compte_commun_communs'
               AND data.name = %s
               AND data.model = 'mail.template'
               AND template.id = data.res_id
               AND template.subject->>'en_US' = %s
            """,
            (new, name, former),
        )

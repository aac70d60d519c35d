# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The bill emails' subjects now name the bill and its amount. Their templates
are not updated once installed (the host may have reworded them): those whose
subject is still the one shipped before are reloaded with the new one."""

FORMER_SUBJECTS = {
    "mail_template_commons_bill_to_approve": "{{ object.company_id.name }} – A bill "
    "of {{ object.partner_id.name }} waits for your approval",
    "mail_template_commons_bill_approved": "{{ object.company_id.name }} – Your bill "
    "{{ object.ref or object.name }} is approved",
    "mail_template_commons_bill_rejected": "{{ object.company_id.name }} – Your bill "
    "{{ object.ref or object.name }} is rejected",
    "mail_template_commons_bill_returned": "{{ object.company_id.name }} – Your bill "
    "{{ object.ref or object.name }} needs a correction",
}


def migrate(cr, version):
    for name, subject in FORMER_SUBJECTS.items():
        cr.execute(
            """
            UPDATE ir_model_data data
               SET noupdate = FALSE
              FROM mail_template template
             WHERE data.module = 'compte_commun_communs'
               AND data.name = %s
               AND data.model = 'mail.template'
               AND template.id = data.res_id
               AND template.subject->>'en_US' = %s
            """,
            (name, subject),
        )

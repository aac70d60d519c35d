# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The bill emails reloaded by pre-mail-templates.py have their new subject in
English: their former translations, which do not name the amount, are
dropped, so that the update loads the new ones (it fills the translations
that are missing and never replaces one)."""

TEMPLATES = (
    "mail_template_commons_bill_to_approve",
    "mail_template_commons_bill_approved",
    "mail_template_commons_bill_rejected",
    "mail_template_commons_bill_returned",
)


def migrate(cr, version):
    cr.execute(
        """
        UPDATE mail_template template
           SET subject = jsonb_build_object('en_US', template.subject->>'en_US')
          FROM ir_model_data data
         WHERE data.module = 'compte_commun_communs'
           AND data.name IN %s
           AND data.model = 'mail.template'
           AND template.id = data.res_id
           AND template.subject->>'en_US' LIKE '%%format_amount%%'
           AND EXISTS (
                SELECT 1 FROM jsonb_each_text(template.subject) AS translation
                 WHERE translation.value NOT LIKE '%%format_amount%%'
           )
        """,
        (TEMPLATES,),
    )

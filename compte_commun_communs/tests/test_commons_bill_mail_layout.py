# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""A bill's email says, from its subject and its heading, whose bill it is,
which one and how much, in its reader's language; an update gives the
installed emails their new subject unless the host reworded it."""

from odoo.modules.migration import load_script
from odoo.tests import tagged

from .common import CommonsCase

MIGRATION = "compte_commun_communs/migrations/18.0.1.4.0/post-mail-templates.py"
TO_APPROVE = "compte_commun_communs.mail_template_commons_bill_to_approve"
FORMER_SUBJECT = (
    "{{ object.company_id.name }} – A bill of {{ object.partner_id.name }} waits "
    "for your approval"
)


@tagged("post_install", "-at_install")
class TestCommonsBillMailLayout(CommonsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.loot = cls._create_resource("Logiciel LOOT", "LOOT")
        cls._donate(cls.loot, 5000, "2023-02-15")

    def _mail_to(self, bill, partner):
        return (
            self.env["mail.mail"]
            .sudo()
            .search([("model", "=", "account.move"), ("res_id", "=", bill.id)])
            .filtered(lambda mail: partner in mail.recipient_ids)
        )

    def _submitted(self, amount):
        bill = self._bill(self.loot, amount, "2023-06-01", post=False)
        bill.ref = "F-2023-014"
        bill.with_user(self.accountant).action_commons_submit()
        return bill

    def test_steward_reads_whose_bill_which_and_how_much(self):
        bill = self._submitted(1200)
        mail = self._mail_to(bill, self.steward.partner_id)
        self.assertEqual(len(mail), 1)
        contributor = bill.partner_id.name
        self.assertIn(f"F-2023-014 of {contributor}", mail.subject)
        self.assertIn("1,200.00", mail.subject)
        self.assertIn(f"Bill of {contributor}", mail.body_html)
        self.assertIn("F-2023-014 –", mail.body_html)
        # not Odoo's heading: the model's name and a draft's name
        self.assertNotIn("Journal Entry", mail.body_html)
        self.assertNotIn("Draft Bill", mail.body_html)

    def test_heading_and_subject_in_the_stewards_language(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(
            ["compte_commun_communs"], ["fr_FR"]
        )
        self.steward.partner_id.lang = "fr_FR"
        bill = self._submitted(1200)
        mail = self._mail_to(bill, self.steward.partner_id)
        self.assertIn("Facture F-2023-014 de", mail.subject)
        self.assertIn("1\xa0200,00", mail.subject)
        self.assertIn("Facture de", mail.body_html)
        self.assertNotIn("Bill of", mail.body_html)
        # the contributor, who reads English, reads the decision in English
        self._approve(bill)
        decision = self._mail_to(bill, bill.partner_id)
        self.assertIn(
            "Your bill F-2023-014 ($\xa01,200.00) is approved", decision.subject
        )

    def _migrate(self):
        load_script(MIGRATION, "post_mail_templates").migrate(self.env.cr, "18.0.1.3.0")
        self.env.invalidate_all()

    def _subject(self, template):
        self.env.cr.execute(
            "SELECT subject FROM mail_template WHERE id = %s", [template.id]
        )
        return self.env.cr.fetchone()[0]

    def test_update_renews_the_subject_the_host_kept_in_every_language(self):
        template = self.env.ref(TO_APPROVE)
        new = self._subject(template)["en_US"]
        self.env.cr.execute(
            """UPDATE mail_template
                  SET subject = jsonb_build_object('en_US', %s::text,
                                                   'fr_FR', 'Une facture attend')
                WHERE id = %s""",
            [FORMER_SUBJECT, template.id],
        )
        self._migrate()
        # in English only: the update then loads its translations
        self.assertEqual(self._subject(template), {"en_US": new})

    def test_update_keeps_a_subject_the_host_reworded(self):
        template = self.env.ref(TO_APPROVE)
        template.subject = "Une facture de {{ object.partner_id.name }} attend"
        template.flush_recordset()
        self._migrate()
        self.assertEqual(
            template.subject, "Une facture de {{ object.partner_id.name }} attend"
        )

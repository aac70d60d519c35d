# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import Form, tagged
from odoo.tools.safe_eval import safe_eval

from .common import CommonsCase


@tagged("post_install", "-at_install")
class TestCommonsBackendForms(CommonsCase):
    """The host's accountant drafts allocation instructions, records, submits
    and sends back contributors' bills in the backend, as the web client does
    (odoo.tests.Form runs the same views and onchanges)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.loot = cls._create_resource("Logiciel LOOT", "LOOT")
        cls._donate(cls.loot, 5000, "2023-02-15")
        cls.env = cls.env(user=cls.accountant)

    def _action(self, xmlid):
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        return action, safe_eval(action.get("context") or "{}")

    def _header_buttons(self, form, labels=None):
        """The labels of the form's header buttons it shows now, among
        ``labels`` when given (those of the addon)."""
        eval_context = form._get_eval_context()
        return {
            node.get("string")
            for node in form._view["tree"].xpath("/form/header/button")
            if (labels is None or node.get("string") in labels)
            and not safe_eval(node.get("invisible") or "False", eval_context)
        }

    def _bill_buttons(self, bill):
        return self._header_buttons(
            Form(bill), {"Submit to Stewards", "Send Back", "Approve"}
        )

    def _new_bill_in_form(self, amount, instruction=None):
        """A contributor's bill the accountant records in the vendor bill form:
        once saved, its resource is the one of its lines' analytic accounts and
        the accountant may choose the instruction it consumes."""
        form = Form(
            self.env["account.move"].with_context(default_move_type="in_invoice"),
            view="account.view_move_form",
        )
        form.partner_id = self.contributor.partner_id
        form.invoice_date = "2023-04-10"
        form.ref = "FAC-2023-007"
        with form.invoice_line_ids.new() as line:
            line.name = "Bug fixes"
            line.price_unit = amount
            line.tax_ids.clear()
            line.analytic_distribution = {str(self.loot.analytic_account_id.id): 100}
        bill = form.save()
        form = Form(bill)
        self.assertEqual(form.commons_resource_id, self.loot)
        if instruction:
            form.commons_instruction_id = instruction
        return form

    def test_accountant_drafts_an_instruction_from_the_menu(self):
        action, context = self._action(
            "compte_commun_communs.commons_allocation_instruction_action"
        )
        self.assertIn(
            self.env.ref("compte_commun_communs.commons_funding_out_menu").id,
            self.env["ir.ui.menu"]._visible_menu_ids(),
        )
        # "New" in the action's list opens the form with the action's context
        form = Form(self.env[action["res_model"]].with_context(**context))
        self.assertEqual(form.state, "draft")
        self.assertEqual(self._header_buttons(form), {"Issue", "Cancel"})
        form.name = "Bug fixes 2023"
        form.resource_id = self.loot
        form.contributor_id = self.contributor.partner_id
        form.days = 2
        form.daily_rate = 600
        self.assertEqual(form.amount, 1200)
        form.date_start = "2023-03-01"
        instruction = form.save()
        self.assertEqual(instruction.state, "draft")
        self.assertTrue(instruction.reference.startswith("CONS-"))
        # the accountant cannot issue it: a steward of the resource does
        with self.assertRaisesRegex(AccessError, "Only a steward of Logiciel LOOT"):
            instruction.action_activate()
        self.assertEqual(instruction.state, "draft")
        instruction.with_user(self.steward).sudo().action_activate()
        form = Form(instruction)
        self.assertEqual(form.state, "active")
        self.assertEqual(form.steward_id, self.steward.partner_id)
        self.assertEqual(form.amount_remaining, 1200)
        self.assertEqual(self._header_buttons(form), {"Close", "Cancel"})

    def test_instruction_form_lists_its_bills(self):
        instruction = self._instruction(self.loot, 1500, "2023-03-01")
        bill = self._bill(self.loot, 1000, "2023-04-10", instruction=instruction)
        self.env.invalidate_all()  # as in a new request
        form = Form(instruction)
        self.assertEqual(form.bill_count, 1)
        self.assertEqual(form.amount_consumed, 1000)
        self.assertEqual(form.amount_remaining, 500)
        self.assertEqual(len(form.bill_ids), 1)
        self.assertEqual(instruction.bill_ids, bill)
        # and the contributors' bills of the menu show it
        action, context = self._action(
            "compte_commun_communs.account_move_action_commons_bills"
        )
        ordinary = self.init_invoice(
            "in_invoice", partner=self.partner_a, amounts=[100], post=False
        )
        bills = self.env["account.move"].search(safe_eval(action["domain"]))
        self.assertIn(bill, bills)
        self.assertNotIn(ordinary, bills)
        list_view = self.env["account.move"].get_views(
            [(action["views"][0][0], "list")]
        )["views"]["list"]["arch"]
        self.assertIn('name="commons_status"', list_view)

    def test_accountant_records_and_submits_a_bill(self):
        instruction = self._instruction(self.loot, 1500, "2023-03-01")
        form = self._new_bill_in_form(1000, instruction)
        bill = form.save()
        self.assertEqual(bill.commons_instruction_id, instruction)
        self.assertFalse(bill.commons_bill_state)
        buttons = self._bill_buttons(bill)
        self.assertIn("Submit to Stewards", buttons)
        self.assertNotIn("Send Back", buttons)
        bill.action_commons_submit()
        self.assertEqual(bill.commons_bill_state, "submitted")
        self.assertEqual(bill.commons_submitted_by_id, self.accountant)
        buttons = self._bill_buttons(bill)
        self.assertNotIn("Submit to Stewards", buttons)
        self.assertIn("Send Back", buttons)
        # no approve button in the backend: the stewards approve in the portal
        self.assertFalse(
            Form(bill)._view["tree"].xpath("//button[contains(@name, 'approve')]")
        )
        self._approve(bill)
        form = Form(bill)
        self.assertEqual(form.commons_bill_state, "approved")
        self.assertEqual(len(form.commons_approval_ids), 1)
        self.assertEqual(form.commons_approvals_needed, 1)
        bill.action_post()
        self.assertEqual(bill.state, "posted")

    def test_unapproved_bill_shows_why_it_cannot_be_posted(self):
        bill = self._new_bill_in_form(1000).save()
        form = Form(bill)
        eval_context = form._get_eval_context()
        [alert] = form._view["tree"].xpath("//div[@name='commons_bill_alert']")
        self.assertFalse(safe_eval(alert.get("invisible"), eval_context))
        self.assertIn("Waiting for the stewards of", "".join(alert.itertext()))
        # Confirm is not offered: it would only be refused.
        self.assertTrue(form.hide_post_button)
        bill.action_commons_submit()
        self.assertTrue(Form(bill).hide_post_button)
        self._approve(bill)
        form = Form(bill)
        eval_context = form._get_eval_context()
        self.assertTrue(safe_eval(alert.get("invisible"), eval_context))
        self.assertFalse(form.hide_post_button)

    def test_accountant_sends_a_bill_back_with_a_reason(self):
        bill = self._new_bill_in_form(1000).save()
        bill.action_commons_submit()
        self._approve(bill)
        form = Form(
            self.env["account.move.commons.send.back"].with_context(
                active_model="account.move", active_id=bill.id
            )
        )
        self.assertEqual(form.move_id, bill)
        form.reason = "The bill lacks your SIRET number."
        form.save().action_send_back()
        self.assertEqual(bill.commons_bill_state, "returned")
        self.assertEqual(bill.commons_state_reason, "The bill lacks your SIRET number.")
        self.assertFalse(bill.commons_approval_ids)
        self.assertIn("Submit to Stewards", self._bill_buttons(bill))

    def test_resource_form_shows_carried_over_and_committed(self):
        self._instruction(self.loot, 1500, "2023-03-01")
        form = Form(self.loot.with_context(commons_year=2023))
        self.assertEqual(form.amount_carried_over, 0)
        self.assertEqual(form.amount_funded, 5000)
        self.assertEqual(form.amount_committed, 1500)
        self.assertEqual(form.amount_available, 3500)
        self.assertEqual(len(form.instruction_ids), 1)
        form = Form(self.loot.with_context(commons_year=2024))
        self.assertEqual(form.amount_carried_over, 5000)
        self.assertEqual(form.amount_funded, 0)
        self.assertEqual(form.amount_committed, 1500)
        self.assertEqual(form.amount_available, 3500)
        form.commons_double_approval_amount = 1000
        form.save()
        self.assertEqual(self.loot.commons_double_approval_amount, 1000)

    def test_accountant_toggles_vat_recoverable_in_the_settings(self):
        self.assertFalse(self.company.commons_vat_recoverable)
        form = Form(self.env["commons.settings"])
        form.commons_vat_recoverable = True
        form.save().action_save()
        self.assertTrue(self.company.commons_vat_recoverable)
        form = Form(self.env["commons.settings"])
        self.assertTrue(form.commons_vat_recoverable)
        form.commons_vat_recoverable = False
        form.save().action_save()
        self.assertFalse(self.company.commons_vat_recoverable)

    def test_accountant_adds_a_contributor_then_drafts_their_instruction(self):
        newcomer = self.env["res.partner"].create({"name": "Alex Martin"})
        form = Form(self.env["commons.allocation.instruction"])
        form.resource_id = self.loot
        # the contributor is one of the resource's: the domain says so
        self.assertNotIn(newcomer, form.allowed_contributor_ids)
        self.loot.contributor_ids = [Command.link(newcomer.id)]
        form.resource_id = self.env["commons.resource"]
        form.resource_id = self.loot
        self.assertIn(newcomer, form.allowed_contributor_ids)
        form.contributor_id = newcomer
        form.name = "Translations"
        form.amount = 400
        self.assertEqual(form.save().contributor_id, newcomer)

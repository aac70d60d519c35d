# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The host's accountant's worklist: the contributors' bills open on what
waits, menus list the bills to post and to pay, an activity tells the
accountant when a bill arrives and is done when they did it, and several
bills are paid at once through one payment order."""

from lxml import etree

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, tagged
from odoo.tools.safe_eval import safe_eval

from .common import CommonsCase

POST = "compte_commun_communs.mail_activity_type_commons_bill_post"
PAY = "compte_commun_communs.mail_activity_type_commons_bill_pay"
# A valid IBAN and BIC of the host's bank (the SEPA file carries them).
HOST_IBAN = "FR76 1027 8022 3300 0202 8350 157"
HOST_BIC = "CMCIFR2A"


@tagged("post_install", "-at_install")
class TestCommonsAccountantWorklist(CommonsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.loot = cls._create_resource("Logiciel LOOT", "LOOT")
        cls._donate(cls.loot, 9000, "2023-02-15")
        cls.company.commons_accountant_user_id = cls.accountant
        cls.post_type = cls.env.ref(POST)
        cls.pay_type = cls.env.ref(PAY)

    # -- Helpers --------------------------------------------------------------

    def _submitted(self, amount=1000, contributor=None, **vals):
        bill = self._bill(
            self.loot, amount, "2023-06-01", post=False, contributor=contributor
        )
        if vals:
            bill.write(vals)
        bill.action_commons_submit()
        return bill

    def _approved(self, amount=1000, **vals):
        bill = self._submitted(amount, **vals)
        self._approve(bill)
        return bill

    def _posted(self, amount=1000, **vals):
        bill = self._approved(amount, **vals)
        bill.with_user(self.accountant).action_post()
        return bill

    def _pay(self, bills):
        """Pay the bills with Odoo's wizard, as the accountant does."""
        action = bills.with_user(self.accountant).action_register_payment()
        wizard = Form(
            self.env["account.payment.register"]
            .with_user(self.accountant)
            .with_context(**action["context"])
        )
        wizard.payment_date = "2023-07-01"
        wizard.save().action_create_payments()

    def _end_request(self):
        """What the end of the request that paid a bill does before its
        commit: flush, and run the precommit hooks (the paid bills'
        activities are synced there, all at once)."""
        self.env.cr.flush()

    def _worklist(self, bill):
        """The open activities of the bill, as the accountant reads them:
        [(activity type, assigned user)]."""
        self._end_request()
        bill = bill.with_user(self.accountant)
        bill.invalidate_recordset(["activity_ids"])
        return [
            (activity.activity_type_id, activity.user_id)
            for activity in bill.activity_ids
        ]

    def _done(self, bill, activity_type):
        """Whether the bill's chatter says the activity was marked done."""
        self._end_request()
        return bool(
            bill.sudo().message_ids.filtered(
                lambda message: message.mail_activity_type_id == activity_type
            )
        )

    def _filters(self):
        """The filters of the contributors' bills' search view, as the web
        client reads them: {name: (domain, group_by)}."""
        action = self.env.ref("compte_commun_communs.account_move_action_commons_bills")
        arch = (
            self.env["account.move"]
            .with_user(self.accountant)
            .get_view(action.search_view_id.id, "search")["arch"]
        )
        filters = {}
        for node in etree.fromstring(arch).iter("filter"):
            if not node.get("name", "").startswith("commons_"):
                continue  # Odoo's own, none of which these actions open on
            context = safe_eval(node.get("context") or "{}")
            filters[node.get("name")] = (
                safe_eval(node.get("domain") or "[]"),
                context.get("group_by"),
            )
        return filters

    def _opened(self, xmlid):
        """What the action's list shows when the accountant opens it: its
        domain and its default filters (each in a group of its own), read as
        the web client does; the grouping of its default group-by.

        :return: (bills, group_by or None)
        """
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        context = safe_eval(action.get("context") or "{}")
        filters = self._filters()
        domain = list(safe_eval(action["domain"]))
        group_by = None
        for key, value in context.items():
            if key.startswith("search_default_") and value:
                filter_domain, filter_group_by = filters[key[len("search_default_") :]]
                domain += filter_domain
                group_by = filter_group_by or group_by
        return self.env["account.move"].with_user(self.accountant).search(
            domain
        ), group_by

    # -- The list of contributors' bills --------------------------------------

    def test_bills_open_on_what_waits_and_total_only_it(self):
        waiting = self._submitted(100)
        approved = self._approved(200)
        posted = self._posted(400)
        paid = self._posted(800)
        self._pay(paid)
        rejected = self._submitted(1600).with_user(self.steward).sudo()
        rejected.commons_reject(rejected._get_commons_fingerprint(), "Not ours")
        withdrawn = self._submitted(3200)
        withdrawn.with_user(self.contributor).action_commons_withdraw()
        bills, group_by = self._opened(
            "compte_commun_communs.account_move_action_commons_bills"
        )
        self.assertEqual(bills, waiting | approved | posted)
        self.assertEqual(group_by, "commons_status")
        # the list's groups and its total, as the web client reads them
        domain = safe_eval(
            self.env.ref(
                "compte_commun_communs.account_move_action_commons_bills"
            ).domain
        ) + [("id", "in", bills.ids)]
        groups = (
            self.env["account.move"]
            .with_user(self.accountant)
            .read_group(domain, ["amount_total:sum"], [group_by])
        )
        self.assertEqual(
            {group["commons_status"]: group["amount_total"] for group in groups},
            {"submitted": 100, "approved": 200, "posted": 400},
        )
        self.assertEqual(sum(group["amount_total"] for group in groups), 700)

    def test_filters_and_grouping_of_the_bills(self):
        filters = self._filters()
        for name, statuses in (
            ("commons_approved", ("approved",)),
            ("commons_posted", ("posted", "partial")),
            ("commons_paid", ("in_payment", "paid")),
        ):
            domain = filters[name][0]
            self.assertEqual(domain[0][0], "commons_status")
            self.assertEqual(
                set(domain[0][2] if domain[0][1] == "in" else [domain[0][2]]),
                set(statuses),
                name,
            )
        self.assertEqual(filters["commons_group_by_status"][1], "commons_status")

    def test_menus_open_the_bills_to_post_and_to_pay(self):
        approved = self._approved(200)
        posted = self._posted(400)
        partly_paid = self._posted(800)
        paid = self._posted(300)
        self._pay(paid)
        self.assertEqual(
            self._opened(
                "compte_commun_communs.account_move_action_commons_bills_to_post"
            )[0],
            approved,
        )
        self.assertEqual(
            self._opened(
                "compte_commun_communs.account_move_action_commons_bills_to_pay"
            )[0],
            posted | partly_paid,
        )
        menus = {
            "compte_commun_communs.account_move_menu_commons_bills_to_post": (
                "compte_commun_communs.account_move_action_commons_bills_to_post"
            ),
            "compte_commun_communs.account_move_menu_commons_bills_to_pay": (
                "compte_commun_communs.account_move_action_commons_bills_to_pay"
            ),
            "compte_commun_communs.account_payment_order_menu_commons_outbound": (
                "account_payment_order.account_payment_order_outbound_action"
            ),
        }
        Menu = self.env["ir.ui.menu"]
        visible = Menu.with_user(self.accountant)._visible_menu_ids()
        hidden = Menu.with_user(self.commons_user)._visible_menu_ids()
        for menu_xmlid, action_xmlid in menus.items():
            menu = self.env.ref(menu_xmlid)
            self.assertEqual(menu.action, self.env.ref(action_xmlid))
            self.assertEqual(
                menu.parent_id,
                self.env.ref("compte_commun_communs.commons_funding_out_menu"),
            )
            self.assertIn(menu.id, visible, menu_xmlid)
            self.assertNotIn(menu.id, hidden, menu_xmlid)

    # -- The accountant's activities ------------------------------------------

    def test_approval_post_and_payment_move_the_activities(self):
        bill = self._submitted()
        self.assertEqual(self._worklist(bill), [])
        self._approve(bill)
        self.assertEqual(self._worklist(bill), [(self.post_type, self.accountant)])
        bill.with_user(self.accountant).action_post()
        self.assertTrue(self._done(bill, self.post_type))
        self.assertEqual(self._worklist(bill), [(self.pay_type, self.accountant)])
        self._pay(bill)
        self.assertIn(bill.payment_state, ("in_payment", "paid"))
        self.assertTrue(self._done(bill, self.pay_type))
        self.assertEqual(self._worklist(bill), [])

    def test_the_steward_gains_no_right_by_the_activity(self):
        bill = self._approved()
        activity = bill.with_user(self.accountant).activity_ids
        self.assertEqual(activity.activity_type_id, self.post_type)
        with self.assertRaises(AccessError):
            activity.with_user(self.steward).read(["summary"])
        with self.assertRaises(AccessError):
            self.env["mail.activity"].with_user(self.steward).create(
                {
                    "res_model_id": self.env["ir.model"]._get_id("account.move"),
                    "res_id": bill.id,
                    "activity_type_id": self.post_type.id,
                    "user_id": self.accountant.id,
                }
            )

    def test_a_second_approval_brings_the_activity(self):
        self.loot.commons_double_approval_amount = 500
        bill = self._submitted()
        self._approve(bill)
        self.assertEqual(self._worklist(bill), [])
        self._approve(bill, self.steward2)
        self.assertEqual(self._worklist(bill), [(self.post_type, self.accountant)])

    def test_a_lapsed_approval_removes_the_activity(self):
        bill = self._approved()
        with Form(bill.with_user(self.accountant)) as form:
            with form.invoice_line_ids.edit(0) as line:
                line.price_unit = 1100
        self.assertEqual(bill.commons_bill_state, "submitted")
        self.assertEqual(self._worklist(bill), [])
        self.assertFalse(self._done(bill, self.post_type))

    def test_a_bill_sent_back_leaves_no_activity(self):
        bill = self._approved()
        bill.with_user(self.accountant).commons_send_back("Missing the VAT mention.")
        self.assertEqual(self._worklist(bill), [])
        self.assertFalse(self._done(bill, self.post_type))

    def test_a_bill_reset_to_draft_is_to_post_again(self):
        bill = self._posted()
        bill.with_user(self.accountant).button_draft()
        # its approval holds: it waits to be posted again, not to be paid
        self.assertEqual(bill.commons_status, "approved")
        self.assertEqual(self._worklist(bill), [(self.post_type, self.accountant)])
        self.assertFalse(self._done(bill, self.pay_type))
        bill.with_user(self.accountant).commons_send_back("Wrong date.")
        self.assertEqual(self._worklist(bill), [])

    def test_a_withdrawn_bill_leaves_no_activity(self):
        bill = self._approved()
        with Form(bill.with_user(self.accountant)) as form:
            form.invoice_date = "2023-06-02"
        bill.with_user(self.contributor).action_commons_withdraw()
        self.assertEqual(bill.commons_status, "withdrawn")
        self.assertEqual(self._worklist(bill), [])

    def test_no_accountant_no_activity(self):
        self.company.commons_accountant_user_id = False
        bill = self._approved()
        self.assertEqual(bill.commons_status, "approved")
        self.assertEqual(self._worklist(bill), [])
        bill.with_user(self.accountant).action_post()
        self.assertEqual(self._worklist(bill), [])

    # -- The host's accountant in the Commons settings -------------------------

    def test_settings_set_the_accountant(self):
        self.company.commons_accountant_user_id = False
        form = Form(self.env["commons.settings"].with_user(self.accountant))
        form.commons_accountant_user_id = self.accountant
        form.save()
        self.assertEqual(self.company.commons_accountant_user_id, self.accountant)
        form = Form(self.env["commons.settings"].with_user(self.accountant))
        self.assertEqual(form.commons_accountant_user_id, self.accountant)
        form.commons_accountant_user_id = self.commons_user
        with self.assertRefused(ValidationError, "host's accountant"):
            form.save()
        self.assertEqual(self.company.commons_accountant_user_id, self.accountant)

    # -- Several bills paid at once through a payment order --------------------

    def _sepa_mode(self):
        """A SEPA credit-transfer payment mode on a bank journal of the host
        with its IBAN, for payment orders."""
        journal = self.company_data["default_journal_bank"]
        journal.bank_account_id = self.env["res.partner.bank"].create(
            {
                "acc_number": HOST_IBAN,
                "partner_id": self.company.partner_id.id,
                "bank_id": self.env["res.bank"]
                .create({"name": "Banque des Communs", "bic": HOST_BIC})
                .id,
            }
        )
        method = self.env.ref(
            "account_banking_sepa_credit_transfer.sepa_credit_transfer"
        )
        if method not in journal.outbound_payment_method_line_ids.payment_method_id:
            journal.outbound_payment_method_line_ids = [
                Command.create({"payment_method_id": method.id})
            ]
        return self.env["account.payment.mode"].create(
            {
                "name": "SEPA transfer to contributors",
                "company_id": self.company.id,
                "payment_method_id": method.id,
                "bank_account_link": "fixed",
                "fixed_journal_id": journal.id,
                "payment_order_ok": True,
            }
        )

    def test_pay_several_bills_through_one_payment_order(self):
        mode = self._sepa_mode()
        bills = self._posted(400, payment_mode_id=mode.id, ref="SD-2023-06") | (
            self._posted(600, payment_mode_id=mode.id, ref="SD-2023-07")
        )
        bills |= self._bill(
            self.loot, 300, "2023-06-01", post=False, contributor=self.contributor2
        )
        bills[2].write({"payment_mode_id": mode.id, "ref": "NL-2023-06"})
        bills[2].action_commons_submit()
        self._approve(bills[2])
        bills[2].with_user(self.accountant).action_post()
        self.assertEqual(bills.partner_bank_id.mapped("allow_out_payment"), [True] * 2)
        # the list's button "Pay through a Payment Order"
        arch = (
            self.env["account.move"]
            .with_user(self.accountant)
            .get_view(
                self.env.ref(
                    "compte_commun_communs.account_move_view_list_commons_bills"
                ).id,
                "list",
            )["arch"]
        )
        button = etree.fromstring(arch).xpath(
            "//header/button[@string='Pay through a Payment Order']"
        )[0]
        action = self.env["ir.actions.actions"]._for_xml_id(
            "account_payment_order.account_invoice_create_account_payment_line_action"
        )
        self.assertEqual(int(button.get("name")), action["id"])
        wizard = (
            self.env[action["res_model"]]
            .with_user(self.accountant)
            .with_context(active_model="account.move", active_ids=bills.ids)
            .create({})
        )
        result = wizard.run()
        order = self.env["account.payment.order"].browse(result["res_id"])
        self.assertEqual(order.payment_type, "outbound")
        self.assertEqual(order.payment_mode_id, mode)
        self.assertEqual(order.payment_line_ids.move_line_id.move_id, bills)
        self.assertEqual(sum(order.payment_line_ids.mapped("amount_currency")), 1300)
        self.assertEqual(order.payment_line_ids.partner_bank_id, bills.partner_bank_id)
        # the Pay activities are done once the order is sent to the bank
        order = order.with_user(self.accountant)
        order.draft2open()
        order.open2generated()
        order.generated2uploaded()
        for bill in bills:
            self.assertIn(bill.payment_state, ("in_payment", "paid"))
            self.assertTrue(self._done(bill, self.pay_type))
            self.assertEqual(self._worklist(bill), [])

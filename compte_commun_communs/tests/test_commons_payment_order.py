# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import base64
from decimal import Decimal

from lxml import etree

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged
from odoo.tools import file_open

from .common import CommonsAuditCase

HOST_IBAN = "FR76 3000 6000 0112 3456 7890 189"
HOST_BIC = "AGRIFRPPXXX"
PAIN_XSD = "account_banking_sepa_credit_transfer/data/pain.001.001.03.xsd"


class CommonsPaymentOrderCase(CommonsAuditCase):
    """The host set up its SEPA transfers to contributors in the Commons
    settings; the accountant pays the contributors' posted bills with OCA's
    payment orders."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["commons.settings"].with_user(cls.accountant).create(
            {"commons_sepa_iban": HOST_IBAN, "commons_sepa_bic": HOST_BIC}
        )
        cls.mode = cls.company._get_commons_payment_mode()
        cls.admin = cls._admin_with_accounting()
        cls.admin.groups_id += cls.env.ref(
            "account_payment_order.group_account_payment"
        )
        cls.root = cls.env.ref("base.user_root")

    def _posted_bill(self, amount, ref, contributor=None, post=True):
        """A contributor's bill on LOOT, with its own reference, approved by
        a steward and (with ``post``) posted by the accountant."""
        bill = self._bill(
            self.loot, amount, "2023-06-01", post=False, contributor=contributor
        )
        bill.ref = ref
        bill.action_commons_submit()
        self._approve(bill)
        if post:
            bill.action_post()
        return bill

    def _order_of(self, bills, user=None):
        """The draft order OCA's "Add to Payment Order" puts the bills in."""
        action = bills.with_user(user or self.accountant).create_account_payment_line()
        return self.env["account.payment.order"].browse(action["res_id"])

    def _lapse(self, bill):
        """The bill's approval no longer holds: its resource now needs two
        stewards' approvals above 100, and it has one."""
        self.loot.with_user(self.accountant).commons_double_approval_amount = 100
        self.assertLess(
            len(bill._get_commons_valid_approvals().partner_id),
            bill.commons_approvals_needed,
        )

    def _untrust(self, bank):
        """The host's administrator withdraws the account's confirmation."""
        bank.with_user(self.root).allow_out_payment = False

    def _pain(self, order):
        """The order's SEPA file, parsed, and its namespaces."""
        attachment = self.env["ir.attachment"].search(
            [("res_model", "=", "account.payment.order"), ("res_id", "=", order.id)]
        )
        self.assertEqual(len(attachment), 1)
        root = etree.fromstring(base64.b64decode(attachment.datas))
        return root, {"p": root.nsmap[None]}


@tagged("post_install", "-at_install")
class TestCommonsPaymentSettings(CommonsPaymentOrderCase):
    def test_settings_put_the_iban_on_the_bank_journal(self):
        journal = self.mode.fixed_journal_id
        self.assertEqual(journal.type, "bank")
        self.assertEqual(
            journal.bank_account_id.sanitized_acc_number, HOST_IBAN.replace(" ", "")
        )
        self.assertEqual(journal.bank_account_id.acc_type, "iban")
        self.assertEqual(journal.bank_account_id.partner_id, self.company.partner_id)
        self.assertEqual(journal.bank_account_id.bank_id.bic, HOST_BIC)
        self.assertEqual(self.mode.name, "SEPA transfer to contributors")
        self.assertEqual(
            self.mode.payment_method_id,
            self.env.ref("account_banking_sepa_credit_transfer.sepa_credit_transfer"),
        )
        self.assertEqual(self.mode.bank_account_link, "fixed")
        self.assertTrue(self.mode.payment_order_ok)
        self.assertTrue(self.mode.group_lines)
        self.assertEqual(self.mode.default_target_move, "posted")
        # The settings form shows them as they are.
        form = Form(self.env["commons.settings"].with_user(self.accountant))
        self.assertEqual(form.commons_sepa_iban, HOST_IBAN)
        self.assertEqual(form.commons_sepa_bic, HOST_BIC)
        self.assertEqual(form.commons_payment_mode_id, self.mode)

    def test_settings_change_the_iban(self):
        form = Form(self.env["commons.settings"].with_user(self.accountant))
        form.commons_sepa_iban = "FR7630004000010000000000039"
        form.commons_sepa_bic = "BNPAFRPPXXX"
        form.save()
        self.assertEqual(self.company._get_commons_payment_mode(), self.mode)
        account = self.mode.fixed_journal_id.bank_account_id
        self.assertEqual(account.sanitized_acc_number, "FR7630004000010000000000039")
        self.assertEqual(account.bank_id.bic, "BNPAFRPPXXX")

    def test_settings_refuse_an_invalid_iban_or_bic(self):
        settings = self.env["commons.settings"].with_user(self.accountant)
        with self.assertRefused(
            UserError, "The host's IBAN FR7630006000011234567890188 is not valid"
        ):
            settings.create(
                {
                    "commons_sepa_iban": "FR76 3000 6000 0112 3456 7890 188",
                    "commons_sepa_bic": HOST_BIC,
                }
            )
        with self.assertRefused(
            UserError, "The BIC AGRI of the host's bank is not valid"
        ):
            settings.create(
                {"commons_sepa_iban": HOST_IBAN, "commons_sepa_bic": "AGRI"}
            )
        self.assertEqual(
            self.mode.fixed_journal_id.bank_account_id.sanitized_acc_number,
            HOST_IBAN.replace(" ", ""),
        )

    def test_only_a_commons_manager_sets_it_up(self):
        with self.assertRefused(AccessError, "Only a Commons manager"):
            self.env["commons.settings"].with_user(self.commons_user).create(
                {
                    "commons_sepa_iban": "FR7630004000010000000000039",
                    "commons_sepa_bic": "BNPAFRPPXXX",
                }
            )

    def test_posted_bills_take_the_payment_mode(self):
        bill = self._posted_bill(400, "SD-1")
        self.assertEqual(bill.payment_mode_id, self.mode)
        self.assertEqual(bill.partner_bank_id, self.contributor_bank)
        payable = bill.line_ids.filtered(
            lambda line: line.account_type == "liability_payable"
        )
        self.assertEqual(payable.payment_mode_id, self.mode)

    def test_bills_take_it_whatever_their_partners_mode(self):
        manual = self._manual_mode()
        self.contributor.partner_id.with_company(
            self.company
        ).supplier_payment_mode_id = manual
        bill = self._posted_bill(400, "SD-1", post=False)
        self.assertEqual(bill.payment_mode_id, manual)
        bill.action_post()
        self.assertEqual(bill.payment_mode_id, self.mode)
        self.assertEqual(bill.partner_bank_id, self.contributor_bank)

    def test_bills_posted_before_the_set_up_take_it(self):
        self.company.sudo().commons_payment_mode_id = False
        bill = self._posted_bill(400, "SD-1")
        self.assertFalse(bill.payment_mode_id)
        self.env["commons.settings"].with_user(self.accountant).create(
            {"commons_sepa_iban": HOST_IBAN, "commons_sepa_bic": HOST_BIC}
        )
        mode = self.company._get_commons_payment_mode()
        self.assertTrue(mode)
        self.assertNotEqual(mode, self.mode)
        self.assertEqual(bill.payment_mode_id, mode)
        self.assertEqual(bill.partner_bank_id, self.contributor_bank)

    def _manual_mode(self):
        return self.env["account.payment.mode"].create(
            {
                "name": "Manual",
                "company_id": self.company.id,
                "payment_method_id": self.env.ref(
                    "account.account_payment_method_manual_out"
                ).id,
                "bank_account_link": "variable",
            }
        )

    def test_the_payment_mode_never_moves_the_bank_account(self):
        # Changing the payment mode of a posted bill by its form.
        bill = self._posted_bill(400, "SD-1")
        manual = self._manual_mode()
        with Form(bill.with_user(self.accountant)) as form:
            form.payment_mode_id = manual
        self.assertEqual(bill.payment_mode_id, manual)
        self.assertEqual(bill.partner_bank_id, self.contributor_bank)
        with Form(bill.with_user(self.accountant)) as form:
            form.payment_mode_id = self.env["account.payment.mode"]
        self.assertEqual(bill.partner_bank_id, self.contributor_bank)
        # Changing the partner of an approved bill: its account stays, the
        # approval lapses (the stewards read the partner).
        approved = self._posted_bill(300, "SD-2", post=False)
        with Form(approved.with_user(self.accountant)) as form:
            form.partner_id = self.contributor2.partner_id
        self.assertEqual(approved.partner_bank_id, self.contributor_bank)
        self.assertEqual(approved.commons_bill_state, "submitted")


@tagged("post_install", "-at_install")
class TestCommonsPaymentOrderFile(CommonsPaymentOrderCase):
    def test_one_order_one_transfer_a_contributor_valid_pain(self):
        bill1 = self._posted_bill(400, "SD-2023-06")
        bill2 = self._posted_bill(600, "SD-2023-07")
        bill3 = self._posted_bill(250.5, "NL-2023-01", contributor=self.contributor2)
        order = self._order_of(bill1 | bill2 | bill3)
        self.assertEqual(order.payment_mode_id, self.mode)
        self.assertEqual(len(order.payment_line_ids), 3)
        order.with_user(self.accountant).draft2open()
        self.assertEqual(order.state, "open")
        # One transfer a contributor: Sacha's two bills are one payment.
        self.assertEqual(len(order.payment_ids), 2)
        sacha = order.payment_ids.filtered(
            lambda payment: payment.partner_id == self.contributor.partner_id
        )
        self.assertEqual(sacha.amount, 1000)
        self.assertEqual(sacha.partner_bank_id, self.contributor_bank)
        self.assertEqual(sacha.payment_reference, "SD-2023-06 - SD-2023-07")
        order.with_user(self.accountant).open2generated()
        self.assertEqual(order.state, "generated")
        root, ns = self._pain(order)
        schema = etree.XMLSchema(etree.parse(file_open(PAIN_XSD)))
        schema.assertValid(root)
        self.assertEqual(root.xpath("//p:GrpHdr/p:NbOfTxs", namespaces=ns)[0].text, "2")
        self.assertEqual(
            Decimal(root.xpath("//p:GrpHdr/p:CtrlSum", namespaces=ns)[0].text),
            Decimal("1250.50"),
        )
        self.assertEqual(
            root.xpath("//p:PmtInf/p:DbtrAcct/p:Id/p:IBAN", namespaces=ns)[0].text,
            HOST_IBAN.replace(" ", ""),
        )
        self.assertEqual(
            root.xpath("//p:PmtInf/p:DbtrAgt/p:FinInstnId/p:BIC", namespaces=ns)[
                0
            ].text,
            HOST_BIC,
        )
        transfers = {
            tx.xpath("p:CdtrAcct/p:Id/p:IBAN", namespaces=ns)[0].text: tx
            for tx in root.xpath("//p:CdtTrfTxInf", namespaces=ns)
        }
        self.assertEqual(
            set(transfers),
            {
                self.contributor_bank.sanitized_acc_number,
                self.contributor2_bank.sanitized_acc_number,
            },
        )
        tx = transfers[self.contributor_bank.sanitized_acc_number]
        self.assertEqual(
            Decimal(tx.xpath("p:Amt/p:InstdAmt", namespaces=ns)[0].text),
            Decimal("1000.00"),
        )
        self.assertEqual(
            tx.xpath("p:Amt/p:InstdAmt", namespaces=ns)[0].get("Ccy"),
            bill1.currency_id.name,
        )
        self.assertEqual(tx.xpath("p:Cdtr/p:Nm", namespaces=ns)[0].text, "Sacha Dupont")
        self.assertEqual(
            tx.xpath("p:RmtInf/p:Ustrd", namespaces=ns)[0].text,
            "SD-2023-06 - SD-2023-07",
        )
        self.assertEqual(
            tx.xpath("p:PmtId/p:EndToEndId", namespaces=ns)[0].text, str(sacha.id)
        )
        tx2 = transfers[self.contributor2_bank.sanitized_acc_number]
        self.assertEqual(
            Decimal(tx2.xpath("p:Amt/p:InstdAmt", namespaces=ns)[0].text),
            Decimal("250.50"),
        )
        self.assertEqual(
            tx2.xpath("p:RmtInf/p:Ustrd", namespaces=ns)[0].text, "NL-2023-01"
        )
        # Uploaded: the bills are paid.
        order.with_user(self.accountant).generated2uploaded()
        self.assertEqual(order.state, "uploaded")
        for bill in bill1 | bill2 | bill3:
            self.assertTrue(bill.currency_id.is_zero(bill.amount_residual))
            self.assertIn(bill.commons_status, ("in_payment", "paid"))

    def test_a_sepa_order_in_euros(self):
        """Bills in euros make a SEPA order: its file says so (SvcLvl SEPA)."""
        eur = self.setup_other_currency("EUR")
        self.company.currency_exchange_journal_id = self.company_data[
            "default_journal_misc"
        ]
        bills = self.env["account.move"]
        for amount, ref in ((400, "SD-EUR-1"), (600, "SD-EUR-2")):
            bill = self._bill(self.loot, amount, "2023-06-01", post=False)
            bill.write({"ref": ref, "currency_id": eur.id})
            bill.action_commons_submit()
            self._approve(bill)
            bill.action_post()
            bills |= bill
        order = self._order_of(bills).with_user(self.accountant)
        order.draft2open()
        self.assertTrue(order.sepa)
        self.assertEqual(len(order.payment_ids), 1)
        order.open2generated()
        root, ns = self._pain(order)
        etree.XMLSchema(etree.parse(file_open(PAIN_XSD))).assertValid(root)
        self.assertEqual(
            root.xpath("//p:PmtInf/p:PmtTpInf/p:SvcLvl/p:Cd", namespaces=ns)[0].text,
            "SEPA",
        )
        self.assertEqual(root.xpath("//p:GrpHdr/p:NbOfTxs", namespaces=ns)[0].text, "1")
        self.assertEqual(
            Decimal(root.xpath("//p:GrpHdr/p:CtrlSum", namespaces=ns)[0].text),
            Decimal("1000.00"),
        )
        [amount] = root.xpath("//p:CdtTrfTxInf/p:Amt/p:InstdAmt", namespaces=ns)
        self.assertEqual(
            (amount.get("Ccy"), Decimal(amount.text)), ("EUR", Decimal("1000.00"))
        )
        order.generated2uploaded()
        for bill in bills:
            self.assertTrue(bill.currency_id.is_zero(bill.amount_residual))

    def test_rejected_by_the_bank_reads_unpaid_again(self):
        bill = self._posted_bill(400, "SD-2023-06")
        order = self._order_of(bill)
        order = order.with_user(self.accountant)
        order.draft2open()
        order.open2generated()
        order.generated2uploaded()
        self.assertTrue(bill.currency_id.is_zero(bill.amount_residual))
        # The bank rejects the file: OCA's own "Cancel" sets it back.
        order.action_uploaded_cancel()
        self.assertEqual(order.state, "cancel")
        self.assertEqual(set(order.payment_ids.mapped("state")), {"canceled"})
        self.assertEqual(bill.amount_residual, 400)
        self.assertEqual(bill.payment_state, "not_paid")
        self.assertEqual(bill.commons_status, "posted")
        # And it can be paid again, in a new order.
        order2 = self._order_of(bill)
        self.assertNotEqual(order2, order)
        self.assertEqual(order2.payment_line_ids.amount_currency, 400)

    def test_the_order_checks_its_lines_at_once(self):
        """Its checks read every line's bill together: an order of three
        bills makes as many queries as an order of one."""

        def count(order):
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            order._check_commons_payment_lines()
            return self.env.cr.sql_log_count - before

        one = self._order_of(self._posted_bill(100, "A-1"))
        one.draft2open()
        three = self._order_of(
            self._posted_bill(100, "B-1")
            | self._posted_bill(100, "B-2")
            | self._posted_bill(100, "B-3", contributor=self.contributor2)
        )
        self.assertEqual(len(three.payment_line_ids), 3)
        self.assertEqual(count(three), count(one))


@tagged("post_install", "-at_install")
class TestCommonsPaymentOrderGuards(CommonsPaymentOrderCase):
    """No payment order takes, confirms or files a commons bill that is not
    payable, whoever asks: the accountant or the administrator."""

    def _users(self):
        return (self.accountant, self.admin)

    def test_add_to_order_refuses_a_draft_bill(self):
        bill = self._posted_bill(400, "SD-1", post=False)
        for user in self._users():
            with self.subTest(user=user.login):
                with self.assertRefused(UserError, "is not in Posted state"):
                    self._order_of(bill, user)
                with self.assertRefused(UserError, "is not in Posted state"):
                    self.env["account.invoice.payment.line.multi"].with_user(
                        user
                    ).with_context(
                        active_model="account.move", active_ids=bill.ids
                    ).create({}).run()

    def test_add_to_order_refuses_a_lapsed_approval(self):
        bill = self._posted_bill(400, "SD-1")
        self._lapse(bill)
        for user in self._users():
            with self.subTest(user=user.login):
                with self.assertRefused(
                    UserError, "cannot be posted or paid before a steward"
                ):
                    self._order_of(bill, user)
                with self.assertRefused(
                    UserError, "cannot be posted or paid before a steward"
                ):
                    self.env["account.invoice.payment.line.multi"].with_user(
                        user
                    ).with_context(
                        active_model="account.move", active_ids=bill.ids
                    ).create({}).run()
        self.assertFalse(self.env["account.payment.line"].search([]))

    def test_add_to_order_refuses_an_untrusted_account(self):
        bill = self._posted_bill(400, "SD-1")
        self._untrust(self.contributor_bank)
        for user in self._users():
            with self.subTest(user=user.login):
                with self.assertRefused(UserError, "is not confirmed by the host yet"):
                    self._order_of(bill, user)

    def _empty_order(self, user):
        return (
            self.env["account.payment.order"]
            .with_user(user)
            .create({"payment_mode_id": self.mode.id})
        )

    def _line_create_wizard(self, order, target_move):
        wizard = (
            self.env["account.payment.line.create"]
            .with_user(order.env.user)
            .with_context(active_model="account.payment.order", active_id=order.id)
            .create(
                {
                    "target_move": target_move,
                    "date_type": "move",
                    "filter_date": "2030-01-01",
                }
            )
        )
        wizard.populate()
        return wizard

    def test_create_transactions_wizard_takes_posted_bills_only(self):
        draft = self._posted_bill(300, "SD-DRAFT", post=False)
        posted = self._posted_bill(400, "SD-1")
        for user in self._users():
            with self.subTest(user=user.login):
                order = self._empty_order(user)
                wizard = self._line_create_wizard(order, "all")
                self.assertIn(posted, wizard.move_line_ids.move_id)
                self.assertNotIn(draft, wizard.move_line_ids.move_id)
                # Given the draft bill's item all the same (over RPC):
                wizard.move_line_ids = draft.line_ids.filtered(
                    lambda line: line.account_type == "liability_payable"
                )
                with self.assertRefused(UserError, "SD-DRAFT.* is not posted"):
                    wizard.create_payment_lines()
                self.assertFalse(order.payment_line_ids)

    def test_create_transactions_wizard_refuses_a_lapsed_approval(self):
        bill = self._posted_bill(400, "SD-1")
        self._lapse(bill)
        order = self._empty_order(self.accountant)
        wizard = self._line_create_wizard(order, "posted")
        self.assertIn(bill, wizard.move_line_ids.move_id)
        with self.assertRefused(UserError, "cannot be posted or paid before a steward"):
            wizard.create_payment_lines()

    def _payable(self, bill):
        return bill.line_ids.filtered(
            lambda line: line.account_type == "liability_payable"
        )

    def test_manual_line_in_the_order_form(self):
        self.other_currency = self.setup_other_currency("EUR")
        draft = self._posted_bill(300, "SD-DRAFT", post=False)
        posted = self._posted_bill(400, "SD-1")
        other_bank = (
            self.env["res.partner.bank"]
            .with_user(self.root)
            .create(
                {
                    "acc_number": "FR7630004000010000000000039",
                    "partner_id": self.contributor.partner_id.id,
                    "acc_holder_name": "Sacha Dupont",
                    "allow_out_payment": True,
                }
            )
        )
        for user in self._users():
            with self.subTest(user=user.login):
                order = self._empty_order(user)
                cases = (
                    ({"move_line_id": self._payable(draft)}, "is not posted"),
                    (
                        {
                            "move_line_id": self._payable(posted),
                            "partner_bank_id": other_bank,
                        },
                        "is paid on the bank account its stewards approved",
                    ),
                    (
                        {
                            "move_line_id": self._payable(posted),
                            "partner_id": self.contributor2.partner_id,
                            "partner_bank_id": self.contributor2_bank,
                        },
                        "is paid to its contributor Sacha Dupont, not to Noé Leroy",
                    ),
                    (
                        {"move_line_id": self._payable(posted), "amount_currency": 401},
                        r"has \$\s400\.00 left to pay",
                    ),
                    (
                        {"move_line_id": self._payable(posted), "amount_currency": 0},
                        "pays nothing: enter an amount above zero",
                    ),
                    (
                        {
                            "move_line_id": self._payable(posted),
                            "currency_id": self.other_currency,
                        },
                        "is paid in its own currency, USD",
                    ),
                )
                for values, message in cases:
                    with self.assertRefused(UserError, message):
                        form = Form(order)
                        with form.payment_line_ids.new() as line:
                            for name, value in values.items():
                                setattr(line, name, value)
                            line.communication = line.communication or "SD"
                        form.save()
                    order.invalidate_recordset()
                    self.assertFalse(order.payment_line_ids)
                # The bill as approved goes in.
                form = Form(order)
                with form.payment_line_ids.new() as line:
                    line.move_line_id = self._payable(posted)
                form.save()
                self.assertEqual(
                    order.payment_line_ids.partner_bank_id, self.contributor_bank
                )
                # Twice, it would pay the bill twice.
                with self.assertRefused(UserError, r"has \$\s400\.00 left to pay"):
                    form = Form(order)
                    with form.payment_line_ids.new() as line:
                        line.move_line_id = self._payable(posted)
                    form.save()
                order.unlink()

    def test_no_money_to_an_account_nobody_checked(self):
        """A line with no bill behind it goes to a confirmed bank account of
        its partner only, for any outbound payment order."""
        supplier = self.env["res.partner"].create({"name": "Imprimerie du Nord"})
        untrusted = self.env["res.partner.bank"].create(
            {"acc_number": "FR7630004000010000000000039", "partner_id": supplier.id}
        )
        self.assertFalse(untrusted.allow_out_payment)
        for user in self._users():
            with self.subTest(user=user.login):
                order = self._empty_order(user)
                with self.assertRefused(
                    UserError, "No money goes to a bank account that nobody checked"
                ):
                    form = Form(order)
                    with form.payment_line_ids.new() as line:
                        line.partner_id = supplier
                        line.partner_bank_id = untrusted
                        line.amount_currency = 50
                        line.communication = "Flyers"
                    form.save()
                with self.assertRefused(UserError, "of another contact"):
                    form = Form(order)
                    with form.payment_line_ids.new() as line:
                        line.partner_id = supplier
                        line.partner_bank_id = self.contributor_bank
                        line.amount_currency = 50
                        line.communication = "Flyers"
                    form.save()

    def test_confirmation_checks_every_line_again(self):
        bill = self._posted_bill(400, "SD-1")
        bill2 = self._posted_bill(300, "NL-1", contributor=self.contributor2)
        order = self._order_of(bill | bill2)
        self._untrust(self.contributor2_bank)
        for user in self._users():
            with self.subTest(user=user.login):
                with self.assertRefused(UserError, "is not confirmed by the host yet"):
                    order.with_user(user).draft2open()
                self.assertEqual(order.state, "draft")
                self.assertFalse(order.payment_ids)

    def test_confirmation_refuses_a_lapsed_approval(self):
        bill = self._posted_bill(400, "SD-1")
        order = self._order_of(bill)
        self._lapse(bill)
        for user in self._users():
            with self.subTest(user=user.login):
                with self.assertRefused(
                    UserError, "cannot be posted or paid before a steward"
                ):
                    order.with_user(user).draft2open()
                self.assertFalse(order.payment_ids)

    def test_no_file_for_a_bill_no_longer_payable(self):
        bill = self._posted_bill(400, "SD-1")
        order = self._order_of(bill)
        order.draft2open()
        self._lapse(bill)
        for user in self._users():
            with self.subTest(user=user.login):
                with self.assertRefused(
                    UserError, "cannot be posted or paid before a steward"
                ):
                    order.with_user(user).open2generated()
                self.assertEqual(order.state, "open")
                self.assertFalse(
                    self.env["ir.attachment"].search(
                        [
                            ("res_model", "=", "account.payment.order"),
                            ("res_id", "=", order.id),
                        ]
                    )
                )

    def test_no_upload_for_an_account_no_longer_trusted(self):
        bill = self._posted_bill(400, "SD-1")
        order = self._order_of(bill)
        order.draft2open()
        order.open2generated()
        self._untrust(self.contributor_bank)
        for user in self._users():
            with self.subTest(user=user.login):
                with self.assertRefused(UserError, "is not confirmed by the host yet"):
                    order.with_user(user).generated2uploaded()
                self.assertEqual(order.state, "generated")
                self.assertEqual(bill.amount_residual, 400)

    def test_a_line_keeps_to_its_bill(self):
        """A line of a commons bill written over RPC is checked again."""
        bill = self._posted_bill(400, "SD-1")
        order = self._order_of(bill)
        line = order.payment_line_ids
        for user in self._users():
            with self.subTest(user=user.login):
                with self.assertRefused(UserError, r"has \$\s400\.00 left to pay"):
                    line.with_user(user).amount_currency = 800
                with self.assertRefused(UserError, "not to Noé Leroy"):
                    line.with_user(user).write(
                        {
                            "partner_id": self.contributor2.partner_id.id,
                            "partner_bank_id": self.contributor2_bank.id,
                        }
                    )
        self.assertEqual(line.amount_currency, 400)

# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""A paid bill reads paid, really: its contributor reads in the portal what
paid it (the date, the reference their bank statement shows, the amount) and
what is left, and hears of each payment by email in their language, whatever
recorded it (the payment wizard, an OCA payment order uploaded, a
reconciliation); a payment undone, or an order set back, makes the bill
unpaid again."""

import re

from lxml import html

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import Form, HttpCase, tagged

from .common import CommonsCase

SEPA_METHOD = "account_banking_sepa_credit_transfer.sepa_credit_transfer"


def squash(text):
    """The text as read: its spaces and line breaks one space (a no-break
    space of an amount stays)."""
    return re.sub(r"[ \t\r\n]+", " ", text).strip()


class CommonsPaidCase(CommonsCase):
    """LOOT, funded, and the host's SEPA payment order set up with OCA's own
    records: a bank journal with the host's IBAN and BIC, and a payment mode
    "SEPA transfer to contributors" that the contributors' bills take."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.loot = cls._create_resource("Logiciel LOOT", "LOOT")
        cls._donate(cls.loot, 5000, "2023-02-15")
        root = cls.env.ref("base.user_root")
        bank = cls.env["res.bank"].create(
            {"name": "Crédit Coopératif", "bic": "CCOPFRPPXXX"}
        )
        host_account = (
            cls.env["res.partner.bank"]
            .with_user(root)
            .create(
                {
                    "acc_number": "FR76 4255 9100 0008 0012 3456 789",
                    "bank_id": bank.id,
                    "partner_id": cls.company.partner_id.id,
                    "company_id": cls.company.id,
                }
            )
        )
        cls.sepa_journal = cls.env["account.journal"].create(
            {
                "name": "Crédit Coopératif",
                "code": "CCOOP",
                "type": "bank",
                "company_id": cls.company.id,
                "bank_account_id": host_account.id,
                "outbound_payment_method_line_ids": [
                    Command.create(
                        {
                            "payment_method_id": cls.env.ref(SEPA_METHOD).id,
                            "payment_account_id": cls.env.ref(
                                f"account.{cls.company.id}_account_journal_payment_credit_account_id"
                            ).id,
                        }
                    )
                ],
            }
        )
        cls.payment_mode = cls.env["account.payment.mode"].create(
            {
                "name": "SEPA transfer to contributors",
                "company_id": cls.company.id,
                "payment_method_id": cls.env.ref(SEPA_METHOD).id,
                "bank_account_link": "fixed",
                "fixed_journal_id": cls.sepa_journal.id,
                "payment_order_ok": True,
            }
        )
        cls.contributor.partner_id.with_company(
            cls.company
        ).supplier_payment_mode_id = cls.payment_mode

    # -- Helpers --------------------------------------------------------------

    def _posted_bill(self, amount=1000, ref="F-2023-014", contributor=None):
        """An approved, posted bill of the contributor, on their trusted
        account."""
        bill = self._bill(
            self.loot, amount, "2023-06-01", post=False, contributor=contributor
        )
        bill.ref = ref
        bill.action_commons_submit()
        self._approve(bill)
        bill.with_user(self.accountant).action_post()
        self.assertEqual(bill.commons_status, "posted")
        return bill

    def _pay(self, bill, amount=None, date="2023-07-01"):
        """Pay the bill as the accountant does, with Odoo's payment wizard:
        all of it, or ``amount``, keeping the rest open."""
        action = bill.with_user(self.accountant).action_register_payment()
        wizard = Form(
            self.env["account.payment.register"]
            .with_user(self.accountant)
            .with_context(**action["context"])
        )
        wizard.payment_date = date
        if amount is not None:
            wizard.amount = amount
        wizard.save().action_create_payments()
        return bill.matched_payment_ids.sorted("id")[-1:]

    def _paid_mails(self, bill):
        return (
            self.env["mail.mail"]
            .sudo()
            .search(
                [("model", "=", "account.move"), ("res_id", "=", bill.id)],
                order="id",
            )
            .filtered(
                lambda mail: any(
                    word in mail.subject for word in ("paid", "payé", "cancelled")
                )
            )
        )

    def _order(self, bills):
        """What the accountant does with OCA's payment order: add the bills,
        confirm the order, generate its file, mark it uploaded."""
        action = bills.with_user(self.accountant).create_account_payment_line()
        order = self.env["account.payment.order"].browse(action["res_id"])
        order = order.with_user(self.accountant)
        order.draft2open()
        order.open2generated()
        order.generated2uploaded()
        self.assertEqual(order.state, "uploaded")
        return order


@tagged("post_install", "-at_install")
class TestCommonsBillPaid(CommonsPaidCase):
    def test_paid_in_two_parts_reads_what_is_left(self):
        bill = self._posted_bill(1000)
        first = self._pay(bill, 400, "2023-07-01")
        self.assertEqual(bill.commons_status, "partial")
        [info] = bill._get_commons_payments_info()
        self.assertEqual(info["date"], fields.Date.to_date("2023-07-01"))
        self.assertAlmostEqual(info["amount"], 400)
        self.assertEqual(info["reference"], "F-2023-014")
        self.assertEqual(info["name"], first.name)
        self.assertEqual(info["kind"], "payment")
        self.assertEqual(info["currency"], bill.currency_id)
        second = self._pay(bill, None, "2023-07-15")
        self.assertEqual(bill.commons_status, "paid")
        infos = bill._get_commons_payments_info()
        self.assertEqual([i["name"] for i in infos], [first.name, second.name])
        self.assertEqual([i["amount"] for i in infos], [400, 600])

    def test_each_payment_is_announced_with_its_amount_and_what_is_left(self):
        bill = self._posted_bill(1000)
        self._pay(bill, 400, "2023-07-01")
        mail = self._paid_mails(bill)
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.recipient_ids, self.contributor.partner_id)
        self.assertIn("Your bill F-2023-014: $\xa0400.00 paid", mail.subject)
        body = squash(html.fromstring(mail.body_html).text_content())
        self.assertIn("paid on 07/01/2023, $\xa0400.00, reference F-2023-014", body)
        self.assertIn("$\xa0600.00 is left to pay", body)
        self._pay(bill, None, "2023-07-15")
        mails = self._paid_mails(bill)
        self.assertEqual(len(mails), 2)
        last = mails[-1]
        self.assertIn("$\xa0600.00 paid", last.subject)
        body = squash(html.fromstring(last.body_html).text_content())
        self.assertIn("paid on 07/15/2023", body)
        self.assertIn("The bill is now paid in full.", body)
        self.assertNotIn("left to pay", body)

    def test_email_in_the_contributors_language(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(
            ["compte_commun_communs"], ["fr_FR"]
        )
        self.contributor.partner_id.lang = "fr_FR"
        bill = self._posted_bill(1200)
        self._pay(bill, 700, "2023-07-01")
        mail = self._paid_mails(bill)
        self.assertEqual(len(mail), 1)
        # French amounts and dates, under the bill's French heading.
        self.assertIn("$\xa0700,00", mail.subject)
        body = squash(html.fromstring(mail.body_html).text_content())
        self.assertIn("01/07/2023", body)
        self.assertIn("$\xa0500,00", body)
        self.assertIn("Facture de", body)
        self.assertNotIn("Bill of", body)

    def test_one_email_per_reconciliation_not_per_record(self):
        """A bill due in two instalments is paid in full by one payment: two
        reconciliation records, one email."""
        term = self.env["account.payment.term"].create(
            {
                "name": "Half now, half in a month",
                "line_ids": [
                    Command.create(
                        {"value": "percent", "value_amount": 50, "nb_days": 0}
                    ),
                    Command.create(
                        {"value": "percent", "value_amount": 50, "nb_days": 30}
                    ),
                ],
            }
        )
        bill = self._bill(self.loot, 1000, "2023-06-01", post=False)
        bill.write({"ref": "F-2023-020", "invoice_payment_term_id": term.id})
        bill.action_commons_submit()
        self._approve(bill)
        bill.with_user(self.accountant).action_post()
        self.assertEqual(
            len(
                bill.line_ids.filtered(lambda line: line.display_type == "payment_term")
            ),
            2,
        )
        self._pay(bill, 1000)
        self.assertEqual(bill.commons_status, "paid")
        mail = self._paid_mails(bill)
        self.assertEqual(len(mail), 1)
        self.assertIn("$\xa01,000.00 paid", mail.subject)

    def test_bills_paid_at_once_each_announced_to_its_contributor(self):
        bill = self._posted_bill(300, ref="F-2023-040")
        other = self._posted_bill(200, ref="N-2023-007", contributor=self.contributor2)
        action = (bill | other).with_user(self.accountant).action_register_payment()
        wizard = Form(
            self.env["account.payment.register"]
            .with_user(self.accountant)
            .with_context(**action["context"])
        )
        wizard.payment_date = "2023-07-01"
        wizard.save().action_create_payments()
        for paid, partner, amount in (
            (bill, self.contributor.partner_id, "$\xa0300.00"),
            (other, self.contributor2.partner_id, "$\xa0200.00"),
        ):
            mail = self._paid_mails(paid)
            self.assertEqual(len(mail), 1)
            self.assertEqual(mail.recipient_ids, partner)
            self.assertIn(f"Your bill {paid.ref}: {amount} paid", mail.subject)
            self.assertIn(f"reference {paid.ref}", squash(mail.body_html))

    def test_reconciled_over_rpc_is_announced(self):
        bill = self._posted_bill(500, ref="F-2023-030")
        payment = (
            self.env["account.payment"]
            .with_user(self.accountant)
            .create(
                {
                    "payment_type": "outbound",
                    "partner_type": "supplier",
                    "partner_id": self.contributor.partner_id.id,
                    "partner_bank_id": bill.partner_bank_id.id,
                    "amount": 500,
                    "date": "2023-08-01",
                    "memo": "Virement F-2023-030",
                    "journal_id": self.company_data["default_journal_bank"].id,
                }
            )
        )
        payment.action_post()
        self.assertFalse(self._paid_mails(bill))
        (payment.move_id.line_ids | bill.line_ids).filtered(
            lambda line: line.account_type == "liability_payable"
        ).with_user(self.accountant).reconcile()
        self.assertEqual(bill.commons_status, "paid")
        mail = self._paid_mails(bill)
        self.assertEqual(len(mail), 1)
        self.assertIn("reference Virement F-2023-030", mail.body_html)

    def test_unreconciled_or_reset_to_draft_reads_unpaid_again(self):
        bill = self._posted_bill(1000)
        self._pay(bill, 400)
        payment = self._pay(bill)
        self.assertEqual(bill.commons_status, "paid")
        mails = self._paid_mails(bill)
        # The second payment reset to draft: partly paid again.
        payment.with_user(self.accountant).action_draft()
        self.assertEqual(bill.commons_status, "partial")
        self.assertEqual(len(bill._get_commons_payments_info()), 1)
        self.assertEqual(bill._get_commons_portal_status()["code"], "partial")
        # The first one unreconciled: unpaid.
        bill.line_ids.filtered(
            lambda line: line.account_type == "liability_payable"
        ).with_user(self.accountant).remove_move_reconcile()
        self.assertEqual(bill.commons_status, "posted")
        self.assertEqual(bill._get_commons_payments_info(), [])
        self.assertEqual(bill._get_commons_portal_status()["code"], "posted")
        # The contributor, told of both payments, is told of each undone.
        cancelled = self._paid_mails(bill) - mails
        self.assertEqual(len(cancelled), 2)
        self.assertEqual(
            [squash(mail.subject).split(": ", 1)[1] for mail in cancelled],
            [
                "the payment of $\xa0600.00 is cancelled",
                "the payment of $\xa0400.00 is cancelled",
            ],
        )
        body = squash(html.fromstring(cancelled[-1].body_html).text_content())
        self.assertIn("paid on 07/01/2023, $\xa0400.00, reference F-2023-014", body)
        self.assertIn("$\xa01,000.00 is left to pay on the bill", body)

    def test_credit_note_is_listed_as_such(self):
        bill = self._posted_bill(1000)
        reversal = (
            self.env["account.move.reversal"]
            .with_user(self.accountant)
            .with_context(active_model="account.move", active_ids=bill.ids)
            .create({"journal_id": bill.journal_id.id, "reason": "Double"})
        )
        reversal.refund_moves()
        note = bill.reversal_move_ids
        note.action_commons_submit()
        self._approve(note)
        note.with_user(self.accountant).action_post()
        (note.line_ids | bill.line_ids).filtered(
            lambda line: line.account_type == "liability_payable"
            and not line.reconciled
        ).with_user(self.accountant).reconcile()
        [info] = bill._get_commons_payments_info()
        self.assertEqual(info["kind"], "credit_note")
        self.assertEqual(info["name"], note.name)
        self.assertAlmostEqual(info["amount"], 1000)
        # Not money: no email.
        self.assertFalse(self._paid_mails(bill))

    def test_payments_of_a_page_of_bills_read_at_once(self):
        bills = self.env["account.move"]
        for index in range(5):
            bill = self._posted_bill(100 + index, ref=f"F-Q-{index}")
            self._pay(bill, 50)
            self._pay(bill)
            bills |= bill
        counts = []
        for page in (bills[:1], bills):
            self.env.invalidate_all()
            page = page.with_user(self.accountant)
            before = self.cr.sql_log_count
            payments = page._get_commons_payments_by_bill()
            counts.append(self.cr.sql_log_count - before)
            self.assertEqual({len(infos) for infos in payments.values()}, {2})
        self.assertEqual(counts[0], counts[1], counts)


@tagged("post_install", "-at_install")
class TestCommonsBillPaidOrder(CommonsPaidCase):
    """Paid through OCA's payment order: the bill reads in payment once the
    order is uploaded, its contributor hears of it with the reference the
    transfer carries; the order set back makes it unpaid again."""

    def test_order_uploaded_pays_and_set_back_unpays(self):
        bill = self._posted_bill(1000)
        self.assertEqual(bill.payment_mode_id, self.payment_mode)
        order = self._order(bill)
        self.assertEqual(bill.commons_status, "in_payment")
        self.assertEqual(bill._get_commons_portal_status()["code"], "paid")
        [info] = bill._get_commons_payments_info()
        payment = order.payment_ids
        self.assertEqual(info["name"], payment.name)
        # What the transfer carries: the bill's communication; the order's
        # name is the payment's memo.
        self.assertEqual(info["reference"], "F-2023-014")
        self.assertEqual(payment.memo, order.name)
        mail = self._paid_mails(bill)
        self.assertEqual(len(mail), 1)
        self.assertIn("$\xa01,000.00 paid", mail.subject)
        self.assertIn("reference F-2023-014", squash(mail.body_html))
        # The bank rejected the file: the order is set back, with OCA's flow.
        order.action_uploaded_cancel()
        self.assertEqual(order.state, "cancel")
        self.assertEqual(bill.commons_status, "posted")
        self.assertEqual(bill._get_commons_payments_info(), [])
        # The contributor waits for that money: they are told.
        cancelled = self._paid_mails(bill) - mail
        self.assertEqual(len(cancelled), 1)
        self.assertIn("the payment of $\xa01,000.00 is cancelled", cancelled.subject)
        self.assertIn("reference F-2023-014", squash(cancelled.body_html))


@tagged("post_install", "-at_install")
class TestCommonsBillPaidPortal(CommonsPaidCase, HttpCase):
    def _page(self, url):
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        return html.fromstring(response.text)

    def _texts(self, page, css_class):
        return [
            squash(node.text_content())
            for node in page.xpath(
                f"//*[contains(concat(' ', @class, ' '), ' {css_class} ')]"
            )
        ]

    def test_contributor_reads_each_payment_and_what_is_left(self):
        bill = self._posted_bill(1000)
        first = self._pay(bill, 400, "2023-07-01")
        self.authenticate("commons_contributor", "commons_contributor")
        page = self._page(f"/my/commons/bills/{bill.id}")
        [status] = page.xpath("//*[contains(@class, 'o_commons_bill_status')]")
        self.assertEqual(status.get("data-status"), "partial")
        self.assertEqual(status.text_content().strip(), "Partly paid")
        [row] = page.xpath("//tr[contains(@class, 'o_commons_bill_payment')]")
        row_text = squash(row.text_content())
        self.assertIn("07/01/2023", row_text)
        self.assertIn("F-2023-014", row_text)
        self.assertIn(first.name, row_text)
        self.assertIn("$\xa0400.00", row_text)
        self.assertEqual(
            self._texts(page, "o_commons_bill_paid_total"), ["$\xa0400.00"]
        )
        self.assertEqual(self._texts(page, "o_commons_bill_left"), ["$\xa0600.00"])
        # The list says it too.
        page = self._page("/my/commons/bills")
        [payment] = self._texts(page, "o_commons_bill_payment")
        self.assertEqual(
            payment, "Paid on 07/01/2023, $\xa0400.00, reference F-2023-014"
        )
        self.assertEqual(
            self._texts(page, "o_commons_bill_left"), ["$\xa0600.00 left to pay"]
        )
        # Paid in full.
        self._pay(bill, None, "2023-07-15")
        page = self._page(f"/my/commons/bills/{bill.id}")
        [status] = page.xpath("//*[contains(@class, 'o_commons_bill_status')]")
        self.assertEqual(status.get("data-status"), "paid")
        dates = [
            squash(node.text_content())
            for node in page.xpath(
                "//td[contains(@class, 'o_commons_bill_payment_date')]"
            )
        ]
        self.assertEqual(dates, ["07/01/2023", "07/15/2023"])
        self.assertEqual(
            self._texts(page, "o_commons_bill_paid_total"), ["$\xa01,000.00"]
        )
        self.assertEqual(self._texts(page, "o_commons_bill_left"), ["$\xa00.00"])
        page = self._page("/my/commons/bills")
        self.assertEqual(len(self._texts(page, "o_commons_bill_payment")), 2)
        self.assertFalse(self._texts(page, "o_commons_bill_left"))

    def test_order_in_payment_reads_paid_in_the_portal(self):
        # Its money is sent: the contributor reads it paid, with the date and
        # the reference of the transfer (Odoo's portal reads it paid too).
        bill = self._posted_bill(1000)
        self._order(bill)
        self.authenticate("commons_contributor", "commons_contributor")
        page = self._page(f"/my/commons/bills/{bill.id}")
        [status] = page.xpath("//*[contains(@class, 'o_commons_bill_status')]")
        self.assertEqual(status.get("data-status"), "paid")
        self.assertEqual(status.text_content().strip(), "Paid")
        self.assertEqual(
            self._texts(page, "o_commons_bill_payment_reference"), ["F-2023-014"]
        )

    def _paid_state(self, page, bill):
        card = f"//*[@id='commons_bill_{bill.id}']"
        return page.xpath(f"{card}//*[contains(@class, 'o_commons_bill_paid_state')]")

    def test_stewards_read_the_bill_paid(self):
        bill = self._posted_bill(1000)
        self._pay(bill, 400, "2023-07-01")
        self.authenticate("commons_steward", "commons_steward")
        page = self._page("/my/commons?filterby=approved")
        [state] = self._paid_state(page, bill)
        self.assertEqual(state.get("data-status"), "partial")
        self.assertEqual(
            squash(state.text_content()),
            "partly paid on 07/01/2023, $\xa0600.00 left to pay",
        )
        [decision] = page.xpath(
            f"//*[@id='commons_bill_{bill.id}']"
            "//*[contains(@class, 'o_commons_bill_decision')]"
        )
        self.assertTrue(
            squash(decision.text_content()).startswith(
                "Approved, partly paid on 07/01/2023"
            ),
            decision.text_content(),
        )
        self._pay(bill, None, "2023-07-15")
        page = self._page("/my/commons?filterby=approved")
        [state] = self._paid_state(page, bill)
        self.assertEqual(squash(state.text_content()), "paid on 07/15/2023")

    def test_nobody_else_reads_the_payments(self):
        bill = self._posted_bill(1000)
        payment = self._pay(bill, 400, "2023-07-01")
        # Over HTTP: another contributor of the same resource.
        self.authenticate("commons_contributor2", "commons_contributor2")
        response = self.url_open(f"/my/commons/bills/{bill.id}")
        self.assertNotIn("F-2023-014", response.text)
        self.assertNotIn(payment.name, response.text)
        response = self.url_open("/my/commons/bills")
        self.assertNotIn(payment.name, response.text)
        self.assertNotIn("F-2023-014", response.text)
        # Over RPC: neither the bill's payments widget, nor the payment,
        # nor the reconciliation records.
        other = self.contributor2
        with self.assertRaises(AccessError):
            bill.with_user(other).read(["invoice_payments_widget"])
        with self.assertRaises(AccessError):
            payment.with_user(other).read(["payment_reference", "memo", "amount"])
        with self.assertRaises(AccessError):
            self.env["account.payment"].with_user(other).search_read([], ["name"])
        with self.assertRaises(AccessError):
            self.env["account.partial.reconcile"].with_user(other).search_read(
                [], ["amount"]
            )

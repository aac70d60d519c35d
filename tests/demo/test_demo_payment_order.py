"""The demo's week of payments: as the host's accountant, over JSON-RPC, the
SEPA payment order of Sacha's June bill is uploaded, and its file is a
pain.001 from the host's IBAN to Sacha's confirmed one, for the bill's
amount; Sacha reads the bill paid in his portal, with the transfer's date and
reference."""

import base64
from decimal import Decimal

from demo_common import DemoRpcMixin
from lxml import etree, html

from odoo.tests import HttpCase, tagged
from odoo.tools import file_open

PAIN_XSD = "account_banking_sepa_credit_transfer/data/pain.001.001.03.xsd"


@tagged("post_install", "-at_install")
class TestDemoPaymentOrder(DemoRpcMixin, HttpCase):
    def _result(self, response):
        self.assertNotIn("error", response, response)
        return response["result"]

    def test_sachas_bill_is_paid_by_a_sepa_order(self):
        june = self._ref("account_move_loot_bill_june_2023_demo")
        order = self._ref("account_payment_order_loot_june_2023_demo")
        sacha_bank = self._ref("res_partner_bank_loot_contributor_demo")
        [read] = self._result(
            self._call_kw(
                "accountant",
                "account.payment.order",
                "read",
                [order.ids, ["state", "payment_mode_id", "payment_line_ids"]],
            )
        )
        self.assertEqual(read["state"], "uploaded")
        mode = order.company_id._get_commons_payment_mode()
        self.assertEqual(read["payment_mode_id"][0], mode.id)
        self.assertEqual(
            mode.fixed_journal_id.bank_account_id.sanitized_acc_number,
            "FR7630004000010000000000039",
        )
        [line] = self._result(
            self._call_kw(
                "accountant",
                "account.payment.line",
                "read",
                [read["payment_line_ids"], ["move_line_id", "partner_bank_id"]],
            )
        )
        self.assertIn(line["move_line_id"][0], june.line_ids.ids)
        self.assertEqual(line["partner_bank_id"][0], sacha_bank.id)
        [attachment] = self._result(
            self._call_kw(
                "accountant",
                "ir.attachment",
                "search_read",
                [
                    [
                        ("res_model", "=", "account.payment.order"),
                        ("res_id", "=", order.id),
                    ],
                    ["name", "datas"],
                ],
            )
        )
        root = etree.fromstring(base64.b64decode(attachment["datas"]))
        etree.XMLSchema(etree.parse(file_open(PAIN_XSD))).assertValid(root)
        ns = {"p": root.nsmap[None]}
        [tx] = root.xpath("//p:CdtTrfTxInf", namespaces=ns)
        self.assertEqual(
            tx.xpath("p:CdtrAcct/p:Id/p:IBAN", namespaces=ns)[0].text,
            sacha_bank.sanitized_acc_number,
        )
        self.assertEqual(
            Decimal(tx.xpath("p:Amt/p:InstdAmt", namespaces=ns)[0].text),
            Decimal("1200.00"),
        )
        self.assertEqual(
            tx.xpath("p:RmtInf/p:Ustrd", namespaces=ns)[0].text, "SD-2023-07"
        )
        self.assertEqual(
            root.xpath("//p:DbtrAcct/p:Id/p:IBAN", namespaces=ns)[0].text,
            "FR7630004000010000000000039",
        )
        self.assertEqual(
            root.xpath("//p:DbtrAgt/p:FinInstnId/p:BIC", namespaces=ns)[0].text,
            "BNPAFRPPXXX",
        )
        # The bill reads paid.
        [bill] = self._result(
            self._call_kw(
                "accountant",
                "account.move",
                "read",
                [june.ids, ["payment_state", "amount_residual", "commons_status"]],
            )
        )
        self.assertIn(bill["payment_state"], ("in_payment", "paid"))
        self.assertAlmostEqual(bill["amount_residual"], 0)
        self.assertIn(bill["commons_status"], ("in_payment", "paid"))

    def test_sacha_reads_his_bill_paid_in_his_portal(self):
        june = self._ref("account_move_loot_bill_june_2023_demo")
        order = self._ref("account_payment_order_loot_june_2023_demo")
        self.authenticate("contributor", "contributor")
        response = self.url_open(f"/my/commons/bills/{june.id}")
        self.assertEqual(response.status_code, 200)
        page = html.fromstring(response.content)
        [status] = page.xpath("//*[contains(@class, 'o_commons_bill_status')]")
        # Sacha reads French.
        self.assertEqual(status.get("data-status"), "paid")
        self.assertEqual(status.text_content().strip(), "Payée")
        [payment] = page.xpath("//tr[contains(@class, 'o_commons_bill_payment')]")
        self.assertEqual(
            payment.xpath(".//*[contains(@class, 'o_commons_bill_payment_date')]")[0]
            .text_content()
            .strip(),
            order.date_uploaded.strftime("%d/%m/%Y"),
        )
        self.assertIn(
            "SD-2023-07",
            payment.xpath(".//*[contains(@class, 'o_commons_bill_payment_reference')]")[
                0
            ].text_content(),
        )
        # In French, in the demo company's currency (the generic chart's here).
        amount = payment.xpath(
            ".//*[contains(@class, 'o_commons_bill_payment_amount')]"
        )[0].text_content()
        self.assertIn("1200,00", "".join(amount.split()))

# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from contextlib import contextmanager

from odoo import Command

from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.addons.base.tests.common import DISABLED_MAIL_CONTEXT
from odoo.addons.mail.tests.common import mail_new_test_user

# A blank signature image, for the tax receipts.
SIGNATURE_PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/5+hHgAHggJ/"
    "PchI7wAAAABJRU5ErkJggg=="
)

# The host's accountant: Accounting / Payments is OCA's payment orders' group,
# which also holds the right to edit bank accounts (base's partner managers lose it).
MANAGER_GROUPS = (
    "base.group_user,base.group_partner_manager,account.group_account_manager,"
    "account_payment_order.group_account_payment,"
    "compte_commun_communs.compte_commun_communs_group_manager"
)


class CommonsCase(AccountTestInvoicingCommon):
    """A host company with a chart of accounts, a donation product and payment
    method, the host's accountant, a read-only commons user and a portal user."""

    @classmethod
    def get_default_groups(cls):
        # The test user records bank accounts, which OCA's payment orders give
        # to their Accounting / Payments group only.
        return super().get_default_groups() | cls.env.ref(
            "account_payment_order.group_account_payment"
        )

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, **DISABLED_MAIL_CONTEXT))
        cls.company = cls.company_data["company"]
        # The test environment's user (the accounting tests' own) sets data up.
        cls.env.user.groups_id += cls.env.ref(
            "compte_commun_communs.compte_commun_communs_group_manager"
        )
        cls.accountant = mail_new_test_user(
            cls.env,
            login="commons_accountant",
            groups=MANAGER_GROUPS,
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.commons_user = mail_new_test_user(
            cls.env,
            login="commons_user",
            groups="base.group_user,compte_commun_communs.compte_commun_communs_group_user",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.portal_user = mail_new_test_user(
            cls.env, login="commons_portal", groups="base.group_portal"
        )
        # The people of a resource use the portal: two stewards (so that one
        # may need the other) and two contributors.
        cls.steward, cls.steward2, cls.contributor, cls.contributor2 = (
            mail_new_test_user(
                cls.env,
                login=login,
                name=name,
                email=f"{login}@example.org",
                groups="base.group_portal",
            )
            for login, name in (
                ("commons_steward", "Camille Martin"),
                ("commons_steward2", "Lou Bernard"),
                ("commons_contributor", "Sacha Dupont"),
                ("commons_contributor2", "Noé Leroy"),
            )
        )
        # Each contributor is paid on their own bank account, which the host's
        # administrator confirmed (Send Money).
        cls.contributor_bank, cls.contributor2_bank = (
            cls.env["res.partner.bank"]
            .with_user(cls.env.ref("base.user_root"))
            .create(
                [
                    {
                        "acc_number": number,
                        "acc_holder_name": user.name,
                        "partner_id": user.partner_id.id,
                        "allow_out_payment": True,
                    }
                    for user, number in (
                        (cls.contributor, "FR76 3000 4000 0100 0123 4567 830"),
                        (cls.contributor2, "FR76 3000 4000 0100 0876 5432 102"),
                    )
                ]
            )
        )
        cls.donation_product = cls.env["product.product"].create(
            {
                "name": "Earmarked donation",
                "type": "service",
                "donation_type": "donation",
                "tax_receipt_ok": True,
                "taxes_id": [Command.set([])],
                "company_id": cls.company.id,
                "property_account_income_id": cls.company_data[
                    "default_account_revenue"
                ].id,
            }
        )
        cls.donation_method = cls.env["account.payment.method.line"].create(
            {
                "name": "Donation transfer",
                "journal_id": cls.company_data["default_journal_bank"].id,
                "payment_method_id": cls.env.ref(
                    "account.account_payment_method_manual_in"
                ).id,
                "payment_account_id": cls.env.ref(
                    f"account.{cls.company.id}_account_journal_payment_debit_account_id"
                ).id,
                "donation": True,
            }
        )
        income_accounts = cls.env["account.account"].create(
            [
                {
                    "code": code,
                    "name": name,
                    "account_type": "income",
                    "company_ids": [Command.set(cls.company.ids)],
                }
                for code, name in (
                    ("741000", "Operating grants"),
                    ("758200", "Donations received"),
                    ("706100", "Sponsorships"),
                    ("708800", "Host fees"),
                )
            ]
        )
        cls.grant_account, cls.gift_account, cls.sponsorship_account = income_accounts[
            :3
        ]
        cls.fee_account = income_accounts[3]
        cls.company.write(
            {
                "commons_grant_account_id": cls.grant_account.id,
                "commons_gift_account_id": cls.gift_account.id,
                "commons_sponsorship_account_id": cls.sponsorship_account.id,
                "commons_fee_account_id": cls.fee_account.id,
            }
        )
        # The host's legal identity, which its tax receipts print.
        cls.company.write(
            {
                "street": "12 rue des Communs",
                "zip": "59000",
                "city": "Lille",
                "commons_rna": "W595000001",
                "commons_object": "Héberger les fonds des communs",
                "commons_organisation_kind": "general_interest_association",
                "commons_receipt_signatory_name": "Camille Dupré",
                "commons_receipt_signatory_function": "Présidente",
                "commons_receipt_signature": SIGNATURE_PNG,
            }
        )
        cls.donation_method.commons_receipt_payment_mode = "transfer"
        cls.funder = cls.env["res.partner"].create(
            {
                "name": "La Fabrique Monscobar",
                "email": "dons@monscobar.example",
                "street": "5 rue de la Fabrique",
                "zip": "59160",
                "city": "Lomme",
            }
        )
        cls.cat_bug = cls.env.ref("compte_commun_communs.commons_need_category_bug_fix")
        cls.cat_security = cls.env.ref(
            "compte_commun_communs.commons_need_category_security"
        )
        cls.cat_dev = cls.env.ref(
            "compte_commun_communs.commons_need_category_development"
        )
        cls.cat_hosting = cls.env.ref(
            "compte_commun_communs.commons_need_category_hosting"
        )
        cls.plan_column = cls.env.ref(
            "compte_commun_communs.account_analytic_plan_commons"
        )._column_name()

    @contextmanager
    def assertRefused(self, exception, regex):
        """What a refused request leaves: nothing. A request that raises is
        rolled back; so is here what the refused call did before it raised
        (assertRaisesRegex alone would keep it)."""
        with self.assertRaisesRegex(exception, regex), self.env.cr.savepoint():
            yield

    @classmethod
    def _admin_with_accounting(cls):
        """The administrator of the test database, with every right on the
        accounting and the commons of the test company."""
        admin = cls.env.ref("base.user_admin")
        admin.write(
            {
                "groups_id": [
                    Command.link(cls.env.ref("account.group_account_manager").id),
                    Command.link(
                        cls.env.ref(
                            "compte_commun_communs.compte_commun_communs_group_manager"
                        ).id
                    ),
                ],
                "company_ids": [Command.link(cls.company.id)],
            }
        )
        return admin

    @classmethod
    def _create_resource(cls, name, code, company=None, user=None, people=True):
        """A resource created by the accountant; with ``people``, the test
        stewards and contributors are its own."""
        vals = {"name": name, "code": code, "company_id": (company or cls.company).id}
        if people:
            vals.update(
                steward_ids=[Command.set((cls.steward | cls.steward2).partner_id.ids)],
                contributor_ids=[
                    Command.set((cls.contributor | cls.contributor2).partner_id.ids)
                ],
            )
        return (
            cls.env["commons.resource"]
            .with_user(user or cls.accountant)
            .with_company(company or cls.company)
            .create(vals)
        )

    @classmethod
    def _instruction(cls, resource, amount, date_start, contributor=None, **vals):
        """An allocation instruction drafted by the accountant and issued by the
        first steward, as the steward's portal does it."""
        instruction = (
            cls.env["commons.allocation.instruction"]
            .with_user(cls.accountant)
            .create(
                {
                    "name": "Bug fixes",
                    "resource_id": resource.id,
                    "contributor_id": (contributor or cls.contributor).partner_id.id,
                    "amount": amount,
                    "date_start": date_start,
                    **vals,
                }
            )
        )
        instruction.with_user(cls.steward).sudo().action_activate()
        return instruction.with_user(cls.accountant)

    @classmethod
    def _create_loot_2023(cls):
        """LOOT as in the brief: 5,600 of needs in 2023, in four categories."""
        loot = cls._create_resource("Logiciel LOOT", "LOOT")
        cls.env["commons.resource.need"].create(
            [
                {
                    "resource_id": loot.id,
                    "year": 2023,
                    "category_id": category.id,
                    "name": label,
                    "amount": amount,
                }
                for category, label, amount in (
                    (cls.cat_bug, "Bug fixes", 1600),
                    (cls.cat_security, "Security", 1200),
                    (cls.cat_dev, "Micro-development", 2000),
                    (cls.cat_hosting, "Test server hosting", 800),
                )
            ]
        )
        return loot

    @classmethod
    def _donate(cls, resource, amount, date, partner=None, **vals):
        """A donation earmarked to the resource, validated by the accountant;
        ``vals`` are more values of the donation."""
        donation = (
            cls.env["donation.donation"]
            .with_user(cls.accountant)
            .create(
                {
                    **vals,
                    "partner_id": (partner or cls.funder).id,
                    "donation_date": date,
                    "payment_method_line_id": cls.donation_method.id,
                    "line_ids": [
                        Command.create(
                            {
                                "product_id": cls.donation_product.id,
                                "unit_price": amount,
                                "commons_resource_id": resource.id,
                            }
                        )
                    ],
                }
            )
        )
        donation.validate()
        return donation

    def _run_receipt_queue(self, **context):
        """What the cron "Commons: send receipts" does: render, store and email
        the queued receipts (the emails then wait in Odoo's mail queue)."""
        self.env["donation.donation"].with_context(
            **context
        )._cron_send_commons_receipts()

    @classmethod
    def _bill(
        cls,
        resource,
        amount,
        date,
        taxes=None,
        post=True,
        contributor=None,
        instruction=None,
    ):
        """A contributor's bill of one expense line charged to the resource (to
        none without one), paid to the contributor's bank account, recorded by
        the accountant; with ``post``, submitted, approved by the first steward
        and posted."""
        partner = (contributor or cls.contributor).partner_id
        bill = (
            cls.env["account.move"]
            .with_user(cls.accountant)
            .create(
                {
                    "move_type": "in_invoice",
                    "partner_id": partner.id,
                    "partner_bank_id": cls._bank_account(partner).id,
                    "invoice_date": date,
                    "date": date,
                    "commons_instruction_id": instruction and instruction.id,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": "Bug fixes",
                                "quantity": 1,
                                "price_unit": amount,
                                "account_id": cls.company_data[
                                    "default_account_expense"
                                ].id,
                                "tax_ids": [
                                    Command.set((taxes or cls.env["account.tax"]).ids)
                                ],
                                "analytic_distribution": resource
                                and {str(resource.analytic_account_id.id): 100},
                            }
                        )
                    ],
                }
            )
        )
        if post:
            bill.action_commons_submit()
            cls._approve(bill)
            bill.action_post()
        return bill

    @classmethod
    def _bank_account(cls, partner):
        """The contributor's bank account, which the host's administrator
        confirmed; made for a contributor of a test who has none."""
        bank = partner.commercial_partner_id.sudo().bank_ids[:1]
        if not bank:
            # A French IBAN of the partner's own: its check digits by ISO 13616.
            bban = f"30004000010{partner.id:011d}00"
            check = 98 - int("".join(str(int(c, 36)) for c in bban + "FR00")) % 97
            bank = (
                cls.env["res.partner.bank"]
                .with_user(cls.env.ref("base.user_root"))
                .create(
                    {
                        "acc_number": f"FR{check:02d}{bban}",
                        "partner_id": partner.commercial_partner_id.id,
                        "allow_out_payment": True,
                    }
                )
            )
        return bank

    @classmethod
    def _approve(cls, bill, steward=None):
        """Approve the bill as a steward does in the portal: as it is shown to
        them (its fingerprint now)."""
        bill = bill.with_user(steward or cls.steward).sudo()
        bill.commons_approve(bill._get_commons_fingerprint())


class CommonsAuditCase(CommonsCase):
    """Two funded resources, LOOT and DOKOS, for the tests of the paths found
    by auditing money out (instructions, guards, the ledger's analytic
    items)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.loot = cls._create_resource("Logiciel LOOT", "LOOT")
        cls.dokos = cls._create_resource("DOKOS", "DOKOS")
        cls._donate(cls.loot, 5000, "2023-02-15")
        cls._donate(cls.dokos, 8000, "2023-02-15")
        cls.expense_account = cls.company_data["default_account_expense"]
        cls.bank_journal = cls.company_data["default_journal_bank"]

    # -- Helpers --------------------------------------------------------------

    def _approved_bill(self, amount=1000, post=False):
        bill = self._bill(self.loot, amount, "2023-06-01", post=False)
        bill.action_commons_submit()
        self._approve(bill)
        self.assertEqual(bill.commons_bill_state, "approved")
        if post:
            bill.action_post()
        return bill

    def _loot_2023(self):
        loot = self.loot.with_user(self.accountant).with_context(commons_year=2023)
        loot.invalidate_recordset()
        return loot

# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import io

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from odoo import api, models
from odoo.tools import html2plaintext
from odoo.tools.misc import format_amount, format_date


class CommonsDemo(models.AbstractModel):
    """Plays the demo's story by its actors: the demo data call it (the
    ``<function>`` tags of ``demo/account_move_demo.xml``) so that a steward
    issues her instruction and decides on bills, a contributor submits his,
    the accountant posts, each through the same methods and checks as in the
    product, never by writing states."""

    _name = "commons.demo"
    _description = "Demo Story of the Commons"

    @api.model
    def _demo_install_language(self, lang):
        """Install ``lang`` as Settings › Languages does, with the terms of
        every module, this one included, before the story is played: what
        the story writes as it goes (its chatter, its tracked states) is
        written in the actors' language, as it would be by a French host."""
        self.env["res.lang"]._activate_lang(lang)
        self.env["ir.module.module"].search(
            [("state", "in", ("installed", "to install", "to upgrade"))]
        )._update_translations(filter_lang=lang)

    @api.model
    def _demo_act(self, user_xmlid, record_xmlid, method, *args):
        """Call ``method`` of the demo record ``record_xmlid`` as the demo user
        ``user_xmlid``.

        A portal user acts as the portal makes them act: on the record as
        superuser, the user staying the caller whom the method itself checks
        (a steward of the resource, the bill's contributor). An internal user
        acts with their own rights, as in the backend.

        :return: what the method returns
        """
        return getattr(self._demo_record(user_xmlid, record_xmlid), method)(*args)

    @api.model
    def _demo_decide(self, user_xmlid, bill_xmlid, method, *args):
        """A steward decides on a bill as her portal page shows it: ``method``
        (commons_approve, commons_reject) gets the bill's fingerprint as the
        page carries it, then ``args``."""
        bill = self._demo_record(user_xmlid, bill_xmlid)
        return getattr(bill, method)(bill._get_commons_fingerprint(), *args)

    @api.model
    def _demo_save_settings(self, user_xmlid, values):
        """The demo user saves the Commons settings with ``values``, as the
        form does (its fields not in ``values`` keep the company's)."""
        user = self.env.ref(f"compte_commun_communs.{user_xmlid}")
        return self.env["commons.settings"].with_user(user).create(values)

    @api.model
    def _demo_pay_by_order(self, user_xmlid, bill_xmlids, order_xmlid):
        """The demo user pays the bills through a payment order as the
        backend does: "Add to Payment Order", then the order's Confirm,
        Generate Payment File and File Successfully Uploaded; the order is
        named ``order_xmlid``.

        :return: the payment order
        """
        user = self.env.ref(f"compte_commun_communs.{user_xmlid}")
        bills = self.env["account.move"].union(
            *(self.env.ref(f"compte_commun_communs.{xmlid}") for xmlid in bill_xmlids)
        )
        action = bills.with_user(user).create_account_payment_line()
        order = (
            self.env["account.payment.order"].with_user(user).browse(action["res_id"])
        )
        order.draft2open()
        order.open2generated()
        order.generated2uploaded()
        self.env["ir.model.data"]._update_xmlids(
            [
                {
                    "xml_id": f"compte_commun_communs.{order_xmlid}",
                    "record": order,
                    "noupdate": True,
                }
            ]
        )
        return order

    @api.model
    def _demo_portal_bank_account(self, user_xmlid, bank_xmlid, values):
        """The contributor ``user_xmlid`` enters a bank account in their
        portal (res.partner.bank._commons_portal_save, untrusted), named
        ``bank_xmlid`` for the rest of the story."""
        if self.env.ref(f"compte_commun_communs.{bank_xmlid}", False):
            return
        user = self.env.ref(f"compte_commun_communs.{user_xmlid}")
        bank = (
            self.env["res.partner.bank"]
            .with_user(user)
            ._commons_portal_save(user.partner_id, values)
        )
        self.env["ir.model.data"].create(
            {
                "module": "compte_commun_communs",
                "name": bank_xmlid,
                "model": bank._name,
                "res_id": bank.id,
                "noupdate": True,
            }
        )

    @api.model
    def _demo_record(self, user_xmlid, record_xmlid):
        user = self.env.ref(f"compte_commun_communs.{user_xmlid}")
        record = self.env.ref(f"compte_commun_communs.{record_xmlid}").with_user(user)
        return record.sudo() if user.share else record

    @api.model
    def _demo_attach_invoice_pdf(self, bill_xmlid, seller_lines):
        """Print the contributor's own invoice of a demo bill dated as the
        demo is installed (its number and date are the bill's), and make it
        the bill's file, as the contributor's portal does with the file they
        send. The demo is French: so is the invoice.

        :param seller_lines: the lines under the seller's name
        """
        bill = self.env.ref(f"compte_commun_communs.{bill_xmlid}").with_context(
            lang="fr_FR"
        )
        env = bill.env
        company = bill.company_id
        buffer = io.BytesIO()
        pdf = canvas.Canvas(buffer, pagesize=A4)
        pdf.setTitle(f"Facture {bill.ref}")
        pdf.setAuthor(bill.partner_id.name)
        y = A4[1] - 60
        pdf.setFont("Helvetica-Bold", 14)
        pdf.drawString(50, y, bill.partner_id.name)
        pdf.setFont("Helvetica", 10)
        for line in seller_lines:
            y -= 14
            pdf.drawString(50, y, line)
        y -= 40
        pdf.setFont("Helvetica-Bold", 16)
        pdf.drawString(50, y, f"Facture {bill.ref}")
        pdf.setFont("Helvetica", 10)
        y -= 18
        pdf.drawString(50, y, f"Date : {format_date(env, bill.invoice_date)}")
        y -= 30
        pdf.drawString(50, y, f"Facturé à : {company.name}")
        y -= 14
        pdf.drawString(50, y, f"{company.street}, {company.zip} {company.city}")
        y -= 14
        pdf.drawString(
            50,
            y,
            f"Pour le commun : {bill.commons_resource_id.name} (consigne "
            f"d'allocation « {bill.commons_instruction_id.name} »)",
        )
        y -= 34
        pdf.setFont("Helvetica-Bold", 10)
        pdf.drawString(50, y, "Désignation")
        pdf.drawRightString(A4[0] - 50, y, "Montant")
        y -= 4
        pdf.line(50, y, A4[0] - 50, y)
        pdf.setFont("Helvetica", 10)
        for line in bill.invoice_line_ids.filtered(
            lambda line: line.display_type == "product"
        ):
            y -= 16
            pdf.drawString(50, y, line.name)
            pdf.drawRightString(
                A4[0] - 50, y, format_amount(env, line.price_subtotal, bill.currency_id)
            )
        y -= 8
        pdf.line(50, y, A4[0] - 50, y)
        y -= 18
        pdf.setFont("Helvetica-Bold", 11)
        pdf.drawString(A4[0] - 250, y, "Total à payer")
        pdf.drawRightString(
            A4[0] - 50, y, format_amount(env, bill.amount_total, bill.currency_id)
        )
        pdf.setFont("Helvetica", 10)
        y -= 40
        pdf.drawString(50, y, html2plaintext(bill.narration or ""))
        y -= 14
        pdf.drawString(
            50,
            y,
            "Paiement par virement à 30 jours. Pas d'escompte pour paiement anticipé.",
        )
        pdf.showPage()
        pdf.save()
        attachment = self.env["ir.attachment"].create(
            {
                "name": f"Facture {bill.ref}.pdf",
                "raw": buffer.getvalue(),
                "mimetype": "application/pdf",
                "res_model": "account.move",
                "res_id": bill.id,
            }
        )
        attachment.register_as_main_attachment()
        return attachment

# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from itertools import zip_longest

from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

from ..models.account_move_commons_bill import APPROVAL_MOVE_TYPES
from ..models.commons_bill_intake import MAX_INVOICE_FILE_SIZE, CommonsFormError

# A request may carry a file a little larger than the model accepts, so that
# the contributor reads the model's clear error rather than a bare HTTP 413.
MAX_REQUEST_SIZE = MAX_INVOICE_FILE_SIZE + 2 * 1024 * 1024
# Rows of lines the bill form offers.
FORM_LINES = 5


class CommonsContributorPortal(CustomerPortal):
    """The contributor's portal: their allocation instructions, the bills they
    sent the host against them, and the form to send one.

    Records are searched and checked with the user's own rights: the portal
    group's rules (security/commons_contributor_security.xml) give a
    contributor their bills and instructions, and nobody else's. Only what
    is rendered, once found, is read as superuser. Taking a bill in is
    commons.bill.intake's: the routes parse the request and call it."""

    # -- Whose records --------------------------------------------------------

    def _get_commons_contributor(self):
        """The partner the session's user invoices as."""
        return request.env.user.partner_id.commercial_partner_id

    def _get_commons_instructions_domain(self):
        """The user's allocation instructions, issued (not drafts)."""
        return [
            (
                "contributor_id.commercial_partner_id",
                "=",
                self._get_commons_contributor().id,
            ),
            ("state", "!=", "draft"),
        ]

    def _get_commons_instructions_sudo(self, active=False):
        """The user's allocation instructions, issued (not drafts); with
        ``active``, those a bill can be sent against today. Searched with
        the user's rights, returned as superuser to be rendered."""
        Instruction = request.env["commons.allocation.instruction"]
        if not Instruction.has_access("read"):
            return Instruction.sudo()
        domain = self._get_commons_instructions_domain()
        if active:
            domain += Instruction._get_commons_committing_domain()
        return Instruction.search(domain).sudo()

    def _get_commons_bills_domain(self):
        return [
            ("commercial_partner_id", "=", self._get_commons_contributor().id),
            ("commons_resource_id", "!=", False),
            ("move_type", "in", APPROVAL_MOVE_TYPES),
        ]

    def _is_commons_contributor(self):
        partner = self._get_commons_contributor()
        Move = request.env["account.move"]
        if not Move.has_access("read"):
            return False
        # Whether the partner is one of any resource's contributors is not a
        # record of theirs to read: a count, as superuser, says yes or no.
        return bool(
            request.env["commons.resource"]
            .sudo()
            .with_context(active_test=False)
            .search_count(
                [("contributor_ids.commercial_partner_id", "=", partner.id)], limit=1
            )
            or Move.search_count(self._get_commons_bills_domain(), limit=1)
        )

    def _get_commons_bill_sudo(self, bill_id):
        """The user's bill, as superuser to be rendered, once the portal's
        rules let them read it; else an empty recordset."""
        Move = request.env["account.move"]
        try:
            self._document_check_access("account.move", bill_id)
        except (AccessError, MissingError):
            return Move.sudo()
        # _document_check_access answers as OdooBot: the bill's own methods
        # check who calls them, so they run as the user, under sudo.
        return (
            Move.sudo()
            .browse(bill_id)
            .filtered_domain(self._get_commons_bills_domain())
        )

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "commons_bill_count" in counters:
            # What the page shows: the bills and the instructions to bill.
            values["commons_bill_count"] = (
                request.env["account.move"].search_count(
                    self._get_commons_bills_domain()
                )
                + len(self._get_commons_instructions_sudo(active=True))
                if self._is_commons_contributor()
                else 0
            )
        return values

    # -- Pages ----------------------------------------------------------------

    @http.route(
        ["/my/commons/bills", "/my/commons/bills/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_commons_bills(self, page=1, **kwargs):
        if not self._is_commons_contributor():
            return request.redirect("/my")
        Move = request.env["account.move"]
        domain = self._get_commons_bills_domain()
        pager = portal_pager(
            url="/my/commons/bills",
            total=Move.search_count(domain),
            page=page,
            step=self._items_per_page,
        )
        bills = Move.search(
            domain,
            order="invoice_date desc, id desc",
            limit=self._items_per_page,
            offset=pager["offset"],
        ).sudo()
        # Searched once: the page reads their amounts for all of them at once.
        instructions = self._get_commons_instructions_sudo()
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "commons_bills",
                # Active ones, those already ended too: their envelope is
                # still theirs to read, not to bill.
                "instructions": instructions.filtered(lambda i: i.state == "active"),
                "billable": instructions.filtered(lambda i: i._is_commons_billable()),
                "bills": bills,
                "bills_pager": pager,
                "payments": bills._get_commons_payments_by_bill(),
            }
        )
        return request.render("compte_commun_communs.portal_my_commons_bills", values)

    @http.route(
        "/my/commons/bills/<int:bill_id>", type="http", auth="user", website=True
    )
    def portal_my_commons_bill(self, bill_id, **kwargs):
        bill_sudo = self._get_commons_bill_sudo(bill_id)
        if not bill_sudo:
            return request.redirect("/my")
        return self._render_commons_bill(
            bill_sudo, sent=kwargs.get("sent"), withdrawn=kwargs.get("withdrawn")
        )

    def _render_commons_bill(self, bill_sudo, error=None, sent=None, withdrawn=None):
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "commons_bills",
                "bill": bill_sudo,
                "status": bill_sudo._get_commons_portal_status(),
                "payments": bill_sudo._get_commons_payments_info(),
                "error": error,
                "sent": sent,
                "withdrawn": withdrawn,
            }
        )
        return request.render("compte_commun_communs.portal_my_commons_bill", values)

    @http.route(
        "/my/commons/bills/<int:bill_id>/file", type="http", auth="user", website=True
    )
    def portal_my_commons_bill_file(self, bill_id, download=False, **kwargs):
        bill_sudo = self._get_commons_bill_sudo(bill_id)
        attachment = bill_sudo.message_main_attachment_id
        if not attachment:
            return request.redirect("/my")
        return (
            request.env["ir.binary"]
            ._get_stream_from(attachment)
            .get_response(as_attachment=bool(download))
        )

    # -- Sending a bill ---------------------------------------------------------

    def _parse_commons_bill_form(self):
        """What the contributor typed, and their file, as the model takes it."""
        form = request.httprequest.form
        upload = request.httprequest.files.get("invoice_file")
        content = upload.read() if upload else b""
        return {
            "ref": form.get("ref"),
            "invoice_date": form.get("invoice_date"),
            "tax_id": form.get("tax_id"),
            "partner_bank_id": form.get("partner_bank_id"),
            "lines": list(
                zip_longest(
                    form.getlist("line_label")[:100],
                    form.getlist("line_amount")[:100],
                    fillvalue="",
                )
            ),
            "filename": upload.filename if upload and content else None,
            "content": content,
        }

    def _render_commons_bill_form(
        self, instruction=None, bill=None, form=None, error=None
    ):
        """The form to send a bill (``instruction``) or correct one (``bill``).

        :param error: the refusal to show: a str, or the UserError raised,
            shown beside the field it names (see CommonsFormError), else
            beside the form's button
        """
        company = (bill or instruction).company_id if (bill or instruction) else None
        company = company or request.env.company
        intake = request.env["commons.bill.intake"]
        if form is None and bill:
            form = {
                "ref": bill.ref,
                "invoice_date": bill.invoice_date,
                "tax_id": bill.invoice_line_ids.tax_ids[:1].id,
                "partner_bank_id": bill.partner_bank_id.id,
                # As the contributor types them: "1 500,00" in French.
                "lines": [
                    (
                        line.name,
                        intake._format_commons_amount(
                            line.price_unit, bill.currency_id
                        ),
                    )
                    for line in bill.invoice_line_ids
                    if line.display_type == "product"
                ],
            }
        form = dict(form or {})
        lines = list(form.get("lines") or [])
        lines += [("", "")] * max(FORM_LINES - len(lines), 1)
        form["lines"] = lines
        for key in ("tax_id", "partner_bank_id"):
            try:
                form[key] = int(form.get(key) or 0)
            except (TypeError, ValueError):
                form[key] = 0
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "commons_bills",
                "instruction": instruction,
                "instructions": self._get_commons_instructions_sudo(active=True),
                "bill": bill,
                "taxes": intake._get_commons_taxes(company),
                "bank_accounts": intake._get_commons_bank_accounts(
                    self._get_commons_contributor(), company
                ),
                "form": form,
                "error": error and str(error),
                "error_field": getattr(error, "field", None),
                "max_file_mb": MAX_INVOICE_FILE_SIZE // (1024 * 1024),
            }
        )
        return request.render(
            "compte_commun_communs.portal_my_commons_bill_form", values
        )

    @http.route(
        "/my/commons/bills/new",
        type="http",
        auth="user",
        website=True,
        methods=["GET"],
    )
    def portal_my_commons_bill_new(self, instruction_id=None, **kwargs):
        if not self._is_commons_contributor():
            return request.redirect("/my")
        instructions = self._get_commons_instructions_sudo(active=True)
        instruction = instructions[:1] if len(instructions) == 1 else None
        if instruction_id:
            try:
                instruction = instructions.filtered(
                    lambda i: i.id == int(instruction_id)
                )
            except ValueError:
                instruction = None
            if not instruction:
                return request.redirect("/my")
        if not instructions:
            return request.redirect("/my/commons/bills")
        return self._render_commons_bill_form(instruction=instruction)

    @http.route(
        "/my/commons/bills/new",
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
        max_content_length=MAX_REQUEST_SIZE,
    )
    def portal_my_commons_bill_create(self, **kwargs):
        if not self._is_commons_contributor():
            return request.redirect("/my")
        form = self._parse_commons_bill_form()
        try:
            instruction_id = int(request.httprequest.form.get("instruction_id") or 0)
        except ValueError:
            instruction_id = 0
        # Any of the user's own instructions: the model says why a closed,
        # cancelled or ended one takes no bill.
        instruction = self._get_commons_instructions_sudo().filtered(
            lambda i: i.id == instruction_id
        )
        if not instruction:
            return self._render_commons_bill_form(
                form=form,
                error=CommonsFormError(
                    request.env._(
                        "Choose one of your allocation instructions for this bill."
                    ),
                    "instruction_id",
                ),
            )
        try:
            bill = (
                request.env["commons.bill.intake"]
                .sudo()
                ._create_commons_bill(instruction, form)
            )
        except UserError as error:
            shown = instruction & self._get_commons_instructions_sudo(active=True)
            return self._render_commons_bill_form(
                instruction=shown or None, form=form, error=error
            )
        return request.redirect(f"/my/commons/bills/{bill.id}?sent=1")

    @http.route(
        "/my/commons/bills/<int:bill_id>/edit",
        type="http",
        auth="user",
        website=True,
        methods=["GET", "POST"],
        max_content_length=MAX_REQUEST_SIZE,
    )
    def portal_my_commons_bill_edit(self, bill_id, **kwargs):
        bill_sudo = self._get_commons_bill_sudo(bill_id)
        if not bill_sudo:
            return request.redirect("/my")
        if not bill_sudo._is_commons_portal_correctable():
            return request.redirect(f"/my/commons/bills/{bill_sudo.id}")
        if request.httprequest.method != "POST":
            return self._render_commons_bill_form(bill=bill_sudo)
        form = self._parse_commons_bill_form()
        try:
            bill_sudo._update_commons_portal_bill(form)
        except UserError as error:
            return self._render_commons_bill_form(
                bill=bill_sudo, form=form, error=error
            )
        return request.redirect(f"/my/commons/bills/{bill_sudo.id}?sent=1")

    @http.route(
        "/my/commons/bills/<int:bill_id>/withdraw",
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def portal_my_commons_bill_withdraw(self, bill_id, **kwargs):
        bill_sudo = self._get_commons_bill_sudo(bill_id)
        if not bill_sudo:
            return request.redirect("/my")
        try:
            # Nothing is left of a refused withdrawal.
            with request.env.cr.savepoint():
                bill_sudo.action_commons_withdraw()
        except UserError as error:
            return self._render_commons_bill(bill_sudo, error=str(error))
        return request.redirect(f"/my/commons/bills/{bill_sudo.id}?withdrawn=1")

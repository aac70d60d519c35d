# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from urllib.parse import urlencode

import pytz

from odoo import fields, http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request
from odoo.osv import expression

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

from ..models.account_move_commons_bill import (
    APPROVAL_MOVE_TYPES,
    WAITING_BILLS_ORDER,
)
from ..models.ledger import MAX_YEAR, MIN_YEAR, is_commons_year

# What the portal shows in the browser; any other file is downloaded.
INLINE_MIMETYPES = ("application/pdf", "image/jpeg", "image/png")
# The model's refusals the steward reads on the page.
DECISION_ERRORS = (UserError, AccessError, ValidationError)
# Key of the message shown once on /my/commons after a decision.
NOTICE_KEY = "commons_steward_notice"
RECENT_DECISIONS = 10
# Bills a page of /my/commons shows: each is a card with its decision forms.
BILLS_PER_PAGE = 20
# Instructions in use first.
STATE_RANK = {"active": 0, "draft": 1, "closed": 2, "cancel": 3}
# The states of the bills the stewards have seen: every one but a draft.
SEEN_BILL_STATES = ("submitted", "approved", "rejected", "returned", "withdrawn")


class CommonsStewardPortal(CustomerPortal):
    """The steward's portal: the bills of the resources they steward waiting
    for their decision, and the allocation instructions they issue.

    A steward reaches a bill or an instruction as Odoo's portal reaches its
    documents: ``_document_check_access``, which the record rules of
    security/commons_steward_security.xml back (read only). The page then
    reads as superuser, and every decision is a model method that checks again
    who calls it (``env.user`` stays the portal user under ``sudo()``)."""

    # -- Access ---------------------------------------------------------------

    def _get_commons_steward_domain(self):
        return [("steward_ids", "in", request.env.user.partner_id.ids)]

    def _get_commons_stewarded_resources(self):
        """The resources the session user stewards, as superuser."""
        return (
            request.env["commons.resource"]
            .sudo()
            .search(self._get_commons_steward_domain(), order="name, id")
        )

    def _get_commons_steward_resource_sudo(self, resource_id):
        resource = self._get_commons_stewarded_resources().filtered(
            lambda r: r.id == resource_id
        )
        if not resource:
            raise MissingError(request.env._("This resource does not exist."))
        return resource

    def _get_commons_steward_bill_sudo(self, bill_id):
        """A bill of a resource the session user stewards, as superuser, once
        the record rules let them read it; raises MissingError for any other
        move (a contributor reads their own bills too: not here)."""
        try:
            self._document_check_access("account.move", bill_id)
        except AccessError as error:
            raise MissingError(request.env._("This bill does not exist.")) from error
        # As superuser, but as the session user: the model's checks read who
        # decides in env.user (_document_check_access returns OdooBot's).
        bill = request.env["account.move"].sudo().browse(bill_id)
        resources = bill._get_commons_resources()
        if (
            bill.move_type not in APPROVAL_MOVE_TYPES
            or not resources
            or resources - self._get_commons_stewarded_resources()
        ):
            raise MissingError(request.env._("This bill does not exist."))
        return bill

    def _get_commons_steward_instruction_sudo(self, instruction_id):
        """An instruction of a resource the session user stewards, as
        superuser, once the record rules let them read it."""
        try:
            self._document_check_access(
                "commons.allocation.instruction", instruction_id
            )
        except AccessError as error:
            raise MissingError(
                request.env._("This instruction does not exist.")
            ) from error
        instruction = (
            request.env["commons.allocation.instruction"].sudo().browse(instruction_id)
        )
        if instruction.resource_id not in self._get_commons_stewarded_resources():
            raise MissingError(request.env._("This instruction does not exist."))
        return instruction

    # -- Data of the page -----------------------------------------------------

    def _get_commons_bill_searchbar_sortings(self):
        """The orders of the list of bills, as Odoo's portal lists have them.
        The first one is the order in which waiting bills count against their
        envelopes."""
        return {
            "date": {
                "label": request.env._("Date, oldest first"),
                "order": WAITING_BILLS_ORDER,
            },
            "recent": {
                "label": request.env._("Date, newest first"),
                "order": "invoice_date desc, id desc",
            },
            "amount": {
                "label": request.env._("Amount"),
                "order": "amount_total desc, id",
            },
            "contributor": {
                "label": request.env._("Contributor"),
                "order": "partner_id, invoice_date, id",
            },
        }

    def _get_commons_bill_searchbar_filters(self):
        """The filters of the list of bills: by default, those waiting for the
        session user's decision (what the /my counter counts)."""
        Move = request.env["account.move"]
        return {
            "to_decide": {
                "label": request.env._("To decide"),
                "domain": Move._get_commons_waiting_for_user_domain(request.env.user),
            },
            "waiting": {
                "label": request.env._("All waiting for the stewards"),
                "domain": Move._get_commons_waiting_domain(),
            },
            "approved": {
                "label": request.env._("Approved"),
                "domain": [("commons_bill_state", "=", "approved")],
            },
            "rejected": {
                "label": request.env._("Rejected or sent back"),
                "domain": [("commons_bill_state", "in", ("rejected", "returned"))],
            },
            "all": {
                "label": request.env._("All"),
                "domain": [("commons_bill_state", "in", SEEN_BILL_STATES)],
            },
        }

    def _get_commons_steward_bills_domain(self, resources):
        """The bills of ``resources`` (those the session user stewards)."""
        return [
            ("move_type", "in", APPROVAL_MOVE_TYPES),
            ("commons_resource_id", "in", resources.ids),
        ]

    def _get_commons_bill_files(self, bills):
        """The invoice file of each bill: its main attachment, else its first,
        read with one search.

        :return: {bill id: ir.attachment}
        """
        files = {bill.id: bill.message_main_attachment_id for bill in bills}
        others = request.env["ir.attachment"].sudo()
        without = [bill_id for bill_id, file in files.items() if not file]
        if without:
            others = others.search(
                [("res_model", "=", "account.move"), ("res_id", "in", without)],
                order="id desc",
            )
        for attachment in others:
            # Ordered by id descending: the first one is written last.
            files[attachment.res_id] = attachment
        return files

    def _get_commons_bill_file(self, bill):
        return self._get_commons_bill_files(bill)[bill.id]

    def _prepare_commons_bill_values(self, bill, decision, rules, left_after, files):
        """What the steward's card of a bill shows, and what the Approve and
        Reject forms of a waiting one carry: the bill's fingerprint as shown.

        :param decision: the bill's values of _get_commons_decision_values
        :param rules: the error of the rules of a bill that its approval
            would raise (see _get_commons_bill_errors), or None: the bill can
            then be rejected only
        :param left_after: see _get_commons_left_after (waiting bills only)
        """
        waiting = bill.state == "draft" and bill.commons_bill_state == "submitted"
        error = decision["error"]
        return {
            "bill": bill,
            "waiting": waiting,
            "instruction": bill.commons_instruction_id,
            "file": files[bill.id],
            "remaining_after": left_after.get(bill),
            "approvals": decision["approvals"],
            "refusal": waiting and error and error.args[0],
            "approval_refusal": waiting and not error and rules and rules.args[0],
            "approved_by_me": decision["approved_by_user"],
            "fingerprint": waiting and not error and decision["fingerprint"],
        }

    def _prepare_commons_bills_values(self, bills):
        """The cards of ``bills``, the bills of one page: the decision values,
        the rules and what is left after each are read for these only, with
        the same queries whatever their number and the number of bills
        waiting."""
        decisions = bills._get_commons_decision_values(request.env.user)
        waiting = bills.filtered(
            lambda bill: bill.state == "draft"
            and bill.commons_bill_state == "submitted"
        )
        rules = waiting._get_commons_bill_errors(approving=True)
        left_after = waiting._get_commons_left_after()
        files = self._get_commons_bill_files(bills)
        return [
            self._prepare_commons_bill_values(
                bill, decisions[bill], rules.get(bill), left_after, files
            )
            for bill in bills
        ]

    def _get_commons_year(self, year):
        """The year of the figures asked for (``?year=``), else this year.

        :return: (year, the message saying why the year asked for is not
            shown, or None)
        """
        today = fields.Date.context_today(request.env.user).year
        if not year:
            return today, None
        try:
            asked = int(year)
        except ValueError:
            asked = None
        if not is_commons_year(asked):
            return today, request.env._(
                "“%(year)s” is not a year the figures cover: choose one from "
                "%(min)s to %(max)s. Here are those of %(today)s.",
                year=year,
                min=MIN_YEAR,
                max=MAX_YEAR,
                today=today,
            )
        return asked, None

    def _prepare_commons_steward_values(
        self, resources, page=1, sortby=None, filterby=None, resource=None, year=None
    ):
        """Values of /my/commons: one page of the bills of the resources the
        session user stewards, sorted and filtered as Odoo's portal lists
        are, the bills they approved that wait for another steward, the
        recent decisions, and for each resource its figures of the year and
        its instructions."""
        Move = request.env["account.move"].sudo()
        searchbar_sortings = self._get_commons_bill_searchbar_sortings()
        if sortby not in searchbar_sortings:
            sortby = "date"
        searchbar_filters = self._get_commons_bill_searchbar_filters()
        if filterby not in searchbar_filters:
            filterby = "to_decide"
        shown = resources.filtered(lambda r: str(r.id) == str(resource or ""))
        domain = expression.AND(
            [
                self._get_commons_steward_bills_domain(shown or resources),
                searchbar_filters[filterby]["domain"],
            ]
        )
        url_args = {"sortby": sortby, "filterby": filterby}
        if shown:
            url_args["resource"] = shown.id
        year, year_error = self._get_commons_year(year)
        if (
            year_error is None
            and year != fields.Date.context_today(request.env.user).year
        ):
            url_args["year"] = year
        bill_count = Move.search_count(domain)
        pager = portal_pager(
            url="/my/commons",
            url_args=url_args,
            total=bill_count,
            page=page,
            step=BILLS_PER_PAGE,
        )
        bills = Move.search(
            domain,
            order=searchbar_sortings[sortby]["order"],
            limit=BILLS_PER_PAGE,
            offset=pager["offset"],
        )
        # Approved by the session user, waiting for another steward's approval.
        approved_by_me = Move.browse()
        if filterby == "to_decide":
            partner = request.env.user.partner_id
            approved_by_me = Move.search(
                [
                    *self._get_commons_steward_bills_domain(shown or resources),
                    *Move._get_commons_waiting_domain(),
                    ("commons_approval_ids.partner_id", "in", partner.ids),
                ],
                order=WAITING_BILLS_ORDER,
                limit=BILLS_PER_PAGE,
            )
        bill_values = self._prepare_commons_bills_values(bills | approved_by_me)
        decisions = Move.search(
            [
                *self._get_commons_steward_bills_domain(resources),
                ("commons_bill_state", "in", ("approved", "rejected")),
            ],
            order="write_date desc, id desc",
            limit=RECENT_DECISIONS,
        )
        resources = resources.with_context(commons_year=year)
        sections = [
            {
                "resource": resource,
                "instructions": resource.instruction_ids.sorted(
                    lambda i: (STATE_RANK[i.state], i.date_start, i.id)
                ),
            }
            for resource in resources
        ]
        return {
            "year": year,
            "year_error": year_error,
            "year_previous": year - 1 if year > MIN_YEAR else None,
            "year_next": year + 1 if year < MAX_YEAR else None,
            "bills": bill_values[: len(bills)],
            "bills_approved_by_me": [
                values for values in bill_values[len(bills) :] if values["waiting"]
            ],
            "decisions": decisions,
            "sections": sections,
            "pager": pager,
            "bill_count": bill_count,
            "default_url": "/my/commons",
            "searchbar_sortings": searchbar_sortings,
            "sortby": sortby,
            "searchbar_filters": searchbar_filters,
            "filterby": filterby,
            "commons_resources": resources,
            "commons_resource": shown,
        }

    def _pop_commons_notice(self):
        return request.session.pop(NOTICE_KEY, None)

    def _set_commons_notice(self, message, kind="success", bill=None):
        """The message shown once on /my/commons; ``bill``: the bill it is
        about, whose card shows it (a refused decision)."""
        request.session[NOTICE_KEY] = {
            "type": kind,
            "message": message,
            "bill_id": bill.id if bill else None,
        }

    def _set_commons_timezone(self):
        """Times in the user's time zone, else in their browser's (the ``tz``
        cookie Odoo's frontend sets, which it also gives a user without one at
        their next login)."""
        tz = request.env.user.tz or request.httprequest.cookies.get("tz")
        if tz in pytz.all_timezones:
            request.update_context(tz=tz)

    def _commons_redirect(self, anchor=None):
        return request.redirect("/my/commons" + (f"#{anchor}" if anchor else ""))

    def _get_commons_bills_to_decide_count(self):
        """How many bills wait for the session user's decision: the default
        list of /my/commons, counted with one query."""
        Move = request.env["account.move"].sudo()
        return Move.search_count(
            Move._get_commons_waiting_for_user_domain(request.env.user)
        )

    # -- Home -----------------------------------------------------------------

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "commons_approval_count" in counters:
            values["commons_approval_count"] = self._get_commons_bills_to_decide_count()
        return values

    @http.route()
    def home(self, **kw):
        response = super().home(**kw)
        # The card stays for a steward with nothing to decide, and is hidden
        # from a portal user who stewards nothing.
        response.qcontext["commons_is_steward"] = bool(
            request.env["commons.resource"]
            .sudo()
            .search_count(self._get_commons_steward_domain(), limit=1)
        )
        return response

    # -- Bills ------------------------------------------------------------------

    @http.route(
        ["/my/commons", "/my/commons/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_commons(
        self, page=1, sortby=None, filterby=None, resource=None, year=None, **kwargs
    ):
        resources = self._get_commons_stewarded_resources()
        if not resources:
            return request.redirect("/my")
        self._set_commons_timezone()
        values = self._prepare_portal_layout_values()
        values.update(
            self._prepare_commons_steward_values(
                resources, page, sortby, filterby, resource, year
            )
        )
        values.update(
            {
                "page_name": "commons_steward",
                "notice": self._pop_commons_notice(),
            }
        )
        return request.render("compte_commun_communs.portal_my_commons", values)

    @http.route(
        "/my/commons/approvals/<int:bill_id>/file",
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_commons_approval_file(self, bill_id, download=False, **kwargs):
        try:
            bill = self._get_commons_steward_bill_sudo(bill_id)
        except MissingError:
            return request.redirect("/my")
        attachment = self._get_commons_bill_file(bill)
        if not attachment:
            raise request.not_found()
        inline = not download and attachment.mimetype in INLINE_MIMETYPES
        return (
            request.env["ir.binary"]
            ._get_stream_from(attachment)
            .get_response(as_attachment=not inline)
        )

    def _commons_decision_redirect(self, bill, **kwargs):
        """Back to the list the steward decided from (its page, sort and
        filter, which the decision forms carry)."""
        query = {
            key: value
            for key, value in kwargs.items()
            if key in ("sortby", "filterby", "resource", "year") and value
        }
        page = kwargs.get("page")
        url = "/my/commons"
        if page and str(page).isdigit() and int(page) > 1:
            url += f"/page/{int(page)}"
        if query:
            url += "?" + urlencode(query)
        return request.redirect(url + (f"#commons_bill_{bill.id}" if bill else ""))

    @http.route(
        "/my/commons/approvals/<int:bill_id>/approve",
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def portal_my_commons_bill_approve(self, bill_id, fingerprint=None, **kwargs):
        try:
            bill = self._get_commons_steward_bill_sudo(bill_id)
        except MissingError:
            return request.redirect("/my")
        try:
            with request.env.cr.savepoint():
                bill.commons_approve(fingerprint)
        except DECISION_ERRORS as error:
            self._set_commons_notice(error.args[0], "danger", bill)
            return self._commons_decision_redirect(bill, **kwargs)
        self._set_commons_notice(
            request.env._("%(bill)s is approved.", bill=bill.ref or bill.display_name)
            if bill.commons_bill_state == "approved"
            else request.env._(
                "Your approval of %(bill)s is recorded: another steward must "
                "approve it too.",
                bill=bill.ref or bill.display_name,
            )
        )
        return self._commons_decision_redirect(None, **kwargs)

    @http.route(
        "/my/commons/approvals/<int:bill_id>/reject",
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def portal_my_commons_bill_reject(
        self, bill_id, fingerprint=None, reason=None, **kwargs
    ):
        try:
            bill = self._get_commons_steward_bill_sudo(bill_id)
        except MissingError:
            return request.redirect("/my")
        try:
            with request.env.cr.savepoint():
                bill.commons_reject(fingerprint, reason)
        except DECISION_ERRORS as error:
            self._set_commons_notice(error.args[0], "danger", bill)
            return self._commons_decision_redirect(bill, **kwargs)
        self._set_commons_notice(
            request.env._(
                "%(bill)s is rejected: its contributor is told why.",
                bill=bill.ref or bill.display_name,
            )
        )
        return self._commons_decision_redirect(None, **kwargs)

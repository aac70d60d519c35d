# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal

from ..models.account_move_commons_bill import (
    APPROVAL_MOVE_TYPES,
    WAITING_BILLS_ORDER,
)

# What the portal shows in the browser; any other file is downloaded.
INLINE_MIMETYPES = ("application/pdf", "image/jpeg", "image/png")
# The model's refusals the steward reads on the page.
DECISION_ERRORS = (UserError, AccessError, ValidationError)
# Key of the message shown once on /my/commons after a decision.
NOTICE_KEY = "commons_steward_notice"
RECENT_DECISIONS = 10
# Instructions in use first.
STATE_RANK = {"active": 0, "draft": 1, "closed": 2, "cancel": 3}


class CommonsStewardPortal(CustomerPortal):
    """The steward's portal: the bills of the resources they steward waiting
    for their decision, and the allocation instructions they issue.

    Portal users have no access rights on resources, bills or instructions:
    every read is done as superuser on records found from the session user's
    own partner, and every decision is a model method that checks again who
    calls it (``env.user`` stays the portal user under ``sudo()``)."""

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
        """A bill of a resource the session user stewards, as superuser; raises
        MissingError for any other move."""
        bill = request.env["account.move"].sudo().browse(bill_id).exists()
        resources = bill and bill._get_commons_resources()
        if (
            not bill
            or bill.move_type not in APPROVAL_MOVE_TYPES
            or not resources
            or resources - self._get_commons_stewarded_resources()
        ):
            raise MissingError(request.env._("This bill does not exist."))
        return bill

    def _get_commons_steward_instruction_sudo(self, instruction_id):
        instruction = (
            request.env["commons.allocation.instruction"]
            .sudo()
            .browse(instruction_id)
            .exists()
        )
        if (
            not instruction
            or instruction.resource_id not in self._get_commons_stewarded_resources()
        ):
            raise MissingError(request.env._("This instruction does not exist."))
        return instruction

    # -- Data of the page -----------------------------------------------------

    def _get_commons_submitted_bills(self, resources):
        """The draft bills of the resources waiting for their stewards, in
        the order they count against their envelopes."""
        Move = request.env["account.move"].sudo()
        return Move.search(
            [
                ("commons_resource_id", "in", resources.ids),
                *Move._get_commons_waiting_domain(),
            ],
            order=WAITING_BILLS_ORDER,
        )

    def _get_commons_bills_to_decide(self, resources):
        """The bills waiting for the session user's decision: those they may
        decide on and have not approved yet."""
        bills = self._get_commons_submitted_bills(resources)
        decisions = bills._get_commons_decision_values(request.env.user)
        return bills.filtered(
            lambda bill: not decisions[bill]["error"]
            and not decisions[bill]["approved_by_user"]
        )

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
        """What the steward's card of a waiting bill shows, and what its
        Approve and Reject forms carry: the bill's fingerprint as shown.

        :param decision: the bill's values of _get_commons_decision_values
        :param rules: the error of the rules of a bill that its approval
            would raise (see _get_commons_bill_errors), or None: the bill can
            then be rejected only
        """
        error = decision["error"]
        return {
            "bill": bill,
            "instruction": bill.commons_instruction_id,
            "file": files[bill.id],
            "remaining_after": left_after[bill],
            "approvals": decision["approvals"],
            "refusal": error and error.args[0],
            "approval_refusal": not error and rules and rules.args[0],
            "approved_by_me": decision["approved_by_user"],
            "fingerprint": not error and decision["fingerprint"],
        }

    def _prepare_commons_steward_values(self, resources):
        """Values of /my/commons: for each resource, its figures of the year,
        its bills waiting for the stewards, its instructions and its recent
        decisions."""
        year = fields.Date.context_today(request.env.user).year
        resources = resources.with_context(commons_year=year)
        bills = self._get_commons_submitted_bills(resources)
        decisions = bills._get_commons_decision_values(request.env.user)
        rules = bills._get_commons_bill_errors(approving=True)
        left_after = bills._get_commons_left_after()
        files = self._get_commons_bill_files(bills)
        Move = request.env["account.move"].sudo()
        sections = []
        for resource in resources:
            resource_bills = bills.filtered(
                lambda b, r=resource: b.commons_resource_id == r
            )
            bill_values = [
                self._prepare_commons_bill_values(
                    b, decisions[b], rules[b], left_after, files
                )
                for b in resource_bills
            ]
            sections.append(
                {
                    "resource": resource,
                    "bills": [v for v in bill_values if not v["approved_by_me"]],
                    "bills_approved_by_me": [
                        v for v in bill_values if v["approved_by_me"]
                    ],
                    "instructions": resource.instruction_ids.sorted(
                        lambda i: (STATE_RANK[i.state], i.date_start, i.id)
                    ),
                    "decisions": Move.search(
                        [
                            ("commons_resource_id", "=", resource.id),
                            ("move_type", "in", APPROVAL_MOVE_TYPES),
                            ("commons_bill_state", "in", ("approved", "rejected")),
                        ],
                        order="write_date desc, id desc",
                        limit=RECENT_DECISIONS,
                    ),
                }
            )
        return {"year": year, "sections": sections}

    def _pop_commons_notice(self):
        return request.session.pop(NOTICE_KEY, None)

    def _set_commons_notice(self, message, kind="success"):
        request.session[NOTICE_KEY] = {"type": kind, "message": message}

    def _commons_redirect(self, anchor=None):
        return request.redirect("/my/commons" + (f"#{anchor}" if anchor else ""))

    # -- Home -----------------------------------------------------------------

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "commons_approval_count" in counters:
            values["commons_approval_count"] = len(
                self._get_commons_bills_to_decide(
                    self._get_commons_stewarded_resources()
                )
            )
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

    @http.route("/my/commons", type="http", auth="user", website=True)
    def portal_my_commons(self, **kwargs):
        resources = self._get_commons_stewarded_resources()
        if not resources:
            return request.redirect("/my")
        values = self._prepare_portal_layout_values()
        values.update(self._prepare_commons_steward_values(resources))
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
            self._set_commons_notice(error.args[0], "danger")
            return self._commons_redirect(f"commons_bill_{bill.id}")
        self._set_commons_notice(
            request.env._("%(bill)s is approved.", bill=bill.ref or bill.display_name)
            if bill.commons_bill_state == "approved"
            else request.env._(
                "Your approval of %(bill)s is recorded: another steward must "
                "approve it too.",
                bill=bill.ref or bill.display_name,
            )
        )
        return self._commons_redirect()

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
            self._set_commons_notice(error.args[0], "danger")
            return self._commons_redirect(f"commons_bill_{bill.id}")
        self._set_commons_notice(
            request.env._(
                "%(bill)s is rejected: its contributor is told why.",
                bill=bill.ref or bill.display_name,
            )
        )
        return self._commons_redirect()

    # -- Allocation instructions ----------------------------------------------

    def _parse_commons_instruction_form(self, resource, post, instruction=None):
        """The instruction's values from the form, and the list of what is
        wrong with the input (the model checks the rest)."""
        errors = []
        values = {"name": (post.get("name") or "").strip()}
        if not values["name"]:
            errors.append(request.env._("Say what the envelope is for."))
        if not instruction:
            contributor = resource.contributor_ids.filtered(
                lambda p: str(p.id) == (post.get("contributor_id") or "")
            )
            if not contributor:
                errors.append(
                    request.env._("Choose one of the resource's contributors.")
                )
            values["contributor_id"] = contributor.id
        need_id = post.get("need_id")
        need = resource.need_ids.filtered(lambda n: str(n.id) == need_id)
        if need_id and not need:
            errors.append(request.env._("Choose one of the resource's needs."))
        values["need_id"] = need.id
        numbers = {}
        for name, label in (
            ("amount", request.env._("Envelope")),
            ("days", request.env._("Days")),
            ("daily_rate", request.env._("Daily rate")),
        ):
            raw = (post.get(name) or "").strip().replace(",", ".")
            try:
                numbers[name] = float(raw) if raw else 0.0
            except ValueError:
                errors.append(request.env._("%(field)s must be a number.", field=label))
                numbers[name] = 0.0
        if numbers["days"] and numbers["daily_rate"]:
            values.update(days=numbers["days"], daily_rate=numbers["daily_rate"])
        elif numbers["amount"]:
            values.update(days=0.0, daily_rate=0.0, amount=numbers["amount"])
        else:
            errors.append(
                request.env._(
                    "Give the envelope, or the days and the daily rate it pays."
                )
            )
        for name, label in (
            ("date_start", request.env._("Start")),
            ("date_end", request.env._("End")),
        ):
            raw = (post.get(name) or "").strip()
            try:
                values[name] = fields.Date.to_date(raw) if raw else False
            except ValueError:
                errors.append(
                    request.env._("%(field)s is not a valid date.", field=label)
                )
                values[name] = False
        values["date_start"] = values["date_start"] or fields.Date.context_today(
            request.env.user
        )
        return values, errors

    def _render_commons_instruction_form(self, resource, instruction, post, errors):
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "commons_steward",
                "commons_form": True,
                "resource": resource,
                "instruction": instruction,
                "contributors": resource.contributor_ids,
                # An envelope may serve a need of any year: latest first.
                "needs": resource.need_ids.sorted(lambda n: (-n.year, n.name)),
                "available": resource._get_commons_available(),
                "form": post,
                "errors": errors,
            }
        )
        return request.render(
            "compte_commun_communs.portal_my_commons_instruction", values
        )

    @http.route(
        "/my/commons/resources/<int:resource_id>/instructions/new",
        type="http",
        auth="user",
        website=True,
        methods=["GET", "POST"],
    )
    def portal_my_commons_instruction_new(self, resource_id, **post):
        try:
            resource = self._get_commons_steward_resource_sudo(resource_id)
        except MissingError:
            return request.redirect("/my")
        Instruction = request.env["commons.allocation.instruction"].sudo()
        if request.httprequest.method != "POST":
            today = fields.Date.context_today(request.env.user)
            return self._render_commons_instruction_form(
                resource, Instruction, {"date_start": str(today)}, []
            )
        values, errors = self._parse_commons_instruction_form(resource, post)
        if not errors:
            try:
                with request.env.cr.savepoint():
                    instruction = Instruction.create(
                        {**values, "resource_id": resource.id}
                    )
                    instruction.action_activate()
            except DECISION_ERRORS as error:
                errors.append(error.args[0])
        if errors:
            return self._render_commons_instruction_form(
                resource, Instruction, post, errors
            )
        self._set_commons_notice(
            request.env._(
                "The instruction %(reference)s is issued to %(contributor)s.",
                reference=instruction.reference,
                contributor=instruction.contributor_id.name,
            )
        )
        return self._commons_redirect(f"commons_resource_{resource.id}")

    @http.route(
        "/my/commons/instructions/<int:instruction_id>",
        type="http",
        auth="user",
        website=True,
        methods=["GET", "POST"],
    )
    def portal_my_commons_instruction(self, instruction_id, **post):
        """Edit a draft or an active instruction."""
        try:
            instruction = self._get_commons_steward_instruction_sudo(instruction_id)
        except MissingError:
            return request.redirect("/my")
        resource = instruction.resource_id
        if request.httprequest.method != "POST":
            form = {
                "name": instruction.name,
                "need_id": str(instruction.need_id.id or ""),
                "amount": instruction.amount,
                "days": instruction.days or "",
                "daily_rate": instruction.daily_rate or "",
                "date_start": str(instruction.date_start or ""),
                "date_end": str(instruction.date_end or ""),
            }
            return self._render_commons_instruction_form(
                resource, instruction, form, []
            )
        errors = []
        if instruction.state not in ("draft", "active"):
            errors.append(
                request.env._(
                    "A closed or cancelled instruction cannot change: issue a new one."
                )
            )
        else:
            values, errors = self._parse_commons_instruction_form(
                resource, post, instruction
            )
        if not errors:
            try:
                with request.env.cr.savepoint():
                    instruction.commons_update(values)
            except DECISION_ERRORS as error:
                errors.append(error.args[0])
        if errors:
            return self._render_commons_instruction_form(
                resource, instruction, post, errors
            )
        self._set_commons_notice(
            request.env._(
                "The instruction %(reference)s is updated.",
                reference=instruction.reference,
            )
        )
        return self._commons_redirect(f"commons_resource_{resource.id}")

    def _commons_instruction_action(self, instruction_id, method, done_message):
        """Call an action of the instruction; ``done_message(reference)`` is
        the notice shown when it succeeds."""
        try:
            instruction = self._get_commons_steward_instruction_sudo(instruction_id)
        except MissingError:
            return request.redirect("/my")
        try:
            with request.env.cr.savepoint():
                getattr(instruction, method)()
        except DECISION_ERRORS as error:
            self._set_commons_notice(error.args[0], "danger")
        else:
            self._set_commons_notice(done_message(instruction.reference))
        return self._commons_redirect(f"commons_resource_{instruction.resource_id.id}")

    @http.route(
        "/my/commons/instructions/<int:instruction_id>/activate",
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def portal_my_commons_instruction_activate(self, instruction_id, **kwargs):
        return self._commons_instruction_action(
            instruction_id,
            "action_activate",
            lambda ref: request.env._(
                "The instruction %(reference)s is issued.", reference=ref
            ),
        )

    @staticmethod
    def _parse_commons_ids(raw):
        """The ids a form carries as "1,2,3"; what is not an id is left out."""
        return [int(part) for part in (raw or "").split(",") if part.strip().isdigit()]

    def _commons_instruction_end(self, instruction_id, method, post, done_message):
        """Close or cancel an instruction (``method``: commons_close or
        commons_cancel). Its bills waiting for the stewards are shown first,
        with the reason to reject them that the model asks for, and the form
        carries the ids of those shown; without waiting bills, a POST ends it
        at once."""
        try:
            instruction = self._get_commons_steward_instruction_sudo(instruction_id)
        except MissingError:
            return request.redirect("/my")
        error = None
        if request.httprequest.method == "POST":
            rejected = instruction._get_commons_waiting_bills()
            try:
                with request.env.cr.savepoint():
                    getattr(instruction, method)(
                        post.get("reason"),
                        self._parse_commons_ids(post.get("bill_ids")),
                    )
            except DECISION_ERRORS as exc:
                error = exc.args[0]
            else:
                message = done_message(instruction.reference)
                if rejected:
                    message = request.env._(
                        "%(done)s Its %(count)s bills waiting for the stewards are "
                        "rejected: their contributors are told why.",
                        done=message,
                        count=len(rejected),
                    )
                self._set_commons_notice(message)
                return self._commons_redirect(
                    f"commons_resource_{instruction.resource_id.id}"
                )
            if not instruction._get_commons_waiting_bills():
                # Refused for another reason: say it on the stewards' page.
                self._set_commons_notice(error, "danger")
                return self._commons_redirect(
                    f"commons_resource_{instruction.resource_id.id}"
                )
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "commons_steward",
                "commons_form": True,
                "instruction": instruction,
                "resource": instruction.resource_id,
                "closing": method == "commons_close",
                "waiting": instruction._get_commons_waiting_bills(),
                "reason": post.get("reason") or "",
                "error": error,
            }
        )
        return request.render(
            "compte_commun_communs.portal_my_commons_instruction_end", values
        )

    @http.route(
        "/my/commons/instructions/<int:instruction_id>/close",
        type="http",
        auth="user",
        website=True,
        methods=["GET", "POST"],
    )
    def portal_my_commons_instruction_close(self, instruction_id, **post):
        return self._commons_instruction_end(
            instruction_id,
            "commons_close",
            post,
            lambda ref: request.env._(
                "The instruction %(reference)s is closed: what was left of its "
                "envelope is available again.",
                reference=ref,
            ),
        )

    @http.route(
        "/my/commons/instructions/<int:instruction_id>/cancel",
        type="http",
        auth="user",
        website=True,
        methods=["GET", "POST"],
    )
    def portal_my_commons_instruction_cancel(self, instruction_id, **post):
        return self._commons_instruction_end(
            instruction_id,
            "commons_cancel",
            post,
            lambda ref: request.env._(
                "The instruction %(reference)s is cancelled.", reference=ref
            ),
        )

# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, http
from odoo.exceptions import MissingError, UserError
from odoo.http import request
from odoo.tools.misc import formatLang

from .portal_steward import DECISION_ERRORS, CommonsStewardPortal


class CommonsStewardInstructionPortal(CommonsStewardPortal):
    """The steward's form of the allocation instructions of the resources they
    steward: issue one, edit, activate, close or cancel it. Each change is a
    model method that checks again who calls it."""

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
        intake = request.env["commons.bill.intake"]
        currency = resource.currency_id
        numbers = {}
        for name, label, rounding in (
            ("amount", request.env._("Envelope"), currency),
            ("days", request.env._("Days"), None),
            ("daily_rate", request.env._("Daily rate"), currency),
        ):
            try:
                numbers[name] = intake._parse_commons_amount(post.get(name), rounding)
            except UserError:
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
            try:
                values[name] = intake._parse_commons_date(post.get(name))
            except UserError:
                errors.append(
                    request.env._("%(field)s is not a valid date.", field=label)
                )
                values[name] = False
        values["date_start"] = values["date_start"] or fields.Date.context_today(
            request.env.user
        )
        return values, errors

    @staticmethod
    def _format_commons_number(value):
        """A number as the form shows it, in the user's language ("1 500,00"
        in French), or nothing for none."""
        if not value:
            return ""
        return formatLang(request.env, value, digits=2)

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
                "amount": self._format_commons_number(instruction.amount),
                "days": self._format_commons_number(instruction.days),
                "daily_rate": self._format_commons_number(instruction.daily_rate),
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

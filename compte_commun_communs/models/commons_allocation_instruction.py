# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.osv import expression
from odoo.tools import SQL, float_compare
from odoo.tools.misc import format_date, formatLang

from .account_move_commons_bill import WAITING_BILLS_ORDER
from .ledger import lock_rows


class CommonsAllocationInstruction(models.Model):
    """A steward's decision to give a contributor an envelope from a resource's
    funds for a purpose: the contributor's bills consume it once approved."""

    _name = "commons.allocation.instruction"
    _description = "Allocation Instruction"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_start desc, id desc"
    _check_company_auto = True

    name = fields.Char(string="Purpose", required=True, tracking=True)
    reference = fields.Char(readonly=True, copy=False, default="/")
    resource_id = fields.Many2one(
        "commons.resource",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        ondelete="restrict",
    )
    company_id = fields.Many2one(
        related="resource_id.company_id", store=True, index=True, precompute=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    contributor_id = fields.Many2one(
        "res.partner",
        required=True,
        index=True,
        tracking=True,
        domain="[('id', 'in', allowed_contributor_ids)]",
        ondelete="restrict",
    )
    allowed_contributor_ids = fields.Many2many(
        related="resource_id.contributor_ids", string="Allowed Contributors"
    )
    need_id = fields.Many2one(
        "commons.resource.need",
        string="Need",
        tracking=True,
        domain="[('resource_id', '=', resource_id)]",
        help="The need of the year this envelope serves, if any.",
    )
    days = fields.Float(
        digits=(16, 2), tracking=True, help="Days of work the envelope pays for."
    )
    daily_rate = fields.Monetary(
        currency_field="currency_id",
        tracking=True,
        help="Rate of a day of work, before VAT.",
    )
    amount = fields.Monetary(
        string="Envelope",
        currency_field="currency_id",
        compute="_compute_amount",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
        help="The most the contributor's approved bills may consume.",
    )
    date_start = fields.Date(
        string="Start",
        required=True,
        default=fields.Date.context_today,
        tracking=True,
    )
    date_end = fields.Date(string="End", tracking=True)
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("active", "Active"),
            ("closed", "Closed"),
            ("cancel", "Cancelled"),
        ],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
    )
    steward_id = fields.Many2one(
        "res.partner",
        string="Issued By",
        readonly=True,
        copy=False,
        help="The steward who made the instruction active.",
    )
    date_activated = fields.Datetime(string="Issued On", readonly=True, copy=False)
    bill_ids = fields.One2many(
        "account.move", "commons_instruction_id", string="Bills", readonly=True
    )
    date_bills_until = fields.Date(
        string="Bills Accepted Until",
        compute="_compute_date_bills_until",
        store=True,
        help="The end of the period and the host's grace period for late bills, "
        "as it was when the end was set: after it, the instruction takes no bill "
        "and what is left of its envelope is no longer committed.",
    )
    bill_count = fields.Integer(compute="_compute_consumption")
    amount_consumed = fields.Monetary(
        string="Consumed",
        currency_field="currency_id",
        compute="_compute_consumption",
        help="What the approved and posted bills of the instruction consume.",
    )
    amount_remaining = fields.Monetary(
        string="Remaining",
        currency_field="currency_id",
        compute="_compute_consumption",
        help="What is left of the envelope while the instruction takes bills "
        "(active, and its period or grace period for late bills not over): what "
        "it commits of the resource's funds.",
    )
    waiting_bill_count = fields.Integer(
        string="Bills Waiting", compute="_compute_consumption"
    )
    amount_waiting = fields.Monetary(
        string="Waiting",
        currency_field="currency_id",
        compute="_compute_consumption",
        help="What the bills waiting for the stewards ask of the envelope.",
    )
    amount_left = fields.Monetary(
        string="Left to Bill",
        currency_field="currency_id",
        compute="_compute_consumption",
        help="What the contributor may still bill: the remaining envelope less the "
        "bills waiting for the stewards, while the instruction takes bills.",
    )

    @api.depends("days", "daily_rate")
    def _compute_amount(self):
        for instruction in self:
            if instruction.days and instruction.daily_rate:
                instruction.amount = instruction.currency_id.round(
                    instruction.days * instruction.daily_rate
                )

    # Deliberately not on the host's grace period: a change of the setting
    # applies to the ends set from then on. Raised, it would make ended
    # envelopes commit again unchecked against the funds; lowered, it would
    # strand the late bills already waiting.
    @api.depends("date_end")
    def _compute_date_bills_until(self):
        for instruction in self:
            instruction.date_bills_until = instruction.date_end and (
                instruction.date_end
                + timedelta(days=instruction.company_id.commons_instruction_grace_days)
            )

    @api.depends(
        "amount",
        "state",
        "date_bills_until",
        "bill_ids.state",
        "bill_ids.commons_bill_state",
        "bill_ids.amount_total_signed",
        "bill_ids.amount_untaxed_signed",
    )
    def _compute_consumption(self):
        amounts = self._get_bill_amounts()
        for instruction in self:
            values = amounts.get(instruction._origin.id, {})
            instruction.amount_consumed = values.get("consumed", 0.0)
            instruction.amount_waiting = values.get("waiting", 0.0)
            instruction.waiting_bill_count = values.get("waiting_count", 0)
            instruction.bill_count = values.get("count", 0)
            # Once it takes no more bills, its remainder is promised to nobody.
            billable = instruction._is_commons_billable()
            instruction.amount_remaining = (
                max(0.0, instruction.amount - instruction.amount_consumed)
                if billable
                else 0.0
            )
            instruction.amount_left = (
                max(0.0, instruction.amount_remaining - instruction.amount_waiting)
                if billable
                else 0.0
            )

    @api.constrains("amount", "days", "daily_rate")
    def _check_amount(self):
        for instruction in self:
            if (
                float_compare(
                    instruction.amount,
                    0.0,
                    precision_rounding=instruction.currency_id.rounding,
                )
                <= 0
            ):
                raise ValidationError(
                    self.env._(
                        "The envelope of “%(purpose)s” must be more than zero.",
                        purpose=instruction.name,
                    )
                )
            if instruction.days < 0 or instruction.daily_rate < 0:
                raise ValidationError(
                    self.env._("Days and daily rate cannot be negative.")
                )

    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        for instruction in self:
            if instruction.date_end and instruction.date_end < instruction.date_start:
                raise ValidationError(
                    self.env._(
                        "The instruction “%(purpose)s” ends before it starts.",
                        purpose=instruction.name,
                    )
                )

    @api.constrains("contributor_id", "resource_id", "need_id")
    def _check_contributor(self):
        for instruction in self:
            if (
                instruction.contributor_id
                not in instruction.resource_id.contributor_ids
            ):
                raise ValidationError(
                    self.env._(
                        "%(contributor)s is not a contributor of %(resource)s: add "
                        "them to the resource's contributors first.",
                        contributor=instruction.contributor_id.display_name,
                        resource=instruction.resource_id.display_name,
                    )
                )
            if (
                instruction.need_id
                and instruction.need_id.resource_id != instruction.resource_id
            ):
                raise ValidationError(
                    self.env._("The need must be one of the resource's needs.")
                )

    # -- The rules' fields: another addon extends them -------------------------

    @api.model
    def _get_commons_steward_fields(self):
        """Written by the instruction's own methods only (as superuser, after
        checking that a steward of the resource calls them), never by a write
        over RPC."""
        return {"state", "steward_id", "date_activated"}

    @api.model
    def _get_commons_active_fields(self):
        """What an active instruction changes only by its steward's hand."""
        return {
            "resource_id",
            "contributor_id",
            "amount",
            "days",
            "daily_rate",
            "name",
            "need_id",
            "date_start",
            "date_end",
            "company_id",
        }

    @api.model
    def _get_commons_steward_editable_fields(self):
        """What a steward edits of an instruction from their portal."""
        return {
            "name",
            "need_id",
            "amount",
            "days",
            "daily_rate",
            "date_start",
            "date_end",
        }

    @api.model
    def _get_commons_issued_fields(self):
        """Whom and what an issued instruction is for: it changes by a new one
        only."""
        return {"resource_id", "contributor_id", "company_id"}

    @api.model
    def _get_commons_envelope_fields(self):
        """What makes the envelope a promise: a change is checked against the
        resource's funds (a later end makes an ended envelope commit again)."""
        return {"amount", "days", "daily_rate", "resource_id", "date_end"}

    @api.model_create_multi
    def create(self, vals_list):
        steward_fields = self._get_commons_steward_fields()
        if not self.env.su and any(steward_fields & vals.keys() for vals in vals_list):
            raise AccessError(
                self.env._("An instruction is made active by a steward only.")
            )
        sequence = self.env["ir.sequence"].sudo()
        for vals in vals_list:
            if vals.get("reference", "/") == "/":
                # Numbered in the year it starts: CONS-2023-… for 2023's work.
                vals["reference"] = sequence.next_by_code(
                    "commons.allocation.instruction",
                    sequence_date=vals.get("date_start"),
                )
        return super().create(vals_list)

    def write(self, vals):
        envelope_fields = self._get_commons_envelope_fields()
        if not self.env.su:
            if self._get_commons_steward_fields() & vals.keys():
                raise AccessError(
                    self.env._(
                        "The state of an instruction changes by its buttons only."
                    )
                )
            if self._get_commons_active_fields() & vals.keys():
                if any(i.state in ("closed", "cancel") for i in self):
                    raise UserError(
                        self.env._(
                            "A closed or cancelled instruction cannot change: "
                            "issue a new one."
                        )
                    )
                self.filtered(lambda i: i.state == "active")._check_steward()
            self._check_issued_fields(vals)
        active = self.filtered(lambda i: i.state == "active")
        if envelope_fields & vals.keys() and active:
            active.resource_id._lock_commons_funds()
        res = super().write(vals)
        if (envelope_fields | {"state"}) & vals.keys():
            self.filtered(lambda i: i.state == "active")._check_envelope()
        return res

    def _check_issued_fields(self, vals):
        """An issued instruction stays with its resource and its contributor:
        its stewards decided it for them."""
        for instruction in self.filtered(lambda i: i.state != "draft"):
            for name in self._get_commons_issued_fields() & vals.keys():
                if instruction[name].id != vals[name]:
                    raise UserError(
                        self.env._(
                            "“%(purpose)s” is issued: its resource and its "
                            "contributor cannot change, issue a new one.",
                            purpose=instruction.name,
                        )
                    )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_issued(self):
        if any(instruction.state != "draft" for instruction in self):
            raise UserError(
                self.env._(
                    "An issued instruction cannot be deleted: close or cancel it."
                )
            )

    def action_activate(self):
        """Issue the instruction: a steward of the resource only."""
        self._check_steward()
        for instruction in self:
            if instruction.state != "draft":
                raise UserError(
                    self.env._(
                        "Only a draft instruction can be issued: “%(purpose)s” is "
                        "%(state)s.",
                        purpose=instruction.name,
                        state=instruction._get_state_label(),
                    )
                )
        self.resource_id._lock_commons_funds()
        self.sudo().write(
            {
                "state": "active",
                "steward_id": self.env.user.partner_id.id,
                "date_activated": fields.Datetime.now(),
            }
        )
        return True

    def action_close(self):
        """Close the instruction (a button): refused while bills wait for the
        stewards, whose portal asks what becomes of them (see commons_close)."""
        return self.commons_close()

    def action_cancel(self):
        """Cancel the instruction (a button): see commons_cancel."""
        return self.commons_cancel()

    def commons_update(self, vals):
        """A steward edits a draft or an active instruction (the portal calls
        it as superuser; the caller is checked here): its purpose, need,
        envelope and period only, within the resource's funds."""
        self._check_steward()
        refused = vals.keys() - self._get_commons_steward_editable_fields()
        if refused:
            raise AccessError(
                self.env._(
                    "A steward cannot change %(fields)s of an instruction.",
                    fields=", ".join(sorted(refused)),
                )
            )
        if any(instruction.state in ("closed", "cancel") for instruction in self):
            raise UserError(
                self.env._(
                    "A closed or cancelled instruction cannot change: issue a new one."
                )
            )
        # write() locks the resource and checks the envelope of an active one.
        self.sudo().write(vals)
        return True

    def commons_close(self, reject_reason=None, bill_ids=None):
        """Close the instruction: what is left of its envelope is free again.
        Its bills still waiting for the stewards are rejected with
        ``reject_reason``, which their contributors read: without one, it is
        refused while bills wait, so that no bill is left that can be neither
        approved nor rejected. ``bill_ids`` are the ids of the waiting bills
        the steward was shown: it is refused when others wait, so that no
        bill is rejected that she never saw."""
        self._check_steward()
        if any(instruction.state != "active" for instruction in self):
            raise UserError(self.env._("Only an active instruction can be closed."))
        self._reject_commons_waiting_bills(reject_reason, bill_ids)
        self.sudo().write({"state": "closed"})
        return True

    def commons_cancel(self, reject_reason=None, bill_ids=None):
        """Cancel a draft instruction, or an active one none of whose bills
        was approved; its waiting bills (``bill_ids``, as shown) are rejected
        as commons_close does. The accountant may cancel a draft it made."""
        self._check_steward(drafts_too=False)
        for instruction in self:
            if instruction.state not in ("draft", "active"):
                raise UserError(
                    self.env._("This instruction is already closed or cancelled.")
                )
            if instruction.bill_ids.filtered(
                lambda bill: bill.state == "posted"
                or bill.commons_bill_state == "approved"
            ):
                raise UserError(
                    self.env._(
                        "“%(purpose)s” has approved bills: close it instead.",
                        purpose=instruction.name,
                    )
                )
        self._reject_commons_waiting_bills(reject_reason, bill_ids)
        self.sudo().write({"state": "cancel"})
        return True

    def _reject_commons_waiting_bills(self, reason, bill_ids):
        """Reject, as the current steward, the bills of the instructions that
        wait for the stewards, with ``reason``; raise when some wait and no
        reason is given, or when they are not the bills ``bill_ids`` the
        steward was shown."""
        waiting = self._get_commons_waiting_bills()
        if not waiting:
            return
        reason = (reason or "").strip()
        if not reason:
            raise UserError(
                self.env._(
                    "Bills wait for the stewards against “%(purpose)s” (%(bills)s): "
                    "say why they are rejected as it ends (their contributors read "
                    "it), or decide on them first.",
                    purpose=", ".join(waiting.commons_instruction_id.mapped("name")),
                    bills=", ".join(bill.ref or bill.display_name for bill in waiting),
                )
            )
        if set(bill_ids or ()) != set(waiting.ids):
            raise UserError(
                self.env._(
                    "The bills waiting against “%(purpose)s” changed since you "
                    "opened the page (a bill arrived, or one was decided): read "
                    "them again before they are rejected.",
                    purpose=", ".join(waiting.commons_instruction_id.mapped("name")),
                )
            )
        for decision in waiting._get_commons_decision_values(self.env.user).values():
            if decision["error"]:
                raise decision["error"]
        waiting._do_commons_reject(reason)

    def _check_steward(self, drafts_too=True):
        """Raise unless the current user is a steward of each instruction's
        resource, whose login may decide. An accountant may draft or cancel a
        draft."""
        user = self.env.user
        partner = user.partner_id
        checked = False
        for instruction in self:
            if not drafts_too and instruction.state == "draft":
                continue
            if partner not in instruction.resource_id.sudo().steward_ids:
                raise AccessError(
                    self.env._(
                        "Only a steward of %(resource)s decides on its allocation "
                        "instructions.",
                        resource=instruction.resource_id.sudo().display_name,
                    )
                )
            checked = True
        if checked:
            user._check_commons_decision_login()

    def _check_envelope(self):
        """An active envelope never exceeds what its resource has available, nor
        falls below what its bills already consume."""
        for instruction in self:
            rounding = instruction.currency_id.rounding
            if (
                float_compare(
                    instruction.amount,
                    instruction.amount_consumed,
                    precision_rounding=rounding,
                )
                < 0
            ):
                raise ValidationError(
                    self.env._(
                        "The envelope of “%(purpose)s” cannot be less than what its "
                        "bills already consume (%(consumed)s).",
                        purpose=instruction.name,
                        consumed=instruction._format_amount(
                            instruction.amount_consumed
                        ),
                    )
                )
        available_amounts = self.resource_id._get_commons_available_amounts()
        for resource in self.resource_id:
            available = available_amounts[resource.id]
            if (
                float_compare(
                    available, 0.0, precision_rounding=resource.currency_id.rounding
                )
                < 0
            ):
                instruction = self.filtered(lambda i, r=resource: i.resource_id == r)
                raise ValidationError(
                    self.env._(
                        "%(resource)s does not have the funds for this envelope: "
                        "%(available)s are available before it.",
                        resource=resource.display_name,
                        available=instruction[:1]._format_amount(
                            available + sum(instruction.mapped("amount_remaining"))
                        ),
                    )
                )

    def _lock_commons_envelope(self):
        """Lock the instructions' rows before an approval is checked against
        their envelope."""
        lock_rows(self)

    def _get_bill_amounts(self):
        """What the bills of each instruction consume (approved or posted) and
        hold while they wait for the stewards (a waiting credit note holds
        nothing: it gives back once approved), and how many bills it has,
        summed in one query without reading the bills: the rules of
        account.move._get_commons_consumed_amount and
        _get_commons_waiting_amount, in SQL.

        :return: {instruction id: {"consumed": amount, "waiting": amount,
            "waiting_count": int, "count": int}}, amounts in the company's
            currency
        """
        ids = [i for i in self._origin.ids if i]
        if not ids:
            return {}
        Move = self.env["account.move"].sudo()
        query = Move._search([("commons_instruction_id", "in", ids)])
        consuming = Move._where_calc(
            expression.OR(
                [
                    [("state", "=", "posted")],
                    [("state", "=", "draft"), ("commons_bill_state", "=", "approved")],
                ]
            )
        ).where_clause
        waiting = Move._where_calc(Move._get_commons_waiting_domain()).where_clause
        instruction = Move._field_to_sql(query.table, "commons_instruction_id", query)
        amount = Move._get_commons_consumed_amount_sql(query)
        query.groupby = instruction
        rows = self.env.execute_query(
            query.select(
                instruction,
                SQL("SUM(%s) FILTER (WHERE %s)", amount, consuming),
                SQL("SUM(GREATEST(%s, 0)) FILTER (WHERE %s)", amount, waiting),
                SQL("COUNT(*) FILTER (WHERE %s)", waiting),
                SQL("COUNT(*)"),
            )
        )
        return {
            instruction_id: {
                "consumed": consumed or 0.0,
                "waiting": waiting_amount or 0.0,
                "waiting_count": waiting_count,
                "count": count,
            }
            for instruction_id, consumed, waiting_amount, waiting_count, count in rows
        }

    def _get_commons_waiting_bills(self):
        """The instructions' bills waiting for the stewards' decision, as
        superuser, in the order they count against the envelope."""
        Move = self.env["account.move"].sudo()
        return Move.search(
            [
                ("commons_instruction_id", "in", self.ids),
                *Move._get_commons_waiting_domain(),
            ],
            order=WAITING_BILLS_ORDER,
        )

    @api.model
    def _get_commons_committing_domain(self, date=None):
        """The instructions that still hold their envelope on ``date`` (today
        by default): active, and not past the day they accept bills until
        (their end and the grace period for late bills of when it was set).
        Bills go against these only, and what is left of their envelope is
        committed.

        :return: a domain on commons.allocation.instruction
        """
        # The server's day: a grace period counts in days, and the figures
        # need no user's timezone.
        date = date or fields.Date.today()
        return [
            ("state", "=", "active"),
            "|",
            ("date_bills_until", "=", False),
            ("date_bills_until", ">=", date),
        ]

    def _is_commons_billable(self, date=None):
        """Whether the instruction takes bills on ``date`` (today by default):
        the record's side of _get_commons_committing_domain."""
        self.ensure_one()
        date = date or fields.Date.today()
        return self.state == "active" and (
            not self.date_bills_until or date <= self.date_bills_until
        )

    def _get_commons_status(self):
        """How the instruction reads to its stewards and to its contributor,
        the same on both portals.

        :return: {"code": draft|active|late|ended|closed|cancel, "label": str,
            "until": the last day bills are accepted, or False}
        """
        self.ensure_one()
        code = self.state
        today = fields.Date.today()
        if code == "active" and self.date_end and self.date_end < today:
            code = "late" if self._is_commons_billable() else "ended"
        if code == "late":
            label = self.env._(
                "Ended: late bills until %(date)s",
                date=format_date(self.env, self.date_bills_until),
            )
        elif code == "ended":
            label = self.env._("Ended")
        else:
            label = self._get_state_label()
        return {
            "code": code,
            "label": label,
            "until": code in ("active", "late") and self.date_bills_until,
        }

    def _get_state_label(self):
        self.ensure_one()
        return dict(self._fields["state"]._description_selection(self.env))[self.state]

    def _format_amount(self, amount):
        self.ensure_one()
        return formatLang(self.env, amount, currency_obj=self.currency_id)

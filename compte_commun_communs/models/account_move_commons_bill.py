# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import hashlib
import json

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, float_compare
from odoo.tools.misc import format_date, formatLang
from odoo.tools.sql import create_index

# A contributor's documents that spend a resource's funds, or give them back
# (a credit note): they need a steward's approval before they touch the ledger.
APPROVAL_MOVE_TYPES = ("in_invoice", "in_refund", "in_receipt")
# The order of the bills waiting for the stewards: each counts against its
# envelope after the ones before it.
WAITING_BILLS_ORDER = "invoice_date, id"
# The commons status of a posted bill, by its payment state (any other:
# "posted", to pay).
POSTED_STATUSES = {
    "partial": "partial",
    "in_payment": "in_payment",
    "paid": "paid",
    "invoicing_legacy": "paid",
    "reversed": "reversed",
}
# States in which the contributor may still correct or withdraw the bill: read
# through account.move._get_commons_correctable_states, which an addon extends.
CORRECTABLE_STATES = ("submitted", "rejected", "returned")


class AccountMove(models.Model):
    """A contributor's bill to the host, charged to a commons resource: its
    stewards approve it before the host posts and pays it."""

    _inherit = "account.move"  # pylint: disable=consider-merging-classes-inherited

    commons_resource_id = fields.Many2one(
        "commons.resource",
        string="Commons Resource",
        compute="_compute_commons_resource_id",
        store=True,
        index=True,
        help="The resource whose analytic account the bill's lines carry.",
    )
    commons_instruction_id = fields.Many2one(
        "commons.allocation.instruction",
        string="Allocation Instruction",
        index=True,
        copy=False,
        tracking=True,
        check_company=True,
        domain="[('state', '=', 'active'), ('company_id', '=', company_id)]",
        help="The steward's instruction whose envelope the bill consumes.",
    )
    commons_bill_state = fields.Selection(
        [
            ("draft", "To Submit"),
            ("submitted", "Waiting for Stewards"),
            ("approved", "Approved"),
            ("rejected", "Rejected"),
            ("returned", "Sent Back"),
            ("withdrawn", "Withdrawn"),
        ],
        string="Stewards' Approval",
        readonly=True,
        copy=False,
        index=True,
        tracking=True,
    )
    commons_status = fields.Selection(
        [
            ("draft", "To Submit"),
            ("submitted", "Waiting for Stewards"),
            ("approved", "Approved, to Post"),
            ("rejected", "Rejected"),
            ("returned", "Sent Back"),
            ("withdrawn", "Withdrawn"),
            ("posted", "Posted, to Pay"),
            ("partial", "Partly Paid"),
            ("in_payment", "In Payment"),
            ("paid", "Paid"),
            ("reversed", "Reversed"),
            ("cancel", "Cancelled"),
        ],
        compute="_compute_commons_status",
        store=True,
        index=True,
        readonly=True,
        copy=False,
        help="Where a contributor's bill charged to a commons resource stands, "
        "from its stewards' approval to its payment: one field that lists, "
        "filters and reports read. Empty on any other move.",
    )
    commons_state_reason = fields.Text(
        string="Reason",
        readonly=True,
        copy=False,
        help="Why the bill was rejected by a steward or sent back by the host.",
    )
    commons_submitted_by_id = fields.Many2one(
        "res.users", string="Submitted By", readonly=True, copy=False
    )
    commons_approval_ids = fields.One2many(
        "commons.bill.approval",
        "move_id",
        string="Approvals",
        readonly=True,
        copy=False,
    )
    commons_approvals_needed = fields.Integer(
        string="Approvals Needed",
        compute="_compute_commons_approvals_needed",
        help="How many different stewards must approve the bill: two above the "
        "resource's threshold, else one.",
    )

    def init(self):
        res = super().init()
        # A contributor's portal reads their bills by their commercial partner,
        # latest first, which Odoo does not index: without it, every vendor
        # bill is read (or every move, by date).
        create_index(
            self.env.cr,
            "account_move_commons_contributor_index",
            self._table,
            ["commercial_partner_id", "invoice_date", "id"],
            where="commons_resource_id IS NOT NULL",
        )
        return res

    @api.depends(
        "line_ids.analytic_distribution", "invoice_line_ids.analytic_distribution"
    )
    def _compute_commons_resource_id(self):
        resources = self._get_commons_resources_by_move()
        for move in self:
            move.commons_resource_id = resources[move][:1]

    @api.depends(
        "move_type",
        "commons_resource_id",
        "state",
        "commons_bill_state",
        "payment_state",
    )
    def _compute_commons_status(self):
        # As hr.expense.sheet's state: the stewards' decision until the bill
        # is posted, then where its payment stands.
        for move in self:
            if (
                move.move_type not in APPROVAL_MOVE_TYPES
                or not move.commons_resource_id
            ):
                move.commons_status = False
            elif move.state == "cancel":
                move.commons_status = (
                    "withdrawn" if move.commons_bill_state == "withdrawn" else "cancel"
                )
            elif move.state == "posted":
                move.commons_status = POSTED_STATUSES.get(move.payment_state, "posted")
            else:
                move.commons_status = move.commons_bill_state or "draft"

    @api.depends(
        "commons_resource_id.commons_double_approval_amount",
        "amount_total_signed",
        "amount_untaxed_signed",
    )
    def _compute_commons_approvals_needed(self):
        for move in self:
            threshold = move.commons_resource_id.sudo().commons_double_approval_amount
            move.commons_approvals_needed = (
                2
                if threshold
                and float_compare(
                    move._get_commons_consumed_amount(),
                    threshold,
                    precision_rounding=move.company_currency_id.rounding,
                )
                > 0
                else 1
            )

    # -- The rules' fields and states: another addon extends them -------------

    @api.model
    def _get_commons_pipeline_fields(self):
        """The stewards' approval of a bill: written by the bill's own methods
        only (as superuser, after checking who calls them), never by a write
        over RPC or in the backend."""
        return {
            "commons_bill_state",
            "commons_state_reason",
            "commons_submitted_by_id",
            "commons_approval_ids",
        }

    @api.model
    def _get_commons_derived_fields(self):
        """What a bill's lines and states make of it: its resource and its
        status. Stored, so that lists, rules and figures read them, and never
        written: a bill filed under another resource would go to other
        stewards, a status written would show a bill paid that is not."""
        return {"commons_resource_id", "commons_status"}

    @api.model
    def _check_commons_written_fields(self, vals):
        """Refuse, to anyone but the bill's own methods (as superuser), a
        write of the stewards' approval or of what derives from the bill."""
        if self.env.su:
            return
        if self._get_commons_pipeline_fields() & vals.keys():
            raise AccessError(self._commons_pipeline_error())
        if self._get_commons_derived_fields() & vals.keys():
            raise AccessError(
                self.env._(
                    "A bill's resource follows from the analytic distribution "
                    "of its lines, and its status from its approval, posting "
                    "and payment: neither is written."
                )
            )

    @api.model
    def _get_commons_bookkeeping_fields(self):
        """Odoo's own bookkeeping of a move, which no steward approves: a
        write of these alone never makes an approval lapse (Odoo writes
        ``checked`` on each move it posts, its dirty flags on each move it
        syncs, and the payments it links to each bill it pays; what pays a
        bill is checked by the guards of money out)."""
        return {
            "checked",
            "needed_terms_dirty",
            "posted_before",
            "is_move_sent",
            "matched_payment_ids",
        }

    @api.model
    def _get_commons_correctable_states(self):
        """The stewards' states in which the contributor may still correct or
        withdraw the bill."""
        return CORRECTABLE_STATES

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_commons_written_fields(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._check_commons_written_fields(vals)
        res = super().write(vals)
        if (
            "state" not in vals or vals["state"] == "draft"
        ) and not vals.keys() <= self._get_commons_bookkeeping_fields():
            self._lapse_commons_approvals()
        return res

    # -- The contributor's and the stewards' actions ------------------------
    # Buttons (action_*) take no argument. A decision that carries what the
    # steward read or typed (the bill's fingerprint, a reason) is a commons_*
    # method, which the portal calls and RPC may call: each checks who calls.

    def action_commons_submit(self):
        """Submit the bill to the stewards of its resource, who are emailed.
        The contributor calls it from the portal; the host's accountant may
        submit a bill it recorded for them (the backend's Submit button). The
        same rules hold on both paths: see _check_commons_bill."""
        for bill in self:
            bill._check_commons_submitter()
            if bill.state != "draft" or bill.commons_bill_state not in (
                False,
                "draft",
                *self._get_commons_correctable_states(),
            ):
                raise UserError(
                    self.env._(
                        "%(bill)s cannot be submitted: it is %(state)s.",
                        bill=bill.display_name,
                        state=bill._get_commons_status_label(),
                    )
                )
            bill._check_commons_bill()
            bill._check_commons_envelope_left()
            bill.sudo().write(
                {
                    "commons_bill_state": "submitted",
                    "commons_state_reason": False,
                    "commons_submitted_by_id": self.env.user.id,
                }
            )
            bill._notify_commons_stewards()
        return True

    def commons_approve(self, fingerprint):
        """Approve the bill as a steward of its resource, as it was shown to
        them: ``fingerprint`` is the bill's _get_commons_fingerprint() when
        they read it (the portal's form carries it); a bill that changed since
        is refused. Two different stewards approve a bill above the resource's
        threshold. Checks who calls (``env.user``, also under sudo), the rules
        of a bill and what its envelope or resource has left."""
        self.ensure_one()
        decision = self._check_commons_approver()
        self._check_commons_fingerprint(fingerprint, decision["fingerprint"])
        self._check_commons_new_approval(decision)
        self._check_commons_bill(approving=True)
        self._lock_commons_funds()
        self._check_commons_funds()
        self._do_commons_approve(fingerprint)
        return True

    def commons_reject(self, fingerprint, reason):
        """Reject the bill as a steward of its resource, as it was shown to
        them (see commons_approve), with a reason the contributor reads. A
        waiting bill can always be rejected: only who decides is checked, not
        the rules of a bill (its instruction may have ended)."""
        self.ensure_one()
        reason = self._get_commons_rejection_reason(reason)
        decision = self._check_commons_approver()
        self._check_commons_fingerprint(fingerprint, decision["fingerprint"])
        self._do_commons_reject(reason)
        return True

    def commons_send_back(self, reason):
        """The host sends the bill back to its contributor (a missing legal
        mention, a wrong VAT): any approval is withdrawn."""
        reason = (reason or "").strip()
        if not reason:
            raise UserError(self.env._("Say why the bill is sent back."))
        if not self.env.user.has_group("account.group_account_invoice"):
            raise AccessError(
                self.env._("Only the host's accountant sends a bill back.")
            )
        for bill in self:
            if bill.state != "draft" or bill.commons_bill_state not in (
                "submitted",
                "approved",
            ):
                raise UserError(
                    self.env._(
                        "Only a draft bill waiting for the stewards or approved "
                        "can be sent back."
                    )
                )
            bill._set_commons_decision("returned", reason)
            bill.sudo().message_post(
                body=self.env._(
                    "Sent back to the contributor by %(user)s: %(reason)s",
                    user=self.env.user.name,
                    reason=reason,
                ),
                subtype_xmlid="mail.mt_note",
            )
            bill._notify_commons_contributor("returned")
        return True

    def action_commons_withdraw(self):
        """The contributor withdraws a bill not approved yet: it is cancelled."""
        for bill in self:
            bill._check_commons_submitter()
            if (
                bill.state != "draft"
                or bill.commons_bill_state not in self._get_commons_correctable_states()
            ):
                raise UserError(
                    self.env._(
                        "%(bill)s can no longer be withdrawn: it is %(state)s.",
                        bill=bill.display_name,
                        state=bill._get_commons_status_label(),
                    )
                )
            bill.sudo().write({"commons_bill_state": "withdrawn"})
            bill.sudo().button_cancel()
            bill.sudo().message_post(
                body=self.env._(
                    "Withdrawn by %(user)s.", user=self.env.user.partner_id.name
                ),
                author_id=self.env.user.partner_id.id,
                subtype_xmlid="mail.mt_note",
            )
        return True

    def _do_commons_approve(self, fingerprint):
        """Record the current steward's approval of the bill as ``fingerprint``
        says it is, once checked (see commons_approve)."""
        self.ensure_one()
        user = self.env.user
        self.env["commons.bill.approval"].sudo().create(
            {
                "move_id": self.id,
                "user_id": user.id,
                "partner_id": user.partner_id.id,
                "amount": self._get_commons_consumed_amount(),
                "fingerprint": fingerprint,
            }
        )
        approvals = self._get_commons_valid_approvals(fingerprint)
        approved = len(approvals.partner_id) >= self.commons_approvals_needed
        if approved:
            self.sudo().write({"commons_bill_state": "approved"})
        resource = self.commons_resource_id.sudo().name
        self.sudo().message_post(
            body=self.env._(
                "Approved by %(steward)s, steward of %(resource)s.",
                steward=user.partner_id.name,
                resource=resource,
            )
            if approved
            else self.env._(
                "First approval by %(steward)s, steward of %(resource)s: the "
                "bill needs the approval of another steward.",
                steward=user.partner_id.name,
                resource=resource,
            ),
            author_id=user.partner_id.id,
            subtype_xmlid="mail.mt_note",
        )
        if approved:
            self._notify_commons_contributor("approved")

    def _do_commons_reject(self, reason):
        """Reject the bills as the current steward, once checked (see
        commons_reject; closing an instruction rejects its waiting bills)."""
        for bill in self:
            bill._set_commons_decision("rejected", reason)
            bill.sudo().message_post(
                body=self.env._(
                    "Rejected by %(steward)s, steward of %(resource)s: %(reason)s",
                    steward=self.env.user.partner_id.name,
                    resource=bill.commons_resource_id.sudo().name,
                    reason=reason,
                ),
                author_id=self.env.user.partner_id.id,
                subtype_xmlid="mail.mt_note",
            )
            bill._notify_commons_contributor("rejected")

    def _wait_for_second_commons_approval(self):
        """The approved bills among these that their resource's threshold,
        lowered, now puts above it wait for a second steward's approval: they
        are waiting for the stewards again, who are emailed."""
        for bill in self.sudo():
            approvals = bill._get_commons_valid_approvals()
            if (
                bill.state != "draft"
                or bill.commons_bill_state != "approved"
                or len(approvals.partner_id) >= bill.commons_approvals_needed
            ):
                continue
            bill.write({"commons_bill_state": "submitted"})
            bill.message_post(
                body=self.env._(
                    "%(resource)s now needs two stewards' approvals above "
                    "%(amount)s: the bill waits for a second steward.",
                    resource=bill.commons_resource_id.name,
                    amount=formatLang(
                        self.env,
                        bill.commons_resource_id.commons_double_approval_amount,
                        currency_obj=bill.company_currency_id,
                    ),
                ),
                subtype_xmlid="mail.mt_note",
            )
            bill._notify_commons_stewards()

    @api.model
    def _get_commons_rejection_reason(self, reason):
        """The reason of a rejection, which the contributor reads."""
        reason = (reason or "").strip()
        if not reason:
            raise UserError(self.env._("Say why the bill is rejected."))
        return reason

    # -- Business methods ----------------------------------------------------

    def _get_commons_resources(self):
        """The resources whose analytic accounts the move's lines carry, as
        superuser: the check must not depend on who reads."""
        self.ensure_one()
        return self._get_commons_resources_by_move()[self]

    def _get_commons_resources_by_move(self):
        """The resources each move's lines carry, read with one search.

        :return: {move: commons.resource (as superuser)}
        """
        # A bill being edited in a form holds its new lines in invoice_line_ids
        # only, until it is saved.
        lines = {move: move.line_ids | move.invoice_line_ids for move in self}
        by_item = (
            self.env["account.move.line"]
            .concat(*lines.values())
            ._get_commons_resources_by_item()
        )
        Resource = self.env["commons.resource"].sudo()
        return {
            move: Resource.union(*(by_item[line] for line in move_lines))
            for move, move_lines in lines.items()
        }

    def _get_commons_consumed_amount(self):
        """What the bill takes from its resource, in the company's currency: the
        total, VAT included, unless the host recovers VAT on contributors'
        bills (then the untaxed amount). A refund gives back (negative)."""
        self.ensure_one()
        if self.company_id.commons_vat_recoverable:
            return -self.amount_untaxed_signed
        return -self.amount_total_signed

    @api.model
    def _get_commons_consumed_amount_sql(self, query):
        """_get_commons_consumed_amount as an SQL expression on the bills of
        ``query`` (a Query on account.move, as superuser): what sums it over
        many bills without reading them. Keep both rules the same."""
        alias = query.table
        company = query.join(alias, "company_id", "res_company", "id", "company")
        return SQL(
            "CASE WHEN %s THEN -COALESCE(%s, 0) ELSE -COALESCE(%s, 0) END",
            self.env["res.company"]._field_to_sql(
                company, "commons_vat_recoverable", query
            ),
            self._field_to_sql(alias, "amount_untaxed_signed", query),
            self._field_to_sql(alias, "amount_total_signed", query),
        )

    def _get_commons_fingerprint(self):
        """What a steward approves: who is paid and on which bank account (its
        number and holder, not only its record), how much, from which resource
        and on which accounts, the invoice file, and the dates (the invoice's
        and the accounting one: the year it is spent in). Any change of these
        makes the approval lapse."""
        self.ensure_one()
        bill = self.sudo()
        lines = sorted(
            (
                json.dumps(line.analytic_distribution or {}, sort_keys=True),
                line.currency_id.round(line.price_subtotal),
                line.currency_id.round(line.price_total),
                sorted(line.tax_ids.ids),
                line.account_id.id,
            )
            for line in bill.invoice_line_ids
            if line.display_type == "product"
        )
        data = [
            bill.move_type,
            bill.company_id.id,
            bill.partner_id.id,
            bill.commercial_partner_id.id,
            bill.partner_bank_id._get_commons_approved_values(),
            bill.currency_id.id,
            bill.commons_instruction_id.id,
            bill.invoice_date,
            bill.date,
            bill.currency_id.round(bill.amount_untaxed),
            bill.currency_id.round(bill.amount_total),
            bill.company_currency_id.round(bill.amount_total_signed),
            lines,
            bill.message_main_attachment_id.checksum or "",
        ]
        return hashlib.sha256(json.dumps(data, default=str).encode()).hexdigest()

    def _prefetch_commons_fingerprints(self):
        """Read at once what the fingerprints of these bills are made of (see
        _get_commons_fingerprint), so that computing them one bill after
        the other makes no query per bill."""
        bills = self.sudo()
        lines = bills.invoice_line_ids
        lines.tax_ids  # noqa: B018 pylint: disable=pointless-statement
        lines.account_id  # noqa: B018 pylint: disable=pointless-statement
        bills.partner_bank_id  # noqa: B018 pylint: disable=pointless-statement
        bills.message_main_attachment_id.mapped("checksum")
        bills.commons_approval_ids.mapped("fingerprint")

    def _get_commons_valid_approvals(self, fingerprint=None):
        """The approvals given to the bill as it is now (``fingerprint``, when
        the caller just computed it)."""
        self.ensure_one()
        if not self.sudo().commons_approval_ids:
            return self.sudo().commons_approval_ids
        fingerprint = fingerprint or self._get_commons_fingerprint()
        return self.sudo().commons_approval_ids.filtered(
            lambda approval: approval.fingerprint == fingerprint
        )

    def _lapse_commons_approvals(self):
        """An approval holds for the bill a steward saw: once the bill changes,
        its approvals lapse and it waits for the stewards again."""
        # Only a bill sent to its stewards has approvals: the others are told
        # apart without reading them.
        bills = self.sudo().filtered(
            lambda bill: bill.commons_bill_state
            and bill.state != "posted"
            and bill.commons_approval_ids
        )
        bills._prefetch_commons_fingerprints()
        for bill in bills:
            lapsed = bill.commons_approval_ids - bill._get_commons_valid_approvals()
            if not lapsed:
                continue
            stewards = ", ".join(lapsed.partner_id.mapped("name"))
            lapsed.unlink()
            if bill.commons_bill_state == "approved":
                bill.write({"commons_bill_state": "submitted"})
            bill.message_post(
                body=self.env._(
                    "The bill changed after it was approved: the approval of "
                    "%(stewards)s lapsed and the stewards must approve it again.",
                    stewards=stewards,
                ),
                subtype_xmlid="mail.mt_note",
            )
            bill._notify_commons_stewards()

    def _check_commons_bill(self, approving=False):
        """The rules of a bill charged to a commons resource, whoever sends or
        approves it and by whichever path: the contributor's portal, the
        backend's Submit, every approval (``approving``). Its one resource,
        not paid yet; its contributor still one of the resource; its
        instruction theirs, of that resource, active and still taking bills;
        its reference not already used (see _get_commons_duplicates); its
        bank account."""
        self.ensure_one()
        error = self._get_commons_bill_errors(approving)[self]
        if error:
            raise error

    def _get_commons_bill_errors(self, approving=False):
        """The rules of a bill (see _check_commons_bill) checked on each of
        these bills, with one search of their resources and one query of
        their duplicates whatever their number: the stewards' page reads
        why a bill cannot be approved.

        :return: {bill: the UserError of the first rule the bill breaks, or
            None}
        """
        bills = self.sudo()
        resources = bills._get_commons_resources_by_move()
        duplicates = bills._get_commons_duplicates(approving)
        errors = {}
        for bill in bills:
            try:
                bill._check_commons_bill_rules(
                    resources[bill], duplicates.get(bill, bills.browse())
                )
            except UserError as error:
                errors[bill] = error
            else:
                errors[bill] = None
        return errors

    def _check_commons_bill_rules(self, resources, duplicates):
        """Raise UserError unless the bill keeps the rules of a bill (see
        _check_commons_bill), given its ``resources`` and its
        ``duplicates``, as _get_commons_bill_errors read them."""
        self.ensure_one()
        bill = self.sudo()
        if bill.move_type not in APPROVAL_MOVE_TYPES or not resources:
            raise UserError(
                self.env._(
                    "%(bill)s is not a bill charged to a commons resource.",
                    bill=bill.display_name,
                )
            )
        if len(resources) > 1:
            raise UserError(
                self.env._(
                    "%(bill)s is charged to several resources (%(resources)s): a "
                    "bill is approved by the stewards of one resource.",
                    bill=bill.display_name,
                    resources=", ".join(resources.mapped("display_name")),
                )
            )
        payments = bill.matched_payment_ids.filtered(
            lambda payment: payment.state in ("in_process", "paid")
        )
        if payments or bill.payment_state != "not_paid":
            # A draft bill of the host may be paid (the list's "Pay"), then
            # charged to a resource: its stewards would decide on money gone.
            raise UserError(
                self.env._(
                    "%(bill)s is paid already: a bill of a commons resource is paid "
                    "once its stewards approved it. Cancel its payment first.",
                    bill=bill.display_name,
                )
            )
        bill._check_commons_bill_instruction(resources)
        if bill.commercial_partner_id not in resources.contributor_ids.mapped(
            "commercial_partner_id"
        ):
            raise UserError(
                self.env._(
                    "%(partner)s is not, or no longer, a contributor of "
                    "%(resource)s: ask its stewards.",
                    partner=bill.partner_id.display_name,
                    resource=resources.display_name,
                )
            )
        bill._check_commons_bill_billable()
        if duplicates:
            raise UserError(
                self.env._(
                    "%(partner)s already sent an invoice numbered %(ref)s: an "
                    "invoice is sent once (correct its number if this is "
                    "another one).",
                    partner=bill.partner_id.display_name,
                    ref=bill.ref,
                )
            )
        self._check_commons_bill_bank_account()

    def _get_commons_duplicates(self, approving=False):
        """The other bills of each bill's contributor with the same number,
        read with one query. When a bill is sent: any draft or posted one, as
        Odoo's duplicate detection flags it. When it is approved: only those
        posted or approved, so that a stray draft with the same number (the
        host's own, say) never stops the stewards from approving the genuine
        bill; a cancelled one never counts.

        :return: {bill: account.move}, for the bills that have some
        """
        duplicates = self.sudo()._fetch_duplicate_reference()
        if approving:
            duplicates = {
                bill: others.filtered(
                    lambda other: other.state == "posted"
                    or other.commons_bill_state == "approved"
                )
                for bill, others in duplicates.items()
            }
        return duplicates

    def _check_commons_bill_instruction(self, resource):
        """The bill's instruction, if any, is one of its resource and given to
        its contributor."""
        self.ensure_one()
        instruction = self.commons_instruction_id.sudo()
        if not instruction:
            return
        if instruction.resource_id != resource:
            raise UserError(
                self.env._(
                    "The instruction “%(purpose)s” is one of %(resource)s.",
                    purpose=instruction.name,
                    resource=instruction.resource_id.display_name,
                )
            )
        if instruction.contributor_id.commercial_partner_id != (
            self.commercial_partner_id
        ):
            raise UserError(
                self.env._(
                    "The instruction “%(purpose)s” is given to %(contributor)s, "
                    "not to %(partner)s.",
                    purpose=instruction.name,
                    contributor=instruction.contributor_id.display_name,
                    partner=self.partner_id.display_name,
                )
            )

    def _check_commons_bill_billable(self):
        """The bill's instruction, if any, still takes bills today: active, and
        not ended for longer than the host's grace period for late bills."""
        self.ensure_one()
        instruction = self.commons_instruction_id.sudo()
        if not instruction:
            return
        if instruction.state != "active":
            raise UserError(
                self.env._(
                    "The instruction “%(purpose)s” is %(state)s: bills go "
                    "against an active instruction.",
                    purpose=instruction.name,
                    state=instruction._get_state_label(),
                )
            )
        if not instruction._is_commons_billable():
            raise UserError(
                self.env._(
                    "The instruction “%(purpose)s” ended on %(date)s and took late "
                    "bills until %(until)s: ask a steward of %(resource)s for a "
                    "new one.",
                    purpose=instruction.name,
                    date=format_date(self.env, instruction.date_end),
                    until=format_date(self.env, instruction.date_bills_until),
                    resource=instruction.resource_id.display_name,
                )
            )

    def _check_commons_submitter(self):
        """The bill's contributor, or the host's accountant."""
        self.ensure_one()
        user = self.env.user
        if user.partner_id.commercial_partner_id == self.commercial_partner_id:
            return
        if user._is_internal() and user.has_group("account.group_account_invoice"):
            return
        raise AccessError(
            self.env._("Only the contributor of %(bill)s may do this.", bill=self.name)
        )

    def _get_commons_decision_values(self, user):
        """What ``user`` may decide on each of these bills, and each bill as
        they read it: the one rule of who decides, which the stewards' page,
        its counter and every decision read. The same queries whatever the
        number of bills: ``user``'s own refusal once, the bills' resources
        with one search, each bill's fingerprint once.

        :return: {bill: {"error": the error a decision of ``user`` raises
            (AccessError when they are not the one to decide, UserError when
            the bill is not to be decided), or None; "fingerprint": the bill
            as it is now (see _get_commons_fingerprint); "approvals": the
            approvals given to it as it is; "approved_by_user": whether
            ``user``'s approval of it, as it is, waits for another
            steward's}}
        """
        bills = self.sudo()
        if not bills:
            return {}
        resources = bills._get_commons_resources_by_move()
        login_refusal = user._get_commons_decision_refusal()
        duties_errors = {
            company: self._get_commons_duties_error(user.partner_id, company)
            for company in bills.company_id
        }
        values = {}
        for bill in bills:
            fingerprint = bill._get_commons_fingerprint()
            approvals = bill._get_commons_valid_approvals(fingerprint)
            values[bill] = {
                "error": bill._get_commons_decision_error(
                    user,
                    resources[bill],
                    login_refusal,
                    duties_errors[bill.company_id],
                ),
                "fingerprint": fingerprint,
                "approvals": approvals,
                "approved_by_user": user.partner_id in approvals.partner_id,
            }
        return values

    @api.model
    def _get_commons_duties_error(self, partner, company):
        """The error that keeps ``partner`` from deciding for a resource of
        ``company`` (see res.partner._check_commons_steward_duties), or
        None."""
        try:
            partner._check_commons_steward_duties(company)
        except UserError as error:
            return error
        return None

    def _get_commons_decision_error(self, user, resources, login_refusal, duties):
        """See _get_commons_decision_values: the bill's error, from what was
        read once for all the bills (its ``resources``, ``user``'s
        ``login_refusal`` and the error of their ``duties`` in the bill's
        company)."""
        self.ensure_one()
        bill = self.sudo()
        partner = user.partner_id
        if not resources:
            return UserError(
                self.env._(
                    "%(bill)s is not a bill charged to a commons resource.",
                    bill=bill.display_name,
                )
            )
        for resource in resources:
            if partner not in resource.steward_ids:
                return AccessError(
                    self.env._(
                        "Only a steward of %(resource)s approves or rejects its "
                        "bills: %(user)s is not one.",
                        resource=resource.display_name,
                        user=user.name,
                    )
                )
        if partner.commercial_partner_id == bill.commercial_partner_id or (
            bill.commons_submitted_by_id and bill.commons_submitted_by_id == user
        ):
            return AccessError(
                self.env._(
                    "Nobody approves their own bill: another steward of "
                    "%(resource)s must decide on %(bill)s.",
                    resource=resources[:1].display_name,
                    bill=bill.name,
                )
            )
        if login_refusal:
            return AccessError(login_refusal)
        if duties:
            return duties
        if bill.state != "draft" or bill.commons_bill_state != "submitted":
            return UserError(
                self.env._(
                    "%(bill)s is not waiting for the stewards: it is %(state)s.",
                    bill=bill.display_name,
                    state=bill._get_commons_status_label(),
                )
            )
        return None

    def _check_commons_approver(self):
        """A steward of the bill's resource, who is not the bill's contributor
        and whose login may decide, decides on a bill waiting for the
        stewards (see _get_commons_decision_values).

        :return: the bill's decision values for the current user
        """
        self.ensure_one()
        decision = self._get_commons_decision_values(self.env.user)[self]
        if decision["error"]:
            raise decision["error"]
        return decision

    def _check_commons_new_approval(self, decision):
        """Two approvals are two stewards': one who approved the bill as it is
        may still reject it, not approve it again.

        :param decision: the bill's decision values for the current user
        """
        self.ensure_one()
        if decision["approved_by_user"]:
            raise UserError(
                self.env._(
                    "You already approved %(bill)s: another steward must approve "
                    "it too.",
                    bill=self.sudo().name,
                )
            )

    def _check_commons_fingerprint(self, fingerprint, current):
        """The bill is still what the steward read: a decision carries the
        ``fingerprint`` of the bill as it was shown to them, which must be
        ``current``, the bill's fingerprint now."""
        self.ensure_one()
        if not fingerprint:
            raise UserError(
                self.env._(
                    "A steward decides on a bill as it was shown to them: the "
                    "decision on %(bill)s does not say which bill they read.",
                    bill=self.sudo().ref or self.sudo().display_name,
                )
            )
        if fingerprint != current:
            raise UserError(
                self.env._(
                    "This bill changed since you opened the page: read it again."
                )
            )

    def _lock_commons_funds(self):
        """Lock what the approval is checked against: the instruction's row, or
        the resource's for a bill without instruction."""
        self.ensure_one()
        if self.commons_instruction_id:
            self.commons_instruction_id.sudo()._lock_commons_envelope()
        else:
            self._get_commons_resources()._lock_commons_funds()

    def _check_commons_funds(self):
        """An approval never takes more than the instruction has left or, for a
        bill without instruction, than the resource has available."""
        self.ensure_one()
        amount = self._get_commons_consumed_amount()
        instruction = self.commons_instruction_id.sudo()
        rounding = self.company_currency_id.rounding
        if float_compare(amount, 0.0, precision_rounding=rounding) <= 0:
            # A credit note gives back: it takes nothing.
            return
        if instruction:
            instruction.invalidate_recordset()
            left = instruction.amount_remaining
        else:
            left = self._get_commons_resources()._get_commons_available()
        if float_compare(amount, left, precision_rounding=rounding) > 0:
            raise UserError(
                self.env._(
                    "%(bill)s (%(amount)s) exceeds what %(budget)s has left: "
                    "%(left)s.",
                    bill=self.display_name,
                    amount=formatLang(
                        self.env, amount, currency_obj=self.company_currency_id
                    ),
                    budget=instruction.name
                    if instruction
                    else self._get_commons_resources().display_name,
                    left=formatLang(
                        self.env, max(left, 0.0), currency_obj=self.company_currency_id
                    ),
                )
            )

    def _check_commons_envelope_left(self):
        """A bill sent against an instruction asks no more than what its
        envelope has left once the other bills waiting for the stewards are
        counted: what is promised counts once."""
        self.ensure_one()
        instruction = self.commons_instruction_id.sudo()
        if not instruction:
            return
        # Of two bills sent at the same moment, the second sees the first.
        instruction._lock_commons_envelope()
        instruction.invalidate_recordset()
        amount = self._get_commons_consumed_amount()
        waiting = sum(
            bill._get_commons_waiting_amount()
            for bill in instruction._get_commons_waiting_bills() - self
        )
        left = instruction.amount_remaining - waiting
        currency = self.company_currency_id
        if float_compare(amount, left, precision_rounding=currency.rounding) <= 0:
            return
        values = {
            "bill": self.ref or self.display_name,
            "amount": formatLang(self.env, amount, currency_obj=currency),
            "purpose": instruction.name,
            "left": formatLang(self.env, max(left, 0.0), currency_obj=currency),
            "waiting": formatLang(self.env, waiting, currency_obj=currency),
        }
        if waiting:
            raise UserError(
                self.env._(
                    "%(bill)s (%(amount)s) is more than what is left of the "
                    "envelope of “%(purpose)s”: %(left)s, once the bills already "
                    "waiting for the stewards (%(waiting)s) are counted.",
                    **values,
                )
            )
        raise UserError(
            self.env._(
                "%(bill)s (%(amount)s) is more than what is left of the envelope "
                "of “%(purpose)s”: %(left)s.",
                **values,
            )
        )

    @api.model
    def _get_commons_waiting_domain(self):
        """The bills waiting for their stewards' decision: submitted, not
        posted yet. The instructions, the stewards' page and what is left
        after each bill read them with this domain, in WAITING_BILLS_ORDER.

        :return: a domain on account.move
        """
        return [
            ("move_type", "in", APPROVAL_MOVE_TYPES),
            ("state", "=", "draft"),
            ("commons_bill_state", "=", "submitted"),
        ]

    def _get_commons_waiting_amount(self):
        """What the bill, while it waits for the stewards, holds of what its
        envelope or resource has left: what it asks, and nothing for a credit
        note, which gives back only once approved."""
        self.ensure_one()
        return max(0.0, self._get_commons_consumed_amount())

    @api.model
    def _get_commons_waiting_for_user_domain(self, user):
        """The bills waiting for ``user``'s decision, as a domain: waiting for
        the stewards of a resource ``user`` stewards, neither theirs (by their
        company, or as who sent it) nor approved by them. Counting them needs
        no fingerprint: an approval on record is one of the bill as it is, for
        every change of a bill removes its approvals
        (_lapse_commons_approvals). Whether ``user`` may decide on each is
        still what _get_commons_decision_values says.

        :return: a domain on account.move
        """
        partner = user.partner_id
        return [
            *self._get_commons_waiting_domain(),
            ("commons_resource_id.steward_ids", "in", partner.ids),
            ("commercial_partner_id", "!=", partner.commercial_partner_id.id),
            ("commons_submitted_by_id", "!=", user.id),
            ("commons_approval_ids", "not any", [("partner_id", "=", partner.id)]),
        ]

    def _get_commons_left_after(self):
        """What each bill's envelope (or, for a bill without instruction, its
        resource's available funds) has left once that bill and the bills
        waiting before it are approved: each waiting bill counts once, in the
        order WAITING_BILLS_ORDER. One query whatever the number of bills
        waiting: a running sum over them, by envelope or resource, of what
        each holds (_get_commons_waiting_amount, in SQL).

        :return: {bill: amount in the company's currency}
        """
        if not self:
            return {}
        bills = self.sudo()
        instructions = bills.commons_instruction_id
        resources = bills.filtered(
            lambda bill: not bill.commons_instruction_id
        ).commons_resource_id
        Move = self.env["account.move"].sudo()
        Move.flush_model()
        self.env["res.company"].flush_model(["commons_vat_recoverable"])
        query = Move._search(
            [
                *Move._get_commons_waiting_domain(),
                "|",
                ("commons_instruction_id", "in", instructions.ids),
                "&",
                ("commons_instruction_id", "=", False),
                ("commons_resource_id", "in", resources.ids),
            ]
        )
        order = Move._order_to_sql(WAITING_BILLS_ORDER, query)
        rows = self.env.execute_query(
            SQL(
                """
                SELECT id, held FROM (
                    SELECT account_move.id, SUM(GREATEST(0.0, CASE
                        WHEN company.commons_vat_recoverable
                        THEN -account_move.amount_untaxed_signed
                        ELSE -account_move.amount_total_signed END)) OVER (
                        PARTITION BY account_move.commons_instruction_id,
                            CASE WHEN account_move.commons_instruction_id IS NULL
                            THEN account_move.commons_resource_id END
                        ORDER BY %(order)s
                    ) AS held
                    FROM account_move
                    JOIN res_company company ON company.id = account_move.company_id
                    WHERE account_move.id IN %(waiting)s
                ) running
                WHERE id IN %(ids)s
                """,
                order=order,
                waiting=query.subselect(),
                ids=tuple(bills.ids),
            )
        )
        held = dict(rows)
        available = resources._get_commons_available_amounts()
        start = {
            instruction: instruction.amount_remaining for instruction in instructions
        }
        start.update({resource: available[resource.id] for resource in resources})
        after = {}
        for bill in bills:
            budget = start.get(bill.commons_instruction_id or bill.commons_resource_id)
            after[bill] = (budget or 0.0) - (
                held[bill.id] if bill.id in held else bill._get_commons_waiting_amount()
            )
        return {bill: after[bill.sudo()] for bill in self}

    def _set_commons_decision(self, state, reason):
        self.sudo().commons_approval_ids.unlink()
        self.sudo().write({"commons_bill_state": state, "commons_state_reason": reason})

    def _get_commons_status_label(self):
        self.ensure_one()
        if not self.commons_bill_state:
            return self.env._("not submitted to the stewards")
        return dict(
            self._fields["commons_bill_state"]._description_selection(self.env)
        )[self.commons_bill_state]

    def _notify_commons_stewards(self):
        """Email each steward of the bill's resource, in their language, that
        the bill waits for their decision."""
        self.ensure_one()
        for steward in self._get_commons_resources().steward_ids:
            self._send_commons_email("to_approve", steward)

    def _notify_commons_contributor(self, decision):
        """Email the contributor the stewards' or the host's decision."""
        self.ensure_one()
        self._send_commons_email(decision, self.partner_id)

    def _send_commons_email(self, kind, partner):
        template = self.env.ref(
            f"compte_commun_communs.mail_template_commons_bill_{kind}"
        ).sudo()
        template.with_context(
            commons_recipient_id=partner.id, commons_recipient_lang=partner.lang
        ).send_mail(
            self.id,
            email_layout_xmlid="compte_commun_communs.mail_notification_commons_bill",
            email_values={"recipient_ids": [(6, 0, partner.ids)]},
        )
        self.env["mail.mail"]._commons_send_queue_soon()

    def _commons_pipeline_error(self):
        return self.env._(
            "The stewards' approval of a bill changes by its own buttons only: "
            "submit, approve, reject, send back or withdraw."
        )

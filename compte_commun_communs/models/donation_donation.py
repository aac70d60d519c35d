# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_amount, format_date

from .ledger import MAX_YEAR, MIN_YEAR, is_commons_year, ledger_pass_context

# What may still change on a validated or cancelled donation: its receipt, its
# status, never what its journal entry says. Fields of the chatter and
# activities are added to these; a tax receipt is only given to a donation
# without one (OCA's annual receipts and "Change" of the receipt option).
UNLOCKED_FIELDS = {
    "state",
    "tax_receipt_id",
    "tax_receipt_option",
    "thanks_printed",
    "thanks_template_id",
}
# Written by the donation's own methods only (as superuser, after their checks):
# the links to its entries and to the receipt it had.
METHOD_FIELDS = {
    "move_id",
    "commons_reversal_move_id",
    "commons_previous_move_ids",
    "commons_cancel_reason",
}
# The only ways a donation's state moves; each has its method (validate,
# done2cancel, cancel2draft), and a constraint checks the ledger agrees.
STATE_CHANGES = {
    ("draft", "done"),
    ("draft", "cancel"),
    ("done", "cancel"),
    ("cancel", "draft"),
}


class DonationDonation(models.Model):
    _name = "donation.donation"
    _inherit = ["donation.donation", "commons.receipt.mixin"]

    commons_fund_kind = fields.Selection(
        [
            ("grant", "Public grant"),
            ("donation", "Private donation"),
            ("sponsorship", "Corporate sponsorship"),
        ],
        string="Kind of Funds",
        compute="_compute_commons_fund_kind",
        store=True,
        precompute=True,
        readonly=False,
        required=True,
        tracking=True,
        help="Decides the income account and the receipt: only private donations "
        "may get a tax receipt; grants and sponsorships get an acknowledgement "
        "of funds received.",
    )
    commons_allocation = fields.Selection(
        [
            ("earmarked", "As earmarked on each line"),
            ("prorata", "Split by unmet needs"),
        ],
        string="Allocation",
        default="earmarked",
        required=True,
        tracking=True,
        help="The funder's instruction. “Split by unmet needs”: on validation, the "
        "lines left without a resource are split across the chosen resources in "
        "proportion to what they still need for the year.",
    )
    commons_prorata_year = fields.Integer(
        string="Needs of Year",
        default=lambda self: fields.Date.context_today(self).year,
    )
    commons_prorata_resource_ids = fields.Many2many(
        "commons.resource",
        string="Split Across",
        check_company=True,
    )
    commons_fee_amount = fields.Monetary(
        string="Host Fee",
        compute="_compute_commons_amounts",
        store=True,
        currency_field="currency_id",
    )
    commons_net_amount = fields.Monetary(
        string="Net Amount",
        compute="_compute_commons_amounts",
        store=True,
        currency_field="currency_id",
    )
    commons_reversal_move_id = fields.Many2one(
        "account.move",
        string="Reversal Entry",
        readonly=True,
        copy=False,
        check_company=True,
    )
    commons_previous_move_ids = fields.Many2many(
        "account.move",
        "donation_donation_commons_previous_move_rel",
        "donation_id",
        "move_id",
        string="Earlier Entries",
        readonly=True,
        copy=False,
        help="Entries of earlier validations of this donation, each reversed when "
        "the donation was cancelled.",
    )
    commons_cancel_reason = fields.Text(
        string="Cancellation Reason", readonly=True, copy=False, tracking=True
    )
    # OCA donation's labels, declared again so that this module translates them
    # (OCA's French translation lacks them).
    tax_receipt_option = fields.Selection()
    tax_receipt_total = fields.Monetary(string="Tax Receipt Eligible Amount")
    thanks_printed = fields.Boolean()
    thanks_template_id = fields.Many2one(string="Thanks Template")
    move_id = fields.Many2one(string="Journal Entry")
    bank_statement_line_id = fields.Many2one(string="Source Bank Statement Line")

    @api.depends("partner_id")
    def _compute_commons_fund_kind(self):
        for donation in self:
            funder_type = donation.partner_id.commercial_partner_id.commons_funder_type
            donation.commons_fund_kind = (
                "grant" if funder_type == "public" else "donation"
            )

    @api.depends("line_ids.commons_fee_amount", "line_ids.amount")
    def _compute_commons_amounts(self):
        for donation in self:
            fee = sum(donation.line_ids.mapped("commons_fee_amount"))
            donation.commons_fee_amount = fee
            donation.commons_net_amount = donation.amount_total - fee

    @api.depends("commons_fund_kind")
    def _compute_tax_receipt_option(self):
        res = super()._compute_tax_receipt_option()
        self.filtered(
            lambda d: d.commons_fund_kind != "donation"
        ).tax_receipt_option = "none"
        return res

    @api.depends("commons_fund_kind")
    def _compute_total(self):
        res = super()._compute_total()
        # Grants and sponsorships are never eligible for a tax receipt.
        self.filtered(
            lambda d: d.commons_fund_kind != "donation"
        ).tax_receipt_total = 0.0
        return res

    @api.constrains("commons_fund_kind", "tax_receipt_option")
    def _check_commons_tax_receipt_option(self):
        for donation in self:
            if (
                donation.commons_fund_kind != "donation"
                and donation.tax_receipt_option not in (False, "none")
            ):
                raise ValidationError(
                    self.env._(
                        "%(donation)s is a %(kind)s: it gets an acknowledgement of "
                        "funds received, never a tax receipt.",
                        donation=donation.display_name,
                        kind=donation._get_commons_fund_kind_label(),
                    )
                )

    @api.constrains("state", "move_id", "commons_reversal_move_id")
    def _check_commons_entry(self):
        """A validated donation says what its journal entry says (for each
        resource, to the cent), and a cancelled one has its entry reversed:
        whatever path changed the state."""
        for donation in self:
            move = donation.move_id
            if donation.state == "done" and donation._get_commons_money_lines():
                expected = donation._get_commons_amounts_by_resource()
                booked = move._get_commons_amounts_by_resource() if move else {}
                currency = donation.company_currency_id
                if move.state != "posted" or any(
                    currency.compare_amounts(amount, booked.get(resource, 0.0))
                    for resource, amount in expected.items()
                ):
                    raise ValidationError(
                        self.env._(
                            "%(donation)s cannot be validated this way: its lines "
                            "amount to %(expected)s but its posted journal entry "
                            "to %(booked)s. Use the Validate button.",
                            donation=donation.display_name,
                            expected=format_amount(
                                self.env, sum(expected.values()), currency
                            ),
                            booked=format_amount(
                                self.env,
                                sum(booked.values()) if move.state == "posted" else 0.0,
                                currency,
                            ),
                        )
                    )
            if donation.state == "cancel" and move:
                reversal = donation.commons_reversal_move_id
                if reversal.state != "posted" or reversal.reversed_entry_id != move:
                    raise ValidationError(
                        self.env._(
                            "%(donation)s cannot be cancelled while its journal "
                            "entry %(move)s is not reversed. Use the Cancel button.",
                            donation=donation.display_name,
                            move=move.display_name,
                        )
                    )

    @api.constrains("tax_receipt_id", "partner_id", "company_id")
    def _check_commons_tax_receipt(self):
        """A donation's tax receipt is one of its donor's, of its company: its
        donor downloads it."""
        for donation in self.filtered("tax_receipt_id"):
            receipt = donation.tax_receipt_id
            if (
                receipt.partner_id != donation.commercial_partner_id
                or receipt.company_id != donation.company_id
            ):
                raise ValidationError(
                    self.env._(
                        "Tax receipt %(receipt)s is not one of %(donor)s: it cannot "
                        "be the receipt of %(donation)s.",
                        receipt=receipt.display_name,
                        donor=donation.commercial_partner_id.display_name,
                        donation=donation.display_name,
                    )
                )

    def _message_track(self, fields_iter, initial_values_dict):
        lang = self._get_commons_tracking_lang()
        records = self.with_context(lang=lang) if lang else self
        return super(DonationDonation, records)._message_track(
            fields_iter, initial_values_dict
        )

    def write(self, vals):
        self._check_commons_locked(vals)
        return super().write(vals)

    def validate(self):
        # One at a time, in date order: a gift split by unmet needs sees the
        # gifts validated before it, also when a list is validated at once.
        for donation in self.sorted(lambda d: (d.donation_date or d.create_date, d.id)):
            donation._check_commons_donation()
            if donation.commons_allocation == "prorata":
                donation._split_commons_prorata()
            # The entry names the resources before it is linked to the
            # donation: the ledger rule lets the donation's own posting through.
            super(
                DonationDonation,
                donation.with_context(**ledger_pass_context(donation)),
            ).validate()
        self.filtered(lambda d: d.state == "done")._queue_commons_receipt()
        return True

    def action_open_commons_cancel_wizard(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Cancel %(donation)s", donation=self.display_name),
            "res_model": "donation.donation.cancel",
            "view_mode": "form",
            "target": "new",
            "context": {"default_donation_id": self.id},
        }

    def done2cancel(self, reason=None):
        """Reverse the journal entry instead of deleting it as OCA donation does:
        posted entries stay, the reversal brings the figures back. An issued tax
        receipt is cancelled, never deleted. The reason is required: it is
        written in the chatter, for the auditor."""
        if not (reason or "").strip():
            raise UserError(
                self.env._("Give the reason why the donation is cancelled.")
            )
        self.check_access("write")
        for donation in self:
            if donation.state != "done":
                raise UserError(
                    self.env._(
                        "Only a done donation can be cancelled; %(donation)s is not.",
                        donation=donation.display_name,
                    )
                )
            if donation.tax_receipt_id:
                donation.tax_receipt_id._cancel_commons_receipt(donation)
            vals = {"state": "cancel", "commons_cancel_reason": reason.strip()}
            if donation.move_id:
                vals["commons_reversal_move_id"] = donation._reverse_commons_move().id
            donation.sudo().write(vals)
            donation._cancel_commons_receipt_mail()
            donation.partner_id._update_donor_rank()
            body = (
                self.env._(
                    "Donation cancelled: its journal entry %(move)s was reversed by "
                    "%(reversal)s.",
                    move=donation.move_id.display_name,
                    reversal=donation.commons_reversal_move_id.display_name,
                )
                if donation.move_id
                else self.env._("Donation cancelled.")
            )
            donation.message_post(
                body=Markup("<p>%s</p><p>%s</p>")
                % (body, self.env._("Reason: %(reason)s", reason=reason.strip()))
            )

    def cancel2draft(self):
        """Back to draft to correct a cancelled donation: its reversed entries are
        kept as earlier entries, and validating it again posts a new entry and
        issues a new receipt."""
        self.check_access("write")
        for donation in self:
            if donation.state != "cancel":
                raise UserError(
                    self.env._(
                        "Only a cancelled donation can go back to draft; "
                        "%(donation)s is not cancelled.",
                        donation=donation.display_name,
                    )
                )
            moves = donation.move_id | donation.commons_reversal_move_id
            if not moves and not donation.tax_receipt_id:
                continue
            donation.sudo().write(
                {
                    "commons_previous_move_ids": [Command.link(m.id) for m in moves],
                    "move_id": False,
                    "commons_reversal_move_id": False,
                    "tax_receipt_id": False,
                    "commons_receipt_request": False,
                    "commons_receipt_message_id": False,
                    "commons_receipt_attachment_id": False,
                }
            )
            if moves:
                donation.message_post(
                    body=self.env._(
                        "Back to draft. Its earlier entries stay in the ledger: "
                        "%(moves)s.",
                        moves=", ".join(moves.mapped("display_name")),
                    )
                )
        return super().cancel2draft()

    def _check_commons_locked(self, vals):
        """A validated or cancelled donation is what its journal entry says: only
        its receipt and status may change, and its state only moves by the
        donation's own buttons."""
        locked = self.filtered(lambda d: d.state in ("done", "cancel"))
        if locked:
            unlocked = UNLOCKED_FIELDS | self._get_commons_unlocked_fields(
                METHOD_FIELDS
            )
            changed = [name for name in vals if name not in unlocked]
            if "tax_receipt_id" in vals and not self.env.su:
                if locked.filtered("tax_receipt_id"):
                    changed.append("tax_receipt_id")
            if changed:
                raise UserError(
                    self.env._(
                        "%(donation)s is validated: %(fields)s can no longer "
                        "change, its journal entry says otherwise. To correct it, "
                        "cancel it, set it back to draft and validate it again.",
                        donation=locked[:1].display_name,
                        fields=", ".join(
                            self._fields[name].get_description(self.env)["string"]
                            for name in changed
                        ),
                    )
                )
        if "state" in vals:
            for donation in self:
                if (
                    donation.state != vals["state"]
                    and (donation.state, vals["state"]) not in STATE_CHANGES
                ):
                    raise UserError(
                        self.env._(
                            "%(donation)s cannot go from %(old)s to %(new)s.",
                            donation=donation.display_name,
                            old=donation._get_state_label(donation.state),
                            new=donation._get_state_label(vals["state"]),
                        )
                    )

    def _check_commons_lines_editable(self):
        """Lines of a validated or cancelled donation say what its journal entry
        says: none is added, changed or removed."""
        locked = self.filtered(lambda d: d.state in ("done", "cancel"))
        if locked:
            raise UserError(
                self.env._(
                    "%(donation)s is validated: its lines can no longer change, "
                    "its journal entry says otherwise. To correct it, cancel it, "
                    "set it back to draft and validate it again.",
                    donation=locked[:1].display_name,
                )
            )

    def _get_state_label(self, state):
        return dict(self._fields["state"]._description_selection(self.env))[state]

    def _get_commons_amounts_by_resource(self):
        """What the donation's money lines give each resource, in the company's
        currency, fee included.

        :return: {analytic account id of the resource: amount}
        """
        self.ensure_one()
        amounts = {}
        for line in self._get_commons_money_lines():
            key = line.commons_resource_id.analytic_account_id.id
            amounts[key] = amounts.get(key, 0.0) + line.amount_company_currency
        return amounts

    def _get_commons_money_lines(self):
        """The lines that bring money, hence journal items (not gifts in kind)."""
        self.ensure_one()
        return self.line_ids.filtered(
            lambda line: not line.in_kind and not self.currency_id.is_zero(line.amount)
        )

    def _prepare_donation_move(self):
        """Book each earmarked line as its net amount for the resource and the host
        fee for the host; the counterpart (the money received) is unchanged."""
        vals = super()._prepare_donation_move()
        if not vals:
            return vals
        # Every money line is earmarked (_check_commons_donation): rebuild them all.
        vals["line_ids"] = [
            cmd for cmd in vals["line_ids"] if cmd[2].get("display_type") != "product"
        ] + [
            Command.create(item_vals)
            for line in self._get_commons_money_lines()
            for item_vals in self._prepare_commons_move_items(line)
        ]
        return vals

    def _prepare_commons_move_items(self, line):
        """Journal item values of an earmarked line, converted to the company's
        currency so that they sum exactly to the line's converted amount."""
        self.ensure_one()
        items = line._prepare_commons_move_lines()
        amount_cc = self._convert_commons_amount(line.amount)
        fees_cc = [self._convert_commons_amount(amount) for amount, _vals in items[1:]]
        # The net item takes the rounding remainder.
        amounts_cc = [amount_cc - sum(fees_cc), *fees_cc]
        result = []
        for (amount, item_vals), balance in zip(items, amounts_cc, strict=True):
            result.append(
                dict(
                    item_vals,
                    debit=max(-balance, 0.0),
                    credit=max(balance, 0.0),
                    amount_currency=-amount,
                )
            )
        return result

    def _convert_commons_amount(self, amount):
        self.ensure_one()
        return self.currency_id._convert(
            amount, self.company_currency_id, self.company_id, self.donation_date
        )

    def _check_commons_donation(self):
        """Refuse, before anything is posted, a donation the host could not hold:
        money not earmarked (the host never allocates it itself), a resource
        archived or of another company, an amount ≤ 0, a currency without rate."""
        self.ensure_one()
        for line in self.line_ids:
            resource = line.commons_resource_id
            if self.currency_id.compare_amounts(line.amount, 0) <= 0:
                raise UserError(
                    self.env._(
                        "The line “%(product)s” of %(donation)s amounts to "
                        "%(amount)s: a donation line must be positive. To undo a "
                        "donation, cancel it.",
                        product=line.product_id.display_name,
                        donation=self.display_name,
                        amount=format_amount(self.env, line.amount, self.currency_id),
                    )
                )
            if line.in_kind:
                continue
            if not resource:
                if self.commons_allocation == "prorata":
                    continue
                raise UserError(
                    self.env._(
                        "The line “%(product)s” of %(donation)s is not earmarked to "
                        "a commons resource. The host holds no money it could "
                        "allocate itself: choose the resource the funder gave it "
                        "for, or split the donation by unmet needs.",
                        product=line.product_id.display_name,
                        donation=self.display_name,
                    )
                )
            self._check_commons_resource(resource)
        if self.commons_allocation == "prorata":
            if not self.commons_prorata_resource_ids:
                raise UserError(
                    self.env._(
                        "Choose the resources to split %(donation)s across.",
                        donation=self.display_name,
                    )
                )
            if not is_commons_year(self.commons_prorata_year):
                raise UserError(
                    self.env._(
                        "The year of the needs must be between %(min)s and %(max)s.",
                        min=MIN_YEAR,
                        max=MAX_YEAR,
                    )
                )
            for resource in self.commons_prorata_resource_ids:
                self._check_commons_resource(resource)
        self._check_commons_currency_rate()

    def _check_commons_resource(self, resource):
        self.ensure_one()
        if not resource.active:
            raise UserError(
                self.env._(
                    "%(donation)s is earmarked to %(resource)s, which is archived.",
                    donation=self.display_name,
                    resource=resource.display_name,
                )
            )
        if resource.company_id != self.company_id:
            raise UserError(
                self.env._(
                    "%(donation)s is earmarked to %(resource)s, a resource of "
                    "another company (%(company)s).",
                    donation=self.display_name,
                    resource=resource.display_name,
                    company=resource.company_id.name,
                )
            )

    def _check_commons_currency_rate(self):
        """Odoo converts with a rate of 1 when a currency has none: refuse instead."""
        self.ensure_one()
        if self.currency_id == self.company_currency_id:
            return
        has_rate = self.env["res.currency.rate"].search_count(
            [
                ("currency_id", "=", self.currency_id.id),
                ("company_id", "in", [*self.company_id.parent_ids.ids, False]),
                ("name", "<=", self.donation_date),
            ],
            limit=1,
        )
        if not has_rate:
            raise UserError(
                self.env._(
                    "%(currency)s has no exchange rate on or before %(date)s: add "
                    "one before validating %(donation)s.",
                    currency=self.currency_id.name,
                    date=format_date(self.env, self.donation_date),
                    donation=self.display_name,
                )
            )

    def _get_commons_fund_kind_label(self):
        self.ensure_one()
        return dict(self._fields["commons_fund_kind"]._description_selection(self.env))[
            self.commons_fund_kind
        ]

    def _get_commons_entries(self):
        """Every journal entry of these donations: their entries, their
        reversals and the entries of their earlier validations."""
        return (
            self.move_id
            | self.commons_reversal_move_id
            | self.commons_previous_move_ids
        )

    def _reverse_commons_move(self):
        self.ensure_one()
        move = self.move_id.with_context(**ledger_pass_context(self))
        return move._reverse_moves(
            [
                {
                    # In the donation's period, so that the year's figures
                    # drop it, unless that period is locked.
                    "date": move._get_accounting_date(move.date, False),
                    "ref": self.env._(
                        "Cancellation of donation %(donation)s", donation=self.number
                    ),
                }
            ],
            cancel=True,
        )

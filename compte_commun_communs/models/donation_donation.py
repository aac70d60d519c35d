# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_amount, format_date

from .commons_resource_need import MAX_YEAR, MIN_YEAR

RECEIPT_ACTIVITY = "compte_commun_communs.mail_activity_type_receipt_waiting"


class DonationDonation(models.Model):
    _inherit = "donation.donation"

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
    commons_receipt_state = fields.Selection(
        [
            ("none", "Not sent"),
            ("waiting", "Waiting"),
            ("sent", "Sent"),
            ("cancelled", "Cancelled"),
        ],
        string="Receipt",
        default="none",
        required=True,
        copy=False,
        tracking=True,
        help="Waiting: the donor has no email address; add one, then send the "
        "receipt again.",
    )
    commons_reversal_move_id = fields.Many2one(
        "account.move",
        string="Reversal Entry",
        readonly=True,
        copy=False,
        check_company=True,
    )

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

    def validate(self):
        for donation in self:
            donation._check_commons_donation()
            if donation.commons_allocation == "prorata":
                donation._split_commons_prorata()
        res = super().validate()
        self._send_commons_receipt()
        return res

    def done2cancel(self):
        """Reverse the journal entry instead of deleting it as OCA donation does:
        posted entries stay, the reversal brings the figures back. An issued tax
        receipt is cancelled, never deleted."""
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
            vals = {"state": "cancel"}
            if donation.move_id:
                vals["commons_reversal_move_id"] = donation._reverse_commons_move().id
            if donation.commons_receipt_state in ("sent", "waiting"):
                vals["commons_receipt_state"] = "cancelled"
            donation.activity_unlink([RECEIPT_ACTIVITY])
            donation.write(vals)
            donation.partner_id._update_donor_rank()
            donation.message_post(
                body=self.env._(
                    "Donation cancelled: its journal entry %(move)s was reversed by "
                    "%(reversal)s.",
                    move=donation.move_id.display_name,
                    reversal=donation.commons_reversal_move_id.display_name,
                )
            )

    def cancel2draft(self):
        if self.filtered("commons_reversal_move_id"):
            raise UserError(
                self.env._(
                    "A cancelled donation whose journal entry was reversed stays "
                    "cancelled: duplicate it to record the donation again."
                )
            )
        return super().cancel2draft()

    def _prepare_donation_move(self):
        """Book each earmarked line as its net amount for the resource and the host
        fee for the host; the counterpart (the money received) is unchanged."""
        vals = super()._prepare_donation_move()
        if not vals:
            return vals
        # Every money line is earmarked (_check_commons_donation): rebuild them all.
        lines = self.line_ids.filtered(
            lambda line: not line.in_kind and not self.currency_id.is_zero(line.amount)
        )
        vals["line_ids"] = [
            cmd for cmd in vals["line_ids"] if cmd[2].get("display_type") != "product"
        ] + [
            Command.create(item_vals)
            for line in lines
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
            if not MIN_YEAR <= self.commons_prorata_year <= MAX_YEAR:
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

    def _split_commons_prorata(self):
        """Replace the lines without a resource by lines earmarked to the chosen
        resources, in proportion to their unmet needs of the year; cents are
        distributed so that the new lines sum exactly to the line they replace."""
        self.ensure_one()
        resources = self.commons_prorata_resource_ids.sorted("id")
        unmet = resources._get_unmet_needs(self.commons_prorata_year)
        total_unmet = sum(unmet.values())
        if self.currency_id.is_zero(total_unmet):
            raise UserError(
                self.env._(
                    "None of the resources chosen to split %(donation)s has unmet "
                    "needs for %(year)s.",
                    donation=self.display_name,
                    year=self.commons_prorata_year,
                )
            )
        to_split = self.line_ids.filtered(
            lambda line: not line.commons_resource_id and not line.in_kind
        )
        explanation = []
        for line in to_split:
            shares = self._compute_commons_prorata_shares(line.amount, unmet)
            self.env["donation.line"].create(
                [
                    line._prepare_commons_prorata_line_vals(resource, amount)
                    for resource, amount in shares.items()
                    if not self.currency_id.is_zero(amount)
                ]
            )
            explanation += [
                Markup("<li>%s</li>")
                % self.env._(
                    "%(resource)s: unmet need %(unmet)s, %(share)s %% → %(amount)s",
                    resource=resource.name,
                    unmet=format_amount(self.env, unmet[resource], self.currency_id),
                    share=round(100 * unmet[resource] / total_unmet, 2),
                    amount=format_amount(self.env, amount, self.currency_id),
                )
                for resource, amount in shares.items()
            ]
        to_split.unlink()
        self.message_post(
            body=Markup("<p>%s</p><ul>%s</ul>")
            % (
                self.env._(
                    "Split across the resources in proportion to their unmet needs "
                    "of %(year)s, as the funder asked:",
                    year=self.commons_prorata_year,
                ),
                Markup().join(explanation),
            )
        )

    def _compute_commons_prorata_shares(self, amount, unmet):
        """Largest remainder method in cents: the shares sum exactly to the amount.

        :param unmet: {resource: unmet need}
        :return: {resource: share}
        """
        self.ensure_one()
        currency = self.currency_id
        cents = round(amount / currency.rounding)
        total_unmet = sum(unmet.values())
        exact = {r: cents * need / total_unmet for r, need in unmet.items()}
        shares = {r: int(value) for r, value in exact.items()}
        leftover = cents - sum(shares.values())
        by_remainder = sorted(exact, key=lambda r: (-(exact[r] - shares[r]), r.id))
        for resource in by_remainder[:leftover]:
            shares[resource] += 1
        return {r: currency.round(c * currency.rounding) for r, c in shares.items()}

    def _get_commons_fund_kind_label(self):
        self.ensure_one()
        return dict(self._fields["commons_fund_kind"]._description_selection(self.env))[
            self.commons_fund_kind
        ]

    def _reverse_commons_move(self):
        self.ensure_one()
        move = self.move_id
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

    def _send_commons_receipt(self):
        """Email the donor the receipt of a validated donation, queued with its PDF:
        the tax receipt OCA donation issued for it, or else an acknowledgement of
        funds received. Without an email address the receipt waits and the
        accountant gets an activity saying why."""
        for donation in self.filtered(lambda d: d.state == "done"):
            donation.activity_unlink([RECEIPT_ACTIVITY])
            partner = donation.partner_id
            if not partner.email:
                donation.commons_receipt_state = "waiting"
                donation.activity_schedule(
                    RECEIPT_ACTIVITY,
                    summary=self.env._("Receipt waiting for an email address"),
                    note=self.env._(
                        "%(donor)s has no email address: add one, then click “Send "
                        "Receipt”.",
                        donor=partner.display_name,
                    ),
                    user_id=self.env.user.id,
                )
                continue
            receipt = donation.tax_receipt_id
            if receipt and receipt.type == "each" and receipt.active:
                receipt.message_post_with_source(
                    "compte_commun_communs.mail_template_donation_tax_receipt",
                    subtype_xmlid="mail.mt_comment",
                    force_send=False,
                )
                donation.message_post(
                    body=self.env._(
                        "Tax receipt %(receipt)s emailed to %(donor)s.",
                        receipt=receipt.number,
                        donor=partner.email,
                    )
                )
            else:
                donation.message_post_with_source(
                    "compte_commun_communs.mail_template_donation_acknowledgement",
                    subtype_xmlid="mail.mt_comment",
                    force_send=False,
                )
            donation.commons_receipt_state = "sent"

    def action_send_commons_receipt(self):
        for donation in self:
            if donation.state != "done":
                raise UserError(
                    self.env._(
                        "%(donation)s is not validated: there is no receipt to send.",
                        donation=donation.display_name,
                    )
                )
        self._send_commons_receipt()

    # Funder's portal

    @api.model
    def _get_funder_portal_domain(self, partner):
        """The donations a funder follows in the portal: their validated or
        cancelled ones, whoever of their organisation recorded them. Explicit
        even though record rules limit portal users, so that an internal user
        sees their own fundings there, not everybody's."""
        return [
            ("commercial_partner_id", "=", partner.commercial_partner_id.id),
            ("state", "in", ("done", "cancel")),
        ]

    def _get_funder_receipt_report(self):
        """The document a funder downloads as the receipt of the donation: the tax
        receipt when one was issued, else the acknowledgement of funds received.

        :return: (record, report xml id)
        """
        self.ensure_one()
        if self.tax_receipt_id:
            return self.tax_receipt_id, "donation_base.report_donation_tax_receipt"
        return self, "compte_commun_communs.donation_donation_report_acknowledgement"

    def _get_report_base_filename(self):
        """Name of the receipt PDF a funder downloads from the portal (used by
        ``CustomerPortal._show_report``) when no tax receipt was issued."""
        self.ensure_one()
        return self.env._("Acknowledgement %(number)s", number=self.number)

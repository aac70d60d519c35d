# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models
from odoo.exceptions import UserError

from .account_move_commons_bill import APPROVAL_MOVE_TYPES
from .account_move_commons_payment import PAID_OUT_MOVE_TYPES
from .ledger import SPENT_ACCOUNT_TYPES


class AccountMove(models.Model):
    """The guards on every path that posts or pays a bill charged to a commons
    resource: a button, a list action, RPC, a cron or an import. The payment
    paths outside account.move call _check_commons_payable (the payment
    register wizard, account.payment, the reconciliation of journal items)."""

    _inherit = "account.move"  # pylint: disable=consider-merging-classes-inherited

    @api.depends("commons_resource_id", "commons_bill_state")
    def _compute_hide_post_button(self):
        # Confirm would only say no: a commons bill shows it once approved.
        res = super()._compute_hide_post_button()
        for move in self.filtered("commons_resource_id"):
            if (
                move.move_type in APPROVAL_MOVE_TYPES
                and move.commons_bill_state != "approved"
            ):
                move.hide_post_button = True
        return res

    @api.model_create_multi
    def create(self, vals_list):
        moves = super().create(vals_list)
        # A move born posted (over RPC) skips write(): check it here.
        moves.filtered(lambda move: move.state == "posted")._check_commons_postable()
        return moves

    def write(self, vals):
        if vals.get("state") == "posted":
            self._check_commons_postable()
        if vals.get("state") == "cancel":
            self._check_commons_cancellable()
        if "matched_payment_ids" in vals:
            self._check_commons_payable()
        res = super().write(vals)
        if (
            vals.get("state") == "posted"
            or self._get_commons_approved_fields() & vals.keys()
        ):
            # Again with what the write changed: a posted bill stays as its
            # stewards approved it (Odoo lets some of these change on a posted
            # move, or all of them with the context key skip_readonly_check).
            self.filtered(lambda move: move.state == "posted")._check_commons_postable()
        return res

    @api.model
    def _get_commons_approved_fields(self):
        """What a steward approves of a bill, besides its lines' amounts: a
        write of these on a posted bill is checked against the approval."""
        return {
            "partner_id",
            "partner_bank_id",
            "currency_id",
            "invoice_line_ids",
            "line_ids",
            "commons_instruction_id",
            "invoice_date",
            "move_type",
            "company_id",
        }

    def _check_commons_cancellable(self):
        """The host does not cancel, unseen, a bill waiting for its stewards or
        approved by them: it sends it back to its contributor with a reason
        (who is emailed), and the contributor withdraws it. The contributor's
        own withdrawal marks the bill withdrawn before cancelling it."""
        if self.env.su:
            return
        bills = self.sudo().filtered(
            lambda bill: bill.move_type in APPROVAL_MOVE_TYPES
            and bill.commons_bill_state in ("submitted", "approved")
        )
        resources = bills._get_commons_resources_read() if bills else {}
        for bill in bills:
            if resources[bill]:
                raise UserError(
                    self.env._(
                        "%(bill)s is %(state)s: the host does not cancel it. Send "
                        "it back to its contributor with the reason instead; they "
                        "correct or withdraw it.",
                        bill=bill.display_name,
                        state=bill._get_commons_status_label(),
                    )
                )

    def _autopost_bill(self):
        # After a file is uploaded to a journal, Odoo posts the bill read from
        # it when the partner's settings say so: a commons bill waits for its
        # stewards instead of making the upload fail.
        self.ensure_one()
        resources = (
            self._get_commons_resources()
            if self.move_type in APPROVAL_MOVE_TYPES
            else None
        )
        if resources and self.commons_bill_state != "approved":
            self.message_post(
                body=self.env._(
                    "This bill is charged to %(resource)s: it is not auto-posted "
                    "before a steward of the resource approves it.",
                    resource=resources[:1].display_name,
                ),
                subtype_xmlid="mail.mt_note",
            )
            return
        super()._autopost_bill()

    def _check_commons_postable(self):
        """A move that names a resource's analytic account is posted only when
        it is a movement of the resource's money (the ledger rule,
        _check_commons_ledger) and, for a bill, as its stewards approved it."""
        self._check_commons_ledger()
        moves = self.filtered(lambda move: move.move_type in APPROVAL_MOVE_TYPES)
        if not moves:
            return
        resources = moves._get_commons_resources_read()
        bills = moves.filtered(lambda move: resources[move])
        bills._prefetch_commons_fingerprints()
        for bill in bills:
            bill._check_commons_approved(resources[bill])
            bill._check_commons_expense_accounts(resources[bill])

    def _check_commons_expense_accounts(self, resources):
        """A bill charges a resource an expense: booked on a balance sheet
        account, what it pays would not show in the resource's figures."""
        self.ensure_one()
        account_ids = set(resources.analytic_account_id.ids)
        for line in self.invoice_line_ids.filtered(
            lambda line: line.display_type == "product"
        ):
            # The distribution read as the lookup of the resources reads it.
            if (
                line._get_commons_distribution_account_ids() & account_ids
                and line.account_id.account_type not in SPENT_ACCOUNT_TYPES
            ):
                raise UserError(
                    self.env._(
                        "%(bill)s charges %(resource)s on %(account)s: a bill of a "
                        "commons resource is booked on an expense account.",
                        bill=self.display_name,
                        resource=resources[:1].display_name,
                        account=line.account_id.display_name,
                    )
                )

    def _check_commons_payable(self, resources=None):
        """A bill that spends a resource's funds is paid or reconciled only once
        posted, and as its stewards approved it.

        :param resources: {move: commons.resource}, when the caller read them
        """
        moves = self.sudo().filtered(lambda move: move.move_type in APPROVAL_MOVE_TYPES)
        if not moves:
            return
        if resources is None:
            resources = moves._get_commons_resources_read()
        moves.filtered(lambda move: resources[move])._prefetch_commons_fingerprints()
        for move in moves:
            if resources[move]:
                if move.state != "posted":
                    raise UserError(
                        self.env._(
                            "%(bill)s is not posted: a bill of a commons resource "
                            "is paid once approved by its stewards and posted.",
                            bill=move.display_name,
                        )
                    )
                move._check_commons_approved(resources[move])

    def _check_commons_bill_bank_account(self):
        """A bill goes to its stewards with the bank account its money will be
        paid to: one of its contributor's own, which the stewards read and
        approve (see _get_commons_fingerprint). Read from the account itself,
        with no search: the stewards' page checks every bill it shows."""
        self.ensure_one()
        bill = self.sudo()
        if bill.move_type not in PAID_OUT_MOVE_TYPES:
            return
        bank = bill.partner_bank_id
        partner = bill.commercial_partner_id
        if not bank:
            raise UserError(
                self.env._(
                    "%(bill)s has no bank account to be paid to: choose one of "
                    "the bank accounts of %(partner)s. If none is recorded, ask "
                    "the host to record it.",
                    bill=bill.display_name,
                    partner=partner.display_name,
                )
            )
        # The accounts the contributor's portal offers them, no other.
        intake = self.env["commons.bill.intake"]
        if not intake._is_commons_bank_account(bank, partner, bill.company_id):
            raise UserError(
                self.env._(
                    "The bank account %(account)s is not one of the bank accounts "
                    "of %(partner)s: a bill is paid to its contributor's own "
                    "account.",
                    account=bank._get_commons_masked_number(),
                    partner=partner.display_name,
                )
            )
        if not bank.acc_holder_name:
            # The stewards approve the name the account is held in, as written
            # on it: not a name that would follow the contact's.
            raise UserError(
                self.env._(
                    "The bank account %(account)s of %(partner)s has no holder "
                    "name: the host records the name it is held in, which the "
                    "stewards approve with its number.",
                    account=bank._get_commons_masked_number(),
                    partner=partner.display_name,
                )
            )

    def _check_commons_approved(self, resources=None):
        """The bill is approved by its stewards as it is now: its fingerprint,
        computed once, is the one they approved.

        :param resources: the bill's commons.resource, when the caller read them
        """
        self.ensure_one()
        approvals = self._get_commons_valid_approvals()
        if (
            self.commons_bill_state != "approved"
            or len(approvals.partner_id) < self.commons_approvals_needed
        ):
            raise UserError(
                self.env._(
                    "%(bill)s is charged to %(resource)s: it cannot be posted or "
                    "paid before a steward of the resource approves it as it is "
                    "(%(status)s).",
                    bill=self.display_name,
                    resource=(
                        resources
                        if resources is not None
                        else self._get_commons_resources()
                    )[:1].display_name,
                    status=self._get_commons_status_label(),
                )
            )

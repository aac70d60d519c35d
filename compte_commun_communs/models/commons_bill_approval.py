# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import AccessError


class CommonsBillApproval(models.Model):
    """A steward's approval of a contributor's bill, as it was when approved.

    Only the bill's own method (``account.move.commons_approve``) makes
    one, as superuser after checking who calls it: nobody writes, creates or
    deletes an approval over RPC, not even an administrator.
    """

    _name = "commons.bill.approval"
    _description = "Approval of a Commons Bill"
    _order = "date, id"

    move_id = fields.Many2one(
        "account.move",
        string="Bill",
        required=True,
        index=True,
        ondelete="cascade",
        readonly=True,
    )
    user_id = fields.Many2one(
        "res.users", string="Approved By", required=True, readonly=True
    )
    partner_id = fields.Many2one(
        "res.partner", string="Steward", required=True, readonly=True
    )
    date = fields.Datetime(
        string="Approved On", required=True, readonly=True, default=fields.Datetime.now
    )
    amount = fields.Monetary(
        string="Approved Amount",
        currency_field="currency_id",
        readonly=True,
        help="What the bill consumed when it was approved.",
    )
    currency_id = fields.Many2one(related="move_id.company_currency_id")
    # What the bill was when approved: the approval holds for that bill only.
    fingerprint = fields.Char(readonly=True)

    @api.model_create_multi
    def create(self, vals_list):
        self._check_commons_approval_access()
        approvals = super().create(vals_list)
        approvals._check_commons_approver_login()
        return approvals

    def write(self, vals):
        self._check_commons_approval_access()
        return super().write(vals)

    def unlink(self):
        self._check_commons_approval_access()
        return super().unlink()

    def _check_commons_approver_login(self):
        """No approval is recorded for a login that may not decide now (a
        second login, a login someone else changed, the host's staff), nor in
        the name of another person than its login's.

        A last line only: the bill's commons_approve checks who decides
        first, and tells the steward why not; this refuses an approval that
        code made without that check. It reads what that check read (the
        login's changes are kept by the ORM for the transaction), once for
        each login and each steward and company of the batch.
        """
        for user in self.user_id:
            user._check_commons_decision_login()
        for approval in self:
            if approval.partner_id != approval.user_id.partner_id:
                raise AccessError(
                    self.env._(
                        "%(login)s approves for %(person)s only, not for " "%(other)s.",
                        login=approval.user_id.login,
                        person=approval.user_id.partner_id.display_name,
                        other=approval.partner_id.display_name,
                    )
                )
        for partner, company in {
            (approval.partner_id, approval.move_id.company_id) for approval in self
        }:
            partner._check_commons_steward_duties(company)

    def _check_commons_approval_access(self):
        if not self.env.su:
            raise AccessError(
                self.env._(
                    "Approvals are given by a steward of the resource, with the "
                    "Approve button of their portal; they cannot be written."
                )
            )

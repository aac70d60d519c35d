# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import defaultdict

from odoo import models

# The accountant's activity on a commons bill, by the bill's commons status:
# approved by its stewards, to post; posted and not fully paid, to pay.
WORKLIST_ACTIVITIES = {
    "approved": "compte_commun_communs.mail_activity_type_commons_bill_post",
    "posted": "compte_commun_communs.mail_activity_type_commons_bill_pay",
    "partial": "compte_commun_communs.mail_activity_type_commons_bill_pay",
}
# The statuses a bill reaches once its activity's work is done: posted (or
# further) ends "Post", paid or in payment ends "Pay". Any other change (the
# approval lapsed, sent back, reset to draft, cancelled, reversed) removes it.
WORKLIST_DONE_STATUSES = {
    "compte_commun_communs.mail_activity_type_commons_bill_post": {
        "posted",
        "partial",
        "in_payment",
        "paid",
    },
    "compte_commun_communs.mail_activity_type_commons_bill_pay": {
        "in_payment",
        "paid",
    },
}
# The bills paid in the transaction, whose activities are synced at its end.
WORKLIST_PRECOMMIT_KEY = "compte_commun_communs.worklist.paid"
# The moves of the accountant's worklist: a contributor's bill, not a credit
# note.
WORKLIST_MOVE_TYPES = ("in_invoice", "in_receipt")


class AccountMove(models.Model):
    """The host's accountant's worklist: an activity on each commons bill
    that waits for them, scheduled when it arrives and done when they did it."""

    _inherit = "account.move"  # pylint: disable=consider-merging-classes-inherited

    def write(self, vals):
        res = super().write(vals)
        if self._get_commons_worklist_fields() & vals.keys():
            self._sync_commons_worklist_activities()
        elif "matched_payment_ids" in vals:
            # A payment without a journal entry pays the bill through this
            # link alone; one with an entry was reconciled with the bill
            # (see _invoice_paid_hook).
            self.filtered(
                lambda move: any(
                    not payment.move_id for payment in move.sudo().matched_payment_ids
                )
            )._sync_commons_worklist_activities_at_commit()
        return res

    def _invoice_paid_hook(self):
        # A reconciliation paid the bill: the wizard's payment, an uploaded
        # payment order, a bank statement or a reconciliation by hand.
        res = super()._invoice_paid_hook()
        self._sync_commons_worklist_activities_at_commit()
        return res

    def _get_commons_worklist_fields(self):
        """What moves a bill along the accountant's worklist when written: the
        stewards' approval, the bill's state (its payments: see write and
        _invoice_paid_hook)."""
        return {"state", "commons_bill_state"}

    def _sync_commons_worklist_activities_at_commit(self):
        """Sync the activities of these bills (see
        _sync_commons_worklist_activities) once, when the transaction ends,
        with every bill paid in it: paying 50 bills one payment at a time reads
        their activities once, as mail's tracking does."""
        bills = self.filtered(
            lambda move: move.move_type in WORKLIST_MOVE_TYPES
            and move.commons_resource_id
        )
        if not bills:
            return
        self.env.cr.precommit.add(self._finalize_commons_worklist_activities)
        self.env.cr.precommit.data.setdefault(WORKLIST_PRECOMMIT_KEY, set()).update(
            bills.ids
        )

    def _finalize_commons_worklist_activities(self):
        ids = self.env.cr.precommit.data.pop(WORKLIST_PRECOMMIT_KEY, set())
        if not ids:
            return
        self.browse(ids).exists()._sync_commons_worklist_activities()
        # called after the main flush, just before the commit: what the sync
        # made must be flushed again
        self.env.flush_all()

    def _sync_commons_worklist_activities(self):
        """Give each commons bill among these the accountant's activity its
        status calls for, and only that one (see WORKLIST_ACTIVITIES): the
        activity it had is marked done when the bill went on (posted, paid),
        removed otherwise; a missing one is scheduled for the company's
        ``commons_accountant_user_id``, none when it is not set.

        As superuser: a portal steward's approval schedules an activity they
        may not create, and a contributor's change removes one they may not
        read; nobody gains a right by it, as the activity's fields are set
        here and not by them.
        """
        bills = self.sudo().filtered(
            lambda move: move.move_type in WORKLIST_MOVE_TYPES
            and move.commons_resource_id
        )
        if not bills:
            return
        types = {
            xmlid: self.env.ref(xmlid, raise_if_not_found=False)
            for xmlid in WORKLIST_DONE_STATUSES
        }
        if not all(types.values()):
            return  # the module's data is not loaded yet
        xmlid_by_type = {activity_type: xmlid for xmlid, activity_type in types.items()}
        Activity = self.env["mail.activity"].sudo()
        open_activities = defaultdict(lambda: Activity)
        for activity in Activity.search(
            [
                ("res_model", "=", self._name),
                ("res_id", "in", bills.ids),
                ("activity_type_id", "in", [t.id for t in types.values()]),
            ]
        ):
            open_activities[activity.res_id] |= activity
        done, removed = Activity, Activity
        to_schedule = defaultdict(lambda: self.browse().sudo())
        for bill in bills:
            wanted = WORKLIST_ACTIVITIES.get(bill.commons_status)
            kept = False
            for activity in open_activities[bill.id]:
                xmlid = xmlid_by_type[activity.activity_type_id]
                if xmlid == wanted and not kept:
                    kept = True
                elif bill.commons_status in WORKLIST_DONE_STATUSES[xmlid]:
                    done |= activity
                else:
                    removed |= activity
            accountant = bill.company_id.commons_accountant_user_id
            if wanted and not kept and accountant:
                to_schedule[types[wanted], accountant] |= bill
        done.action_feedback()
        removed.unlink()
        for (activity_type, accountant), to_do in to_schedule.items():
            to_do.activity_schedule(
                activity_type_id=activity_type.id,
                date_deadline=activity_type._get_date_deadline(),
                user_id=accountant.id,
            )

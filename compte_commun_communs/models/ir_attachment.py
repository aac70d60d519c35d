# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import base64

from odoo import models
from odoo.exceptions import UserError

# What an attachment's content is made of: written, it replaces the file.
CONTENT_FIELDS = ("raw", "datas", "db_datas", "type", "url")
# Where an attachment belongs: written, it leaves its record.
RECORD_FIELDS = ("res_model", "res_id", "res_field")


class IrAttachment(models.Model):
    """The files of a commons bill its stewards decide on, or decided on, stay
    as they read them: they are not removed, replaced or moved to another
    record. A new main file makes the approval lapse (its checksum is part of
    what is approved)."""

    _inherit = "ir.attachment"

    def write(self, vals):
        # Renaming a file, or anything else that neither replaces it nor moves
        # it, needs no look-up of the bills it may belong to.
        if vals.keys() & {*RECORD_FIELDS, *CONTENT_FIELDS}:
            self._check_commons_bill_files_kept(vals)
        return super().write(vals)

    def unlink(self):
        self._check_commons_bill_files_kept()
        return super().unlink()

    def _get_commons_locked_bills(self):
        """The bills whose files these are, among those whose files are kept.

        :return: {attachment: account.move (as superuser)}
        """
        attachments = self.sudo().filtered(
            lambda a: a.res_model == "account.move" and a.res_id and not a.res_field
        )
        if not attachments:
            return {}
        bills = (
            self.env["account.move"]
            .sudo()
            .browse(set(attachments.mapped("res_id")))
            .exists()
            ._get_commons_file_locked_bills()
        )
        return {
            attachment: bills.filtered(lambda b, a=attachment: b.id == a.res_id)
            for attachment in attachments
            if attachment.res_id in bills.ids
        }

    def _check_commons_bill_files_kept(self, vals=None):
        """Refuse removing, replacing or moving a file of a commons bill that
        waits for its stewards, was approved or is posted.

        :param vals: the values written, or None for a removal
        """
        for attachment, bill in self._get_commons_locked_bills().items():
            if vals is None:
                problem = self.env._("removed")
            elif any(
                key in vals and vals[key] != attachment[key] for key in RECORD_FIELDS
            ):
                problem = self.env._("moved to another record")
            elif attachment._is_commons_content_changed(vals):
                problem = self.env._("replaced")
            else:
                continue
            raise UserError(
                self.env._(
                    "%(file)s is the invoice file of %(bill)s, which the stewards "
                    "of %(resource)s decide on or decided on: it cannot be "
                    "%(problem)s. Add a new file instead: the stewards then "
                    "approve the bill again.",
                    file=attachment.name,
                    bill=bill.display_name,
                    resource=bill._get_commons_resources()[:1].display_name,
                    problem=problem,
                )
            )

    def _is_commons_content_changed(self, vals):
        """Whether writing ``vals`` changes the file's content (writing the same
        bytes again, as a move of the file store does, does not)."""
        self.ensure_one()
        attachment = self.sudo()
        for key in CONTENT_FIELDS:
            if key not in vals:
                continue
            if key in ("raw", "datas", "db_datas"):
                content = vals[key] or b""
                if key == "datas":
                    content = base64.b64decode(content)
                elif isinstance(content, str):
                    content = content.encode()
                if self._compute_checksum(content) != attachment.checksum:
                    return True
            elif vals[key] != attachment[key]:
                return True
        return False

# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models


class PortalWizardUser(models.TransientModel):
    """The portal access wizard, open to the host's staff (Contact Creation):
    for a steward or a contributor who already has a login, only an
    administrator changes its email, invites again (a link that sets the
    password), revokes it or gives back an archived login."""

    _inherit = "portal.wizard.user"

    commons_locked = fields.Boolean(
        compute="_compute_commons_locked",
        help="The contact is a steward or a contributor of a commons resource "
        "with a login, and you are not an administrator: its email, its "
        "invitation and its access are an administrator's.",
    )

    @api.depends("partner_id", "user_id")
    @api.depends_context("uid")
    def _compute_commons_locked(self):
        writer = self.env.user
        if writer._is_admin():
            self.commons_locked = False
            return
        people = self.partner_id._get_commons_people()
        for line in self:
            line.commons_locked = (
                bool(line.user_id)
                and line.partner_id in people
                # Not their own (a second login on their contact is not them).
                and line.partner_id._get_commons_login() != writer
            )

    # The line's email goes to the contact by its write, which guards and
    # records it (res.partner.write): only what the contact's guard does not
    # see is checked here.

    def action_grant_access(self):
        self.ensure_one()
        if self.user_id:
            # An archived login (or a public one) is given back, with a new
            # invitation.
            self.partner_id._check_commons_identity_writer("grant")
        return super().action_grant_access()

    def action_invite_again(self):
        self.ensure_one()
        self.partner_id._check_commons_identity_writer("invite")
        return super().action_invite_again()

    def action_revoke_access(self):
        """Revoking the access of a person of the commons cuts them off from
        deciding for their resources: an administrator's only, and they are
        told at their address."""
        self.ensure_one()
        self.partner_id._check_commons_identity_writer("revoke")
        user = self.user_id.sudo()
        res = super().action_revoke_access()
        if user and not user.active and self.partner_id._get_commons_people():
            user._notify_commons_access_revoked()
        return res

# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models


class CommonsDemo(models.AbstractModel):
    """Plays the demo's story by its actors: the demo data call it (the
    ``<function>`` tags of ``demo/account_move_demo.xml``) so that a steward
    issues her instruction and decides on bills, a contributor submits his,
    the accountant posts, each through the same methods and checks as in the
    product, never by writing states."""

    _name = "commons.demo"
    _description = "Demo Story of the Commons"

    @api.model
    def _demo_act(self, user_xmlid, record_xmlid, method, *args):
        """Call ``method`` of the demo record ``record_xmlid`` as the demo user
        ``user_xmlid``.

        A portal user acts as the portal makes them act: on the record as
        superuser, the user staying the caller whom the method itself checks
        (a steward of the resource, the bill's contributor). An internal user
        acts with their own rights, as in the backend.

        :return: what the method returns
        """
        user = self.env.ref(f"compte_commun_communs.{user_xmlid}")
        record = self.env.ref(f"compte_commun_communs.{record_xmlid}").with_user(user)
        if user.share:
            record = record.sudo()
        return getattr(record, method)(*args)

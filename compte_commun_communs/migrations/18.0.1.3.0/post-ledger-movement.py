# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The figures add up what each analytic item of a resource did to its money,
kept on the item since this version: say it for the items posted before.

An item whose journal item may not name a resource (a journal entry, a customer
invoice…) keeps no movement: the figures no longer count it, and the log says
which entries hold such items, for the accountant to correct."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["account.analytic.line"]._set_commons_movements()

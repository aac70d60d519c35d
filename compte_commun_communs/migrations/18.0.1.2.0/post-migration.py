# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Contributors' bills: the French chart's purchase taxes for them (VAT as a cost
of the resource, art. 293 B), for companies that had the chart before."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    for company in env["res.company"].search([]):
        env["account.chart.template"]._load_commons_taxes(company)

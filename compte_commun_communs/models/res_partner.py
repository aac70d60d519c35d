# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    commons_funder_type = fields.Selection(
        [("public", "Public body"), ("private", "Private")],
        string="Funder Type",
        tracking=True,
        help="Public bodies (State agencies, regions, municipalities) give grants; "
        "their donations are recorded as public grants by default.",
    )
    commons_named_funder = fields.Boolean(
        string="Named on the Needs Pages",
        tracking=True,
        help="The funder agreed to be named on the public pages of the resources "
        "they fund.",
    )

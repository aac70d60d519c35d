# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .ledger import MAX_YEAR, MIN_YEAR, is_commons_year


class ResUsersSettings(models.Model):
    _inherit = "res.users.settings"

    # A setting of the user rather than a context key: it survives a reload.
    commons_figures_year = fields.Integer(
        string="Year of the Commons Figures",
        help="The year whose figures the commons resources show the user; empty "
        "for the current year.",
    )

    @api.constrains("commons_figures_year")
    def _check_commons_figures_year(self):
        for settings in self:
            year = settings.commons_figures_year
            if year and not is_commons_year(year):
                raise ValidationError(
                    self.env._(
                        "The year must be between %(min)s and %(max)s.",
                        min=MIN_YEAR,
                        max=MAX_YEAR,
                    )
                )

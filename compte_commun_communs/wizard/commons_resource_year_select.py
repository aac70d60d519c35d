# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..models.ledger import MAX_YEAR, MIN_YEAR, is_commons_year


class CommonsResourceYearSelect(models.TransientModel):
    _name = "commons.resource.year.select"
    _description = "Choose the year of the commons resources' figures"

    def _default_year(self):
        return self.env["commons.resource"]._get_figures_year()

    year = fields.Integer(required=True, default=_default_year)

    @api.constrains("year")
    def _check_year(self):
        for wizard in self:
            if not is_commons_year(wizard.year):
                raise ValidationError(
                    self.env._(
                        "The year must be between %(min)s and %(max)s.",
                        min=MIN_YEAR,
                        max=MAX_YEAR,
                    )
                )

    def action_show_figures(self):
        self.ensure_one()
        self.env["commons.resource"]._set_figures_year(self.year)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "compte_commun_communs.commons_resource_action"
        )
        # No year in the title: the year can change from a resource's form, and
        # the list's breadcrumb would then show a year its figures no longer are.
        action.update(
            {
                "view_mode": "list,kanban,form",
                "views": [(False, "list"), (False, "kanban"), (False, "form")],
                "target": "main",
            }
        )
        return action

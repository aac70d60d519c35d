# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import format_amount

from .ledger import MAX_YEAR, MIN_YEAR, is_commons_year


class CommonsResourceNeed(models.Model):
    _name = "commons.resource.need"
    _description = "Yearly need of a commons resource"
    _order = "year desc, resource_id, category_sequence, id"
    _check_company_auto = True

    def _default_year(self):
        return self.env["commons.resource"]._get_figures_year()

    resource_id = fields.Many2one(
        "commons.resource",
        string="Resource",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    company_id = fields.Many2one(
        related="resource_id.company_id", store=True, index=True
    )
    currency_id = fields.Many2one(related="resource_id.currency_id")
    # Never summed: a group row of the needs list would show the sum of years.
    year = fields.Integer(
        required=True, index=True, default=_default_year, aggregator=None
    )
    category_id = fields.Many2one(
        "commons.need.category",
        string="Category",
        required=True,
        ondelete="restrict",
    )
    category_sequence = fields.Integer(related="category_id.sequence", store=True)
    name = fields.Char(string="Label", required=True)
    amount = fields.Monetary(required=True, currency_field="currency_id")

    _sql_constraints = [
        (
            "resource_year_name_uniq",
            "unique(resource_id, year, name)",
            "A resource cannot have two needs with the same label in the same year.",
        ),
    ]

    @api.depends("resource_id", "year", "name")
    def _compute_display_name(self):
        for need in self:
            need.display_name = f"{need.resource_id.name} {need.year}: {need.name}"

    @api.constrains("amount")
    def _check_amount(self):
        for need in self:
            if need.currency_id.compare_amounts(need.amount, 0.0) <= 0:
                raise ValidationError(
                    self.env._(
                        "The amount of the need “%(need)s” must be positive.",
                        need=need.name,
                    )
                )

    @api.constrains("year")
    def _check_year(self):
        for need in self:
            if not is_commons_year(need.year):
                raise ValidationError(
                    self.env._(
                        "The year of the need “%(need)s” must be between "
                        "%(min)s and %(max)s.",
                        need=need.name,
                        min=MIN_YEAR,
                        max=MAX_YEAR,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        needs = super().create(vals_list)
        needs._log_on_resource(self.env._("Needs added:"))
        return needs

    def write(self, vals):
        res = super().write(vals)
        if {"year", "category_id", "name", "amount"} & vals.keys():
            self._log_on_resource(self.env._("Needs changed:"))
        return res

    def unlink(self):
        self._log_on_resource(self.env._("Needs removed:"))
        return super().unlink()

    def _log_on_resource(self, title):
        """Keep the history of needs in the resource's chatter: funders rely on it."""
        for resource, needs in self.grouped("resource_id").items():
            items = Markup().join(
                Markup("<li>%s</li>") % need._get_log_description() for need in needs
            )
            resource._message_log(body=Markup("%s<ul>%s</ul>") % (title, items))

    def _get_log_description(self):
        self.ensure_one()
        return self.env._(
            "%(year)s, %(category)s, %(label)s: %(amount)s",
            year=self.year,
            category=self.category_id.name,
            label=self.name,
            amount=format_amount(self.env, self.amount, self.currency_id),
        )

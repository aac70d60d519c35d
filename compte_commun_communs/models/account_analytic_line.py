# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging
from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL
from odoo.tools.sql import column_exists, index_exists

_logger = logging.getLogger(__name__)

# What a journal item does to a resource's money (see
# account.move.line._get_commons_movement).
COMMONS_MOVEMENTS = [
    ("received", "Received"),
    ("fee", "Host Fee"),
    ("spent", "Spent"),
    ("none", "Not Counted"),
]
# The movements the figures add up (see commons.resource._get_ledger_amounts).
COUNTED_MOVEMENTS = ("received", "fee", "spent")
# The index the figures read the ledger from, without the table.
LEDGER_INDEX = "account_analytic_line_commons_ledger_index"


class AccountAnalyticLine(models.Model):
    """The analytic items of a resource are its figures: they come from
    journal items only (account.move.line._create_analytic_lines makes them as
    superuser when an entry is posted), never from a hand-made item, and
    nobody changes or deletes them but the code that posts and resets entries.
    Each keeps what its journal item did to the resource's money, as it was
    when posted: the figures add that up."""

    _inherit = "account.analytic.line"

    commons_movement = fields.Selection(
        COMMONS_MOVEMENTS,
        readonly=True,
        index=True,
        help="What the journal item did to the commons resource's money when it "
        "was posted: the resource's figures add these up.",
    )

    def init(self):
        res = super().init()
        # On an update; on install the plan's column is made after the
        # models, and post_init_hook makes the index.
        self._create_commons_ledger_index()
        return res

    @api.model
    def _create_commons_ledger_index(self):
        """The index of the resources' figures: every counted item of a
        resource, by resource, with its date and amount, so that the figures
        read it alone (an index-only scan, where the visibility map allows),
        not the table, whose lines are four times wider."""
        column = self._get_commons_column()
        if (
            not column
            or index_exists(self.env.cr, LEDGER_INDEX)
            or not column_exists(self.env.cr, self._table, column)
        ):
            return
        self.env.cr.execute(
            SQL(
                "CREATE INDEX %s ON %s (%s, company_id, commons_movement)"
                " INCLUDE (date, amount) WHERE commons_movement IN %s",
                SQL.identifier(LEDGER_INDEX),
                SQL.identifier(self._table),
                SQL.identifier(column),
                COUNTED_MOVEMENTS,
            )
        )

    @api.model_create_multi
    def create(self, vals_list):
        column = self._get_commons_column()
        if column:
            for vals in vals_list:
                vals.pop("commons_movement", None)
            commons_vals = [vals for vals in vals_list if vals.get(column)]
            if commons_vals:
                movements = self._get_commons_line_movements(commons_vals)
                for vals, movement in zip(commons_vals, movements, strict=True):
                    vals["commons_movement"] = movement
        return super().create(vals_list)

    @api.model
    def _get_commons_ledger_fields(self):
        """What an analytic item of a resource holds of the ledger: its money,
        its year, its journal item and what it does to the resource's money.
        The plans' columns are added to these."""
        return {
            "amount",
            "date",
            "general_account_id",
            "move_line_id",
            "company_id",
            "commons_movement",
        }

    def write(self, vals):
        if not self.env.su:
            column = self._get_commons_column()
            fields = self._get_commons_ledger_fields() | set(self._get_plan_fnames())
            if vals.get(column) or (fields & vals.keys() and self.filtered(column)):
                raise UserError(self._get_commons_hand_made_error())
        return super().write(vals)

    def unlink(self):
        column = self._get_commons_column()
        if not self.env.su and column and self.filtered(column):
            raise UserError(self._get_commons_hand_made_error())
        return super().unlink()

    def _unlink_commons_lines(self):
        """Delete these analytic items, those of a resource too, when their
        journal item's own analytic items are made again (its distribution
        changed) or removed (its entry reset to draft): the only ways they go."""
        column = self._get_commons_column()
        commons = self.filtered(column) if column else self.browse()
        commons.sudo().with_context(skip_analytic_sync=True).unlink()

    @api.model
    def _get_commons_line_movements(self, vals_list):
        """What the journal item of each new analytic item of a resource does to
        its money (the moves' origins read once for all); refused when one may
        not name the resource.

        :return: list of values of COMMONS_MOVEMENTS, one per vals
        """
        Item = self.env["account.move.line"].sudo()
        items = [Item.browse(vals.get("move_line_id")) for vals in vals_list]
        made_by = Item.concat(*items)
        # Each of an existing journal item, read with one query.
        if not self.env.su or not all(items) or made_by.exists() != made_by:
            raise UserError(self._get_commons_hand_made_error())
        origins = Item.concat(*items).move_id._get_commons_origins()
        movements = []
        for item in items:
            movement = item._get_commons_movement(origins[item.move_id])
            if not movement:
                item.move_id._check_commons_ledger()
                # What _check_commons_ledger refuses is a whole move: an item
                # alone may still be refused (Odoo makes the analytic items of
                # an item whose distribution changed).
                raise UserError(self._get_commons_hand_made_error())
            movements.append(movement)
        return movements

    @api.model
    def _set_commons_movements(self):
        """Say what each analytic item of a resource made before the movement
        was kept on it did to the resource's money (see the migration to
        18.0.1.3.0). Run as superuser.

        :return: the journal entries whose items may not name a resource
        """
        column = self._get_commons_column()
        lines = self.sudo().search(
            [(column, "!=", False), ("commons_movement", "=", False)]
        )
        items = lines.move_line_id
        origins = items.move_id._get_commons_origins()
        movements = {
            item: item._get_commons_movement(origins[item.move_id]) for item in items
        }
        by_movement = defaultdict(lambda: lines.browse())
        for line in lines:
            by_movement[movements.get(line.move_line_id)] |= line
        for movement, movement_lines in by_movement.items():
            if movement:
                movement_lines.write({"commons_movement": movement})
        refused = by_movement.get(False, lines.browse()).move_line_id.move_id
        if refused:
            _logger.warning(
                "Journal entries naming a commons resource without being a "
                "donation's or an approved bill's, no longer counted in its "
                "figures: %s",
                ", ".join(refused.mapped("display_name")),
            )
        return refused

    @api.model
    def _get_commons_column(self):
        # None while the module is being installed, before its plan exists.
        plan = self.env.ref(
            "compte_commun_communs.account_analytic_plan_commons",
            raise_if_not_found=False,
        )
        return plan and plan._column_name()

    def _get_commons_hand_made_error(self):
        return self.env._(
            "The analytic items of a commons resource come from the journal items "
            "of its donations and bills: they are not made, changed or deleted by "
            "hand. Record or correct the entry instead."
        )

# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""What the models share about the ledger; no model here."""

from odoo.tools import SQL

# Where the ledger puts money in and out of a resource's analytic account.
FUNDED_ACCOUNT_TYPES = ("income", "income_other")
SPENT_ACCOUNT_TYPES = ("expense", "expense_depreciation", "expense_direct_cost")


def lock_rows(records):
    """Lock the records' rows until the end of the transaction, before a check
    of money against them: of two approvals or envelopes at the same moment,
    the second fails at once, and Odoo retries its request (on a lock or
    serialization failure), which then sees the first."""
    if not records.ids:
        return
    cr = records.env.cr
    table = SQL.identifier(records._table)
    ids = tuple(records.ids)
    cr.execute(
        SQL(
            "SELECT id FROM %(table)s WHERE id IN %(ids)s FOR NO KEY UPDATE NOWAIT",
            table=table,
            ids=ids,
        )
    )
    # A transaction that read the rows before this one commits must fail too
    # rather than miss what this one adds: touch them.
    cr.execute(
        SQL(
            "UPDATE %(table)s SET write_date = write_date WHERE id IN %(ids)s",
            table=table,
            ids=ids,
        )
    )

# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""What the models share about the ledger; no model here."""

from odoo.tools import SQL

# The years the commons count in: a year outside them is a typing error, not
# a plan. Needs, figures, the public pages and donations split by the needs of
# a year all refuse or ignore one.
MIN_YEAR = 2000
MAX_YEAR = 2100


def is_commons_year(year):
    """Whether ``year`` is an int within MIN_YEAR and MAX_YEAR."""
    return isinstance(year, int) and MIN_YEAR <= year <= MAX_YEAR


# Where the ledger puts money in and out of a resource's analytic account.
FUNDED_ACCOUNT_TYPES = ("income", "income_other")
SPENT_ACCOUNT_TYPES = ("expense", "expense_depreciation", "expense_direct_cost")


class LedgerPass:
    """What lets a donation's own entry name a resource's analytic account while
    the donation posts it, before the entry is linked to the donation.

    Passed in the context under LEDGER_PASS_KEY by the donation's own methods
    only: a context sent over RPC is JSON, which cannot hold this object."""

    __slots__ = ("donation_ids",)

    def __init__(self, donations):
        self.donation_ids = frozenset(donations.ids)


LEDGER_PASS_KEY = "commons_ledger_pass"


def ledger_pass_context(donations):
    """The context key and value for ``with_context`` while ``donations`` post
    or reverse their entries."""
    return {LEDGER_PASS_KEY: LedgerPass(donations)}


def is_ledger_pass(context):
    """Whether the context is a donation's own, posting or reversing its entry."""
    return isinstance(context.get(LEDGER_PASS_KEY), LedgerPass)


def changed_field_labels(record, fields, vals):
    """The labels of the ``fields`` whose value in ``vals`` differs from the
    record's: what a write would really change.

    :return: list of field labels, in the user's language, sorted by name
    """
    return [
        record._fields[name].get_description(record.env)["string"]
        for name in sorted(fields)
        if record._fields[name].convert_to_cache(vals[name], record)
        != record._fields[name].convert_to_cache(record[name], record)
    ]


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

# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Seed the bench's database: resources, their ledger, instructions, bills.

    python bench/seed.py -c ODOO_CONF -d DB base [--size smoke|small|default]
    python bench/seed.py -c ODOO_CONF -d DB bills --count K
    python bench/seed.py -c ODOO_CONF -d DB publish --count N

``base`` makes, through the ORM, the people, the resources and their needs,
one real donation, one real posted bill, one active instruction per resource,
one real approved bill and the bill resource's first ten bills (the templates);
it then copies those templates' rows in SQL to reach the size's 200,000
analytic lines, 100 approved unposted bills and so on (see bench/README.md).
``bills`` grows the bill resource to K bills by copying its first ten in SQL,
then records each copied approval's fingerprint as the addon computes it.
``publish`` leaves the first N resources on the public page.

The random choices come from a fixed seed: the same size gives the same data.
"""

import argparse
import io
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from odoo_env import environment, load_odoo, read_meta, write_meta  # noqa: E402

SIZES = {
    "smoke": {"resources": 20, "lines": 2000, "approved_bills": 5, "bills": [10, 100]},
    "small": {
        "resources": 100,
        "lines": 20000,
        "approved_bills": 20,
        "bills": [10, 1000],
    },
    "default": {
        "resources": 1000,
        "lines": 200000,
        "approved_bills": 100,
        "bills": [10, 1000, 10000],
    },
}
SEED = 13
# As Odoo's tests set up data (odoo.addons.base.tests.common): no tracking,
# no chatter log, no followers, no invitation email.
DISABLED_MAIL_CONTEXT = {
    "tracking_disable": True,
    "mail_create_nolog": True,
    "mail_create_nosubscribe": True,
    "mail_notrack": True,
    "no_reset_password": True,
}
# The bill resource's own ledger, as perf-2 had it.
BILL_RESOURCE_LINES = 200
DONATION_BASE = 1000
BILL_BASE = 100
# Above it, a bill of the bill resource needs two stewards.
DOUBLE_APPROVAL = 500
MANAGER_GROUPS = (
    "base.group_user",
    "base.group_partner_manager",
    "account.group_account_manager",
    "compte_commun_communs.compte_commun_communs_group_manager",
)
# Columns holding money, scaled by the copy's factor; every other column of a
# copied row is the template's, but for the overrides of each copy below.
MONEY_COLUMNS = {
    "account_move": None,  # every amount_* column, and quick_edit_total_amount
    "account_move_line": (
        "debit",
        "credit",
        "balance",
        "amount_currency",
        "tax_base_amount",
        "amount_residual",
        "amount_residual_currency",
        "price_unit",
        "price_subtotal",
        "price_total",
    ),
    "account_analytic_line": ("amount",),
    "donation_donation": (
        "commons_net_amount",
        "commons_fee_amount",
        "check_total",
        "amount_total",
        "amount_total_company_currency",
        "tax_receipt_total",
    ),
    "donation_line": (
        "commons_net_amount_company_currency",
        "commons_fee_amount",
        "commons_net_amount",
        "unit_price",
        "amount",
        "amount_company_currency",
        "tax_receipt_amount",
    ),
    "commons_bill_approval": ("amount",),
}


def log(message, *args):
    print(f"[bench] {message % args}", file=sys.stderr, flush=True)


# -- SQL copies of template rows ------------------------------------------------


def _columns(cr, table):
    cr.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'public' AND table_name = %s ORDER BY ordinal_position",
        [table],
    )
    return cr.fetchall()


def _money(cr, table):
    names = MONEY_COLUMNS[table]
    if names is None:
        return {
            name
            for name, kind in _columns(cr, table)
            if kind == "numeric"
            and (name.startswith("amount_") or name == "quick_edit_total_amount")
        }
    return set(names)


def _copy_rows(cr, table, map_table, overrides):
    """Insert one row of ``table`` per row of ``map_table`` (new_id, tmpl_id and
    the copy's values, as m.*): the template row t's columns, its money times
    m.factor, and ``overrides`` ({column: SQL expression})."""
    money = _money(cr, table)
    names, exprs = [], []
    for name, _kind in _columns(cr, table):
        if name == "id":
            continue
        names.append(f'"{name}"')
        if name in overrides:
            exprs.append(overrides[name])
        elif name in money:
            exprs.append(f"round(t.{name} * m.factor, 2)")
        else:
            exprs.append(f"t.{name}")
    cr.execute(
        f"INSERT INTO {table} (id, {', '.join(names)}) "
        f"SELECT m.new_id, {', '.join(exprs)} "
        f"FROM {map_table} m JOIN {table} t ON t.id = m.tmpl_id"
    )
    return cr.rowcount


def _replace_account(expr):
    """The analytic distribution ``expr`` naming m.aa_id instead of m.tmpl_aa."""
    return (
        f"CASE WHEN {expr} IS NULL THEN NULL ELSE regexp_replace({expr}::text, "
        f"'([\",])' || m.tmpl_aa || '([\",])', '\\1' || m.aa_id || '\\2', 'g')"
        "::jsonb END"
    )


def copy_moves(env, rows):
    """Copy template moves, as posting or the portal made them: each row is
    (template move id, resource id, its analytic account id, the template's
    analytic account id, date, money factor, partner id or None, instruction id
    or None, bill reference or None). Their journal items, analytic items,
    donations, donation lines and approvals come along.

    :return: the new moves' ids, in the order of ``rows``
    """
    cr = env.cr
    env.flush_all()
    cr.execute(
        "CREATE TEMP TABLE bench_rows (seq serial, mv_tmpl int, res_id int, "
        "aa_id int, tmpl_aa int, day date, factor numeric, partner int, instr int, "
        "bill_ref varchar) ON COMMIT DROP"
    )
    buffer = io.StringIO()
    for row in rows:
        buffer.write(
            "\t".join(r"\N" if value is None else str(value) for value in row) + "\n"
        )
    buffer.seek(0)
    cr._obj.copy_expert(
        "COPY bench_rows (mv_tmpl, res_id, aa_id, tmpl_aa, day, factor, partner, "
        "instr, bill_ref) FROM STDIN",
        buffer,
    )
    cr.execute(
        "CREATE TEMP TABLE bench_move ON COMMIT DROP AS "
        "SELECT nextval('account_move_id_seq') AS new_id, r.mv_tmpl AS tmpl_id, r.* "
        "FROM bench_rows r ORDER BY r.seq"
    )
    cr.execute(
        "CREATE TEMP TABLE bench_line ON COMMIT DROP AS "
        "SELECT nextval('account_move_line_id_seq') AS new_id, l.id AS tmpl_id, "
        "m.new_id AS mv_new, m.res_id, m.aa_id, m.tmpl_aa, m.day, m.factor, "
        "m.partner, m.bill_ref FROM bench_move m "
        "JOIN account_move_line l ON l.move_id = m.tmpl_id"
    )
    cr.execute(
        "CREATE TEMP TABLE bench_item ON COMMIT DROP AS "
        "SELECT nextval('account_analytic_line_id_seq') AS new_id, a.id AS tmpl_id, "
        "l.new_id AS line_new, l.aa_id, l.tmpl_aa, l.day, l.factor, l.partner "
        "FROM bench_line l JOIN account_analytic_line a ON a.move_line_id = l.tmpl_id"
    )
    cr.execute(
        "CREATE TEMP TABLE bench_donation ON COMMIT DROP AS "
        "SELECT nextval('donation_donation_id_seq') AS new_id, d.id AS tmpl_id, "
        "m.new_id AS mv_new, m.day, m.factor, m.partner FROM bench_move m "
        "JOIN donation_donation d ON d.move_id = m.tmpl_id"
    )
    cr.execute(
        "CREATE TEMP TABLE bench_donation_line ON COMMIT DROP AS "
        "SELECT nextval('donation_line_id_seq') AS new_id, dl.id AS tmpl_id, "
        "d.new_id AS don_new, m.res_id, m.aa_id, m.tmpl_aa, m.day, m.factor, "
        "m.partner FROM bench_donation d JOIN bench_move m ON m.new_id = d.mv_new "
        "JOIN donation_line dl ON dl.donation_id = d.tmpl_id"
    )
    cr.execute(
        "CREATE TEMP TABLE bench_approval ON COMMIT DROP AS "
        "SELECT nextval('commons_bill_approval_id_seq') AS new_id, a.id AS tmpl_id, "
        "m.new_id AS mv_new, m.factor FROM bench_move m "
        "JOIN commons_bill_approval a ON a.move_id = m.tmpl_id"
    )
    posted_name = "'BNCH/' || m.new_id"
    _copy_rows(
        cr,
        "account_move",
        "bench_move",
        {
            "name": f"CASE WHEN t.state = 'posted' THEN {posted_name} ELSE t.name END",
            "sequence_prefix": "CASE WHEN t.state = 'posted' THEN 'BNCH/' "
            "ELSE t.sequence_prefix END",
            "sequence_number": "CASE WHEN t.state = 'posted' THEN m.new_id "
            "ELSE t.sequence_number END",
            "date": "m.day",
            "invoice_date": "CASE WHEN t.invoice_date IS NULL THEN NULL ELSE m.day END",
            "invoice_date_due": "CASE WHEN t.invoice_date_due IS NULL THEN NULL "
            "ELSE m.day END",
            "ref": "COALESCE(m.bill_ref, t.ref)",
            "commons_resource_id": "CASE WHEN t.commons_resource_id IS NULL THEN NULL "
            "ELSE m.res_id END",
            "commons_instruction_id": "m.instr",
            "partner_id": "COALESCE(m.partner, t.partner_id)",
            "commercial_partner_id": "COALESCE(m.partner, t.commercial_partner_id)",
            "access_token": "NULL",
            "inalterable_hash": "NULL",
            "secure_sequence_number": "NULL",
            "message_main_attachment_id": "NULL",
        },
    )
    _copy_rows(
        cr,
        "account_move_line",
        "bench_line",
        {
            "move_id": "m.mv_new",
            "date": "m.day",
            "invoice_date": "CASE WHEN t.invoice_date IS NULL THEN NULL ELSE m.day END",
            "date_maturity": "CASE WHEN t.date_maturity IS NULL THEN NULL "
            "ELSE m.day END",
            "move_name": "CASE WHEN t.parent_state = 'posted' THEN 'BNCH/' || m.mv_new "
            "ELSE t.move_name END",
            "ref": "COALESCE(m.bill_ref, t.ref)",
            "analytic_distribution": _replace_account("t.analytic_distribution"),
            "partner_id": "COALESCE(m.partner, t.partner_id)",
            "full_reconcile_id": "NULL",
            "matching_number": "NULL",
        },
    )
    column = env.ref("compte_commun_communs.account_analytic_plan_commons")
    column = column._column_name()
    _copy_rows(
        cr,
        "account_analytic_line",
        "bench_item",
        {
            "move_line_id": "m.line_new",
            "date": "m.day",
            column: f"CASE WHEN t.{column} = m.tmpl_aa THEN m.aa_id "
            f"ELSE t.{column} END",
            "partner_id": "COALESCE(m.partner, t.partner_id)",
        },
    )
    _copy_rows(
        cr,
        "donation_donation",
        "bench_donation",
        {
            "move_id": "m.mv_new",
            "donation_date": "m.day",
            "number": "'BNCH-' || m.new_id",
            "partner_id": "COALESCE(m.partner, t.partner_id)",
            "commercial_partner_id": "COALESCE(m.partner, t.commercial_partner_id)",
            "tax_receipt_id": "NULL",
            "bank_statement_line_id": "NULL",
            "commons_receipt_message_id": "NULL",
            "commons_receipt_attachment_id": "NULL",
            "commons_reversal_move_id": "NULL",
        },
    )
    _copy_rows(
        cr,
        "donation_line",
        "bench_donation_line",
        {
            "donation_id": "m.don_new",
            "commons_resource_id": "m.res_id",
            "analytic_distribution": _replace_account("t.analytic_distribution"),
            "donation_date": "m.day",
            "commercial_partner_id": "COALESCE(m.partner, t.commercial_partner_id)",
            "commons_needs_year": "CASE WHEN t.commons_needs_year IS NULL THEN NULL "
            "ELSE extract(year FROM m.day)::int END",
        },
    )
    _copy_rows(cr, "commons_bill_approval", "bench_approval", {"move_id": "m.mv_new"})
    cr.execute("SELECT new_id FROM bench_move ORDER BY seq")
    new_ids = [row[0] for row in cr.fetchall()]
    for table in (
        "bench_approval",
        "bench_donation_line",
        "bench_donation",
        "bench_item",
        "bench_line",
        "bench_move",
        "bench_rows",
    ):
        cr.execute(f"DROP TABLE {table}")
    env.invalidate_all()
    return new_ids


def refresh_fingerprints(env, move_ids):
    """Record on each copied approval the fingerprint of its bill as the addon
    computes it: the steward's page and the counters hold them for real."""
    bills = env["account.move"].browse(move_ids).filtered("commons_approval_ids")
    values = [(bill._get_commons_fingerprint(), bill.id) for bill in bills]
    for start in range(0, len(values), 1000):
        chunk = values[start : start + 1000]
        env.cr.execute(
            "UPDATE commons_bill_approval a SET fingerprint = v.fp "
            "FROM (VALUES "
            + ", ".join(["(%s, %s)"] * len(chunk))
            + ") AS v(fp, move_id) WHERE a.move_id = v.move_id",
            [value for pair in chunk for value in pair],
        )
    env.invalidate_all()
    return len(values)


# -- What the ORM makes ---------------------------------------------------------


def _user(env, login, name, groups):
    from odoo import Command

    return (
        env["res.users"]
        .with_context(no_reset_password=True)
        .create(
            {
                "name": name,
                "login": login,
                "password": login,
                "email": f"{login}@bench.example.org",
                "groups_id": [Command.set([env.ref(g).id for g in groups])],
                "company_id": env.company.id,
                "company_ids": [Command.set(env.company.ids)],
            }
        )
    )


def _bank_account(env, partner, number):
    return (
        env["res.partner.bank"]
        .with_user(env.ref("base.user_root"))
        .create(
            {
                "acc_number": number,
                "acc_holder_name": partner.name,
                "partner_id": partner.id,
                "allow_out_payment": True,
            }
        )
    )


def _donate(ctx, resource, amount, day, partner):
    from odoo import Command

    donation = (
        ctx["env"]["donation.donation"]
        .with_user(ctx["accountant"])
        .create(
            {
                "partner_id": partner.id,
                "donation_date": day,
                "payment_method_line_id": ctx["method"].id,
                "tax_receipt_option": "none",
                "line_ids": [
                    Command.create(
                        {
                            "product_id": ctx["product"].id,
                            "unit_price": amount,
                            "commons_resource_id": resource.id,
                        }
                    )
                ],
            }
        )
    )
    donation.validate()
    return donation


def _bill(ctx, resource, contributor, amount, day, ref, instruction=None):
    """A contributor's draft bill of one expense line charged to the resource,
    as the accountant records it (tests/common.py's _bill)."""
    from odoo import Command

    env = ctx["env"]
    return (
        env["account.move"]
        .with_user(ctx["accountant"])
        .create(
            {
                "move_type": "in_invoice",
                "partner_id": contributor.partner_id.id,
                "partner_bank_id": contributor.partner_id.bank_ids[:1].id,
                "ref": ref,
                "invoice_date": day,
                "date": day,
                "commons_instruction_id": instruction and instruction.id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Bug fixes",
                            "quantity": 1,
                            "price_unit": amount,
                            "account_id": ctx["expense_account"].id,
                            "tax_ids": [Command.clear()],
                            "analytic_distribution": {
                                str(resource.analytic_account_id.id): 100
                            },
                        }
                    )
                ],
            }
        )
    )


def _approve(bill, steward):
    bill = bill.with_user(steward).sudo()
    bill.commons_approve(bill._get_commons_fingerprint())


def bill_kind(index):
    """The bill resource's mix (perf-2.md §3): of each ten bills, 4 submitted,
    3 approved, 2 rejected, 1 sent back; every 20th submitted one with a first
    approval (it needs two); 3 bills in 4 against the instruction.

    :return: (template index among the first ten, against the instruction)
    """
    rest = index % 10
    if rest < 4:
        submitted = index // 10 * 4 + rest
        template = 0 if submitted % 20 == 0 else 1
    elif rest < 7:
        template = 4
    elif rest < 9:
        template = 7
    else:
        template = 9
    return template, index % 4 != 3


def seed_base(env, size_name):
    from odoo import Command

    started = time.time()
    size = SIZES[size_name]
    rng = random.Random(SEED)
    today = date.today()
    first_year = today.year - 2
    company = env.company
    company.commons_host_fee_rate = 5
    accountant = _user(env, "bench_accountant", "Bench Accountant", MANAGER_GROUPS)
    portal = ("base.group_portal",)
    steward = _user(env, "bench_steward", "Camille Bench", portal)
    steward2 = _user(env, "bench_steward2", "Lou Bench", portal)
    contributor = _user(env, "bench_contributor", "Sacha Bench", portal)
    fleet_steward = _user(env, "bench_fleet_steward", "Fleet Steward", portal)
    fleet_contributor = _user(
        env, "bench_fleet_contributor", "Fleet Contributor", portal
    )
    _bank_account(env, contributor.partner_id, "FR76 3000 4000 0100 0123 4567 830")
    _bank_account(
        env, fleet_contributor.partner_id, "FR76 3000 4000 0100 0876 5432 102"
    )
    funders = env["res.partner"].create(
        [{"name": f"Funder {i:03d}", "is_company": True} for i in range(200)]
    )
    product = env["product.product"].create(
        {
            "name": "Earmarked donation",
            "type": "service",
            "donation_type": "donation",
            "tax_receipt_ok": True,
            "taxes_id": [Command.set([])],
            "company_id": company.id,
        }
    )
    bank_journal = env["account.journal"].search(
        [("type", "=", "bank"), ("company_id", "=", company.id)], limit=1
    )
    method = env["account.payment.method.line"].create(
        {
            "name": "Donation transfer",
            "journal_id": bank_journal.id,
            "payment_method_id": env.ref("account.account_payment_method_manual_in").id,
            "payment_account_id": env.ref(
                f"account.{company.id}_account_journal_payment_debit_account_id"
            ).id,
            "donation": True,
            "commons_receipt_payment_mode": "transfer",
        }
    )
    expense_account = env["account.account"].search(
        [("account_type", "=", "expense"), ("company_ids", "in", company.ids)],
        limit=1,
    )
    ctx = {
        "env": env,
        "accountant": accountant,
        "product": product,
        "method": method,
        "expense_account": expense_account,
    }
    count = size["resources"]
    resources = env["commons.resource"].create(
        [
            {
                "name": f"Resource {i:04d}",
                "code": f"R{i:04d}",
                "is_published": True,
                "steward_ids": [Command.set(fleet_steward.partner_id.ids)],
                "contributor_ids": [Command.set(fleet_contributor.partner_id.ids)],
            }
            for i in range(count)
        ]
    )
    bill_resource = env["commons.resource"].create(
        {
            "name": "Bill Resource",
            "code": "BILLRES",
            "steward_ids": [Command.set((steward | steward2).partner_id.ids)],
            "contributor_ids": [Command.set(contributor.partner_id.ids)],
            "commons_double_approval_amount": DOUBLE_APPROVAL,
        }
    )
    categories = env["commons.need.category"].search([])
    env["commons.resource.need"].create(
        [
            {
                "resource_id": resource.id,
                "year": year,
                "category_id": rng.choice(categories).id,
                "name": "Maintenance",
                "amount": rng.randrange(1000, 20000, 100),
            }
            for resource in resources
            for year in range(first_year, today.year + 1)
        ]
    )
    log("%d resources and their needs: %.0f s", count, time.time() - started)

    # The templates of the ledger, on the first resource: a real donation
    # (received and host fee) and a real bill, approved and posted (spent).
    first = resources[0]
    donation = _donate(ctx, first, DONATION_BASE, date(first_year, 1, 2), funders[0])
    spent = _bill(
        ctx, first, fleet_contributor, BILL_BASE, date(first_year, 1, 3), "T1"
    )
    spent.action_commons_submit()
    _approve(spent, fleet_steward)
    spent.with_user(accountant).action_post()
    donation_items = len(donation.move_id.line_ids.analytic_line_ids)
    spent_items = len(spent.line_ids.analytic_line_ids)
    log(
        "templates: a donation of %d analytic items, a bill of %d",
        donation_items,
        spent_items,
    )
    start, span = date(first_year, 1, 1), (today - date(first_year, 1, 1)).days
    tmpl_aa = first.analytic_account_id.id
    rows = []
    per_resource = max(1, size["lines"] // count)
    for resource, target in [(r, per_resource) for r in resources] + [
        (bill_resource, BILL_RESOURCE_LINES)
    ]:
        items = donation_items + spent_items if resource == first else 0
        while items < target:
            day = start + timedelta(days=rng.randrange(span + 1))
            # The bill resource's own ledger is donations only: its bills are
            # its contributor's, below.
            if resource == bill_resource or rng.random() < 0.6:
                move, factor = donation.move_id, rng.randint(1, 10)
                partner = rng.choice(funders).id
                items += donation_items
            else:
                move, factor, partner = spent, rng.randint(1, 20), None
                items += spent_items
            rows.append(
                (
                    move.id,
                    resource.id,
                    resource.analytic_account_id.id,
                    tmpl_aa,
                    day,
                    factor,
                    partner,
                    None,
                    None,
                )
            )
    refresh_fingerprints(env, copy_moves(env, rows))
    env.cr.execute("SELECT count(*) FROM account_analytic_line")
    log(
        "ledger: %d moves copied, %d analytic items: %.0f s",
        len(rows),
        env.cr.fetchone()[0],
        time.time() - started,
    )

    # One active envelope per resource, issued by its steward.
    Instruction = env["commons.allocation.instruction"].with_user(accountant)
    instructions = Instruction.create(
        [
            {
                "name": "Maintenance envelope",
                "resource_id": resource.id,
                "contributor_id": fleet_contributor.partner_id.id,
                "amount": 1000,
                "date_start": date(first_year, 1, 1),
            }
            for resource in resources
        ]
    )
    instructions.with_user(fleet_steward).sudo().action_activate()
    # Approved bills not posted yet, of the year measured: one real, the
    # others copied on the next resources, against their envelopes.
    year = today.year - 1
    approved = _bill(
        ctx,
        first,
        fleet_contributor,
        BILL_BASE,
        date(year, 3, 1),
        "A0",
        instructions[0],
    )
    approved.action_commons_submit()
    _approve(approved, fleet_steward)
    rows = []
    for index in range(1, size["approved_bills"]):
        resource = resources[index % count]
        rows.append(
            (
                approved.id,
                resource.id,
                resource.analytic_account_id.id,
                tmpl_aa,
                date(year, 1, 1) + timedelta(days=rng.randrange(365)),
                (10000 + index) / 10000,
                None,
                instructions[index % count].id,
                f"A{index}",
            )
        )
    refresh_fingerprints(env, copy_moves(env, rows))
    log("instructions and approved bills: %.0f s", time.time() - started)

    # The bill resource: its funds, its steward's envelope, its first ten
    # bills (the templates of the others), made as its people make them.
    _donate(ctx, bill_resource, 3000000, date(today.year, 1, 5), funders[1])
    instruction = Instruction.create(
        {
            "name": "Bill resource envelope",
            "resource_id": bill_resource.id,
            "contributor_id": contributor.partner_id.id,
            "amount": 2000000,
            "date_start": date(first_year, 1, 1),
        }
    )
    instruction.with_user(steward).sudo().action_activate()
    for index in range(10):
        template, against = bill_kind(index)
        bill = _bill(
            ctx,
            bill_resource,
            contributor,
            DOUBLE_APPROVAL + BILL_BASE if template == 0 else BILL_BASE,
            _bill_day(index),
            f"B{index}",
            instruction if against else None,
        )
        bill.with_user(contributor).sudo().action_commons_submit()
        if template in (0, 4):
            _approve(bill, steward)
        elif template == 7:
            bill.with_user(steward).sudo().commons_reject(
                bill._get_commons_fingerprint(), "Not the work asked for."
            )
        elif template == 9:
            bill.with_user(accountant).commons_send_back("The VAT mention is missing.")
    meta = {
        "size": size_name,
        "resources": count,
        "lines": size["lines"],
        "approved_bills": size["approved_bills"],
        "bill_stages": size["bills"],
        "year": year,
        "resource_ids": resources.ids,
        "bill_resource_id": bill_resource.id,
        "bill_instruction_id": instruction.id,
        "bill_template_ids": bill_resource_bills(env, bill_resource.id),
        "bills": 10,
        "steward_login": steward.login,
        "contributor_login": contributor.login,
    }
    write_meta(env, meta)
    env.flush_all()
    env.cr.execute("ANALYZE")
    log("base seeded in %.0f s", time.time() - started)


def _bill_day(index):
    today = date.today()
    return min(date(today.year, 1, 1) + timedelta(days=index % 300), today)


def bill_resource_bills(env, resource_id):
    env.flush_all()
    env.cr.execute(
        "SELECT id FROM account_move WHERE commons_resource_id = %s "
        "AND move_type = 'in_invoice' AND state = 'draft' ORDER BY id",
        [resource_id],
    )
    return [row[0] for row in env.cr.fetchall()]


def grow_bills(env, count):
    """Grow the bill resource to ``count`` bills of its contributor."""
    started = time.time()
    meta = read_meta(env)
    resource = env["commons.resource"].browse(meta["bill_resource_id"])
    templates = meta["bill_template_ids"]
    current = len(bill_resource_bills(env, resource.id))
    aa_id = resource.analytic_account_id.id
    rows = []
    for index in range(current, count):
        template, against = bill_kind(index)
        rows.append(
            (
                templates[template],
                resource.id,
                aa_id,
                aa_id,
                _bill_day(index),
                (10000 + index % 10000) / 10000,
                None,
                meta["bill_instruction_id"] if against else None,
                f"B{index}",
            )
        )
    new_ids = copy_moves(env, rows)
    approvals = refresh_fingerprints(env, new_ids)
    meta["bills"] = count
    write_meta(env, meta)
    env.cr.execute("ANALYZE")
    log(
        "bill resource: %d → %d bills (%d approved copies): %.0f s",
        current,
        count,
        approvals,
        time.time() - started,
    )


def publish(env, count):
    meta = read_meta(env)
    resources = env["commons.resource"].browse(meta["resource_ids"])
    resources[:count].write({"is_published": True})
    resources[count:].write({"is_published": False})
    meta["published"] = count
    write_meta(env, meta)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-c", "--config", required=True, help="odoo.conf")
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("step", choices=("base", "bills", "publish"))
    parser.add_argument("--size", choices=sorted(SIZES), default="default")
    parser.add_argument("--count", type=int)
    args = parser.parse_args()
    registry = load_odoo(args.config, args.database)
    with environment(registry, DISABLED_MAIL_CONTEXT) as env:
        if args.step == "base":
            seed_base(env, args.size)
        elif args.step == "bills":
            grow_bills(env, args.count)
        else:
            publish(env, args.count)
    if args.step == "base":
        vacuum_ledger(registry)


def vacuum_ledger(registry):
    """VACUUM ANALYZE the analytic items and donation lines copied in bulk, as
    autovacuum does on a real database soon after: the figures read them from
    indexes alone (index-only scans), which need the tables' visibility maps."""
    started = time.time()
    with registry.cursor() as cr:
        # VACUUM runs outside a transaction only.
        cr._cnx.autocommit = True
        try:
            cr.execute("VACUUM ANALYZE account_analytic_line, donation_line")
        finally:
            cr._cnx.autocommit = False
    log("analytic items and donation lines vacuumed: %.0f s", time.time() - started)


if __name__ == "__main__":
    main()

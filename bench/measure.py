# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Measure, in this (fresh) process, on a database seed.py made.

    python bench/measure.py -c ODOO_CONF -d DB orm
    python bench/measure.py -c ODOO_CONF -d DB communs
    python bench/measure.py -c ODOO_CONF -d DB portal
    python bench/measure.py -c ODOO_CONF -d DB memory --what ours|dated|all|list

Each measure is 1 warm-up call and 5 calls, each after ``env.invalidate_all()``
(an HTTP request has its own cursor and cache); it prints one JSON object:
{measure name: {"ms": median, "q": median query count, ...}}. Queries are
counted as Odoo counts them: ``cr.sql_log_count`` for a call on a cursor (what
``assertQueryCount`` reads), the thread's ``query_count`` for a request (what
Odoo's request log prints).
"""

import argparse
import json
import re
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from odoo_env import environment, load_odoo, read_meta  # noqa: E402

CALLS = 5


def _median_of(samples):
    return {
        "ms": statistics.median(s[0] for s in samples),
        "q": statistics.median(s[1] for s in samples),
        "q_all": sorted({s[1] for s in samples}),
    }


def measure_call(env, function):
    """1 warm-up call, then CALLS calls on a cold ORM cache."""
    samples = []
    for _index in range(CALLS + 1):
        env.invalidate_all()
        count = env.cr.sql_log_count
        start = time.perf_counter()
        function()
        elapsed = (time.perf_counter() - start) * 1000
        samples.append((elapsed, env.cr.sql_log_count - count))
    return _median_of(samples[1:])


def _dates(year):
    return {"from_date": f"{year}-01-01", "to_date": f"{year}-12-31"}


def list_view_fields(env):
    """The fields of the resources' list view, as the web client reads them."""
    from lxml import etree

    arch = etree.fromstring(env["commons.resource"].get_view(view_type="list")["arch"])
    return [
        node.get("name")
        for node in arch.iterfind(".//field")
        if node.get("name") not in ("id",)
    ]


def _records(env, meta):
    """All resources, the first half, their analytic accounts: each browsed
    anew, so that each prefetches its own records only, as a list does."""
    ids = meta["resource_ids"]
    resources = env["commons.resource"].browse(ids)
    half = env["commons.resource"].browse(ids[: len(ids) // 2])
    accounts = env["account.analytic.account"].browse(resources.analytic_account_id.ids)
    return resources, half, accounts


def orm(env, meta):
    year = meta["year"]
    resources, half, accounts = _records(env, meta)
    fields = list_view_fields(env)
    listed = resources.with_context(commons_year=year)
    results = {
        "figures": measure_call(env, lambda: resources._get_figures(year)),
        "figures_half": measure_call(env, lambda: half._get_figures(year)),
        "odoo_dated": measure_call(
            env,
            lambda: accounts.with_context(**_dates(year)).read(
                ["balance", "debit", "credit"]
            ),
        ),
        "odoo_all": measure_call(
            env, lambda: accounts.read(["balance", "debit", "credit"])
        ),
        "list": measure_call(env, lambda: listed.read(fields)),
        "list_half": measure_call(
            env, lambda: half.with_context(commons_year=year).read(fields)
        ),
    }
    results["list"]["fields"] = fields
    return results


# -- HTTP -----------------------------------------------------------------------


class Browser:
    """Real Odoo HTTP requests, sent in this process to ``odoo.http.root``
    with werkzeug's test client, a session made as ``HttpCase.authenticate``
    makes it (anonymous without a login)."""

    def __init__(self, registry, login=None):
        from werkzeug.test import Client
        from werkzeug.wrappers import Response

        import odoo
        from odoo import api
        from odoo.service import security

        root = odoo.http.root
        session = root.session_store.new()
        session.update(odoo.http.get_default_session(), db=registry.db_name)
        session.context["lang"] = odoo.http.DEFAULT_LANG
        if login:
            with registry.cursor() as cr:
                env = api.Environment(cr, odoo.SUPERUSER_ID, {})
                user = env["res.users"].search([("login", "=", login)])
                env = api.Environment(cr, user.id, {})
                session.uid = user.id
                session.login = login
                session.session_token = security.compute_session_token(session, env)
                session.context = dict(env["res.users"].context_get())
        root.session_store.save(session)
        self.client = Client(root, Response)
        # Werkzeug 2.2's signature: the server name first.
        self.client.set_cookie("localhost", "session_id", session.sid)

    def request(self, method, url, **kwargs):
        thread = threading.current_thread()
        start = time.perf_counter()
        response = getattr(self.client, method)(url, **kwargs)
        body = response.get_data()
        elapsed = (time.perf_counter() - start) * 1000
        if response.status_code != 200:
            raise RuntimeError(f"{method.upper()} {url}: {response.status_code}")
        return elapsed, thread.query_count, body

    def measure(self, method, url, check=None, **kwargs):
        samples, size = [], 0
        for _index in range(CALLS + 1):
            elapsed, count, body = self.request(method, url, **kwargs)
            if check:
                check(body)
            samples.append((elapsed, count))
            size = len(body)
        result = _median_of(samples[1:])
        result["kb"] = round(size / 1024, 1)
        return result

    def counters(self):
        """The counters the portal home asks for, as its JavaScript does: those
        of the home page's cards (data-placeholder_count)."""
        _elapsed, _count, body = self.request("get", "/my")
        names = sorted(set(re.findall(rb'data-placeholder_count="([^"]+)"', body)))
        return [name.decode() for name in names]


def _json_call(params):
    return {"json": {"jsonrpc": "2.0", "method": "call", "params": params}}


def _expect(text):
    def check(body):
        if text.encode() not in body:
            raise RuntimeError(f"the page lacks {text!r}")

    return check


def communs(registry, meta):
    browser = Browser(registry)
    return {
        "communs": browser.measure("get", "/communs", check=_expect("Resource 0000"))
    }


def portal(registry, meta):
    results = {}
    steward = Browser(registry, meta["steward_login"])
    contributor = Browser(registry, meta["contributor_login"])
    results["steward_page"] = steward.measure(
        "get", "/my/commons", check=_expect("Bill Resource")
    )
    results["contributor_page"] = contributor.measure(
        "get", "/my/commons/bills", check=_expect("Bill Resource")
    )
    for name, browser in (("steward", steward), ("contributor", contributor)):
        counters = browser.counters()
        result = browser.measure(
            "post", "/my/counters", **_json_call({"counters": counters})
        )
        result["counters"] = counters
        results[f"{name}_counters"] = result
    with environment(registry) as env:
        resource = env["commons.resource"].browse(meta["bill_resource_id"])
        results["bill_figures"] = measure_call(
            env, lambda: resource._get_figures(meta["year"])
        )
    return results


# -- Memory ----------------------------------------------------------------------


def _status(key):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024  # MiB
    raise KeyError(key)


def memory(env, meta, what):
    """The peak RSS of one cold call in this fresh process, above the RSS
    before it (the kernel's high-water mark, reset just before)."""
    import gc

    year = meta["year"]
    resources, _half, accounts = _records(env, meta)
    calls = {
        "ours": lambda: resources._get_figures(year),
        "dated": lambda: accounts.with_context(**_dates(year)).read(
            ["balance", "debit", "credit"]
        ),
        "all": lambda: accounts.read(["balance", "debit", "credit"]),
        "list": lambda: resources.with_context(commons_year=year).read(
            list_view_fields(env)
        ),
    }
    # What every call needs first, outside the measure: the records' ids.
    resources.mapped("analytic_account_id")
    env.invalidate_all()
    gc.collect()
    Path("/proc/self/clear_refs").write_text("5")
    before = _status("VmRSS")
    start = time.perf_counter()
    calls[what]()
    elapsed = (time.perf_counter() - start) * 1000
    peak = _status("VmHWM")
    return {
        f"memory_{what}": {"ms": elapsed, "rss_mib": before, "peak_mib": peak - before}
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("part", choices=("orm", "communs", "portal", "memory"))
    parser.add_argument("--what", default="ours")
    args = parser.parse_args()
    registry = load_odoo(args.config, args.database)
    with environment(registry) as env:
        meta = read_meta(env)
        if args.part == "orm":
            results = orm(env, meta)
        elif args.part == "memory":
            results = memory(env, meta, args.what)
        env.cr.rollback()
    if args.part == "communs":
        results = communs(registry, meta)
    elif args.part == "portal":
        results = portal(registry, meta)
    print(json.dumps(results))


if __name__ == "__main__":
    main()

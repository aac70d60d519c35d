# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Seed the bench's database, measure in fresh processes, print the table.

Run by bench/run, which makes the database and drops it afterwards:

    python bench/bench.py -c ODOO_CONF -d DB [--size S] [--processes P] [--no-check]

Exits 1 when a query count grows with the size (the check), unless --no-check.
"""

import argparse
import json
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from seed import SIZES  # noqa: E402

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent


def log(message, *args):
    print(f"[bench] {message % args}", file=sys.stderr, flush=True)


class Bench:
    def __init__(self, args):
        self.args = args
        self.size = SIZES[args.size]
        # {(measure, variant): [per-process results]}
        self.runs = {}

    def _python(self, script, *args):
        command = [
            sys.executable,
            str(BENCH / script),
            "-c",
            self.args.config,
            "-d",
            self.args.database,
            *args,
        ]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode:
            sys.stderr.write(done.stderr[-6000:])
            raise SystemExit(f"[bench] {script} {' '.join(args)} failed")
        sys.stderr.write(
            "".join(
                line + "\n"
                for line in done.stderr.splitlines()
                if line.startswith("[bench]")
            )
        )
        return done.stdout

    def seed(self, *args):
        self._python("seed.py", *args)

    def measure(self, part, variant, processes, *args):
        for _index in range(processes):
            output = self._python("measure.py", part, *args)
            results = json.loads(output.strip().splitlines()[-1])
            for name, result in results.items():
                self.runs.setdefault((name, variant), []).append(result)

    def run(self):
        started = time.time()
        processes = self.args.processes
        count = self.size["resources"]
        self.seed("base", "--size", self.args.size)
        log("measuring the figures and the list (%d processes)", processes)
        self.measure("orm", count, processes)
        self.measure("communs", count, processes)
        self.seed("publish", "--count", str(count // 2))
        self.measure("communs", count // 2, 1)
        self.seed("publish", "--count", str(count))
        for what in ("ours", "dated"):
            self.measure("memory", count, processes, "--what", what)
        for bills in self.size["bills"]:
            if bills > 10:
                self.seed("bills", "--count", str(bills))
            log("measuring the portal at %d bills (%d processes)", bills, processes)
            self.measure("portal", bills, processes)
        log("measured in %.0f s", time.time() - started)

    # -- The table ----------------------------------------------------------------

    def get(self, name, variant, key="ms"):
        runs = self.runs.get((name, variant))
        if not runs:
            return None
        values = [run[key] for run in runs]
        return statistics.median(values), min(values), max(values)

    def cell_ms(self, name, variant, key="ms"):
        value = self.get(name, variant, key)
        if value is None:
            return "–"
        median, low, high = value
        digits = 1 if median < 100 else 0
        if len(self.runs[(name, variant)]) == 1:
            return f"{median:.{digits}f}"
        return f"{median:.{digits}f} ({low:.{digits}f}–{high:.{digits}f})"

    def queries(self, name, variant):
        value = self.get(name, variant, "q")
        return None if value is None else int(value[0])

    def ratio(self, name, variant, reference):
        """The median of the per-process ratios, each process having measured
        both in the same run."""
        ours = self.runs.get((name, variant))
        theirs = self.runs.get((reference, variant))
        if not ours or not theirs:
            return None
        return statistics.median(
            a["ms"] / b["ms"] for a, b in zip(ours, theirs, strict=True)
        )

    def ratio_cell(self, name, variant, reference):
        ratio = self.ratio(name, variant, reference)
        if ratio is None:
            return ""
        ratios = [
            a["ms"] / b["ms"]
            for a, b in zip(
                self.runs[(name, variant)], self.runs[(reference, variant)], strict=True
            )
        ]
        if len(ratios) == 1:
            return f"{ratio:.2f}"
        return f"{ratio:.2f} ({min(ratios):.2f}–{max(ratios):.2f})"

    def table(self):
        size, count = self.size, self.size["resources"]
        stages = size["bills"]
        rows = []

        def row(what, at, name, variant, ratio_to=None, target="", ok=None, note=""):
            ratio = self.ratio_cell(name, variant, ratio_to) if ratio_to else ""
            mark = "" if ok is None else (" ✓" if ok else " ✗")
            rows.append(
                (
                    what,
                    at,
                    self.cell_ms(name, variant),
                    str(self.queries(name, variant)),
                    ratio,
                    target + mark if target else "",
                    note,
                )
            )
            return ratio

        figures_ratio = self.ratio("figures", count, "odoo_dated")
        figures_q = self.queries("figures", count)
        row(
            "`_get_figures(year)`, all resources",
            f"N={count:,}",
            "figures",
            count,
            "odoo_dated",
            "≤ 0.6× dated, ≤ 8 q",
            figures_ratio is not None
            and figures_ratio <= 0.6
            and figures_q is not None
            and figures_q <= 8,
        )
        row(
            "Odoo `read(balance, debit, credit)`, dated",
            f"N={count:,}",
            "odoo_dated",
            count,
        )
        row(
            "Odoo `read(balance, debit, credit)`, all years",
            f"N={count:,}",
            "odoo_all",
            count,
        )
        rows.append(
            (
                "`_get_figures` / Odoo all years",
                f"N={count:,}",
                "",
                "",
                self.ratio_cell("figures", count, "odoo_all"),
                "",
                "",
            )
        )
        list_ratio = self.ratio("list", count, "odoo_dated")
        fields = (self.runs.get(("list", count)) or [{}])[0].get("fields", [])
        row(
            "list view `read(…)` with `commons_year`",
            f"N={count:,}",
            "list",
            count,
            "odoo_dated",
            "≤ 1.5× dated",
            list_ratio is not None and list_ratio <= 1.5,
            f"{len(fields)} fields",
        )
        for what in ("ours", "dated"):
            peak = self.get(f"memory_{what}", count, "peak_mib")
            rss = self.get(f"memory_{what}", count, "rss_mib")
            if peak is None:
                continue
            ok = peak[0] <= 4 if what == "ours" else None
            rows.append(
                (
                    "peak RSS, "
                    + ("`_get_figures`" if what == "ours" else "Odoo dated read")
                    + ", fresh process",
                    f"N={count:,}",
                    self.cell_ms(f"memory_{what}", count),
                    "",
                    "",
                    ("≤ +4 MiB" + (" ✓" if ok else " ✗")) if ok is not None else "",
                    f"+{peak[0]:.1f} MiB (+{peak[1]:.1f}–{peak[2]:.1f}) over "
                    f"{rss[0]:.0f} MiB, cold call",
                )
            )
        communs = self.get("communs", count)
        row(
            "`GET /communs`, anonymous",
            f"{count:,} published",
            "communs",
            count,
            target="≤ 150 ms",
            ok=communs is not None and communs[0] <= 150,
            note=f"{self.runs[('communs', count)][0]['kb']} KB",
        )
        row(
            "`GET /communs`, anonymous",
            f"{count // 2:,} published",
            "communs",
            count // 2,
        )
        last = stages[-1]
        for name, what, target in (
            ("steward_page", "steward `GET /my/commons`", 150),
            ("contributor_page", "contributor `GET /my/commons/bills`", 60),
            ("steward_counters", "steward `/my/counters`", 150),
            ("contributor_counters", "contributor `/my/counters`", None),
        ):
            for bills in stages:
                result = self.get(name, bills)
                ok = None
                if target and bills == last and result:
                    ok = result[0] <= target
                runs = self.runs.get((name, bills)) or [{}]
                row(
                    what,
                    f"{bills:,} bills",
                    name,
                    bills,
                    target=f"≤ {target} ms" if target and bills == last else "",
                    ok=ok,
                    note="" if "counters" in name else f"{runs[0].get('kb', '')} KB",
                )
        for bills in stages:
            row(
                "`_get_figures`, the bill resource",
                f"{bills:,} bills",
                "bill_figures",
                bills,
            )
        header = (
            "| What | At | ms, median (range) | Queries | Ratio | Target | Note |\n"
            "|---|---|---|---|---|---|---|\n"
        )
        return header + "".join("| " + " | ".join(r) + " |\n" for r in rows)

    def checks(self):
        """The query counts that must not grow with the size."""
        count, stages = self.size["resources"], self.size["bills"]
        groups = [
            ("`_get_figures`", "figures", "figures_half", (count, count)),
            ("list view read", "list", "list_half", (count, count)),
        ]
        failures = []
        for what, name, half, (variant, _) in groups:
            big, small = self.queries(name, variant), self.queries(half, variant)
            if big > small:
                failures.append(
                    f"{what}: {small} queries for {count // 2} resources, "
                    f"{big} for {count}"
                )
        big, small = self.queries("communs", count), self.queries("communs", count // 2)
        if big > small:
            failures.append(
                f"`/communs`: {small} queries with {count // 2} published, "
                f"{big} with {count}"
            )
        for name, what in (
            ("steward_page", "steward `/my/commons`"),
            ("contributor_page", "contributor `/my/commons/bills`"),
            ("steward_counters", "steward `/my/counters`"),
            ("contributor_counters", "contributor `/my/counters`"),
            ("bill_figures", "the bill resource's `_get_figures`"),
        ):
            counts = [self.queries(name, bills) for bills in stages]
            # Fewer is not growth: a bigger page may find more in the cache.
            if any(later > counts[0] for later in counts[1:]):
                failures.append(
                    f"{what}: "
                    + ", ".join(
                        f"{q} queries at {bills:,} bills"
                        for q, bills in zip(counts, stages, strict=True)
                    )
                )
        return failures

    def report(self):
        commit = _git("rev-parse", "--short", "HEAD")
        if _git("status", "--porcelain", "--", "compte_commun_communs", "bench"):
            commit += " (with uncommitted changes)"
        now = datetime.now(timezone.utc)
        size = self.size
        title = (
            f"Benchmark of {now:%Y-%m-%d %H:%M} UTC, commit {commit}, size "
            f"{self.args.size}: {size['resources']:,} resources, "
            f"{size['lines']:,} analytic lines over 3 years, "
            f"{size['approved_bills']} approved unposted bills, the year "
            f"{self._year()}; {self.args.processes} fresh process(es), "
            "each 1 warm-up + 5 calls, medians."
        )
        failures = self.checks()
        text = f"{title}\n\n{self.table()}\n"
        if failures:
            text += (
                "**Check failed**: query counts that grow with the size:\n"
                + "".join(f"- {failure}\n" for failure in failures)
            )
        else:
            text += "Check passed: no query count grows with the size.\n"
        print(text)
        results = BENCH / "results"
        results.mkdir(exist_ok=True)
        stem = f"{now:%Y%m%dT%H%M}-{self.args.size}"
        (results / f"{stem}.md").write_text(text)
        (results / f"{stem}.json").write_text(
            json.dumps(
                {
                    f"{name}@{variant}": runs
                    for (name, variant), runs in self.runs.items()
                },
                indent=1,
            )
        )
        log("table written to %s", results / f"{stem}.md")
        return failures

    def _year(self):
        return datetime.now(timezone.utc).year - 1


def _git(*args):
    done = subprocess.run(
        ["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=False
    )
    return done.stdout.strip()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--size", choices=sorted(SIZES), default="default")
    parser.add_argument("--processes", type=int, default=3)
    parser.add_argument("--no-check", action="store_true")
    args = parser.parse_args()
    bench = Bench(args)
    bench.run()
    failures = bench.report()
    if failures and not args.no_check:
        sys.exit(1)


if __name__ == "__main__":
    main()

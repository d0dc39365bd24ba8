"""What writing a payout line costs, index by index: ready-made lines into the table in its several shapes.

And, with ``--month-floor``, what a whole month costs part by part (``month_floor``): its lines
already made, written by two connections as the worker's two processes would; the same loaded
into a table per scheme and month indexed afterwards; and the lines selected from the cases
into bare tables. Each against ``bench.payouts``' ceiling measured in the same round.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_payouts \\
    .venv/bin/python -m bench.line_writes [--rows 200000] [--rounds 5] [--scheme disability_nursing]
    .venv/bin/python -m bench.line_writes --month-floor [--rounds 3] [--history 1]   # a whole month (``month_floor``)

Run it on the database ``bench.payouts`` left behind (it needs two months of lines; it
changes nothing there and drops the scratch tables it makes). It takes ``--rows`` lines of
``--scheme`` from the newest month that has them (the lines as the engine wrote them, in
its order, given new ids) and inserts them, with one ``INSERT … SELECT`` rolled back each time, into:

* **bare**: an unindexed, unconstrained copy of the line table (the shape of
  ``bench.payouts``' ceiling);
* **empty, indexed**: an empty copy with the line table's own indexes and checks (what a
  month's first lines would meet in a table, or partition, of their own);
* **populated**: a copy holding the month before (every line of it, as mid-month; ``--history N``:
  the N months before), with the
  line table's own indexes and checks: what the engine's chunks meet today;
* the same with the unique live-line key in the other order: beneficiary first, ``(beneficiary,
  period, scheme)``, instead of the table's month first (or the other way round);
* the same without the run's index ``(run, id)``.

Each round writes into every table in turn after a ``CHECKPOINT`` (as one comes during a
long run), and each table is vacuumed after its rollback, so that no round meets the dead
rows of the one before. Prints the median and best time per line and each ratio to
**bare**. No computing at all: what the table's guarantees cost, before any selecting.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from collections.abc import Callable

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civil_affairs.settings")
os.environ.setdefault("CIVIL_AFFAIRS_DEV", "1")

LINES = "payouts_payoutline"
SAMPLE = "bench_lw_sample"


def line_table_indexes(cur) -> dict[str, str]:
    """The line table's own indexes (primary key included), by name: ``CREATE … INDEX ON {t} …`` for a copy.

    Read from the database, not written out here again, so the shapes measured are always the
    table's as its migrations made it.
    """
    cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = %s", [LINES])
    out = {}
    for name, definition in cur.fetchall():
        head, _sep, rest = definition.partition(" ON ")
        assert head.endswith(f"INDEX {name}"), definition
        _table, _sep, using = rest.partition(" USING ")
        out[name] = f"{head[: -len(name)]}ON {{t}} USING {using}"
    return out


def shapes(indexes: dict[str, str]) -> dict[str, list[str]]:
    """Each scratch table and the statements that make it (``{t}`` is its name; ``%s``, ``%s`` the months held)."""
    from payouts.models import LIVE_LINE_KEY, PayoutLine

    run_index = next(i.name for i in PayoutLine._meta.indexes if i.fields == ["run", "id"])
    key = indexes[LIVE_LINE_KEY]
    # The live-line key in the other order than the table's: month first, or beneficiary first.
    orders = {
        "month first": "(period, scheme, beneficiary_id)",
        "beneficiary first": "(beneficiary_id, period, scheme)",
    }
    ours = next(name for name, columns in orders.items() if columns in key)
    theirs = next(name for name in orders if name != ours)
    populated = [
        f"CREATE TABLE {{t}} (LIKE {LINES} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)",
        f"INSERT INTO {{t}} SELECT * FROM {LINES} WHERE period >= %s AND period < %s",  # noqa: S608 - names from here
    ]
    others = [sql for name, sql in indexes.items() if name != LIVE_LINE_KEY]
    return {
        "bare": [f"CREATE TABLE {{t}} (LIKE {LINES})"],
        "empty, indexed": [f"CREATE TABLE {{t}} (LIKE {LINES} INCLUDING ALL)"],
        "populated": [*populated, *indexes.values()],
        f"populated, key {theirs}": [*populated, *others, key.replace(orders[ours], orders[theirs])],
        "populated, no run index": [*populated, *(sql for name, sql in indexes.items() if name != run_index)],
    }


def months_held(cur, newest, history: int) -> list:
    """The ``history`` months before ``newest`` that have lines, oldest first (what the populated copies hold)."""
    cur.execute(
        f"SELECT DISTINCT period FROM {LINES} WHERE period < %s ORDER BY period DESC LIMIT %s",  # noqa: S608
        [newest, history],
    )
    return sorted(row[0] for row in cur.fetchall())


def held_label(months: list) -> str:
    return f"{months[0]:%Y-%m}" if len(months) == 1 else f"{months[0]:%Y-%m} to {months[-1]:%Y-%m}"


def split_for_two(counts: dict[str, int]) -> tuple[list[str], list[str]]:
    """The schemes in two groups of about equal lines, biggest first: how a worker with 2 processes shares a month."""
    groups: tuple[list[str], list[str]] = ([], [])
    sizes = [0, 0]
    for scheme, count in sorted(counts.items(), key=lambda item: -item[1]):
        lighter = 0 if sizes[0] <= sizes[1] else 1
        groups[lighter].append(scheme)
        sizes[lighter] += count
    return groups


Statement = str | tuple[str, list] | Callable[[], None]


def two_writers(work: list[list[Statement]]) -> float:
    """Seconds until each writer's statements, each writer on its own connection, started together, are all done.

    A statement is SQL, SQL with its parameters, or a function run in the writer's thread (whose
    ``django.db.connection`` is the writer's own). Each writer's transaction is rolled back
    afterwards (tables it made go with it; the caller vacuums a table written into).
    """
    from django.db import connections

    barrier = threading.Barrier(len(work) + 1)

    def write(statements: list[Statement]) -> None:
        try:
            with connections["default"].cursor() as own:  # this thread's own connection
                own.execute("BEGIN")
                barrier.wait()
                for statement in statements:
                    if callable(statement):
                        statement()
                        continue
                    sql, params = statement if isinstance(statement, tuple) else (statement, None)
                    own.execute(sql, params)
                own.execute("ROLLBACK")
        finally:
            connections["default"].close()

    threads = [threading.Thread(target=write, args=(statements,)) for statements in work]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def selected_bare(run) -> list[Statement]:
    """A run's lines selected from the cases as the engine does, its whole range in one statement, into a bare table."""
    from payouts.engine import batch_settings
    from payouts.schemes import LINE_COLUMNS, SCHEMES

    table = f"bench_lw_sel_{run.scheme}"
    plan = run.plan
    out: list[Statement] = [
        batch_settings,  # the engine's planner settings, in the writer's transaction
        f"CREATE TABLE {table} (LIKE {LINES} INCLUDING DEFAULTS INCLUDING IDENTITY)",
    ]
    for p in plan["passes"]:
        sql, params = SCHEMES[plan["scheme"]].chunk_sql(plan, p["name"], p["low"], p["high"])
        out.append((f"INSERT INTO {table} ({LINE_COLUMNS}) {sql}", params))
    return out


def built_after(scheme: str, sample: str, indexes: dict[str, str]) -> list[str]:
    """A scheme's month in a table of its own, loaded bare, then indexed (a partition attached when computed)."""
    table = f"bench_lw_own_{scheme}"
    return [
        f"CREATE TABLE {table} (LIKE {LINES} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)",
        f"INSERT INTO {table} SELECT * FROM {sample} WHERE scheme = '{scheme}'",  # noqa: S608 - names from the database
        *(sql.format(t=table) for sql in indexes.values()),
    ]


def report(times: dict[str, list[float]], rows: int) -> None:
    """Median and best of each part, its lines per second, and the ceiling's median time ÷ its median time."""
    bare = statistics.median(times["ceiling"])
    print(f"{'':60} {'median s':>9} {'best s':>7} {'lines/s':>10}  ceiling ÷ it")
    for label, values in times.items():
        median = statistics.median(values)
        name = "bare ceiling (one statement)" if label == "ceiling" else f"{label}, two writers"
        print(f"{name:60} {median:>9.2f} {min(values):>7.2f} {rows / median:>10,.0f}  {bare / median:.2f}")


def month_floor(cur, rounds: int, history: int = 1) -> int:
    """A month's recurring runs, part by part, two connections at once, against the bare ceiling.

    No engine can write a month faster than the first parts: every line it makes must still be
    written into the table under its primary key and the live-line key. The month's lines (its
    recurring schemes, as the engine wrote them, new ids) go in two groups of schemes of about
    equal size, each one ``INSERT … SELECT`` on its own connection, into an empty copy of the
    table with its indexes (a month in a partition of its own), a copy holding the month before
    (``history``: the months before; the table as the engine meets it), and that again with the
    live-line key in the other order and without the run's index; then each
    scheme into a table of its own, bare, indexed after the load (a partition per scheme and
    month attached when computed). Last, the lines selected from the cases by the engine's own
    SQL, each run's whole range in one statement, into bare tables: selecting alone. Beside
    them, each round, ``bench.payouts``' ceiling for the same number of rows.
    """
    from bench.payouts import ceiling
    from payouts.models import PayoutRun
    from payouts.schemes import SCHEMES

    cur.execute(f"SELECT max(period) FROM {LINES}")  # noqa: S608
    period = cur.fetchone()[0]
    held = months_held(cur, period, history) if period else []
    if not held:
        print("Only one month of lines: run bench.payouts (it computes two) first.", file=sys.stderr)
        return 2
    cur.execute(f"SELECT scheme, count(*) FROM {LINES} WHERE period = %s GROUP BY scheme", [period])  # noqa: S608
    counts = {scheme: n for scheme, n in cur.fetchall() if SCHEMES[scheme].recurring}
    groups = split_for_two(counts)
    rows = sum(counts.values())
    indexes = line_table_indexes(cur)
    all_shapes = shapes(indexes)
    plans = {label: statements for label, statements in all_shapes.items() if label != "bare"}
    tables = {label: f"bench_lw_{i}" for i, label in enumerate(plans)}
    samples = [f"{SAMPLE}_{i}" for i in range(2)]
    try:
        cur.execute(f"DROP TABLE IF EXISTS {', '.join(samples)}, {', '.join(tables.values())}")
        cur.execute(f"SELECT max(id) FROM {LINES}")  # noqa: S608
        base = cur.fetchone()[0]
        for sample, schemes in zip(samples, groups, strict=True):
            cur.execute(
                f"CREATE TABLE {sample} AS SELECT * FROM {LINES} WHERE period = %s AND scheme = ANY(%s) ORDER BY id",  # noqa: S608
                [period, schemes],
            )
            cur.execute(f"UPDATE {sample} SET id = id + %s", [base])  # noqa: S608 - new ids above every line's
        for label, statements in plans.items():
            for sql in statements:
                cur.execute(sql.format(t=tables[label]), [held[0], period] if "%s" in sql else None)
        cur.execute("VACUUM ANALYZE")
        halves = " | ".join(f"{' + '.join(g)} ({sum(counts[s] for s in g):,})" for g in groups)
        print(f"{rows:,} lines of {period:%Y-%m} in two writers: {halves}; the tables hold {held_label(held)}'s lines")

        own = "each scheme's month in a table of its own, indexed after"
        selected = "selected from the cases, one statement a run, bare"
        runs = {run.scheme: run for run in PayoutRun.objects.filter(period=period, scheme__in=counts, sequence=0)}
        times: dict[str, list[float]] = {"ceiling": [], **{label: [] for label in tables}, own: [], selected: []}
        for _round in range(rounds):
            times["ceiling"].append(ceiling(rows, indexed=False))
            for label, table in tables.items():
                cur.execute("CHECKPOINT")
                times[label].append(two_writers([[f"INSERT INTO {table} SELECT * FROM {s}"] for s in samples]))  # noqa: S608
                cur.execute(f"VACUUM {table}")
            cur.execute("CHECKPOINT")
            work = [
                [sql for scheme in group for sql in built_after(scheme, sample, indexes)]
                for sample, group in zip(samples, groups, strict=True)
            ]
            times[own].append(two_writers(work))
            cur.execute("CHECKPOINT")
            work = [[sql for scheme in group for sql in selected_bare(runs[scheme])] for group in groups]
            times[selected].append(two_writers(work))
        report(times, rows)
    finally:
        cur.execute(f"DROP TABLE IF EXISTS {', '.join(samples)}, {', '.join(tables.values())}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--scheme", default="disability_nursing", help="whose lines of the newest month to write")
    parser.add_argument(
        "--history", type=int, default=1, help="how many months before the newest the populated copies hold (default 1)"
    )
    parser.add_argument(
        "--month-floor",
        action="store_true",
        help="the newest month's lines, every scheme, by two writers at once, against the bare ceiling",
    )
    args = parser.parse_args()
    if args.history < 1 or args.rounds < 1:
        parser.error("--history and --rounds: at least 1")
    if not os.environ.get("DATABASE_URL"):
        print("Set DATABASE_URL (the database bench.payouts filled).", file=sys.stderr)
        return 2
    import django

    django.setup()
    from django.db import connection

    cur = connection.cursor()
    if args.month_floor:
        return month_floor(cur, args.rounds, args.history)
    return one_scheme(cur, args.scheme, rows=args.rows, rounds=args.rounds, history=args.history)


def one_scheme(cur, scheme: str, *, rows: int, rounds: int, history: int) -> int:
    """``rows`` made lines of ``scheme`` into each shape in turn, one writer (the module's first measurement)."""
    cur.execute(f"SELECT max(period) FROM {LINES} WHERE scheme = %s", [scheme])  # noqa: S608
    period = cur.fetchone()[0]
    if period is None:
        print(f"No {scheme} lines: run bench.payouts on this database first.", file=sys.stderr)
        return 2
    held = months_held(cur, period, history)
    if not held:
        print("Only one month of lines: run bench.payouts (it computes two) first.", file=sys.stderr)
        return 2
    plans = shapes(line_table_indexes(cur))
    tables = {label: f"bench_lw_{i}" for i, label in enumerate(plans)}
    try:
        cur.execute(f"DROP TABLE IF EXISTS {SAMPLE}, {', '.join(tables.values())}")
        cur.execute(
            f"CREATE TABLE {SAMPLE} AS SELECT * FROM {LINES} WHERE period = %s AND scheme = %s"  # noqa: S608
            " ORDER BY id LIMIT %s",
            [period, scheme, rows],
        )
        cur.execute(f"SELECT max(id) FROM {LINES}")  # noqa: S608
        base = cur.fetchone()[0]
        # New ids above every line's, as new lines get.
        cur.execute(f"UPDATE {SAMPLE} SET id = id + %s", [base])  # noqa: S608 - table name from this module
        cur.execute(f"SELECT count(*) FROM {SAMPLE}")  # noqa: S608
        rows = cur.fetchone()[0]
        for label, statements in plans.items():
            for sql in statements:
                cur.execute(sql.format(t=tables[label]), [held[0], period] if "%s" in sql else None)
        cur.execute("VACUUM ANALYZE")
        print(f"{rows:,} lines of {scheme} {period:%Y-%m}; populated tables hold {held_label(held)}'s lines")
        times: dict[str, list[float]] = {label: [] for label in tables}
        for _round in range(rounds):
            for label, table in tables.items():
                cur.execute("CHECKPOINT")
                cur.execute("BEGIN")
                started = time.perf_counter()
                cur.execute(f"INSERT INTO {table} SELECT * FROM {SAMPLE}")  # noqa: S608
                times[label].append(time.perf_counter() - started)
                cur.execute("ROLLBACK")
                cur.execute(f"VACUUM {table}")
        bare = statistics.median(times["bare"])
        print(f"{'':34} {'median s':>9} {'best s':>7} {'µs/line':>8}  × bare")
        for label, values in times.items():
            median = statistics.median(values)
            print(f"{label:34} {median:>9.3f} {min(values):>7.3f} {median / rows * 1e6:>8.2f}  {median / bare:.2f}")
    finally:
        cur.execute(f"DROP TABLE IF EXISTS {SAMPLE}, {', '.join(tables.values())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

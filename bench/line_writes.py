"""What writing a payout line costs, index by index: ready-made lines into the table in its several shapes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_payouts \\
    .venv/bin/python -m bench.line_writes [--rows 200000] [--rounds 5] [--scheme disability_nursing]
    .venv/bin/python -m bench.line_writes --month-floor [--rounds 3]   # a whole month, two writers (``month_floor``)

Run it on the database ``bench.payouts`` left behind (it needs two months of lines; it
changes nothing there and drops the scratch tables it makes). It takes ``--rows`` lines of
``--scheme`` from the newest month that has them (the lines as the engine wrote them, in
its order, given new ids) and inserts them, with one ``INSERT … SELECT`` rolled back each time, into:

* **bare**: an unindexed, unconstrained copy of the line table (the shape of
  ``bench.payouts``' ceiling);
* **empty, indexed**: an empty copy with the line table's own indexes and checks (what a
  month's first lines would meet in a table, or partition, of their own);
* **populated**: a copy holding the month before (every line of it, as mid-month), with the
  line table's own indexes and checks: what the engine's chunks meet today;
* the same with the unique live-line key ordered month first, ``(period, scheme,
  beneficiary)``, instead of beneficiary first;
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
    """Each scratch table and the statements that make it (``{t}`` is its name, ``%s`` the month before)."""
    from payouts.models import LIVE_LINE_KEY, PayoutLine

    run_index = next(i.name for i in PayoutLine._meta.indexes if i.fields == ["run", "id"])
    key = indexes[LIVE_LINE_KEY]
    beneficiary_first = "(beneficiary_id, period, scheme)"
    assert beneficiary_first in key, key
    populated = [
        f"CREATE TABLE {{t}} (LIKE {LINES} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)",
        f"INSERT INTO {{t}} SELECT * FROM {LINES} WHERE period = %s",  # noqa: S608 - table names from this module
    ]
    others = [sql for name, sql in indexes.items() if name != LIVE_LINE_KEY]
    return {
        "bare": [f"CREATE TABLE {{t}} (LIKE {LINES})"],
        "empty, indexed": [f"CREATE TABLE {{t}} (LIKE {LINES} INCLUDING ALL)"],
        "populated": [*populated, *indexes.values()],
        "populated, key month first": [
            *populated,
            *others,
            key.replace(beneficiary_first, "(period, scheme, beneficiary_id)"),
        ],
        "populated, no run index": [*populated, *(sql for name, sql in indexes.items() if name != run_index)],
    }


def split_for_two(counts: dict[str, int]) -> tuple[list[str], list[str]]:
    """The schemes in two groups of about equal lines, biggest first: how a worker with 2 processes shares a month."""
    groups: tuple[list[str], list[str]] = ([], [])
    sizes = [0, 0]
    for scheme, count in sorted(counts.items(), key=lambda item: -item[1]):
        lighter = 0 if sizes[0] <= sizes[1] else 1
        groups[lighter].append(scheme)
        sizes[lighter] += count
    return groups


def two_writers(table: str, samples: list[str]) -> float:
    """Seconds until one ``INSERT … SELECT`` per sample, each on its own connection, started together, are all done.

    Each is rolled back afterwards (the caller vacuums the table).
    """
    from django.db import connections

    barrier = threading.Barrier(len(samples) + 1)

    def write(sample: str) -> None:
        try:
            with connections["default"].cursor() as own:  # this thread's own connection
                own.execute("BEGIN")
                barrier.wait()
                own.execute(f"INSERT INTO {table} SELECT * FROM {sample}")  # noqa: S608 - names from this module
                own.execute("ROLLBACK")
        finally:
            connections["default"].close()

    threads = [threading.Thread(target=write, args=(sample,)) for sample in samples]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def month_floor(cur, rounds: int) -> int:
    """A whole month's lines, already made, written by two connections at once against the bare ceiling.

    No engine can write a month faster than this: every line it makes must still be written
    into the table under its primary key and the live-line key. The month's lines (every
    scheme, as the engine wrote them, new ids) go in two groups of schemes of about equal
    size, each one ``INSERT … SELECT`` on its own connection, into an empty copy of the table
    with its indexes (a month in a partition of its own), a copy holding the month before (the
    table as the engine meets it), and that again without the run's index. Beside it,
    each round, ``bench.payouts``' ceiling for the same number of rows (one statement, bare rows).
    """
    from bench.payouts import ceiling

    cur.execute(f"SELECT max(period) FROM {LINES}")  # noqa: S608
    period = cur.fetchone()[0]
    cur.execute(f"SELECT max(period) FROM {LINES} WHERE period < %s", [period])  # noqa: S608
    previous = cur.fetchone()[0]
    if previous is None:
        print("Only one month of lines: run bench.payouts (it computes two) first.", file=sys.stderr)
        return 2
    cur.execute(f"SELECT scheme, count(*) FROM {LINES} WHERE period = %s GROUP BY scheme", [period])  # noqa: S608
    counts = dict(cur.fetchall())
    groups = split_for_two(counts)
    rows = sum(counts.values())
    all_shapes = shapes(line_table_indexes(cur))
    plans = {label: all_shapes[label] for label in ("empty, indexed", "populated", "populated, no run index")}
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
                cur.execute(sql.format(t=tables[label]), [previous] if "%s" in sql else None)
        cur.execute("VACUUM ANALYZE")
        halves = " | ".join(f"{' + '.join(g)} ({sum(counts[s] for s in g):,})" for g in groups)
        print(f"{rows:,} lines of {period:%Y-%m} in two writers: {halves}; the tables hold {previous:%Y-%m}'s lines")

        times: dict[str, list[float]] = {"ceiling": [], **{label: [] for label in tables}}
        for _round in range(rounds):
            times["ceiling"].append(ceiling(rows, indexed=False))
            for label, table in tables.items():
                cur.execute("CHECKPOINT")
                times[label].append(two_writers(table, samples))
                cur.execute(f"VACUUM {table}")
        bare = statistics.median(times["ceiling"])
        print(f"{'':40} {'median s':>9} {'best s':>7} {'lines/s':>10}  ceiling ÷ it (the most an engine can reach)")
        for label, values in times.items():
            median = statistics.median(values)
            name = "bare ceiling (one statement)" if label == "ceiling" else f"{label}, two writers"
            print(f"{name:40} {median:>9.2f} {min(values):>7.2f} {rows / median:>10,.0f}  {bare / median:.2f}")
    finally:
        cur.execute(f"DROP TABLE IF EXISTS {', '.join(samples)}, {', '.join(tables.values())}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--scheme", default="disability_nursing", help="whose lines of the newest month to write")
    parser.add_argument(
        "--month-floor",
        action="store_true",
        help="the newest month's lines, every scheme, by two writers at once, against the bare ceiling",
    )
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        print("Set DATABASE_URL (the database bench.payouts filled).", file=sys.stderr)
        return 2
    import django

    django.setup()
    from django.db import connection

    cur = connection.cursor()
    if args.month_floor:
        return month_floor(cur, args.rounds)
    scheme = args.scheme
    cur.execute(f"SELECT max(period) FROM {LINES} WHERE scheme = %s", [scheme])  # noqa: S608
    period = cur.fetchone()[0]
    if period is None:
        print(f"No {scheme} lines: run bench.payouts on this database first.", file=sys.stderr)
        return 2
    cur.execute(f"SELECT max(period) FROM {LINES} WHERE period < %s", [period])  # noqa: S608
    previous = cur.fetchone()[0]
    if previous is None:
        print("Only one month of lines: run bench.payouts (it computes two) first.", file=sys.stderr)
        return 2
    plans = shapes(line_table_indexes(cur))
    tables = {label: f"bench_lw_{i}" for i, label in enumerate(plans)}
    try:
        cur.execute(f"DROP TABLE IF EXISTS {SAMPLE}, {', '.join(tables.values())}")
        cur.execute(
            f"CREATE TABLE {SAMPLE} AS SELECT * FROM {LINES} WHERE period = %s AND scheme = %s"  # noqa: S608
            " ORDER BY id LIMIT %s",
            [period, scheme, args.rows],
        )
        cur.execute(f"SELECT max(id) FROM {LINES}")  # noqa: S608
        base = cur.fetchone()[0]
        # New ids above every line's, as new lines get.
        cur.execute(f"UPDATE {SAMPLE} SET id = id + %s", [base])  # noqa: S608 - table name from this module
        cur.execute(f"SELECT count(*) FROM {SAMPLE}")  # noqa: S608
        rows = cur.fetchone()[0]
        for label, statements in plans.items():
            for sql in statements:
                cur.execute(sql.format(t=tables[label]), [previous] if "%s" in sql else None)
        cur.execute("VACUUM ANALYZE")
        print(f"{rows:,} lines of {scheme} {period:%Y-%m}; populated tables hold {previous:%Y-%m}'s lines")
        times: dict[str, list[float]] = {label: [] for label in tables}
        for _round in range(args.rounds):
            for label, table in tables.items():
                cur.execute("CHECKPOINT")
                cur.execute("BEGIN")
                started = time.perf_counter()
                cur.execute(f"INSERT INTO {table} SELECT * FROM {SAMPLE}")  # noqa: S608
                times[label].append(time.perf_counter() - started)
                cur.execute("ROLLBACK")
                cur.execute(f"VACUUM {table}")
        bare = statistics.median(times["bare"])
        print(f"{'':30} {'median s':>9} {'best s':>7} {'µs/line':>8}  × bare")
        for label, values in times.items():
            median = statistics.median(values)
            print(f"{label:30} {median:>9.3f} {min(values):>7.3f} {median / rows * 1e6:>8.2f}  {median / bare:.2f}")
    finally:
        cur.execute(f"DROP TABLE IF EXISTS {SAMPLE}, {', '.join(tables.values())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""What writing a payout line costs, index by index: ready-made lines into the table in its several shapes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_payouts \\
    .venv/bin/python -m bench.line_writes [--rows 200000] [--rounds 5] [--scheme disability_nursing]

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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--scheme", default="disability_nursing", help="whose lines of the newest month to write")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        print("Set DATABASE_URL (the database bench.payouts filled).", file=sys.stderr)
        return 2
    import django

    django.setup()
    from django.db import connection

    cur = connection.cursor()
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

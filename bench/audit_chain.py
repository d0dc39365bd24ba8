"""What the audit chain costs a write (core/auditchain.py): the same inserts into a plain copy of the
security log and into a chained copy, in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ca_x \\
    .venv/bin/python -m bench.audit_chain [--rows 20000] [--single 500] [--rounds 3]

Needs a migrated database (it makes two scratch tables ``bench_ac_plain`` and ``bench_ac_chained``
— copies of ``core_securityevent`` with its indexes, the second with the chain's and the refusal
triggers as ``install()`` puts them on every audit table — and drops them; the chained copy's
links stay in ``core_auditseal`` under its name, which ``audit_verify`` does not read). Two
shapes: one transaction inserting ``--rows`` rows with one ``INSERT … SELECT`` (an import's
bulk history), and ``--single`` transactions of one row each (a request writing one log line,
sealed at its commit). Prints the median of ``--rounds`` and the ratio chained / plain.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civil_affairs.settings")
os.environ.setdefault("CIVIL_AFFAIRS_DEV", "1")
os.environ.setdefault("DATABASE_APP_ROLE", "")  # the scratch tables are the owner's

TABLES = ("bench_ac_plain", "bench_ac_chained")
ROWS = (
    "INSERT INTO {t} (at, kind, username, path, detail, ip_address) "
    "SELECT now(), 'login', 'user' || g, '/login/', '', NULL FROM generate_series(1, %s) g"
)


def _setup(cursor) -> None:
    from core import auditchain

    cursor.execute("BEGIN")
    for table in TABLES:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute(f"CREATE TABLE {table} (LIKE core_securityevent INCLUDING ALL)")
    cursor.execute("ALTER TABLE bench_ac_plain DROP COLUMN audit_seq, DROP COLUMN audit_batch, DROP COLUMN audit_hash")
    auditchain._install_table(cursor, "bench_ac_chained", chained=True)
    cursor.execute("COMMIT")


def _bulk(cursor, table: str, rows: int) -> float:
    started = time.perf_counter()
    cursor.execute("BEGIN")
    cursor.execute(ROWS.format(t=table), [rows])
    cursor.execute("COMMIT")
    return time.perf_counter() - started


def _single(cursor, table: str, n: int) -> float:
    started = time.perf_counter()
    for _ in range(n):
        cursor.execute(ROWS.format(t=table), [1])  # autocommit: one transaction each, sealed at its commit
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--single", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    import django

    django.setup()
    from django.db import connection

    connection.ensure_connection()
    connection.connection.autocommit = True
    with connection.connection.cursor() as cursor:
        _setup(cursor)
        times: dict[tuple[str, str], list[float]] = {}
        try:
            for _ in range(args.rounds):
                for table in TABLES:
                    times.setdefault(("bulk", table), []).append(_bulk(cursor, table, args.rows))
                    times.setdefault(("single", table), []).append(_single(cursor, table, args.single))
            cursor.execute("SELECT count(*) FROM core_auditseal WHERE table_name = 'bench_ac_chained'")
            seals = cursor.fetchone()[0]
        finally:
            for table in TABLES:
                cursor.execute(f"DROP TABLE IF EXISTS {table}")
    for shape, per in (("bulk", args.rows), ("single", args.single)):
        plain = statistics.median(times[(shape, "bench_ac_plain")])
        chained = statistics.median(times[(shape, "bench_ac_chained")])
        print(
            f"{shape:<7} plain {plain * 1e6 / per:8.1f} µs/row   chained {chained * 1e6 / per:8.1f} µs/row   "
            f"ratio {chained / plain:5.2f}"
        )
    print(f"links sealed for the chained copy: {seals}")


if __name__ == "__main__":
    main()

"""What recording every payout line's status change costs: one bank return of N lines, before and after.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<a migrated database> \\
    .venv/bin/python -m bench.line_status [--rows 250000] [--rounds 3]

Inside one transaction that is rolled back (nothing is left behind), as the owner: N pending
lines are written with ``generate_series`` into ``payouts_payoutline`` (the lines' foreign keys
are Django's, not the database's, so no cases are needed), then one ``UPDATE`` moves all of them
to paid, as ``payouts.services.run_import_returns`` does, in three shapes, each in a savepoint
rolled back:

* **no trigger**: the lines' triggers off (the floor);
* **guard only**: the row trigger that keeps amounts and the status path (what main had before,
  then as pgtrigger's trigger);
* **guard + events, unchained**: the status events written, the audit chain's row triggers off
  on them (what the chain costs, by difference);
* **guard + status events**: and the statement-level trigger writing one ``LineStatusEvent`` per
  line, hash-chained (its row triggers), sealed as at commit (``SET CONSTRAINTS … IMMEDIATE``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civil_affairs.settings")
os.environ.setdefault("CIVIL_AFFAIRS_DEV", "1")

UPDATE = "UPDATE payouts_payoutline SET status = 'paid', settled_at = now() WHERE run_id = %s AND status = 'pending'"
SHAPES = {
    "no trigger": ["payout_line_guard", "payout_line_status_events"],
    "guard only": ["payout_line_status_events"],
    "guard + events, unchained": [
        "payouts_linestatusevent:zz_audit_row",
        "payouts_linestatusevent:zz_audit_count",
        "payouts_linestatusevent:zz_audit_seal",
    ],
    "guard + status events": [],
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=250_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    import django

    django.setup()
    from django.db import connection, transaction

    from core.db.roles import as_owner

    times: dict[str, list[float]] = {name: [] for name in SHAPES}
    with as_owner(), transaction.atomic(), connection.cursor() as cur:
        cur.execute("SELECT coalesce(max(id), 0) + 1000000 FROM payouts_payoutrun")
        run_id = cur.fetchone()[0]
        cur.execute(
            "INSERT INTO payouts_payoutline (run_id, scheme, period, beneficiary_id, household_id, source_id, "
            "division_id, amount, status, snapshot, failure_reason, failed_account_digest) "
            "SELECT %s, 'dibao', '2099-01-01', 900000000 + g, 900000000 + g, g, '370202001001', 880.00, 'pending', "
            "'{}', '', '' FROM generate_series(1, %s) g",
            [run_id, args.rows],
        )
        cur.execute("ANALYZE payouts_payoutline")
        for _round in range(args.rounds):
            for name, off in SHAPES.items():
                sid = transaction.savepoint()
                for trigger in off:
                    table, _sep, name_ = trigger.rpartition(":")
                    cur.execute(f"ALTER TABLE {table or 'payouts_payoutline'} DISABLE TRIGGER {name_}")
                started = time.perf_counter()
                cur.execute(UPDATE, [run_id])
                assert cur.rowcount == args.rows
                cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the chain's seal, as at commit
                times[name].append(time.perf_counter() - started)
                cur.execute("SET CONSTRAINTS ALL DEFERRED")
                if not off:
                    cur.execute("SELECT count(*) FROM payouts_linestatusevent WHERE run_id = %s", [run_id])
                    assert cur.fetchone()[0] == args.rows
                transaction.savepoint_rollback(sid)
        transaction.set_rollback(True)
    floor = statistics.median(times["no trigger"])
    for name, seen in times.items():
        median = statistics.median(seen)
        print(
            f"{name:24} median {median:7.2f} s  best {min(seen):7.2f} s  "
            f"{median / args.rows * 1e6:6.1f} µs/line  x{median / floor:4.1f} of no trigger"
        )


if __name__ == "__main__":
    main()

"""Payout lines are kept in one partition per month (``payouts_payoutline_YYYY_MM``, by ``period``).

A month's runs write only that month, into indexes of that month only: a month's computation
costs the same in the tenth year as in the first (``payouts/migrations/0004``). A month's
partition is made when its first run starts computing (``ensure_month``); lines of a month that
has none are kept, correctly but unpartitioned, in ``payouts_payoutline_default``.
"""

from __future__ import annotations

import datetime

from django.db import connection, transaction

from core.cases import add_months

PARENT = "payouts_payoutline"
DEFAULT = "payouts_payoutline_default"
LOCK_NAMESPACE = 0x50415931  # "PAY1": one month's partition being made


def partition_name(month: datetime.date) -> str:
    return f"{PARENT}_{month:%Y_%m}"


def ensure_month(month: datetime.date) -> bool:
    """Make the month's partition if it has none; True if made now.

    Its own short transaction: making a partition locks the whole line table against every
    reader and writer until it commits. Two runs of the month starting together make it once
    (an advisory lock per month). When the default partition already holds lines of the month,
    they stay there (PostgreSQL cannot move them into a new partition) and so do the month's next.
    """
    month = month.replace(day=1)
    name = partition_name(month)
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, month.year * 100 + month.month])
        cur.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
        if cur.fetchone()[0]:
            return False
        cur.execute(f"SELECT EXISTS (SELECT 1 FROM {DEFAULT} WHERE period = %s)", [month])  # noqa: S608
        if cur.fetchone()[0]:
            return False
        cur.execute(
            f"CREATE TABLE {name} PARTITION OF {PARENT} FOR VALUES FROM (%s) TO (%s)",
            [month, add_months(month, 1)],
        )
    return True


def live_line_key_names(key: str) -> set[str]:
    """The unique live-line key's name and its partitions' (a conflict names the partition's index)."""
    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
             WHERE i.inhparent = to_regclass(%s)
            """,
            [key],
        )
        return {key, *(name for (name,) in cur.fetchall())}

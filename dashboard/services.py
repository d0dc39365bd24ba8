"""Keeping the dashboard's summary tables true: fold an approved payout run into them.

Called by ``payouts.services.run_approve`` in the approval's transaction (so the figures and
the run's status commit together, or neither does). Everything is set-based SQL: one
``INSERT … SELECT … GROUP BY … ON CONFLICT DO UPDATE`` per table, whatever the number of
lines. See ``dashboard/models.py`` for what the tables hold.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.utils import timezone

APPROVED_STATUSES = ("approved", "exported", "reconciled")

# The lines a run adds to the figures: its own lines, not the re-payments of failed lines (the
# line a re-payment replaces was counted when its run was approved). ``persons``: how many people
# a line pays for (the living members of a dibao household, from the line's snapshot; else 1). A line
# paying an institution (an operating subsidy: no person, no household) adds to the amounts, not to the units.
_RUN_LINES = """
    SELECT l.beneficiary_id, l.household_id, l.division_id::text AS division, l.amount,
           CASE WHEN l.scheme = 'dibao' THEN GREATEST(COALESCE((l.snapshot->>'members')::int, 1), 1)
                ELSE 1 END AS persons
    FROM payouts_payoutline l
    WHERE l.run_id = %(run)s AND l.replaces_id IS NULL
"""


def fold_run(run_id: int) -> bool:
    """Add an approved run's lines to the summaries; ``False`` when it was already folded in."""
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SELECT scheme, period, status FROM payouts_payoutrun WHERE id = %s FOR SHARE", [run_id])
        row = cur.fetchone()
        if row is None or row[2] not in APPROVED_STATUSES:
            return False
        scheme, period, _status = row
        # One folding at a time per scheme: the masks below are read, then written.
        cur.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"dashboard:{scheme}"])
        cur.execute(
            """
            INSERT INTO dashboard_paidrun (run_id, scheme, period, lines, folded_at)
            VALUES (%s, %s, %s, 0, %s) ON CONFLICT (run_id) DO NOTHING RETURNING run_id
            """,
            [run_id, scheme, period, timezone.now()],
        )
        if cur.fetchone() is None:
            return False
        # The run's lines, read once; then one row per person and one per household (dibao pays one line
        # per household, to its head: its households are its persons' units, the members their persons).
        cur.execute("DROP TABLE IF EXISTS _dash_lines, _dash_units, _dash_changed")
        cur.execute(f"CREATE TEMP TABLE _dash_lines ON COMMIT DROP AS {_RUN_LINES}", {"run": run_id})
        cur.execute(
            """
            CREATE TEMP TABLE _dash_units ON COMMIT DROP AS
            SELECT 'p'::text AS unit, beneficiary_id AS key, max(division) AS division, max(persons) AS persons
            FROM _dash_lines WHERE %(scheme)s <> 'dibao' AND beneficiary_id IS NOT NULL GROUP BY beneficiary_id
            UNION ALL
            SELECT 'h', COALESCE(household_id, -beneficiary_id), max(division), sum(persons)
            FROM _dash_lines WHERE household_id IS NOT NULL OR beneficiary_id IS NOT NULL GROUP BY 2
            """,
            {"scheme": scheme},
        )
        cur.execute("ANALYZE _dash_units")
        params = {"run": run_id, "scheme": scheme, "month": period}
        cur.execute(
            """
            WITH agg AS (SELECT division, count(*) AS c, sum(amount) AS a FROM _dash_lines GROUP BY division),
            ins AS (
                INSERT INTO dashboard_paidmonth (scheme, month, division, lines, amount)
                SELECT %(scheme)s, %(month)s, division, c, a FROM agg
                ON CONFLICT (scheme, month, division) DO UPDATE
                SET lines = dashboard_paidmonth.lines + EXCLUDED.lines,
                    amount = dashboard_paidmonth.amount + EXCLUDED.amount
            )
            UPDATE dashboard_paidrun SET lines = (SELECT COALESCE(sum(c), 0) FROM agg) WHERE run_id = %(run)s
            """,
            params,
        )
        # The units the run pays for the first time this month, with what the per-year table holds for
        # them in the year before, this year and the year after (a late approval); then this year's
        # bit set (the only per-unit write), and each unit's count moved in the two windows the month
        # lies in (the one starting the year before: bits 12–23; the one starting this year: 0–11).
        year = period.year
        cur.execute(_CHANGED, {**params, "year": year, "bit": 1 << (period.month - 1)})
        cur.execute(_SET_BIT, {**params, "year": year, "bit": 1 << (period.month - 1)})
        cur.execute(_MOVE_COUNTS, {**params, "year": year, "bit": 1 << (period.month - 1)})
        cur.execute(
            "DELETE FROM dashboard_paidmask WHERE scheme = %s AND year IN (%s, %s) AND n = 0", [scheme, year - 1, year]
        )
        cur.execute("DROP TABLE IF EXISTS _dash_lines, _dash_units, _dash_changed")
    return True


_CHANGED = """
    CREATE TEMP TABLE _dash_changed ON COMMIT DROP AS
    SELECT u.unit, u.key,
           COALESCE(c.division, u.division) AS div_y, COALESCE(c.persons, u.persons) AS persons_y,
           c.months AS cur_m, c.division AS cur_div, c.persons AS cur_p,
           p.months AS prev_m, p.division AS prev_div, p.persons AS prev_p,
           n.months AS next_m, n.division AS next_div, n.persons AS next_p,
           u.division AS new_div, u.persons AS new_p
    FROM _dash_units u
    LEFT JOIN dashboard_paidyear c
      ON c.scheme = %(scheme)s AND c.year = %(year)s AND c.unit = u.unit AND c.key = u.key
    LEFT JOIN dashboard_paidyear p
      ON p.scheme = %(scheme)s AND p.year = %(year)s - 1 AND p.unit = u.unit AND p.key = u.key
    LEFT JOIN dashboard_paidyear n
      ON n.scheme = %(scheme)s AND n.year = %(year)s + 1 AND n.unit = u.unit AND n.key = u.key
    WHERE c.months IS NULL OR c.months & %(bit)s = 0
"""

# A unit's row of a year keeps the community and persons of its first month paid that year.
_SET_BIT = """
    INSERT INTO dashboard_paidyear (scheme, year, unit, key, division, months, persons)
    SELECT %(scheme)s, %(year)s, unit, key, new_div, %(bit)s, new_p FROM _dash_changed
    ON CONFLICT (scheme, year, unit, key) DO UPDATE SET months = dashboard_paidyear.months | EXCLUDED.months
"""

# In a window a unit counts under the community (and persons) of its later year's row. Old and new
# (community, 24-bit months) of each changed unit in both windows; -1 at the old, +1 at the new.
_MOVE_COUNTS = """
    WITH d AS (
        -- the window starting the year before: that year in bits 0–11, this year in bits 12–23
        SELECT %(year)s - 1 AS w, unit,
               CASE WHEN cur_m IS NOT NULL THEN cur_div ELSE prev_div END AS division,
               COALESCE(prev_m, 0) | (COALESCE(cur_m, 0) << 12) AS months,
               -1 AS n, -(CASE WHEN cur_m IS NOT NULL THEN cur_p ELSE prev_p END) AS persons
        FROM _dash_changed WHERE cur_m IS NOT NULL OR prev_m IS NOT NULL
        UNION ALL
        SELECT %(year)s - 1, unit, div_y, COALESCE(prev_m, 0) | ((COALESCE(cur_m, 0) | %(bit)s) << 12), 1, persons_y
        FROM _dash_changed
        UNION ALL
        -- the window starting this year: this year in bits 0–11, the next in bits 12–23
        SELECT %(year)s, unit,
               CASE WHEN next_m IS NOT NULL THEN next_div ELSE cur_div END,
               COALESCE(cur_m, 0) | (COALESCE(next_m, 0) << 12),
               -1, -(CASE WHEN next_m IS NOT NULL THEN next_p ELSE cur_p END)
        FROM _dash_changed WHERE cur_m IS NOT NULL OR next_m IS NOT NULL
        UNION ALL
        SELECT %(year)s, unit,
               CASE WHEN next_m IS NOT NULL THEN next_div ELSE div_y END,
               (COALESCE(cur_m, 0) | %(bit)s) | (COALESCE(next_m, 0) << 12),
               1, CASE WHEN next_m IS NOT NULL THEN next_p ELSE persons_y END
        FROM _dash_changed
    )
    INSERT INTO dashboard_paidmask (scheme, year, unit, division, months, n, persons)
    SELECT %(scheme)s, w, unit, division, months, sum(n), sum(persons)
    FROM d
    GROUP BY w, unit, division, months
    ON CONFLICT (scheme, year, unit, division, months) DO UPDATE
    SET n = dashboard_paidmask.n + EXCLUDED.n, persons = dashboard_paidmask.persons + EXCLUDED.persons
"""


def payout_run_approved(*, run) -> bool:
    """Fold an approved run's lines into the summaries (in the caller's transaction)."""
    return fold_run(run.pk)


def on_run_approved(sender, *, run, **_kwargs) -> None:
    """Receiver of ``payouts.signals.run_approved`` (sent inside ``run_approve``'s transaction)."""
    payout_run_approved(run=run)


def rebuild(*, scheme: str | None = None) -> int:
    """Empty the summaries (of one scheme, or all) and fold every approved run in again, oldest first.

    For repairs and after loading data by other means; the number of runs folded.
    """
    with transaction.atomic(), connection.cursor() as cur:
        where, args = ("WHERE scheme = %s", [scheme]) if scheme else ("", [])
        for table in ("dashboard_paidrun", "dashboard_paidmonth", "dashboard_paidyear", "dashboard_paidmask"):
            cur.execute(f"DELETE FROM {table} {where}", args)  # noqa: S608
        cur.execute(
            f"""
            SELECT id FROM payouts_payoutrun
            WHERE status IN ('approved', 'exported', 'reconciled') {"AND scheme = %s" if scheme else ""}
            ORDER BY period, sequence, id
            """,  # noqa: S608
            args,
        )
        ids = [r[0] for r in cur.fetchall()]
    folded = 0
    for run_id in ids:
        folded += fold_run(run_id)
    return folded

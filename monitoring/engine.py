"""The monthly monitoring run's steps (月度动态监测): set-based SQL over the whole city, one transaction each.

Like the payout engine, nothing here goes household by household in Python: each step is a few
statements over the city's tables, and each is safe to repeat —

* **tiers**: the month's figures of every household (``monitoring.selectors.city_figures_sql``, the
  same SQL the low-income list reads) into a temporary table; the month's ``TierMembership`` rows
  replaced from it; the tiers counted (households, persons; by sub-district);
* **expenditure**: a warning for each household in the expenditure-hardship tier this month that was
  not in it at the previous run's month (pushed under the line since: it needs help and is not covered);
* **extracts**: the latest committed extract of every active risk source read again (a person
  registered since its commit is found now);
* **payments**: every failed line of the month and the month before (payments failed twice in a row);
* **visits**: left-behind elderly persons whose visit is overdue (the daily scan's rule).

Every warning goes through ``monitoring.services._insert``: ``ON CONFLICT (signal) DO NOTHING`` over the
unique signal, so a second run of the same month raises nothing it already raised.
"""

from __future__ import annotations

import datetime

from django.db import connection

from core.cases import add_months, local_today
from core.models import User
from monitoring import selectors, services
from monitoring.models import MonitoringRun, RunStatus
from relief.models import DibaoMember


def _fetch(cur) -> list[dict]:
    columns = [c.name for c in cur.description]
    return [dict(zip(columns, row, strict=True)) for row in cur.fetchall()]


def step_tiers(*, month: datetime.date) -> dict:
    """Record the month's marginal and expenditure households and count every tier; the counts."""
    sql, params = selectors.city_figures_sql(month=month)
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS monitoring_run_figures")
        cur.execute(f"CREATE TEMP TABLE monitoring_run_figures ON COMMIT DROP AS {sql}", params)
        cur.execute("DELETE FROM monitoring_tiermembership WHERE month = %s", [month])
        cur.execute(
            """
            INSERT INTO monitoring_tiermembership (month, household_id, tier, income, members, rigid, standard)
            SELECT %s, household_id, 'marginal', income, members, rigid, standard
            FROM monitoring_run_figures WHERE marginal
            UNION ALL
            SELECT %s, household_id, 'expenditure', income, members, rigid, standard
            FROM monitoring_run_figures WHERE expenditure
            """,
            [month, month],
        )
        cur.execute(
            """
            SELECT t.tier, left(h.community_id, 9) AS subdistrict, count(*) AS households, sum(t.members) AS persons
            FROM monitoring_tiermembership t JOIN people_household h ON h.id = t.household_id
            WHERE t.month = %s
            GROUP BY 1, 2
            """,
            [month],
        )
        rows = _fetch(cur)
        cur.execute("DROP TABLE monitoring_run_figures")
    counts: dict = {tier: {"households": 0, "persons": 0} for tier in selectors.TIERS}
    by_subdistrict: dict = {}
    for row in rows:
        counts[row["tier"]]["households"] += row["households"]
        counts[row["tier"]]["persons"] += int(row["persons"])
        by_subdistrict.setdefault(row["subdistrict"], {})[row["tier"]] = row["households"]
    dibao = selectors.dibao_cases_in_force(month)
    counts["dibao"] = {
        "households": dibao.count(),
        "persons": DibaoMember.objects.filter(case__in=dibao).count(),
    }
    counts["tekun"] = {"households": 0, "persons": selectors.tekun_cases_in_force(month).count()}
    flagged = selectors.at_risk_flags_in(month)
    counts["at_risk"] = {
        "households": flagged.count(),
        "persons": selectors.HouseholdMember.objects.filter(household_id__in=flagged.values("household_id")).count(),
    }
    return {**counts, "by_subdistrict": by_subdistrict}


def previous_month_recorded(month: datetime.date) -> datetime.date | None:
    """The latest earlier month a run completed (what "newly in the tier" is measured against)."""
    return (
        MonitoringRun.objects.filter(status=RunStatus.DONE, month__lt=month)
        .order_by("-month")
        .values_list("month", flat=True)
        .first()
    )


def step_expenditure(*, month: datetime.date, actor: User) -> int:
    """A warning for each household newly in the expenditure-hardship tier; how many were new."""
    before = previous_month_recorded(month)
    select = """
        SELECT 'tier:expenditure:' || t.household_id || ':' || to_char(t.month, 'YYYY-MM') AS signal,
               'expenditure' AS kind,
               jsonb_build_object('month', to_char(t.month, 'YYYY-MM'), 'income', t.income::text,
                                  'members', t.members, 'rigid', t.rigid::text, 'standard', t.standard::text) AS facts,
               h.id AS household_id, h.head_id AS person_id, h.community_id AS division_id,
               left(h.community_id, 9) AS subdistrict_id, t.rigid AS amount, t.month AS event_date
        FROM monitoring_tiermembership t JOIN people_household h ON h.id = t.household_id
        WHERE t.month = %s AND t.tier = 'expenditure'
          AND NOT EXISTS (SELECT 1 FROM monitoring_tiermembership b
                          WHERE b.month = %s AND b.tier = 'expenditure' AND b.household_id = t.household_id)
    """
    return services._insert(select, [month, before], actor=actor, action="monitoring.warnings_from_tiers")


def risk_extract_ids() -> list[int]:
    """The latest committed extract of each active risk source."""
    from datacheck.models import Effect, Extract, ExtractStatus

    return list(
        Extract.objects.filter(status=ExtractStatus.COMMITTED, source__active=True, source__effect=Effect.RISK)
        .order_by("source_id", "-committed_at", "-id")
        .distinct("source_id")
        .values_list("id", flat=True)
    )


def step_extracts(*, extract_ids: list[int], actor: User) -> int:
    return services.warnings_from_extracts(extract_ids=extract_ids, actor=actor) if extract_ids else 0


def step_payments(*, month: datetime.date, actor: User) -> int:
    return services.warnings_from_failures_of_months(months=[add_months(month, -1), month], actor=actor)


def step_visits(*, actor: User) -> int:
    return services.warnings_from_overdue_visits(actor=actor, today=local_today())

# SQL here is composed from integers computed in this file and fixed text: no outside input reaches it.
"""The monthly monitoring run at city scale: 1,000,000 persons, five risk extracts of 100,000 rows.

    psql -h 127.0.0.1 -U postgres -c 'CREATE DATABASE bench_monitor'
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_monitor CELERY_BROKER_URL=redis://127.0.0.1:6379/8 \\
      .venv/bin/python -m bench.monitoring [--scale 4] [--persons 1000000] [--extracts 5] [--rows 100000] \\
      [--sample 2000] [--skip-generate]

On a scratch database (its monitoring, datacheck and filler rows are replaced):

1. ``generate_city --scale S`` (untimed; ``--skip-generate`` keeps the city already built): dibao,
   tekun, orphans, subsidies, marriages… at S times the bureau's 2020 report.
2. Filler households of three persons (ID numbers of their own order digit) bring the registry to
   ``--persons``; every household without a dibao case gets a recorded income (``HouseholdMeans``)
   spread from 0.5 to 3 times the standard, and one in twelve a medical or education expense of the
   month — so the marginal and expenditure tiers are tens of thousands of households, as in a city.
3. ``--extracts`` risk sources, each with one committed extract of ``--rows`` rows (kinds illness,
   medical bill, unemployment, death, disability): 30 % ID numbers of registered persons, the rest of
   nobody here. Written with SQL (the upload path is ``bench.datacheck``'s), so the commit-time hook
   has not run: the run raises every warning itself (its worst case).
4. **The run**: ``monitoring_run_execute`` (the Celery task's body, in-process) over the whole city.
   Then **the same month again** (idempotence: no warning may be added).
5. Beside it, in the same run and on the same data, **the per-household Python loop**: for a
   sample of households, each one's latest income, living members, rigid expenses, dibao case and
   standard read with the ORM, its tiers decided in Python, its tier row and an expenditure warning
   written with ``get_or_create``; and for a sample of extract rows, the person looked up by ID
   number, the household found, a warning written with ``get_or_create`` — rolled back, extrapolated
   to every household and row.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civil_affairs.settings")
os.environ.setdefault("CIVIL_AFFAIRS_DEV", "1")
# Benchmarks empty tables and switch triggers off to load their data: the owner's work (core/db/roles.py).
os.environ.setdefault("DATABASE_APP_ROLE", "")

KINDS = ("大病", "住院", "失业登记", "死亡", "残疾证")


def setup() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from core.services import divisions_load

    divisions_load()


def generate(scale: float, seed: int) -> float:
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("generate_city", scale=scale, seed=seed, replace=True, stdout=open(os.devnull, "w"))
    return time.perf_counter() - started


def _admin():
    from core.models import User
    from core.services import staff_create

    user = User.objects.filter(username="bench_monitor_admin").first()
    if user is None:
        user = staff_create(
            username="bench_monitor_admin",
            role="leader",
            division_code="370200",
            password="Bench-pass-12345",  # noqa: S106
        )
    return user


def fill(persons: int, creator: int, month) -> dict:
    """Filler households up to ``persons``; incomes and the month's expenses; counts."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("TRUNCATE monitoring_tiermembership, monitoring_monitoringrun RESTART IDENTITY")
        cur.execute("DELETE FROM monitoring_riskwarning")
        cur.execute("ALTER TABLE monitoring_householdexpense DISABLE TRIGGER USER")
        cur.execute("ALTER TABLE people_householdmeans DISABLE TRIGGER USER")
        cur.execute("DELETE FROM monitoring_householdexpense")
        cur.execute("DELETE FROM people_householdmeans")
        cur.execute("SELECT count(*) FROM people_person")
        have = cur.fetchone()[0]
        missing = max(0, persons - have)
        if missing:
            for table in ("people_person", "people_household", "people_householdmember"):
                cur.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            cur.execute("SELECT COALESCE(max(id), 0) FROM people_person")
            first = cur.fetchone()[0] + 1
            # Order digit 8 (bench filler), 100 persons a birth date from 1930: unique ID numbers.
            cur.execute(
                """
                CREATE TEMP TABLE communities AS
                  SELECT code, row_number() OVER (ORDER BY code) - 1 AS idx
                  FROM core_division WHERE level = 'community';
                WITH n AS (
                  SELECT g AS i, c.code AS community, date '1930-01-01' + (g / 100) AS birth
                  FROM generate_series(0, %s - 1) AS g
                  JOIN communities c ON c.idx = (g / 3) %% (SELECT count(*) FROM communities)
                ), body AS (
                  SELECT i, community, birth,
                         substr(community, 1, 6) || to_char(birth, 'YYYYMMDD') || '8' || lpad((i %% 100)::text, 2, '0')
                           AS b
                  FROM n
                )
                INSERT INTO people_person (id_number, name, phone, sex, birth_date, division_id,
                                           created_by_id, created_at, updated_at)
                SELECT b || substr('10X98765432', 1 + (
                           (substr(b,1,1)::int*7 + substr(b,2,1)::int*9 + substr(b,3,1)::int*10 + substr(b,4,1)::int*5
                          + substr(b,5,1)::int*8 + substr(b,6,1)::int*4 + substr(b,7,1)::int*2 + substr(b,8,1)::int*1
                          + substr(b,9,1)::int*6 + substr(b,10,1)::int*3 + substr(b,11,1)::int*7
                          + substr(b,12,1)::int*9 + substr(b,13,1)::int*10 + substr(b,14,1)::int*5
                          + substr(b,15,1)::int*8 + substr(b,16,1)::int*4 + substr(b,17,1)::int*2) %% 11), 1),
                       substr('王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗', 1 + i %% 20, 1)
                         || substr('伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚', 1 + (i / 20) %% 22, 1),
                       '', CASE WHEN i %% 2 = 1 THEN 'male' ELSE 'female' END, birth, community, %s, now(), now()
                FROM body
                ON CONFLICT (id_number) DO NOTHING
                """,
                [missing, creator],
            )
            cur.execute(
                """
                INSERT INTO people_household (community_id, address, area_type, head_id, bank_name, bank_account,
                                              created_by_id, created_at, updated_at)
                SELECT division_id, '合成路' || id || '号', CASE WHEN id %% 3 = 0 THEN 'rural' ELSE 'urban' END,
                       id, '', '', %s, now(), now()
                FROM people_person WHERE id >= %s AND (id - %s) %% 3 = 0
                """,
                [creator, first, first],
            )
            cur.execute(
                """
                INSERT INTO people_householdmember (household_id, person_id, relationship)
                SELECT h.id, p.id, CASE WHEN p.id = h.head_id THEN 'head' ELSE 'child' END
                FROM people_household h JOIN people_person p ON p.id BETWEEN h.head_id AND h.head_id + 2
                WHERE h.head_id >= %s
                """,
                [first],
            )
            for table in ("people_person", "people_household", "people_householdmember"):
                cur.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        # Incomes: every household without an active dibao case, 0.5–3 times the standard a person.
        cur.execute(
            """
            INSERT INTO people_householdmeans (household_id, monthly_income, as_of, occasion, note,
                                               recorded_by_id, recorded_at)
            SELECT h.id,
                   round(m.n * (CASE WHEN h.area_type = 'rural' THEN 760 ELSE 940 END)
                         * (0.5 + (abs(hashtext(h.id::text)) %% 251) / 100.0), 2),
                   %s, 'visit', '', %s, now()
            FROM people_household h
            JOIN (SELECT household_id, count(*) AS n FROM people_householdmember GROUP BY 1) m
              ON m.household_id = h.id
            WHERE NOT EXISTS (SELECT 1 FROM relief_dibaocase d WHERE d.household_id = h.id AND d.status = 'active')
            """,
            [month, creator],
        )
        cur.execute(
            """
            INSERT INTO monitoring_householdexpense (household_id, kind, month, amount, note, recorded_by_id,
                                                     recorded_at)
            SELECT household_id, CASE WHEN household_id %% 2 = 0 THEN 'medical' ELSE 'education' END, %s,
                   round(monthly_income * 0.4, 2) + 1, '', %s, now()
            FROM people_householdmeans WHERE household_id %% 12 = 0
            """,
            [month, creator],
        )
        cur.execute("ALTER TABLE monitoring_householdexpense ENABLE TRIGGER USER")
        cur.execute("ALTER TABLE people_householdmeans ENABLE TRIGGER USER")
        for table in ("people_person", "people_household", "people_householdmember", "people_householdmeans"):
            cur.execute(f"ANALYZE {table}")
        cur.execute(
            "SELECT (SELECT count(*) FROM people_person), (SELECT count(*) FROM people_household),"
            " (SELECT count(*) FROM people_householdmeans), (SELECT count(*) FROM monitoring_householdexpense)"
        )
        p, h, m, e = cur.fetchone()
    return {"persons": p, "households": h, "incomes": m, "expenses": e}


def extracts(n: int, rows: int, admin) -> list[int]:
    """``n`` risk sources, each with one committed extract of ``rows`` rows; their ids."""
    from django.db import connection
    from django.utils import timezone

    from datacheck.models import DataSource, Effect, Extract

    with connection.cursor() as cur:
        cur.execute(
            "TRUNCATE datacheck_reviewitem, datacheck_extractrow, datacheck_extract, datacheck_crosscheckrun,"
            " datacheck_datasource RESTART IDENTITY CASCADE"
        )
        # the registered persons numbered 1..N without gaps (ids have gaps: a row of a person that is not
        # there would be NULL, which the column refuses)
        cur.execute("DROP TABLE IF EXISTS bench_people")
        cur.execute(
            "CREATE TEMP TABLE bench_people AS"
            " SELECT row_number() OVER (ORDER BY id) AS n, id_number FROM people_person"
        )
        cur.execute("CREATE UNIQUE INDEX ON bench_people (n)")
        cur.execute("ANALYZE bench_people")
    ids = []
    for i in range(n):
        source = DataSource.objects.create(
            department=f"合成部门{i + 1}", item=KINDS[i % len(KINDS)], effect=Effect.RISK, created_by=admin
        )
        extract = Extract.objects.create(
            source=source,
            file_name=f"risk-{i + 1}.csv",
            status="committed",
            rows=rows,
            uploaded_by=admin,
            committed_by=admin,
            committed_at=timezone.now(),
        )
        ids.append(extract.pk)
        with connection.cursor() as cur:
            # 30 % registered persons (a different slice per extract), the rest nobody here (area 110101).
            cur.execute(
                """
                INSERT INTO datacheck_extractrow (extract_id, line, id_number, event_date, detail, kind, amount)
                SELECT %s, g + 2,
                       CASE WHEN g %% 10 < 3
                            THEN (SELECT id_number FROM bench_people
                                  WHERE n = 1 + ((g * 7919 + %s * 104729) %% (SELECT count(*) FROM bench_people)))
                            ELSE '110101' || to_char(date '1940-01-01' + g / 900, 'YYYYMMDD')
                                 || lpad((100 + g %% 900)::text, 3, '0') || 'X' END,
                       date '2020-06-01' + (g %% 28), '', %s,
                       CASE WHEN %s IN ('大病', '住院') THEN 1000 + g %% 50000 END
                FROM generate_series(0, %s - 1) AS g
                """,
                [extract.pk, i, KINDS[i % len(KINDS)], KINDS[i % len(KINDS)], rows],
            )
    with connection.cursor() as cur:
        cur.execute("DROP TABLE bench_people")
        cur.execute("ANALYZE datacheck_extractrow")
    return ids


STEP_TIMES: dict[str, float] = {}


def _time_steps() -> None:
    """Each engine step's seconds into STEP_TIMES (the run calls ``engine.step_*`` by name at each step).

    And, apart, what its commit would check (``… at commit``): the deferred foreign-key checks and the
    audit chain's seals, fired with ``SET CONSTRAINTS ALL IMMEDIATE`` just after the step (the same
    work the step's commit does, then left with nothing to check)."""
    from django.db import connection

    from monitoring import engine

    for name in ("step_tiers", "step_expenditure", "step_extracts", "step_payments", "step_visits"):
        step = getattr(engine, name)
        if getattr(step, "timed", False):
            continue

        def timed(*args, _step=step, _name=name, **kwargs):
            started = time.perf_counter()
            try:
                result = _step(*args, **kwargs)
            finally:
                STEP_TIMES[_name] = time.perf_counter() - started
            started = time.perf_counter()
            with connection.cursor() as cur:
                cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cur.execute("SET CONSTRAINTS ALL DEFERRED")
            STEP_TIMES[_name + " at commit"] = time.perf_counter() - started
            return result

        timed.timed = True
        setattr(engine, name, timed)


def the_run(month, admin) -> tuple[float, object]:
    from monitoring.models import MonitoringRun
    from monitoring.services import monitoring_run_execute

    _time_steps()
    STEP_TIMES.clear()
    run = MonitoringRun.objects.create(month=month, started_by=admin)
    started = time.perf_counter()
    run = monitoring_run_execute(run_id=run.pk)
    return time.perf_counter() - started, run


def _steps_line() -> str:
    """The steps' seconds (the step's transaction commit is counted in the run's total, not here)."""
    return "  steps: " + ", ".join(f"{name.removeprefix('step_')} {s:.2f} s" for name, s in STEP_TIMES.items())


class Rollback(Exception):
    pass


def per_household_loop(month, admin, sample: int, row_sample: int, extract_ids: list[int]) -> dict:  # noqa: PLR0915
    """The baseline: household by household (and row by row) with the ORM; rolled back."""
    import datetime

    from django.db import transaction
    from django.db.models import Q, Sum

    from core.cases import add_months
    from datacheck.models import ExtractRow
    from monitoring.models import RIGID_KINDS, HouseholdExpense, RiskWarning, TierMembership
    from monitoring.selectors import MARGINAL_FACTOR, dibao_cases_in_force
    from people.models import Household, HouseholdMeans, HouseholdMember, Person
    from relief.models import Scheme
    from relief.selectors import StandardsTable

    table = StandardsTable.load([Scheme.DIBAO])
    end = add_months(month, 1) - datetime.timedelta(days=1)
    households = list(Household.objects.order_by("?").values_list("pk", flat=True)[:sample])
    rows = list(ExtractRow.objects.filter(extract_id__in=extract_ids).order_by("?")[:row_sample])
    out = {}
    try:
        with transaction.atomic():
            started = time.perf_counter()
            for pk in households:
                household = Household.objects.get(pk=pk)
                means = HouseholdMeans.objects.filter(household=household, as_of__lte=end).order_by("-as_of").first()
                if means is None:
                    continue
                members = (
                    HouseholdMember.objects.filter(household=household)
                    .filter(Q(person__death_date__isnull=True) | Q(person__death_date__gte=month))
                    .count()
                )
                standard = table.amount(
                    Scheme.DIBAO, month, area_type=household.area_type, division=household.community_id
                )
                if not members or standard is None:
                    continue
                rigid = (
                    HouseholdExpense.objects.filter(household=household, month=month, kind__in=RIGID_KINDS).aggregate(
                        s=Sum("amount")
                    )["s"]
                    or 0
                )
                in_dibao = dibao_cases_in_force(month).filter(household=household).exists()
                line = standard * members
                income = means.monthly_income
                tiers = []
                if not in_dibao and line < income <= MARGINAL_FACTOR * line:
                    tiers.append("marginal")
                if not in_dibao and income >= line and income - rigid < line:
                    tiers.append("expenditure")
                for tier in tiers:
                    TierMembership.objects.get_or_create(
                        month=month,
                        household=household,
                        tier=tier,
                        defaults={"income": income, "members": members, "rigid": rigid, "standard": standard},
                    )
                if "expenditure" in tiers:
                    RiskWarning.objects.get_or_create(
                        signal=f"loop:expenditure:{household.pk}:{month:%Y-%m}",
                        defaults={
                            "kind": "expenditure",
                            "household": household,
                            "person_id": household.head_id,
                            "division_id": household.community_id,
                            "subdistrict_id": household.community_id[:9],
                            "raised_on": month,
                            "due": month,
                        },
                    )
            out["households_s"] = time.perf_counter() - started
            started = time.perf_counter()
            for row in rows:
                person = Person.objects.filter(id_number=row.id_number).first()
                if person is None:
                    continue
                membership = HouseholdMember.objects.filter(person=person).select_related("household").first()
                household = membership.household if membership else None
                division = household.community_id if household else person.division_id
                RiskWarning.objects.get_or_create(
                    signal=f"loop:risk:{row.extract_id}:{row.line}",
                    defaults={
                        "kind": "other",
                        "household": household,
                        "person": person,
                        "division_id": division,
                        "subdistrict_id": division[:9],
                        "raised_on": month,
                        "due": month,
                    },
                )
            out["rows_s"] = time.perf_counter() - started
            raise Rollback
    except Rollback:
        pass
    out["households"] = len(households)
    out["rows"] = len(rows)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=4)
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--extracts", type=int, default=5)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=2000, help="households of the Python loop")
    parser.add_argument("--row-sample", type=int, default=2000, help="extract rows of the Python loop")
    parser.add_argument("--skip-generate", action="store_true")
    parser.add_argument("--skip-loop", action="store_true", help="stop after the two runs (no Python loop)")
    args = parser.parse_args()

    setup()
    from core.cases import current_month

    month = current_month()
    admin = _admin()
    if not args.skip_generate:
        print(f"generate_city --scale {args.scale}: {generate(args.scale, args.seed):.1f} s (untimed)", flush=True)
    admin = _admin()
    t = time.perf_counter()
    counts = fill(args.persons, admin.pk, month)
    print(f"filler, incomes, expenses: {counts} in {time.perf_counter() - t:.1f} s (untimed)", flush=True)
    t = time.perf_counter()
    extract_ids = extracts(args.extracts, args.rows, admin)
    print(f"{args.extracts} risk extracts of {args.rows:,} rows in {time.perf_counter() - t:.1f} s (untimed)")

    seconds, run = the_run(month, admin)
    print(f"\nTHE RUN ({month:%Y-%m}): {seconds:.2f} s, status {run.status} {run.error}")
    for tier, value in run.tiers.items():
        if tier != "by_subdistrict":
            print(f"  {tier:12s} {value}")
    print(f"  warnings raised: {run.raised} = {run.warnings_raised:,}")
    print(_steps_line())
    again_seconds, again = the_run(month, admin)
    print(f"THE SAME MONTH AGAIN: {again_seconds:.2f} s, warnings raised {again.warnings_raised}")
    print(_steps_line())
    if args.skip_loop:
        return

    loop = per_household_loop(month, admin, args.sample, args.row_sample, extract_ids)
    per_household = loop["households_s"] / max(1, loop["households"])
    per_row = loop["rows_s"] / max(1, loop["rows"])
    rows_total = args.extracts * args.rows
    extrapolated = per_household * counts["households"] + per_row * rows_total
    print(
        f"\nPER-HOUSEHOLD PYTHON LOOP: {loop['households']:,} households in {loop['households_s']:.2f} s "
        f"({1 / per_household:,.0f}/s), {loop['rows']:,} extract rows in {loop['rows_s']:.2f} s ({1 / per_row:,.0f}/s)"
    )
    print(
        f"  extrapolated to {counts['households']:,} households and {rows_total:,} rows: {extrapolated:,.0f} s;"
        f" set-based x{extrapolated / seconds:.1f}"
    )


if __name__ == "__main__":
    main()

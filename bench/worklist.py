# SQL here is composed from integers computed in this file and fixed text: no outside input reaches it.
# ruff: noqa: S608
"""The work queue (``GET /api/v1/my/tasks/`` and the home page) at 1,000,000 persons and 100,000+ open cases.

    createdb bench_queue
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_queue .venv/bin/python -m bench.worklist

Builds once (reused when present): the city of ``generate_city --scale 1`` (178,610 persons,
62,000 active dibao households, 6,400 tekun persons, 128,000 disability subsidies, 887
orphans: ≈ 197,000 open cases), filler residents in households up to 1,000,000 persons, and
work waiting everywhere: 3,000 dibao applications to review and 1,000 to approve, 400 + 100
tekun, 2,000 temporary relief claims to decide, 300 green-channel claims with overdue
paperwork, the active cases' periodic reviews spread over a year (≈ 1 in 12 due this month),
1,500 open data-check hits, computed payout runs. Then times each role's request through
Django's test client (middleware, session, scoping, every kind's count), 40 repeats after a
warm-up, beside two floors in the same run: a bare ``SELECT count(*)`` of one kind, and the
cheapest API request (one division).
"""

from __future__ import annotations

import argparse
import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civil_affairs.settings")
os.environ.setdefault("CIVIL_AFFAIRS_DEV", "1")
# Benchmarks empty tables and switch triggers off to load their data: the owner's work (core/db/roles.py).
os.environ.setdefault("DATABASE_APP_ROLE", "")
os.environ.setdefault("DB_CONN_MAX_AGE", "600")

PERSONS = 1_000_000
ROLES = [
    ("bq_cw", "caseworker", "370202001"),
    ("bq_sd", "subdistrict_approver", "370202001"),
    ("bq_district", "district_approver", "370202"),
    ("bq_finance", "finance", "370200"),
    ("bq_finance2", "finance", "370200"),
    ("bq_leader", "leader", "370200"),
    ("bq_registrar", "registrar", "370202"),
    ("bq_placename", "placename_officer", "370200"),
]
CHECK = """substr('10X98765432', 1 + ((
    substr(b,1,1)::int*7 + substr(b,2,1)::int*9 + substr(b,3,1)::int*10 + substr(b,4,1)::int*5
  + substr(b,5,1)::int*8 + substr(b,6,1)::int*4 + substr(b,7,1)::int*2 + substr(b,8,1)::int*1
  + substr(b,9,1)::int*6 + substr(b,10,1)::int*3 + substr(b,11,1)::int*7 + substr(b,12,1)::int*9
  + substr(b,13,1)::int*10 + substr(b,14,1)::int*5 + substr(b,15,1)::int*8 + substr(b,16,1)::int*4
  + substr(b,17,1)::int*2) % 11), 1)"""


def _sql(statement: str, params=None) -> None:
    from django.db import connection

    if params is not None:  # the statements are written with plain % (modulo, LIKE): escape them for psycopg2
        statement = statement.replace("%", "%%").replace("%%s", "%s")
    with connection.cursor() as cur:
        cur.execute(statement, params)


def _scalar(statement: str):
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(statement)
        return cur.fetchone()[0]


def build() -> None:
    from django.core.management import call_command

    from core.models import User
    from core.services import divisions_load, staff_create

    call_command("migrate", verbosity=0)
    divisions_load()
    if not _scalar("SELECT count(*) FROM relief_dibaocase"):
        call_command("generate_city", scale=1, seed=2020)
    for username, role, division in ROLES:
        if not User.objects.filter(username=username).exists():
            staff_create(username=username, role=role, division_code=division, password="Bench-pass-12345")  # noqa: S106
    creator = User.objects.get(username="bq_district").pk
    missing = PERSONS - _scalar("SELECT count(*) FROM people_person")
    if missing > 0:
        _filler(missing, creator)
    if not _scalar("SELECT count(*) FROM relief_dibaocase WHERE status = 'submitted'"):
        _work(creator)
    if not _scalar("SELECT count(*) FROM datacheck_reviewitem"):
        _hits_and_runs(creator)
    # Periodic reviews spread over the coming year (generate_city dates them all 2020-09-01).
    for table in ("relief_dibaocase", "relief_tekuncase"):
        _sql(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        _sql(
            f"UPDATE {table} SET next_review_on = current_date - 20 + (id % 365)::int "
            "WHERE status IN ('active', 'suspended')"
        )
        _sql(f"ALTER TABLE {table} ENABLE TRIGGER USER")
    for table in ("people_person", "people_household", "relief_dibaocase", "relief_tekuncase"):
        _sql(f"ANALYZE {table}")


def _filler(n: int, creator: int) -> None:
    """``n`` residents (order digit 8: never a generate_city role's) in households of four, every community."""
    t0 = time.perf_counter()
    for table in ("people_person", "people_household", "people_householdmember"):
        _sql(f"ALTER TABLE {table} DISABLE TRIGGER USER")
    _sql(
        f"""
        CREATE TEMP TABLE bq_communities AS
          SELECT code, row_number() OVER (ORDER BY code) - 1 AS idx FROM core_division WHERE level = 'community';
        WITH n AS (
          SELECT g AS i, c.code AS community, date '1930-01-01' + (g % 30000) AS birth
          FROM generate_series(1, %s) AS g
          JOIN bq_communities c ON c.idx = (g / 4) % (SELECT count(*) FROM bq_communities)
        ), body AS (
          SELECT i, community, birth,
                 substr(community, 1, 6) || to_char(birth, 'YYYYMMDD') || '8' || lpad(((i / 30000) % 100)::text, 2, '0')
                   AS b
          FROM n
        )
        INSERT INTO people_person (id_number, name, phone, sex, birth_date, division_id, created_by_id,
                                   created_at, updated_at)
        SELECT b || {CHECK},
               substr('王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗欧', 1 + i % 21, 1)
                 || substr('建伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平国', 1 + (i / 21) % 23, 1)
                 || substr('伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚国', 1 + (i / 483) % 23, 1),
               '', CASE WHEN substr(b, 17, 1)::int % 2 = 1 THEN 'male' ELSE 'female' END,
               birth, community, %s, now(), now()
        FROM body
        ON CONFLICT (id_number) DO NOTHING
        """,
        [n, creator],
    )
    _sql(
        """
        INSERT INTO people_household (community_id, address, area_type, head_id, bank_name, bank_account,
                                      created_by_id, created_at, updated_at)
        SELECT p.division_id, '填充路' || p.id || '号', 'urban', p.id, '', '', %s, now(), now()
        FROM people_person p
        WHERE substr(p.id_number, 15, 1) = '8' AND p.id % 4 = 0
          AND NOT EXISTS (SELECT 1 FROM people_householdmember m WHERE m.person_id = p.id)
        """,
        [creator],
    )
    _sql(
        """
        INSERT INTO people_householdmember (household_id, person_id, relationship)
        SELECT h.id, p.id, CASE WHEN p.id = h.head_id THEN 'head' ELSE 'child' END
        FROM people_household h
        JOIN people_person p ON p.id BETWEEN h.head_id AND h.head_id + 3 AND p.division_id = h.community_id
        WHERE substr(p.id_number, 15, 1) = '8'
          AND h.head_id IN (SELECT id FROM people_person WHERE substr(id_number, 15, 1) = '8')
        ON CONFLICT DO NOTHING
        """
    )
    for table in ("people_person", "people_household", "people_householdmember"):
        _sql(f"ALTER TABLE {table} ENABLE TRIGGER USER")
    print(f"filler: {_scalar('SELECT count(*) FROM people_person'):,} persons ({time.perf_counter() - t0:.0f} s)")


def _work(creator: int) -> None:
    """Applications, claims, reviews, hits and runs waiting, spread over the city."""
    t0 = time.perf_counter()
    for table in ("relief_dibaocase", "relief_tekuncase", "relief_temporaryreliefclaim"):
        _sql(f"ALTER TABLE {table} DISABLE TRIGGER USER")
    _sql(
        """CREATE TEMP TABLE bq_filler_households AS
           SELECT h.id FROM people_household h JOIN people_person p ON p.id = h.head_id
           WHERE substr(p.id_number, 15, 1) = '8'"""
    )
    cols = "status, created_by_id, created_at, updated_at, approval_level"
    _sql(
        f"""
        INSERT INTO relief_dibaocase ({cols}, household_id, monthly_income, members_count, investigators,
                                      investigation_findings)
        SELECT CASE WHEN rn % 4 = 0 THEN 'reviewed' ELSE 'submitted' END, %s, now(), now(), '', h.id, 300, 1, '', ''
        FROM (SELECT id, row_number() OVER (ORDER BY id) AS rn FROM bq_filler_households WHERE id % 50 = 0) h
        WHERE rn <= 4000
        """,
        [creator],
    )
    _sql(
        f"""
        INSERT INTO relief_tekuncase ({cols}, person_id, care_level, placement, institution, area_type)
        SELECT CASE WHEN rn % 5 = 0 THEN 'reviewed' ELSE 'submitted' END, %s, now(), now(), '', p.id,
               'full', 'home', '', 'urban'
        FROM (SELECT id, row_number() OVER (ORDER BY id) AS rn FROM people_person
              WHERE substr(id_number, 15, 1) = '8' AND id % 997 = 1) p
        WHERE rn <= 500
        """,
        [creator],
    )
    _sql(
        """
        INSERT INTO relief_temporaryreliefclaim (household_id, amount, kind, reason, green_channel, status,
                   created_by_id, created_at, updated_at, approval_level)
        SELECT h.id, 200 + (h.id % 49) * 100, 'urgent', '合成数据：突发困难', false, 'submitted', %s, now(), now(), ''
        FROM (SELECT id FROM bq_filler_households WHERE id % 50 = 7 LIMIT 2000) h
        """,
        [creator],
    )
    _sql(
        """
        INSERT INTO relief_temporaryreliefclaim (household_id, amount, kind, reason, green_channel, status,
                   created_by_id, created_at, updated_at, approved_by_id, approved_at, approval_level, cap_year,
                   paperwork_due)
        SELECT h.id, 800, 'urgent', '合成数据：先行救助', true, 'approved', %s, now(), now(), %s, now(),
               'subdistrict', extract(year FROM now())::int, current_date - 5
        FROM (SELECT id FROM bq_filler_households WHERE id % 50 = 9 LIMIT 300) h
        """,
        [creator, creator],
    )
    for table in ("relief_dibaocase", "relief_tekuncase", "relief_temporaryreliefclaim"):
        _sql(f"ALTER TABLE {table} ENABLE TRIGGER USER")
    print(f"work waiting written ({time.perf_counter() - t0:.0f} s)")


def _hits_and_runs(creator: int) -> None:
    import datetime

    from datacheck.models import DataSource, Extract
    from payouts.models import PayoutRun

    source, _new = DataSource.objects.get_or_create(
        department="合成数据", item="死亡", defaults={"effect": "death", "created_by_id": creator}
    )
    extract = Extract.objects.create(source=source, file_name="bench.csv", status="previewed", uploaded_by_id=creator)
    _sql(
        """
        INSERT INTO datacheck_reviewitem (source_id, extract_id, row_line, person_id, division_id, benefits,
                                          detail, status, note, created_at)
        SELECT %s, %s, row_number() OVER (ORDER BY p.id), p.id, substr(p.division_id, 1, 9), '[]', '', 'open', '',
               now()
        FROM (SELECT id, division_id FROM people_person WHERE id % 600 = 3 LIMIT 1500) p
        """,
        [source.pk, extract.pk],
    )
    for n, scheme in enumerate(("dibao", "tekun", "orphan")):
        PayoutRun.objects.get_or_create(
            scheme=scheme,
            period=datetime.date(2026, 1 + n, 1),
            defaults={"status": "computed", "started_by_id": creator},
        )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=40)
    args = parser.parse_args()
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from bench.people_lists import print_against_floor, timed
    from core.models import User
    from core.worklist import tasks_for

    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    build()
    print(
        f"persons {_scalar('SELECT count(*) FROM people_person'):,}; open cases {_scalar(OPEN_CASES):,}",
        flush=True,
    )

    def bare():
        with connection.cursor() as cur:
            cur.execute("SELECT count(*) FROM relief_dibaocase WHERE status = 'submitted'")
            cur.fetchone()

    rows = []
    floor_client = Client()
    floor_client.force_login(User.objects.get(username="bq_cw"))
    api_floor = timed(lambda: floor_client.get("/api/v1/divisions/370202/"), args.repeat)
    rows.append((("floor: one division (API)", ""), api_floor))
    for username, role, _division in ROLES:
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        tasks = tasks_for(user)
        summary = ", ".join(f"{t.kind} {t.count}" for t in tasks) or "nothing"
        for label, path in (("my/tasks/", "/api/v1/my/tasks/"), ("home page", "/")):
            assert client.get(path).status_code == 200
            rows.append(((f"{role} {label}", ""), timed(lambda c=client, p=path: c.get(p), args.repeat)))
        print(f"{role}: {summary}")
    print_against_floor(("request", ""), (42, 0), (("floor: bare SELECT count(*)", ""), timed(bare, args.repeat)), rows)
    return 0


OPEN_CASES = """
SELECT (SELECT count(*) FROM relief_dibaocase WHERE status IN ('submitted','reviewed','active','suspended'))
     + (SELECT count(*) FROM relief_tekuncase WHERE status IN ('submitted','reviewed','active','suspended'))
     + (SELECT count(*) FROM relief_temporaryreliefclaim WHERE status = 'submitted')
     + (SELECT count(*) FROM welfare_orphancase WHERE status IN ('submitted','reviewed','active','suspended'))
     + (SELECT count(*) FROM welfare_disabilitysubsidycase
        WHERE status IN ('submitted','reviewed','active','suspended'))
"""

if __name__ == "__main__":
    sys.exit(main())

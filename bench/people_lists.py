"""People and household lists at 1,000,000 persons: server time per page, against the floor.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_people .venv/bin/python -m bench.people_lists [--persons N]

Builds (once; reused when the row count matches) a city of N persons in households of 1–4
spread over every community, with set-based SQL, then times each list page through Django's
test client (the full request: middleware, scoping, selector, template) for a caseworker of
one sub-district and for leadership (the whole city). Beside each page, in the same run, the
floor: a bare ``SELECT … ORDER BY id DESC LIMIT 25`` on the same table. Prints p50/p95 and
the ratio to the floor.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civil_affairs.settings")
os.environ.setdefault("CIVIL_AFFAIRS_DEV", "1")
# Benchmarks empty tables and switch triggers off to load their data: the owner's work (core/db/roles.py).
os.environ.setdefault("DATABASE_APP_ROLE", "")
os.environ.setdefault("DB_CONN_MAX_AGE", "600")


from bench import truncate


def build(persons: int) -> None:
    from django.core.management import call_command
    from django.db import connection

    from core.models import User
    from core.services import divisions_load, staff_create
    from people.models import Person

    call_command("migrate", verbosity=0)
    divisions_load()
    for username, role, division in (("bench_cw", "caseworker", "370202001"), ("bench_leader", "leader", "370200")):
        if not User.objects.filter(username=username).exists():
            staff_create(username=username, role=role, division_code=division, password="Bench-pass-12345")  # noqa: S106
    if Person.objects.count() == persons:
        return
    creator = User.objects.get(username="bench_leader").pk
    t0 = time.perf_counter()
    with connection.cursor() as cur:
        truncate(cur, "TRUNCATE people_householdmember, people_household, people_person RESTART IDENTITY CASCADE")
        cur.execute("ALTER TABLE people_person DISABLE TRIGGER USER")
        cur.execute("ALTER TABLE people_household DISABLE TRIGGER USER")
        cur.execute("ALTER TABLE people_householdmember DISABLE TRIGGER USER")
        # ID numbers with a valid GB 11643 check character, computed in SQL.
        cur.execute(
            """
            CREATE TEMP TABLE communities AS
              SELECT code, row_number() OVER (ORDER BY code) - 1 AS idx
              FROM core_division WHERE level = 'community';
            CREATE INDEX ON communities (idx);
            WITH n AS (
              SELECT g AS i, c.code AS community,
                     date '1930-01-01' + (g %% 30000) AS birth
              FROM generate_series(1, %s) AS g
              JOIN communities c ON c.idx = (g / 4) %% (SELECT count(*) FROM communities)
            ), body AS (
              SELECT i, community, birth,
                     substr(community, 1, 6) || to_char(birth, 'YYYYMMDD')
                       || lpad(((i / 30000) %% 1000)::text, 3, '0') AS b
              FROM n
            )
            INSERT INTO people_person (id_number, name, phone, sex, birth_date, division_id,
                                       created_by_id, created_at, updated_at)
            SELECT b || substr('10X98765432', 1 + (
                       (substr(b,1,1)::int*7 + substr(b,2,1)::int*9 + substr(b,3,1)::int*10 + substr(b,4,1)::int*5
                      + substr(b,5,1)::int*8 + substr(b,6,1)::int*4 + substr(b,7,1)::int*2 + substr(b,8,1)::int*1
                      + substr(b,9,1)::int*6 + substr(b,10,1)::int*3 + substr(b,11,1)::int*7 + substr(b,12,1)::int*9
                      + substr(b,13,1)::int*10 + substr(b,14,1)::int*5 + substr(b,15,1)::int*8 + substr(b,16,1)::int*4
                      + substr(b,17,1)::int*2) %% 11), 1),
                   substr('王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗', 1 + i %% 20, 1)
                     || substr('伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚', 1 + (i / 20) %% 22, 1)
                     || substr('伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚', 1 + (i / 440) %% 22, 1),
                   '', CASE WHEN substr(b, 17, 1)::int %% 2 = 1 THEN 'male' ELSE 'female' END,
                   birth, community, %s, now(), now()
            FROM body
            ON CONFLICT (id_number) DO NOTHING
            """,
            [persons, creator],
        )
        # Households of four consecutive persons (same community), the first the head.
        cur.execute(
            """
            INSERT INTO people_household (community_id, address, area_type, head_id, bank_name, bank_account,
                                          created_by_id, created_at, updated_at)
            SELECT division_id, '演示路' || id || '号', CASE WHEN id %% 3 = 0 THEN 'rural' ELSE 'urban' END,
                   id, '', '', %s, now(), now()
            FROM people_person WHERE id %% 4 = 1
            """,
            [creator],
        )
        cur.execute(
            """
            INSERT INTO people_householdmember (household_id, person_id, relationship)
            SELECT h.id, p.id, CASE WHEN p.id = h.head_id THEN 'head' ELSE 'child' END
            FROM people_household h JOIN people_person p ON p.id BETWEEN h.head_id AND h.head_id + 3
            """
        )
        for table in ("people_person", "people_household", "people_householdmember"):
            cur.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
            cur.execute(f"ANALYZE {table}")
    print(f"built {Person.objects.count():,} persons in {time.perf_counter() - t0:.1f} s", flush=True)


def timed(fn, repeat: int) -> list[float]:
    fn()  # warm
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def print_against_floor(
    headers: tuple[str, ...], widths: tuple[int, ...], floor: tuple[tuple[str, ...], list[float]], rows: list
) -> None:
    """A table of p50 and p95 (ms) and the p50's ratio to the floor's, the floor first.

    ``floor`` and each of ``rows`` are ``(label columns, times)``; ``headers`` and ``widths`` name
    and size the label columns.
    """

    def line(labels: tuple[str, ...], cells: list[str]) -> str:
        return " ".join([*(f"{label:<{width}}" for label, width in zip(labels, widths, strict=True)), *cells])

    print(line(headers, [f"{'p50 ms':>8}", f"{'p95 ms':>8}", f"{'× floor':>8}"]))
    base = statistics.median(floor[1])
    for labels, times in [floor, *rows]:
        p50 = statistics.median(times)
        p95 = sorted(times)[int(0.95 * len(times)) - 1]
        print(line(labels, [f"{p50:8.2f}", f"{p95:8.2f}", f"{p50 / base:8.1f}"]))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    from core.models import User
    from people.models import Person

    build(args.persons)
    sample = Person.objects.filter(division__code__startswith="370202001").order_by("id").first()

    def floor():
        with connection.cursor() as cur:
            cur.execute("SELECT id, name, id_number, division_id FROM people_person ORDER BY id DESC LIMIT 25")
            cur.fetchall()

    results = []
    for username in ("bench_cw", "bench_leader"):
        client = Client()
        client.force_login(User.objects.get(username=username))
        pages = {
            "people list": "/people/",
            "people, name prefix 王": "/people/?q=王",
            "people, exact ID number": f"/people/?q={sample.id_number}",
            "people, one community": "/people/?community=370202001001",
            "people list, page 200": "/people/?page=200",
            "households list": "/people/households/",
            "household detail": f"/people/households/{sample.memberships.first().household_id}/",
            "person detail": f"/people/{sample.pk}/",
        }
        for label, url in pages.items():

            def get(url=url, client=client):
                response = client.get(url)
                assert response.status_code in (200, 404), (url, response.status_code)

            results.append(((username, label), timed(get, args.repeat)))
    base = timed(floor, args.repeat)
    print()
    print_against_floor(("user", "page"), (14, 28), (("-", "floor: SELECT … LIMIT 25"), base), results)
    return 0


if __name__ == "__main__":
    sys.exit(main())

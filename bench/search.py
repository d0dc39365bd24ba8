"""Search at 1,000,000 persons and 50,000 organizations: fragments of 1–3 characters, ID-number ends, org keywords.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_queue .venv/bin/python -m bench.search

Uses the city of ``bench.worklist`` (built first if missing) and adds 50,000 social
organizations (names from a few hundred keywords, valid credit codes). For each fragment,
in the same run: the search's own SQL (the grams index, ``core.search``), the same question
asked with a bare ``LIKE '%…%'`` (no index can answer it: the floor a scan gives), and the
whole ``GET /api/v1/search/?q=`` request through Django's test client, for a caseworker of
one sub-district and for leadership (the whole city). p50/p95 of 30 repeats after a warm-up.
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

ORGS = 50_000
PLACES = (
    "青岛 市南 市北 黄岛 崂山 李沧 城阳 即墨 胶州 平度 莱西 海洋 港口 渔业 航运 船舶 物流 电子 纺织 食品 啤酒 家电 橡胶"
).split()
TRADES = "经济 科技 文化 教育 体育 卫生 养老 慈善 环保 法律 会计 建筑 旅游 商贸 农业 艺术 摄影 书法 棋类 青年".split()
FORMS = "促进会 协会 商会 研究会 联合会 基金会 服务中心 发展中心".split()
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def credit_code(n: int) -> str:
    body = f"51370200MJ{n:07d}"
    total = sum(ALPHABET.index(c) * w for c, w in zip(body, WEIGHTS, strict=True))
    return body + ALPHABET[(31 - total % 31) % 31]


def build_orgs() -> None:
    import datetime

    from django.db import connection

    from core.models import User
    from social_orgs.models import SocialOrg

    if SocialOrg.objects.count() >= ORGS:
        return
    creator = User.objects.get(username="bq_district").pk
    t0 = time.perf_counter()
    rows = []
    for n in range(ORGS):
        name = (PLACES[n % len(PLACES)] + TRADES[(n // len(PLACES)) % len(TRADES)] + FORMS[(n // 460) % len(FORMS)]) + (
            f"（{n // 3680 + 1}）" if n >= 3680 else ""
        )
        rows.append(
            SocialOrg(
                name=("青岛市" if n % 2 else "") + name,
                credit_code=credit_code(n + 1),
                org_type="group",
                level="city" if n % 3 else "district",
                division_id="370200" if n % 3 else ("370202", "370203", "370211", "370212")[n % 4],
                legal_representative="合成数据",
                founded_on=datetime.date(2000 + n % 20, 1 + n % 12, 1),
                status_since=datetime.date(2000 + n % 20, 1 + n % 12, 1),
                created_by_id=creator,
            )
        )
    with connection.cursor() as cur:
        cur.execute("ALTER TABLE social_orgs_socialorg DISABLE TRIGGER USER")
    SocialOrg.objects.bulk_create(rows, batch_size=5000)
    with connection.cursor() as cur:
        cur.execute("ALTER TABLE social_orgs_socialorg ENABLE TRIGGER USER")
        cur.execute("ANALYZE social_orgs_socialorg")
    print(f"{SocialOrg.objects.count():,} organizations ({time.perf_counter() - t0:.0f} s)", flush=True)


def stats(times: list[float]) -> tuple[float, float]:
    return statistics.median(times), sorted(times)[int(0.95 * len(times)) - 1]


def run_sql(qs):
    """A function sending the queryset's own SQL (nothing when the user's scope leaves no rows)."""
    from django.core.exceptions import EmptyResultSet
    from django.db import connection

    try:
        sql, params = qs.query.sql_with_params()
    except EmptyResultSet:
        return lambda: None

    def go():
        with connection.cursor() as cur:
            cur.execute(sql, params)
            cur.fetchall()

    return go


def bare_like(table: str, column: str, q: str, where: str = "", *, count: bool = False):
    """The same question with a bare LIKE, which no index answers (one or two characters): the first ten
    matches, newest first (the search), or how many match (what a list's pages count)."""
    from django.db import connection

    select = "SELECT count(*) FROM (SELECT 1" if count else "SELECT id"
    tail = "LIMIT 10001) counted" if count else "ORDER BY id DESC LIMIT 10"

    def go():
        with connection.cursor() as cur:
            cur.execute(f"{select} FROM {table} WHERE {column} LIKE %s {where} {tail}", [f"%{q}%"])
            cur.fetchall()

    return go


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    from bench import worklist
    from bench.people_lists import timed
    from core.models import User
    from people.models import Person
    from people.selectors import person_list
    from social_orgs.models import SocialOrg
    from social_orgs.selectors import org_list

    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    worklist.build()
    build_orgs()
    print(f"persons {Person.objects.count():,}; organizations {SocialOrg.objects.count():,}", flush=True)
    tail = Person.objects.order_by("id").values_list("id_number", flat=True)[500_000][-4:]

    header = (
        f"{'who':<12} {'question':<34} {'matches':>8} {'search p50':>11} {'p95':>7} {'LIKE p50':>9} {'p95':>7}"
        f" {'count p50':>10} {'LIKE count':>11} {'API p50':>8} {'p95':>7}"
    )
    print(header)
    for username in ("bq_cw", "bq_leader"):
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        who = "caseworker" if username == "bq_cw" else "leadership"
        scope_sql = "AND division_id >= '370202001' AND division_id < '370202002'" if username == "bq_cw" else ""
        people = (lambda u, q: person_list(user=u, q=q), "people_person")
        orgs = (lambda u, q: org_list(user=u, q=q), "social_orgs_socialorg")
        questions = [
            ("person: 2 characters 建国", "建国", *people, "name"),
            ("person: 1 character 欧", "欧", *people, "name"),
            ("person: 3 characters 王建国", "王建国", *people, "name"),
            ("person: last 4 of an ID number", tail, *people, "id_number"),
            ("organization: 2 characters 海洋", "海洋", *orgs, "name"),
        ]
        for label, q, selector, table, column in questions:
            qs = selector(user, q)
            matches = qs.order_by().count()
            search = stats(timed(run_sql(qs[:10]), args.repeat))
            where = scope_sql if table == "people_person" else ""
            like = stats(timed(bare_like(table, column, q, where), args.repeat))
            counted = stats(timed(run_sql(qs.order_by()[:10001].values("pk")), args.repeat))
            like_count = stats(timed(bare_like(table, column, q, where, count=True), args.repeat))
            api = stats(timed(lambda c=client, q=q: c.get("/api/v1/search/", {"q": q}), args.repeat))
            print(
                f"{who:<12} {label:<34} {matches:>8,} {search[0]:>11.2f} {search[1]:>7.2f} {like[0]:>9.2f} "
                f"{like[1]:>7.2f} {counted[0]:>10.2f} {like_count[0]:>11.2f} {api[0]:>8.2f} {api[1]:>7.2f}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())

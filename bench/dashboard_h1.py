"""The dashboard's half-year figures on ``generate_city --scale 1``, against the bureau's H1 2020 report.

    psql -h 127.0.0.1 -U postgres -c 'CREATE DATABASE bench_dashboard_h1'
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_dashboard_h1 \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/4 \\
    .venv/bin/python -m bench.dashboard_h1 [--seed 2020]

On a scratch database: ``generate_city --scale 1`` builds the city; January–June 2020's runs of
the five recurring schemes, of the price-linked subsidy (each triggered month) and of the elderly-care
operating subsidies (the demo's centres and institutions, ``civil_affairs.demo.elderly_care``) are requested,
computed in this process (the worker's own service, ``run_compute``) and approved by a second
finance officer (``run_approve``, which folds each into the dashboard). Then the dashboard's
summary for the city, 2020-01 to 2020-06, is printed beside the report's figures (``domain.md``),
with the time of each approval's fold.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from decimal import Decimal

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civil_affairs.settings")
os.environ.setdefault("CIVIL_AFFAIRS_DEV", "1")
# Benchmarks empty tables and switch triggers off to load their data: the owner's work (core/db/roles.py).
os.environ.setdefault("DATABASE_APP_ROLE", "")

MONTHS = [f"2020-{m:02d}" for m in range(1, 7)]
RECURRING = ["dibao", "tekun", "orphan", "disability_living", "disability_nursing"]
# The H1 2020 report's figures (domain.md).
REPORT = [
    ("dibao households", 62_000, ("schemes", "dibao", "households")),
    ("dibao persons", 91_000, ("schemes", "dibao", "persons")),
    ("dibao amount", Decimal("360000000"), ("schemes", "dibao", "amount")),
    ("tekun amount", Decimal("60330000"), ("schemes", "tekun", "amount")),
    ("temporary relief households", 5_222, ("temporary_relief", "households")),
    ("temporary relief amount", Decimal("19640000"), ("temporary_relief", "amount")),
    ("price-linked triggers", 6, ("price_subsidy", "triggers")),
    ("price-linked amount", Decimal("46570000"), ("price_subsidy", "amount")),
    ("orphans", 887, ("schemes", "orphan", "persons")),
    ("orphans amount", Decimal("6636600"), ("schemes", "orphan", "amount")),
    ("living subsidy persons", 39_000, ("schemes", "disability_living", "persons")),
    ("living subsidy amount", Decimal("55115000"), ("schemes", "disability_living", "amount")),
    ("nursing subsidy persons", 89_000, ("schemes", "disability_nursing", "persons")),
    ("nursing subsidy amount", Decimal("74358000"), ("schemes", "disability_nursing", "amount")),
    ("marriages", 21_631, ("marriage", "marriages")),
    ("divorces", 9_918, ("marriage", "divorces")),
    ("roads named", 237, ("roads_named",)),
    ("vagrants helped", 611, ("vagrant_relief", "helped")),
    ("families found (reunited)", 16, ("vagrant_relief", "reunited")),
    ("community social organizations", 10_363, ("social_orgs", "community_filed")),
    # Issue 21: operating subsidies to elderly-care institutions and centres; the centres' H1 stages.
    ("elderly-care operating subsidies amount", Decimal("4260000"), ("schemes", "elderly_operating", "amount")),
    ("elderly-care centres: sites chosen", 99, ("elderly_care", "sites_chosen")),
    ("elderly-care centres: operators contracted", 91, ("elderly_care", "operators_contracted")),
    ("elderly-care centres: built", 51, ("elderly_care", "built")),
]


from bench import truncate  # noqa: E402  (after the settings above, like the rest)


def _forget_folds() -> None:
    """The folds of an earlier run of this benchmark (``generate_city --replace`` empties payouts, not these)."""
    from django.db import connection

    from dashboard.models import PaidMask, PaidMonth, PaidRun, PaidYear

    with connection.cursor() as cur:
        truncate(cur, f"TRUNCATE {', '.join(m._meta.db_table for m in (PaidRun, PaidMonth, PaidYear, PaidMask))}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=2020)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command

    from core.models import User
    from core.services import divisions_load, staff_create
    from dashboard import figures, selectors
    from payouts import services

    services._enqueue = lambda run_id: None  # computed here, in this process, not by a worker
    call_command("migrate", verbosity=0)
    divisions_load()
    t0 = time.perf_counter()
    _forget_folds()
    call_command("generate_city", scale=1, seed=args.seed, replace=True, stdout=open(os.devnull, "w"))
    print(f"generate_city --scale 1: {time.perf_counter() - t0:.0f} s")
    from civil_affairs.demo import elderly_care  # the demo city's centres, institutions, approved subsidies

    elderly_care(scale=1, seed=args.seed, say=print)
    users = {}
    for username, role in (("h1_maker", "finance"), ("h1_checker", "finance"), ("h1_leader", "leader")):
        if not User.objects.filter(username=username).exists():
            staff_create(username=username, role=role, division_code="370200", password="Bench-pass-12345")  # noqa: S106
        users[username] = User.objects.get(username=username)
    t0 = time.perf_counter()
    folds = []
    for month in MONTHS:
        for scheme in [*RECURRING, "price_subsidy", "elderly_operating"]:
            run, _ = services.run_request(actor=users["h1_maker"], scheme=scheme, period=month)
            if run.status == "queued":
                services.run_compute(run_id=run.pk, worker="bench")
            run.refresh_from_db()
            if run.status != "computed":
                print(f"  {scheme} {month}: {run.status} {run.error[:120]}")
                continue
            t1 = time.perf_counter()
            services.run_approve(actor=users["h1_checker"], run=run)
            folds.append((scheme, month, run.line_count, time.perf_counter() - t1))
    print(f"runs computed and approved: {len(folds)} in {time.perf_counter() - t0:.0f} s")
    big = max(folds, key=lambda f: f[2])
    print(f"largest approval (with its fold): {big[0]} {big[1]}, {big[2]:,} lines, {big[3] * 1000:.0f} ms")
    query = selectors.summary_query(users["h1_leader"], start="2020-01", end="2020-06")
    t0 = time.perf_counter()
    summary = selectors.summary(query)
    print(f"summary: {(time.perf_counter() - t0) * 1000:.0f} ms\n")
    print("| figure | report (H1 2020) | dashboard | dashboard ÷ report |\n| --- | ---: | ---: | ---: |")
    for label, expected, path in REPORT:
        value = summary
        for key in path:
            value = value[key]
        got = Decimal(str(value))
        ratio = got / Decimal(expected) if expected else Decimal(0)
        print(f"| {label} | {expected:,} | {got:,} | {ratio:.2f} |")
    print()
    for paragraph in figures.work_summary(summary):
        print(paragraph)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The leadership dashboard at 5,000,000 payout lines: server time against a live GROUP BY over the lines.

    psql -h 127.0.0.1 -U postgres -c 'CREATE DATABASE bench_dashboard'
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_dashboard \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/4 \\
    .venv/bin/python -m bench.dashboard [--lines 5000000] [--repeat 40] [--live-repeat 5]

On a scratch database (its payout and dashboard tables are emptied):

1. **Lines**: six months (January–June 2020) of the five recurring schemes, written set-based
   (``INSERT … SELECT … FROM generate_series``) into the real ``payouts_payoutline`` table under
   real ``payouts_payoutrun`` rows, spread over every community of the city, with a few percent
   of beneficiaries entering and leaving each month (so people are paid in different sets of
   months). A tenth of a percent of January's dibao lines are failed and re-paid by an approved
   follow-up run (to be counted once).
2. **Approval**: each run is marked approved and folded into the summaries exactly as
   ``run_approve`` does (``dashboard.services.payout_run_approved``), timed per run.
3. **Dashboard**: ``GET /api/v1/dashboard/summary/`` through Django's test client (middleware,
   session, scoping, selector, JSON) as leadership (whole city, January–June and a single month),
   as a district and a sub-district; a range across a new year (read from the per-year table).
   ``--repeat`` requests each after a warm-up: p50 and p95 in ms.
4. **Live GROUP BY**: the same figures (households, persons, amount per scheme and district,
   people paid in several months counted once) computed straight from the approved lines, in
   the same run: p50 and p95 of ``--live-repeat`` runs.
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

MONTHS = [f"2020-{m:02d}-01" for m in range(1, 7)]
# Share of the lines per scheme (a province's mix: dibao households, then the subsidies).
SHARES = {"dibao": 0.40, "tekun": 0.06, "orphan": 0.01, "disability_living": 0.17, "disability_nursing": 0.36}
OFFSETS = {"dibao": 0, "tekun": 10_000_000, "orphan": 20_000_000, "disability_living": 30_000_000,
           "disability_nursing": 40_000_000}  # fmt: skip


from bench import truncate  # noqa: E402  (after the settings above, like the rest)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q * len(ordered)) - 1))]


def timed(fn, repeat: int, warmup: int = 2) -> list[float]:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def build(total_lines: int) -> dict:  # noqa: PLR0915 (one linear script)
    from django.core.management import call_command
    from django.db import connection

    from core.models import User
    from core.services import divisions_load, staff_create

    call_command("migrate", verbosity=0)
    divisions_load()
    for username, role, division in (
        ("bench_leader", "leader", "370200"),
        ("bench_finance", "finance", "370200"),
        ("bench_district", "district_approver", "370202"),
        ("bench_subdistrict", "subdistrict_approver", "370202001"),
    ):
        if not User.objects.filter(username=username).exists():
            staff_create(username=username, role=role, division_code=division, password="Bench-pass-12345")  # noqa: S106
    approver = User.objects.get(username="bench_finance").pk
    per_month = total_lines // len(MONTHS)
    timings = {}
    with connection.cursor() as cur:
        truncate(
            cur,
            "TRUNCATE payouts_payoutline, payouts_runevent, payouts_bankexport, payouts_returnimport,"
            " payouts_payoutrun, dashboard_paidrun, dashboard_paidmonth, dashboard_paidyear, dashboard_paidmask"
            " RESTART IDENTITY CASCADE",
        )
        cur.execute("SELECT array_agg(code ORDER BY code) FROM core_division WHERE level = 'community'")
        communities = cur.fetchone()[0]
        t0 = time.perf_counter()
        for month_index, month in enumerate(MONTHS):
            for scheme, share in SHARES.items():
                n = int(per_month * share)
                # ~1.05 n candidates, each paid in a month unless (g*7 + month) % 20 = 0: 5% churn a month.
                candidates = int(n * 1.053)
                cur.execute(
                    """
                    INSERT INTO payouts_payoutrun (scheme, period, sequence, origin, division_id, status, created_at,
                        updated_at, pass_index, chunks_total, chunks_done, worker, error, line_count, total_amount,
                        skipped_count, approved_line_count, approved_total, approved_by_id, approved_at, started_by_id)
                    VALUES (%s, %s, 0, 'schedule', '370200', 'computed', now(), now(), 0, 0, 0, '', '', 0, 0, 0,
                        NULL, NULL, NULL, NULL, NULL)
                    RETURNING id
                    """,
                    [scheme, month],
                )
                run_id = cur.fetchone()[0]
                cur.execute(
                    """
                    INSERT INTO payouts_payoutline (run_id, scheme, period, beneficiary_id, household_id, source_id,
                        division_id, amount, status, snapshot, replaces_id, failure_reason, failed_account_digest)
                    SELECT %(run)s, %(scheme)s, %(month)s, %(offset)s + g, hh,
                           g, (%(comm)s::text[])[1 + (hh %% cardinality(%(comm)s::text[]))],
                           (300 + g %% 700)::numeric(12, 2), 'pending',
                           CASE WHEN %(scheme)s = 'dibao'
                                THEN json_build_object('rule', 'dibao', 'members', 1 + g %% 4)
                                ELSE json_build_object('rule', %(scheme)s) END,
                           NULL, '', ''
                    FROM generate_series(1, %(candidates)s) AS g,
                         LATERAL (SELECT CASE WHEN %(scheme)s = 'dibao' THEN g ELSE (g + 1) / 2 END AS hh) h
                    WHERE (g * 7 + %(m)s) %% 20 <> 0
                    """,
                    {
                        "run": run_id,
                        "scheme": scheme,
                        "month": month,
                        "offset": OFFSETS[scheme],
                        "comm": communities,
                        "candidates": candidates,
                        "m": month_index,
                    },
                )
                cur.execute(
                    """
                    UPDATE payouts_payoutrun r SET line_count = t.c, total_amount = t.s, first_line_id = t.lo,
                        last_line_id = t.hi
                    FROM (SELECT count(*) c, sum(amount) s, min(id) lo, max(id) hi FROM payouts_payoutline
                          WHERE run_id = %s) t
                    WHERE r.id = %s
                    """,
                    [run_id, run_id],
                )
        timings["insert_s"] = time.perf_counter() - t0
        # A follow-up re-paying 0.1% of January's dibao lines, marked failed.
        cur.execute("SELECT id FROM payouts_payoutrun WHERE scheme = 'dibao' AND period = '2020-01-01'")
        jan = cur.fetchone()[0]
        cur.execute(
            """
            UPDATE payouts_payoutline SET status = 'failed', failure_reason = 'account closed'
            WHERE run_id = %s AND id %% 1000 = 0
            """,
            [jan],
        )
        cur.execute(
            """
            INSERT INTO payouts_payoutrun (scheme, period, sequence, parent_id, origin, division_id, status,
                created_at, updated_at, pass_index, chunks_total, chunks_done, worker, error, line_count, total_amount,
                skipped_count)
            VALUES ('dibao', '2020-01-01', 1, %s, 'follow_up', '370200', 'computed', now(), now(), 0, 0, 0, '', '',
                0, 0, 0)
            RETURNING id
            """,
            [jan],
        )
        follow_up = cur.fetchone()[0]
        cur.execute(
            """
            INSERT INTO payouts_payoutline (run_id, scheme, period, beneficiary_id, household_id, source_id,
                division_id, amount, status, snapshot, replaces_id, failure_reason, failed_account_digest)
            SELECT %s, scheme, period, beneficiary_id, household_id, source_id, division_id, amount, 'pending',
                   snapshot, id, '', ''
            FROM payouts_payoutline WHERE run_id = %s AND status = 'failed'
            """,
            [follow_up, jan],
        )
        cur.execute("ANALYZE payouts_payoutline")
        cur.execute("SELECT count(*) FROM payouts_payoutline")
        timings["lines"] = cur.fetchone()[0]
    # Approve every run and fold it in as run_approve does (same call, its own transaction per run).
    from django.db import transaction

    from dashboard.services import payout_run_approved
    from payouts.models import PayoutRun

    folds = []
    for run in PayoutRun.objects.order_by("period", "sequence", "id"):
        t0 = time.perf_counter()
        with transaction.atomic():
            PayoutRun.objects.filter(pk=run.pk).update(
                status="approved",
                approved_by_id=approver,
                approved_at=run.created_at,
                approved_line_count=run.line_count,
                approved_total=run.total_amount,
            )
            run.status = "approved"
            payout_run_approved(run=run)
        folds.append((run.scheme, run.line_count, time.perf_counter() - t0))
    timings["folds"] = folds
    with connection.cursor() as cur:
        cur.execute("ANALYZE dashboard_paidmask, dashboard_paidmonth, dashboard_paidyear")
        cur.execute("SELECT count(*) FROM dashboard_paidmask")
        timings["mask_rows"] = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM dashboard_paidyear")
        timings["year_rows"] = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM dashboard_paidmonth")
        timings["month_rows"] = cur.fetchone()[0]
    return timings


LIVE_SQL = """
    SELECT l.scheme, left(l.division_id, 6) AS district,
           count(DISTINCT l.household_id) AS households,
           count(DISTINCT l.beneficiary_id) AS persons,
           sum(l.amount) AS amount
    FROM payouts_payoutline l
    JOIN payouts_payoutrun r ON r.id = l.run_id
    WHERE r.status IN ('approved', 'exported', 'reconciled') AND l.replaces_id IS NULL
      AND l.period >= %s AND l.period <= %s
    GROUP BY 1, 2
"""


def main() -> int:  # noqa: PLR0915 (one linear script)
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=5_000_000)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--live-repeat", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="keep the lines already loaded")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    from core.models import User

    if args.reuse:
        info = {}
    else:
        info = build(args.lines)
        folds = info["folds"]
        print(f"lines written: {info['lines']:,} in {info['insert_s']:.1f} s")
        by_size = sorted(folds, key=lambda f: -f[1])
        print(
            "fold at approval (per run): "
            f"p50 {statistics.median(f[2] for f in folds) * 1000:.0f} ms, "
            f"max {max(f[2] for f in folds) * 1000:.0f} ms "
            f"(largest run {by_size[0][1]:,} lines: {by_size[0][2] * 1000:.0f} ms)"
        )
        print(f"summary rows: mask {info['mask_rows']:,}, year {info['year_rows']:,}, month {info['month_rows']:,}")

    results = []
    cases = [
        ("bench_leader", "city, 2020-01..06", {"from": "2020-01", "to": "2020-06"}),
        ("bench_leader", "city, 2020-03", {"from": "2020-03", "to": "2020-03"}),
        ("bench_leader", "city, 2019-12..2020-06 (across years)", {"from": "2019-12", "to": "2020-06"}),
        ("bench_district", "district 370202, 2020-01..06", {"from": "2020-01", "to": "2020-06"}),
        ("bench_subdistrict", "sub-district, 2020-01..06", {"from": "2020-01", "to": "2020-06"}),
    ]
    check = None
    for username, label, params in cases:
        client = Client()
        client.force_login(User.objects.get(username=username))

        def get(client=client, params=params):
            response = client.get("/api/v1/dashboard/summary/", params)
            assert response.status_code == 200, response.content[:300]
            return response

        if check is None:
            check = get().json()
        results.append((label, timed(get, args.repeat)))

    def live():
        with connection.cursor() as cur:
            cur.execute(LIVE_SQL, ["2020-01-01", "2020-06-01"])
            return cur.fetchall()

    live_rows = live()
    live_times = timed(live, args.live_repeat, warmup=1)
    # The dashboard's figures equal the live count's (city, January–June).
    totals: dict[str, list] = {}
    for scheme, _district, households, persons, amount in live_rows:
        t = totals.setdefault(scheme, [0, 0, 0])
        t[0] += households
        t[1] += persons
        t[2] += amount
    for scheme, (households, persons, amount) in totals.items():
        got = check["schemes"][scheme]
        assert f"{amount:.2f}" == got["amount"], (scheme, amount, got["amount"])
        assert households == got["households"], (scheme, households, got["households"])
        if scheme != "dibao":
            assert persons == got["persons"], (scheme, persons, got["persons"])
    print("\nfigures check: dashboard == live GROUP BY (city, 2020-01..06) ✓")
    print(f"\n{'request':<44} {'p50 ms':>9} {'p95 ms':>9}")
    for label, times in results:
        print(f"{'dashboard API, ' + label:<44} {statistics.median(times):9.1f} {pct(times, 0.95):9.1f}")
    print(
        f"{'live GROUP BY over the lines (city, 01..06)':<44} {statistics.median(live_times):9.1f} "
        f"{pct(live_times, 0.95):9.1f}"
    )
    city_p95 = pct(results[0][1], 0.95)
    print(f"\nlive GROUP BY p50 ÷ dashboard city p95: {statistics.median(live_times) / city_p95:.0f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Payout runs at city scale: a month's runs end to end, a price-linked batch, a no-op rerun, against baselines.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_payouts \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/9 \\
    .venv/bin/python -m bench.payouts [--scales 1 10] [--seed 2020] [--concurrency 2] [--sample 2000] [--months 3]
                                      [--reuse]

For each scale S, on a scratch database (it is emptied):

1. ``generate_city --scale S`` builds the city (timed apart: not part of any rate; then
   ``VACUUM (ANALYZE)``, as after any bulk load, so that autovacuum does not start on it
   while runs are timed), and March
   2020's runs are computed (untimed) so that April's are reviewed against a previous month.
2. **Month, end to end**: the five recurring schemes' runs for April 2020 are requested by the
   schedule's own service (``monthly_runs_create``: biggest first), queued on commit, and
   computed by a real Celery worker (``celery -A civil_affairs worker --concurrency N``,
   started here); the clock runs from the request until every run is ``computed``.
   The bare ceiling (below) is measured right after it.
3. **Price-linked batch**: the same for April 2020's price subsidy run; then ``--months`` − 1
   more months (May, June …) end to end as in 2., each with its own ceiling measured right
   after it, and the median and spread of the month's ratio to the ceiling (on a shared
   machine one figure can be a third off: 0.13 and 0.24 seen for the same code and month on one day).
4. **No-op rerun**: every run requested again and its computation delivered again (in-process,
   as a worker would run it): nothing may be written.
5. Beside them, in the same run and on the same data:
   * **per-row ORM**: dibao lines for a sample of cases, each priced by relief's
     ``dibao_allowance`` and written with ``PayoutLine.objects.create`` (a line per save);
   * **bare ceiling**: ``INSERT … SELECT`` of as many rows as the month's runs wrote, of the
     same shape, from ``generate_series`` into an unindexed, unconstrained copy of the table;
   * the same rows into a copy with the line table's indexes and unique key, as a plain insert
     and with ``ON CONFLICT DO NOTHING``: what the guarantees cost before any computing.

Prints lines per second for each, and the ratios: engine ÷ ceiling, engine ÷ per-row ORM,
rerun ÷ first run.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civil_affairs.settings")
os.environ.setdefault("CIVIL_AFFAIRS_DEV", "1")
# Benchmarks empty tables and switch triggers off to load their data: the owner's work (core/db/roles.py).
os.environ.setdefault("DATABASE_APP_ROLE", "")
os.environ.setdefault("DB_CONN_MAX_AGE", "600")

BASE = Path(__file__).resolve().parent.parent
PERIOD = "2020-04"
PREVIOUS = "2020-03"
RECURRING = ["dibao", "tekun", "orphan", "disability_living", "disability_nursing"]


from bench import truncate  # noqa: E402  (after the settings above, like the rest)


def setup_django() -> None:
    import django

    django.setup()


def reset_payouts() -> None:
    from django.db import connection

    with connection.cursor() as cur:
        truncate(
            cur,
            "TRUNCATE payouts_payoutline, payouts_runevent, payouts_bankexport, payouts_returnimport,"
            " payouts_payoutrun RESTART IDENTITY CASCADE",
        )


def generate(scale: int, seed: int) -> float:
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("generate_city", scale=scale, seed=seed, replace=True, stdout=open(os.devnull, "w"))
    return time.perf_counter() - started


def vacuum() -> float:
    """``VACUUM (ANALYZE)`` of the database, as after any bulk load.

    Without it autovacuum picks the freshly loaded city up while the runs are timed, and
    takes one of the two cores from them at moments no run controls (seen at S = 10, same
    code: the month 25.5 s without it, 22.8 s with it).
    """
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("VACUUM (ANALYZE)")
    return time.perf_counter() - started


class Worker:
    """A real Celery worker on the benchmark database and broker."""

    def __init__(self, concurrency: int, log: Path):
        self.log = open(log, "ab")
        self.name = f"bench-{os.getpid()}@{os.uname().nodename}"
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "civil_affairs",
                "worker",
                "--pool=prefork",
                f"--concurrency={concurrency}",
                "--loglevel=WARNING",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                self.name,
            ],
            cwd=BASE,
            env={**os.environ, "DB_CONN_MAX_AGE": "600"},
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        from civil_affairs.celery import app

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if app.control.ping(destination=[self.name], timeout=1.0):
                return
        raise RuntimeError(f"the worker did not start; see {log}")

    def stop(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.log.close()


def wait_computed(run_ids: list[int], timeout: float = 3600) -> None:
    from payouts.models import PayoutRun

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        states = dict(PayoutRun.objects.filter(pk__in=run_ids).values_list("pk", "status"))
        if any(s == "failed" for s in states.values()):
            errors = list(PayoutRun.objects.filter(pk__in=run_ids, status="failed").values_list("scheme", "error"))
            raise RuntimeError(f"a run failed: {errors}")
        if all(s == "computed" for s in states.values()):
            return
        time.sleep(0.05)
    raise RuntimeError("runs did not finish in time")


def request_and_compute(schemes: list[str] | None, period: str = PERIOD) -> tuple[list[int], int, Decimal, float]:
    """Request the runs (queued on commit to the worker) and wait until all are computed.

    ``schemes=None``: the month's recurring runs, as the schedule creates them (its task's service).
    """
    from core.cases import parse_month
    from payouts.models import PayoutRun
    from payouts.services import monthly_runs_create, run_request

    started = time.perf_counter()
    if schemes is None:
        ids = [run.pk for run in monthly_runs_create(month=parse_month(period))]
        assert len(ids) == len(RECURRING), ids
    else:
        ids = []
        for scheme in schemes:
            run, created = run_request(actor=None, scheme=scheme, period=period)
            assert created, scheme
            ids.append(run.pk)
    wait_computed(ids)
    elapsed = time.perf_counter() - started
    runs = PayoutRun.objects.filter(pk__in=ids)
    lines = sum(r.line_count for r in runs)
    total = sum((r.total_amount for r in runs), Decimal(0))
    return ids, lines, total, elapsed


def noop_rerun(schemes: list[str]) -> float:
    from payouts.models import PayoutRun
    from payouts.services import run_compute, run_request

    before = sorted(PayoutRun.objects.values_list("pk", "line_count", "status"))
    started = time.perf_counter()
    for scheme in schemes:
        run, created = run_request(actor=None, scheme=scheme, period=PERIOD)
        assert not created
        assert run_compute(run_id=run.pk, worker="bench-rerun") == "done"
    elapsed = time.perf_counter() - started
    assert sorted(PayoutRun.objects.values_list("pk", "line_count", "status")) == before
    return elapsed


def per_row_orm(sample: int, *, period: str) -> tuple[int, float]:
    """The naive way, on a scratch run of ``period`` (a month no other run of this benchmark uses).

    Each case priced in Python and its line saved on its own.
    """
    from django.db import transaction

    from core.cases import parse_month
    from payouts.models import PayoutLine, PayoutRun
    from relief import selectors as relief

    period = parse_month(period)
    table = relief.StandardsTable.load(relief.DIBAO_SCHEMES)
    started = time.perf_counter()
    written = 0
    with transaction.atomic():
        scratch = PayoutRun.objects.create(scheme="dibao", period=period, status="computing")
        cases = relief.dibao_cases_payable(period).select_related("household").order_by("id")[:sample]
        for case in cases:
            allowance = relief.dibao_allowance(case, period, table=table)  # reads the case's members
            if allowance.amount <= 0:
                continue
            PayoutLine.objects.create(
                run=scratch,
                scheme="dibao",
                period=period,
                beneficiary_id=case.household.head_id,
                household_id=case.household_id,
                source_id=case.pk,
                division_id=case.household.community_id,
                amount=allowance.amount,
                snapshot={
                    "rule": "dibao",
                    "standard": str(allowance.standard.amount),
                    "income": str(case.monthly_income),
                    "members": allowance.result.members_count,
                },
            )
            written += 1
    elapsed = time.perf_counter() - started
    PayoutLine.objects.filter(run=scratch).delete()
    scratch.delete()
    return written, elapsed


def ceiling(rows: int, *, indexed: bool, skip_existing: bool = False) -> float:
    """INSERT … SELECT of ``rows`` rows shaped like payout lines, from ``generate_series``.

    ``indexed=False``: the bare ceiling, into an unindexed, unconstrained copy of the table.
    ``indexed=True``: into a copy with the line table's own indexes and unique key, as a plain
    insert (how the engine writes a chunk); ``skip_existing`` adds the ``ON CONFLICT`` clause
    it uses for a chunk written again. Both say what the table's guarantees cost before any
    computing.
    """
    from django.db import connection

    from payouts.models import PayoutLine, conflict_target

    table = PayoutLine._meta.db_table
    copy = "bench_indexed_lines" if indexed else "bench_bare_lines"
    conflict = ""
    if skip_existing:
        conflict = f"ON CONFLICT {conflict_target('dibao')} DO NOTHING"  # the engine's own key
    with connection.cursor() as cur:
        cur.execute(f"SELECT avg(length(snapshot::text))::int FROM {table}")  # noqa: S608 - table names from this module
        width = cur.fetchone()[0] or 200
        cur.execute(f"DROP TABLE IF EXISTS {copy}")
        cur.execute(f"CREATE TABLE {copy} (LIKE {table} INCLUDING {'ALL' if indexed else 'DEFAULTS'})")
        snapshot = '{"rule":"dibao","x":"' + "x" * max(width - 25, 1) + '"}'
        cur.execute("CHECKPOINT")
        started = time.perf_counter()
        sql = f"""
            INSERT INTO {copy} (id, run_id, scheme, period, beneficiary_id, household_id, source_id,
                                division_id, amount, status, snapshot, replaces_id, failure_reason,
                                failed_account_digest)
            SELECT g, 1, 'dibao', date '2020-04-01', g, g, g, '370202001001', 1234.50, 'pending', %s::json,
                   NULL, '', ''
            FROM generate_series(1, %s) g
            {conflict}
        """  # noqa: S608 - table names from this module
        cur.execute(sql, [snapshot, rows])
        elapsed = time.perf_counter() - started
        cur.execute(f"DROP TABLE {copy}")
    return elapsed


def later_months(months: int) -> list[str]:
    """The ``months - 1`` months after April 2020 (``2020-05`` …) that the benchmark times as well."""
    from core.cases import add_months, month_str, parse_month

    return [month_str(add_months(parse_month(PERIOD), i)) for i in range(1, months)]


def rate(lines: int, seconds: float) -> str:
    return f"{lines / seconds:,.0f}" if seconds > 0 else "—"


def bench_scale(
    scale: int, seed: int, concurrency: int, sample: int, log_dir: Path, *, months: int = 1, reuse: bool = False
) -> list[tuple]:
    from django.db import connection

    from civil_affairs.celery import app

    if reuse:
        print(f"\n== scale {scale} (seed {seed}): the city already in the database, as built before", flush=True)
    else:
        gen = generate(scale, seed)
        print(f"\n== scale {scale} (seed {seed}): city generated in {gen:.1f} s", flush=True)
    reset_payouts()
    print(f"   vacuumed and analysed after loading in {vacuum():.1f} s (untimed)", flush=True)
    with connection.cursor() as cur:
        cur.execute("CHECKPOINT")
    app.control.purge()
    worker = Worker(concurrency, log_dir / f"bench-worker-{scale}.log")
    later: list[tuple[str, int, float, float]] = []  # (month, lines, seconds, ceiling seconds) after April
    try:
        # The month before, untimed: April's runs are then reviewed against March, as every month is.
        request_and_compute(None, period=PREVIOUS)
        request_and_compute(["price_subsidy"], period=PREVIOUS)
        _ids, month_lines, month_total, month_s = request_and_compute(None)
        ceiling_s = ceiling(month_lines, indexed=False)  # right after the month: the machine as it was then
        _pids, price_lines, price_total, price_s = request_and_compute(["price_subsidy"])
        # The months after April, each reviewed against the one before, each with its own ceiling
        # measured right after it: one figure on a shared machine is not a ratio to trust.
        for month in later_months(months):
            _ids, lines, _total, seconds = request_and_compute(None, period=month)
            later.append((month, lines, seconds, ceiling(lines, indexed=False)))
    finally:
        worker.stop()
    rerun_s = noop_rerun([*RECURRING, "price_subsidy"])
    orm_lines, orm_s = per_row_orm(sample, period=later_months(months + 1)[-1])
    indexed_s = ceiling(month_lines, indexed=True)
    conflict_s = ceiling(month_lines, indexed=True, skip_existing=True)
    month_rate = month_lines / month_s
    ceiling_rate = month_lines / ceiling_s
    orm_rate = orm_lines / orm_s
    rows = [
        (
            "month's runs, end to end (5 schemes)",
            month_lines,
            month_s,
            rate(month_lines, month_s),
            f"{month_rate / ceiling_rate:.2f} of ceiling",
        ),
        (
            "price-linked batch, end to end",
            price_lines,
            price_s,
            rate(price_lines, price_s),
            f"{(price_lines / price_s) / ceiling_rate:.2f} of ceiling",
        ),
        ("no-op rerun of all 6 runs", 0, rerun_s, "—", f"{rerun_s / (month_s + price_s):.1%} of first run"),
        (
            f"per-row ORM, dibao sample of {orm_lines}",
            orm_lines,
            orm_s,
            rate(orm_lines, orm_s),
            f"engine ×{month_rate / orm_rate:.0f}",
        ),
        ("bare INSERT … SELECT ceiling", month_lines, ceiling_s, rate(month_lines, ceiling_s), "1.00"),
        (
            "same, into the line table's indexes",
            month_lines,
            indexed_s,
            rate(month_lines, indexed_s),
            f"{ceiling_s / indexed_s:.2f} of ceiling; engine {month_rate / (month_lines / indexed_s):.2f} of it",
        ),
        (
            "same, + ON CONFLICT DO NOTHING",
            month_lines,
            conflict_s,
            rate(month_lines, conflict_s),
            f"{ceiling_s / conflict_s:.2f} of ceiling",
        ),
    ]
    ratios = [ceiling_s / month_s]
    for month, lines, seconds, month_ceiling_s in later:
        ratios.append(month_ceiling_s / seconds)
        rows.append(
            (
                f"month {month}, end to end",
                lines,
                seconds,
                rate(lines, seconds),
                f"{month_ceiling_s / seconds:.2f} of its ceiling ({rate(lines, month_ceiling_s)} lines/s)",
            )
        )
    print(f"{'':44} {'lines':>10} {'seconds':>8} {'lines/s':>10}  ratio")
    for label, n, seconds, per_s, ratio in rows:
        print(f"{label:44} {n:>10,} {seconds:>8.2f} {per_s:>10}  {ratio}")
    if later:
        print(
            f"month ÷ ceiling over {len(ratios)} months: median {statistics.median(ratios):.2f},"
            f" from {min(ratios):.2f} to {max(ratios):.2f}"
        )
    print(f"totals: month {month_total:,.2f} CNY, price-linked {price_total:,.2f} CNY", flush=True)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes computing runs")
    parser.add_argument("--sample", type=int, default=2000, help="cases in the per-row ORM sample")
    parser.add_argument(
        "--months",
        type=int,
        default=3,
        help="consecutive months timed end to end from April 2020, each against its own ceiling (default 3)",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the city the database holds (built by an earlier run of this command with one scale and the"
        " same seed) instead of generating it again; payouts are still emptied",
    )
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL") or not os.environ.get("CELERY_BROKER_URL"):
        print("Set DATABASE_URL (a scratch database: it is emptied) and CELERY_BROKER_URL.", file=sys.stderr)
        return 2
    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    log_dir = BASE / "var"
    log_dir.mkdir(exist_ok=True)
    print(f"cores: {os.cpu_count()}, worker concurrency: {args.concurrency}, period {PERIOD}")
    if args.months < 1:
        parser.error("--months: at least 1")
    if args.reuse and len(args.scales) != 1:
        parser.error("--reuse keeps one city: give one scale")
    for scale in args.scales:
        bench_scale(scale, args.seed, args.concurrency, args.sample, log_dir, months=args.months, reuse=args.reuse)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Exactly once with a real Celery worker on PostgreSQL and Redis: kill it mid-run, let the run finish.

The kill is a SIGKILL: no ``finally``, no rollback from the inside. What saves the run is what
the engine relies on (core/jobs.py) — the chunk's transaction dies with the connection, the
advisory lock is released by the server (within seconds even when its backend was inside a
statement), the message is redelivered (a pool process: ``reject_on_worker_lost``) or the job
restarted by a worker's sweep (the whole worker: its heartbeat stopped), and the next worker
resumes at the cursor. No beat runs in any of these tests.
"""

from __future__ import annotations

import datetime
import os
import signal
import time

import pytest

from payouts.models import PayoutLine, PayoutRun
from tests.payouts.conftest import dibao_case
from tests.payouts.test_engine import expected_dibao

# Real workers on whatever the test run uses: the machine's PostgreSQL and Redis (TCP), or the
# embedded ones (Unix sockets; the fixture passes the socket directory on).
pytestmark = [pytest.mark.celery]

APRIL = datetime.date(2020, 4, 1)
SLOW = {"PAYOUTS_CHUNK_SIZE": "2", "PAYOUTS_CHUNK_PAUSE_SECONDS": "0.25"}
# The sweep's intervals shortened (core/jobs.py): a worker sweeps every half second, a job is stale after 2 s.
FAST_SWEEP = {"JOBS_HEARTBEAT_SECONDS": "0.2", "JOBS_STALE_SECONDS": "2", "JOBS_SWEEP_SECONDS": "0.5"}


@pytest.fixture
def households(payout_standards, make_staff):
    staff = make_staff("caseworker", "370202001")
    for n in range(40):
        dibao_case(members=1 + n % 3, income=f"{(n * 37) % 900}.00", created_by=staff)
    return staff


def wait_for(predicate, *, timeout: float, what: str, worker=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    detail = worker.log()[-4000:] if worker is not None else ""
    raise AssertionError(f"timed out waiting for {what}\n{detail}")


def start_run(finance) -> PayoutRun:
    from payouts.services import run_request

    run, created = run_request(actor=finance.maker, scheme="dibao", period="2020-04")  # queued on commit
    assert created
    return run


def assert_exactly_the_expected_lines(run: PayoutRun) -> None:
    rows = list(PayoutLine.objects.filter(run=run).values_list("beneficiary_id", "amount"))
    assert len(rows) == len({b for b, _a in rows}), "duplicate lines"
    assert dict(rows) == expected_dibao(APRIL)
    run.refresh_from_db()
    assert (run.line_count, run.total_amount) == (len(rows), sum(a for _b, a in rows))


def test_killing_the_pool_child_mid_run_ends_with_exactly_the_right_lines(households, finance, celery_worker_process):
    worker = celery_worker_process(**SLOW)
    run = start_run(finance)
    computing = wait_for(
        lambda: PayoutRun.objects.filter(pk=run.pk, status="computing", chunks_done__gte=3).first(),
        timeout=60,
        what="the run to be computing",
        worker=worker,
    )
    assert computing.chunks_done < computing.chunks_total
    child = int(computing.worker.rsplit(":", 1)[1])
    os.kill(child, signal.SIGKILL)  # the process computing the run dies mid-chunk
    done = wait_for(
        lambda: PayoutRun.objects.filter(pk=run.pk, status="computed").first(),
        timeout=120,
        what="the run to finish after the kill",
        worker=worker,
    )
    assert_exactly_the_expected_lines(done)
    assert int(done.worker.rsplit(":", 1)[1]) != child
    assert done.events.filter(action="resume").exists()


def test_killing_the_whole_worker_mid_run_and_starting_another_ends_with_exactly_the_right_lines(
    households, finance, celery_worker_process
):
    """No beat, and Redis's visibility timeout left at its six hours: the new worker's sweep restarts the run."""
    from core import jobs

    first = celery_worker_process(**FAST_SWEEP, **SLOW)
    wait_for(jobs.workers_alive, timeout=10, what="the worker's first sign of life", worker=first)
    run = start_run(finance)
    wait_for(
        lambda: PayoutRun.objects.filter(pk=run.pk, status="computing", chunks_done__gte=3).exists(),
        timeout=60,
        what="the run to be computing",
        worker=first,
    )
    first.kill()  # main process and children: the message stays unacknowledged in Redis for hours
    stopped_at = PayoutRun.objects.get(pk=run.pk)
    assert stopped_at.status == "computing" and stopped_at.chunks_done < stopped_at.chunks_total
    wait_for(lambda: not jobs.workers_alive(), timeout=10, what="the killed worker to count as gone")
    killed = time.monotonic()
    second = celery_worker_process(PAYOUTS_CHUNK_SIZE="2", **FAST_SWEEP)
    done = wait_for(
        lambda: PayoutRun.objects.filter(pk=run.pk, status="computed").first(),
        timeout=60,
        what="the second worker to finish the run",
        worker=second,
    )
    elapsed = time.monotonic() - killed
    print(f"whole worker killed -> run computed by the next worker in {elapsed:.1f} s")  # the figure (-s)
    assert elapsed < 60
    assert_exactly_the_expected_lines(done)
    assert done.chunks_done == done.chunks_total
    assert done.events.filter(action="restart", actor__isnull=True).exists()  # by the sweep, not by Redis


def worker_children(worker) -> list[int]:
    """The pool processes of a worker (its main process's children)."""
    pid = worker.process.pid
    with open(f"/proc/{pid}/task/{pid}/children") as children:
        return [int(p) for p in children.read().split()]


def backend_waiting_on_the_run_row(run_id: int):
    """The worker's backend that holds the run's lock, blocked inside a statement (pg_locks: readable by any role)."""
    from django.db import connection

    from payouts.engine import LOCK_NAMESPACE

    with connection.cursor() as cur:
        cur.execute(
            "SELECT w.pid FROM pg_locks w JOIN pg_locks a ON a.pid = w.pid"
            " WHERE NOT w.granted AND a.granted AND a.locktype = 'advisory' AND a.classid = %s AND a.objid = %s",
            [LOCK_NAMESPACE, run_id],
        )
        row = cur.fetchone()
    return row[0] if row else None


def test_both_pool_processes_killed_inside_a_statement_the_run_is_redelivered_and_done_within_a_minute(
    households, finance, celery_worker_process
):
    """Issue 22 §16: SIGKILL the pool while the run's backend is inside a statement (holding the run's lock).

    The sweep is kept out of it (a stale time of an hour): the message's redelivery alone must finish it.
    """
    from django.db import connections

    worker = celery_worker_process(concurrency=2, JOBS_STALE_SECONDS="3600", **SLOW)
    run = start_run(finance)
    wait_for(
        lambda: PayoutRun.objects.filter(pk=run.pk, status="computing", chunks_done__gte=2).exists(),
        timeout=60,
        what="the run to be computing",
        worker=worker,
    )
    holder = connections.create_connection("default")
    try:
        with holder.cursor() as cur:  # the next chunk's UPDATE of the run waits on this row, mid-transaction
            cur.execute("BEGIN")
            cur.execute("SELECT id FROM payouts_payoutrun WHERE id = %s FOR UPDATE", [run.pk])
        wait_for(lambda: backend_waiting_on_the_run_row(run.pk), timeout=30, what="the chunk to wait", worker=worker)
        children = worker_children(worker)
        assert len(children) == 2
        for child in children:
            os.kill(child, signal.SIGKILL)
        killed = time.monotonic()
        time.sleep(3)  # the dead worker's backend, inside its statement, still holds the run's lock
    finally:
        holder.close()  # the row goes free
    done = wait_for(
        lambda: PayoutRun.objects.filter(pk=run.pk, status="computed").first(),
        timeout=60,
        what="the run to finish after the kill",
        worker=worker,
    )
    elapsed = time.monotonic() - killed
    print(f"pool processes killed -> run computed after redelivery in {elapsed:.1f} s")  # the figure (-s)
    assert elapsed < 60
    assert_exactly_the_expected_lines(done)
    assert int(done.worker.rsplit(":", 1)[1]) not in children
    assert done.events.filter(action="resume").exists() and not done.events.filter(action="restart").exists()


def test_an_import_whose_task_was_lost_is_checked_by_the_next_worker_to_start(celery_worker_process, make_staff):
    """A job left ``validating`` with no task anywhere (its request or its message lost): no beat, a worker starts."""
    import datetime

    from django.utils import timezone

    from imports.models import ImportJob
    from tests.imports.conftest import household_rows, xlsx

    staff = make_staff("caseworker", "370202001")
    long_ago = timezone.now() - datetime.timedelta(minutes=10)
    job = ImportJob.objects.create(
        kind="households",
        status="validating",
        division_id="370202001",
        file_name="lost.xlsx",
        content=xlsx(household_rows(4)),
        created_by=staff,
    )
    ImportJob.objects.filter(pk=job.pk).update(updated_at=long_ago)
    worker = celery_worker_process(**FAST_SWEEP)
    checked = wait_for(
        lambda: ImportJob.objects.filter(pk=job.pk).exclude(status="validating").first(),
        timeout=30,
        what="the import to be checked",
        worker=worker,
    )
    assert (checked.status, checked.rows, checked.to_create) == ("previewed", 12, 12)


def test_the_task_delivered_twice_to_two_workers_computes_once(households, finance, celery_worker_process):
    from payouts.tasks import compute_run

    worker = celery_worker_process(concurrency=2, **SLOW)
    run = start_run(finance)
    compute_run.delay(run.pk)  # a duplicate delivery, while the first is running
    compute_run.delay(run.pk)
    done = wait_for(
        lambda: PayoutRun.objects.filter(pk=run.pk, status="computed").first(),
        timeout=120,
        what="the run to finish",
        worker=worker,
    )
    time.sleep(1)  # let the duplicates finish too
    assert_exactly_the_expected_lines(done)
    assert done.events.filter(action="start").count() == 1
    assert done.events.filter(action="finish").count() == 1

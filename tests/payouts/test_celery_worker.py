"""Exactly once with a real Celery worker on PostgreSQL and Redis: kill it mid-run, let the run finish.

The kill is a SIGKILL: no ``finally``, no rollback from the inside. What saves the run is what
the engine relies on — the chunk's transaction dies with the connection, the advisory lock is
released by the server, the message is redelivered (the pool child: ``reject_on_worker_lost``;
the whole worker: Redis's visibility timeout), and the next worker resumes at the cursor.
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
    first = celery_worker_process(CELERY_VISIBILITY_TIMEOUT="3", **SLOW)
    run = start_run(finance)
    wait_for(
        lambda: PayoutRun.objects.filter(pk=run.pk, status="computing", chunks_done__gte=3).exists(),
        timeout=60,
        what="the run to be computing",
        worker=first,
    )
    first.kill()  # main process and child: the message stays unacknowledged in Redis
    stopped_at = PayoutRun.objects.get(pk=run.pk)
    assert stopped_at.status == "computing" and stopped_at.chunks_done < stopped_at.chunks_total
    time.sleep(3.5)  # past the visibility timeout: Redis hands the message to the next worker
    second = celery_worker_process(CELERY_VISIBILITY_TIMEOUT="3", PAYOUTS_CHUNK_SIZE="2")
    done = wait_for(
        lambda: PayoutRun.objects.filter(pk=run.pk, status="computed").first(),
        timeout=120,
        what="the second worker to finish the run",
        worker=second,
    )
    assert_exactly_the_expected_lines(done)
    assert done.chunks_done == done.chunks_total


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

"""Background jobs a lost task cannot strand (core/jobs.py): the sweep, the heartbeat, "waiting for a worker".

The real worker killed mid-run (a pool process, the whole worker) is in tests/payouts/test_celery_worker.py;
here the sweep is called as a worker's sweeper thread calls it, with the task it queues run in place.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import connections
from django.utils import timezone

from core import jobs
from core.models import WorkerBeat
from imports.models import ImportJob
from people.models import Person
from tests.imports.conftest import household_rows, xlsx

pytestmark = pytest.mark.django_db

LONG_AGO = datetime.timedelta(minutes=30)


@pytest.fixture
def eager():
    """The task a restart queues runs here and now (as a worker would run it)."""
    from civil_affairs.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


def lost_import(caseworker, settings, django_capture_on_commit_callbacks, *, households: int = 3) -> ImportJob:
    """A large import whose validation task never reached a worker (queued, then lost)."""
    from imports import services

    settings.IMPORT_SYNC_MAX_BYTES = 100
    with django_capture_on_commit_callbacks(execute=False) as queued:
        job = services.import_upload(
            actor=caseworker, kind="households", file_name="h.xlsx", content=xlsx(household_rows(households))
        )
    assert job.status == "validating" and len(queued) == 1  # ... and the one task is dropped
    return job


def age(model, pk, by=LONG_AGO, **fields) -> None:
    """Make a job look as if its last sign of life were ``by`` ago."""
    then = timezone.now() - by
    model.objects.filter(pk=pk).update(heartbeat_at=then, **fields)


def sweep(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return jobs.sweep()


def test_an_import_whose_task_was_lost_is_checked_again_by_the_sweep(
    caseworker, settings, eager, django_capture_on_commit_callbacks
):
    job = lost_import(caseworker, settings, django_capture_on_commit_callbacks)
    settings.JOBS_STALE_SECONDS = 120
    assert sweep(django_capture_on_commit_callbacks) == []  # uploaded a moment ago: still within its time
    job.refresh_from_db()
    assert job.status == "validating"

    age(ImportJob, job.pk)
    assert sweep(django_capture_on_commit_callbacks) == [("imports.job", job.pk)]
    job.refresh_from_db()
    assert (job.status, job.rows, job.to_create) == ("previewed", 9, 9)
    assert sweep(django_capture_on_commit_callbacks) == []  # nothing left to restart


def test_an_import_lost_while_writing_is_written_by_the_sweep_exactly_once(
    caseworker, settings, eager, django_capture_on_commit_callbacks
):
    from imports import services

    job = lost_import(caseworker, settings, django_capture_on_commit_callbacks)
    services.import_validate(job_id=job.pk)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        services.import_commit(actor=caseworker, job=ImportJob.objects.get(pk=job.pk))
    assert len(queued) == 1  # the write's task: lost too
    age(ImportJob, job.pk)
    assert sweep(django_capture_on_commit_callbacks) == [("imports.job", job.pk)]
    job.refresh_from_db()
    assert job.status == "committed" and Person.objects.count() == 9
    age(ImportJob, job.pk)
    assert sweep(django_capture_on_commit_callbacks) == []  # committed: not a running job any more
    assert Person.objects.count() == 9


def test_a_job_another_process_holds_is_not_restarted_however_old_its_heartbeat(
    caseworker, settings, eager, django_capture_on_commit_callbacks
):
    from imports import services

    job = lost_import(caseworker, settings, django_capture_on_commit_callbacks)
    age(ImportJob, job.pk)
    kind = next(k for k in jobs.kinds() if k.name == services.JOB_KIND)
    other = connections.create_connection("default")
    try:
        with other.cursor() as cur:  # a worker at it, inside one long statement: no heartbeat, but its lock
            cur.execute("SELECT pg_advisory_lock(%s, %s)", [kind.namespace, job.pk])
        assert sweep(django_capture_on_commit_callbacks) == []
        job.refresh_from_db()
        assert job.status == "validating"
    finally:
        other.close()
    assert sweep(django_capture_on_commit_callbacks) == [("imports.job", job.pk)]


def test_an_extract_whose_task_was_lost_is_checked_again_by_the_sweep(
    settings, eager, django_capture_on_commit_callbacks
):
    from datacheck import services
    from datacheck.models import Extract, ExtractRow
    from tests.datacheck.conftest import csv_bytes
    from tests.imports.conftest import person_id

    admin = _admin()
    source = services.data_source_register(actor=admin, department="公安局", item="死亡人员信息", effect="death")
    settings.DATACHECK_EXTRACT_SYNC_MAX_BYTES = 100
    rows = [(person_id(n), "2020-03-01") for n in range(30)]
    with django_capture_on_commit_callbacks(execute=False) as queued:
        extract = services.extract_upload(actor=admin, source=source, file_name="e.csv", content=csv_bytes(rows))
    assert extract.status == "validating" and len(queued) == 1
    assert sweep(django_capture_on_commit_callbacks) == []
    age(Extract, extract.pk)
    assert sweep(django_capture_on_commit_callbacks) == [("datacheck.extract", extract.pk)]
    extract.refresh_from_db()
    assert extract.status == "previewed" and ExtractRow.objects.filter(extract=extract).count() == 30


def test_a_cross_check_run_interrupted_half_way_resumes_with_the_extracts_it_had_not_done(
    settings, eager, django_capture_on_commit_callbacks
):
    from datacheck import selectors, services
    from datacheck.models import CrossCheckRun
    from tests.imports.conftest import person_id

    admin = _admin()
    first = services.data_source_register(actor=admin, department="公安局", item="死亡人员信息", effect="death")
    second = services.data_source_register(actor=admin, department="交警", item="机动车", effect="review")
    for n, source in enumerate((first, second)):
        content = f"id_number,event_date\n{person_id(n)},2020-03-01\n".encode()
        extract = services.extract_upload(actor=admin, source=source, file_name="e.csv", content=content)
        services.extract_commit(actor=admin, extract=extract)
    with django_capture_on_commit_callbacks(execute=False):
        run = services.cross_check_run_start(actor=admin)
    extracts = [e.pk for e in selectors.latest_extracts()]
    # The worker froze the run's extracts, did the first, and was killed.
    CrossCheckRun.objects.filter(pk=run.pk).update(
        status="running", started_at=timezone.now(), extracts=extracts, sources_total=2, sources_done=1
    )
    age(CrossCheckRun, run.pk)
    assert sweep(django_capture_on_commit_callbacks) == [("datacheck.cross_check_run", run.pk)]
    run.refresh_from_db()
    assert (run.status, run.sources_done, run.sources_total) == ("done", 2, 2)


def test_a_job_in_progress_says_it_waits_for_a_worker_when_none_is_alive(
    caseworker, settings, client, django_capture_on_commit_callbacks
):
    job = lost_import(caseworker, settings, django_capture_on_commit_callbacks)
    client.force_login(caseworker)

    def waiting() -> bool:
        page = client.get(f"/imports/{job.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        assert "js/progress.js" in page  # the page follows the job either way
        return 'data-testid="waiting-for-worker"' in page

    assert waiting()  # no worker has ever said it is alive
    jobs.worker_beat("worker@here")
    assert not waiting()
    WorkerBeat.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert waiting()  # its last sign of life has run out: killed, or stopped
    jobs.worker_beat("worker@here")
    jobs.worker_gone("worker@here")  # stopped properly
    assert waiting()
    jobs.worker_beat("worker@there")
    ImportJob.objects.filter(pk=job.pk).update(status="previewed")
    page = client.get(f"/imports/{job.pk}/").content.decode()
    assert 'data-testid="waiting-for-worker"' not in page  # nothing in progress: nothing to wait for


def test_the_waiting_message_is_in_the_users_language(caseworker, settings, client, django_capture_on_commit_callbacks):
    job = lost_import(caseworker, settings, django_capture_on_commit_callbacks)
    client.force_login(caseworker)
    chinese = client.get(f"/imports/{job.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "正在等待后台服务" in chinese
    client.cookies["django_language"] = "en"
    english = client.get(f"/imports/{job.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Waiting for a worker" in english


def _admin():
    from tests.factories import StaffFactory

    return StaffFactory(role="admin", division_id="370200")


@pytest.mark.django_db(transaction=True)
def test_a_running_job_writes_its_heartbeat_from_another_connection_while_it_holds_its_lock(divisions, settings):
    """Even inside one long transaction of the job's own, its row shows a fresh heartbeat to everyone else."""
    import time

    from django.db import transaction

    from tests.factories import StaffFactory

    staff = StaffFactory(role="caseworker", division_id="370202001")
    job = ImportJob.objects.create(
        kind="households", status="validating", division_id="370202001", file_name="f", created_by=staff
    )
    age(ImportJob, job.pk)
    settings.JOBS_HEARTBEAT_SECONDS = 0.1
    kind = next(k for k in jobs.kinds() if k.name == "imports.job")
    with jobs.running("imports.job", job.pk) as mine, transaction.atomic():
        assert mine
        time.sleep(0.6)
        other = connections.create_connection("default")
        try:
            with other.cursor() as cur:
                cur.execute("SELECT heartbeat_at FROM imports_importjob WHERE id = %s", [job.pk])
                beat = cur.fetchone()[0]
                cur.execute("SELECT pg_try_advisory_lock(%s, %s)", [kind.namespace, job.pk])
                assert cur.fetchone()[0] is False  # held: the sweep leaves it alone
        finally:
            other.close()
        assert timezone.now() - beat < datetime.timedelta(seconds=2)
    with jobs.running("imports.job", job.pk, wait=0) as again:
        assert again  # let go at the end of the block

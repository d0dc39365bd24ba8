"""Every write of imports: upload → validate (the preview) → commit (all or nothing) → failed.

* ``import_upload`` refuses (400) at once what is not a readable table of the kind: empty,
  too large, a compression bomb or hostile XML, the wrong template (columns missing). What it
  accepts is kept with the job and checked row by row: in the request for a small file, in
  Celery for a large one (``status`` ``validating`` and ``progress`` meanwhile).
* ``import_validate`` writes nothing but the job's report: rows, to create, to update, and
  every bad row with its line and reason. No error → ``previewed``; any → ``rejected``.
* ``import_commit`` takes a ``previewed`` job (compare-and-set to ``committing``), checks the
  rows again against the database as it now is, and writes them all in one transaction with
  the kind's set-based statements, the actor and the import named in the audit history; any
  error or change since the preview → ``failed``, nothing written.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import jobs
from core.audit import audit_context
from core.errors import Conflict, InvalidInput
from core.models import User
from core.permissions import require_can
from core.scoping import get_in_scope
from imports.kinds import Changed
from imports.models import ImportJob, ImportKind, ImportStatus
from imports.registry import kind_of

log = logging.getLogger(__name__)

JOB_KIND = "imports.job"  # its kind of background job (core/jobs.py)


def _sync_limit() -> int:
    """Files up to this size are checked and written in the request; larger ones in Celery."""
    return getattr(settings, "IMPORT_SYNC_MAX_BYTES", 256 * 1024)


def _set(job: ImportJob, **fields) -> None:
    fields.setdefault("updated_at", timezone.now())
    ImportJob.objects.filter(pk=job.pk).update(**fields)
    for name, value in fields.items():
        setattr(job, name, value)


def _enqueue(task_name: str, job_id: int) -> None:
    language = translation.get_language() or settings.LANGUAGE_CODE

    def send() -> None:
        from imports import tasks

        getattr(tasks, task_name).delay(job_id, language)

    transaction.on_commit(send, robust=True)


def require_kind_caps(actor: User, handler) -> None:
    """403 unless ``actor`` holds what the kind's rows need (``Kind.required_caps``: a household's income and
    expenses are recorded by caseworkers and approvers, not by whoever may import)."""
    from core.errors import Forbidden
    from core.roles import capabilities_of

    if handler.required_caps - capabilities_of(actor):
        raise Forbidden(
            _("Your role may not record what this kind of file holds (%(kind)s).") % {"kind": handler.label}
        )


def import_upload(*, actor: User, kind: str, file_name: str, content: bytes) -> ImportJob:
    """Keep an uploaded file as a job of ``kind`` and check its rows (now, or in Celery when it is large)."""
    require_can(actor, "upload", ImportJob)
    if kind not in ImportKind.values:
        raise InvalidInput(_("Choose what the file holds."), field="kind")
    handler = kind_of(kind)
    require_kind_caps(actor, handler)
    if not content:
        raise InvalidInput(_("The file is empty."), field="file")
    handler.check_file(file_name, content)  # 400 now for an unreadable, hostile or wrong file
    with transaction.atomic():
        job = ImportJob.objects.create(
            kind=kind,
            status=ImportStatus.VALIDATING,
            division=actor.division,
            file_name=(file_name or "upload")[:200],
            file_size=len(content),
            content=content,
            created_by=actor,
        )
        if len(content) > _sync_limit():
            _enqueue("validate_import", job.pk)
            return job
    return import_validate(job_id=job.pk)


def _progress(job: ImportJob):
    def progress(fraction: float) -> None:
        _set(job, progress=max(1, min(99, int(fraction * 100))))

    return progress


def _run_validation(job: ImportJob, actor: User):
    handler = kind_of(job.kind)
    return handler.validate(actor=actor, rows=handler.rows(job.file_name, bytes(job.content)), progress=_progress(job))


def import_validate(*, job_id: int) -> ImportJob:
    """Check every row of a ``validating`` job and keep the report (previewed or rejected). Safe to run twice.

    Under the job's lock and heartbeat (``core.jobs``): a process that finds another holding it leaves it alone.
    """
    with jobs.running(JOB_KIND, job_id) as mine:
        if not mine:
            return ImportJob.objects.get(pk=job_id)
        return _validate(job_id)


def _validate(job_id: int) -> ImportJob:
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if job.status != ImportStatus.VALIDATING:
        return job
    started = time.perf_counter()
    try:
        report = _run_validation(job, job.created_by)
    except InvalidInput as exc:
        _set(
            job,
            status=ImportStatus.REJECTED,
            progress=100,
            error_count=1,
            errors=[{"row": None, "field": exc.field or "file", "message": str(exc.message)}],
        )
        return job
    except Exception as exc:
        log.exception("import %s: validation failed", job.pk)
        _set(job, status=ImportStatus.FAILED, progress=100, failure=exc.__class__.__name__)
        return job
    plan = None if report.error_count else kind_of(job.kind).dump_plan(report)
    _set(
        job,
        plan=plan,
        status=ImportStatus.REJECTED if report.error_count else ImportStatus.PREVIEWED,
        rows=report.rows,
        to_create=report.to_create,
        to_update=report.to_update,
        error_count=report.error_count,
        errors=report.sorted_errors(),
        summary=report.summary,
        progress=100,
        seconds=round(time.perf_counter() - started, 3),
    )
    return job


def import_commit(*, actor: User, job: ImportJob) -> ImportJob:
    """Write a previewed job, all or nothing (now, or in Celery when the file is large)."""
    require_can(actor, "commit", ImportJob)
    job = get_in_scope(ImportJob.objects.defer("content", "plan"), actor, pk=job.pk)
    require_can(actor, "commit", job)  # a file of cases in payment: an approver who did not upload it
    if job.status != ImportStatus.PREVIEWED:
        raise Conflict(
            _("Only a checked import with no errors can be written (this one is “%(status)s”).")
            % {"status": job.get_status_display()},
            code="invalid_state",
        )
    with transaction.atomic():
        moved = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.PREVIEWED).update(
            status=ImportStatus.COMMITTING, progress=0, committed_by=actor, updated_at=timezone.now()
        )
        if moved != 1:
            raise Conflict(_("This import is already being written."), code="invalid_state")
        job.status, job.committed_by, job.progress = ImportStatus.COMMITTING, actor, 0
        if (job.file_size or 0) > _sync_limit():
            _enqueue("commit_import", job.pk)
            return job
    return import_write(job_id=job.pk)


def import_write(*, job_id: int) -> ImportJob:
    """Check a ``committing`` job again and write it in one transaction; ``failed`` (nothing written) otherwise.

    Safe to run twice (a job no longer ``committing`` is left alone; the write and the status move
    commit together), under the job's lock and heartbeat like ``import_validate``.
    """
    with jobs.running(JOB_KIND, job_id) as mine:
        if not mine:
            return ImportJob.objects.get(pk=job_id)
        return _write_job(job_id)


def _write_job(job_id: int) -> ImportJob:
    job = ImportJob.objects.select_related("committed_by").get(pk=job_id)
    if job.status != ImportStatus.COMMITTING:
        return job
    actor = job.committed_by
    handler = kind_of(job.kind)
    started = time.perf_counter()
    try:
        if job.plan is not None:  # the file's own checks passed at the preview: those of the database again
            report = handler.recheck(actor=actor, plan=bytes(job.plan), progress=_progress(job))
        else:
            report = _run_validation(job, actor)
    except InvalidInput as exc:
        return _fail(job, str(exc.message))
    if report.error_count:
        _set(job, errors=report.sorted_errors(), error_count=report.error_count)
        return _fail(
            job, _("Rows no longer pass the checks (the data changed since the preview); nothing was written.")
        )
    _set(job, progress=60)
    return _write(job, actor, handler, report, started)


def _write(job: ImportJob, actor: User, handler, report, started: float) -> ImportJob:
    try:
        with transaction.atomic(), audit_context(actor, via="imports", import_id=job.pk, kind=job.kind):
            handler.write(actor=actor, job=job, report=report)
            ImportJob.objects.filter(pk=job.pk).update(
                status=ImportStatus.COMMITTED,
                progress=100,
                rows=report.rows,
                to_create=report.to_create,
                to_update=report.to_update,
                summary=report.summary,
                committed_at=timezone.now(),
                plan=None,
                seconds=round(time.perf_counter() - started, 3),
                updated_at=timezone.now(),
            )
    except Changed as exc:
        return _fail(job, str(exc))
    except IntegrityError:
        return _fail(
            job,
            _("Someone else changed the same records while the file was being written; nothing was written."),
        )
    except Exception as exc:
        if isinstance(exc, DatabaseError):
            log.warning("import %s: write failed: %s", job.pk, exc)
        else:
            log.exception("import %s: write failed", job.pk)
        return _fail(job, _("Writing failed; nothing was written. (%(why)s)") % {"why": exc.__class__.__name__})
    job.refresh_from_db()
    return job


def _fail(job: ImportJob, why: str) -> ImportJob:
    _set(job, status=ImportStatus.FAILED, progress=100, failure=str(why)[:2000])
    return job


def import_requeue(job_id: int) -> None:
    """The sweep's restart (``core.jobs``): a job left checking or writing with no sign of life is queued again."""
    job = ImportJob.objects.filter(pk=job_id).only("status").first()
    if job is None or job.status not in (ImportStatus.VALIDATING, ImportStatus.COMMITTING):
        return
    ImportJob.objects.filter(pk=job_id).update(heartbeat_at=timezone.now())
    with translation.override(settings.LANGUAGE_CODE):
        _enqueue("validate_import" if job.status == ImportStatus.VALIDATING else "commit_import", job_id)

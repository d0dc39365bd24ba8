"""Every write of data checking: sources, extracts, cross-check runs, review decisions.

Keyword-only, one transaction each, the acting user named and checked again here
(``require``), the change audited in the same transaction. Confirming a review item acts
through the benefits' own services (``people.services.person_record_death`` for a death,
the relief and welfare suspend/terminate services otherwise), so their rules, state
machines and permission checks apply unchanged, with the review item as the reason.
"""

from __future__ import annotations

import csv
import io
import logging

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import jobs
from core.audit import audit_context
from core.cases import EXTRACT_COMMITTED, CaseStatus, clean_note, run_consequences, transition
from core.errors import Conflict, InvalidInput
from core.models import User
from core.permissions import require_can
from core.scoping import get_in_scope
from datacheck import engine, selectors
from datacheck.extracts import check_header, parse_extract
from datacheck.models import (
    REVIEW_MACHINE,
    CrossCheckRun,
    DataSource,
    Effect,
    Extract,
    ExtractRow,
    ExtractStatus,
    ReviewItem,
    RunStatus,
)

log = logging.getLogger(__name__)

# Their kinds of background job (core/jobs.py).
EXTRACT_JOB = "datacheck.extract"
RUN_JOB = "datacheck.cross_check_run"

TEXT_LIMIT = 100


def _text(value, *, field: str, label: str) -> str:
    value = (value or "").strip() if isinstance(value, str) else ""
    if not value:
        raise InvalidInput(_("Give %(label)s.") % {"label": label}, field=field)
    if len(value) > TEXT_LIMIT:
        raise InvalidInput(_("At most %(n)d characters.") % {"n": TEXT_LIMIT}, field=field)
    return value


# --- Data sources -----------------------------------------------------------------------------


@transaction.atomic
def data_source_register(*, actor: User, department: str, item: str, effect: str) -> DataSource:
    """Register a department's data item and what a hit means. The same department and item twice → 409."""
    require_can(actor, "create", DataSource)
    department = _text(department, field="department", label=_("the department"))
    item = _text(item, field="item", label=_("the data item"))
    if effect not in Effect.values:
        raise InvalidInput(_("Choose one of: %(choices)s.") % {"choices": ", ".join(Effect.values)}, field="effect")
    if DataSource.objects.filter(department=department, item=item).exists():
        raise Conflict(_("This department's data item is already registered."), code="source_exists")
    with audit_context(actor, action="register_source"):
        return DataSource.objects.create(department=department, item=item, effect=effect, created_by=actor)


@transaction.atomic
def data_source_set_active(*, actor: User, source: DataSource, active: bool) -> DataSource:
    require_can(actor, "set_active", DataSource)
    source = DataSource.objects.select_for_update().get(pk=source.pk)
    source.active = bool(active)
    with audit_context(actor, action="activate_source" if active else "deactivate_source"):
        source.save(update_fields=["active"])
    return source


# --- Extracts ---------------------------------------------------------------------------------


def _copy_rows(extract_id: int, rows) -> None:
    """Stage the rows with one COPY (a million rows take seconds; one INSERT per row, minutes)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for line, number, event_date, detail, kind, amount in rows:
        writer.writerow(
            (
                extract_id,
                line,
                number,
                event_date.isoformat() if event_date else "",
                detail,
                kind,
                "" if amount is None else str(amount),
            )
        )
    buffer.seek(0)
    columns = "extract_id, line, id_number, event_date, detail, kind, amount"
    with connection.cursor() as cur:
        cur.copy_expert(
            f"COPY {ExtractRow._meta.db_table} ({columns}) FROM STDIN WITH (FORMAT csv, FORCE_NOT_NULL (detail, kind))",
            buffer,
        )


def _sync_limit() -> int:
    """Files up to this size are checked in the request; larger ones in Celery (``validating`` meanwhile)."""
    return getattr(settings, "DATACHECK_EXTRACT_SYNC_MAX_BYTES", 1024 * 1024)


def _check_rows(extract: Extract, file_name: str, content: bytes, effect: str) -> None:
    """Check every row; keep them (one COPY) only when none is bad. Sets status, rows and errors."""
    parsed = parse_extract(file_name, content, effect=effect)
    errors = parsed.errors
    if parsed.error_count > len(errors):
        errors = [
            *errors,
            {
                "row": None,
                "field": "file",
                "message": _("… and %(n)d more bad rows.") % {"n": parsed.error_count - len(errors)},
            },
        ]
    extract.status = ExtractStatus.REJECTED if errors else ExtractStatus.PREVIEWED
    extract.rows = parsed.row_count
    extract.errors = errors
    extract.content = None
    if not errors:
        _copy_rows(extract.pk, parsed.rows)


@transaction.atomic
def extract_upload(*, actor: User, source: DataSource, file_name: str, content: bytes) -> Extract:
    """Read and check an extract: the preview. Any bad row → ``rejected`` with every bad row named, no row kept.

    A file that is not a readable table of this source (empty, too large, a bomb, wrong
    columns) is refused outright (``InvalidInput``). A good file's rows are staged with the
    extract ``previewed``; ``extract_commit`` makes them the source's latest data. A large
    file is checked in Celery (``validating`` until then; ``extract_validate``).
    """
    require_can(actor, "upload", Extract)
    source = DataSource.objects.get(pk=source.pk)
    file_name = (file_name or "")[:200]
    large = len(content) > _sync_limit()
    if large:
        check_header(file_name, content, effect=source.effect)  # a wrong or hostile file: 400 now
    with audit_context(actor, action="upload_extract"):
        extract = Extract.objects.create(
            source=source,
            file_name=file_name,
            status=ExtractStatus.VALIDATING,
            content=content if large else None,
            uploaded_by=actor,
        )
        if large:
            _enqueue_validation(extract.pk)
            return extract
        _check_rows(extract, file_name, content, source.effect)
        extract.save(update_fields=["status", "rows", "errors", "content"])
    return extract


def _enqueue_validation(extract_id: int) -> None:
    def send() -> None:
        from datacheck.tasks import validate_extract

        validate_extract.delay(extract_id)

    transaction.on_commit(send, robust=True)


def extract_validate(*, extract_id: int) -> Extract:
    """Check a large extract kept by ``extract_upload`` (the Celery task's body; safe to run twice).

    Under the extract's lock and heartbeat (``core.jobs``): one process at a time.
    """
    with jobs.running(EXTRACT_JOB, extract_id) as mine:
        if not mine:
            return Extract.objects.get(pk=extract_id)
        return _validate_extract(extract_id)


@transaction.atomic
def _validate_extract(extract_id: int) -> Extract:
    extract = Extract.objects.select_for_update().select_related("source", "uploaded_by").get(pk=extract_id)
    if extract.status != ExtractStatus.VALIDATING:
        return extract
    try:
        with transaction.atomic():
            _check_rows(extract, extract.file_name, bytes(extract.content or b""), extract.source.effect)
    except InvalidInput as exc:  # e.g. more rows than allowed, found while streaming
        extract.status = ExtractStatus.REJECTED
        extract.errors = [{"row": None, "field": "file", "message": str(exc.message)}]
        extract.content = None
    with audit_context(extract.uploaded_by, action="validate_extract"):
        extract.save(update_fields=["status", "rows", "errors", "content"])
    return extract


@transaction.atomic
def extract_commit(*, actor: User, extract: Extract) -> Extract:
    """Make a previewed extract its source's latest data (the next cross-check run uses it)."""
    require_can(actor, "commit", Extract)
    extract = Extract.objects.select_for_update().get(pk=extract.pk)
    if extract.status != ExtractStatus.PREVIEWED:
        raise Conflict(
            _("Only a previewed extract without errors can be committed (this one is “%(status)s”).")
            % {"status": extract.get_status_display()},
            code="invalid_transition",
        )
    extract.status = ExtractStatus.COMMITTED
    extract.committed_by = actor
    extract.committed_at = timezone.now()
    with audit_context(actor, action="commit_extract"):
        extract.save(update_fields=["status", "committed_by", "committed_at"])
        # A risk source's rows raise warnings for the households concerned (low-income monitoring).
        run_consequences(EXTRACT_COMMITTED, extract=extract, actor=actor)
    return extract


# --- Cross-check runs -------------------------------------------------------------------------


def _enqueue(run_id: int) -> None:
    def send() -> None:
        from datacheck.tasks import run_cross_check

        run_cross_check.delay(run_id)

    transaction.on_commit(send, robust=True)


def _create_run(started_by: User) -> CrossCheckRun:
    with audit_context(started_by, action="start_cross_check"):
        run = CrossCheckRun.objects.create(started_by=started_by)
    _enqueue(run.pk)
    return run


@transaction.atomic
def cross_check_run_start(*, actor: User) -> CrossCheckRun:
    """Queue a cross-check of every ongoing beneficiary against the latest extract of each active source."""
    require_can(actor, "start", CrossCheckRun)
    if CrossCheckRun.objects.filter(status__in=[RunStatus.QUEUED, RunStatus.RUNNING]).exists():
        raise Conflict(_("A cross-check run is already queued or running."), code="run_in_progress")
    return _create_run(actor)


@transaction.atomic
def cross_check_run_scheduled() -> CrossCheckRun | None:
    """The monthly run (Celery beat), under the system account; none while one is still going."""
    from core.cases import system_actor

    if CrossCheckRun.objects.filter(status__in=[RunStatus.QUEUED, RunStatus.RUNNING]).exists():
        return None
    return _create_run(system_actor())


def cross_check_run_execute(*, run_id: int) -> CrossCheckRun:
    """Do a queued run: one set-based statement per extract, each in its own transaction (progress shows).

    Safe to run twice and resumable: under the run's lock (``core.jobs``), a queued run starts, a
    running one (its worker killed) goes on with the extracts it had not done, anything else is left
    alone; the items' unique key (extract, person) makes a repeated statement add nothing.
    """
    with jobs.running(RUN_JOB, run_id) as mine:
        if not mine:
            return CrossCheckRun.objects.get(pk=run_id)
        return _execute_run(run_id)


def _execute_run(run_id: int) -> CrossCheckRun:
    with transaction.atomic():
        run = CrossCheckRun.objects.select_for_update().get(pk=run_id)
        if run.status == RunStatus.RUNNING:  # interrupted: the extracts it froze, from where it got to
            by_id = Extract.objects.in_bulk(run.extracts or [])
            extracts = [by_id[pk] for pk in (run.extracts or []) if pk in by_id][run.sources_done :]
        elif run.status != RunStatus.QUEUED:
            return run
        else:
            extracts = selectors.latest_extracts()
            run.status = RunStatus.RUNNING
            run.started_at = timezone.now()
            run.extracts = [e.pk for e in extracts]
            run.sources_total = len(extracts)
            run.save(update_fields=["status", "started_at", "extracts", "sources_total"])
    try:
        run.beneficiaries = engine.count_beneficiaries()
        run.save(update_fields=["beneficiaries"])
        for extract in extracts:
            with transaction.atomic(), audit_context(run.started_by, action="cross_check", run=run.pk):
                made = engine.match_extract(run_id=run.pk, source_id=extract.source_id, extract_id=extract.pk)
                run.items_created += made
                run.sources_done += 1
                run.save(update_fields=["items_created", "sources_done"])
        run.status = RunStatus.DONE
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "finished_at"])
    except Exception as exc:
        log.exception("Cross-check run %s failed", run.pk)
        run.status = RunStatus.FAILED
        run.error = str(exc)[:1000]
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "error", "finished_at"])
    return run


# --- Review items -----------------------------------------------------------------------------


def _lock_item(actor: User, pk) -> ReviewItem:
    return get_in_scope(
        ReviewItem.objects.select_for_update(of=("self",)).select_related("source", "person"), actor, pk=pk
    )


def _reason(item: ReviewItem, note: str) -> str:
    text = _("Review item %(id)d: %(source)s lists %(name)s (line %(line)d of extract %(extract)d).") % {
        "id": item.pk,
        "source": str(item.source),
        "name": item.person.name,
        "line": item.row_line,
        "extract": item.extract_id,
    }
    return f"{text} {note}".strip()


def _ongoing_cases(person):
    """The person's ongoing benefit cases, with the services that suspend and end each (dibao first)."""
    from relief import services as relief
    from relief.models import DibaoCase, TekunCase
    from welfare import services as welfare
    from welfare.models import DisabilitySubsidyCase, OrphanCase

    return [
        (DibaoCase.objects.filter(members__person=person), relief.dibao_case_suspend, relief.dibao_case_terminate),
        (TekunCase.objects.filter(person=person), relief.tekun_case_suspend, relief.tekun_case_terminate),
        (OrphanCase.objects.filter(person=person), welfare.orphan_case_suspend, welfare.orphan_case_terminate),
        (
            DisabilitySubsidyCase.objects.filter(person=person),
            welfare.disability_subsidy_suspend,
            welfare.disability_subsidy_terminate,
        ),
    ]


OUTCOMES = ("suspend", "terminate")


@transaction.atomic
def review_item_confirm(*, actor: User, item: ReviewItem, note: str = "", outcome: str = "suspend") -> ReviewItem:
    """The hit is true: act on the benefits through their own services, the item as the reason.

    A death record: the death is recorded (``person_record_death``), and every benefit of the
    person stops from the month after the death (a dibao case goes on for the living members,
    its review due now). Any other source: each ongoing benefit is suspended (``outcome``
    ``suspend``: paid again if resumed) or ended from next month (``terminate``). The
    benefits' services check the actor's power; a refusal there leaves everything unchanged.
    """
    require_can(actor, "confirm", ReviewItem)
    item = _lock_item(actor, item.pk)
    REVIEW_MACHINE.target("confirm", item.status)
    note = clean_note(note)
    reason = _reason(item, note)
    if item.source.effect == Effect.DEATH:
        from people.services import person_record_death

        if item.person.death_date is None:
            person_record_death(actor=actor, person=item.person, death_date=item.event_date, note=reason)
    else:
        if outcome not in OUTCOMES:
            raise InvalidInput(_("Choose one of: %(choices)s.") % {"choices": ", ".join(OUTCOMES)}, field="outcome")
        for queryset, suspend, terminate in _ongoing_cases(item.person):
            # Fresh each time: suspending dibao also holds the members' living subsidies.
            if outcome == "suspend":
                for case in queryset.filter(status=CaseStatus.ACTIVE).order_by("id"):
                    suspend(actor=actor, case=case, note=reason[:1000])
            else:
                for case in queryset.filter(status__in=engine.ONGOING).order_by("id"):
                    terminate(actor=actor, case=case, note=reason[:1000])
    transition(
        item,
        "confirm",
        actor=actor,
        note=note,
        changes={"note": note, "decided_by": actor, "decided_at": timezone.now()},
    )
    return item


@transaction.atomic
def review_item_dismiss(*, actor: User, item: ReviewItem, note: str = "") -> ReviewItem:
    """The hit is not a reason to act (another person, already dealt with …): the reason is required."""
    require_can(actor, "dismiss", ReviewItem)
    item = _lock_item(actor, item.pk)
    REVIEW_MACHINE.target("dismiss", item.status)
    note = clean_note(note)
    if not note:
        raise InvalidInput(_("Say why the item is dismissed."), field="note")
    transition(
        item,
        "dismiss",
        actor=actor,
        note=note,
        changes={"note": note, "decided_by": actor, "decided_at": timezone.now()},
    )
    return item


# --- Restarted by the sweep (core/jobs.py) -----------------------------------------------------


def extract_requeue(extract_id: int) -> None:
    """An extract left ``validating`` with no sign of life (its task or its request lost): checked again."""
    Extract.objects.filter(pk=extract_id, status=ExtractStatus.VALIDATING).update(heartbeat_at=timezone.now())
    _enqueue_validation(extract_id)


def cross_check_run_requeue(run_id: int) -> None:
    """A run left queued or running with no sign of life: queued again (a running one resumes)."""
    CrossCheckRun.objects.filter(pk=run_id).update(heartbeat_at=timezone.now())
    _enqueue(run_id)

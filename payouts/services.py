"""Every write to payouts. Keyword-only, the actor named (``None``: the system — schedule, worker), audited.

Each service is one transaction except ``run_compute``, whose chunks commit one by one
(that is what makes progress visible and a killed worker's work resumable; see
``payouts/engine.py`` for why it stays exactly-once).

Who may do what: finance officers start runs (``PAYOUT_START``), approve a run someone
else started (``PAYOUT_APPROVE``, maker ≠ checker: the starter gets ``Forbidden``), and
export bank files and import bank returns (``PAYOUT_BANK_FILES``). Runs belong to the
city (``PayoutRun.division``): a user whose geography does not include it gets "not found".
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import logging
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from core import jobs
from core.audit import audit_context
from core.cases import (
    PAYMENTS_RETURNED,
    add_months,
    clean_note,
    current_month,
    month_str,
    parse_month,
    run_consequences,
)
from core.errors import Conflict, InvalidInput
from core.models import RevealLog, User
from core.permissions import require_can
from core.scoping import get_in_scope
from payouts import bankfiles, engine, selectors, signals
from payouts.models import (
    REQUEST_ACTION,
    RUN_MACHINE,
    BankExport,
    FileFormat,
    ImportOutcome,
    LineStatus,
    PayoutRun,
    PayoutScheme,
    ReturnImport,
    RunEvent,
    RunOrigin,
    RunStatus,
)
from payouts.permissions import require_restartable
from payouts.schemes import SCHEMES, MissingStandards, recurring_schemes

logger = logging.getLogger(__name__)

JOB_KIND = "payouts.run"  # its kind of background job (core/jobs.py)


# --- Moving a run ----------------------------------------------------------------------------------


def _target(run: PayoutRun, action: str) -> str:
    """The state ``action`` leads to, or ``Conflict`` naming the run's state."""
    if not RUN_MACHINE.can(action, run.status):
        raise Conflict(
            _("“%(action)s” is not possible while the run is “%(state)s”.")
            % {"action": RUN_MACHINE.action_label(action), "state": RUN_MACHINE.state_label(run.status)},
            code="invalid_transition",
        )
    return RUN_MACHINE.target(action, run.status)


def _move(run: PayoutRun, action: str, *, actor: User | None, note: str = "", changes: dict | None = None) -> RunEvent:
    """Move ``run`` by ``action`` with a compare-and-set update and write its event, in the caller's transaction."""
    source = run.status
    target = _target(run, action)
    fields = {"status": target, "updated_at": timezone.now(), **(changes or {})}
    with audit_context(actor, action=f"payouts.{action}"):
        moved = PayoutRun.objects.filter(pk=run.pk, status=source).update(**fields)
    if moved != 1:
        raise Conflict(
            _("Someone else changed this run a moment ago; reload it and try again."), code="invalid_transition"
        )
    for name, value in fields.items():
        setattr(run, name, value)
    return RunEvent.objects.create(
        run=run, action=action, from_state=source, to_state=target, actor=actor, note=clean_note(note)[:1000]
    )


def _enqueue(run_id: int) -> None:
    """Queue the computation once the transaction that made the run commits (never inside it)."""

    def send() -> None:
        from payouts.tasks import compute_run

        compute_run.delay(run_id)

    transaction.on_commit(send, robust=True)


def _lock(actor: User, pk) -> PayoutRun:
    """The run, inside the actor's geography (else ``NotFound``), locked for this transaction."""
    return get_in_scope(PayoutRun.objects.select_for_update(of=("self",)), actor, pk=pk)


def _insert_run(**values) -> int | None:
    """``INSERT … ON CONFLICT (scheme, period, sequence) DO NOTHING RETURNING id``: the new id, or None."""
    run = PayoutRun(**values)
    fields = [f for f in PayoutRun._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    params = [f.get_db_prep_save(f.pre_save(run, add=True), connection) for f in fields]
    sql = (
        f"INSERT INTO payouts_payoutrun ({columns}) VALUES ({placeholders}) "  # noqa: S608 - column names from the model
        "ON CONFLICT (scheme, period, sequence) DO NOTHING RETURNING id"
    )
    with connection.cursor() as cur:
        cur.execute(sql, params)
        row = cur.fetchone()
    return row[0] if row else None


# --- Requesting runs -------------------------------------------------------------------------------


def _scheme(code: str):
    scheme = SCHEMES.get(str(code or "").strip())
    if scheme is None:
        raise InvalidInput(_("Choose one of: %(choices)s.") % {"choices": ", ".join(SCHEMES)}, field="scheme")
    if not scheme.available():
        raise Conflict(scheme.unavailable_reason(), code="scheme_unavailable")
    return scheme


def _period(value) -> datetime.date:
    period = parse_month(value, field="period")
    earliest = parse_month(settings.PAYOUTS_EARLIEST_PERIOD)
    if period < earliest:
        raise InvalidInput(
            _("A run pays a month from %(earliest)s on: %(month)s is before any benefit this portal pays.")
            % {"earliest": month_str(earliest), "month": month_str(period)},
            field="period",
        )
    if period > current_month():
        raise InvalidInput(
            _("A month is paid once it has begun: %(month)s is in the future.") % {"month": month_str(period)},
            field="period",
        )
    return period


@transaction.atomic
def run_request(
    *, actor: User | None, scheme: str, period, origin: str = RunOrigin.MANUAL, note: str = ""
) -> tuple[PayoutRun, bool]:
    """The run of ``scheme`` for ``period``: created and queued the first time, the existing one after.

    Returns ``(run, created)``. Two requests at once cannot make two runs: the insert is
    ``ON CONFLICT DO NOTHING`` against ``UNIQUE (scheme, period, sequence)``.
    """
    if actor is not None:
        require_can(actor, "start", PayoutRun)
    implementation = _scheme(scheme)
    period = _period(period)
    note = clean_note(note)
    existing = PayoutRun.objects.filter(scheme=implementation.code, period=period, sequence=0).first()
    if existing is None:
        implementation.check_period(period)
    with audit_context(actor, action="payouts.request"):
        new_id = _insert_run(
            scheme=implementation.code,
            period=period,
            sequence=0,
            origin=origin,
            started_by=actor,
            status=RunStatus.QUEUED,
        )
    if new_id is None:
        return PayoutRun.objects.get(scheme=implementation.code, period=period, sequence=0), False
    run = PayoutRun.objects.get(pk=new_id)
    RunEvent.objects.create(
        run=run, action=REQUEST_ACTION, from_state="", to_state=run.status, actor=actor, note=note or origin
    )
    _enqueue(run.pk)
    return run, True


def monthly_runs_create(*, month: datetime.date | None = None) -> list[PayoutRun]:
    """The schedule's job: this month's run of every recurring scheme that can be paid (each its own transaction).

    The biggest runs (by last month's line count) are queued first, so that the workers taking
    them one by one finish together rather than one waiting on the largest run at the end.
    """
    month = month or current_month()
    last_month = dict(
        PayoutRun.objects.filter(period=add_months(month, -1), sequence=0).values_list("scheme", "line_count")
    )
    runs = []
    for scheme in sorted(recurring_schemes(), key=lambda s: -last_month.get(s.code, 0)):
        try:
            run, _created = run_request(actor=None, scheme=scheme.code, period=month, origin=RunOrigin.SCHEDULE)
        except Conflict as exc:
            logger.warning("payouts: no %s run for %s: %s", scheme.code, month_str(month), exc.message)
            continue
        runs.append(run)
    return runs


def price_index_recorded(*, month: datetime.date, actor_id: int | None = None) -> PayoutRun | None:
    """A price index was entered (relief calls this after its transaction commits): queue the month's subsidy run.

    Nothing happens when the month does not trigger. The run is the system's (the
    administrator who typed the index is named in its first event), so any finance
    officer may approve it.
    """
    note = _("Triggered by the price index of %(month)s") % {"month": month_str(month)}
    if actor_id:
        note += " " + _("(entered by user %(id)s)") % {"id": actor_id}
    try:
        run, _created = run_request(
            actor=None, scheme=PayoutScheme.PRICE_SUBSIDY, period=month, origin=RunOrigin.PRICE_INDEX, note=note
        )
    except (Conflict, InvalidInput) as exc:
        logger.info("payouts: no price subsidy run for %s: %s", month_str(month), exc.message)
        return None
    return run


@transaction.atomic
def follow_up_request(*, actor: User, run: PayoutRun, note: str = "") -> PayoutRun:
    """A follow-up run re-paying this month's failed lines whose bank account has since been corrected."""
    require_can(actor, "follow_up", PayoutRun)
    run = _lock(actor, run.pk)
    require_can(actor, "follow_up", run)
    repayable = selectors.repayable_lines(scheme=run.scheme, period=run.period)
    if not repayable.line_ids:
        raise Conflict(
            _("No failed line can be re-paid: %(n)d failed lines still wait for a corrected bank account.")
            % {"n": repayable.waiting},
            code="nothing_to_repay",
        )
    root = run.parent or run
    sequence = (
        PayoutRun.objects.filter(scheme=run.scheme, period=run.period).aggregate(m=Max("sequence"))["m"] or 0
    ) + 1
    with audit_context(actor, action="payouts.follow_up"):
        new_id = _insert_run(
            scheme=run.scheme,
            period=run.period,
            sequence=sequence,
            parent=root,
            origin=RunOrigin.FOLLOW_UP,
            started_by=actor,
            status=RunStatus.QUEUED,
        )
    if new_id is None:
        raise Conflict(_("Another follow-up run was created a moment ago; reload the page."), code="invalid_transition")
    follow_up = PayoutRun.objects.get(pk=new_id)
    RunEvent.objects.create(
        run=follow_up,
        action=REQUEST_ACTION,
        from_state="",
        to_state=follow_up.status,
        actor=actor,
        note=clean_note(note) or _("Re-pays failed lines of %(run)s") % {"run": str(run)},
    )
    _enqueue(follow_up.pk)
    return follow_up


# --- Computing (the worker) ------------------------------------------------------------------------


class _Abandoned(Exception):
    """The run stopped computing under us (restarted from the page): roll the chunk back and leave."""


def _plan(run: PayoutRun) -> dict:
    base = {"run": run.pk, "scheme": run.scheme, "period": run.period.isoformat(), "chunk_size": engine.chunk_size()}
    if run.sequence:
        repayable = selectors.repayable_lines(scheme=run.scheme, period=run.period, exclude_run=run.pk)
        ids = sorted(repayable.line_ids)
        passes = (
            [{"name": "follow_up", "table": "payouts_payoutline", "low": ids[0], "high": ids[-1] + 1}] if ids else []
        )
        return {**base, "follow_up": True, "lines": ids, "passes": passes}
    return {**base, **SCHEMES[run.scheme].plan(run.period)}


def _start(run_id: int, worker: str) -> PayoutRun | None:
    """queued → computing with a frozen plan; or → failed, saying which standards are missing."""
    with transaction.atomic():
        run = PayoutRun.objects.select_for_update().get(pk=run_id)
        if run.status != RunStatus.QUEUED:
            return run if run.status == RunStatus.COMPUTING else None
        now = timezone.now()
        plan = run.plan
        if plan is None:
            try:
                plan = _plan(run)
            except MissingStandards as exc:
                message = " ".join(exc.messages)
                _move(run, "fail", actor=None, note=message, changes={"error": message, "worker": worker})
                return None
            except Conflict as exc:
                _move(run, "fail", actor=None, note=str(exc.message), changes={"error": str(exc.message)})
                return None
        changes = {
            "plan": plan,
            "chunks_total": engine.count_chunks(plan),
            "computing_started_at": run.computing_started_at or now,
            "heartbeat_at": now,
            "worker": worker[:120],
            "error": "",
        }
        _move(run, "start", actor=None, note=worker, changes=changes)
        return run


def _finish(run_id: int) -> str:
    with transaction.atomic():
        run = PayoutRun.objects.select_for_update().get(pk=run_id)
        if run.status != RunStatus.COMPUTING:
            return "abandoned"
        engine.batch_settings()
        totals = engine.line_totals(run.pk)
        count, total = totals.count, totals.total
        if count != run.line_count or total != run.total_amount:
            message = _(
                "Control totals do not match: the lines add up to %(count)d lines and %(total)s, "
                "the computation counted %(run_count)d and %(run_total)s. Recompute the run."
            ) % {
                "count": count,
                "total": f"{total:.2f}",
                "run_count": run.line_count,
                "run_total": f"{run.total_amount:.2f}",
            }
            _move(run, "fail", actor=None, note=message, changes={"error": message})
            return "failed"
        now = timezone.now()
        _move(
            run,
            "finish",
            actor=None,
            changes={
                "computed_at": now,
                "heartbeat_at": now,
                "first_line_id": totals.first_id,
                "last_line_id": totals.last_id,
                "summary": selectors.review_summary(run),
            },
        )
    return "computed"


def _fail(run_id: int, message: str) -> None:
    with transaction.atomic():
        run = PayoutRun.objects.select_for_update().get(pk=run_id)
        if run.status in (RunStatus.QUEUED, RunStatus.COMPUTING):
            _move(run, "fail", actor=None, note=message[:1000], changes={"error": message[:4000]})


def _begin(run_id: int, worker: str) -> str | None:
    """Take the run into computation (start it, or resume an interrupted one); an outcome if there is nothing to do."""
    status = PayoutRun.objects.filter(pk=run_id).values_list("status", flat=True).first()
    if status is None:
        return "missing"
    if status == RunStatus.QUEUED:
        if _start(run_id, worker) is None:
            failed = PayoutRun.objects.filter(pk=run_id, status=RunStatus.FAILED).exists()
            return "failed" if failed else "done"
        return None
    if status == RunStatus.COMPUTING:
        with transaction.atomic():
            run = PayoutRun.objects.select_for_update().get(pk=run_id)
            changes = {"heartbeat_at": timezone.now(), "worker": worker[:120]}
            _move(run, "resume", actor=None, note=worker, changes=changes)
        return None
    return "done"


def run_compute(*, run_id: int, worker: str = "") -> str:
    """Compute a run's lines (the Celery task calls this). Safe to call any number of times, anywhere.

    Returns what happened: ``computed``, ``failed``, ``busy`` (another worker holds the
    run), ``done`` (nothing left to do), ``abandoned`` (restarted under us) or ``missing``.
    """
    with engine.run_lock(run_id, wait=jobs.lock_wait_seconds()) as got:
        if not got:
            return "busy"
        with jobs.heartbeat(PayoutRun._meta.db_table, run_id):
            return _compute(run_id, worker)


def _compute(run_id: int, worker: str) -> str:
    """``run_compute``'s work, under the run's lock and heartbeat."""
    outcome = _begin(run_id, worker)
    if outcome is not None:
        return outcome
    run = PayoutRun.objects.get(pk=run_id)
    try:
        for chunk in engine.chunks(run.plan, pass_index=run.pass_index, cursor=run.cursor):
            with transaction.atomic():
                result = engine.insert_chunk(run.plan, chunk)
                if not engine.record_chunk(run.pk, chunk, result, next_cursor=chunk.hi):
                    raise _Abandoned
            engine.pause()
        outcome = _finish(run.pk)
        if outcome == "computed":
            engine.refresh_statistics()
        return outcome
    except _Abandoned:
        return "abandoned"
    except (OperationalError, InterfaceError):
        raise  # the connection is gone: the run stays "computing" until restarted (it resumes where it was)
    except DatabaseError as exc:
        logger.exception("payouts: run %s failed", run_id)
        _fail(run_id, _("The computation stopped with a database error: %(error)s") % {"error": exc})
        return "failed"


# --- Restarting and recomputing --------------------------------------------------------------------


def stuck_after() -> datetime.timedelta:
    """No sign of life for this long: stuck (``JOBS_STALE_SECONDS``, the sweep's rule for every job)."""
    return jobs.stale_after()


@transaction.atomic
def run_restart(*, actor: User | None, run: PayoutRun, note: str = "") -> PayoutRun:
    """Queue a failed or stuck run again; it resumes from where it got to (its plan and lines are kept).

    A run counts as stuck when no worker holds it and it has shown no sign of life for
    ``JOBS_STALE_SECONDS``. A run a worker is computing now is refused.
    """
    if actor is not None:
        require_can(actor, "restart", PayoutRun)
        run = _lock(actor, run.pk)
        require_can(actor, "restart", run)
    else:  # the schedule's sweep: no one's role to check, the same rule of the state
        run = PayoutRun.objects.select_for_update().get(pk=run.pk)
        _target(run, "restart")
        require_restartable(run)
    if not engine.lock_is_free(run.pk):
        raise Conflict(_("A worker is computing this run right now."), code="still_computing")
    _move(run, "restart", actor=actor, note=note, changes={"error": "", "heartbeat_at": None})
    _enqueue(run.pk)
    return run


@transaction.atomic
def run_recompute(*, actor: User, run: PayoutRun, note: str = "") -> PayoutRun:
    """Throw a computed (not yet approved) or failed run's lines away and compute it afresh with today's data."""
    require_can(actor, "recompute", PayoutRun)
    run = _lock(actor, run.pk)
    require_can(actor, "recompute", run)
    if not engine.lock_is_free(run.pk):
        raise Conflict(_("A worker is computing this run right now."), code="still_computing")
    run.lines.all().delete()
    _move(
        run,
        "recompute",
        actor=actor,
        note=note,
        changes={
            "plan": None,
            "pass_index": 0,
            "cursor": None,
            "chunks_total": 0,
            "chunks_done": 0,
            "line_count": 0,
            "total_amount": Decimal(0),
            "skipped_count": 0,
            "computing_started_at": None,
            "computed_at": None,
            "heartbeat_at": None,
            "first_line_id": None,
            "last_line_id": None,
            "summary": None,
            "error": "",
        },
    )
    _enqueue(run.pk)
    return run


def stuck_runs_restart() -> list[int]:
    """The sweep (``core.jobs``): queue again every job left without a sign of life; the runs among them."""
    return [pk for kind, pk in jobs.sweep() if kind == JOB_KIND]


def sweep_restart(run_id: int) -> None:
    """``core.jobs``' restart of a run (queued or computing, stale, nobody holding it): queued again, it resumes."""
    run_restart(actor=None, run=PayoutRun(pk=run_id), note=_("Restarted by the sweep: no sign of life."))


# --- Approval --------------------------------------------------------------------------------------


@transaction.atomic
def run_approve(*, actor: User, run: PayoutRun, note: str = "") -> PayoutRun:
    """A second finance officer approves the computed run (maker ≠ checker); its control totals are frozen."""
    require_can(actor, "approve", PayoutRun)
    run = _lock(actor, run.pk)
    require_can(actor, "approve", run)
    engine.batch_settings()
    totals = engine.line_totals(run.pk)
    count, total = totals.count, totals.total
    if count != run.line_count or total != run.total_amount:
        raise Conflict(
            _("The run's lines no longer add up to its control totals; recompute it."), code="control_totals_mismatch"
        )
    _move(
        run,
        "approve",
        actor=actor,
        note=note,
        changes={
            "approved_by": actor,
            "approved_at": timezone.now(),
            "approved_line_count": count,
            "approved_total": total,
        },
    )
    signals.run_approved.send(sender=PayoutRun, run=run)  # subscribers fold it in, in this transaction
    return run


# --- Bank files ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportedFile:
    path: str  # a temporary file, deleted when the response is closed
    filename: str
    content_type: str
    line_count: int
    total: Decimal


@transaction.atomic
def run_export(*, actor: User, run: PayoutRun, file_format: str = FileFormat.CSV, ip_address: str | None = None):
    """The bank's payment file of an approved run (CSV or XLSX), checked against the approved control totals.

    The one place full bank accounts leave the portal: each export is logged
    (``BankExport`` with the file's SHA-256, and the reveal log). A run whose returns are
    being recorded is not exported again (the bank would be asked to pay twice).
    """
    require_can(actor, "export", PayoutRun)
    run = _lock(actor, run.pk)
    file_format = str(file_format or FileFormat.CSV).lower()
    if file_format not in FileFormat.values:
        raise InvalidInput(_("Choose csv or xlsx."), field="format")
    if run.status not in (RunStatus.APPROVED, RunStatus.EXPORTED):
        raise Conflict(
            _("Only an approved run can be exported; this one is “%(state)s”.") % {"state": run.status_label()},
            code="not_approved",
        )
    if run.lines.exclude(status=LineStatus.PENDING).exists():
        raise Conflict(
            _("The bank's returns are already being recorded for this run: it is not exported again."),
            code="returns_recorded",
        )
    engine.batch_settings()
    written = bankfiles.write_payment_file(run, file_format)
    try:
        if written.line_count != run.approved_line_count or written.total != run.approved_total:
            raise Conflict(
                _(
                    "Control totals do not match: the file has %(count)d lines and %(total)s, "
                    "%(a_count)d and %(a_total)s were approved."
                )
                % {
                    "count": written.line_count,
                    "total": f"{written.total:.2f}",
                    "a_count": run.approved_line_count,
                    "a_total": f"{run.approved_total:.2f}",
                },
                code="control_totals_mismatch",
            )
        with audit_context(actor, action="payouts.export"):
            BankExport.objects.create(
                run=run,
                actor=actor,
                file_format=file_format,
                line_count=written.line_count,
                total_amount=written.total,
                sha256=written.sha256,
                ip_address=ip_address,
            )
            RevealLog.objects.create(
                actor=actor,
                model="payouts.PayoutRun",
                object_id=str(run.pk),
                field="bank_account",
                reason=f"bank file {file_format} ({written.line_count} lines)",
                ip_address=ip_address,
            )
        _move(
            run,
            "export",
            actor=actor,
            note=f"{file_format} {written.sha256[:12]}",
            changes={
                "exported_by": actor,
                "exported_at": timezone.now(),
            },
        )
    except BaseException:
        written.discard()  # refused or rolled back: no file leaves, none is left behind
        raise
    return ExportedFile(
        path=written.path,
        filename=f"{run.reference}-{run.scheme}-{run.period:%Y-%m}.{file_format}",
        content_type=bankfiles.CONTENT_TYPES[file_format],
        line_count=written.line_count,
        total=written.total,
    )


def account_digest(account: str) -> str:
    """A keyed digest of a bank account: tells "corrected since it failed" without keeping the number."""
    return hmac.new(settings.SECRET_KEY.encode(), (account or "").strip().encode(), hashlib.sha256).hexdigest()


MAX_REPORTED_ERRORS = 1000


def stamp(cursor, at, *, return_import: int | None = None) -> None:
    """Tell the lines' status trigger the application's clock and the return file of the next statements.

    The trigger (``payouts.models.LINE_TRIGGERS``) dates each status change with ``at`` (the
    application's ``timezone.now()``: black-box tests move the server's clock, not the
    database's) and names the file; ``stamp(cursor, None)`` clears both. Transaction-local.
    """
    cursor.execute(
        "SELECT set_config('civil_affairs.now', %s, true), set_config('payouts.return_import', %s, true)",
        [at.isoformat() if at else "", str(return_import) if return_import else ""],
    )


@transaction.atomic
def run_import_returns(*, actor: User, run: PayoutRun, filename: str, content: bytes) -> ReturnImport:
    """Record the bank's return file: every row applies, or nothing does.

    Refused as a whole (outcome ``refused``, with a per-row error report) when the file is
    unreadable, names another run's batch, a line this run does not have, an amount that
    differs from the line's, an unknown result, the same line twice, or a line already
    settled otherwise. Accepted: paid lines become ``paid``, failed ones ``failed`` with the
    bank's reason; once no line is pending the run is ``reconciled``.
    """
    require_can(actor, "record_returns", PayoutRun)
    run = _lock(actor, run.pk)
    require_can(actor, "record_returns", run)
    sha256 = hashlib.sha256(content).hexdigest()
    filename = (filename or "returns")[:200]

    def refuse(errors: list[dict], rows: int = 0) -> ReturnImport:
        with audit_context(actor, action="payouts.import_returns"):
            return ReturnImport.objects.create(
                run=run,
                actor=actor,
                filename=filename,
                sha256=sha256,
                outcome=ImportOutcome.REFUSED,
                rows=rows,
                errors=errors[:MAX_REPORTED_ERRORS],
            )

    try:
        rows = bankfiles.read_return_file(filename, content)
    except bankfiles.UnreadableFile as exc:
        return refuse([{"row": None, "field": "file", "message": str(exc)}])
    checked = selectors.check_returns(run, rows)
    if checked.errors:
        return refuse(checked.errors, rows=len(rows))
    failed = {(line.household_id, line.source_id) for line in checked.changes if line.status == LineStatus.FAILED}
    accounts = selectors.payee_accounts(run.scheme, failed)  # the account that failed: a follow-up waits for another
    updates = [
        (
            line.line_id,
            line.status,
            line.reason,
            account_digest(accounts.get((line.household_id, line.source_id), ""))
            if line.status == LineStatus.FAILED
            else "",
        )
        for line in checked.changes
    ]
    now = timezone.now()
    paid = sum(1 for u in updates if u[1] == LineStatus.PAID)
    with audit_context(actor, action="payouts.import_returns"):
        record = ReturnImport.objects.create(
            run=run,
            actor=actor,
            filename=filename,
            sha256=sha256,
            outcome=ImportOutcome.ACCEPTED,
            rows=len(rows),
            paid=paid,
            failed=len(updates) - paid,
            unchanged=checked.unchanged,
        )
        if updates:
            # One statement for the whole file; the lines' trigger writes each line's status change
            # (LineStatusEvent) with this user, this file and the application's clock.
            with connection.cursor() as cur:
                stamp(cur, now, return_import=record.pk)
                cur.execute(
                    """
                    UPDATE payouts_payoutline l
                       SET status = v.status, failure_reason = v.reason, failed_account_digest = v.digest,
                           settled_at = %s
                      FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[]) AS v(id, status, reason, digest)
                     WHERE l.id = v.id AND l.run_id = %s AND l.status = 'pending'
                    """,
                    [
                        now,
                        [u[0] for u in updates],
                        [u[1] for u in updates],
                        [u[2] for u in updates],
                        [u[3] for u in updates],
                        run.pk,
                    ],
                )
                changed = cur.rowcount
                stamp(cur, None)
            if changed != len(updates):
                raise Conflict(
                    _("Lines changed while the return was recorded; import it again."), code="concurrent_change"
                )
    note = _("%(file)s: %(paid)d paid, %(failed)d failed") % {
        "file": filename,
        "paid": paid,
        "failed": len(updates) - paid,
    }
    if paid < len(updates):
        run_consequences(PAYMENTS_RETURNED, run=run, actor=actor)  # failed twice in a row: a warning (monitoring)
    if run.lines.filter(status=LineStatus.PENDING).exists():
        _move(run, "record_returns", actor=actor, note=note)
    else:
        _move(run, "reconcile", actor=actor, note=note, changes={"reconciled_at": now})
    return record

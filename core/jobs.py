"""Background jobs a killed worker cannot lose: one lock per job, a heartbeat, a sweep, live workers.

A *job* is a row whose work a Celery task does — a payout run, an import, a data-check extract,
a cross-check run. Core knows none of them: each app registers its kind in ``AppConfig.ready``::

    from core import jobs

    jobs.register(
        "imports.job",
        model=ImportJob,
        running=["validating", "committing"],   # the states in which a worker should be at it
        restart=services.import_requeue,        # restart(pk): queue it again (in the caller's transaction)
    )

and the job's work runs inside ``with jobs.running("imports.job", pk) as mine:`` (``mine`` is
False when another process holds the job: leave it alone). The model has a ``heartbeat_at``
column (set when the job is queued) and, for the sweep's fallback, the field named ``since``.

How a job survives a killed worker, whatever the moment of the kill:

1. **Redelivery** (Celery settings): ``acks_late`` + ``task_reject_on_worker_lost`` — a pool
   process killed mid-task has its message requeued at once by the worker's main process.
2. **One holder at a time**: ``running`` takes the job's PostgreSQL session advisory lock; the
   server drops it with the connection. The backend of a killed process may still be inside the
   statement it was running — ``client_connection_check_interval`` (settings) makes PostgreSQL
   notice the client is gone and end it within seconds, and a redelivered task waits up to
   ``JOBS_LOCK_WAIT_SECONDS`` for the lock instead of leaving at once.
3. **A heartbeat**: while the job runs, a thread of the same process writes ``heartbeat_at``
   every ``JOBS_HEARTBEAT_SECONDS`` on its own connection, so even one long statement or one long
   transaction keeps it fresh. The thread dies with the process.
4. **The sweep** (``sweep``): every job in a running state whose heartbeat is older than
   ``JOBS_STALE_SECONDS`` and whose lock is free is restarted (queued again; it resumes where it
   got to). It runs in **every worker** — once when the worker is ready and then every
   ``JOBS_SWEEP_SECONDS``, in a thread of the worker's main process (``start_worker_sweeper``),
   so no beat is needed — and from beat as well (``core.sweep_jobs``). A whole worker killed: its
   jobs' heartbeats stop, and the next sweep of any worker (or of the next one to start) restarts
   them.
5. **Live workers**: the same thread keeps the worker's row in ``WorkerBeat`` fresh; a page
   showing a job in progress says it is waiting for a worker when no row is
   (``{% load jobs %}{% waiting_for_worker %}``).
"""

from __future__ import annotations

import datetime
import logging
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, connection, connections, transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

log = logging.getLogger(__name__)


# --- Settings ----------------------------------------------------------------------------------------


def heartbeat_seconds() -> float:
    return float(getattr(settings, "JOBS_HEARTBEAT_SECONDS", 10))


def stale_after() -> datetime.timedelta:
    return datetime.timedelta(seconds=float(getattr(settings, "JOBS_STALE_SECONDS", 120)))


def sweep_seconds() -> float:
    return float(getattr(settings, "JOBS_SWEEP_SECONDS", 30))


def lock_wait_seconds() -> float:
    return float(getattr(settings, "JOBS_LOCK_WAIT_SECONDS", 30))


# --- The registry ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class JobKind:
    name: str
    model: type
    running: tuple[str, ...]
    restart: Callable[[int], object]
    since: str
    namespace: int

    @property
    def table(self) -> str:
        return self.model._meta.db_table


_KINDS: dict[str, JobKind] = {}


def namespace_of(name: str) -> int:
    """The first key of the kind's advisory locks (a stable 31-bit number from its name)."""
    return zlib.crc32(name.encode()) & 0x7FFFFFFF


def register(
    name: str,
    *,
    model: type,
    running: list[str] | tuple[str, ...],
    restart: Callable[[int], object],
    since: str = "updated_at",
    namespace: int | None = None,
) -> JobKind:
    """Declare a kind of job (see the module's docstring). ``namespace``: the lock key a kind already uses."""
    kind = JobKind(
        name=name,
        model=model,
        running=tuple(running),
        restart=restart,
        since=since,
        namespace=namespace_of(name) if namespace is None else namespace,
    )
    _KINDS[name] = kind
    return kind


def kinds() -> list[JobKind]:
    return list(_KINDS.values())


# --- One holder at a time ----------------------------------------------------------------------------


def _try_lock(namespace: int, pk: int) -> bool:
    with connection.cursor() as cur:
        cur.execute("SELECT pg_try_advisory_lock(%s, %s)", [namespace, int(pk)])
        return bool(cur.fetchone()[0])


@contextmanager
def advisory_lock(namespace: int, pk: int, *, wait: float = 0) -> Iterator[bool]:
    """The session advisory lock ``(namespace, pk)`` for the block, waiting up to ``wait`` seconds for it."""
    deadline = time.monotonic() + max(0.0, wait)
    got = _try_lock(namespace, pk)
    while not got and time.monotonic() < deadline:
        time.sleep(min(0.5, max(0.05, deadline - time.monotonic())))
        got = _try_lock(namespace, pk)
    try:
        yield got
    finally:
        if got and connection.connection is not None:
            try:
                with connection.cursor() as cur:
                    cur.execute("SELECT pg_advisory_unlock(%s, %s)", [namespace, int(pk)])
            except DatabaseError:  # the connection broke: the server released the lock with it
                pass


def lock_is_free(namespace: int, pk: int) -> bool:
    """Whether no process holds the job now; when free it stays taken until the current transaction ends."""
    with connection.cursor() as cur:
        cur.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [namespace, int(pk)])
        return bool(cur.fetchone()[0])


class _Heartbeat(threading.Thread):
    """Writes ``heartbeat_at = now`` on the job's row every interval, on this thread's own connection."""

    def __init__(self, table: str, pk: int, interval: float):
        super().__init__(name=f"heartbeat {table} {pk}", daemon=True)
        self.table, self.pk, self.interval = table, int(pk), interval
        self.done = threading.Event()

    def run(self) -> None:
        try:
            while not self.done.wait(self.interval):
                try:
                    with connection.cursor() as cur:
                        # Never queue behind the job's own transaction holding the row: skip this beat
                        # (the job's lock says it is alive meanwhile).
                        cur.execute("SET lock_timeout = '500ms'")
                        cur.execute(
                            f"UPDATE {connection.ops.quote_name(self.table)} SET heartbeat_at = %s WHERE id = %s",  # noqa: S608 - a model's table
                            [timezone.now(), self.pk],
                        )
                except DatabaseError as exc:
                    log.info("jobs: heartbeat of %s %s skipped: %s", self.table, self.pk, exc)
        finally:
            connections.close_all()  # this thread's connection only


@contextmanager
def heartbeat(table: str, pk: int) -> Iterator[None]:
    """Keep ``table``'s row ``pk`` showing a fresh heartbeat for the block (nothing when the interval is 0)."""
    interval = heartbeat_seconds()
    if interval <= 0:
        yield
        return
    beat = _Heartbeat(table, pk, interval)
    beat.start()
    try:
        yield
    finally:
        beat.done.set()
        beat.join(timeout=5)


@contextmanager
def running(name: str, pk: int, *, wait: float | None = None) -> Iterator[bool]:
    """Hold job ``pk`` of kind ``name`` for the block (its lock and its heartbeat). Yields whether it is ours.

    A job held by another process waits up to ``wait`` seconds (``JOBS_LOCK_WAIT_SECONDS``) for
    its lock: the holder may be the server side of a process just killed, about to be ended.
    """
    kind = _KINDS[name]
    with advisory_lock(kind.namespace, pk, wait=lock_wait_seconds() if wait is None else wait) as got:
        if not got:
            yield False
            return
        with heartbeat(kind.table, pk):
            yield True


# --- The sweep ---------------------------------------------------------------------------------------


def last_sign_of_life(job, *, since: str = "updated_at"):
    return getattr(job, "heartbeat_at", None) or getattr(job, since, None)


def is_stale(job, *, since: str = "updated_at") -> bool:
    """No sign of life for ``JOBS_STALE_SECONDS`` (the lock says whether someone still holds it)."""
    last = last_sign_of_life(job, since=since)
    return last is not None and timezone.now() - last > stale_after()


def stale_ids(kind: JobKind, *, limit: int = 200) -> list[int]:
    cutoff = timezone.now() - stale_after()
    return list(
        kind.model.objects.filter(status__in=kind.running)
        .annotate(_last_sign=Coalesce(F("heartbeat_at"), F(kind.since)))
        .filter(_last_sign__lt=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


def sweep() -> list[tuple[str, int]]:
    """Restart every job of every kind left in a running state with a stale heartbeat and nobody holding it.

    Safe anywhere and in any number of processes at once: each restart happens under the job's
    lock (held to the end of its transaction, so the task it queues cannot start before), and the
    kind's ``restart`` checks the job's state again under its row lock.
    """
    restarted: list[tuple[str, int]] = []
    for kind in kinds():
        for pk in stale_ids(kind):
            try:
                with transaction.atomic():
                    if not lock_is_free(kind.namespace, pk):
                        continue
                    job = kind.model.objects.select_for_update().filter(pk=pk, status__in=kind.running).first()
                    if job is None or not is_stale(job, since=kind.since):
                        continue
                    kind.restart(pk)
            except Exception:  # one job's trouble must not stop the others' restart
                log.exception("jobs: restarting %s %s failed", kind.name, pk)
                continue
            log.warning("jobs: %s %s showed no sign of life for %s: restarted", kind.name, pk, stale_after())
            restarted.append((kind.name, pk))
    return restarted


# --- Live workers ------------------------------------------------------------------------------------


def worker_beat(name: str) -> None:
    """Say worker ``name`` is alive for three sweep intervals."""
    from core.models import WorkerBeat

    now = timezone.now()
    WorkerBeat.objects.update_or_create(
        name=name[:200], defaults={"seen_at": now, "expires_at": now + datetime.timedelta(seconds=3 * sweep_seconds())}
    )


def worker_gone(name: str) -> None:
    from core.models import WorkerBeat

    WorkerBeat.objects.filter(name=name[:200]).delete()


def workers_alive() -> bool:
    """Whether any worker said it was alive recently (always True when tasks run in the caller: eager mode)."""
    from core.models import WorkerBeat

    if getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
        return True
    return WorkerBeat.objects.filter(expires_at__gt=timezone.now()).exists()


class WorkerSweeper(threading.Thread):
    """In a worker's main process: its sign of life and the sweep, at once and every ``JOBS_SWEEP_SECONDS``."""

    def __init__(self, worker_name: str):
        super().__init__(name="jobs sweeper", daemon=True)
        self.worker_name = worker_name
        self.done = threading.Event()

    def run(self) -> None:
        while True:
            try:
                worker_beat(self.worker_name)
                sweep()
            except Exception:
                log.exception("jobs: the worker's sweep failed")
            finally:
                # No connection left open between sweeps (nor inherited by pool processes forked meanwhile).
                connections.close_all()
            if self.done.wait(max(0.2, sweep_seconds())):
                break
        try:
            worker_gone(self.worker_name)
        except Exception:
            log.exception("jobs: could not remove the worker's sign of life")
        finally:
            connections.close_all()


_SWEEPER: dict[str, WorkerSweeper] = {}  # this process's sweeper thread, once started


def start_worker_sweeper(worker_name: str) -> WorkerSweeper | None:
    """Start this worker's sweeper (the ``worker_ready`` signal); nothing when ``JOBS_SWEEP_SECONDS`` is 0."""
    if sweep_seconds() <= 0:
        return None
    if "thread" not in _SWEEPER:
        _SWEEPER["thread"] = WorkerSweeper(worker_name)
        _SWEEPER["thread"].start()
    return _SWEEPER["thread"]


def stop_worker_sweeper() -> None:
    """Stop it and remove the worker's sign of life (the ``worker_shutdown`` signal)."""
    sweeper = _SWEEPER.pop("thread", None)
    if sweeper is not None:
        sweeper.done.set()
        sweeper.join(timeout=10)

"""The payout engine: a run's lines, written set-based, chunk by chunk, exactly once.

How "exactly once" holds, whatever Celery does (a task delivered twice, re-queued, or its
worker killed half-way):

1. **One computer per run.** ``run_lock`` takes a PostgreSQL session advisory lock keyed
   by the run; a second worker that gets the same run finds it taken and leaves (after
   waiting a moment: the holder may be a killed worker whose backend is being ended). The
   lock belongs to the worker's database connection, so a killed worker releases it when the
   server notices its connection dropped (``core/jobs.py``: within seconds, even mid-statement).
2. **Idempotent chunks.** Each chunk is one ``INSERT … SELECT`` over an id range of the
   driving table, and the run's cursor, progress and running totals move in the *same*
   transaction. A chunk is either fully written and recorded, or not at all; a resumed run
   starts at the recorded cursor, and even a chunk written twice inserts nothing the second
   time: ``UNIQUE (period, scheme, beneficiary)`` over the lines that have not failed
   (``UNIQUE (source_id)`` of a temporary-relief claim: a claim is paid once). The
   chunk is first written as a plain insert (in a savepoint); only if that meets a line
   already there is it written again with ``ON CONFLICT DO NOTHING``, which skips those
   lines. The conflict clause costs a quarter of a chunk's time on every line, and a
   normal chunk never conflicts; the unique key, not the clause, is what forbids a second
   line. Passes that overlap by design (a person in two groups of the price-linked
   subsidy) use the clause from the start.
3. **A frozen plan.** The rates and id ranges are fixed when computation starts and kept
   on the run, so a resumed run prices the rest exactly as the first part.
4. **Control totals.** The running count and sum are checked against the lines at the end.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from core import jobs
from payouts.models import LIVE_KEYS, conflict_target
from payouts.schemes import FOLLOW_UP, LINE_COLUMNS, SCHEMES

LOCK_NAMESPACE = 0x50415930  # "PAY0": the first key of every payout run lock


def chunk_size() -> int:
    return max(1, int(getattr(settings, "PAYOUTS_CHUNK_SIZE", 50_000)))


def chunk_pause() -> float:
    return float(getattr(settings, "PAYOUTS_CHUNK_PAUSE_SECONDS", 0) or 0)


@contextmanager
def run_lock(run_id: int, *, wait: float = 0) -> Iterator[bool]:
    """Hold the run's advisory lock for the block (session level: it outlives the block's transactions).

    ``wait``: seconds to wait for a holder to let go (a redelivered task after its first worker was
    killed: the server ends the dead client's backend within seconds; see ``core/jobs.py``).
    """
    with jobs.advisory_lock(LOCK_NAMESPACE, int(run_id), wait=wait) as got:
        yield got


def lock_is_free(run_id: int) -> bool:
    """Whether no worker computes the run now; when free, it stays taken until the current transaction ends."""
    with connection.cursor() as cur:
        cur.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, int(run_id)])
        return cur.fetchone()[0]


@dataclass(frozen=True)
class Chunk:
    pass_index: int
    name: str
    lo: int
    hi: int


def chunks(plan: dict, *, pass_index: int = 0, cursor: int | None = None) -> Iterator[Chunk]:
    """The chunks still to do, from ``(pass_index, cursor)`` on."""
    size = plan.get("chunk_size") or chunk_size()
    for index, p in enumerate(plan["passes"]):
        if index < pass_index:
            continue
        start = cursor if (index == pass_index and cursor is not None) else p["low"]
        lo = start
        while lo < p["high"]:
            hi = min(lo + size, p["high"])
            yield Chunk(index, p["name"], lo, hi)
            lo = hi


def count_chunks(plan: dict) -> int:
    size = plan.get("chunk_size") or chunk_size()
    return sum(-(-(p["high"] - p["low"]) // size) for p in plan["passes"])


def _implementation(plan: dict):
    return FOLLOW_UP if plan.get("follow_up") else SCHEMES[plan["scheme"]]


def batch_settings() -> None:
    """Planner settings for the rest of the current transaction, for statements over one run's lines.

    No JIT (compiling a chunk's plan costs more than running it: the planner overestimates the
    joins on the rates table); room to sort and hash in memory; index lookups priced as what
    they are here (a run's rows out of a table of millions, the index in cache), not as cold
    random reads that make a scan of every month's lines look cheaper.
    """
    with connection.cursor() as cur:
        cur.execute("SET LOCAL jit = off; SET LOCAL work_mem = '64MB'; SET LOCAL random_page_cost = 1.1")


@dataclass(frozen=True)
class ChunkResult:
    selected: int
    inserted: int
    amount: Decimal


def insert_chunk(plan: dict, chunk: Chunk) -> ChunkResult:
    """Write one chunk's lines. Returns how many rows the scheme selected, how many were new, and their sum.

    A plain insert first; if a line is already there (the chunk, or part of it, was written
    before), the same chunk again with ``ON CONFLICT DO NOTHING``.
    """
    implementation = _implementation(plan)
    select_sql, params = implementation.chunk_sql(plan, chunk.name, chunk.lo, chunk.hi)
    batch_settings()
    if not implementation.may_overlap(plan, chunk.pass_index):
        try:
            with transaction.atomic():  # a savepoint: a conflict undoes this attempt only
                return _insert(select_sql, params, skip_existing=False)
        except IntegrityError as exc:
            if getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None) not in LIVE_KEYS:
                raise
    return _insert(select_sql, params, skip_existing=True, scheme=plan["scheme"])


def _insert(select_sql: str, params: list, *, skip_existing: bool, scheme: str = "") -> ChunkResult:
    if not skip_existing:
        # Every row selected is written, or the statement fails: the count selected is the count written.
        sql = f"""
            WITH ins AS (
                INSERT INTO payouts_payoutline ({LINE_COLUMNS})
                {select_sql}
                RETURNING amount
            )
            SELECT count(*), count(*), COALESCE(sum(amount), 0) FROM ins
        """  # noqa: S608 - fixed fragments; values are parameters
    else:
        sql = f"""
            WITH sel AS MATERIALIZED ({select_sql}),
            ins AS (
                INSERT INTO payouts_payoutline ({LINE_COLUMNS})
                SELECT * FROM sel
                ON CONFLICT {conflict_target(scheme)} DO NOTHING
                RETURNING amount
            )
            SELECT (SELECT count(*) FROM sel), count(*), COALESCE(sum(amount), 0) FROM ins
        """  # noqa: S608 - fixed fragments; values are parameters
    with connection.cursor() as cur:
        cur.execute(sql, params)
        selected, inserted, amount = cur.fetchone()
    return ChunkResult(selected=selected, inserted=inserted, amount=amount)


def record_chunk(run_id: int, chunk: Chunk, result: ChunkResult, *, next_cursor: int) -> bool:
    """Move the run's cursor, progress and running totals; False if the run is no longer computing."""
    with connection.cursor() as cur:
        cur.execute(
            """
            UPDATE payouts_payoutrun
               SET pass_index = %s, cursor = %s, chunks_done = chunks_done + 1,
                   line_count = line_count + %s, total_amount = total_amount + %s,
                   skipped_count = skipped_count + %s, heartbeat_at = %s
             WHERE id = %s AND status = 'computing'
            """,
            [
                chunk.pass_index,
                next_cursor,
                result.inserted,
                result.amount,
                result.selected - result.inserted,
                timezone.now(),  # the application's clock, as the staleness check reads it
                run_id,
            ],
        )
        return cur.rowcount == 1


@dataclass(frozen=True)
class LineTotals:
    count: int
    total: Decimal
    first_id: int | None
    last_id: int | None


def line_totals(run_id: int) -> LineTotals:
    """Count, sum and id range of a run's lines, counted from the lines themselves."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*), COALESCE(sum(amount), 0), min(id), max(id) FROM payouts_payoutline WHERE run_id = %s",
            [run_id],
        )
        return LineTotals(*cur.fetchone())


def refresh_statistics() -> None:
    """Fresh planner statistics for the line table after a run wrote its (up to millions of) lines.

    Without them PostgreSQL believes the new month has no lines and picks plans that compare every
    line with every other (the review's comparisons with last month). Only the key columns are
    sampled: a fifth of a second at three million lines.
    """
    from core.db.roles import analyze  # ANALYZE is the owner's: the application role asks through its function

    analyze("payouts_payoutline", ["run_id", "period", "scheme", "beneficiary_id", "status"])


def pause() -> None:
    seconds = chunk_pause()
    if seconds > 0:
        time.sleep(seconds)

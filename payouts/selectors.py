"""Reads of payouts: runs and lines in scope, the review (totals, differences from last month), checks.

Heavy reads are single SQL statements over the run's lines (grouped, joined, limited);
nothing here loads a run's lines into Python except the lines a page shows.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import history
from core.cases import add_months, month_str
from core.models import Division, User
from core.money import money_str
from core.scoping import get_in_scope, scope, sees_all
from payouts.bankfiles import ReturnRow
from payouts.models import (
    PER_CASE_SCHEMES,
    LineActorKind,
    LineStatus,
    LineStatusEvent,
    PayoutLine,
    PayoutRun,
    PayoutScheme,
    ReturnImport,
    RunStatus,
)
from people.models import Household, Person

DIFF_LIMIT = 50


# --- Runs and lines ----------------------------------------------------------------------------------


def run_list(
    *, user: User, scheme: str = "", status: str = "", period: str | datetime.date = "", to_approve: bool = False
) -> QuerySet[PayoutRun]:
    """Runs the user may see; ``to_approve``: computed runs this user did not start (the checker's queue)."""
    qs = scope(PayoutRun.objects.select_related("started_by", "approved_by"), user)
    if to_approve:
        qs = qs.filter(status=RunStatus.COMPUTED).exclude(started_by=user)
    if scheme:
        qs = qs.filter(scheme=scheme)
    if status:
        qs = qs.filter(status=status)
    if period:
        qs = qs.filter(period=period)
    return qs.order_by("-period", "scheme", "sequence", "-id")


def run_get(*, user: User, pk) -> PayoutRun:
    return get_in_scope(
        PayoutRun.objects.select_related("started_by", "approved_by", "exported_by", "parent"), user, pk=pk
    )


def _division_prefix(division: str) -> str:
    """The division code a line list is narrowed to; ``""`` for none (no code, or the whole city's)."""
    division = (division or "").strip()
    return "" if division == "370200" else division


def line_list(*, user: User, run: PayoutRun, status: str = "", division: str = "") -> QuerySet[PayoutLine]:
    """A run's lines in scope, in id order (no joins: a page's people are fetched for the page, ``lines_page``)."""
    first, last = id_range(run)
    qs = scope(PayoutLine.objects.filter(run=run, id__gte=first, id__lte=last), user)
    if status:
        qs = qs.filter(status=status)
    division = _division_prefix(division)
    if division:
        upper = division[:-1] + chr(ord(division[-1]) + 1)
        qs = qs.filter(division_id__gte=division, division_id__lt=upper)
    return qs.order_by("id")


# A run in these states has all its lines, checked against its control totals, and gains or loses none.
RUN_LINES_FINAL = (RunStatus.COMPUTED, RunStatus.APPROVED, RunStatus.EXPORTED, RunStatus.RECONCILED)


def line_list_count(*, user: User, run: PayoutRun, status: str = "", division: str = "") -> int | None:
    """How many lines ``line_list`` gives, when the run already knows it without counting them; else ``None``.

    It does when nothing narrows the list (no filter, and the user sees the whole city's lines)
    and the run's lines are final: its ``line_count`` is then their number, checked when it was
    computed. Counting 890,000 lines for every page of them costs a tenth of a second each.
    """
    if status or _division_prefix(division) or run.status not in RUN_LINES_FINAL:
        return None
    return run.line_count if sees_all(PayoutLine, user) else None


def id_range(run: PayoutRun) -> tuple[int, int]:
    """The ids a run's lines lie between (recorded when it was computed; everything before that)."""
    if run.first_line_id is None or run.last_line_id is None:
        return 0, 2**63 - 1
    return run.first_line_id, run.last_line_id


def lines_page(lines) -> list[PayoutLine]:
    """The lines of one page with their beneficiary and community, in one query."""
    ids = [line.pk for line in lines]
    return list(PayoutLine.objects.filter(pk__in=ids).select_related("beneficiary", "division").order_by("id"))


def run_events(run: PayoutRun):
    return list(run.events.select_related("actor").order_by("at", "id"))


@dataclass(frozen=True)
class StatusChange:
    """A line's status change as a finance officer reads it (no status tokens, no column names)."""

    line_id: int
    at: datetime.datetime
    actor: str
    old: str
    new: str
    reason: str
    source: str  # "银行回盘文件 returns.csv", or "" when no return file made it (a statement in the database)


def _status_changes(events) -> list[StatusChange]:
    labels = dict(LineStatus.choices)
    rows = []
    for event in events:
        if event.actor_kind == LineActorKind.DATABASE:
            actor = history.actor_name(None, {"actor": history.DATABASE_ACTOR})
        else:
            actor = history.actor_name(event.actor, {})
        record = event.return_import
        rows.append(
            StatusChange(
                line_id=event.line_id,
                at=event.at,
                actor=actor,
                old=str(labels.get(event.from_status, history.EMPTY)),
                new=str(labels.get(event.to_status, history.EMPTY)),
                reason=event.reason,
                source=_("Bank return file %(file)s") % {"file": record.filename} if record is not None else "",
            )
        )
    return rows


def line_status_changes(line_ids) -> dict[int, list[StatusChange]]:
    """The status changes of the lines a page shows, oldest first, by line (one query)."""
    events = LineStatusEvent.objects.filter(line_id__in=list(line_ids)).select_related("actor", "return_import")
    found: dict[int, list[StatusChange]] = {}
    for row in _status_changes(events.order_by("line_id", "id")):
        found.setdefault(row.line_id, []).append(row)
    return found


def repaid_by(line_ids) -> dict[int, PayoutRun]:
    """The follow-up run that re-pays each of these (failed) lines, if one does: the line's next step after failing."""
    lines = PayoutLine.objects.filter(replaces_id__in=list(line_ids)).select_related("run").only("replaces_id", "run")
    return {line.replaces_id: line.run for line in lines}


def import_status_changes(record: ReturnImport, limit: int = 200) -> tuple[int, list[StatusChange]]:
    """How many lines a return file moved, and the first ``limit`` of those changes."""
    events = LineStatusEvent.objects.filter(return_import=record).select_related("actor", "return_import")
    return events.count(), _status_changes(events.order_by("id")[:limit])


def is_stuck(run: PayoutRun, *, stuck_after: datetime.timedelta) -> bool:
    """Queued or computing, and no sign of life for ``stuck_after``."""
    if run.status not in (RunStatus.QUEUED, RunStatus.COMPUTING):
        return False
    last = run.heartbeat_at or run.updated_at or run.created_at
    return last is not None and timezone.now() - last > stuck_after


# --- The review: totals by district, differences from last month --------------------------------------
#
# The lists compare with last month's live lines of the scheme (paid or pending, in its run or a
# follow-up), looked up one beneficiary at a time in the "never paid twice" unique index (a
# subquery with LIMIT, which PostgreSQL runs per line instead of joining whole months): the first
# fifty differences come back without reading a million lines, whatever the statistics say.


def _district_names() -> dict[str, str]:
    return dict(Division.objects.filter(level="district").values_list("code", "name"))


def previous_run(run: PayoutRun) -> PayoutRun | None:
    return PayoutRun.objects.filter(scheme=run.scheme, period=add_months(run.period, -1), sequence=0).first()


def review_summary(run: PayoutRun) -> dict:
    """What the review page shows at a glance, computed once when the run finishes computing."""
    names = _district_names()
    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT substr(division_id, 1, 6) AS district, count(*), sum(amount)
              FROM payouts_payoutline WHERE run_id = %s GROUP BY 1 ORDER BY 1
            """,
            [run.pk],
        )
        by_district = [
            {"code": code, "name": names.get(code, code), "lines": n, "amount": money_str(total)}
            for code, n, total in cur.fetchall()
        ]
    summary: dict = {"by_district": by_district, "diff": None}
    previous = previous_run(run) if run.sequence == 0 else None
    if previous is not None:
        with connection.cursor() as cur:
            cur.execute(
                """
                SELECT count(*) FILTER (WHERE b.beneficiary_id IS NULL),
                       count(*) FILTER (WHERE a.beneficiary_id IS NULL),
                       count(*) FILTER (WHERE a.amount <> b.amount),
                       count(*) FILTER (WHERE a.amount = b.amount),
                       COALESCE(sum(a.amount) FILTER (WHERE b.beneficiary_id IS NULL), 0),
                       COALESCE(sum(b.amount) FILTER (WHERE a.beneficiary_id IS NULL), 0),
                       COALESCE(sum(a.amount - b.amount) FILTER (WHERE a.amount <> b.amount), 0)
                  FROM (SELECT beneficiary_id, amount FROM payouts_payoutline WHERE run_id = %s) a
                  FULL JOIN (SELECT beneficiary_id, amount FROM payouts_payoutline WHERE run_id = %s) b
                    ON a.beneficiary_id = b.beneficiary_id
                """,
                [run.pk, previous.pk],
            )
            new, stopped, changed, same, new_amount, stopped_amount, change_amount = cur.fetchone()
        summary["diff"] = {
            "previous_run": previous.pk,
            "previous_period": month_str(previous.period),
            "new": new,
            "stopped": stopped,
            "changed": changed,
            "same": same,
            "new_amount": money_str(new_amount),
            "stopped_amount": money_str(stopped_amount),
            "change_amount": money_str(change_amount),
        }
    return summary


@dataclass
class DiffRow:
    beneficiary_id: int
    name: str
    division: str
    before: Decimal | None
    after: Decimal | None
    reasons: list[str] = field(default_factory=list)


def _person_names(ids) -> dict[int, tuple[str, str]]:
    return {p: (n, d) for p, n, d in Person.objects.filter(pk__in=list(ids)).values_list("pk", "name", "division_id")}


def _fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def _json(value) -> dict:
    """A jsonb column read with a raw cursor (Django leaves it as text for ``JSONField`` to decode)."""
    if isinstance(value, str):
        return json.loads(value, parse_float=Decimal)
    return value or {}


def diff_new(run: PayoutRun, previous: PayoutRun, limit: int = DIFF_LIMIT) -> list[DiffRow]:
    rows = _fetch(
        """
        SELECT a.beneficiary_id, a.amount, a.scheme, a.source_id, a.snapshot FROM payouts_payoutline a
         WHERE a.run_id = %s AND a.id BETWEEN %s AND %s AND (
               SELECT 1 FROM payouts_payoutline b
                WHERE b.beneficiary_id = a.beneficiary_id AND b.period = %s AND b.scheme = %s
                  AND b.status <> 'failed' LIMIT 1) IS NULL
         ORDER BY a.id LIMIT %s
        """,
        [run.pk, *id_range(run), previous.period, run.scheme, limit],
    )
    rows = [(*r[:4], _json(r[4])) for r in rows]
    started = _case_facts(run.scheme, {(r[3], r[4].get("group")) for r in rows})
    names = _person_names(r[0] for r in rows)
    out = []
    for person, amount, _scheme, source, snapshot in rows:
        facts = started.get((source, snapshot.get("group")), {})
        if facts.get("start_month") == run.period:
            reason = _("new case from this month")
        else:
            reason = _("payable again (resumed, or amount above zero again)")
        name, division = names.get(person, ("", ""))
        out.append(DiffRow(person, name, division, None, amount, [reason]))
    return out


def diff_stopped(run: PayoutRun, previous: PayoutRun, limit: int = DIFF_LIMIT) -> list[DiffRow]:
    rows = _fetch(
        """
        SELECT b.beneficiary_id, b.amount, b.scheme, b.source_id, b.snapshot FROM payouts_payoutline b
         WHERE b.run_id = %s AND b.id BETWEEN %s AND %s AND (
               SELECT 1 FROM payouts_payoutline a
                WHERE a.beneficiary_id = b.beneficiary_id AND a.period = %s AND a.scheme = %s
                  AND a.status <> 'failed' LIMIT 1) IS NULL
         ORDER BY b.id LIMIT %s
        """,
        [previous.pk, *id_range(previous), run.period, run.scheme, limit],
    )
    rows = [(*r[:4], _json(r[4])) for r in rows]
    facts = _case_facts(run.scheme, {(r[3], r[4].get("group")) for r in rows})
    names = _person_names(r[0] for r in rows)
    deaths = dict(
        Person.objects.filter(pk__in=[r[0] for r in rows], death_date__isnull=False).values_list("pk", "death_date")
    )
    out = []
    for person, amount, _scheme, source, snapshot in rows:
        case = facts.get((source, snapshot.get("group")), {})
        reasons = []
        if person in deaths and deaths[person] < run.period:
            reasons.append(_("deceased (%(date)s)") % {"date": deaths[person].isoformat()})
        status = case.get("status")
        if status == "suspended":
            reasons.append(_("case suspended"))
        elif status == "terminated" or (case.get("end_month") and case["end_month"] <= run.period):
            reasons.append(_("case terminated"))
        elif status and status != "active":
            reasons.append(_("case is %(status)s") % {"status": status})
        if not reasons:
            reasons.append(_("amount now zero, or no longer covered"))
        name, division = names.get(person, ("", ""))
        out.append(DiffRow(person, name, division, amount, None, reasons))
    return out


def diff_changed(run: PayoutRun, previous: PayoutRun, limit: int = DIFF_LIMIT) -> list[DiffRow]:
    rows = _fetch(
        """
        SELECT a.beneficiary_id, b.amount, a.amount, b.snapshot, a.snapshot FROM payouts_payoutline a
         CROSS JOIN LATERAL (
               SELECT b.amount, b.snapshot FROM payouts_payoutline b
                WHERE b.beneficiary_id = a.beneficiary_id AND b.period = %s AND b.scheme = %s
                  AND b.status <> 'failed' LIMIT 1) b
         WHERE a.run_id = %s AND a.id BETWEEN %s AND %s AND a.amount <> b.amount
         ORDER BY a.id LIMIT %s
        """,
        [previous.period, run.scheme, run.pk, *id_range(run), limit],
    )
    names = _person_names(r[0] for r in rows)
    out = []
    for person, before, after, old, new in rows:
        name, division = names.get(person, ("", ""))
        out.append(DiffRow(person, name, division, before, after, change_reasons(_json(old), _json(new))))
    return out


CHANGE_FIELDS = [
    ("standard", gettext_lazy("standard")),
    ("income", gettext_lazy("household income")),
    ("members", gettext_lazy("members")),
    ("supplement", gettext_lazy("supplement")),
    ("care_level", gettext_lazy("self-care level")),
    ("basic", gettext_lazy("basic living standard")),
    ("care", gettext_lazy("care standard")),
    ("rise", gettext_lazy("price rise")),
    ("area", gettext_lazy("urban or rural")),
]


def change_reasons(old: dict, new: dict) -> list[str]:
    """Why an amount changed, from the two lines' snapshots: "standard 880 → 940", …"""
    reasons = []
    for key, label in CHANGE_FIELDS:
        if key in old or key in new:
            a, b = old.get(key), new.get(key)
            if str(a) != str(b):
                reasons.append(f"{label} {_fmt(a)} → {_fmt(b)}")
    return reasons or [_("rule or rounding")]


def _fmt(value) -> str:
    from payouts.schemes import fmt

    return fmt(value)


def _case_model(source: str):
    """The case model behind a scheme's lines (or a price-subsidy group's), as its app registered it, or None."""
    from payouts.schemes import COVERED_GROUPS, SCHEMES

    owner = SCHEMES.get(source) or COVERED_GROUPS.get(source)
    return owner.case_model() if owner is not None else None


def _case_facts(scheme: str, keys: set[tuple[int, str | None]]) -> dict:
    """Status, start and end month of the cases behind some lines, by (case id, price-subsidy group)."""
    by_source: dict[str, list[int]] = {}
    for source_id, group in keys:
        by_source.setdefault(group if scheme == PayoutScheme.PRICE_SUBSIDY else scheme, []).append(source_id)
    out: dict = {}
    for source, ids in by_source.items():
        model = _case_model(source or "")
        if model is None:
            continue
        group = source if scheme == PayoutScheme.PRICE_SUBSIDY else None
        for pk, status, start, end in model.objects.filter(pk__in=ids).values_list(
            "pk", "status", "start_month", "end_month"
        ):
            out[(pk, group)] = {"status": status, "start_month": start, "end_month": end}
    return out


# --- Explaining a line -------------------------------------------------------------------------------


def explain(snapshot: dict) -> str:
    """A line's amount in words, from its snapshot (what a caseworker tells the citizen): the scheme whose
    rule wrote the snapshot says it (``PayoutSchemeBase.explain``)."""
    from payouts.schemes import SCHEMES

    s = snapshot or {}
    scheme = SCHEMES.get(s.get("rule") or "")
    text = scheme.explain(s) if scheme is not None else ""
    if s.get("re_pays"):
        text += " " + _("(re-pays failed line %(id)s)") % {"id": s["re_pays"]}
    return text.strip()


# --- Month overview: every scheme by district --------------------------------------------------------


@dataclass
class MonthOverview:
    period: datetime.date
    runs: list[PayoutRun]
    districts: list[tuple[str, str]]
    cells: dict[tuple[str, str], dict]  # (scheme, district) → {"lines", "amount"}
    scheme_totals: dict[str, dict]
    district_totals: dict[str, dict]
    total: dict


def month_overview(*, user: User, period: datetime.date) -> MonthOverview:
    runs = list(run_list(user=user, period=period))
    names = _district_names()
    cells: dict = {}
    scheme_totals: dict = {}
    district_totals: dict = {}
    total = {"lines": 0, "amount": Decimal(0)}
    for run in runs:
        for row in (run.summary or {}).get("by_district", []):
            amount = Decimal(row["amount"])
            key = (run.scheme, row["code"])
            cell = cells.setdefault(key, {"lines": 0, "amount": Decimal(0)})
            cell["lines"] += row["lines"]
            cell["amount"] += amount
            for bucket in (
                scheme_totals.setdefault(run.scheme, {"lines": 0, "amount": Decimal(0)}),
                district_totals.setdefault(row["code"], {"lines": 0, "amount": Decimal(0)}),
                total,
            ):
                bucket["lines"] += row["lines"]
                bucket["amount"] += amount
    districts = sorted((code, names.get(code, code)) for code in district_totals)
    return MonthOverview(period, runs, districts, cells, scheme_totals, district_totals, total)


# --- Follow-ups: which failed lines can be re-paid ----------------------------------------------------


@dataclass(frozen=True)
class Repayable:
    line_ids: list[int]
    waiting: int  # failed, but the account has not changed since


def household_accounts(household_ids) -> dict[int, str]:
    ids = [h for h in household_ids if h is not None]
    if not ids:
        return {}
    return dict(Household.objects.filter(pk__in=ids).values_list("pk", "bank_account"))


def payee_accounts(scheme: str, lines) -> dict[tuple[int | None, int | None], str]:
    """The account each line's payee is paid to now, keyed by the line's ``(household, source)``: what the
    bank file pays (``bankfiles._payment_rows``). A scheme that names its payees (``payees``: an institution's
    account per case) answers for its cases; any other line is paid to its household's account."""
    from payouts.schemes import SCHEMES

    lines = set(lines)
    payees = getattr(SCHEMES.get(scheme), "payees", None)
    named = payees({source for _h, source in lines if source is not None}) if payees is not None else {}
    households = household_accounts({household for household, source in lines if source not in named})
    return {
        (household, source): named[source][2] if source in named else households.get(household, "")
        for household, source in lines
    }


def in_bank_file_sent(*, scheme: str, source_id: int) -> bool:
    """Whether a payment of this case (``source_id`` of a per-case scheme: an operating subsidy) is in a bank
    file already sent to the bank: a line not failed in a run whose bank file was exported. Its payee's
    account must then stay as it is (the bank pays what the file says); a failed payment is re-paid by a
    follow-up run, whose own file is made later."""
    return (
        PayoutLine.objects.filter(scheme=scheme, source_id=source_id, run__exports__isnull=False)
        .exclude(status=LineStatus.FAILED)
        .exists()
    )


def repayable_lines(*, scheme: str, period: datetime.date, exclude_run: int | None = None) -> Repayable:
    """Failed lines of the month not yet re-paid, whose payee's bank account has changed since the failure
    (the household's, or the one the scheme names: ``payee_accounts``)."""
    from payouts.services import account_digest

    rows = _fetch(
        """
        SELECT f.id, f.household_id, f.source_id, f.failed_account_digest FROM payouts_payoutline f
         WHERE f.scheme = %s AND f.period = %s AND f.status = 'failed'
           AND NOT EXISTS (SELECT 1 FROM payouts_payoutline r WHERE r.replaces_id = f.id AND r.run_id <> %s)
           AND NOT EXISTS (SELECT 1 FROM payouts_payoutline l
                            WHERE l.scheme = f.scheme AND l.period = f.period AND l.status <> 'failed'
                              AND CASE WHEN %s THEN l.source_id = f.source_id
                                       ELSE l.beneficiary_id = f.beneficiary_id END
                              AND l.run_id <> %s)
        """,
        [scheme, period, exclude_run or 0, scheme in PER_CASE_SCHEMES, exclude_run or 0],
    )
    accounts = payee_accounts(scheme, {(h, source) for _id, h, source, _d in rows})
    ready, waiting = [], 0
    for line_id, household, source, digest in rows:
        account = accounts.get((household, source), "")
        if account.strip() and account_digest(account) != digest:
            ready.append(line_id)
        else:
            waiting += 1
    return Repayable(line_ids=ready, waiting=waiting)


def case_has_line(*, scheme: str, source_id: int) -> bool:
    """Whether any run has a line (to be paid, paid or failed) paying this case of a per-case scheme."""
    return PayoutLine.objects.filter(scheme=scheme, source_id=source_id).exists()


def case_lines(*, scheme: str, source_id: int) -> list[PayoutLine]:
    """The lines paying one case of a per-case scheme, oldest first, with their runs."""
    return list(PayoutLine.objects.filter(scheme=scheme, source_id=source_id).select_related("run").order_by("id"))


def failed_lines_count(run: PayoutRun) -> int:
    return run.lines.filter(status=LineStatus.FAILED).count()


# --- Bank returns: every row checked before anything changes -----------------------------------------


@dataclass(frozen=True)
class LineChange:
    line_id: int
    status: str
    reason: str
    household_id: int | None
    source_id: int | None = None


@dataclass
class CheckedReturns:
    errors: list[dict] = field(default_factory=list)
    changes: list[LineChange] = field(default_factory=list)
    unchanged: int = 0


def _row_problem(row: ReturnRow, run: PayoutRun, seen) -> tuple[str, str] | None:
    """What is wrong with a row on its own (field, message), before the run's lines are looked at."""
    checks = [
        (
            lambda: row.batch != run.reference,
            "batch_ref",
            lambda: (
                _("This row is for batch %(other)s, not this run's batch %(this)s.")
                % {"other": row.batch or "—", "this": run.reference}
            ),
        ),
        (
            lambda: row.line_id is None,
            "line_ref",
            lambda: _("“%(value)s” is not a line reference.") % {"value": row.line_raw},
        ),
        (
            lambda: row.line_id in seen,
            "line_ref",
            lambda: _("Line %(id)s appears twice in the file.") % {"id": row.line_id},
        ),
        (
            lambda: row.result is None,
            "result",
            lambda: _("Unknown result “%(value)s”: use paid or failed.") % {"value": row.result_raw},
        ),
        (
            lambda: row.result == LineStatus.FAILED and not row.reason,
            "reason",
            lambda: _("A failed payment needs the bank's reason."),
        ),
        (
            lambda: bool(row.amount_raw) and row.amount is None,
            "amount",
            lambda: _("“%(value)s” is not an amount.") % {"value": row.amount_raw},
        ),
    ]
    for failed, field_name, message in checks:
        if failed():
            return field_name, str(message())
    return None


def _line_problem(row: ReturnRow, line: tuple | None) -> tuple[str, str] | None:
    """What is wrong with a row against the run's line it names."""
    if line is None:
        return "line_ref", _("This run has no line %(id)s.") % {"id": row.line_id}
    amount, status = line[0], line[1]
    if row.amount is not None and row.amount != amount:
        return "amount", _("The amount %(given)s differs from the line's %(amount)s.") % {
            "given": money_str(row.amount),
            "amount": money_str(amount),
        }
    if status not in (LineStatus.PENDING, row.result):
        return "result", _("Line %(id)s is already recorded as %(status)s.") % {
            "id": row.line_id,
            "status": LineStatus(status).label,
        }
    return None


def _lines_named(run: PayoutRun, ids: list[int]) -> dict[int, tuple]:
    lines = {}
    for start in range(0, len(ids), 50_000):
        part = ids[start : start + 50_000]
        for line_id, amount, status, household, source in _fetch(
            "SELECT id, amount, status, household_id, source_id FROM payouts_payoutline"
            " WHERE run_id = %s AND id = ANY(%s)",
            [run.pk, part],
        ):
            lines[line_id] = (amount, status, household, source)
    return lines


def check_returns(run: PayoutRun, rows: list[ReturnRow]) -> CheckedReturns:
    """Check every row of a bank return against the run; nothing is changed here."""
    out = CheckedReturns()
    if not rows:
        out.errors.append({"row": None, "field": "file", "message": str(_("The file has no rows."))})
        return out
    wanted: dict[int, ReturnRow] = {}
    for row in rows:
        problem = _row_problem(row, run, wanted.keys())
        if problem:
            out.errors.append({"row": row.row, "field": problem[0], "message": str(problem[1])})
        else:
            wanted[row.line_id] = row
    lines = _lines_named(run, list(wanted))
    for line_id, row in wanted.items():
        line = lines.get(line_id)
        problem = _line_problem(row, line)
        if problem:
            out.errors.append({"row": row.row, "field": problem[0], "message": str(problem[1])})
        elif line[1] == LineStatus.PENDING:
            reason = row.reason[:200] if row.result == LineStatus.FAILED else ""
            out.changes.append(LineChange(line_id, row.result, reason, line[2], line[3]))
        else:
            out.unchanged += 1
    out.errors.sort(key=lambda e: (e["row"] is None, e["row"] or 0))
    return out

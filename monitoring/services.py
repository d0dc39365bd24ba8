"""Every write of low-income monitoring. Keyword-only, one transaction, the actor named, audited."""

from __future__ import annotations

import datetime
import logging

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_context
from core.cases import clean_note, current_month, local_today, parse_month, transition
from core.errors import Conflict, InvalidInput, NotFound
from core.models import User
from core.money import money_str, parse_money
from core.permissions import require_can
from core.scoping import get_in_scope
from monitoring.models import (
    WARNING_DUE_DAYS,
    AtRiskFlag,
    ExpenseKind,
    HouseholdExpense,
    MonitoringRun,
    Outcome,
    RiskWarning,
    RunStatus,
    RunStep,
    WarningKind,
)
from people.models import Household, HouseholdMember
from relief.models import DibaoCase

NOTE_MAX = 500
log = logging.getLogger(__name__)


def _kind_or_error(kind: str) -> str:
    if kind not in ExpenseKind.values:
        raise InvalidInput(
            _("Choose one of: %(choices)s.") % {"choices": "、".join(str(label) for label in ExpenseKind.labels)},
            field="kind",
        )
    return kind


@transaction.atomic
def household_expense_record(
    *,
    actor: User,
    household: Household,
    kind: str,
    month: datetime.date | str,
    amount,
    note: str = "",
) -> HouseholdExpense:
    """Record what ``household`` spent in ``month`` on ``kind`` (medical and education are rigid expenses).

    Outside any case: found out at a visit, from a hospital bill or a school's fees. A month after
    the current one is refused (an expense is recorded once it is incurred); a correction is a new
    record.
    """
    require_can(actor, "record_expense", Household)
    household = get_in_scope(Household.objects.all(), actor, pk=household.pk)
    kind = _kind_or_error(kind)
    month = parse_month(month, field="month")
    if month > current_month():
        raise InvalidInput(_("This month has not begun yet."), field="month")
    amount = parse_money(amount, field="amount", allow_zero=False, label=_("The amount"))
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise InvalidInput(_("At most %(n)d characters.") % {"n": NOTE_MAX}, field="note")
    with audit_context(actor, action="record_expense"):
        return HouseholdExpense.objects.create(
            household=household, kind=kind, month=month, amount=amount, note=note, recorded_by=actor
        )


# --- Risk warnings (风险预警) -------------------------------------------------------------------

# A risk extract's ``kind`` as the departments write it → the warning's kind (anything else: "other").
KIND_ALIASES: dict[str, tuple[str, ...]] = {
    WarningKind.ILLNESS: ("illness", "serious_illness", "critical_illness", "大病", "重病", "重大疾病"),
    WarningKind.MEDICAL_BILL: ("medical_bill", "medical", "hospital", "医疗费用", "大额医疗费用", "住院", "住院费用"),
    WarningKind.UNEMPLOYMENT: ("unemployment", "unemployed", "失业", "失业登记"),
    WarningKind.DEATH: ("death", "died", "死亡", "死亡证明"),
    WarningKind.DISABILITY: ("disability", "disabled", "残疾", "残疾证"),
}


def _due(raised_on: datetime.date) -> datetime.date:
    return raised_on + datetime.timedelta(days=WARNING_DUE_DAYS)


# Where a warning goes: the household's community (the person's division for someone in no household),
# and the sub-district it is assigned to (the community's first 9 digits).
_PLACE_SQL = """
    COALESCE(h.community_id, p.division_id) AS division_id,
    left(COALESCE(h.community_id, p.division_id), 9) AS subdistrict_id
"""

_INSERT = """
    INSERT INTO monitoring_riskwarning
        (signal, kind, facts, household_id, person_id, division_id, subdistrict_id, amount, event_date,
         raised_on, due, status, outcome, note, created_at)
    SELECT signal, kind, facts, household_id, person_id, division_id, subdistrict_id, amount, event_date,
           %s, %s, 'open', '', '', %s
    FROM ({select}) s
    ON CONFLICT (signal) DO NOTHING
"""


def _insert(select_sql: str, params: list, *, actor: User, action: str) -> int:
    """Raise the warnings ``select_sql`` finds, once per signal (a second time adds nothing); how many were new."""
    today = local_today()
    with audit_context(actor, action=action), connection.cursor() as cur:
        cur.execute(_INSERT.format(select=select_sql), [today, _due(today), timezone.now(), *params])
        return cur.rowcount


def _extract_select(extract_ids: list[int]) -> tuple[str, list]:
    """The warnings the rows of these extracts (of risk sources) raise: one per row whose person the portal knows.

    The signal is the person, the kind and the date of the event: the same event in a later extract
    (a department sends its register again) raises nothing new."""
    aliases = [(alias.lower(), kind) for kind, names in KIND_ALIASES.items() for alias in names]
    select = f"""
        SELECT 'risk:' || p.id || ':' || COALESCE(k.kind, 'other') || ':' || COALESCE(r.event_date::text, '')
                   || CASE WHEN k.kind IS NULL THEN ':' || md5(r.kind) ELSE '' END AS signal,
               COALESCE(k.kind, 'other') AS kind,
               jsonb_build_object('source', s.department || ' · ' || s.item, 'detail', r.detail, 'given_kind', r.kind,
                                  'extract', r.extract_id, 'line', r.line) AS facts,
               hm.household_id, p.id AS person_id, {_PLACE_SQL}, r.amount, r.event_date
        FROM datacheck_extractrow r
        JOIN datacheck_extract e ON e.id = r.extract_id
        JOIN datacheck_datasource s ON s.id = e.source_id
        JOIN people_person p ON p.id_number = r.id_number
        LEFT JOIN people_householdmember hm ON hm.person_id = p.id
        LEFT JOIN people_household h ON h.id = hm.household_id
        LEFT JOIN unnest(%s::text[], %s::text[]) AS k(alias, kind) ON k.alias = lower(btrim(r.kind))
        WHERE r.extract_id = ANY(%s::bigint[])
    """  # noqa: S608 - fixed fragments; every value is a parameter
    return select, [[a for a, _k in aliases], [k for _a, k in aliases], extract_ids]


def warnings_from_extracts(*, extract_ids: list[int], actor: User) -> int:
    """Warnings from the rows of these risk extracts (set-based, once per signal); how many were new."""
    select, params = _extract_select([int(i) for i in extract_ids])
    return _insert(select, params, actor=actor, action="monitoring.warnings_from_extract")


def warnings_from_extract(*, extract, actor: User, **_ignored) -> list:
    """A committed extract of a risk source (``EXTRACT_COMMITTED``): one warning per row whose person is known."""
    from datacheck.models import Effect

    if extract.source.effect != Effect.RISK:
        return []
    warnings_from_extracts(extract_ids=[extract.pk], actor=actor)
    return []


def _payment_failures_select(where: str) -> str:
    """The warnings the failed lines chosen by ``where`` (over ``l``) raise: the beneficiary's payment failed twice
    in a row — the line failed, and so did the previous attempt: the month before's (with no line of that month
    paid since), or an earlier line of the same month (a re-payment that failed again)."""
    return f"""
        SELECT 'payment:' || l.scheme || ':' || l.beneficiary_id || ':' || to_char(l.period, 'YYYY-MM') AS signal,
               'payment_failed' AS kind,
               jsonb_build_object(
                   'scheme', l.scheme, 'run', l.run_id, 'reason', l.failure_reason,
                   'months', CASE WHEN same_month.id IS NOT NULL
                                  THEN jsonb_build_array(to_char(l.period, 'YYYY-MM'), to_char(l.period, 'YYYY-MM'))
                                  ELSE jsonb_build_array(to_char(l.period - interval '1 month', 'YYYY-MM'),
                                                         to_char(l.period, 'YYYY-MM')) END) AS facts,
               h.id AS household_id, p.id AS person_id, {_PLACE_SQL}, l.amount, l.period AS event_date
        FROM payouts_payoutline l
        JOIN people_person p ON p.id = l.beneficiary_id
        LEFT JOIN people_householdmember hm ON hm.person_id = l.beneficiary_id
        LEFT JOIN people_household h ON h.id = COALESCE(l.household_id, hm.household_id)
        LEFT JOIN LATERAL (
            SELECT q.id FROM payouts_payoutline q
            WHERE q.status = 'failed' AND q.scheme = l.scheme AND q.beneficiary_id = l.beneficiary_id
              AND q.period = l.period AND q.id < l.id
            LIMIT 1
        ) same_month ON true
        WHERE {where} AND l.status = 'failed'
          AND (same_month.id IS NOT NULL
               OR (EXISTS (SELECT 1 FROM payouts_payoutline q
                           WHERE q.status = 'failed' AND q.scheme = l.scheme
                             AND q.beneficiary_id = l.beneficiary_id
                             AND q.period = (l.period - interval '1 month')::date)
                   AND NOT EXISTS (SELECT 1 FROM payouts_payoutline q
                                   WHERE q.status <> 'failed' AND q.scheme = l.scheme
                                     AND q.beneficiary_id = l.beneficiary_id
                                     AND q.period = (l.period - interval '1 month')::date)))
    """  # noqa: S608 - fixed fragments; every value is a parameter


def warnings_from_payment_failures(*, run, actor: User, **_ignored) -> list:
    """Bank returns just recorded (``PAYMENTS_RETURNED``): a warning for each beneficiary of the run whose payment
    failed twice in a row. Set-based over the run's failed lines."""
    _insert(
        _payment_failures_select("l.run_id = %s"), [run.pk], actor=actor, action="monitoring.warnings_from_payments"
    )
    return []


def warnings_from_failures_of_months(*, months: list[datetime.date], actor: User) -> int:
    """The monthly run's sweep: the same warnings for every failed line of these months (a return recorded
    outside the bank-return service, a warning lost), once per signal; how many were new."""
    return _insert(
        _payment_failures_select("l.period = ANY(%s::date[])"),
        [list(months)],
        actor=actor,
        action="monitoring.warnings_from_payments",
    )


def warning_on_refusal(*, case, actor: User, **_ignored) -> list:
    """A dibao or tekun application just refused (``APPLICATION_REFUSED``, announced by relief): a warning when
    the household's per-capita income stays at most 1.5 times the dibao standard (it may need another kind of
    help: temporary relief, the marginal tier's). A tekun applicant's household is their household of record;
    someone in no household, or whose household has no recorded income, gives no figure to judge: no warning."""
    from monitoring import selectors
    from relief.models import TekunCase

    if isinstance(case, DibaoCase):
        scheme, household_id, income, person_sql = "dibao", case.household_id, case.monthly_income, "h.head_id"
    elif isinstance(case, TekunCase):
        membership = HouseholdMember.objects.filter(person_id=case.person_id).first()
        if membership is None:
            return []
        scheme, household_id, income, person_sql = "tekun", membership.household_id, None, "%s::bigint"
    else:
        return []
    household = Household.objects.select_related("community").get(pk=household_id)
    check = selectors.refusal_check(household=household, case_income=income)
    if check is None:
        return []
    per_capita, standard = check
    select = f"""
        SELECT %s AS signal, 'refused_application' AS kind,
               jsonb_build_object('case', %s::bigint, 'scheme', %s::text, 'refused_on', %s::text,
                                  'per_capita', %s::text, 'standard', %s::text) AS facts,
               h.id AS household_id, p.id AS person_id, {_PLACE_SQL}, NULL::numeric AS amount,
               %s::date AS event_date
        FROM people_household h JOIN people_person p ON p.id = {person_sql}
        WHERE h.id = %s
    """  # noqa: S608 - fixed fragments; every value is a parameter
    today = local_today()
    params = [
        f"refusal:{scheme}:{case.pk}",
        case.pk,
        scheme,
        today.isoformat(),
        money_str(per_capita),
        money_str(standard),
        today,
        *([case.person_id] if scheme == "tekun" else []),
        household.pk,
    ]
    _insert(select, params, actor=actor, action="monitoring.warning_on_refusal")
    return []


def _assisted_record(actor: User, warning: RiskWarning, *, dibao_case, tekun_case, claim):
    """The case or claim an "assisted" outcome led to: one, seen by the actor, of the warning's household."""
    from relief.models import TekunCase, TemporaryReliefClaim

    given = [
        (name, pk) for name, pk in (("dibao_case", dibao_case), ("tekun_case", tekun_case), ("claim", claim)) if pk
    ]
    if len(given) != 1:
        raise InvalidInput(
            _("Name the case or claim the assistance was given with (one dibao case, tekun case or claim)."),
            field="dibao_case" if not given else given[1][0],
        )
    name, pk = given[0]
    model = {"dibao_case": DibaoCase, "tekun_case": TekunCase, "claim": TemporaryReliefClaim}[name]
    try:
        record = get_in_scope(model.objects.all(), actor, pk=pk)
    except NotFound:
        raise InvalidInput(_("No such case or claim in your area."), field=name) from None
    members = set(HouseholdMember.objects.filter(household_id=warning.household_id).values_list("person_id", flat=True))
    if name == "tekun_case":
        ours = record.person_id in members or record.person_id == warning.person_id
    else:
        ours = warning.household_id is not None and record.household_id == warning.household_id
    if not ours:
        raise InvalidInput(_("This case or claim is not of the warning's household."), field=name)
    return name, record


@transaction.atomic
def warning_handle(
    *,
    actor: User,
    warning: RiskWarning,
    outcome: str,
    note: str = "",
    dibao_case: int | None = None,
    tekun_case: int | None = None,
    claim: int | None = None,
) -> RiskWarning:
    """Handle an open warning: assisted (with the case or claim it led to), visited and no need, or referred."""
    require_can(actor, "handle", warning)  # 403 role, 404 outside the area, 409 already handled
    warning = RiskWarning.objects.select_for_update().get(pk=warning.pk)
    require_can(actor, "handle", warning)  # again, under the lock: a second hand gets 409
    if outcome not in Outcome.values:
        raise InvalidInput(
            _("Choose one of: %(choices)s.") % {"choices": "、".join(str(label) for label in Outcome.labels)},
            field="outcome",
        )
    changes = {
        "outcome": outcome,
        "note": clean_note(note),
        "handled_by": actor,
        "handled_on": local_today(),
        "dibao_case": None,
        "tekun_case": None,
        "claim": None,
    }
    if outcome == Outcome.ASSISTED:
        name, record = _assisted_record(actor, warning, dibao_case=dibao_case, tekun_case=tekun_case, claim=claim)
        changes[name] = record
    elif outcome == Outcome.REFERRED and not changes["note"]:
        raise InvalidInput(_("Say where the household was referred to."), field="note")
    transition(warning, "handle", actor=actor, note=changes["note"], changes=changes)
    return warning


def warnings_from_overdue_visits(*, actor: User, today: datetime.date | None = None) -> int:
    """A warning for each rural left-behind elderly person whose visit is overdue (the elderly register's own
    rule, ``elderly.selectors.overdue_q``), once per person and last visit: set-based over the register."""
    from elderly.models import LeftBehindElder
    from elderly.selectors import overdue_q

    elders_sql, elders_params = _compiled(
        LeftBehindElder.objects.filter(overdue_q(today=today or local_today()))
        .order_by()
        .values("id", "person_id", "household_id", "community_id", "last_visited_on", "risk")
    )
    select = f"""
        SELECT 'visit:' || e.id || ':' || COALESCE(e.last_visited_on::text, 'never') AS signal,
               'not_visited' AS kind,
               jsonb_build_object('elder', e.id, 'risk', e.risk, 'last_visited_on', e.last_visited_on::text) AS facts,
               e.household_id, e.person_id, e.community_id AS division_id, left(e.community_id, 9) AS subdistrict_id,
               NULL::numeric AS amount, e.last_visited_on AS event_date
        FROM ({elders_sql}) e
    """  # noqa: S608 - a compiled queryset; every value is a parameter
    return _insert(select, elders_params, actor=actor, action="monitoring.warnings_from_visits")


def warnings_scan() -> int:
    """The daily scan (Celery beat), under the system account: how many warnings it raised."""
    from core.cases import system_actor

    with transaction.atomic():
        return warnings_from_overdue_visits(actor=system_actor())


def _compiled(qs) -> tuple[str, list]:
    sql, params = qs.query.sql_with_params()
    return sql, list(params)


# --- Others at risk, flagged by caseworkers (其他困难人员) ---------------------------------------------

REASON_MAX = 500


def _reason(text: str, *, field: str) -> str:
    text = (text or "").strip()
    if not text:
        raise InvalidInput(_("Say why."), field=field)
    if len(text) > REASON_MAX:
        raise InvalidInput(_("At most %(n)d characters.") % {"n": REASON_MAX}, field=field)
    return text


@transaction.atomic
def at_risk_flag(*, actor: User, household: Household, reason: str) -> AtRiskFlag:
    """Flag ``household`` at risk (其他困难人员): in the low-income population from today until cleared."""
    require_can(actor, "flag_at_risk", Household)
    household = get_in_scope(Household.objects.select_for_update(), actor, pk=household.pk)
    reason = _reason(reason, field="reason")
    if AtRiskFlag.objects.filter(household=household, cleared_on__isnull=True).exists():
        raise Conflict(_("This household is already flagged at risk."), code="already_flagged")
    with audit_context(actor, action="flag_at_risk"):
        return AtRiskFlag.objects.create(household=household, reason=reason, flagged_by=actor, flagged_on=local_today())


@transaction.atomic
def at_risk_clear(*, actor: User, flag: AtRiskFlag, reason: str) -> AtRiskFlag:
    """Clear a flag (the household's situation is settled, or it is now covered), with the reason."""
    require_can(actor, "clear", flag)
    flag = get_in_scope(AtRiskFlag.objects.select_for_update(), actor, pk=flag.pk)
    require_can(actor, "clear", flag)  # again, under the lock: a second hand gets 409
    flag.clear_reason = _reason(reason, field="reason")
    flag.cleared_by = actor
    flag.cleared_on = local_today()
    with audit_context(actor, action="clear_at_risk"):
        flag.save(update_fields=["clear_reason", "cleared_by", "cleared_on"])
    return flag


# --- The monthly monitoring run (月度动态监测) ----------------------------------------------------


def _enqueue(run_id: int) -> None:
    def send() -> None:
        from monitoring.tasks import monthly_run

        monthly_run.delay(run_id)

    transaction.on_commit(send, robust=True)


def _create_run(actor: User, month: datetime.date) -> MonitoringRun:
    if MonitoringRun.objects.filter(month=month, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]).exists():
        raise Conflict(
            _("The run of %(month)s is already queued or running.") % {"month": f"{month:%Y-%m}"},
            code="run_in_progress",
        )
    try:
        with transaction.atomic(), audit_context(actor, action="start_monitoring_run"):
            run = MonitoringRun.objects.create(month=month, started_by=actor)
    except IntegrityError:  # another start won the race: the database keeps one per month at a time
        raise Conflict(
            _("The run of %(month)s is already queued or running.") % {"month": f"{month:%Y-%m}"},
            code="run_in_progress",
        ) from None
    _enqueue(run.pk)
    return run


@transaction.atomic
def monitoring_run_start(*, actor: User, month: datetime.date | str | None = None) -> MonitoringRun:
    """Queue the monthly run over the whole city for ``month`` (default: this month; a later one is refused)."""
    require_can(actor, "start", MonitoringRun)
    month = parse_month(month, field="month") if month else current_month()
    if month > current_month():
        raise InvalidInput(_("This month has not begun yet."), field="month")
    return _create_run(actor, month)


@transaction.atomic
def monitoring_run_scheduled() -> MonitoringRun | None:
    """The monthly run (Celery beat), under the system account; none while this month's is still going."""
    from core.cases import system_actor

    try:
        return _create_run(system_actor(), current_month())
    except Conflict:
        return None


def monitoring_run_execute(*, run_id: int) -> MonitoringRun:
    """Do a queued run, step by step, each step in its own transaction (the page shows how far it has come).

    Safe to deliver twice: a run no longer queued is left alone; a repeated step adds no warning it
    raised already (unique signal) and replaces the month's tier record.
    """
    from monitoring import engine

    with transaction.atomic():
        run = MonitoringRun.objects.select_for_update().get(pk=run_id)
        if run.status != RunStatus.QUEUED:
            return run
        run.status = RunStatus.RUNNING
        run.started_at = timezone.now()
        run.extracts = engine.risk_extract_ids()
        run.save(update_fields=["status", "started_at", "extracts"])
    actor, month = run.started_by, run.month
    steps = {
        RunStep.TIERS: lambda: engine.step_tiers(month=month),
        RunStep.EXPENDITURE: lambda: engine.step_expenditure(month=month, actor=actor),
        RunStep.EXTRACTS: lambda: engine.step_extracts(extract_ids=run.extracts, actor=actor),
        RunStep.PAYMENTS: lambda: engine.step_payments(month=month, actor=actor),
        RunStep.VISITS: lambda: engine.step_visits(actor=actor),
    }
    try:
        for step, do in steps.items():
            run.step = step
            run.save(update_fields=["step"])
            with transaction.atomic(), audit_context(actor, action="monitoring_run", run=run.pk):
                result = do()
                if step == RunStep.TIERS:
                    run.tiers = result
                else:
                    run.raised = {**run.raised, step: result}
                run.steps_done += 1
                run.save(update_fields=["tiers", "raised", "steps_done"])
        run.status = RunStatus.DONE
        run.step = ""
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "step", "finished_at"])
    except Exception as exc:
        log.exception("Monitoring run %s failed", run.pk)
        run.status = RunStatus.FAILED
        run.error = str(exc)[:1000]
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "error", "finished_at"])
    return run

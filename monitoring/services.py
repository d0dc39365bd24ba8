"""Every write of low-income monitoring. Keyword-only, one transaction, the actor named, audited."""

from __future__ import annotations

import datetime

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_context
from core.cases import clean_note, current_month, local_today, parse_month, transition
from core.errors import InvalidInput, NotFound
from core.models import User
from core.money import money_str, parse_money
from core.permissions import require_can
from core.scoping import get_in_scope
from monitoring.models import (
    WARNING_DUE_DAYS,
    ExpenseKind,
    HouseholdExpense,
    Outcome,
    RiskWarning,
    WarningKind,
)
from people.models import Household, HouseholdMember
from relief.models import DibaoCase

NOTE_MAX = 500


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


def warnings_from_extract(*, extract, actor: User, **_ignored) -> list:
    """A committed extract of a risk source: one warning per row whose person the portal knows (set-based).

    The signal is the person, the kind and the date of the event: the same event in a later extract
    (a department sends its register again) raises nothing new.
    """
    from datacheck.models import Effect

    if extract.source.effect != Effect.RISK:
        return []
    aliases = [(alias.lower(), kind) for kind, names in KIND_ALIASES.items() for alias in names]
    select = f"""
        SELECT 'risk:' || p.id || ':' || COALESCE(k.kind, 'other') || ':' || COALESCE(r.event_date::text, '')
                   || CASE WHEN k.kind IS NULL THEN ':' || md5(r.kind) ELSE '' END AS signal,
               COALESCE(k.kind, 'other') AS kind,
               jsonb_build_object('source', %s::text, 'detail', r.detail, 'given_kind', r.kind,
                                  'extract', r.extract_id, 'line', r.line) AS facts,
               hm.household_id, p.id AS person_id, {_PLACE_SQL}, r.amount, r.event_date
        FROM datacheck_extractrow r
        JOIN people_person p ON p.id_number = r.id_number
        LEFT JOIN people_householdmember hm ON hm.person_id = p.id
        LEFT JOIN people_household h ON h.id = hm.household_id
        LEFT JOIN unnest(%s::text[], %s::text[]) AS k(alias, kind) ON k.alias = lower(btrim(r.kind))
        WHERE r.extract_id = %s
    """  # noqa: S608 - fixed fragments; every value is a parameter
    params = [str(extract.source), [a for a, _k in aliases], [k for _a, k in aliases], extract.pk]
    _insert(select, params, actor=actor, action="monitoring.warnings_from_extract")
    return []


def warnings_from_payment_failures(*, run, actor: User, **_ignored) -> list:
    """Bank returns just recorded: a warning for each beneficiary whose payment failed twice in a row.

    Twice in a row: this run's line failed, and so did the previous attempt — the month before's
    (with no line of that month paid since), or an earlier line of the same month (a re-payment
    that failed again). Set-based over the run's failed lines.
    """
    select = f"""
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
        WHERE l.run_id = %s AND l.status = 'failed'
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
    _insert(select, [run.pk], actor=actor, action="monitoring.warnings_from_payments")
    return []


def warning_on_refusal(*, case, actor: User, **_ignored) -> list:
    """A dibao application just refused: a warning when the household's per-capita income stays at most
    1.5 times the standard (it may need another kind of help: temporary relief, the marginal tier's)."""
    from monitoring import selectors

    if not isinstance(case, DibaoCase):
        return []
    household = Household.objects.select_related("community").get(pk=case.household_id)
    check = selectors.refusal_check(household=household, case_income=case.monthly_income)
    if check is None:
        return []
    per_capita, standard = check
    select = f"""
        SELECT %s AS signal, 'refused_application' AS kind,
               jsonb_build_object('case', %s::bigint, 'scheme', 'dibao', 'refused_on', %s::text,
                                  'per_capita', %s::text, 'standard', %s::text) AS facts,
               h.id AS household_id, p.id AS person_id, {_PLACE_SQL}, NULL::numeric AS amount,
               %s::date AS event_date
        FROM people_household h JOIN people_person p ON p.id = h.head_id
        WHERE h.id = %s
    """  # noqa: S608 - fixed fragments; every value is a parameter
    today = local_today()
    params = [
        f"refusal:dibao:{case.pk}",
        case.pk,
        today.isoformat(),
        money_str(per_capita),
        money_str(standard),
        today,
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

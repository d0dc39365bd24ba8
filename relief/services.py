"""Every write to social assistance. Keyword-only, one transaction, the actor named, capabilities re-checked.

Who may approve what:
* a district approver approves anything in its district;
* a sub-district approver approves a temporary-relief claim up to its district's
  small-claim threshold (``temporary_relief_small_claim``), and dibao or tekun only where
  its district delegates that power (``Delegation``); above that it gets ``Forbidden``;
* nobody approves a case or claim they submitted themselves.

The temporary-relief annual cap holds under concurrency: an approval locks the household
row (``SELECT … FOR NO KEY UPDATE``) before it sums the year's approved claims, so two
approvals for one household run one after the other, and the second sees the first.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_context
from core.cases import (
    APPLICATION_REFUSED,
    DIBAO_ENDED,
    OPEN_STATUSES,
    PENDING_STATUSES,
    CaseEvent,
    CaseStatus,
    add_months,
    clean_note,
    current_month,
    local_today,
    month_start,
    month_str,
    open_case,
    parse_month,
    run_consequences,
    transition,
)
from core.errors import Conflict, DomainError, InvalidInput
from core.models import Division, DivisionKind, DivisionLevel, User
from core.money import parse_money
from core.permissions import require_can
from core.roles import Cap, require
from core.scoping import division_in_scope, get_in_scope
from people.models import AreaType, Household, Person
from relief import rules, selectors
from relief.models import (
    AREA_SCHEMES,
    AdmissionSource,
    CareLevel,
    ClaimKind,
    CoveredGroup,
    Delegation,
    DibaoCase,
    DibaoIncome,
    DibaoMember,
    DischargeOutcome,
    FamilyTrace,
    IncomeSource,
    Placement,
    Power,
    PriceIndex,
    PriceIndexKind,
    PriceSubsidyRule,
    Scheme,
    ServiceKind,
    Standard,
    StationAdmission,
    StationService,
    TekunCase,
    TemporaryReliefClaim,
    TraceMethod,
    TraceStatus,
)
from relief.permissions import approval_level

# The green channel's paperwork deadline. The periodic review's cadence: ``rules.review_months``.
GREEN_CHANNEL_PAPERWORK_DAYS = getattr(settings, "RELIEF_GREEN_CHANNEL_PAPERWORK_DAYS", 10)
BULK_APPROVAL_LIMIT = 200
NOTE_SUMMARY = 500  # how much of the investigation findings the timeline note repeats


def _lock(model, actor: User, pk) -> object:
    """The record, inside the actor's geography (else ``NotFound``), locked for this transaction."""
    return get_in_scope(model.objects.select_for_update(of=("self",)), actor, pk=pk)


def _day_plus_months(day: datetime.date, months: int) -> datetime.date:
    first = add_months(month_start(day), months)
    next_first = add_months(first, 1)
    return first.replace(day=min(day.day, (next_first - datetime.timedelta(days=1)).day))


def _text(value: str | None, *, field: str, limit: int, required: bool = False, label: str = "") -> str:
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput(_("Please fill in %(label)s.") % {"label": label or field}, field=field)
    if len(value) > limit:
        raise InvalidInput(
            _("At most %(limit)d characters (this has %(count)d).") % {"limit": limit, "count": len(value)},
            field=field,
        )
    return value


def _choice(value: str, choices, *, field: str) -> str:
    if value not in choices.values:
        raise InvalidInput(
            _("Choose one of: %(choices)s.") % {"choices": ", ".join(choices.values)},
            field=field,
        )
    return value


def _date(value, *, field: str, not_future: bool = True) -> datetime.date:
    if isinstance(value, datetime.datetime):
        value = value.date()
    if not isinstance(value, datetime.date):
        try:
            value = datetime.date.fromisoformat(str(value or "").strip())
        except ValueError:
            raise InvalidInput(_("Give a date as YYYY-MM-DD."), field=field) from None
    if not_future and value > local_today():
        raise InvalidInput(_("This date is in the future."), field=field)
    return value


# --- Who may act (relief.permissions: the rules the pages ask too) -----------------------------


def _locked_for(model, actor: User, pk, action: str):
    """The record locked for ``action``: the role may take it (403), it is in the actor's geography
    (404), its state allows it (409), the actor holds the power it needs (403) — ``core.permissions``."""
    require_can(actor, action, model)
    record = _lock(model, actor, pk)
    require_can(actor, action, record)
    return record


# --- Standards, delegations, the price rule ---------------------------------------------------


def _division_or_none(code, *, field: str = "division") -> Division | None:
    code = (code.code if isinstance(code, Division) else str(code or "")).strip()
    if not code or code == selectors.CITY_CODE:
        return None
    division = Division.objects.filter(code=code, level=DivisionLevel.DISTRICT).first()
    if division is None:
        raise InvalidInput(_("Choose a district, or leave it empty for the whole city."), field=field)
    return division


@transaction.atomic
def standard_create(
    *,
    actor: User | None,
    scheme: str,
    effective_from,
    amount,
    area_type: str | None = "",
    division: Division | str | None = None,
    source: str = "",
) -> Standard:
    """Add an entry to the standards table (admins). The same scheme, area, division and date twice → 409."""
    if actor is not None:
        require(actor, Cap.STANDARDS_EDIT)
    scheme = _choice(scheme, Scheme, field="scheme")
    area_type = area_type or ""
    if area_type and area_type not in AreaType.values:
        raise InvalidInput(_("Choose urban or rural."), field="area_type")
    if scheme in AREA_SCHEMES and not area_type:
        raise InvalidInput(
            _("This standard is set for urban and rural areas separately: choose one."), field="area_type"
        )
    district = _division_or_none(division)
    effective_from = _date(effective_from, field="effective_from", not_future=False)
    amount = parse_money(amount, field="amount")
    source = _text(source, field="source", limit=200)
    key = {"scheme": scheme, "area_type": area_type, "division": district, "effective_from": effective_from}
    duplicate = Conflict(
        _("There is already a %(scheme)s entry for this area and division from %(date)s.")
        % {"scheme": Scheme(scheme).label, "date": effective_from.isoformat()},
        code="duplicate_standard",
    )
    if Standard.objects.filter(**key).exists():
        raise duplicate
    try:
        with transaction.atomic(), audit_context(actor):
            return Standard.objects.create(**key, amount=amount, source=source, created_by=actor)
    except IntegrityError:
        raise duplicate from None


@transaction.atomic
def standard_update(*, actor: User, standard: Standard, amount=None, source: str | None = None) -> Standard:
    """Correct an entry's amount or source (the change is kept in its history)."""
    require(actor, Cap.STANDARDS_EDIT)
    standard = Standard.objects.select_for_update().get(pk=standard.pk)
    if amount is not None:
        standard.amount = parse_money(amount, field="amount")
    if source is not None:
        standard.source = _text(source, field="source", limit=200)
    with audit_context(actor):
        standard.save(update_fields=["amount", "source"])
    return standard


@transaction.atomic
def delegation_set(
    *, actor: User | None, district: Division | str, power: str, effective_from, delegated: bool, source: str = ""
) -> Delegation:
    """From ``effective_from`` on, the district does (or no longer does) delegate ``power`` to its sub-districts."""
    if actor is not None:
        require(actor, Cap.STANDARDS_EDIT)
    division = _division_or_none(district, field="district")
    if division is None:
        raise InvalidInput(_("Choose a district."), field="district")
    power = _choice(power, Power, field="power")
    effective_from = _date(effective_from, field="effective_from", not_future=False)
    if Delegation.objects.filter(district=division, power=power, effective_from=effective_from).exists():
        raise Conflict(_("This district already has an entry for this power from that date."), code="duplicate_entry")
    with audit_context(actor):
        return Delegation.objects.create(
            district=division,
            power=power,
            effective_from=effective_from,
            delegated=bool(delegated),
            source=_text(source, field="source", limit=200),
            created_by=actor,
        )


def _percent(value, *, field: str, label: str) -> Decimal:
    """A year-on-year change in percent with at most one decimal (``"5.4"``); may be negative."""
    if isinstance(value, bool | float) or value is None or str(value).strip() == "":
        raise InvalidInput(_("%(label)s must be a number such as 5.4.") % {"label": label}, field=field)
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise InvalidInput(_("%(label)s must be a number such as 5.4.") % {"label": label}, field=field) from None
    if not number.is_finite() or number != number.quantize(Decimal("0.1")):
        raise InvalidInput(_("%(label)s has at most one decimal place.") % {"label": label}, field=field)
    if not Decimal("-100") < number < Decimal("1000"):
        raise InvalidInput(_("%(label)s is out of range.") % {"label": label}, field=field)
    return number


@transaction.atomic
def price_rule_create(
    *,
    actor: User | None,
    effective_from,
    cpi_threshold,
    food_cpi_threshold,
    amount_index: str = PriceIndexKind.CPI,
    floor="0",
    covered_groups: Sequence[str] = (CoveredGroup.DIBAO, CoveredGroup.TEKUN),
    source: str = "",
) -> PriceSubsidyRule:
    if actor is not None:
        require(actor, Cap.STANDARDS_EDIT)
    effective_from = _date(effective_from, field="effective_from", not_future=False)
    cpi = _percent(cpi_threshold, field="cpi_threshold", label=_("The CPI threshold"))
    food = _percent(food_cpi_threshold, field="food_cpi_threshold", label=_("The food CPI threshold"))
    if cpi <= 0 or food <= 0:
        raise InvalidInput(_("Thresholds are above zero."), field="cpi_threshold" if cpi <= 0 else "food_cpi_threshold")
    groups = list(dict.fromkeys(covered_groups))
    for group in groups:
        _choice(group, CoveredGroup, field="covered_groups")
    if not groups:
        raise InvalidInput(_("Choose at least one covered group."), field="covered_groups")
    if PriceSubsidyRule.objects.filter(effective_from=effective_from).exists():
        raise Conflict(_("A price-linkage rule already starts on this date."), code="duplicate_entry")
    with audit_context(actor):
        return PriceSubsidyRule.objects.create(
            effective_from=effective_from,
            cpi_threshold=cpi,
            food_cpi_threshold=food,
            amount_index=_choice(amount_index, PriceIndexKind, field="amount_index"),
            floor=parse_money(floor, field="floor"),
            covered_groups=groups,
            source=_text(source, field="source", limit=200),
            created_by=actor,
        )


@transaction.atomic
def price_index_record(*, actor: User, month, cpi_yoy, food_cpi_yoy, published_on=None) -> PriceIndex:
    """Enter a month's published CPI and food CPI rises. One entry per month (409 for a second)."""
    require(actor, Cap.PRICE_INDEX_EDIT)
    month = parse_month(month, field="month")
    if month > current_month():
        raise InvalidInput(_("Indices are entered once published: this month is in the future."), field="month")
    cpi = _percent(cpi_yoy, field="cpi_yoy", label=_("The CPI rise"))
    food = _percent(food_cpi_yoy, field="food_cpi_yoy", label=_("The food CPI rise"))
    published = _date(published_on, field="published_on") if published_on else None
    duplicate = Conflict(
        _("The indices of %(month)s are already entered.") % {"month": f"{month:%Y-%m}"}, code="duplicate_month"
    )
    if PriceIndex.objects.filter(month=month).exists():
        raise duplicate
    try:
        with transaction.atomic(), audit_context(actor):
            index = PriceIndex.objects.create(
                month=month, cpi_yoy=cpi, food_cpi_yoy=food, published_on=published, created_by=actor
            )
    except IntegrityError:
        raise duplicate from None
    if selectors.price_decision(index).triggered:
        # The month's price-linked subsidy run (payouts/), created once this entry is committed.
        transaction.on_commit(partial(_queue_price_subsidy_run, month, actor.pk), robust=True)
    return index


def _queue_price_subsidy_run(month: datetime.date, actor_id: int) -> None:
    from payouts.services import price_index_recorded  # payouts reads relief: imported late, no cycle

    price_index_recorded(month=month, actor_id=actor_id)


# The values shipped with the portal (relief/migrations/0002 loads the same on every install).
# The annual cap is the bureau's (2020 H1 report: 20,000 raised to 30,000 from 1 January 2020);
# the price-linkage thresholds are the national ones (CPI 3.5% or food CPI 6%). Everything
# marked DEMO is a plausible figure for demonstration, to be replaced by the administrator
# with the bureau's own table (``seed_demo`` loads those).
DEMO = "demo value (演示数据)"
SHIPPED_STANDARDS = [
    (Scheme.TEMPORARY_RELIEF_CAP, "", "2014-01-01", "20000.00", "临时救助年累计救助金额上限"),
    (Scheme.TEMPORARY_RELIEF_CAP, "", "2020-01-01", "30000.00", "2020年上半年工作总结：1月1日起由2万元提高到3万元"),
    (Scheme.TEMPORARY_RELIEF_SMALL_CLAIM, "", "2014-01-01", "1000.00", DEMO + "; city-wide default for every district"),
]
DEMO_STANDARDS = [
    (Scheme.DIBAO, "urban", "2019-01-01", "880.00", DEMO),
    (Scheme.DIBAO, "rural", "2019-01-01", "700.00", DEMO),
    (Scheme.DIBAO, "urban", "2020-04-01", "940.00", DEMO + "; raised from 1 April 2020"),
    (Scheme.DIBAO, "rural", "2020-04-01", "760.00", DEMO + "; raised from 1 April 2020"),
    (Scheme.TEKUN, "urban", "2019-01-01", "1144.00", DEMO + "; 1.3 × dibao"),
    (Scheme.TEKUN, "rural", "2019-01-01", "910.00", DEMO + "; 1.3 × dibao"),
    (Scheme.TEKUN, "urban", "2020-04-01", "1222.00", DEMO + "; 1.3 × dibao, raised from 1 April 2020"),
    (Scheme.TEKUN, "rural", "2020-04-01", "988.00", DEMO + "; 1.3 × dibao, raised from 1 April 2020"),
    (Scheme.TEKUN_CARE_FULL, "", "2019-01-01", "200.00", DEMO),
    (Scheme.TEKUN_CARE_PARTIAL, "", "2019-01-01", "600.00", DEMO),
    (Scheme.TEKUN_CARE_NONE, "", "2019-01-01", "1200.00", DEMO),
]
PRICE_RULE_SEED = ("2016-01-01", "3.5", "6.0", "全国社会救助和保障标准与物价上涨挂钩联动机制（CPI 3.5%或食品CPI 6%）")


def standards_seed(*, demo: bool = True) -> int:
    """Load the shipped standards and price-linkage rule that are missing. Idempotent; returns how many it added."""
    added = 0
    rows = SHIPPED_STANDARDS + (DEMO_STANDARDS if demo else [])
    with transaction.atomic():
        for scheme, area, day, amount, source in rows:
            key = {"scheme": scheme, "area_type": area, "division": None, "effective_from": day}
            if not Standard.objects.filter(**key).exists():
                Standard.objects.create(**key, amount=Decimal(amount), source=source)
                added += 1
        if not PriceSubsidyRule.objects.exists():
            day, cpi, food, source = PRICE_RULE_SEED
            PriceSubsidyRule.objects.create(
                effective_from=day, cpi_threshold=Decimal(cpi), food_cpi_threshold=Decimal(food), source=source
            )
            added += 1
    return added


# --- Dibao ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IncomeSpec:
    """One member's monthly income from one source (``person_id`` None: the household's, unattributed)."""

    person_id: int | None
    source: str
    amount: Decimal | str


@dataclass(frozen=True)
class InvestigationSpec:
    on: datetime.date | str
    investigators: str
    findings: str = ""


def _income_rows(incomes: Sequence[IncomeSpec], member_ids: Collection[int]) -> tuple[list[DibaoIncome], Decimal]:
    rows, total = [], Decimal(0)
    for spec in incomes:
        if spec.person_id is not None and spec.person_id not in member_ids:
            raise InvalidInput(_("Income can only be entered for members of the household."), field="incomes")
        source = _choice(spec.source, IncomeSource, field="incomes")
        amount = parse_money(spec.amount, field="incomes", label=_("An income"))
        rows.append(DibaoIncome(person_id=spec.person_id, source=source, amount=amount))
        total += amount
    return rows, total


def _household_income(monthly_income, incomes: Sequence[IncomeSpec], member_ids: Collection[int]):
    rows, total = _income_rows(incomes, member_ids)
    if monthly_income is None or monthly_income == "":
        if not incomes:
            raise InvalidInput(_("Enter the household's monthly income."), field="monthly_income")
        return rows, parse_money(total, field="monthly_income")
    income = parse_money(monthly_income, field="monthly_income", label=_("The monthly income"))
    if incomes and income != total:
        raise InvalidInput(
            _("The monthly income (%(income)s) is not the sum of the incomes entered (%(total)s).")
            % {"income": f"{income:.2f}", "total": f"{total:.2f}"},
            field="monthly_income",
        )
    return rows, income


def _investigation_changes(spec: InvestigationSpec) -> dict:
    return {
        "investigated_on": _date(spec.on, field="investigated_on"),
        "investigators": _text(
            spec.investigators, field="investigators", limit=100, required=True, label=_("the investigators")
        ),
        "investigation_findings": _text(spec.findings, field="investigation_findings", limit=4000),
    }


@transaction.atomic
def dibao_case_create(
    *,
    actor: User,
    household: Household,
    monthly_income=None,
    incomes: Sequence[IncomeSpec] = (),
    disabled: Collection[int] = (),
    investigation: InvestigationSpec | None = None,
    income_irregular: bool = False,
    note: str = "",
) -> DibaoCase:
    """Open a dibao application for a household: every living member is covered.

    ``monthly_income`` is the household total; when ``incomes`` are given it may be left
    out (their sum) or must equal their sum.
    """
    require_can(actor, "create", DibaoCase)
    household = get_in_scope(Household.objects.all(), actor, pk=household.pk)
    members = [m for m in household.members.select_related("person").order_by("id") if m.person.death_date is None]
    if not members:
        raise Conflict(_("The household has no living member to cover."), code="no_members")
    member_ids = {m.person_id for m in members}
    income_rows, income = _household_income(monthly_income, incomes, member_ids)
    if set(disabled) - member_ids:
        raise InvalidInput(_("Only members of the household can be marked as having a disability."), field="disabled")
    changes = _investigation_changes(investigation) if investigation is not None else None
    note = clean_note(note)
    exists = Conflict(
        _("This household already has an open dibao case; continue that one instead."), code="case_exists"
    )
    if DibaoCase.objects.filter(household=household, status__in=OPEN_STATUSES).exists():
        raise exists
    try:
        with transaction.atomic(), audit_context(actor):
            case = DibaoCase.objects.create(
                household=household,
                monthly_income=income,
                members_count=len(members),
                income_irregular=bool(income_irregular),
                created_by=actor,
            )
            DibaoMember.objects.bulk_create(
                [
                    DibaoMember(
                        case=case, person_id=m.person_id, relationship=m.relationship, disabled=m.person_id in disabled
                    )
                    for m in members
                ]
            )
            for row in income_rows:
                row.case = case
            DibaoIncome.objects.bulk_create(income_rows)
    except IntegrityError:
        raise exists from None
    open_case(case, actor=actor, note=note)
    if changes is not None:
        transition(
            case, "investigate", actor=actor, note=changes["investigation_findings"][:NOTE_SUMMARY], changes=changes
        )
    return case


# --- The procedure dibao and tekun share (core.cases.NOTICED_CASE_MACHINE) -----------------------


def _review_months(case) -> int:
    return rules.review_months(irregular=bool(getattr(case, "income_irregular", False)))


def _investigate(model, actor: User, case, investigation: InvestigationSpec, note: str):
    """Record the home investigation (入户调查); it answers an open objection."""
    case = _locked_for(model, actor, case.pk, "investigate")
    changes = {**_investigation_changes(investigation), "objection_open": False}
    transition(
        case, "investigate", actor=actor, note=note or changes["investigation_findings"][:NOTE_SUMMARY], changes=changes
    )
    return case


def _review(model, actor: User, case, note: str):
    """The sub-district's initial opinion (初审): the 7-day public notice in the community opens today."""
    case = _locked_for(model, actor, case.pk, "review")  # 409 investigation_missing without an investigation
    today = local_today()
    changes = {
        "reviewed_by": actor,
        "reviewed_at": timezone.now(),
        "notice_until": today + datetime.timedelta(days=rules.PUBLIC_NOTICE_DAYS),
    }
    transition(case, "review", actor=actor, note=note, changes=changes)
    return case


def _object(model, actor: User, case, note: str):
    """An objection during the notice (公示异议): back to the investigation, with the objection on record."""
    note = _text(note, field="note", limit=1000, required=True, label=_("the objection"))
    case = _locked_for(model, actor, case.pk, "object")
    transition(case, "object", actor=actor, note=note, changes={"objection_open": True})
    return case


def _approve_changes(actor: User, level: str, case) -> dict:
    """Paid from the month after the decision (下月起发放)."""
    today = local_today()
    return {
        "approved_by": actor,
        "approved_at": timezone.now(),
        "approval_level": level,
        "start_month": add_months(month_start(today), 1),
        "end_month": None,
        "last_review_on": today,
        "next_review_on": _day_plus_months(today, _review_months(case)),
    }


def _reject(model, actor: User, case, note: str):
    """A refusal is told in writing with its reason: the note is required (400 without)."""
    note = _text(note, field="note", limit=1000, required=True, label=_("the reason for the refusal"))
    case = _locked_for(model, actor, case.pk, "reject")
    transition(case, "reject", actor=actor, note=note)
    return case


@transaction.atomic
def dibao_case_investigate(
    *, actor: User, case: DibaoCase, investigation: InvestigationSpec, note: str = ""
) -> DibaoCase:
    """Record the home investigation (入户调查) of a submitted application."""
    return _investigate(DibaoCase, actor, case, investigation, note)


@transaction.atomic
def dibao_case_review(*, actor: User, case: DibaoCase, note: str = "") -> DibaoCase:
    """The sub-district's initial opinion (初审); the public notice runs 7 days from today."""
    return _review(DibaoCase, actor, case, note)


@transaction.atomic
def dibao_case_object(*, actor: User, case: DibaoCase, note: str = "") -> DibaoCase:
    return _object(DibaoCase, actor, case, note)


@transaction.atomic
def dibao_case_approve(*, actor: User, case: DibaoCase, note: str = "") -> DibaoCase:
    """The decision (审核确认) once the notice has ended: paid from next month (409 notice_running before)."""
    case = _locked_for(DibaoCase, actor, case.pk, "approve")
    level = approval_level(actor, division=case.household.community_id, on=local_today(), power=Power.DIBAO_APPROVAL)
    changes = _approve_changes(actor, level, case)
    selectors.dibao_allowance(case, changes["start_month"])  # refuses (409) when no standard is in force
    transition(case, "approve", actor=actor, note=note, changes=changes)
    return case


def _dibao_management(actor: User, case_pk, action: str, note: str, changes_for=None) -> DibaoCase:
    """Suspend, resume, terminate: the approving level's decisions. ``changes_for(case)`` adds fields."""
    case = _locked_for(DibaoCase, actor, case_pk, action)
    transition(case, action, actor=actor, note=note, changes=changes_for(case) if changes_for else None)
    return case


@transaction.atomic
def dibao_case_reject(*, actor: User, case: DibaoCase, note: str = "") -> DibaoCase:
    case = _reject(DibaoCase, actor, case, note)
    run_consequences(APPLICATION_REFUSED, case=case, actor=actor)  # still in hardship: a warning (monitoring)
    return case


@transaction.atomic
def dibao_case_withdraw(*, actor: User, case: DibaoCase, note: str = "") -> DibaoCase:
    """The applicant withdraws the application (recorded by the service window)."""
    case = _locked_for(DibaoCase, actor, case.pk, "withdraw")
    transition(case, "withdraw", actor=actor, note=note)
    return case


@transaction.atomic
def dibao_case_suspend(*, actor: User, case: DibaoCase, note: str = "") -> DibaoCase:
    """Suspend: no dibao from now; the members' living subsidies stop from next month (``DIBAO_ENDED``)."""
    case = _dibao_management(actor, case.pk, "suspend", note)
    run_consequences(DIBAO_ENDED, case=case, actor=actor, from_month=add_months(current_month(), 1), note=note)
    return case


@transaction.atomic
def dibao_case_resume(*, actor: User, case: DibaoCase, note: str = "") -> DibaoCase:
    return _dibao_management(actor, case.pk, "resume", note)


def _end_month(case, end_month) -> datetime.date:
    end = parse_month(end_month, field="end_month") if end_month else add_months(current_month(), 1)
    if case.start_month is not None and end < case.start_month:
        end = case.start_month  # ended before its first month: never paid
    return end


@transaction.atomic
def dibao_case_terminate(*, actor: User, case: DibaoCase, note: str = "", end_month=None) -> DibaoCase:
    """End the case: it pays no more from ``end_month`` (default: next month); nor do the members' living subsidies."""
    case = _dibao_management(
        actor, case.pk, "terminate", note, lambda locked: {"end_month": _end_month(locked, end_month)}
    )
    run_consequences(DIBAO_ENDED, case=case, actor=actor, from_month=case.end_month, note=note)
    return case


@transaction.atomic
def dibao_case_recheck(
    *,
    actor: User,
    case: DibaoCase,
    note: str = "",
    monthly_income=None,
    incomes: Sequence[IncomeSpec] | None = None,
    income_irregular: bool | None = None,
) -> DibaoCase:
    """The periodic review (定期复核): confirm or update the income; the next review date moves on."""
    case = _locked_for(DibaoCase, actor, case.pk, "recheck")
    today = local_today()
    if income_irregular is not None:
        case.income_irregular = bool(income_irregular)
    changes: dict = {
        "last_review_on": today,
        "next_review_on": _day_plus_months(today, _review_months(case)),
        "income_irregular": case.income_irregular,
    }
    if monthly_income not in (None, "") or incomes:
        member_ids = set(case.members.values_list("person_id", flat=True))
        rows, income = _household_income(monthly_income, incomes or (), member_ids)
        changes["monthly_income"] = income
        with audit_context(actor, action="recheck"):
            if incomes:
                case.incomes.all().delete()
                for row in rows:
                    row.case = case
                DibaoIncome.objects.bulk_create(rows)
    transition(case, "recheck", actor=actor, note=note, changes=changes)
    return case


# --- Tekun ------------------------------------------------------------------------------------


def _area_type_of(person: Person) -> str:
    membership = person.memberships.select_related("household").first()
    if membership is not None:
        return membership.household.area_type
    kinds = {
        d.kind
        for d in Division.objects.filter(code__in=[person.division_id, person.division_id[:9]])
        if d.level in (DivisionLevel.COMMUNITY, DivisionLevel.SUBDISTRICT)
    }
    return AreaType.RURAL if kinds & {DivisionKind.VILLAGE, DivisionKind.TOWN} else AreaType.URBAN


@transaction.atomic
def tekun_case_create(
    *,
    actor: User,
    person: Person,
    care_level: str,
    placement: str,
    institution: str = "",
    area_type: str | None = None,
    note: str = "",
) -> TekunCase:
    """Open a tekun application for a person. Urban or rural defaults to their household's (or village → rural)."""
    require_can(actor, "create", TekunCase)
    person = get_in_scope(Person.objects.all(), actor, pk=person.pk)
    if person.death_date is not None:
        raise Conflict(_("This person is recorded as deceased."), code="deceased")
    care_level = _choice(care_level, CareLevel, field="care_level")
    placement = _choice(placement, Placement, field="placement")
    institution = _text(institution, field="institution", limit=100)
    if area_type:
        area_type = _choice(area_type, AreaType, field="area_type")
    else:
        area_type = _area_type_of(person)
    note = clean_note(note)
    exists = Conflict(_("This person already has an open tekun case."), code="case_exists")
    if TekunCase.objects.filter(person=person, status__in=OPEN_STATUSES).exists():
        raise exists
    try:
        with transaction.atomic(), audit_context(actor):
            case = TekunCase.objects.create(
                person=person,
                care_level=care_level,
                placement=placement,
                institution=institution,
                area_type=area_type,
                created_by=actor,
            )
    except IntegrityError:
        raise exists from None
    open_case(case, actor=actor, note=note)
    return case


@transaction.atomic
def tekun_case_investigate(
    *, actor: User, case: TekunCase, investigation: InvestigationSpec, note: str = ""
) -> TekunCase:
    """Record the home investigation of a tekun application (the same step as dibao's)."""
    return _investigate(TekunCase, actor, case, investigation, note)


@transaction.atomic
def tekun_case_review(*, actor: User, case: TekunCase, note: str = "") -> TekunCase:
    return _review(TekunCase, actor, case, note)


@transaction.atomic
def tekun_case_object(*, actor: User, case: TekunCase, note: str = "") -> TekunCase:
    return _object(TekunCase, actor, case, note)


@transaction.atomic
def tekun_case_approve(*, actor: User, case: TekunCase, note: str = "") -> TekunCase:
    """Support starts the month after the decision (409 notice_running while the notice runs)."""
    case = _locked_for(TekunCase, actor, case.pk, "approve")
    level = approval_level(actor, division=case.person.division_id, on=local_today(), power=Power.TEKUN_APPROVAL)
    changes = _approve_changes(actor, level, case)
    selectors.tekun_allowance(case, changes["start_month"])  # refuses (409) when no standard is in force
    transition(case, "approve", actor=actor, note=note, changes=changes)
    return case


def _tekun_action(actor: User, case_pk, action: str, note: str, *, changes=None) -> TekunCase:
    """``changes``: a dict of fields, or a function of the locked case that returns one."""
    case = _locked_for(TekunCase, actor, case_pk, action)
    transition(case, action, actor=actor, note=note, changes=changes(case) if callable(changes) else changes)
    return case


@transaction.atomic
def tekun_case_reject(*, actor: User, case: TekunCase, note: str = "") -> TekunCase:
    case = _reject(TekunCase, actor, case, note)
    run_consequences(APPLICATION_REFUSED, case=case, actor=actor)  # still in hardship: a warning (monitoring)
    return case


@transaction.atomic
def tekun_case_withdraw(*, actor: User, case: TekunCase, note: str = "") -> TekunCase:
    case = _locked_for(TekunCase, actor, case.pk, "withdraw")
    transition(case, "withdraw", actor=actor, note=note)
    return case


@transaction.atomic
def tekun_case_suspend(*, actor: User, case: TekunCase, note: str = "") -> TekunCase:
    return _tekun_action(actor, case.pk, "suspend", note)


@transaction.atomic
def tekun_case_resume(*, actor: User, case: TekunCase, note: str = "") -> TekunCase:
    return _tekun_action(actor, case.pk, "resume", note)


@transaction.atomic
def tekun_case_terminate(*, actor: User, case: TekunCase, note: str = "", end_month=None) -> TekunCase:
    return _tekun_action(
        actor,
        case.pk,
        "terminate",
        note,
        changes=lambda locked: {"end_month": _end_month(locked, end_month)},
    )


@transaction.atomic
def tekun_case_recheck(
    *, actor: User, case: TekunCase, note: str = "", care_level: str | None = None, placement: str | None = None
) -> TekunCase:
    """Periodic review; the self-care level or placement may change (the care standard follows)."""
    today = local_today()
    changes: dict = {
        "last_review_on": today,
        "next_review_on": _day_plus_months(today, rules.review_months(irregular=False)),
    }
    if care_level:
        changes["care_level"] = _choice(care_level, CareLevel, field="care_level")
    if placement:
        changes["placement"] = _choice(placement, Placement, field="placement")
    return _tekun_action(actor, case.pk, "recheck", note, changes=changes)


# --- A death (``core.cases.PERSON_DIED``: called by people.services.person_record_death) -----


def _death_ends(case, *, stops: datetime.date, actor: User, reason: str) -> CaseEvent | None:
    """End an ongoing case from ``stops`` (never before its first month) or close a pending application."""
    if case.status in PENDING_STATUSES:
        return transition(case, "close", actor=actor, note=reason)
    if case.status in (CaseStatus.ACTIVE, CaseStatus.SUSPENDED):
        end = max(stops, case.start_month) if case.start_month else stops
        return transition(case, "lapse", actor=actor, note=reason, changes={"end_month": end})
    return None


def relief_on_death(*, person: Person, death_date: datetime.date, actor: User, note: str = "") -> list[CaseEvent]:
    """A person died: their tekun stops from the month after the death; so does a dibao case with no one left.

    A dibao case covering other living members goes on: the death is recorded on its
    timeline and its periodic review falls due now, for the household's income and members
    to be looked at again. When no covered member is alive, the case ends, and the
    household's other members' living subsidies follow (``DIBAO_ENDED``).
    """
    stops = add_months(month_start(death_date), 1)
    values = {"name": person.name, "date": death_date.isoformat(), "month": month_str(stops)}
    extra = f" {note}" if note else ""
    events: list[CaseEvent] = []
    for case in TekunCase.objects.select_for_update(of=("self",)).filter(person=person, status__in=OPEN_STATUSES):
        reason = _("%(name)s died on %(date)s: tekun is no longer paid from %(month)s.") % values
        event = _death_ends(case, stops=stops, actor=actor, reason=reason + extra)
        if event is not None:
            events.append(event)
    covering = DibaoMember.objects.filter(person=person).values("case_id")
    dibao_cases = (
        DibaoCase.objects.select_for_update(of=("self",))
        .select_related("household")
        .filter(pk__in=covering, status__in=OPEN_STATUSES)
        .order_by("id")
    )
    for case in dibao_cases:
        alive = case.members.filter(person__death_date__isnull=True).exclude(person=person).count()
        if alive == 0:
            reason = _(
                "%(name)s died on %(date)s, the last living member the case covers: dibao ends with %(month)s."
            ) % {**values, "month": month_str(death_date)}
            event = _death_ends(case, stops=stops, actor=actor, reason=reason + extra)
            if event is not None:
                events.append(event)
                if case.status == CaseStatus.TERMINATED:
                    events.extend(
                        run_consequences(DIBAO_ENDED, case=case, actor=actor, from_month=case.end_month, note=reason)
                    )
            continue
        reason = _(
            "%(name)s, a member this case covers, died on %(date)s: %(n)d covered members remain. "
            "The periodic review is due now to count the household again."
        ) % {**values, "n": alive}
        changes = {"members_count": alive}  # the case counts the living members (the allowance from next month)
        if case.status in (CaseStatus.ACTIVE, CaseStatus.SUSPENDED) and (
            case.next_review_on is None or case.next_review_on > death_date
        ):
            changes["next_review_on"] = death_date
        events.append(transition(case, "eligibility_check", actor=actor, note=reason + extra, changes=changes))
    return events


# --- Temporary relief -------------------------------------------------------------------------


@transaction.atomic
def temporary_relief_claim_create(
    *,
    actor: User,
    household: Household,
    amount,
    kind: str,
    reason: str,
    green_channel: bool = False,
    note: str = "",
) -> TemporaryReliefClaim:
    """File a claim. A green-channel claim (urgent only) may be approved before its paperwork is complete."""
    require_can(actor, "create", TemporaryReliefClaim)
    household = get_in_scope(Household.objects.all(), actor, pk=household.pk)
    amount = parse_money(amount, field="amount", allow_zero=False)
    kind = _choice(kind, ClaimKind, field="kind")
    reason = _text(reason, field="reason", limit=2000, required=True, label=_("the reason"))
    if green_channel and kind != ClaimKind.URGENT:
        raise InvalidInput(_("Only urgent claims can use the green channel."), field="green_channel")
    note = clean_note(note)
    today = local_today()
    cap, used = _cap_and_used(household.pk, today)
    if amount > cap - used:
        raise _cap_exceeded(amount, cap, used, today.year, asked=True)
    with audit_context(actor):
        claim = TemporaryReliefClaim.objects.create(
            household=household,
            amount=amount,
            kind=kind,
            reason=reason,
            green_channel=bool(green_channel),
            created_by=actor,
        )
    open_case(claim, actor=actor, note=note)
    return claim


def _cap_and_used(household_id: int, today: datetime.date) -> tuple[Decimal, Decimal]:
    cap = selectors.annual_cap(today)
    if cap is None:
        raise selectors.no_standard(Scheme.TEMPORARY_RELIEF_CAP, today)
    return cap, selectors.used_in_year(household_id, today.year)


def _cap_exceeded(amount: Decimal, cap: Decimal, used: Decimal, year: int, *, asked: bool = False) -> Conflict:
    values = {
        "amount": f"{amount:.2f}",
        "cap": f"{cap:.2f}",
        "year": year,
        "used": f"{used:.2f}",
        "remaining": f"{max(cap - used, 0):.2f}",
    }
    if asked:
        message = _(
            "%(amount)s is more than the household may still receive this year: the annual cap is %(cap)s "
            "for %(year)d, already approved %(used)s, remaining %(remaining)s."
        )
    else:
        message = _(
            "Approving %(amount)s would pass the household's annual cap of %(cap)s for %(year)d "
            "(already approved: %(used)s; remaining: %(remaining)s)."
        )
    return Conflict(message % values, code="annual_cap_exceeded")


def _approved_amount(claim: TemporaryReliefClaim, amount, note: str) -> Decimal:
    """The amount granted: the amount asked by default, or less with the reason in the note (400 otherwise)."""
    if amount in (None, ""):
        return claim.amount
    granted = parse_money(amount, field="amount", allow_zero=False, label=_("The amount approved"))
    if granted > claim.amount:
        raise InvalidInput(
            _("At most the amount asked (%(asked)s) can be approved.") % {"asked": f"{claim.amount:.2f}"},
            field="amount",
        )
    if granted < claim.amount and not note:
        raise InvalidInput(_("Say why less than the amount asked is approved."), field="note")
    return granted


@transaction.atomic
def temporary_relief_claim_approve(
    *, actor: User, claim: TemporaryReliefClaim, note: str = "", amount=None
) -> TemporaryReliefClaim:
    """Approve a claim — all of it, or ``amount`` less with the reason — within the approver's power and
    the household's annual cap, or change nothing.

    Order of locks: the claim, then its household (``FOR NO KEY UPDATE``: it serializes
    approvals for one household without blocking rows that merely refer to it).
    """
    note = clean_note(note)
    claim = _locked_for(TemporaryReliefClaim, actor, claim.pk, "approve")
    granted = _approved_amount(claim, amount, note)
    today = local_today()
    level = approval_level(actor, division=claim.household.community_id, on=today, amount=granted)
    Household.objects.select_for_update(no_key=True).only("pk").get(pk=claim.household_id)
    cap, used = _cap_and_used(claim.household_id, today)
    if used + granted > cap:
        raise _cap_exceeded(granted, cap, used, today.year)
    changes = {
        "approved_by": actor,
        "approved_at": timezone.now(),
        "approval_level": level,
        "approved_amount": granted,
        "cap_year": today.year,
    }
    if claim.green_channel:
        changes["paperwork_due"] = today + datetime.timedelta(days=GREEN_CHANNEL_PAPERWORK_DAYS)
    transition(claim, "approve", actor=actor, note=note, changes=changes)
    return claim


@transaction.atomic
def temporary_relief_claim_refer(*, actor: User, claim: TemporaryReliefClaim, note: str = "") -> TemporaryReliefClaim:
    """A sub-district approver sends a claim above its power to the district (上报区市审批)."""
    claim = _locked_for(TemporaryReliefClaim, actor, claim.pk, "refer")
    transition(claim, "refer", actor=actor, note=note)
    return claim


@transaction.atomic
def temporary_relief_claim_reject(*, actor: User, claim: TemporaryReliefClaim, note: str = "") -> TemporaryReliefClaim:
    claim = _locked_for(TemporaryReliefClaim, actor, claim.pk, "reject")
    transition(claim, "reject", actor=actor, note=note)
    return claim


@transaction.atomic
def temporary_relief_claim_withdraw(
    *, actor: User, claim: TemporaryReliefClaim, note: str = ""
) -> TemporaryReliefClaim:
    claim = _locked_for(TemporaryReliefClaim, actor, claim.pk, "withdraw")
    transition(claim, "withdraw", actor=actor, note=note)
    return claim


@transaction.atomic
def temporary_relief_claim_complete_paperwork(
    *, actor: User, claim: TemporaryReliefClaim, note: str = ""
) -> TemporaryReliefClaim:
    """Record that a green-channel claim's paperwork is now complete (补齐材料)."""
    claim = _locked_for(TemporaryReliefClaim, actor, claim.pk, "complete_paperwork")
    transition(
        claim,
        "complete_paperwork",
        actor=actor,
        note=note,
        changes={"paperwork_completed_at": timezone.now(), "paperwork_completed_by": actor},
    )
    return claim


@transaction.atomic
def temporary_relief_claim_pay_cash(
    *, actor: User, claim: TemporaryReliefClaim, recipient: str = "", note: str = ""
) -> TemporaryReliefClaim:
    """Pay an approved claim in cash at the window (an emergency), against a printed receipt (现金发放).

    Never also by bank: the claim row is locked first, so a temporary-relief run computing now
    (it locks the claims it pays, ``FOR SHARE``) either finishes first, and then its line refuses
    this (409 ``paid_by_bank``), or waits and then skips the claim, whose row now says "paid in cash".
    """
    note = clean_note(note)
    claim = _locked_for(TemporaryReliefClaim, actor, claim.pk, "pay_cash")
    recipient = _text(recipient, field="recipient", limit=100, required=True, label=_("who received the cash"))
    transition(
        claim,
        "pay_cash",
        actor=actor,
        note=note,
        changes={"paid_in_cash_at": timezone.now(), "paid_in_cash_by": actor, "cash_recipient": recipient},
    )
    return claim


@dataclass(frozen=True)
class BulkOutcome:
    claim_id: int
    approved: bool
    message: str
    claim: TemporaryReliefClaim | None = None


def temporary_relief_claims_approve_many(*, actor: User, claim_ids: Sequence[int], note: str = "") -> list[BulkOutcome]:
    """Approve many claims, each on its own (its own transaction and result): one refusal stops no other.

    Deliberately not one transaction: a claim past the cap or above the approver's power is
    reported as such while the others are approved.
    """
    ids = list(dict.fromkeys(int(pk) for pk in claim_ids))
    if not ids:
        raise InvalidInput(_("Select at least one claim."), field="claims")
    if len(ids) > BULK_APPROVAL_LIMIT:
        raise InvalidInput(_("At most %(limit)d claims at once.") % {"limit": BULK_APPROVAL_LIMIT}, field="claims")
    clean_note(note)
    outcomes = []
    for pk in ids:
        claim = None
        try:
            claim = selectors.claim_get(user=actor, pk=pk)
            claim = temporary_relief_claim_approve(actor=actor, claim=claim, note=note)
        except DomainError as exc:
            outcomes.append(BulkOutcome(pk, False, str(exc.message), claim))
        else:
            outcomes.append(BulkOutcome(pk, True, _("Approved."), claim))
    return outcomes


# --- Vagrant relief ---------------------------------------------------------------------------


@transaction.atomic
def admission_create(
    *,
    actor: User,
    name: str,
    admitted_on,
    source: str,
    sex: str = "",
    estimated_age: int | None = None,
    circumstances: str = "",
    person: Person | None = None,
    station: Division | str | None = None,
    note: str = "",
) -> StationAdmission:
    """Admit someone to the relief station (recorded under the actor's division unless another is named)."""
    require_can(actor, "create", StationAdmission)
    code = station.code if isinstance(station, Division) else (station or actor.division_id)
    if not division_in_scope(actor, code) or not Division.objects.filter(code=code).exists():
        raise InvalidInput(_("Choose a division inside your area."), field="station")
    if person is not None:
        person = get_in_scope(Person.objects.all(), actor, pk=person.pk)
        name = name or person.name
    name = _text(name, field="name", limit=50, required=True, label=_("a name or description"))
    if sex and sex not in ("male", "female"):
        raise InvalidInput(_("Choose male or female, or leave it empty."), field="sex")
    if estimated_age is not None and not 0 <= int(estimated_age) <= 120:
        raise InvalidInput(_("An age between 0 and 120."), field="estimated_age")
    with audit_context(actor):
        admission = StationAdmission.objects.create(
            station_id=code,
            person=person,
            name=name,
            sex=sex or (person.sex if person else ""),
            estimated_age=estimated_age,
            admitted_on=_date(admitted_on, field="admitted_on"),
            source=_choice(source, AdmissionSource, field="source"),
            circumstances=_text(circumstances, field="circumstances", limit=4000),
            created_by=actor,
        )
    open_case(admission, actor=actor, note=note)
    return admission


def _open_admission(actor: User, admission: StationAdmission, action: str) -> StationAdmission:
    return _locked_for(StationAdmission, actor, admission.pk, action)


@transaction.atomic
def admission_add_service(
    *, actor: User, admission: StationAdmission, kind: str, given_on, cost=None, note: str = ""
) -> StationService:
    admission = _open_admission(actor, admission, "service")
    given_on = _date(given_on, field="given_on")
    if given_on < admission.admitted_on:
        raise InvalidInput(_("A service cannot come before the admission."), field="given_on")
    with audit_context(actor):
        return StationService.objects.create(
            admission=admission,
            kind=_choice(kind, ServiceKind, field="kind"),
            given_on=given_on,
            cost=None if cost in (None, "") else parse_money(cost, field="cost"),
            note=_text(note, field="note", limit=200),
            created_by=actor,
        )


@transaction.atomic
def trace_start(*, actor: User, admission: StationAdmission, method: str, started_on, note: str = "") -> FamilyTrace:
    admission = _open_admission(actor, admission, "trace")
    with audit_context(actor):
        return FamilyTrace.objects.create(
            admission=admission,
            method=_choice(method, TraceMethod, field="method"),
            started_on=_date(started_on, field="started_on"),
            note=_text(note, field="note", limit=4000),
            created_by=actor,
        )


@transaction.atomic
def trace_conclude(*, actor: User, trace: FamilyTrace, found: bool, concluded_on, note: str = "") -> FamilyTrace:
    trace = _locked_for(FamilyTrace, actor, trace.pk, "conclude")
    concluded_on = _date(concluded_on, field="concluded_on")
    if concluded_on < trace.started_on:
        raise InvalidInput(_("It cannot end before it started."), field="concluded_on")
    trace.status = TraceStatus.FOUND if found else TraceStatus.NOT_FOUND
    trace.concluded_on = concluded_on
    if note:
        trace.note = "\n".join(filter(None, [trace.note, _text(note, field="note", limit=2000)]))
    with audit_context(actor):
        trace.save(update_fields=["status", "concluded_on", "note", "updated_at"])
    return trace


@transaction.atomic
def admission_discharge(
    *,
    actor: User,
    admission: StationAdmission,
    outcome: str,
    discharged_on,
    destination: str = "",
    note: str = "",
) -> StationAdmission:
    """The person leaves the station: reunited, returned home, transferred, left, or died."""
    admission = _open_admission(actor, admission, "discharge")
    outcome = _choice(outcome, DischargeOutcome, field="outcome")
    discharged_on = _date(discharged_on, field="discharged_on")
    if discharged_on < admission.admitted_on:
        raise InvalidInput(_("One cannot leave before being admitted."), field="discharged_on")
    destination = _text(destination, field="destination", limit=100)
    if outcome == DischargeOutcome.TRANSFERRED and not destination:
        raise InvalidInput(_("Name the institution they were transferred to."), field="destination")
    transition(
        admission,
        "discharge",
        actor=actor,
        note=note,
        changes={"outcome": outcome, "discharged_on": discharged_on, "destination": destination},
    )
    return admission

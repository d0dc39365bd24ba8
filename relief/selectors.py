"""Reads of social assistance: standards in force, allowances, usage, queues, lists. Always scoped.

``standard_for`` is the one answer to "what applies to this household in month M": the
entry of the most specific division (district before city) for the household's area
(urban/rural before an entry for both), with the latest ``effective_from`` not after
the date asked.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from core.cases import (
    OPEN_STATUSES,
    PENDING_STATUSES,
    CaseStatus,
    accepted_before_for_overdue,
    add_months,
    local_today,
    month_start,
    month_str,
)
from core.errors import Conflict, NotFound
from core.models import User
from core.money import ZERO, money
from core.roles import Cap, has_cap
from core.scoping import division_in_scope, get_in_scope, scope, scope_prefix
from people.models import Household
from people.selectors import match_people
from relief import rules
from relief.models import (
    CARE_SCHEMES,
    ClaimStatus,
    CoveredGroup,
    Delegation,
    DibaoCase,
    DibaoMember,
    DischargeOutcome,
    FamilyTrace,
    Power,
    PriceIndex,
    PriceSubsidyRule,
    Scheme,
    Standard,
    StationAdmission,
    StationService,
    TekunCase,
    TemporaryReliefClaim,
    TraceStatus,
)

CITY_CODE = "370200"

# Standards where a district's own entry replaces the city's whatever its amount (api.md "Standards").
MOST_SPECIFIC_SCHEMES = frozenset({Scheme.TEMPORARY_RELIEF_CAP, Scheme.TEMPORARY_RELIEF_SMALL_CLAIM})


# --- Standards --------------------------------------------------------------------------------


def division_chain(code: str | None) -> list[str]:
    """A division and the divisions above it, most specific first (the city itself excluded)."""
    if not code or code == CITY_CODE:
        return []
    return [code[:n] for n in (12, 9, 6) if len(code) >= n]


class StandardsTable:
    """The entries of some schemes, loaded once and answered in memory (lists, batches)."""

    def __init__(self, entries: Iterable[Standard]):
        self._by_scheme: dict[str, list[Standard]] = {}
        for entry in entries:
            self._by_scheme.setdefault(entry.scheme, []).append(entry)

    @classmethod
    def load(cls, schemes: Iterable[str] | None = None) -> StandardsTable:
        qs = Standard.objects.all()
        if schemes is not None:
            qs = qs.filter(scheme__in=list(schemes))
        return cls(qs)

    def get(
        self, scheme: str, on: datetime.date, *, area_type: str | None = None, division: str | None = None
    ) -> Standard | None:
        """The entry in force on ``on``.

        A benefit standard (dibao, its supplements, tekun and its care standards, orphans,
        disability subsidies): the city's latest entry in force and the district's latest
        entry in force each answer, and the district's applies only if it is higher — a
        district may pay more than the city, never less (api.md "Standards"). The annual cap
        and the small-claim threshold keep the older rule: the most specific division's entry.
        """
        chain = division_chain(division)
        rank = {code: len(chain) - i for i, code in enumerate(chain)}  # most specific ranks highest
        best_city, city_key, best_local, local_key = None, None, None, None
        for entry in self._by_scheme.get(scheme, ()):
            if entry.effective_from > on:
                continue
            if entry.area_type and entry.area_type != (area_type or ""):
                continue
            if entry.division_id is None:
                key = (entry.effective_from, bool(entry.area_type))
                if city_key is None or key > city_key:
                    best_city, city_key = entry, key
            elif entry.division_id in rank:
                key = (rank[entry.division_id], entry.effective_from, bool(entry.area_type))
                if local_key is None or key > local_key:
                    best_local, local_key = entry, key
        if best_local is None:
            return best_city
        if best_city is None or scheme in MOST_SPECIFIC_SCHEMES or best_local.amount > best_city.amount:
            return best_local
        return best_city

    def amount(self, scheme: str, on: datetime.date, **kwargs) -> Decimal | None:
        entry = self.get(scheme, on, **kwargs)
        return entry.amount if entry is not None else None


def standard_for(
    scheme: str, month: datetime.date, area_type: str | None = None, division: str | None = None
) -> Standard | None:
    """The entry of ``scheme`` in force on ``month`` (a date) for this area and division, or ``None``."""
    chain = division_chain(division)
    entries = Standard.objects.filter(scheme=scheme, effective_from__lte=month).filter(
        Q(division__isnull=True) | Q(division_id__in=chain)
    )
    return StandardsTable(entries).get(scheme, month, area_type=area_type, division=division)


def standard_list(*, user, scheme: str = "", area_type: str = "", division: str = "") -> QuerySet[Standard]:
    """Every standard entry (public reference data: everyone signed in reads them)."""
    qs = scope(Standard.objects.select_related("division"), user)
    if scheme:
        qs = qs.filter(scheme=scheme)
    if area_type:
        qs = qs.filter(area_type=area_type)
    if division:
        qs = qs.filter(division__isnull=True) if division == CITY_CODE else qs.filter(division_id=division)
    return qs.order_by("scheme", "area_type", "division_id", "-effective_from", "id")


def is_delegated(power: str, district: str, on: datetime.date) -> bool:
    entry = (
        Delegation.objects.filter(district_id=district[:6], power=power, effective_from__lte=on)
        .order_by("-effective_from")
        .first()
    )
    return bool(entry and entry.delegated)


def small_claim_threshold(district: str, on: datetime.date) -> Decimal:
    """The most a sub-district of ``district`` may approve on ``on`` (0 when none is set)."""
    entry = standard_for(Scheme.TEMPORARY_RELIEF_SMALL_CLAIM, on, division=district[:6])
    return entry.amount if entry is not None else ZERO


def annual_cap(on: datetime.date) -> Decimal | None:
    entry = standard_for(Scheme.TEMPORARY_RELIEF_CAP, on)
    return entry.amount if entry is not None else None


def cap_reference_date(year: int) -> datetime.date:
    """The day whose cap applies to ``year``: today in the current year, else its last (or first) day."""
    today = local_today()
    if year == today.year:
        return today
    return datetime.date(year, 12, 31) if year < today.year else datetime.date(year, 1, 1)


# --- Temporary relief usage -------------------------------------------------------------------


@dataclass(frozen=True)
class Usage:
    year: int
    cap: Decimal | None
    used: Decimal
    remaining: Decimal | None


def used_in_year(household_id: int, year: int) -> Decimal:
    total = TemporaryReliefClaim.objects.filter(
        household_id=household_id, status=ClaimStatus.APPROVED, cap_year=year
    ).aggregate(total=Sum(Coalesce("approved_amount", "amount")))["total"]
    return money(total or 0)


def relief_usage(*, household: Household, year: int) -> Usage:
    cap = annual_cap(cap_reference_date(year))
    used = used_in_year(household.pk, year)
    remaining = None if cap is None else money(max(cap - used, ZERO))
    return Usage(year=year, cap=cap, used=used, remaining=remaining)


def household_for_relief(*, user: User, pk) -> Household:
    return get_in_scope(Household.objects.select_related("community", "head"), user, pk=pk)


# --- Dibao ------------------------------------------------------------------------------------


DIBAO_SCHEMES = (
    Scheme.DIBAO,
    Scheme.DIBAO_SUPPLEMENT_ELDERLY,
    Scheme.DIBAO_SUPPLEMENT_DISABLED,
    Scheme.DIBAO_SUPPLEMENT_CHILD,
)


@dataclass(frozen=True)
class DibaoAllowance:
    month: datetime.date
    standard: Standard
    result: rules.DibaoAmount

    @property
    def amount(self) -> Decimal:
        return self.result.amount

    def explanation(self) -> str:
        r = self.result
        text = _("(standard %(standard)s − per-capita income %(income)s) × %(n)d members = %(gap)s, floored at 0") % {
            "standard": f"{r.standard:.2f}",
            "income": f"{r.per_capita_income:.2f}",
            "n": r.members_count,
            "gap": f"{money(r.gap):.2f}",
        }
        if r.supplement:
            text += _("; classified supplement %(amount)s") % {"amount": f"{money(r.supplement):.2f}"}
        return text


def no_standard(scheme: str, month: datetime.date) -> Conflict:
    return Conflict(
        _("No %(scheme)s standard is in force for %(month)s; the administrator must enter one.")
        % {"scheme": Scheme(scheme).label, "month": month_str(month)},
        code="no_standard",
    )


def dibao_members(case: DibaoCase) -> list[DibaoMember]:
    if "members" in getattr(case, "_prefetched_objects_cache", {}):
        return list(case.members.all())
    return list(case.members.select_related("person").order_by("id"))


def dibao_allowance(
    case: DibaoCase,
    month: datetime.date,
    *,
    table: StandardsTable | None = None,
    monthly_income: Decimal | None = None,
) -> DibaoAllowance:
    """What the rule in force in ``month`` gives this case (``Conflict`` when no standard is set)."""
    month = month_start(month)
    household = case.household
    table = table or StandardsTable(
        Standard.objects.filter(scheme__in=DIBAO_SCHEMES, effective_from__lte=month).filter(
            Q(division__isnull=True) | Q(division_id__in=division_chain(household.community_id))
        )
    )
    where = {"area_type": household.area_type, "division": household.community_id}
    standard = table.get(Scheme.DIBAO, month, **where)
    if standard is None:
        raise no_standard(Scheme.DIBAO, month)
    members = [
        rules.MemberFacts(birth_date=m.person.birth_date, disabled=m.disabled)
        for m in dibao_members(case)
        if rules.alive_in(m.person.death_date, month)
    ]
    supplements = rules.Supplements(
        elderly=table.amount(Scheme.DIBAO_SUPPLEMENT_ELDERLY, month, **where),
        disabled=table.amount(Scheme.DIBAO_SUPPLEMENT_DISABLED, month, **where),
        child=table.amount(Scheme.DIBAO_SUPPLEMENT_CHILD, month, **where),
    )
    result = rules.dibao_amount(
        standard=standard.amount,
        monthly_income=case.monthly_income if monthly_income is None else monthly_income,
        members=members,
        month=month,
        supplements=supplements,
    )
    return DibaoAllowance(month=month, standard=standard, result=result)


def preview_dibao_allowance(
    *, household: Household, members: list[rules.MemberFacts], monthly_income: Decimal, month: datetime.date
) -> DibaoAllowance:
    """The allowance an application would give (the form shows it before submitting)."""
    month = month_start(month)
    table = StandardsTable.load(DIBAO_SCHEMES)
    where = {"area_type": household.area_type, "division": household.community_id}
    standard = table.get(Scheme.DIBAO, month, **where)
    if standard is None:
        raise no_standard(Scheme.DIBAO, month)
    result = rules.dibao_amount(
        standard=standard.amount,
        monthly_income=monthly_income,
        members=members,
        month=month,
        supplements=rules.Supplements(
            elderly=table.amount(Scheme.DIBAO_SUPPLEMENT_ELDERLY, month, **where),
            disabled=table.amount(Scheme.DIBAO_SUPPLEMENT_DISABLED, month, **where),
            child=table.amount(Scheme.DIBAO_SUPPLEMENT_CHILD, month, **where),
        ),
    )
    return DibaoAllowance(month=month, standard=standard, result=result)


def _dibao_qs() -> QuerySet[DibaoCase]:
    return DibaoCase.objects.select_related(
        "household__community__parent", "household__head", "created_by", "reviewed_by", "approved_by"
    ).prefetch_related(Prefetch("members", queryset=DibaoMember.objects.select_related("person").order_by("id")))


def _division_filter(qs: QuerySet, field: str, division: str) -> QuerySet:
    division = (division or "").strip()
    if not division or division == CITY_CODE:
        return qs
    upper = division[:-1] + chr(ord(division[-1]) + 1)
    return qs.filter(**{f"{field}__gte": division, f"{field}__lt": upper})


def recheck_due_q() -> Q:
    """Active or suspended cases whose periodic review (复核) falls in this month or is overdue."""
    return Q(
        status__in=[CaseStatus.ACTIVE, CaseStatus.SUSPENDED],
        next_review_on__lt=add_months(month_start(local_today()), 1),
    )


# The stages of the procedure a list can show (?stage=…): what the work queue's kinds link to.
NOTICE_ENDING_DAYS = 3
STAGES = ("decision_due", "notice_running", "notice_ending", "objection")


def stage_q(stage: str) -> Q:
    """``decision_due``: the notice has ended, the decision waits; ``notice_ending``: it ends within
    three days; ``objection``: an objection awaits its new investigation."""
    today = local_today()
    if stage == "decision_due":
        return Q(status=CaseStatus.PUBLIC_NOTICE, notice_until__lt=today)
    if stage == "notice_running":
        return Q(status=CaseStatus.PUBLIC_NOTICE, notice_until__gte=today)
    if stage == "notice_ending":
        return Q(
            status=CaseStatus.PUBLIC_NOTICE,
            notice_until__gte=today,
            notice_until__lte=today + datetime.timedelta(days=NOTICE_ENDING_DAYS),
        )
    if stage == "objection":
        return Q(status=CaseStatus.SUBMITTED, objection_open=True)
    return Q()


def decision_overdue_q() -> Q:
    """Applications past the 30-working-day clock from acceptance to decision."""
    first_in_time = accepted_before_for_overdue(local_today())
    start = timezone.make_aware(datetime.datetime.combine(first_in_time, datetime.time.min))
    return Q(status__in=PENDING_STATUSES, created_at__lt=start)


def _procedure_filters(qs: QuerySet, stage: str, overdue: bool) -> QuerySet:
    if stage:
        qs = qs.filter(stage_q(stage))
    if overdue:
        qs = qs.filter(decision_overdue_q())
    return qs


def dibao_case_list(
    *,
    user: User,
    status: str = "",
    household: str | int = "",
    division: str = "",
    q: str = "",
    recheck_due: bool = False,
    stage: str = "",
    overdue: bool = False,
) -> QuerySet[DibaoCase]:
    qs = scope(_dibao_qs(), user)
    if status:
        qs = qs.filter(status=status)
    qs = _procedure_filters(qs, stage, overdue)
    if recheck_due:
        qs = qs.filter(recheck_due_q())
    if household:
        qs = qs.filter(household_id=household)
    qs = _division_filter(qs, "household__community", division)
    if q:
        qs = match_people(qs, q, field="household__head__")
    return qs.order_by("-id")


def dibao_case_get(*, user: User, pk) -> DibaoCase:
    return get_in_scope(_dibao_qs().prefetch_related("incomes__person"), user, pk=pk)


# --- Tekun ------------------------------------------------------------------------------------

TEKUN_SCHEMES = (Scheme.TEKUN, Scheme.DIBAO, *CARE_SCHEMES.values())


@dataclass(frozen=True)
class TekunAllowance:
    month: datetime.date
    basic_entry: Standard | None
    dibao_entry: Standard | None
    care_entry: Standard
    result: rules.TekunAmount

    @property
    def amount(self) -> Decimal:
        return self.result.amount

    def explanation(self) -> str:
        r = self.result
        if r.basic_floor_applied and self.dibao_entry is not None:
            basic = _("basic %(basic)s (1.3 × dibao standard %(dibao)s)") % {
                "basic": f"{r.basic:.2f}",
                "dibao": f"{self.dibao_entry.amount:.2f}",
            }
        else:
            basic = _("basic %(basic)s") % {"basic": f"{r.basic:.2f}"}
        return _("%(basic)s + care %(care)s") % {"basic": basic, "care": f"{r.care:.2f}"}


def tekun_allowance(case: TekunCase, month: datetime.date, *, table: StandardsTable | None = None) -> TekunAllowance:
    month = month_start(month)
    division = case.person.division_id
    table = table or StandardsTable(
        Standard.objects.filter(scheme__in=TEKUN_SCHEMES, effective_from__lte=month).filter(
            Q(division__isnull=True) | Q(division_id__in=division_chain(division))
        )
    )
    where = {"area_type": case.area_type, "division": division}
    basic_entry = table.get(Scheme.TEKUN, month, **where)
    dibao_entry = table.get(Scheme.DIBAO, month, **where)
    care_scheme = CARE_SCHEMES[case.care_level]
    care_entry = table.get(care_scheme, month, **where)
    if basic_entry is None and dibao_entry is None:
        raise no_standard(Scheme.TEKUN, month)
    if care_entry is None:
        raise no_standard(care_scheme, month)
    result = rules.tekun_amount(
        tekun_standard=basic_entry.amount if basic_entry else None,
        dibao_standard=dibao_entry.amount if dibao_entry else None,
        care_standard=care_entry.amount,
    )
    return TekunAllowance(
        month=month, basic_entry=basic_entry, dibao_entry=dibao_entry, care_entry=care_entry, result=result
    )


def _tekun_qs() -> QuerySet[TekunCase]:
    return TekunCase.objects.select_related("person__division", "created_by", "reviewed_by", "approved_by")


def tekun_case_list(
    *,
    user: User,
    status: str = "",
    person: str | int = "",
    division: str = "",
    q: str = "",
    recheck_due: bool = False,
    stage: str = "",
    overdue: bool = False,
) -> QuerySet[TekunCase]:
    qs = scope(_tekun_qs(), user)
    if status:
        qs = qs.filter(status=status)
    qs = _procedure_filters(qs, stage, overdue)
    if recheck_due:
        qs = qs.filter(recheck_due_q())
    if person:
        qs = qs.filter(person_id=person)
    qs = _division_filter(qs, "person__division", division)
    if q:
        qs = match_people(qs, q, field="person__")
    return qs.order_by("-id")


def tekun_case_get(*, user: User, pk) -> TekunCase:
    return get_in_scope(_tekun_qs(), user, pk=pk)


# --- Which cases pay in a month (payouts and the price subsidy read these) --------------------


def payable_in(month: datetime.date) -> Q:
    """Cases that pay in ``month``: started by then, not ended, and not suspended now."""
    month = month_start(month)
    return (
        Q(start_month__lte=month)
        & (Q(end_month__isnull=True) | Q(end_month__gt=month))
        & Q(status__in=[CaseStatus.ACTIVE, CaseStatus.TERMINATED])
    )


def dibao_cases_payable(month: datetime.date) -> QuerySet[DibaoCase]:
    return DibaoCase.objects.filter(payable_in(month))


def tekun_cases_payable(month: datetime.date) -> QuerySet[TekunCase]:
    return TekunCase.objects.filter(payable_in(month))


# --- Temporary relief claims ------------------------------------------------------------------


def _claim_qs() -> QuerySet[TemporaryReliefClaim]:
    return TemporaryReliefClaim.objects.select_related(
        "household__community__parent", "household__head", "created_by", "approved_by", "paperwork_completed_by"
    )


def overdue_paperwork_q() -> Q:
    return Q(
        status=ClaimStatus.APPROVED,
        green_channel=True,
        paperwork_completed_at__isnull=True,
        paperwork_due__lt=local_today(),
    )


def claim_list(
    *,
    user: User,
    status: str = "",
    kind: str = "",
    household: str | int = "",
    division: str = "",
    overdue: bool = False,
    green_channel: bool | None = None,
) -> QuerySet[TemporaryReliefClaim]:
    qs = scope(_claim_qs(), user)
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if household:
        qs = qs.filter(household_id=household)
    if green_channel is not None:
        qs = qs.filter(green_channel=green_channel)
    if overdue:
        qs = qs.filter(overdue_paperwork_q())
    qs = _division_filter(qs, "household__community", division)
    return qs.order_by("-id")


def claims_to_decide(*, user: User) -> QuerySet[TemporaryReliefClaim]:
    """The claims waiting for this approver's decision: within a sub-district's power (up to its district's
    small-claim threshold) for a sub-district approver; above it, or referred to it, for a district
    approver; never one's own."""
    qs = claim_list(user=user).exclude(created_by=user)
    district = (scope_prefix(user) or "")[:6]
    if len(district) != 6:
        return qs.none()
    threshold = small_claim_threshold(district, local_today())
    if has_cap(user, Cap.RELIEF_APPROVE_DISTRICT):
        return qs.filter(Q(status=ClaimStatus.SUBMITTED, amount__gt=threshold) | Q(status=ClaimStatus.REFERRED))
    qs = qs.filter(status=ClaimStatus.SUBMITTED)
    if has_cap(user, Cap.RELIEF_APPROVE_SUBDISTRICT):
        return qs.filter(amount__lte=threshold)
    return qs.none()


def claim_get(*, user: User, pk) -> TemporaryReliefClaim:
    return get_in_scope(_claim_qs(), user, pk=pk)


def claims_payable(month: datetime.date) -> QuerySet[TemporaryReliefClaim]:
    """Claims a temporary-relief run of ``month`` may pay: approved by the month's end (Asia/Shanghai), not
    paid in cash. Whether a run already took one is the payout lines' to say (the engine's selection)."""
    end = timezone.make_aware(datetime.datetime.combine(add_months(month, 1), datetime.time.min))
    return TemporaryReliefClaim.objects.filter(
        status=ClaimStatus.APPROVED, approved_at__lt=end, paid_in_cash_at__isnull=True
    )


def claim_in_bank_run(claim_id: int) -> bool:
    """Whether a payout run has a line for the claim (to be paid, paid or failed)."""
    from payouts.selectors import case_has_line

    return case_has_line(scheme="temporary_relief", source_id=claim_id)


def claim_bank_lines(claim_id: int) -> list:
    """The payout lines paying the claim by bank (shown on the claim's page)."""
    from payouts.selectors import case_lines

    return case_lines(scheme="temporary_relief", source_id=claim_id)


def claims_paperwork_outstanding(claim_ids) -> set[int]:
    """Which of these green-channel claims still wait for their paperwork (flagged on their payout lines)."""
    return set(
        TemporaryReliefClaim.objects.filter(
            pk__in=list(claim_ids), green_channel=True, paperwork_completed_at__isnull=True
        ).values_list("pk", flat=True)
    )


# --- Queues -----------------------------------------------------------------------------------


@dataclass
class Queue:
    dibao_to_review: list[DibaoCase] = field(default_factory=list)
    dibao_to_approve: list[DibaoCase] = field(default_factory=list)
    tekun_to_review: list[TekunCase] = field(default_factory=list)
    tekun_to_approve: list[TekunCase] = field(default_factory=list)
    claims_in_power: list[TemporaryReliefClaim] = field(default_factory=list)
    claims_above_power: list[TemporaryReliefClaim] = field(default_factory=list)
    thresholds: dict[str, Decimal] = field(default_factory=dict)
    overdue_paperwork: list[TemporaryReliefClaim] = field(default_factory=list)
    reviews_due: list[DibaoCase | TekunCase] = field(default_factory=list)
    level: str = ""

    @property
    def empty(self) -> bool:
        return not any(
            (
                self.dibao_to_review,
                self.dibao_to_approve,
                self.tekun_to_review,
                self.tekun_to_approve,
                self.claims_in_power,
                self.claims_above_power,
                self.overdue_paperwork,
                self.reviews_due,
            )
        )


QUEUE_LIMIT = 200


def approval_queue(*, user: User) -> Queue:
    """What waits for this approver in their geography: reviews, approvals, claims, overdue work."""
    queue = Queue()
    today = local_today()
    district_level = has_cap(user, Cap.RELIEF_APPROVE_DISTRICT)
    subdistrict_level = has_cap(user, Cap.RELIEF_APPROVE_SUBDISTRICT)
    if not (district_level or subdistrict_level or has_cap(user, Cap.RELIEF_REVIEW)):
        return queue
    queue.level = "district" if district_level else "subdistrict"
    prefix = scope_prefix(user) or ""
    district = prefix[:6]
    if has_cap(user, Cap.RELIEF_REVIEW):
        queue.dibao_to_review = list(dibao_case_list(user=user, status=CaseStatus.SUBMITTED)[:QUEUE_LIMIT])
        queue.tekun_to_review = list(tekun_case_list(user=user, status=CaseStatus.SUBMITTED)[:QUEUE_LIMIT])
    if district_level or (subdistrict_level and is_delegated(Power.DIBAO_APPROVAL, district, today)):
        queue.dibao_to_approve = list(dibao_case_list(user=user, stage="decision_due")[:QUEUE_LIMIT])
    if district_level or (subdistrict_level and is_delegated(Power.TEKUN_APPROVAL, district, today)):
        queue.tekun_to_approve = list(tekun_case_list(user=user, stage="decision_due")[:QUEUE_LIMIT])
    pending = list(claim_list(user=user, status=ClaimStatus.SUBMITTED).order_by("id")[: QUEUE_LIMIT * 2])
    thresholds: dict[str, Decimal] = {}
    for claim in pending:
        d = claim.household.community_id[:6]
        if d not in thresholds:
            thresholds[d] = small_claim_threshold(d, today)
        if claim.amount <= thresholds[d]:
            queue.claims_in_power.append(claim)
        else:
            queue.claims_above_power.append(claim)
    queue.thresholds = thresholds
    queue.overdue_paperwork = list(claim_list(user=user, overdue=True)[:QUEUE_LIMIT])
    due = Q(status__in=[CaseStatus.ACTIVE, CaseStatus.SUSPENDED], next_review_on__lt=today)
    queue.reviews_due = [
        *dibao_case_list(user=user).filter(due)[:QUEUE_LIMIT],
        *tekun_case_list(user=user).filter(due)[:QUEUE_LIMIT],
    ]
    return queue


# --- A household's social assistance at a glance ---------------------------------------------


@dataclass
class HouseholdRelief:
    household: Household
    usage: Usage
    dibao_cases: list[DibaoCase]
    tekun_cases: list[TekunCase]
    claims: list[TemporaryReliefClaim]
    open_dibao: DibaoCase | None


def household_relief(*, user: User, household: Household, year: int | None = None) -> HouseholdRelief:
    year = year or local_today().year
    dibao = list(dibao_case_list(user=user, household=household.pk))
    member_ids = list(household.members.values_list("person_id", flat=True))
    tekun = list(scope(_tekun_qs().filter(person_id__in=member_ids), user).order_by("-id"))
    return HouseholdRelief(
        household=household,
        usage=relief_usage(household=household, year=year),
        dibao_cases=dibao,
        tekun_cases=tekun,
        claims=list(claim_list(user=user, household=household.pk)[:100]),
        open_dibao=next((c for c in dibao if c.status in OPEN_STATUSES), None),
    )


# --- Price-linked subsidy ---------------------------------------------------------------------


def price_rules() -> list[PriceSubsidyRule]:
    return list(PriceSubsidyRule.objects.order_by("-effective_from"))


def rule_for(month: datetime.date, rules_: list[PriceSubsidyRule] | None = None) -> PriceSubsidyRule | None:
    month = month_start(month)
    for rule in rules_ if rules_ is not None else price_rules():
        if rule.effective_from <= month:
            return rule
    return None


@dataclass(frozen=True)
class PriceDecision:
    index: PriceIndex
    rule: PriceSubsidyRule | None
    trigger: rules.PriceTrigger

    @property
    def triggered(self) -> bool:
        return self.trigger.triggered

    @property
    def rise(self) -> Decimal | None:
        """The rise (percent) the amount follows under the rule."""
        if self.rule is None:
            return None
        return self.index.food_cpi_yoy if self.rule.amount_index == "food_cpi" else self.index.cpi_yoy


def price_decision(index: PriceIndex, rules_: list[PriceSubsidyRule] | None = None) -> PriceDecision:
    rule = rule_for(index.month, rules_)
    if rule is None:
        trigger = rules.PriceTrigger(triggered=False, by=())
    else:
        trigger = rules.price_trigger(
            cpi_yoy=index.cpi_yoy,
            food_cpi_yoy=index.food_cpi_yoy,
            cpi_threshold=rule.cpi_threshold,
            food_cpi_threshold=rule.food_cpi_threshold,
        )
    return PriceDecision(index=index, rule=rule, trigger=trigger)


def price_index_list(*, month: str = "", triggered: bool | None = None) -> list[PriceDecision]:
    qs = PriceIndex.objects.order_by("-month")
    if month:
        qs = qs.filter(month=month)
    all_rules = price_rules()
    decisions = [price_decision(index, all_rules) for index in qs]
    if triggered is not None:
        decisions = [d for d in decisions if d.triggered == triggered]
    return decisions


def price_index_for_month(month: datetime.date) -> PriceIndex | None:
    return PriceIndex.objects.filter(month=month_start(month)).first()


def price_subsidy_rate(
    decision: PriceDecision, *, area_type: str, division: str | None, table: StandardsTable | None = None
) -> Decimal:
    """The amount per covered person of this area and division in the decision's month (0 if not triggered)."""
    if not decision.triggered or decision.rule is None:
        return ZERO
    month = decision.index.month
    table = table or StandardsTable.load([Scheme.DIBAO])
    standard = table.amount(Scheme.DIBAO, month, area_type=area_type, division=division)
    if standard is None:
        raise no_standard(Scheme.DIBAO, month)
    return rules.price_subsidy_amount(standard=standard, rise_percent=decision.rise, floor=decision.rule.floor)


@dataclass(frozen=True)
class SubsidyLine:
    person_id: int
    household_id: int | None
    group: str
    area_type: str
    division_id: str
    amount: Decimal


# Who is covered, group by group: each provider yields (person_id, household_id, area_type, division_id)
# for a month. Welfare adds orphans (``register_covered_group``) without this module knowing it.
CoveredProvider = Callable[[datetime.date], Iterator[tuple[int, int | None, str, str]]]


def _dibao_covered(month: datetime.date) -> Iterator[tuple[int, int | None, str, str]]:
    rows = (
        DibaoMember.objects.filter(case__in=dibao_cases_payable(month))
        .values_list("person_id", "case__household_id", "case__household__area_type", "case__household__community_id")
        .order_by("person_id")
    )
    yield from rows.iterator(chunk_size=5000)


def _tekun_covered(month: datetime.date) -> Iterator[tuple[int, int | None, str, str]]:
    rows = (
        tekun_cases_payable(month)
        .values_list("person_id", "person__memberships__household_id", "area_type", "person__division_id")
        .order_by("person_id")
    )
    yield from rows.iterator(chunk_size=5000)


COVERED_PROVIDERS: dict[str, CoveredProvider] = {
    CoveredGroup.DIBAO: _dibao_covered,
    CoveredGroup.TEKUN: _tekun_covered,
}


def register_covered_group(group: str, provider: CoveredProvider) -> None:
    COVERED_PROVIDERS[group] = provider


def price_subsidy_lines(month: datetime.date) -> Iterator[SubsidyLine]:
    """Who gets the price-linked subsidy for ``month`` and how much: one line per person, once.

    Empty when the month has no index or did not trigger. A person covered by two groups
    (a tekun person in a dibao household) is paid once, under the first group of the rule.
    """
    index = price_index_for_month(month)
    if index is None:
        return
    decision = price_decision(index)
    if not decision.triggered:
        return
    table = StandardsTable.load([Scheme.DIBAO])
    rates: dict[tuple[str, str], Decimal] = {}
    seen: set[int] = set()
    for group in decision.rule.covered_groups:
        provider = COVERED_PROVIDERS.get(group)
        if provider is None:
            continue
        for person_id, household_id, area_type, division_id in provider(decision.index.month):
            if person_id in seen:
                continue
            seen.add(person_id)
            key = (area_type, division_id)
            if key not in rates:
                rates[key] = price_subsidy_rate(decision, area_type=area_type, division=division_id, table=table)
            yield SubsidyLine(person_id, household_id, group, area_type, division_id, rates[key])


@dataclass(frozen=True)
class SubsidySummary:
    decision: PriceDecision
    persons: int
    total: Decimal
    by_group: dict[str, int]
    rates: list[tuple[str, Decimal | None]]  # (area_type, amount per person at the city's standard)


def price_subsidy_summary(decision: PriceDecision) -> SubsidySummary:
    persons, total, by_group = 0, ZERO, {}
    if decision.triggered:
        for line in price_subsidy_lines(decision.index.month):
            persons += 1
            total += line.amount
            by_group[line.group] = by_group.get(line.group, 0) + 1
    rates = []
    for area in ("urban", "rural"):
        try:
            rates.append((area, price_subsidy_rate(decision, area_type=area, division=None)))
        except Conflict:
            rates.append((area, None))
    return SubsidySummary(decision=decision, persons=persons, total=money(total), by_group=by_group, rates=rates)


# --- Vagrant relief ---------------------------------------------------------------------------


def _admission_qs() -> QuerySet[StationAdmission]:
    return StationAdmission.objects.select_related("station", "person", "created_by")


def admission_list(*, user: User, status: str = "", q: str = "") -> QuerySet[StationAdmission]:
    qs = scope(_admission_qs(), user)
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(name__startswith=q.strip())
    return qs.annotate(services_count=Count("services", distinct=True)).order_by("-admitted_on", "-id")


def admission_get(*, user: User, pk) -> StationAdmission:
    qs = _admission_qs().prefetch_related(
        Prefetch("services", queryset=StationService.objects.select_related("created_by")),
        Prefetch("traces", queryset=FamilyTrace.objects.select_related("created_by")),
    )
    return get_in_scope(qs, user, pk=pk)


def trace_get(*, user: User, pk) -> FamilyTrace:
    return get_in_scope(FamilyTrace.objects.select_related("admission"), user, pk=pk)


@dataclass(frozen=True)
class VagrantMonth:
    month: datetime.date
    admitted: int
    reunited: int
    returned_home: int
    transferred: int
    left: int
    traces_found: int
    in_station_at_end: int


def vagrant_monthly_counts(*, user: User, year: int) -> list[VagrantMonth]:
    """Per month of ``year``: people admitted (helped), outcomes of those who left, families found.

    A handful of grouped queries for the whole year, whatever the number of admissions.
    """
    base = scope(StationAdmission.objects.all(), user)
    traces = scope(FamilyTrace.objects.all(), user)
    first, after = datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1)

    def by_month(qs: QuerySet, date_field: str, *extra: str) -> list[tuple]:
        return list(
            qs.filter(**{f"{date_field}__gte": first, f"{date_field}__lt": after})
            .annotate(m=TruncMonth(date_field))
            .values("m", *extra)
            .annotate(n=Count("id"))
            .values_list("m", *extra, "n")
        )

    admitted = {m.month: n for m, n in by_month(base, "admitted_on")}
    outcomes: dict[tuple[int, str], int] = {(m.month, o): n for m, o, n in by_month(base, "discharged_on", "outcome")}
    found = {m.month: n for m, n in by_month(traces.filter(status=TraceStatus.FOUND), "concluded_on")}
    in_station = base.filter(admitted_on__lt=first).count() - base.filter(discharged_on__lt=first).count()
    months = []
    for m in range(1, 13):
        left_total = sum(n for (month, _o), n in outcomes.items() if month == m)
        in_station += admitted.get(m, 0) - left_total
        months.append(
            VagrantMonth(
                month=datetime.date(year, m, 1),
                admitted=admitted.get(m, 0),
                reunited=outcomes.get((m, DischargeOutcome.REUNITED), 0),
                returned_home=outcomes.get((m, DischargeOutcome.RETURNED_HOME), 0),
                transferred=outcomes.get((m, DischargeOutcome.TRANSFERRED), 0),
                left=outcomes.get((m, DischargeOutcome.LEFT), 0),
                traces_found=found.get(m, 0),
                in_station_at_end=in_station,
            )
        )
    return months


# --- The community's public-notice list (公示) --------------------------------------------------


# --- Public notices (公示) ----------------------------------------------------------------------


@dataclass(frozen=True)
class NoticeRow:
    """One line of a community's notice list: the name as the public sees it, members, amount."""

    scheme: str  # dibao | tekun
    name: str
    members_count: int
    monthly_allowance: Decimal | None
    notice_until: datetime.date | None  # set while the case is in its 7-day notice

    @property
    def scheme_label(self) -> str:
        return _("Dibao") if self.scheme == "dibao" else _("Tekun")


def _notice_month(case) -> datetime.date:
    """The month whose amount a notice shows: this month, or the first month paid if later."""
    month = month_start(local_today())
    if case.start_month and case.start_month > month:
        return case.start_month
    if case.status == CaseStatus.PUBLIC_NOTICE:
        return add_months(month, 1)  # paid, if decided, from the month after the decision
    return month


def community_notice_list(*, user: User, community: str) -> list[NoticeRow]:
    """The community's dibao and tekun cases in public notice, then those approved (standing list).

    ``community`` must be a community inside the user's geography (``NotFound`` otherwise).
    Names as the public-notice rule shows them (``core.publicnotice.public_name``); nothing
    but the name, the number of members and the amount (domain.md, 公示).
    """
    from core.models import Division, DivisionLevel

    community = str(community or "").strip()
    if not has_cap(user, Cap.RELIEF_VIEW):
        raise NotFound()  # the API answers 403 before asking; a printed list is simply not there
    if not Division.objects.filter(level=DivisionLevel.COMMUNITY, code=community).exists():
        raise NotFound()
    if not division_in_scope(user, community):
        raise NotFound()
    return _notice_rows(scope(_dibao_qs(), user), scope(_tekun_qs(), user), community)


def public_community_notice_list(*, community: str) -> list[NoticeRow]:
    """The same list as the community posts on its notice board (公示栏), for residents online
    (``residents``): a public list by nature — masked names, members, amounts, nothing else.
    ``NotFound`` for a code that is not a community."""
    from core.models import Division, DivisionLevel

    community = str(community or "").strip()
    if not Division.objects.filter(level=DivisionLevel.COMMUNITY, code=community).exists():
        raise NotFound()
    return _notice_rows(_dibao_qs(), _tekun_qs(), community)


def _notice_rows(dibao_qs, tekun_qs, community: str) -> list[NoticeRow]:
    from core.publicnotice import public_name

    listed = [CaseStatus.PUBLIC_NOTICE, CaseStatus.ACTIVE]
    rows: list[NoticeRow] = []
    dibao = dibao_qs.filter(household__community_id=community, status__in=listed)
    tekun = tekun_qs.filter(person__division_id=community, status__in=listed)
    dibao_table = StandardsTable.load(DIBAO_SCHEMES)
    tekun_table = StandardsTable.load(TEKUN_SCHEMES)
    for scheme, cases, amount_of, name_of, members_of in (
        (
            "dibao",
            dibao,
            lambda c, m: dibao_allowance(c, m, table=dibao_table).amount,
            lambda c: c.household.head.name,
            lambda c: c.members_count,
        ),
        (
            "tekun",
            tekun,
            lambda c, m: tekun_allowance(c, m, table=tekun_table).amount,
            lambda c: c.person.name,
            lambda c: 1,
        ),
    ):
        for case in cases.order_by("household__head__name" if scheme == "dibao" else "person__name", "id"):
            try:
                amount = amount_of(case, _notice_month(case))
            except Conflict:
                amount = None
            rows.append(
                NoticeRow(
                    scheme=scheme,
                    name=public_name(name_of(case)),
                    members_count=members_of(case),
                    monthly_allowance=amount,
                    notice_until=case.notice_until if case.status == CaseStatus.PUBLIC_NOTICE else None,
                )
            )
    rows.sort(key=lambda r: (r.notice_until is None, r.scheme))
    return rows

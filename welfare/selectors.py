"""Reads of welfare: amounts in force, who is payable in a month, lists, queues, the cross-check.

Amounts come from relief's one standards table (``relief.selectors.StandardsTable``); which
case pays in which month is ``payable_q`` (its life, minus suspended months, minus the
months after the recipient's death). The payouts app reads ``payable_lines``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from core.cases import (
    AUTOMATIC_ACTIONS,
    OPEN_STATUSES,
    CaseEvent,
    CaseStatus,
    add_months,
    current_month,
    local_today,
    month_start,
)
from core.models import Division, DivisionKind, DivisionLevel, User
from core.roles import Cap, has_cap
from core.scoping import get_in_scope, scope, scope_prefix
from people.models import AreaType, Household, HouseholdMember, Person
from people.selectors import match_people
from relief import selectors as relief_selectors
from relief.models import DibaoCase, DibaoMember, Scheme, Standard, TekunCase
from relief.rules import age_on
from welfare import rules
from welfare.models import (
    Benefit,
    ChildSupervisor,
    DisabilityCertificate,
    DisabilitySubsidyCase,
    Incompatibility,
    OrphanCase,
    OrphanCategory,
    OrphanHold,
    SubsidyHold,
    SubsidyKind,
)

QUEUE_LIMIT = 200

# --- Standards and amounts --------------------------------------------------------------------

ORPHAN_SCHEMES = {
    OrphanCategory.INSTITUTION: Scheme.ORPHAN_INSTITUTION,
    OrphanCategory.COMMUNITY: Scheme.ORPHAN_COMMUNITY,
}
NURSING_GRADE_SCHEMES = {1: Scheme.DISABILITY_NURSING_GRADE1, 2: Scheme.DISABILITY_NURSING_GRADE2}
WELFARE_SCHEMES = (
    Scheme.ORPHAN_INSTITUTION,
    Scheme.ORPHAN_COMMUNITY,
    Scheme.DISABILITY_LIVING,
    Scheme.DISABILITY_NURSING,
    *NURSING_GRADE_SCHEMES.values(),
)


@dataclass(frozen=True)
class WelfareAmount:
    """What a case gives in ``month``: the standard entry that applies and the amount (the entry's)."""

    month: datetime.date
    scheme: str
    standard: Standard

    @property
    def amount(self) -> Decimal:
        return self.standard.amount

    def explanation(self) -> str:
        return _("%(scheme)s, in force from %(date)s: %(amount)s per month") % {
            "scheme": Scheme(self.scheme).label,
            "date": self.standard.effective_from.isoformat(),
            "amount": f"{self.standard.amount:.2f}",
        }


def standard_entry(
    table: relief_selectors.StandardsTable,
    *,
    scheme: str,
    month: datetime.date,
    division: str | None,
    grade: int | None = None,
) -> tuple[str, Standard]:
    """The entry for a welfare scheme (nursing: the grade's own entry first), or relief's ``no_standard`` 409."""
    if scheme == Scheme.DISABILITY_NURSING and grade in NURSING_GRADE_SCHEMES:
        graded = table.get(NURSING_GRADE_SCHEMES[grade], month, division=division)
        if graded is not None:
            return NURSING_GRADE_SCHEMES[grade], graded
    entry = table.get(scheme, month, division=division)
    if entry is None:
        raise relief_selectors.no_standard(scheme, month)
    return scheme, entry


def case_scheme(case: OrphanCase | DisabilitySubsidyCase) -> str:
    if isinstance(case, OrphanCase):
        return ORPHAN_SCHEMES[case.category]
    return Scheme.DISABILITY_NURSING if case.kind == SubsidyKind.NURSING else Scheme.DISABILITY_LIVING


def _grade_of(case) -> int | None:
    if isinstance(case, DisabilitySubsidyCase) and case.kind == SubsidyKind.NURSING:
        return case.certificate.grade
    return None


def load_table(month: datetime.date | None = None) -> relief_selectors.StandardsTable:
    qs = Standard.objects.filter(scheme__in=WELFARE_SCHEMES)
    if month is not None:
        qs = qs.filter(effective_from__lte=month)
    return relief_selectors.StandardsTable(qs)


def amount_for(
    case: OrphanCase | DisabilitySubsidyCase,
    month: datetime.date,
    *,
    table: relief_selectors.StandardsTable | None = None,
    category: str | None = None,
) -> WelfareAmount:
    """What the rule in force in ``month`` gives this case (409 ``no_standard`` when none is set).

    ``category`` asks what an orphan case would give in another category (the form's preview).
    """
    month = month_start(month)
    table = table or load_table(month)
    scheme = ORPHAN_SCHEMES[category] if category else case_scheme(case)
    used, entry = standard_entry(
        table, scheme=scheme, month=month, division=case.person.division_id, grade=_grade_of(case)
    )
    return WelfareAmount(month=month, scheme=used, standard=entry)


# --- Which cases pay in a month ---------------------------------------------------------------


def _held_in(hold_model, month: datetime.date) -> Exists:
    return Exists(
        hold_model.objects.filter(case=OuterRef("pk"), from_month__lte=month).filter(
            Q(until_month__isnull=True) | Q(until_month__gt=month)
        )
    )


def payable_q(month: datetime.date, hold_model) -> Q:
    """Cases that pay in ``month``: started by then, not ended, not suspended that month, holder alive at its start.

    A suspension holds from a month on (``OrphanHold``/``SubsidyHold``), so the month it was
    decided in is still paid, and months suspended in the past stay unpaid after a
    resumption. A recipient is paid for the month of their death, never after.
    """
    month = month_start(month)
    return (
        Q(start_month__lte=month)
        & (Q(end_month__isnull=True) | Q(end_month__gt=month))
        & Q(status__in=[CaseStatus.ACTIVE, CaseStatus.SUSPENDED, CaseStatus.TERMINATED])
        & (Q(person__death_date__isnull=True) | Q(person__death_date__gte=month))
        & ~Q(_held_in(hold_model, month))
    )


def orphan_cases_payable(month: datetime.date) -> QuerySet[OrphanCase]:
    """Orphan cases paid in ``month``: payable (``payable_q``) and the child under 18 on the month's first day,
    whatever the nightly job has done yet (api.md: the selection checks eligibility again when it pays)."""
    month = month_start(month)
    under_age = Q(person__birth_date__gt=rules.latest_birth_date_of_age(rules.ORPHAN_AGE_LIMIT, month))
    return OrphanCase.objects.filter(payable_q(month, OrphanHold) & under_age)


def in_dibao_paid_in_q(month: datetime.date) -> Q:
    """Persons in a household whose dibao case is active in ``month``, or covered by such a case (correlated, so a
    chunk of cases looks up its own people rather than hashing every dibao household of the city)."""
    # Active that month: decided (approved this month counts, though paid from the next) and not ended by the
    # month's first day; a suspension stops the subsidy from the month after it, through its hold.
    paying = Q(status__in=[CaseStatus.ACTIVE, CaseStatus.SUSPENDED, CaseStatus.TERMINATED]) & (
        Q(end_month__isnull=True) | Q(end_month__gt=month_start(month))
    )
    in_household = HouseholdMember.objects.filter(
        person_id=OuterRef("person_id"),
        household__dibao_cases__in=DibaoCase.objects.filter(paying).values("pk"),
    )
    covered = DibaoMember.objects.filter(person_id=OuterRef("person_id"), case__in=DibaoCase.objects.filter(paying))
    return Q(Exists(in_household)) | Q(Exists(covered))


def subsidy_cases_payable(month: datetime.date, kind: str | None = None) -> QuerySet[DisabilitySubsidyCase]:
    """Subsidy cases paid in ``month``; a living subsidy only while the holder's household has dibao paid that
    month (checked again here, whatever the nightly job has done yet)."""
    month = month_start(month)
    qs = DisabilitySubsidyCase.objects.filter(payable_q(month, SubsidyHold))
    if kind == SubsidyKind.LIVING:
        return qs.filter(kind=kind).filter(in_dibao_paid_in_q(month))
    if kind is None:
        return qs.filter(~Q(kind=SubsidyKind.LIVING) | in_dibao_paid_in_q(month))
    return qs.filter(kind=kind)


def is_payable(case: OrphanCase | DisabilitySubsidyCase, month: datetime.date) -> bool:
    """Whether the case is paid in ``month``: the payout selection's own rule."""
    if isinstance(case, OrphanCase):
        return orphan_cases_payable(month).filter(pk=case.pk).exists()
    return subsidy_cases_payable(month, case.kind).filter(pk=case.pk).exists()


# The payout schemes of api.md that welfare pays.
PAYOUT_SCHEMES = ("orphan", "disability_living", "disability_nursing")


@dataclass(frozen=True)
class PayableLine:
    """One person's payment for one month under one welfare scheme."""

    case_id: int
    person_id: int
    household_id: int | None  # the person's household (its bank account), None for a child in an institution
    division_id: str
    standard_scheme: str  # the standards entry used (nursing: the grade's own entry where one is set)
    amount: Decimal


def payable_lines(scheme: str, month: datetime.date, *, chunk_size: int = 5000) -> Iterator[PayableLine]:
    """Who is paid under ``scheme`` for ``month``, and how much (``orphan``, ``disability_living|nursing``).

    One line per payable case, by case id. The standards are read once; rows stream in
    chunks. A month with no standard in force raises relief's ``no_standard`` 409.
    """
    month = month_start(month)
    table = load_table(month)
    if scheme == "orphan":
        rows = orphan_cases_payable(month).values_list(
            "pk", "person_id", "person__memberships__household_id", "person__division_id", "category"
        )
    elif scheme in ("disability_living", "disability_nursing"):
        kind = SubsidyKind.NURSING if scheme == "disability_nursing" else SubsidyKind.LIVING
        rows = subsidy_cases_payable(month, kind).values_list(
            "pk", "person_id", "person__memberships__household_id", "person__division_id", "certificate__grade"
        )
    else:
        raise ValueError(f"welfare pays no scheme {scheme!r}")
    cache: dict[tuple, tuple[str, Decimal]] = {}
    for pk, person_id, household_id, division_id, detail in rows.order_by("pk").iterator(chunk_size=chunk_size):
        if scheme == "orphan":
            key = (ORPHAN_SCHEMES[detail], division_id, None)
        elif scheme == "disability_nursing":
            key = (Scheme.DISABILITY_NURSING, division_id, detail)
        else:
            key = (Scheme.DISABILITY_LIVING, division_id, None)
        if key not in cache:
            used, entry = standard_entry(table, scheme=key[0], month=month, division=key[1], grade=key[2])
            cache[key] = (used, entry.amount)
        used, amount = cache[key]
        yield PayableLine(pk, person_id, household_id, division_id, used, amount)


def _area_type_of_division(code: str, cache: dict[str, str]) -> str:
    if code not in cache:
        kinds = set(
            Division.objects.filter(
                code__in=[code, code[:9]], level__in=[DivisionLevel.COMMUNITY, DivisionLevel.SUBDISTRICT]
            ).values_list("kind", flat=True)
        )
        cache[code] = AreaType.RURAL if kinds & {DivisionKind.VILLAGE, DivisionKind.TOWN} else AreaType.URBAN
    return cache[code]


def orphans_covered(month: datetime.date) -> Iterator[tuple[int, int | None, str, str]]:
    """Relief's price-linked subsidy provider for orphans: (person, household, urban/rural, division)."""
    rows = (
        orphan_cases_payable(month)
        .values_list(
            "person_id",
            "person__memberships__household_id",
            "person__memberships__household__area_type",
            "person__division_id",
        )
        .order_by("person_id")
    )
    cache: dict[str, str] = {}
    for person_id, household_id, area_type, division_id in rows.iterator(chunk_size=5000):
        yield person_id, household_id, area_type or _area_type_of_division(division_id, cache), division_id


# --- Dibao membership (the living subsidy's condition) ----------------------------------------


def in_active_dibao_q(field: str = "person_id") -> Q:
    """Persons in a household whose dibao case is active, or covered by an active case."""
    in_household = HouseholdMember.objects.filter(household__dibao_cases__status=CaseStatus.ACTIVE).values("person_id")
    covered = DibaoMember.objects.filter(case__status=CaseStatus.ACTIVE).values("person_id")
    return Q(**{f"{field}__in": in_household}) | Q(**{f"{field}__in": covered})


def active_dibao_household(person: Person) -> Household | None:
    """The household with active dibao that ``person`` belongs to (their own, else the one whose case covers them)."""
    membership = HouseholdMember.objects.filter(person=person).select_related("household").first()
    if (
        membership is not None
        and DibaoCase.objects.filter(household=membership.household_id, status=CaseStatus.ACTIVE).exists()
    ):
        return membership.household
    case = (
        DibaoCase.objects.filter(status=CaseStatus.ACTIVE, members__person=person).select_related("household").first()
    )
    return case.household if case is not None else None


# --- Orphan cases -----------------------------------------------------------------------------


def _orphan_qs() -> QuerySet[OrphanCase]:
    return OrphanCase.objects.select_related(
        "person__division", "guardian_person", "created_by", "reviewed_by", "approved_by"
    )


def _division_filter(qs: QuerySet, field: str, division: str) -> QuerySet:
    division = (division or "").strip()
    if not division or division == relief_selectors.CITY_CODE:
        return qs
    upper = division[:-1] + chr(ord(division[-1]) + 1)
    return qs.filter(**{f"{field}__gte": division, f"{field}__lt": upper})


def orphan_case_list(
    *, user: User, status: str = "", category: str = "", person: str | int = "", division: str = "", q: str = ""
) -> QuerySet[OrphanCase]:
    qs = scope(_orphan_qs(), user)
    if status:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(category=category)
    if person:
        qs = qs.filter(person_id=person)
    qs = _division_filter(qs, "person__division", division)
    if q:
        qs = match_people(qs, q, field="person__")
    return qs.order_by("-id")


def orphan_case_get(*, user: User, pk) -> OrphanCase:
    return get_in_scope(_orphan_qs().prefetch_related("holds"), user, pk=pk)


# --- Disability certificates and subsidy cases ------------------------------------------------


def _subsidy_qs() -> QuerySet[DisabilitySubsidyCase]:
    return DisabilitySubsidyCase.objects.select_related(
        "person__division", "certificate", "household", "created_by", "reviewed_by", "approved_by"
    )


def subsidy_case_list(
    *, user: User, kind: str = "", status: str = "", person: str | int = "", division: str = "", q: str = ""
) -> QuerySet[DisabilitySubsidyCase]:
    qs = scope(_subsidy_qs(), user)
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if person:
        qs = qs.filter(person_id=person)
    qs = _division_filter(qs, "person__division", division)
    if q:
        qs = match_people(qs, q, field="person__")
    return qs.order_by("-id")


def subsidy_case_get(*, user: User, pk) -> DisabilitySubsidyCase:
    return get_in_scope(_subsidy_qs().prefetch_related("holds"), user, pk=pk)


def certificate_list(*, user: User, grade: str | int = "", disability_type: str | int = "") -> QuerySet:
    qs = scope(DisabilityCertificate.objects.select_related("person__division"), user)
    if str(grade).isdigit():
        qs = qs.filter(grade=int(grade))
    if str(disability_type).isdigit():
        qs = qs.filter(disability_type=int(disability_type))
    return qs.order_by("-id")


def certificate_get(*, user: User, pk) -> DisabilityCertificate:
    return get_in_scope(DisabilityCertificate.objects.select_related("person__division"), user, pk=pk)


# --- Child supervisors ------------------------------------------------------------------------


def subdistrict_of(division_code: str | None) -> str | None:
    code = division_code or ""
    return code[:9] if len(code) >= 9 else None


def supervisor_for(*, person: Person, on: datetime.date | None = None) -> ChildSupervisor | None:
    """The child supervisor of the sub-district the person lives in (on ``on``, default today)."""
    code = subdistrict_of(person.division_id)
    if code is None:
        return None
    on = on or local_today()
    return (
        ChildSupervisor.objects.filter(subdistrict_id=code, appointed_on__lte=on)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=on))
        .order_by("-appointed_on", "-id")
        .first()
    )


@dataclass(frozen=True)
class SubdistrictSupervisor:
    subdistrict: Division
    current: ChildSupervisor | None
    past: list[ChildSupervisor]


def supervisor_overview(*, user: User) -> list[SubdistrictSupervisor]:
    """Every sub-district in the user's geography with its current supervisor and former ones."""
    if not has_cap(user, Cap.WELFARE_VIEW):
        return []
    supervisors: dict[str, list[ChildSupervisor]] = {}
    for s in scope(ChildSupervisor.objects.select_related("subdistrict"), user).order_by("-appointed_on", "-id"):
        supervisors.setdefault(s.subdistrict_id, []).append(s)
    prefix = (scope_prefix(user) or "")[:9]
    if not prefix:
        return []
    subdistricts = Division.objects.filter(level=DivisionLevel.SUBDISTRICT, code__startswith=prefix, active=True)
    subdistricts = subdistricts.select_related("parent").order_by("code")
    rows = []
    for sd in subdistricts:
        entries = supervisors.get(sd.code, [])
        current = next((s for s in entries if s.ended_on is None), None)
        rows.append(SubdistrictSupervisor(sd, current, [s for s in entries if s is not current]))
    return rows


def supervisor_get(*, user: User, pk) -> ChildSupervisor:
    return get_in_scope(ChildSupervisor.objects.select_related("subdistrict"), user, pk=pk)


# --- A person's welfare at a glance -----------------------------------------------------------


@dataclass
class PersonWelfare:
    person: Person
    age: int
    is_child: bool
    supervisor: ChildSupervisor | None
    certificate: DisabilityCertificate | None
    orphan_cases: list[OrphanCase]
    subsidy_cases: list[DisabilitySubsidyCase]
    dibao_household: Household | None
    open_orphan: OrphanCase | None = None
    open_subsidies: dict[str, DisabilitySubsidyCase] = field(default_factory=dict)


def person_welfare(*, user: User, person: Person) -> PersonWelfare:
    today = local_today()
    age = age_on(person.birth_date, today)
    orphans = list(orphan_case_list(user=user, person=person.pk))
    subsidies = list(subsidy_case_list(user=user, person=person.pk))
    return PersonWelfare(
        person=person,
        age=age,
        is_child=age < rules.ORPHAN_AGE_LIMIT,
        supervisor=supervisor_for(person=person),
        certificate=DisabilityCertificate.objects.filter(person=person).first(),
        orphan_cases=orphans,
        subsidy_cases=subsidies,
        dibao_household=active_dibao_household(person),
        open_orphan=next((c for c in orphans if c.status in OPEN_STATUSES), None),
        open_subsidies={c.kind: c for c in subsidies if c.status in OPEN_STATUSES},
    )


# --- Queue ------------------------------------------------------------------------------------


@dataclass
class Queue:
    orphans_to_review: list[OrphanCase] = field(default_factory=list)
    orphans_to_approve: list[OrphanCase] = field(default_factory=list)
    subsidies_to_review: list[DisabilitySubsidyCase] = field(default_factory=list)
    subsidies_to_approve: list[DisabilitySubsidyCase] = field(default_factory=list)
    reviews_due: list[OrphanCase | DisabilitySubsidyCase] = field(default_factory=list)
    resumable: list[DisabilitySubsidyCase] = field(default_factory=list)  # suspended, dibao active again
    level: str = ""

    @property
    def empty(self) -> bool:
        return not any(
            (
                self.orphans_to_review,
                self.orphans_to_approve,
                self.subsidies_to_review,
                self.subsidies_to_approve,
                self.reviews_due,
                self.resumable,
            )
        )


def approval_queue(*, user: User) -> Queue:
    """What waits for this reviewer or approver in their geography."""
    queue = Queue()
    review = has_cap(user, Cap.WELFARE_REVIEW)
    approve = has_cap(user, Cap.WELFARE_APPROVE)
    if not (review or approve):
        return queue
    queue.level = "district" if approve else "subdistrict"
    if review:
        queue.orphans_to_review = list(orphan_case_list(user=user, status=CaseStatus.SUBMITTED)[:QUEUE_LIMIT])
        queue.subsidies_to_review = list(subsidy_case_list(user=user, status=CaseStatus.SUBMITTED)[:QUEUE_LIMIT])
    if approve:
        queue.orphans_to_approve = list(orphan_case_list(user=user, status=CaseStatus.REVIEWED)[:QUEUE_LIMIT])
        queue.subsidies_to_approve = list(subsidy_case_list(user=user, status=CaseStatus.REVIEWED)[:QUEUE_LIMIT])
        queue.resumable = list(
            subsidy_case_list(user=user, kind=SubsidyKind.LIVING, status=CaseStatus.SUSPENDED).filter(
                in_active_dibao_q()
            )[:QUEUE_LIMIT]
        )
    due = Q(status__in=[CaseStatus.ACTIVE, CaseStatus.SUSPENDED], next_review_on__lt=local_today())
    queue.reviews_due = [
        *orphan_case_list(user=user).filter(due)[:QUEUE_LIMIT],
        *subsidy_case_list(user=user).filter(due)[:QUEUE_LIMIT],
    ]
    return queue


# --- Changes of eligibility (the automatic events, for the caseworker) -----------------------


@dataclass(frozen=True)
class EligibilityChange:
    event: CaseEvent
    case: object
    benefit: str
    person: Person | None

    @property
    def benefit_label(self) -> str:
        return Benefit(self.benefit).label


def _case_models(user: User) -> dict[str, tuple[type, QuerySet]]:
    """Each case type whose automatic events the user may see, with its scoped queryset."""
    models = {
        Benefit.DIBAO: (DibaoCase, DibaoCase.objects.all()),
        Benefit.TEKUN: (TekunCase, TekunCase.objects.all()),
        Benefit.ORPHAN: (OrphanCase, OrphanCase.objects.all()),
        "disability": (DisabilitySubsidyCase, DisabilitySubsidyCase.objects.all()),
    }
    return {key: (model, scope(qs, user)) for key, (model, qs) in models.items()}


def eligibility_changes(
    *, user: User, benefit: str = "", action: str = "", since: datetime.date | None = None, limit: int | None = None
) -> list[EligibilityChange]:
    """The automatic changes of cases in the user's geography (newest first): each with its reason.

    Every suspension, ending, closing and re-check that a death, the end of a household's
    dibao, an 18th birthday or a new disability grade caused, across dibao, tekun, orphans
    and the disability subsidies.
    """
    wanted = [a for a in AUTOMATIC_ACTIONS if not action or a == action]
    condition = Q()
    models = _case_models(user)
    types: dict[int, tuple[type, str]] = {}
    for key, (model, qs) in models.items():
        if benefit and key != benefit and not (key == "disability" and benefit.startswith("disability_")):
            continue
        case_ids = qs
        if key == "disability" and benefit.startswith("disability_"):
            case_ids = qs.filter(kind=benefit.removeprefix("disability_"))
        content_type = ContentType.objects.get_for_model(model)
        types[content_type.pk] = (model, key)
        condition |= Q(case_type=content_type, case_id__in=Subquery(case_ids.values("pk")))
    if not types:
        return []
    events = (
        CaseEvent.objects.filter(action__in=wanted).filter(condition).select_related("actor").order_by("-at", "-id")
    )
    if since is not None:
        events = events.filter(at__date__gte=since)
    events = list(events[:limit] if limit else events[:1000])
    cases: dict[tuple[int, int], object] = {}
    by_type: dict[int, set[int]] = {}
    for event in events:
        by_type.setdefault(event.case_type_id, set()).add(event.case_id)
    for type_id, ids in by_type.items():
        model, _key = types[type_id]
        related = "household__head" if model is DibaoCase else "person"
        for case in model.objects.filter(pk__in=ids).select_related(related):
            cases[(type_id, case.pk)] = case
    changes = []
    for event in events:
        case = cases.get((event.case_type_id, event.case_id))
        if case is None:
            continue
        model, key = types[event.case_type_id]
        benefit_code = case.benefit if key == "disability" else key
        person = case.household.head if model is DibaoCase else case.person
        changes.append(EligibilityChange(event=event, case=case, benefit=benefit_code, person=person))
    return changes


# --- The cross-check report -------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    kind: str  # deceased | duplicate | living_without_dibao | incompatible
    person: Person
    benefits: tuple[str, ...]
    cases: tuple[object, ...]
    detail: str


@dataclass
class CrossCheckReport:
    month: datetime.date
    deceased: list[Finding] = field(default_factory=list)
    duplicates: list[Finding] = field(default_factory=list)
    living_without_dibao: list[Finding] = field(default_factory=list)
    incompatible: list[Finding] = field(default_factory=list)
    rules: list[Incompatibility] = field(default_factory=list)

    @property
    def findings(self) -> list[Finding]:
        return [*self.deceased, *self.duplicates, *self.living_without_dibao, *self.incompatible]

    @property
    def count(self) -> int:
        return len(self.findings)


def _benefit_label(code: str) -> str:
    return str(Benefit(code).label)


def _scoped_benefit_cases(user: User) -> dict[str, QuerySet]:
    return {
        Benefit.TEKUN: scope(TekunCase.objects.select_related("person"), user),
        Benefit.ORPHAN: scope(OrphanCase.objects.select_related("person"), user),
        Benefit.DISABILITY_LIVING: scope(
            DisabilitySubsidyCase.objects.filter(kind=SubsidyKind.LIVING).select_related("person"), user
        ),
        Benefit.DISABILITY_NURSING: scope(
            DisabilitySubsidyCase.objects.filter(kind=SubsidyKind.NURSING).select_related("person"), user
        ),
    }


def _paying_status_q(month: datetime.date) -> Q:
    """Paying by the case's own record (status and months): the cross-check does not trust the death guard."""
    return (
        Q(start_month__lte=month)
        & (Q(end_month__isnull=True) | Q(end_month__gt=month))
        & Q(status__in=[CaseStatus.ACTIVE, CaseStatus.SUSPENDED, CaseStatus.TERMINATED])
    )


def _paying(code: str, qs: QuerySet, month: datetime.date) -> QuerySet:
    if code == Benefit.TEKUN:
        return qs.filter(relief_selectors.payable_in(month))
    hold_model = OrphanHold if code == Benefit.ORPHAN else SubsidyHold
    return qs.filter(_paying_status_q(month)).filter(~Q(_held_in(hold_model, month)))


@dataclass
class _Paying:
    """Who each benefit pays in a month: benefit → person id → the cases paying them."""

    cases: dict[str, dict[int, list]] = field(default_factory=dict)
    persons: dict[int, Person] = field(default_factory=dict)

    def add(self, benefit: str, person: Person, case) -> None:
        self.cases.setdefault(benefit, {}).setdefault(person.pk, []).append(case)
        self.persons[person.pk] = person


def _paying_by_person(user: User, month: datetime.date, cases: dict[str, QuerySet]) -> _Paying:
    paying = _Paying(cases={code: {} for code in (Benefit.DIBAO, *cases)})
    for code, qs in cases.items():
        for case in _paying(code, qs, month).order_by("person_id", "id"):
            paying.add(code, case.person, case)
    dibao = scope(DibaoCase.objects.all(), user).filter(relief_selectors.payable_in(month))
    members = DibaoMember.objects.filter(case__in=Subquery(dibao.values("pk"))).select_related("person", "case")
    for member in members.order_by("person_id", "case_id"):
        paying.add(Benefit.DIBAO, member.person, member.case)
    return paying


def _deceased_findings(user: User, cases: dict[str, QuerySet]) -> list[Finding]:
    findings = []
    for code, qs in cases.items():
        rows = qs.filter(person__death_date__isnull=False).filter(
            status__in=[CaseStatus.ACTIVE, CaseStatus.SUSPENDED, CaseStatus.TERMINATED]
        )
        for case in rows.order_by("person_id", "id"):
            stops = rules.month_after(case.person.death_date)
            still_open = case.status in (CaseStatus.ACTIVE, CaseStatus.SUSPENDED)
            if not still_open and (case.end_month is None or case.end_month <= stops):
                continue
            if still_open:
                detail = _("%(benefit)s: died on %(date)s, the case is still “%(status)s”")
            else:
                detail = _("%(benefit)s: died on %(date)s, the case pays until %(month)s")
            values = {
                "benefit": _benefit_label(code),
                "date": case.person.death_date.isoformat(),
                "status": case.status_label(),
                "month": f"{add_months(case.end_month, -1):%Y-%m}" if case.end_month else "",
            }
            findings.append(Finding("deceased", case.person, (code,), (case,), detail % values))
    dibao_open = scope(DibaoCase.objects.all(), user).filter(status__in=[CaseStatus.ACTIVE, CaseStatus.SUSPENDED])
    members = DibaoMember.objects.filter(case__in=Subquery(dibao_open.values("pk")), person__death_date__isnull=False)
    for member in members.select_related("person", "case").order_by("person_id", "case_id"):
        detail = _("Dibao: died on %(date)s, still counted as a member of dibao case %(id)s") % {
            "date": member.person.death_date.isoformat(),
            "id": member.case_id,
        }
        findings.append(Finding("deceased", member.person, (Benefit.DIBAO,), (member.case,), detail))
    return findings


def _duplicate_findings(paying: _Paying, month: datetime.date) -> list[Finding]:
    findings = []
    for code, by_person in paying.cases.items():
        for person_id, found in by_person.items():
            if len(found) < 2:
                continue
            detail = _("%(benefit)s paid %(n)d times in %(month)s (cases %(ids)s)") % {
                "benefit": _benefit_label(code),
                "n": len(found),
                "month": f"{month:%Y-%m}",
                "ids": ", ".join(str(c.pk) for c in found),
            }
            findings.append(Finding("duplicate", paying.persons[person_id], (code,), tuple(found), detail))
    return findings


def _living_findings(user: User, paying: _Paying, month: datetime.date) -> list[Finding]:
    dibao = scope(DibaoCase.objects.all(), user).filter(relief_selectors.payable_in(month))
    in_dibao_households = HouseholdMember.objects.filter(household__in=Subquery(dibao.values("household_id")))
    with_dibao = set(in_dibao_households.values_list("person_id", flat=True)) | set(paying.cases[Benefit.DIBAO])
    findings = []
    for person_id, found in paying.cases[Benefit.DISABILITY_LIVING].items():
        if person_id in with_dibao:
            continue
        detail = _("Living subsidy paid in %(month)s, but no household of theirs has dibao paid that month") % {
            "month": f"{month:%Y-%m}"
        }
        findings.append(
            Finding(
                "living_without_dibao", paying.persons[person_id], (Benefit.DISABILITY_LIVING,), tuple(found), detail
            )
        )
    return findings


def _incompatible_findings(paying: _Paying, month: datetime.date, rules_: list[Incompatibility]) -> list[Finding]:
    findings = []
    for rule in rules_:
        a, b = paying.cases.get(rule.benefit_a, {}), paying.cases.get(rule.benefit_b, {})
        for person_id in sorted(set(a) & set(b)):
            detail = _("%(a)s and %(b)s both paid in %(month)s") % {
                "a": _benefit_label(rule.benefit_a),
                "b": _benefit_label(rule.benefit_b),
                "month": f"{month:%Y-%m}",
            }
            found = (*a[person_id], *b[person_id])
            findings.append(
                Finding("incompatible", paying.persons[person_id], (rule.benefit_a, rule.benefit_b), found, detail)
            )
    return findings


def cross_check(*, user: User, month: datetime.date | None = None) -> CrossCheckReport:
    """The conflicts the bureau found by hand in 2020, in the user's geography, for ``month``.

    * deceased recipients: a case still open, or paying past the month of the holder's
      death; a dibao case still counting a member who died;
    * one person paid twice by the same benefit in the month (overlapping cases);
    * a living subsidy paid in the month to someone in no household with dibao paid then;
    * two benefits configured as incompatible (``Incompatibility``) paying one person.

    Everything is read in the user's geography (``core.scoping``), a few queries per benefit.
    """
    month = month_start(month or current_month())
    cases = _scoped_benefit_cases(user)
    paying = _paying_by_person(user, month, cases)
    active_rules = list(Incompatibility.objects.filter(active=True).order_by("benefit_a", "benefit_b"))
    return CrossCheckReport(
        month=month,
        deceased=_deceased_findings(user, cases),
        duplicates=_duplicate_findings(paying, month),
        living_without_dibao=_living_findings(user, paying, month),
        incompatible=_incompatible_findings(paying, month, active_rules),
        rules=active_rules,
    )


def incompatibility_list() -> list[Incompatibility]:
    return list(Incompatibility.objects.select_related("created_by").order_by("benefit_a", "benefit_b"))


def benefit_choices() -> Iterable[tuple[str, str]]:
    return Benefit.choices

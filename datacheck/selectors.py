"""Every non-trivial read of data checking, each through ``core.scoping.scope``."""

from __future__ import annotations

import datetime

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, F, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.cases import OPEN_STATUSES, PENDING_STATUSES, CaseStatus
from core.models import Division
from core.scoping import get_in_scope, scope, scope_prefix
from datacheck.models import (
    BENEFIT_EFFECTS,
    CrossCheckRun,
    DataSource,
    Extract,
    ExtractStatus,
    ItemStatus,
    PovertyHousehold,
    ReviewItem,
)
from people.models import HouseholdMember, Person
from relief.models import DibaoCase, DibaoMember, TekunCase
from welfare.models import DisabilitySubsidyCase, SubsidyKind
from welfare.rules import NURSING_MAX_GRADE


def sources(*, user) -> QuerySet[DataSource]:
    return (
        scope(DataSource.objects.all(), user).annotate(extract_count=Count("extracts")).order_by("department", "item")
    )


def extracts(*, user, source: DataSource | None = None) -> QuerySet[Extract]:
    qs = scope(Extract.objects.defer("content").select_related("source", "uploaded_by", "committed_by"), user)
    if source is not None:
        qs = qs.filter(source=source)
    return qs.order_by("-uploaded_at", "-id")


def latest_extracts() -> list[Extract]:
    """The latest committed extract of each active source: what a cross-check run checks.

    Risk sources are not checked against beneficiaries: their rows raise warnings when committed."""
    return list(
        Extract.objects.defer("content")
        .filter(status=ExtractStatus.COMMITTED, source__active=True, source__effect__in=BENEFIT_EFFECTS)
        .order_by("source_id", "-committed_at", "-id")
        .distinct("source_id")
    )


def with_items_in_scope(qs: QuerySet[CrossCheckRun], user) -> QuerySet[CrossCheckRun]:
    """Each run's ``items_in_scope``: the new review items it made inside the user's geography.

    A run is city-wide; its ``items_created`` is the city's count, which a sub-district's
    caseworker is not to see (issue 22 §15). Pages and the API show this count instead: a count,
    not the items, so it is counted within the user's division (the administrator who starts
    runs sees the city's) whatever the role's right to read the items themselves."""
    prefix = scope_prefix(user)
    items = (
        ReviewItem.objects.filter(run=OuterRef("pk"), division__code__startswith=prefix or "\x00")
        .order_by()
        .values("run")
        .annotate(n=Count("id"))
        .values("n")
    )
    return qs.annotate(items_in_scope=Coalesce(Subquery(items), 0))


def runs(*, user) -> QuerySet[CrossCheckRun]:
    qs = scope(CrossCheckRun.objects.select_related("started_by"), user).order_by("-created_at", "-id")
    return with_items_in_scope(qs, user)


def run_get(*, user, pk) -> CrossCheckRun:
    return get_in_scope(with_items_in_scope(CrossCheckRun.objects.select_related("started_by"), user), user, pk=pk)


def review_items(*, user, status: str = "", division: str = "", source: str = "") -> QuerySet[ReviewItem]:
    qs = scope(ReviewItem.objects.select_related("source", "person", "division", "decided_by"), user)
    if status:
        qs = qs.filter(status=status)
    if division and division.isdigit():
        qs = qs.filter(division__code__startswith=division)
    if source and source.isdigit():
        qs = qs.filter(source_id=int(source))
    return qs.order_by("created_at", "id")


def subdistrict_summary(*, user) -> list[dict]:
    """Per sub-district: open items and the oldest one's age in days, confirmed and dismissed."""
    rows = (
        scope(ReviewItem.objects.all(), user)
        .values("division_id")
        .annotate(
            open=Count("id", filter=Q(status=ItemStatus.OPEN)),
            confirmed=Count("id", filter=Q(status=ItemStatus.CONFIRMED)),
            dismissed=Count("id", filter=Q(status=ItemStatus.DISMISSED)),
            oldest_open=Min("created_at", filter=Q(status=ItemStatus.OPEN)),
        )
        .order_by("division_id")
    )
    rows = list(rows)
    names = dict(Division.objects.filter(code__in=[r["division_id"] for r in rows]).values_list("code", "name"))
    now = timezone.now()
    for row in rows:
        row["name"] = names.get(row["division_id"], row["division_id"])
        oldest = row["oldest_open"]
        row["oldest_age_days"] = (now - oldest).days if oldest else None
    return rows


def item_age_days(item: ReviewItem, now: datetime.datetime | None = None) -> int:
    return ((now or timezone.now()) - item.created_at).days


# --- Coverage (错保漏保) ------------------------------------------------------------------------


def _open_subsidy(kind: str):
    return Exists(DisabilitySubsidyCase.objects.filter(person=OuterRef("pk"), kind=kind, status__in=OPEN_STATUSES))


def coverage_gaps(*, user, gap: str = "") -> QuerySet[Person]:
    """Living people with a disability certificate who appear to qualify for a subsidy they do not have.

    * ``living``: a member of a household with active dibao (by household membership or as a
      member the case covers) with no open living-subsidy case;
    * ``nursing``: a grade 1–2 certificate with no open nursing-subsidy case.
    An application in progress (submitted, reviewed) counts as covered: it is being handled.
    One set-based query (EXISTS subqueries), inside the user's geography.
    """
    active_dibao = DibaoCase.objects.filter(status=CaseStatus.ACTIVE)
    in_dibao = Exists(DibaoMember.objects.filter(person=OuterRef("pk"), case__in=active_dibao.values("pk"))) | Exists(
        HouseholdMember.objects.filter(person=OuterRef("pk"), household__in=active_dibao.values("household_id"))
    )
    qs = Person.objects.filter(death_date__isnull=True, disability_certificate__isnull=False).annotate(
        in_dibao=in_dibao,
        has_living=_open_subsidy(SubsidyKind.LIVING),
        has_nursing=_open_subsidy(SubsidyKind.NURSING),
        grade=F("disability_certificate__grade"),
    )
    living_gap = Q(in_dibao=True, has_living=False)
    nursing_gap = Q(grade__lte=NURSING_MAX_GRADE, has_nursing=False)
    if gap == "living":
        qs = qs.filter(living_gap)
    elif gap == "nursing":
        qs = qs.filter(nursing_gap)
    else:
        qs = qs.filter(living_gap | nursing_gap)
    return scope(qs.select_related("division"), user).order_by("division_id", "id")


def gaps_of(person: Person) -> list[str]:
    """Which gaps an annotated person from ``coverage_gaps`` has: ``living``, ``nursing``."""
    found = []
    if person.in_dibao and not person.has_living:
        found.append("living")
    if person.grade is not None and person.grade <= NURSING_MAX_GRADE and not person.has_nursing:
        found.append("nursing")
    return found


# --- Poverty-registered households: the coverage check (兜底保障 "不落一户") -------------------------


def poverty_households(*, user, covered: bool | None = None) -> QuerySet[PovertyHousehold]:
    """The poverty-registered households of the user's geography, each with its coverage.

    The portal's household is found by the head's ID number (the household the person is a
    member of); a household is *covered* when it has an active dibao case, or a member (or the
    head, outside any household) has an active tekun case. ``application_pending``: a dibao or
    tekun application is in progress (still not covered: nothing is paid yet). ``in_registry``:
    the head is a person of the portal. ``covered=False`` gives the follow-up list. One query
    (subqueries per row), inside the user's geography.
    """
    head = Person.objects.filter(id_number=OuterRef("head_id_number"))
    qs = PovertyHousehold.objects.annotate(
        person_id=Subquery(head.values("pk")[:1]),
        household_id=Subquery(
            HouseholdMember.objects.filter(person__id_number=OuterRef("head_id_number")).values("household_id")[:1]
        ),
    )

    def tekun(statuses):
        return Exists(
            TekunCase.objects.filter(status__in=statuses, person__memberships__household_id=OuterRef("household_id"))
        ) | Exists(TekunCase.objects.filter(status__in=statuses, person_id=OuterRef("person_id")))

    def dibao(statuses):
        return Exists(DibaoCase.objects.filter(status__in=statuses, household_id=OuterRef("household_id")))

    qs = qs.annotate(
        dibao_active=dibao([CaseStatus.ACTIVE]),
        tekun_active=tekun([CaseStatus.ACTIVE]),
        application_pending=dibao(PENDING_STATUSES) | tekun(PENDING_STATUSES),
    ).annotate(covered=ExpressionWrapper(Q(dibao_active=True) | Q(tekun_active=True), output_field=BooleanField()))
    if covered is not None:
        qs = qs.filter(covered=covered)
    return scope(qs.select_related("community", "community__parent"), user).order_by("community_id", "id")


def covered_by(household: PovertyHousehold) -> list[str]:
    """Which schemes cover an annotated household from ``poverty_households``: ``dibao``, ``tekun``."""
    return [s for s, on in (("dibao", household.dibao_active), ("tekun", household.tekun_active)) if on]


def poverty_summary(*, user) -> dict:
    """How many registered households of the user's geography are covered, not covered, pending."""
    qs = poverty_households(user=user).order_by()
    summary = {"registered": 0, "covered": 0, "not_covered": 0, "pending": 0}
    for covered, pending, n in qs.values_list("covered", "application_pending").annotate(n=Count("pk")):
        summary["registered"] += n
        summary["covered" if covered else "not_covered"] += n
        if not covered and pending:
            summary["pending"] += n
    return summary

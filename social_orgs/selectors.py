"""Reads of the social-organization registry. Always scoped."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from core import search
from core.models import User
from core.scoping import get_in_scope, scope
from social_orgs.models import (
    AnnualInspection,
    CommunityOrg,
    Decoupling,
    DecouplingProgress,
    DecouplingStep,
    EnforcementCase,
    FeeStandard,
    FilingStatus,
    ImportBatch,
    OrgStatus,
    SocialOrg,
    StatusChange,
)

# The city-level industry associations in the decoupling reform's scope (the bureau's 2020 plan).
DECOUPLING_TARGET = 289


def org_list(
    *,
    user: User,
    q: str = "",
    org_type: str = "",
    level: str = "",
    status: str = "",
    division: str = "",
    credit_code: str = "",
    is_industry_association: bool | None = None,
) -> QuerySet[SocialOrg]:
    """Organizations the user may see; ``q`` is a credit code or a keyword of the name (core.search)."""
    qs = scope(SocialOrg.objects.select_related("division"), user)
    q = search.clean_query(q)
    if q:
        if len(q) == 18 and q.isascii() and q.isalnum():
            qs = qs.filter(credit_code=q.upper())
        else:
            qs = search.fragment_filter(qs, "name", q)
    if credit_code:
        qs = qs.filter(credit_code=credit_code.strip().upper())
    if org_type:
        qs = qs.filter(org_type=org_type)
    if level:
        qs = qs.filter(level=level)
    if status:
        qs = qs.filter(status=status)
    if division:
        qs = qs.filter(division=division)
    if is_industry_association is not None:
        qs = qs.filter(is_industry_association=is_industry_association)
    return qs.order_by("-id")


def org_get(*, user: User, pk) -> SocialOrg:
    return get_in_scope(SocialOrg.objects.select_related("division", "created_by"), user, pk=pk)


def org_status_history(*, org: SocialOrg) -> QuerySet[StatusChange]:
    return StatusChange.objects.filter(org=org).select_related("actor").order_by("at", "id")


def org_inspections(*, org: SocialOrg) -> QuerySet[AnnualInspection]:
    return AnnualInspection.objects.filter(org=org).select_related("inspector").order_by("-year")


def org_fee_standards(*, org: SocialOrg) -> QuerySet[FeeStandard]:
    return FeeStandard.objects.filter(org=org).order_by("member_grade", "-effective_from", "-id")


def inspection_list(*, user: User, org: str = "", year: str = "", result: str = "") -> QuerySet[AnnualInspection]:
    qs = scope(AnnualInspection.objects.select_related("org"), user)
    if org:
        qs = qs.filter(org=org)
    if year:
        qs = qs.filter(year=year)
    if result:
        qs = qs.filter(result=result)
    return qs.order_by("-year", "org__name")


def fee_list(*, user: User, org: str = "", status: str = "") -> QuerySet[FeeStandard]:
    qs = scope(FeeStandard.objects.select_related("org"), user)
    if org:
        qs = qs.filter(org=org)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-id")


def fee_get(*, user: User, pk) -> FeeStandard:
    return get_in_scope(FeeStandard.objects.select_related("org"), user, pk=pk)


def decoupling_list(*, user: User, completed: bool | None = None, in_scope: bool | None = None) -> QuerySet[Decoupling]:
    qs = scope(Decoupling.objects.select_related("org"), user).annotate(steps_done=Count("steps"))
    if completed is not None:
        qs = qs.filter(completed_on__isnull=not completed)
    if in_scope is not None:
        qs = qs.filter(in_scope=in_scope)
    return qs.order_by("org__name")


def decoupling_get(*, user: User, pk) -> Decoupling:
    return get_in_scope(Decoupling.objects.select_related("org").annotate(steps_done=Count("steps")), user, pk=pk)


def decoupling_steps(*, decoupling: Decoupling) -> dict[str, DecouplingProgress]:
    return {p.step: p for p in DecouplingProgress.objects.filter(decoupling=decoupling).select_related("recorded_by")}


def decoupling_progress(*, user: User) -> dict:
    """The reform's progress over the associations in scope: done, under way, not started, and per step."""
    qs = scope(Decoupling.objects.filter(in_scope=True), user).annotate(steps_done=Count("steps"))
    totals = qs.aggregate(
        enrolled=Count("id", distinct=True),
        completed=Count("id", filter=Q(completed_on__isnull=False), distinct=True),
    )
    started = qs.filter(completed_on__isnull=True, steps_done__gt=0).count()
    per_step = dict(
        scope(DecouplingProgress.objects.filter(decoupling__in_scope=True), user)
        .values_list("step")
        .annotate(n=Count("id"))
    )
    enrolled = totals["enrolled"] or 0
    completed = totals["completed"] or 0
    target = max(DECOUPLING_TARGET, enrolled)
    return {
        "target": DECOUPLING_TARGET,
        "enrolled": enrolled,
        "completed": completed,
        "in_progress": started,
        "not_started": enrolled - completed - started,
        "not_enrolled": max(DECOUPLING_TARGET - enrolled, 0),
        "percent_completed": round(100 * completed / target, 1) if target else 0.0,
        "steps": [
            {
                "step": step.value,
                "label": str(step.label),
                "done": per_step.get(step.value, 0),
                "percent": round(100 * per_step.get(step.value, 0) / target, 1) if target else 0.0,
            }
            for step in DecouplingStep
        ],
    }


def community_org_list(
    *, user: User, community: str = "", category: str = "", status: str = "", q: str = ""
) -> QuerySet[CommunityOrg]:
    qs = scope(CommunityOrg.objects.select_related("community__parent"), user)
    if community:
        qs = qs.filter(community=community)
    if category:
        qs = qs.filter(category=category)
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = search.fragment_filter(qs, "name", q)
    return qs.order_by("-id")


def community_org_get(*, user: User, pk) -> CommunityOrg:
    return get_in_scope(CommunityOrg.objects.select_related("community__parent"), user, pk=pk)


def enforcement_list(*, user: User, status: str = "", division: str = "", q: str = "") -> QuerySet[EnforcementCase]:
    qs = scope(EnforcementCase.objects.select_related("division", "org"), user)
    if status:
        qs = qs.filter(status=status)
    if division:
        qs = qs.filter(division=division)
    if q:
        qs = qs.filter(target_name__contains=q.strip())
    return qs.order_by("-id")


def enforcement_get(*, user: User, pk) -> EnforcementCase:
    return get_in_scope(EnforcementCase.objects.select_related("division", "org", "created_by"), user, pk=pk)


def import_list(*, user: User) -> QuerySet[ImportBatch]:
    return scope(ImportBatch.objects.defer("content"), user).order_by("-id")


def import_get(*, user: User, pk) -> ImportBatch:
    return get_in_scope(ImportBatch.objects.defer("content"), user, pk=pk)


def registry_counts(*, user: User) -> dict[str, int]:
    """Registered organizations and filed community organizations in the user's area."""
    return {
        "registered": scope(SocialOrg.objects.filter(status=OrgStatus.REGISTERED), user).count(),
        "community_filed": scope(CommunityOrg.objects.filter(status=FilingStatus.FILED), user).count(),
    }

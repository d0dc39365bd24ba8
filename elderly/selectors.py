"""Reads of elderly care. Always scoped (``core.scoping``); "today" is the application's."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet

from core import search
from core.cases import local_today
from core.models import User
from core.scoping import get_in_scope, scope
from elderly.models import (
    STAGE_ORDER,
    AccountCorrection,
    CentreStage,
    CorrectionStatus,
    ElderlyCentre,
    ElderlyInstitution,
    ElderStatus,
    LeftBehindElder,
    OperatingSubsidy,
    Risk,
    SubsidyStatus,
    Visit,
)


def visit_interval_days(risk: str) -> int:
    """The visiting rule: high-risk persons at least every 30 days, others every 90 (settings)."""
    if risk == Risk.HIGH:
        return settings.LEFT_BEHIND_VISIT_DAYS_HIGH
    return settings.LEFT_BEHIND_VISIT_DAYS_NORMAL


def next_visit_due(elder: LeftBehindElder) -> datetime.date:
    """The last day by which the next visit is due; never visited: due since registration."""
    if elder.last_visited_on is None:
        return elder.registered_on
    return elder.last_visited_on + datetime.timedelta(days=visit_interval_days(elder.risk))


def is_overdue(elder: LeftBehindElder, *, today: datetime.date | None = None) -> bool:
    if elder.status != ElderStatus.ACTIVE:
        return False
    if elder.last_visited_on is None:
        return True
    return next_visit_due(elder) < (today or local_today())


def overdue_q(*, today: datetime.date | None = None) -> Q:
    """Active persons not visited within their interval (never visited counts as not visited)."""
    today = today or local_today()
    high = today - datetime.timedelta(days=visit_interval_days(Risk.HIGH))
    normal = today - datetime.timedelta(days=visit_interval_days(Risk.NORMAL))
    return Q(status=ElderStatus.ACTIVE) & (
        Q(last_visited_on__isnull=True)
        | Q(risk=Risk.HIGH, last_visited_on__lt=high)
        | Q(risk=Risk.NORMAL, last_visited_on__lt=normal)
    )


# --- Centres ---------------------------------------------------------------------------------------


def centre_list(
    *, user: User, q: str = "", subdistrict: str = "", stage: str = "", division: str = ""
) -> QuerySet[ElderlyCentre]:
    qs = scope(ElderlyCentre.objects.select_related("subdistrict__parent"), user)
    q = search.clean_query(q)
    if q:
        qs = search.fragment_filter(qs, "name", q)
    if subdistrict:
        qs = qs.filter(subdistrict_id=subdistrict)
    if division:
        qs = qs.filter(subdistrict__code__startswith=division)
    if stage:
        qs = qs.filter(status=stage)
    return qs.order_by("subdistrict_id", "name")


def centre_get(*, user: User, pk) -> ElderlyCentre:
    return get_in_scope(ElderlyCentre.objects.select_related("subdistrict__parent", "created_by"), user, pk=pk)


def centre_summary(*, user: User, division: str = "") -> dict:
    """Centres by their present stage, and how many have reached each stage (the report's 99 / 91 / 51:
    sites chosen, operators in place, built — each counts the centres that went further too)."""
    rows = centre_list(user=user, division=division).order_by().values("status").annotate(n=Count("id"))
    by_stage = {s: 0 for s in CentreStage.values}
    by_stage.update({r["status"]: r["n"] for r in rows})
    reached = {}
    for i, stage in enumerate(STAGE_ORDER):
        reached[stage.value] = sum(by_stage[s] for s in STAGE_ORDER[i:])
    return {**by_stage, "total": sum(by_stage.values()), "reached": reached}


# --- Institutions ----------------------------------------------------------------------------------


def institution_list(
    *, user: User, q: str = "", subdistrict: str = "", division: str = "", kind: str = "", status: str = ""
) -> QuerySet[ElderlyInstitution]:
    """The register of elderly-care institutions in the user's geography, by sub-district and name."""
    qs = scope(ElderlyInstitution.objects.select_related("subdistrict__parent", "operator_org"), user)
    q = search.clean_query(q)
    if q:
        qs = search.fragment_filter(qs, "name", q)
    if subdistrict:
        qs = qs.filter(subdistrict_id=subdistrict)
    if division:
        qs = qs.filter(subdistrict__code__startswith=division)
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("subdistrict_id", "name")


def institution_get(*, user: User, pk) -> ElderlyInstitution:
    return get_in_scope(
        ElderlyInstitution.objects.select_related("subdistrict__parent", "operator_org", "created_by"), user, pk=pk
    )


# --- Left-behind elderly -----------------------------------------------------------------------------


def elder_list(
    *,
    user: User,
    q: str = "",
    community: str = "",
    risk: str = "",
    status: str = "",
    overdue: bool = False,
    today: datetime.date | None = None,
) -> QuerySet[LeftBehindElder]:
    """The register; ``overdue``: active persons whose visit is due and not made (the work queue's list)."""
    qs = scope(LeftBehindElder.objects.select_related("person", "community__parent"), user)
    q = search.clean_query(q)
    if q:
        from people.selectors import match_people

        qs = match_people(qs, q, field="person__")
    if community:
        qs = qs.filter(community__code__startswith=community)
    if risk:
        qs = qs.filter(risk=risk)
    if status:
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.filter(overdue_q(today=today))
    return qs.order_by(F("last_visited_on").asc(nulls_first=True), "id")


def elder_get(*, user: User, pk) -> LeftBehindElder:
    return get_in_scope(
        LeftBehindElder.objects.select_related("person", "household", "community__parent", "created_by"),
        user,
        pk=pk,
    )


def visit_list(*, user: User, elder: LeftBehindElder) -> QuerySet[Visit]:
    return scope(Visit.objects.filter(elder=elder).select_related("recorded_by"), user).order_by("-visited_on", "-id")


def subsidy_list(
    *,
    user: User,
    status: str = "",
    period: datetime.date | None = None,
    to_approve: bool = False,
    to_confirm: bool = False,
) -> QuerySet[OperatingSubsidy]:
    """Operating subsidies in the user's geography (the payee's sub-district), latest month first, each with
    its open account correction (``open_corrections``: none or one).

    ``to_approve``: the ones waiting for this user's decision (entered, and not entered by this user:
    four eyes, ``elderly.permissions``); ``to_confirm``: the ones whose account correction waits for this
    user's confirmation (proposed by another, the subsidy not entered by this user). The work queue counts
    these and links here."""
    proposed = AccountCorrection.objects.filter(status=CorrectionStatus.PROPOSED).select_related("proposed_by")
    qs = scope(
        OperatingSubsidy.objects.select_related("centre", "institution", "subdistrict", "entered_by").prefetch_related(
            Prefetch("corrections", queryset=proposed, to_attr="open_corrections")
        ),
        user,
    )
    if status:
        qs = qs.filter(status=status)
    if to_approve:
        qs = qs.filter(status=SubsidyStatus.ENTERED).exclude(entered_by=user)
    if to_confirm:
        waiting = proposed.filter(subsidy=OuterRef("pk")).exclude(proposed_by=user)
        qs = qs.filter(Exists(waiting)).exclude(entered_by=user)
    if period is not None:
        qs = qs.filter(period=period)
    return qs.order_by("-period", "-id")


def subsidy_get(*, user: User, pk) -> OperatingSubsidy:
    proposed = AccountCorrection.objects.filter(status=CorrectionStatus.PROPOSED).select_related("proposed_by")
    return get_in_scope(
        OperatingSubsidy.objects.select_related(
            "centre", "institution", "subdistrict", "entered_by", "decided_by"
        ).prefetch_related(Prefetch("corrections", queryset=proposed, to_attr="open_corrections")),
        user,
        pk=pk,
    )


def open_correction(subsidy: OperatingSubsidy) -> AccountCorrection | None:
    """The subsidy's account correction waiting for confirmation, if any (prefetched by the two reads above)."""
    found = getattr(subsidy, "open_corrections", None)
    if found is None:
        found = list(subsidy.corrections.filter(status=CorrectionStatus.PROPOSED).select_related("proposed_by"))
    return found[0] if found else None

"""Reads of the gazetteer, the unnamed-road inventory and naming applications. Always scoped."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from core import search
from core.models import User
from core.scoping import get_in_scope, scope
from placenames.models import BannedWord, NamingApplication, Road, UnnamedRoad, UnnamedRoadStatus
from placenames.naming import pinyin_key


def road_list(*, user: User, q: str = "", district: str = "", road_type: str = "", status: str = "") -> QuerySet[Road]:
    """Roads the user may see; ``q`` is a keyword of the name (core.search) or a pinyin (tones ignored)."""
    qs = scope(Road.objects.select_related("district"), user)
    q = search.clean_query(q)
    if q:
        if q.isascii():
            qs = qs.filter(pinyin_key__startswith=q.replace(" ", "").lower())
        else:
            qs = search.with_chars(qs, "name").filter(search.fragment_q("name", q) | Q(pinyin_key=pinyin_key(q)))
    if district:
        qs = qs.filter(district=district)
    if road_type:
        qs = qs.filter(road_type=road_type)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("district", "name")


def road_get(*, user: User, pk) -> Road:
    return get_in_scope(Road.objects.select_related("district", "created_by"), user, pk=pk)


def unnamed_road_list(*, user: User, district: str = "", status: str = "", q: str = "") -> QuerySet[UnnamedRoad]:
    qs = scope(UnnamedRoad.objects.select_related("district", "subdistrict", "named_as"), user)
    if district:
        qs = qs.filter(district=district)
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(location__contains=q.strip())
    return qs.order_by("-found_on", "-id")


def unnamed_road_get(*, user: User, pk) -> UnnamedRoad:
    return get_in_scope(UnnamedRoad.objects.select_related("district", "subdistrict", "named_as"), user, pk=pk)


def unnamed_road_counts(*, user: User) -> dict[str, int]:
    rows = scope(UnnamedRoad.objects.all(), user).values("status").annotate(n=Count("id"))
    counts = {s: 0 for s in UnnamedRoadStatus.values}
    counts.update({r["status"]: r["n"] for r in rows})
    return counts


def application_list(
    *, user: User, district: str = "", status: str = "", q: str = "", at_my_step: bool = False
) -> QuerySet[NamingApplication]:
    """Applications the user may see; ``at_my_step``: those whose next step is this user's to take."""
    qs = scope(NamingApplication.objects.select_related("district", "unnamed_road"), user)
    if at_my_step:
        from placenames.permissions import statuses_at_step_of

        qs = qs.filter(status__in=statuses_at_step_of(user))
    if district:
        qs = qs.filter(district=district)
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(proposed_name__contains=q.strip())
    return qs.order_by("-id")


def application_get(*, user: User, pk) -> NamingApplication:
    return get_in_scope(
        NamingApplication.objects.select_related("district", "unnamed_road", "road", "created_by"), user, pk=pk
    )


def banned_words(*, user: User | None = None, active_only: bool = False) -> QuerySet[BannedWord]:
    """The banned-word list; a user's view of it goes through the scoping function (the name
    checks read the whole list for themselves, with no user)."""
    qs = BannedWord.objects.all() if user is None else scope(BannedWord.objects.all(), user)
    if active_only:
        qs = qs.filter(active=True)
    return qs.order_by("-active", "word")


def roads_named_count(*, user: User, date_from=None, date_to=None) -> int:
    """Roads named through published applications (approved within the dates given), for reports."""
    qs = scope(NamingApplication.objects.filter(status="published"), user)
    if date_from:
        qs = qs.filter(approved_on__gte=date_from)
    if date_to:
        qs = qs.filter(approved_on__lte=date_to)
    return qs.count()

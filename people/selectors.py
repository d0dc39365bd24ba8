"""Reads of people and households: the read API other apps use. Always scoped."""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce

from core import search
from core.idnumbers import parse_id_number
from core.models import User
from core.scoping import get_in_scope, scope
from people.models import Household, HouseholdMeans, HouseholdMember, Person


def _looks_like_id_number(text: str) -> bool:
    try:
        parse_id_number(text)
    except Exception:  # noqa: BLE001 - any failure means "not an ID number"
        return False
    return True


def match_people(qs: QuerySet[Person], q: str, *, field: str = "") -> QuerySet[Person]:
    """The one matching of people (the search box and every list's filter, ``core.search``): a full ID number,
    its last 4–6 characters, or a fragment anywhere in the name. ``field`` prefixes the lookups (``"head__"``)."""
    q = search.clean_query(q)
    if not q:
        return qs
    if _looks_like_id_number(q.upper()):
        return qs.filter(**{f"{field}id_number": q.upper()})
    if search.looks_like_id_tail(q):
        return search.id_tail_filter(qs, f"{field}id_number", q)
    return search.fragment_filter(qs, f"{field}name", q)


def person_list(
    *, user: User, q: str = "", id_number: str = "", community: str = "", division: str = ""
) -> QuerySet[Person]:
    """People the user may see; ``q`` is an ID number, its last 4–6 characters, or a fragment of the name."""
    qs = match_people(scope(Person.objects.select_related("division"), user), q)
    if id_number:
        qs = qs.filter(id_number=id_number.strip().upper())
    if community:
        qs = qs.filter(division=community)
    if division:
        qs = qs.filter(division__code__startswith=division)
    return qs.order_by("-id")


def person_get(*, user: User, pk) -> Person:
    return get_in_scope(Person.objects.select_related("division", "created_by"), user, pk=pk)


def person_household(*, person: Person) -> Household | None:
    member = HouseholdMember.objects.select_related("household__community").filter(person=person).first()
    return member.household if member else None


def household_list(*, user: User, q: str = "", community: str = "", area_type: str = "") -> QuerySet[Household]:
    """Households the user may see; ``q``: a member's ID number (or its last 4–6 characters), or a fragment
    of the head's name."""
    # A correlated subquery, evaluated for the rows of one page only; a GROUP BY would
    # aggregate every household in scope before the LIMIT (and again for the page count).
    members = (
        HouseholdMember.objects.filter(household=OuterRef("pk"))
        .order_by()
        .values("household")
        .annotate(n=Count("*"))
        .values("n")
    )
    qs = scope(Household.objects.select_related("community", "head"), user).annotate(
        members_count=Coalesce(Subquery(members, output_field=IntegerField()), 0)
    )
    q = search.clean_query(q)
    if q and (_looks_like_id_number(q.upper()) or search.looks_like_id_tail(q)):
        # the households of the people the number finds (few: the index on the number's end finds them)
        members = HouseholdMember.objects.filter(person__in=match_people(Person.objects.all(), q))
        qs = qs.filter(pk__in=members.values("household_id"))
    elif q:
        # joined (not ``head IN (…)``): the planner starts from the name's index, however few match
        qs = match_people(qs, q, field="head__")
    if community:
        qs = qs.filter(community=community)
    if area_type:
        qs = qs.filter(area_type=area_type)
    return qs.order_by("-id")


def household_get(*, user: User, pk) -> Household:
    qs = (
        Household.objects.select_related("community__parent__parent", "head", "created_by")
        .prefetch_related(Prefetch("members", queryset=HouseholdMember.objects.select_related("person").order_by("id")))
        .annotate(members_count=Count("members"))
    )
    return get_in_scope(qs, user, pk=pk)


def people_by_ids(*, user: User, ids: list[int], field: str = "members") -> dict[int, Person]:
    """The people with these ids, all inside the user's scope; ``InvalidInput`` names the first missing one."""
    from django.utils.translation import gettext as _

    from core.errors import InvalidInput

    found = {p.pk: p for p in scope(Person.objects.filter(pk__in=set(ids)), user)}
    for pk in ids:
        if pk not in found:
            raise InvalidInput(_("Person %(id)s not found.") % {"id": pk}, field=field)
    return found


# --- Household means ----------------------------------------------------------------------------


def household_means(*, user: User, household: Household) -> QuerySet[HouseholdMeans]:
    """The household's recorded incomes, newest first (the first is the household's); scoped."""
    return scope(HouseholdMeans.objects.select_related("recorded_by"), user).filter(household=household)


def latest_means(*, household: Household) -> HouseholdMeans | None:
    """The household's latest recorded income (``as_of``, then the order recorded), or ``None``.

    For the services and selectors of other apps (the household is already in the caller's hands)."""
    return HouseholdMeans.objects.filter(household=household).order_by("-as_of", "-id").first()

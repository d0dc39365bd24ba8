"""People and households in the header's search (``core.search``); imported by ``PeopleConfig.ready``."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import search
from people import selectors


@search.searcher("person", gettext_lazy("People"), order=10)
def people(user, q: str, limit: int) -> list[search.Result]:
    """A fragment of the name, a full ID number or its last 4–6 characters; the number masked."""
    return search.results(
        "person",
        selectors.person_list(user=user, q=q)[:limit],
        title=lambda p: p.name,
        subtitle=lambda p: f"{p.id_number_masked} · {p.division.name}",
        url_name="people:person-detail",
    )


@search.searcher("household", gettext_lazy("Households"), order=20)
def households(user, q: str, limit: int) -> list[search.Result]:
    """By the head's name (fragment) or a member's ID number (or its end), then by a piece of the address."""
    found = list(selectors.household_list(user=user, q=q)[:limit])
    if len(found) < limit and len(q) >= 3:
        seen = {h.pk for h in found}
        by_address = selectors.household_list(user=user).filter(address__icontains=q).exclude(pk__in=seen)
        found += list(by_address[: limit - len(found)])
    return search.results(
        "household",
        found,
        title=lambda h: _("Household of %(name)s") % {"name": h.head.name},
        subtitle=lambda h: f"{h.address} · {h.community.name}",
        url_name="people:household-detail",
    )

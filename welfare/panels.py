"""Welfare's panels on the person page (``core.panels``): the link to the person's welfare, a child's supervisor."""

from __future__ import annotations

from core import panels
from core.cases import local_today
from core.roles import Cap, has_cap
from relief.rules import age_on
from welfare import rules, selectors


def _visible(request) -> bool:
    return has_cap(request.user, Cap.WELFARE_VIEW)


@panels.panel("people.person.actions", "welfare/_person_link.html", order=30)
def welfare_link(request, person):
    return {} if _visible(request) else None


@panels.panel("people.person.facts", "welfare/_person_facts.html", order=30)
def child_supervisor(request, person):
    """For a child (under the orphans' age limit), the sub-district's child supervisor (儿童督导员)."""
    if not _visible(request) or person.death_date is not None:
        return None
    if age_on(person.birth_date, local_today()) >= rules.ORPHAN_AGE_LIMIT:
        return None
    return {"supervisor": selectors.supervisor_for(person=person)}

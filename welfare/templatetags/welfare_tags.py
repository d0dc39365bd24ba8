"""Template helpers: links to any benefit case, and a person's welfare facts for pages outside welfare."""

from __future__ import annotations

from dataclasses import dataclass

from django import template
from django.urls import reverse

from core.cases import local_today
from core.roles import Cap, has_cap
from relief.models import DibaoCase, TekunCase
from relief.rules import age_on
from welfare import rules, selectors
from welfare.models import ChildSupervisor, DisabilitySubsidyCase, OrphanCase

register = template.Library()

CASE_URLS = {
    DibaoCase: "relief:dibao-detail",
    TekunCase: "relief:tekun-detail",
    OrphanCase: "welfare:orphan-detail",
    DisabilitySubsidyCase: "welfare:subsidy-detail",
}


@register.filter
def case_url(case) -> str:
    """The page of a benefit case of any kind."""
    name = CASE_URLS.get(type(case))
    return reverse(name, args=[case.pk]) if name else ""


@dataclass(frozen=True)
class PersonFacts:
    visible: bool  # the user may see welfare at all
    is_child: bool
    supervisor: ChildSupervisor | None


@register.simple_tag
def welfare_facts(person, user) -> PersonFacts:
    """``{% welfare_facts person request.user as welfare %}``: for a child, their sub-district's supervisor."""
    if not has_cap(user, Cap.WELFARE_VIEW):
        return PersonFacts(visible=False, is_child=False, supervisor=None)
    is_child = person.death_date is None and age_on(person.birth_date, local_today()) < rules.ORPHAN_AGE_LIMIT
    return PersonFacts(
        visible=True, is_child=is_child, supervisor=selectors.supervisor_for(person=person) if is_child else None
    )

"""Template helpers: links to any benefit case. (The person page's welfare facts: ``welfare.panels``.)"""

from __future__ import annotations

from django import template
from django.urls import reverse

from relief.models import DibaoCase, TekunCase
from welfare.models import DisabilitySubsidyCase, OrphanCase

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

"""The marriage registry's panel on the person page (``core.panels``): marital status as far as it is known.

The register knows the marriages and divorces registered in this city. Without one, the page
does not say 未婚 (unmarried: a fact nobody here has established): if the household register
shows a spouse it says married, registered elsewhere; otherwise unknown, no record here.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core import panels
from marriage.selectors import DIVORCED, MARRIED, UNMARRIED, WIDOWED, marital_status_of
from people.models import HouseholdMember, Relationship

LABELS = {MARRIED: _("Married"), DIVORCED: _("Divorced"), WIDOWED: _("Widowed")}


def _spouse_in_household(person) -> bool:
    member = HouseholdMember.objects.filter(person=person).only("household_id", "relationship").first()
    if member is None:
        return False
    if member.relationship == Relationship.SPOUSE:
        return True
    return member.relationship == Relationship.HEAD and (
        HouseholdMember.objects.filter(household_id=member.household_id, relationship=Relationship.SPOUSE).exists()
    )


def marital_facts(person, user) -> dict:
    """What the page says of someone's marital status: the register's fact, or what is known without one."""
    result = marital_status_of(person=person, user=user)
    facts = {
        "status": result.status,
        "since": result.since,
        "spouse": result.spouse,
        "divorce_pending": result.divorce_pending,
        "known": result.status != UNMARRIED,
    }
    if result.status != UNMARRIED:
        facts["label"] = LABELS[result.status]
        facts["note"] = ""
    elif _spouse_in_household(person):
        facts["label"] = _("Married (registered elsewhere)")
        facts["note"] = _("The household register shows a spouse; no marriage is registered in this city.")
    else:
        facts["label"] = _("Unknown")
        facts["note"] = _("No marriage or divorce of this person is registered in this city.")
    return facts


@panels.panel("people.person.facts", "marriage/_person_facts.html", order=20)
def person_facts(request, person):
    return {"marital": marital_facts(person, request.user)}

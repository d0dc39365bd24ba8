"""Template helpers: a person's marital status (for the person page), status labels."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

from marriage.models import Status
from marriage.selectors import DIVORCED, MARRIED, UNMARRIED, WIDOWED, marital_status_of

register = template.Library()

MARITAL_LABELS = {
    UNMARRIED: _("Unmarried"),
    MARRIED: _("Married"),
    DIVORCED: _("Divorced"),
    WIDOWED: _("Widowed"),
}


@register.simple_tag
def marital_status(person, user=None):
    """``{% marital_status person request.user as ms %}``: status, since, spouse (if visible), label."""
    result = marital_status_of(person=person, user=user)
    return {
        "status": result.status,
        "label": MARITAL_LABELS.get(result.status, result.status),
        "since": result.since,
        "spouse": result.spouse,
        "marriage": result.marriage,
        "divorce_pending": result.divorce_pending,
    }


@register.filter
def registration_status_label(value: str) -> str:
    try:
        return Status(value).label
    except ValueError:
        return value or "—"

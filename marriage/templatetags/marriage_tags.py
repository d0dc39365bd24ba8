"""Template helpers of the marriage pages: status labels. (The person page's marital status: ``marriage.panels``.)"""

from __future__ import annotations

from django import template

from marriage.models import Status

register = template.Library()


@register.filter
def registration_status_label(value: str) -> str:
    try:
        return Status(value).label
    except ValueError:
        return value or "—"

"""Template helpers for pages outside relief that link into it."""

from django import template

from core.roles import Cap, has_cap

register = template.Library()


@register.filter
def can(user, capability: str) -> bool:
    """``{% if user|can:"relief.view" %}``: whether the user holds a named capability."""
    try:
        return has_cap(user, Cap(capability))
    except ValueError:
        return False

"""``{% can %}``: the template's way of asking ``core.permissions.can`` (the same rule the service asks).

{% load permissions %}
{% can "approve" case as may_approve %}{% if may_approve %}<button …>{% endif %}
{% can "create" "people.person" as may_register %}
"""

from django import template

from core import permissions

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context, action: str, record, user=None) -> bool:
    """Whether the signed-in user (or ``user``) may take ``action`` on ``record`` (a record, a model or a subject)."""
    actor = user if user is not None else getattr(context.get("request"), "user", None) or context.get("user")
    if actor is None or record in (None, ""):
        return False
    return permissions.can(actor, action, record)

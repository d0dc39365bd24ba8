"""``{% panels "people.person" person %}``: the panels other apps contribute to this page (``core.panels``)."""

from django import template
from django.utils.safestring import mark_safe

from core import panels as registry

register = template.Library()


@register.simple_tag(takes_context=True)
def panels(context, subject: str, record) -> str:
    return mark_safe(registry.render(subject, context.get("request"), record))  # noqa: S308 - rendered templates

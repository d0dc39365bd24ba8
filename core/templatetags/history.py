"""``{{ note|sentence }}``: a note the system wrote, as a sentence in the reader's language (``core.history``)."""

from django import template

from core import history

register = template.Library()


@register.filter
def sentence(text) -> str:
    return history.sentence(text)

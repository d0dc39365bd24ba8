"""Panels other apps contribute to a record's page, so that the page's app need not know them.

The person page (``people/``) shows the person's marital status, their welfare facts, …
without importing ``marriage`` or ``welfare``: each of those apps registers a panel for the
subject ``"people.person"`` in its ``AppConfig.ready``::

    from core import panels

    @panels.panel("people.person", "marriage/_person_panel.html", order=20)
    def marital(request, person):
        return {"marital": …}          # the template's context, or None to show nothing

and the page renders ``{% load panels %}{% panels "people.person" person %}``. A panel sees the
request (its user: what they may see) and the record; it reads through its own app's scoped
selectors.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.template.loader import render_to_string


@dataclass(frozen=True)
class Panel:
    subject: str
    template: str
    context: Callable
    order: int


_PANELS: dict[str, list[Panel]] = {}


def panel(subject: str, template: str, *, order: int = 100) -> Callable:
    """Register the decorated ``context(request, record) -> dict | None`` as a panel of ``subject``'s page."""

    def decorate(context: Callable) -> Callable:
        entries = [p for p in _PANELS.get(subject, []) if p.template != template]
        entries.append(Panel(subject, template, context, order))
        _PANELS[subject] = sorted(entries, key=lambda p: p.order)
        return context

    return decorate


def render(subject: str, request, record) -> str:
    """Every panel of ``subject`` for ``record``, rendered in order (a panel returning ``None`` shows nothing)."""
    parts = []
    for entry in _PANELS.get(subject, []):
        context = entry.context(request, record)
        if context is not None:
            parts.append(render_to_string(entry.template, {"record": record, **context}, request=request))
    return "".join(parts)

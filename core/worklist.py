"""The work queue (待办): what waits for *this* user, counted, each kind linked to the list where it is done.

Every role's home page and ``GET /api/v1/my/tasks/`` read the same ``tasks_for(user)``.
Core knows no domain: each app contributes its kinds, in ``<app>/worklist.py``, imported
from its ``AppConfig.ready``. Adding a kind is one small function in the app that owns the
work::

    from django.urls import reverse
    from django.utils.translation import gettext_lazy as _

    from core import worklist
    from core.permissions import can

    @worklist.kind("dibao_to_review", _("Dibao applications to review"), order=10)
    def dibao_to_review(user):
        if not can(user, "review", DibaoCase):   # only kinds the role may act on
            return None
        cases = selectors.dibao_case_list(user=user, status="submitted")   # scoped, like the list
        return worklist.Waiting(cases, reverse("relief:dibao-list") + "?status=submitted")

The function returns ``None`` when the kind is not this user's (their role may not act on
it), else a ``Waiting``: what waits (a queryset, counted with one ``COUNT``, or an int) and
the link to the list, filtered to exactly those records (the list must accept that filter,
through the same selector, so the count and the list agree). Keep the count cheap: it runs on
every home page; one indexed ``COUNT`` on a scoped queryset.

``kind`` tokens are the API's (``api.md``, "Work queue and search"); labels are translatable
and read in the request's language.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.functional import Promise


@dataclass(frozen=True)
class Waiting:
    """What one kind has waiting for a user: ``items`` (a queryset or a count) and where they are worked on."""

    items: Any
    link: str

    def count(self) -> int:
        if isinstance(self.items, QuerySet):
            return self.items.order_by().count()
        return int(self.items or 0)


@dataclass(frozen=True)
class Task:
    kind: str
    label: str
    count: int
    link: str


@dataclass(frozen=True)
class Kind:
    kind: str
    label: str | Promise
    source: Callable[[Any], Waiting | None]
    order: int


_KINDS: dict[str, Kind] = {}


def kind(token: str, label: str | Promise, *, order: int = 100) -> Callable:
    """Register the decorated ``function(user) -> Waiting | None`` as the work-queue kind ``token``."""

    def decorate(function: Callable[[Any], Waiting | None]) -> Callable[[Any], Waiting | None]:
        _KINDS[token] = Kind(kind=token, label=label, source=function, order=order)
        return function

    return decorate


def registered_kinds() -> list[str]:
    return [k.kind for k in sorted(_KINDS.values(), key=lambda k: (k.order, k.kind))]


def tasks_for(user, *, include_empty: bool = False) -> list[Task]:
    """The user's kinds in order, each counted; kinds with nothing waiting are left out unless asked for."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    tasks = []
    for entry in sorted(_KINDS.values(), key=lambda k: (k.order, k.kind)):
        waiting = entry.source(user)
        if waiting is None:
            continue
        count = waiting.count()
        if count or include_empty:
            tasks.append(Task(kind=entry.kind, label=str(entry.label), count=count, link=waiting.link))
    return tasks


def kinds_for(user) -> list[str]:
    """The kinds this user's role may act on at all (whether or not anything waits): for tests and docs."""
    return [t.kind for t in tasks_for(user, include_empty=True)]

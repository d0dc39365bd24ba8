"""Reads of the logs for auditors and security officers. Always through ``scope()``."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.utils import timezone
from pghistory.models import MiddlewareEvents

from core.models import RevealLog, SecurityEvent, User
from core.scoping import scope


def _day_start(day: datetime.date | None) -> datetime.datetime | None:
    if day is None:
        return None
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _window(qs: QuerySet, field: str, since: datetime.date | None, until: datetime.date | None) -> QuerySet:
    if since:
        qs = qs.filter(**{f"{field}__gte": _day_start(since)})
    if until:
        qs = qs.filter(**{f"{field}__lt": _day_start(until + datetime.timedelta(days=1))})
    return qs


def audit_event_list(
    *,
    user: User,
    actor: str = "",
    model: str = "",
    object_id: str = "",
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> QuerySet:
    """Change history of every tracked record, newest first: by actor (username), record, time."""
    qs = scope(MiddlewareEvents.objects.select_related("user"), user)
    if actor:
        qs = qs.filter(user__username=actor)
    if model:
        qs = qs.filter(pgh_obj_model__iexact=model)
    if object_id:
        qs = qs.filter(pgh_obj_id=object_id)
    return _window(qs, "pgh_created_at", since, until).order_by("-pgh_created_at")


def security_event_list(
    *,
    user: User,
    actor: str = "",
    kind: str = "",
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> QuerySet[SecurityEvent]:
    """The security log: ``actor`` matches the account, the username typed, or who acted."""
    from django.db.models import Q

    qs = scope(SecurityEvent.objects.select_related("user", "actor"), user)
    if actor:
        qs = qs.filter(Q(username=actor) | Q(actor__username=actor))
    if kind:
        qs = qs.filter(kind=kind)
    return _window(qs, "at", since, until).order_by("-at", "-id")


def reveal_log_list(
    *,
    user: User,
    actor: str = "",
    model: str = "",
    object_id: str = "",
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> QuerySet[RevealLog]:
    qs = scope(RevealLog.objects.select_related("actor"), user)
    if actor:
        qs = qs.filter(actor__username=actor)
    if model:
        qs = qs.filter(model__iexact=model)
    if object_id:
        qs = qs.filter(object_id=object_id)
    return _window(qs, "at", since, until).order_by("-at", "-id")

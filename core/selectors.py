"""Reads of the logs for auditors and security officers. Always through ``scope()``."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet, Sum
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


# --- Staff accounts and login lockouts (security officers, administrators) ----------------------------


def staff_list(*, user: User, q: str = "", role: str = "", locked_only: bool = False) -> QuerySet[User]:
    """Staff accounts the user may manage (those who grant roles), with their division."""
    qs = scope(User.objects.select_related("division"), user)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(first_name__icontains=q) | Q(last_name__icontains=q))
    if role:
        qs = qs.filter(role=role)
    if locked_only:
        qs = qs.filter(username__in=list(locked_accounts()))
    return qs.order_by("username")


def _recent_attempts():
    from axes.models import AccessAttempt
    from django.conf import settings

    return AccessAttempt.objects.filter(attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME)


def locked_accounts() -> dict[str, int]:
    """Accounts locked out now (failures within the cool-off at or over the limit): username → failures."""
    from django.conf import settings

    rows = (
        _recent_attempts()
        .exclude(username__isnull=True)
        .exclude(username="")
        .values("username")
        .annotate(failures=Sum("failures_since_start"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
    )
    return {row["username"]: row["failures"] for row in rows}


def locked_addresses() -> dict[str, int]:
    """Client addresses locked out now (failures against any accounts at or over their limit)."""
    from django.conf import settings

    rows = (
        _recent_attempts()
        .exclude(ip_address__isnull=True)
        .values("ip_address")
        .annotate(failures=Sum("failures_since_start"))
        .filter(failures__gte=settings.PORTAL_ADDRESS_FAILURE_LIMIT)
    )
    return {row["ip_address"]: row["failures"] for row in rows}


def account_security_events(*, user: User, account: User, limit: int = 20) -> list[SecurityEvent]:
    """The latest security-log lines about one account (for its page)."""
    qs = scope(SecurityEvent.objects.select_related("actor"), user)
    return list(qs.filter(Q(user=account) | Q(username=account.username)).order_by("-at")[:limit])


def audit_check_list(*, user: User) -> QuerySet:
    """The audit trail's checks (``audit_verify``), newest first: what the auditor's integrity page lists."""
    from core.models import AuditCheck

    return scope(AuditCheck.objects.all(), user)


def division_change_list(*, user: User) -> QuerySet:
    """Division changes, latest in force first (administrators: ``scope_view_cap``)."""
    from core.models import DivisionChange

    return scope(DivisionChange.objects.select_related("division", "target", "created_by"), user)

"""Audit: who changed what, when.

Model history is django-pghistory's: PostgreSQL triggers write an event row for every
INSERT/UPDATE/DELETE of a tracked model, in the same transaction, whatever made the change
(form, API, admin, a bulk ``update()`` in a batch). The acting user reaches the trigger
through pghistory's context: the middleware sets it for requests, and every service runs
inside ``audit_context(actor)`` so tasks and commands carry it too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pghistory
from django.apps import apps
from django.db.models import Model
from pghistory.models import MiddlewareEvents

# Fields never shown in a history diff (they are masked elsewhere or meaningless to staff).
HIDDEN_FIELDS = {"pgh_id", "pgh_created_at", "pgh_label", "pgh_obj", "pgh_context", "id"}
SENSITIVE_FIELDS = {"id_number", "bank_account", "phone", "password"}


def audit_context(actor, **extra: Any) -> pghistory.context:
    """Attach the acting user (and anything else worth keeping) to every change inside."""
    return pghistory.context(user=getattr(actor, "pk", None), **extra)


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    label: str  # insert / update / delete
    model: str  # verbose name of the changed record type
    actor_id: int | None
    actor_name: str
    changes: dict[str, tuple[Any, Any]]
    via: str
    record: str = ""


def history_of(*objs: Model, limit: int = 200) -> list[HistoryEntry]:
    """The history of ``objs`` and of the rows that refer to them (members of a household…)."""
    events = MiddlewareEvents.objects.references(*objs).select_related("user").order_by("-pgh_created_at")[:limit]
    return entries_from_events(events)


def entries_from_events(events) -> list[HistoryEntry]:
    """History entries with sensitive values masked (ID numbers, accounts, phones, passwords)."""
    from core.idnumbers import mask_tail

    entries = []
    for event in events:
        model_verbose = event.pgh_obj_model
        try:
            model_verbose = str(apps.get_model(event.pgh_obj_model)._meta.verbose_name)
        except (LookupError, ValueError):
            pass
        diff = event.pgh_diff or {}
        if not diff and event.pgh_label == "insert":
            diff = {k: [None, v] for k, v in (event.pgh_data or {}).items()}
        changes = {}
        for field, pair in diff.items():
            if field in HIDDEN_FIELDS or field.endswith("_at"):
                continue
            old, new = pair
            if field in SENSITIVE_FIELDS:
                old, new = mask_tail(str(old or "")), mask_tail(str(new or ""))
            changes[field] = (old, new)
        context = event.pgh_context or {}
        user = event.user
        entries.append(
            HistoryEntry(
                at=event.pgh_created_at,
                label=event.pgh_label,
                model=model_verbose,
                actor_id=user.pk if user else None,
                actor_name=str(user) if user else "",
                changes=changes,
                via=context.get("url") or context.get("via") or "",
                record=f"{event.pgh_obj_model}#{event.pgh_obj_id}",
            )
        )
    return entries

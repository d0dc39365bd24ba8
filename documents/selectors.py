"""Reads of attachments, always through their record, found inside the user's scope."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, QuerySet

from core.errors import NotFound
from core.permissions import require_can
from core.scoping import get_in_scope, scope
from documents import registry
from documents.models import Attachment


def record_get(*, user, collection: str, pk) -> Model:
    """The record of ``collection`` with ``pk`` inside the user's scope (``NotFound`` otherwise)."""
    entry = registry.for_collection(collection)
    if entry is None:
        raise NotFound()
    require_can(user, "attachments", entry.model)  # capability first (403), then geography (404)
    return get_in_scope(entry.model._default_manager.all(), user, pk=pk)


def attachments_of(record: Model, *, user, include_past: bool = False) -> QuerySet[Attachment]:
    """The record's attachments (current ones unless ``include_past``), newest first.

    The caller has the record from a scoped read; the rule (capability, then geography) is asked again."""
    require_can(user, "attachments", record)
    qs = Attachment.objects.filter(
        content_type=ContentType.objects.get_for_model(type(record)), object_id=record.pk
    ).select_related("uploaded_by", "replaces")
    if not include_past:
        qs = qs.filter(superseded_at__isnull=True, removed_at__isnull=True)
    return scope(qs, user)


def attachments_in_scope(*, user, collection: str, pk) -> QuerySet[Attachment]:
    """The current attachments of the record ``pk`` of ``collection``, empty unless the user may see it."""
    entry = registry.for_collection(collection)
    if entry is None:
        return scope(Attachment.objects.none(), user)
    records = scope(entry.model._default_manager.filter(pk=pk), user).values("pk")
    qs = Attachment.objects.filter(
        content_type=ContentType.objects.get_for_model(entry.model),
        object_id__in=records,
        superseded_at__isnull=True,
        removed_at__isnull=True,
    )
    return scope(qs, user)


def attachment_get(*, user, pk) -> tuple[Attachment, Model]:
    """One attachment and its record, if the user may see the record (``NotFound`` otherwise, 403 for the role)."""
    try:
        attachment = Attachment.objects.select_related("content_type", "uploaded_by").get(pk=pk)
    except (Attachment.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    entry = registry.for_label(f"{attachment.content_type.app_label}.{attachment.content_type.model}")
    if entry is None:
        raise NotFound()
    require_can(user, "attachments", entry.model)
    record = get_in_scope(entry.model._default_manager.all(), user, pk=attachment.object_id)
    require_can(user, "attachments", record)
    return attachment, record


def predecessors(attachment: Attachment) -> list[Attachment]:
    """The files this one replaced, newest first (each kept, with who uploaded it and when)."""
    chain = []
    current = attachment.replaces
    while current is not None:
        chain.append(current)
        current = current.replaces
    return chain

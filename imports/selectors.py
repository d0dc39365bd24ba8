"""Reads of imports: the jobs a user may see (their geography's), one job."""

from __future__ import annotations

from django.db.models import QuerySet

from core.scoping import get_in_scope, scope
from imports.models import ImportJob

LIST_FIELDS = (
    "id",
    "kind",
    "status",
    "division_id",
    "file_name",
    "file_size",
    "rows",
    "to_create",
    "to_update",
    "error_count",
    "progress",
    "created_by_id",
    "created_at",
    "committed_at",
)


def import_list(*, user, kind: str = "", status: str = "") -> QuerySet[ImportJob]:
    qs = scope(ImportJob.objects.only(*LIST_FIELDS).select_related("created_by"), user)
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-id")


def import_get(*, user, pk) -> ImportJob:
    return get_in_scope(
        ImportJob.objects.defer("content", "plan").select_related("created_by", "committed_by"), user, pk=pk
    )

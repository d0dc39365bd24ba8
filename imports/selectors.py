"""Reads of imports: the jobs a user may see (their geography's), one job."""

from __future__ import annotations

from django.db.models import QuerySet

from core.scoping import get_in_scope, scope
from imports.models import ImportJob, ImportStatus

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


def import_list(*, user, kind: str = "", status: str = "", to_commit: bool = False) -> QuerySet[ImportJob]:
    qs = scope(ImportJob.objects.only(*LIST_FIELDS).select_related("created_by"), user)
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if to_commit:
        qs = imports_to_commit(user=user, jobs=qs)
    return qs.order_by("-id")


def imports_to_commit(*, user, jobs: QuerySet[ImportJob] | None = None) -> QuerySet[ImportJob]:
    """Checked files of cases in payment that wait for this approver (the kinds whose approver it is,
    in its geography, not uploaded by itself): the four eyes of imports/permissions.py."""
    from core.roles import capabilities_of
    from imports.registry import kinds

    held = capabilities_of(user)
    mine = [key for key, k in kinds().items() if getattr(k, "approver_caps", None) and k.approver_caps & held]
    qs = jobs if jobs is not None else scope(ImportJob.objects.only(*LIST_FIELDS), user)
    return qs.filter(status=ImportStatus.PREVIEWED, kind__in=mine).exclude(created_by=user)


def import_get(*, user, pk) -> ImportJob:
    return get_in_scope(
        ImportJob.objects.defer("content", "plan").select_related("created_by", "committed_by"), user, pk=pk
    )

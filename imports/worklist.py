"""Imports' kind of the work queue (``core.worklist``); imported by ``ImportsConfig.ready``."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core import worklist
from core.permissions import can
from imports import selectors
from imports.models import ImportJob


@worklist.kind("imports_to_commit", _("Imports of cases in payment to approve"), order=15)
def imports_to_commit(user):
    """Checked files of existing cases, uploaded by someone else, that this approver may put into force."""
    if not can(user, "commit", ImportJob) or not _is_case_approver(user):
        return None
    return worklist.Waiting(selectors.imports_to_commit(user=user), f"{reverse('imports:list')}?to_commit=1")


def _is_case_approver(user) -> bool:
    from core.roles import capabilities_of
    from imports.registry import kinds

    held = capabilities_of(user)
    return any(getattr(k, "approver_caps", None) and k.approver_caps & held for k in kinds().values())

"""Welfare's paper: the evidence its orphan and disability-subsidy cases carry (attachments)."""

from core.cases import PENDING_STATUSES
from core.roles import Cap
from documents.registry import register_attachable
from welfare.models import DisabilitySubsidyCase, OrphanCase

_WELFARE = {"view_caps": [Cap.WELFARE_VIEW], "attach_caps": [Cap.WELFARE_APPLY]}

register_attachable(
    OrphanCase,
    collection="orphans",
    decided=lambda case: case.status not in PENDING_STATUSES,
    page="welfare:orphan-detail",
    **_WELFARE,
)
register_attachable(
    DisabilitySubsidyCase,
    collection="disability-subsidies",
    decided=lambda case: case.status not in PENDING_STATUSES,
    page="welfare:subsidy-detail",
    **_WELFARE,
)

"""Relief's paper: the evidence its cases and claims carry (attachments)."""

from core.cases import PENDING_STATUSES
from core.roles import Cap
from documents.registry import register_attachable
from relief.models import ClaimStatus, DibaoCase, TekunCase, TemporaryReliefClaim

_RELIEF = {"view_caps": [Cap.RELIEF_VIEW], "attach_caps": [Cap.RELIEF_APPLY]}

register_attachable(
    DibaoCase,
    collection="dibao-cases",
    decided=lambda case: case.status not in PENDING_STATUSES,
    page="relief:dibao-detail",
    **_RELIEF,
)
register_attachable(
    TekunCase,
    collection="tekun-cases",
    decided=lambda case: case.status not in PENDING_STATUSES,
    page="relief:tekun-detail",
    **_RELIEF,
)
register_attachable(
    TemporaryReliefClaim,
    collection="temporary-relief-claims",
    decided=lambda claim: claim.status in (ClaimStatus.APPROVED, ClaimStatus.REJECTED, ClaimStatus.WITHDRAWN),
    page="relief:claim-detail",
    **_RELIEF,
)

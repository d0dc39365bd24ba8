"""Place names' paper: the evidence a naming application carries (attachments)."""

from core.roles import Cap
from documents.registry import register_attachable
from placenames.models import ApplicationStatus, NamingApplication

_DECIDED = (
    ApplicationStatus.APPROVED,
    ApplicationStatus.PUBLISHED,
    ApplicationStatus.REJECTED,
    ApplicationStatus.WITHDRAWN,
)

register_attachable(
    NamingApplication,
    collection="road-naming-applications",
    view_caps=[Cap.PLACENAME_VIEW],
    attach_caps=[Cap.PLACENAME_EDIT],
    decided=lambda application: application.status in _DECIDED,
    page="placenames:application-detail",
)

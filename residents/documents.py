"""Online applications take attachments (the resident's photos and scans), like every case collection."""

from core.roles import Cap
from documents.registry import register_attachable
from residents.models import ApplicationStatus, OnlineApplication

register_attachable(
    OnlineApplication,
    collection="online-applications",
    view_caps=[Cap.RELIEF_VIEW],
    attach_caps=[Cap.RELIEF_ONLINE_ACCEPT],
    decided=lambda application: application.status != ApplicationStatus.SUBMITTED,
    page="online-applications:detail",
)

"""Marriage's paper: the evidence a registration carries (attachments)."""

from core.roles import Cap
from documents.registry import register_attachable
from marriage.models import Registration, Status

register_attachable(
    Registration,
    collection="marriage-registrations",
    view_caps=[Cap.MARRIAGE_VIEW],
    attach_caps=[Cap.MARRIAGE_REGISTER],
    decided=lambda registration: registration.status != Status.COOLING_OFF,
    page="marriage:registration-detail",
)

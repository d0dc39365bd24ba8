"""The registry's paper: the evidence an organization's registration carries (attachments)."""

from core.roles import Cap
from documents.registry import register_attachable
from social_orgs.models import SocialOrg

register_attachable(
    SocialOrg,
    collection="social-orgs",
    view_caps=[Cap.SOCIALORG_VIEW],
    attach_caps=[Cap.SOCIALORG_EDIT],
    decided=lambda org: True,  # a registered organization is a decision: its files are kept, only replaced
    page="social_orgs:org-detail",
)

"""Who may do what in the social-organization registry: rules for ``core.permissions.can``.

Imported by ``SocialOrgsConfig.ready``. Social-organization officers keep the registry
(registration, status, inspections, fee standards, decoupling), the community filings and
the enforcement cases; everyone with ``SOCIALORG_VIEW`` reads them.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from core import permissions
from core.errors import Conflict
from core.roles import Cap
from social_orgs.models import CommunityOrg, EnforcementCase, FeeStandard, FilingStatus, ImportBatch, SocialOrg

EDIT = [Cap.SOCIALORG_EDIT]

for _action in ("create", "edit", "change_status", "inspect", "propose_fee", "decouple"):
    permissions.register(SocialOrg, _action, caps=EDIT)
permissions.register(FeeStandard, "decide", caps=EDIT)
permissions.register(CommunityOrg, "create", caps=EDIT)


@permissions.rule(CommunityOrg, "revoke", caps=EDIT)
def _filed(actor, org) -> bool:
    if org is not None and org.status != FilingStatus.FILED:
        raise Conflict(_("This filing is already revoked."), code="invalid_transition")
    return True


permissions.register(EnforcementCase, "create", caps=EDIT)
permissions.register(EnforcementCase, "act", caps=EDIT)
permissions.register(ImportBatch, "create", caps=EDIT)
permissions.register(ImportBatch, "commit", caps=EDIT)

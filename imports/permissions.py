"""Who may run bulk imports: rules for ``core.permissions.can`` (imported by ``ImportsConfig.ready``).

Households: whoever may import uploads and commits. Cases already in payment (dibao, tekun,
orphans, the disability subsidies) pay from the next run, so they go through four eyes like a
case: the uploader prepares the file, an approver of the benefit at the district (the kind's
``approver_caps``) who did not upload it commits it, and is recorded as each case's approver.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from core import permissions
from core.errors import Forbidden
from core.roles import Cap, capabilities_of
from imports.models import ImportJob

permissions.register(ImportJob, "upload", caps=[Cap.IMPORT_DATA])


@permissions.rule(ImportJob, "commit", caps=[Cap.IMPORT_DATA])
def _commit(actor, job) -> bool:
    if job is None:
        return True
    from imports.registry import kind_of
    from imports.services import require_kind_caps

    require_kind_caps(actor, kind_of(job.kind))
    needed = getattr(kind_of(job.kind), "approver_caps", frozenset())
    if not needed:
        return True
    if not needed & capabilities_of(actor):
        raise Forbidden(
            _(
                "Cases already in payment are put into force by an approver of the benefit: "
                "a district approver commits this file."
            )
        )
    if job.created_by_id == actor.pk:
        raise Forbidden(_("You uploaded this file: another person, an approver of the benefit, must commit it."))
    return True

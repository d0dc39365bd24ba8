"""Who may do what with charity records: rules for ``core.permissions.can``; imported by ``CharityConfig.ready``.

Social-organization officers record donations received by the organizations of their registry and
each use; district approvers and leadership read them; the disclosure list is for everyone.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from charity.models import Donation
from core import permissions
from core.errors import Conflict
from core.roles import Cap

permissions.register(Donation, "create", caps=[Cap.CHARITY_EDIT])


@permissions.rule(Donation, "use", caps=[Cap.CHARITY_EDIT])
def _something_left(actor, donation) -> bool:
    if donation is None:
        return True
    left = donation.remaining_amount if donation.amount is not None else donation.remaining_quantity
    if left is not None and left <= 0:
        raise Conflict(_("This donation has been used in full."), code="exceeds_donation")
    return True

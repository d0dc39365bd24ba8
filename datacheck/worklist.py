"""Data checking's kind of the work queue (``core.worklist``); imported by ``DatacheckConfig.ready``."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core import worklist
from core.permissions import can
from core.roles import Cap, has_cap
from datacheck import selectors
from datacheck.models import ItemStatus, ReviewItem


@worklist.kind("hits_to_review", _("Data-check hits to review"), order=60)
def hits_to_review(user):
    """Open review items of the user's geography (a death, a car, a business… found in another department's data)."""
    if not can(user, "confirm", ReviewItem):
        return None
    return worklist.Waiting(
        selectors.review_items(user=user, status=ItemStatus.OPEN), f"{reverse('datacheck:review-list')}?status=open"
    )


@worklist.kind("poverty_not_covered", _("Poverty-registered households not covered"), order=62)
def poverty_not_covered(user):
    """Poverty-registered households with no active dibao or tekun (兜底保障 "不落一户"), for who opens applications."""
    if not (has_cap(user, Cap.DATACHECK_ITEMS) and has_cap(user, Cap.RELIEF_APPLY)):
        return None
    return worklist.Waiting(
        selectors.poverty_households(user=user, covered=False), f"{reverse('datacheck:poverty')}?covered=false"
    )

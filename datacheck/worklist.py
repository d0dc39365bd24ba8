"""Data checking's kind of the work queue (``core.worklist``); imported by ``DatacheckConfig.ready``."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core import worklist
from core.permissions import can
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

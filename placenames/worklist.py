"""Place names' kind of the work queue (``core.worklist``); imported by ``PlacenamesConfig.ready``."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core import worklist
from placenames import selectors
from placenames.permissions import statuses_at_step_of


@worklist.kind("naming_at_my_step", _("Road-naming applications at your step"), order=70)
def naming_at_my_step(user):
    """Applications whose next step (checks, expert review, notice, approval, publication) is this user's."""
    if not statuses_at_step_of(user):
        return None
    applications = selectors.application_list(user=user, at_my_step=True)
    return worklist.Waiting(applications, f"{reverse('placenames:application-list')}?at_my_step=1")

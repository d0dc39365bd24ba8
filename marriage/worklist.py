"""The marriage registry's kinds of the work queue (``core.worklist``); imported by ``MarriageConfig.ready``."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core import worklist
from core.permissions import can
from marriage import selectors
from marriage.models import Registration


def _waiting(user, action: str, waiting: str):
    if not can(user, action, Registration):
        return None
    records = selectors.registration_list(user=user, waiting=waiting)
    return worklist.Waiting(records, f"{reverse('marriage:registration-list')}?waiting={waiting}")


@worklist.kind("divorces_to_register", _("Divorces past their cooling-off, to register"), order=80)
def divorces_to_register(user):
    return _waiting(user, "register_divorce", "divorce")


@worklist.kind("records_to_review", _("Marriage records to review"), order=81)
def records_to_review(user):
    return _waiting(user, "review", "review")

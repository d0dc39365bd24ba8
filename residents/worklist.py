"""The staff work-queue kind ``online_to_accept`` (``core.worklist``): residents' applications waiting
in the caseworker's geography (their communities' sub-district), linked to the list of exactly those."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core import worklist
from core.permissions import can
from residents import selectors
from residents.models import ApplicationStatus, OnlineApplication


@worklist.kind("online_to_accept", _("Online applications to accept"), order=5)
def online_to_accept(user):
    if not can(user, "accept", OnlineApplication):
        return None
    return worklist.Waiting(
        selectors.online_application_list(user=user, status=ApplicationStatus.SUBMITTED),
        reverse("online-applications:list") + "?status=submitted",
    )

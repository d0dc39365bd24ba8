"""Reads of charity records. Staff lists are scoped (``core.scoping``); the disclosure is the public list."""

from __future__ import annotations

import datetime

from django.db.models import Prefetch, Q, QuerySet

from charity.models import Donation, DonationUse, PublicDonation, VolunteerCount
from core import search
from core.models import User
from core.scoping import get_in_scope, scope


def donation_list(
    *, user: User, q: str = "", kind: str = "", recipient_org: str = "", division: str = ""
) -> QuerySet[Donation]:
    """Donations the user may see; ``q`` is a fragment of the donor's, the custodian's or the organization's name."""
    qs = scope(Donation.objects.select_related("recipient_org", "division"), user)
    q = search.clean_query(q)
    if q:
        qs = qs.filter(Q(donor__contains=q) | Q(custodian__contains=q) | Q(recipient_org__name__contains=q))
    if kind:
        qs = qs.filter(kind=kind)
    if recipient_org:
        qs = qs.filter(recipient_org_id=recipient_org) if str(recipient_org).isdigit() else qs.none()
    if division:
        qs = qs.filter(division__code__startswith=division)
    return qs.order_by("-received_on", "-id")


def donation_get(*, user: User, pk) -> Donation:
    return get_in_scope(Donation.objects.select_related("recipient_org", "division", "created_by"), user, pk=pk)


def use_list(*, user: User, donation: Donation) -> QuerySet[DonationUse]:
    return scope(DonationUse.objects.filter(donation=donation).select_related("recorded_by"), user).order_by(
        "used_on", "id"
    )


def disclosure_list(*, user: User, kind: str = "", recipient_org: str = "", year: str = "") -> QuerySet:
    """The public list (信息公开): every donation in the city and its uses, donors by name unless they
    asked to stay anonymous; no phone, no personal number, no beneficiary of a use."""
    qs = scope(PublicDonation.objects.select_related("recipient_org"), user)
    if kind:
        qs = qs.filter(kind=kind)
    if recipient_org:
        qs = qs.filter(recipient_org_id=recipient_org) if str(recipient_org).isdigit() else qs.none()
    if year:
        qs = qs.filter(received_on__year=int(year)) if str(year).isdigit() else qs.none()
    uses = DonationUse.objects.only("donation_id", "used_on", "purpose", "amount", "quantity").order_by("used_on", "id")
    return qs.prefetch_related(Prefetch("uses", queryset=uses)).order_by("-received_on", "-id")


def volunteer_counts(*, user: User, as_of: datetime.date | None = None) -> QuerySet[VolunteerCount]:
    """Each district's latest count on or before ``as_of`` (all dates when ``None``)."""
    qs = scope(VolunteerCount.objects.select_related("district"), user)
    if as_of is not None:
        qs = qs.filter(as_of__lte=as_of)
    return qs.order_by("district_id", "-as_of").distinct("district_id")

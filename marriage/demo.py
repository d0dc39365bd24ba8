"""Demonstration data for the marriage registry (``manage.py seed_demo``). Idempotent."""

from __future__ import annotations

import datetime

from django.utils import timezone

from core.errors import DomainError
from core.models import User
from marriage import services
from marriage.models import Appointment, MarriageParty
from people.models import HouseholdMember, Relationship


def seed() -> int:
    actor = User.objects.get(username="demo_registrar")
    made = 0
    couples = (
        HouseholdMember.objects.filter(
            relationship=Relationship.SPOUSE, household__community__code__startswith="370202"
        )
        .select_related("household__head", "person")
        .order_by("id")[:4]
    )
    for n, member in enumerate(couples):
        head, spouse = member.household.head, member.person
        if MarriageParty.objects.filter(person__in=[head, spouse]).exists():
            continue
        try:
            services.marriage_register(
                actor=actor,
                party_a=head,
                party_b=spouse,
                applied_on=datetime.date(2020, 7 + n, 8),
                declarations_signed=True,
            )
        except DomainError:
            continue  # e.g. a demo spouse under age on the day
        made += 1
    if not Appointment.objects.exists():
        day = timezone.localdate() + datetime.timedelta(days=1)
        while day.weekday() >= 5:
            day += datetime.timedelta(days=1)
        for name_a, name_b in [("演示甲", "演示乙"), ("演示丙", "演示丁")]:
            services.appointment_book(
                actor=actor,
                office="370202",
                date=day,
                kind="marriage",
                name_a=name_a,
                name_b=name_b,
                phone="13800000000",
            )
    return made

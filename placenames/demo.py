"""Demonstration data for place names (``manage.py seed_demo``). Idempotent; names say they are demos."""

from __future__ import annotations

import datetime

from core.models import User
from placenames import services
from placenames.models import NamingApplication, Road, UnnamedRoad

ROADS = [("演示一路", "road", 1200), ("演示二路", "road", 860), ("演示大道", "avenue", 3400)]


def seed() -> int:
    actor = User.objects.get(username="demo_placename")
    made = 0
    for name, road_type, length in ROADS:
        if Road.objects.filter(name=name).exists():
            continue
        services.road_create(
            actor=actor,
            name=name,
            district="370202",
            road_type=road_type,
            length_m=length,
            approved_on=datetime.date(2018, 6, 1),
        )
        made += 1
    if not UnnamedRoad.objects.filter(location__startswith="演示").exists():
        first = services.unnamed_road_create(
            actor=actor, location="演示一路以东、演示大道以北", district="370202", length_m=640
        )
        services.unnamed_road_create(actor=actor, location="演示二路南侧支路", district="370202", length_m=310)
        if not NamingApplication.objects.filter(proposed_name="演示三路").exists():
            application = services.application_create(
                actor=actor, proposed_name="演示三路", district="370202", unnamed_road=first, meaning="演示数据"
            )
            services.application_check(actor=actor, application=application)
            services.application_refer_to_experts(actor=actor, application=application)
    return made

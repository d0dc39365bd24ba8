"""The daily scan: a rural left-behind elderly person whose visit is overdue raises a warning, once per visit missed."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from elderly.models import LeftBehindElder
from monitoring import services
from monitoring.models import RiskWarning
from tests.conftest import OWN_COMMUNITY
from tests.factories import make_household

pytestmark = pytest.mark.django_db


def _elder(household, *, risk, last_visited_on):
    return LeftBehindElder.objects.create(
        person=household.head,
        household=household,
        community_id=household.community_id,
        risk=risk,
        registered_on=timezone.localdate() - datetime.timedelta(days=400),
        last_visited_on=last_visited_on,
        created_by=household.created_by,
    )


def test_an_overdue_visit_raises_one_warning_per_visit_missed(caseworker):
    today = timezone.localdate()
    overdue = _elder(
        make_household(community=OWN_COMMUNITY, created_by=caseworker),
        risk="high",
        last_visited_on=today - datetime.timedelta(days=31),
    )
    _elder(
        make_household(community=OWN_COMMUNITY, created_by=caseworker),
        risk="high",
        last_visited_on=today - datetime.timedelta(days=29),
    )
    _elder(
        make_household(community=OWN_COMMUNITY, created_by=caseworker),
        risk="normal",
        last_visited_on=today - datetime.timedelta(days=60),
    )
    assert services.warnings_scan() == 1
    assert services.warnings_scan() == 0  # the next day's scan: the same visit missed, nothing new
    warning = RiskWarning.objects.get()
    assert (warning.kind, warning.person_id, warning.subdistrict_id) == (
        "not_visited",
        overdue.person_id,
        OWN_COMMUNITY[:9],
    )
    assert (today - datetime.timedelta(days=31)).isoformat() in warning.reason
    LeftBehindElder.objects.filter(pk=overdue.pk).update(last_visited_on=today - datetime.timedelta(days=40))
    assert services.warnings_scan() == 1  # another visit missed since: a new warning


def test_the_scan_is_on_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["monitoring: daily scan"]
    assert entry["task"] == "monitoring.daily_scan"

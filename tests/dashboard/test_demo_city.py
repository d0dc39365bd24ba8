"""The demo city from a fresh database: ``seed_demo --scale S`` gives the report's H1 2020 figures × S on the
dashboard (``GET dashboard/summary/?from=2020-01&to=2020-06``), within ±5%, and a second call changes nothing.

A tiny scale (never the report's city itself in the suite: that is ``bench.dashboard_h1``)."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from core.models import User
from payouts.models import PayoutRun
from tests.conftest import api_client_for

pytestmark = pytest.mark.django_db

SCALE = 0.02
# The report's figures (2020-h1-work-summary.txt): (path in the summary, figure at scale 1).
REPORT = [
    (("schemes", "dibao", "households"), 62_000),
    (("schemes", "dibao", "persons"), 91_000),
    (("schemes", "dibao", "amount"), 360_000_000),
    (("schemes", "tekun", "amount"), 60_330_000),
    (("temporary_relief", "households"), 5_222),
    (("temporary_relief", "amount"), 19_640_000),
    (("price_subsidy", "amount"), 46_570_000),
    (("schemes", "orphan", "persons"), 887),
    (("schemes", "orphan", "amount"), 6_636_600),
    (("schemes", "disability_living", "persons"), 39_000),
    (("schemes", "disability_living", "amount"), 55_115_000),
    (("schemes", "disability_nursing", "persons"), 89_000),
    (("schemes", "disability_nursing", "amount"), 74_358_000),
    (("marriage", "marriages"), 21_631),
    (("marriage", "divorces"), 9_918),
    (("roads_named",), 237),
    (("vagrant_relief", "helped"), 611),
    (("vagrant_relief", "reunited"), 16),
    (("social_orgs", "community_filed"), 10_363),
    # Operating subsidies to elderly-care institutions and centres (issue 21): 426万元, paid by the runs.
    (("schemes", "elderly_operating", "amount"), 4_260_000),
    (("elderly_care", "sites_chosen"), 99),
    (("elderly_care", "operators_contracted"), 91),
    (("elderly_care", "built"), 51),
]


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", scale=SCALE, compute_here=True, households=2, stdout=out)
    return out.getvalue()


def test_the_demo_city_has_the_reports_figures_and_a_second_seed_changes_nothing(divisions, settings, tmp_path):
    settings.BASE_DIR = tmp_path  # the printed passwords' file
    first = seed()
    assert "[demo] demo city" not in first  # the city's line is not a timed step of the command…
    assert "demo city (scale 0.02):" in first  # …but says what it made
    # Every scheme of the engine: six monthly ones, the approved temporary relief, the elderly-care
    # operating subsidies (issue 21: the city's centres and institutions, approved by a second account).
    assert "demo payouts 2020-06: 8 runs" in first
    assert "demo elderly care:" in first
    runs = PayoutRun.objects.filter(period__year=2020, period__month__lte=6)
    assert runs.count() == 48
    assert set(runs.values_list("status", flat=True)) == {"approved"}
    assert {
        (r.started_by.username, r.approved_by.username) for r in runs.select_related("started_by", "approved_by")
    } == {("demo_finance", "demo_finance2")}
    leader = User.objects.get(username="demo_leader")
    summary = api_client_for(leader).get("/api/v1/dashboard/summary/", {"from": "2020-01", "to": "2020-06"})
    assert summary.status_code == 200
    body = summary.json()
    for path, figure in REPORT:
        value = body
        for key in path:
            value = value[key]
        expected = Decimal(max(1, round(figure * SCALE)))  # the generator's own rounding of a count
        assert abs(Decimal(str(value)) / expected - 1) <= Decimal("0.05"), (path, value, expected)
    assert body["price_subsidy"]["triggers"] == 6

    again = seed()
    assert "demo city: already built" in again
    assert "0 approved now" in again and "accounts: 0 created" in again
    assert runs.count() == 48


def test_every_role_has_a_demo_account_and_every_four_eyes_step_a_second_person(divisions, settings, tmp_path):
    from core.roles import Role

    settings.BASE_DIR = tmp_path
    call_command("seed_demo", households=1, stdout=io.StringIO())
    accounts = User.objects.filter(username__startswith="demo_")
    assert set(accounts.values_list("role", flat=True)) == set(Role.values)
    for role, division in [
        (Role.FINANCE, "370200"),
        (Role.SUBDISTRICT_APPROVER, "370202001"),
        (Role.DISTRICT_APPROVER, "370202"),
    ]:
        assert accounts.filter(role=role, division_id=division).count() == 2

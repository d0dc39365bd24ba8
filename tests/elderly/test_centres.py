"""Elderly-care centres: recorded at the stage reached, moved one stage at a time, counted by stage."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from core.history import rows_for
from elderly import services
from elderly.models import ElderlyCentre

pytestmark = pytest.mark.django_db

URL = "/api/v1/elderly-centres/"


def test_a_sub_district_approver_records_a_site_and_moves_it_to_operating(api_for, approver):
    api = api_for(approver)
    created = api.post(
        URL,
        {
            "name": "八大峡街道综合养老服务中心",
            "subdistrict": "370202001",
            "stage": "site",
            "site_chosen_on": "2020-02-10",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["stage"] == "site" and body["site_chosen_on"] == "2020-02-10"
    pk = body["id"]
    contracted = api.post(
        f"{URL}{pk}/contract/", {"on": "2020-03-01", "operator": "青岛颐和养老服务有限公司"}, format="json"
    )
    assert contracted.status_code == 200, contracted.json()
    assert contracted.json()["stage"] == "operator"
    assert contracted.json()["operator"] == "青岛颐和养老服务有限公司"
    built = api.post(f"{URL}{pk}/complete/", {"on": "2020-05-20"}, format="json")
    assert built.json()["stage"] == "built" and built.json()["built_on"] == "2020-05-20"
    opened = api.post(f"{URL}{pk}/open/", {"on": "2020-06-01", "beds": 40}, format="json")
    assert opened.status_code == 200
    assert opened.json()["stage"] == "operating"
    assert opened.json()["operating_since"] == "2020-06-01" and opened.json()["beds"] == 40
    history = api.get(f"{URL}{pk}/history/").json()["results"]
    assert history and all("status" not in c["field"] or c["label"] for row in history for c in row["changes"])
    assert any(c["new"] in ("已运营", "Operating") for row in history for c in row["changes"])


def test_a_step_out_of_order_is_refused_409_and_nothing_changes(api_for, approver):
    api = api_for(approver)
    pk = api.post(URL, {"name": "中心A", "subdistrict": "370202001"}, format="json").json()["id"]
    opened = api.post(f"{URL}{pk}/open/", {}, format="json")
    assert opened.status_code == 409
    assert opened.json()["code"] == "invalid_transition"
    built = api.post(f"{URL}{pk}/complete/", {}, format="json")
    assert built.status_code == 409
    assert ElderlyCentre.objects.get(pk=pk).status == "site"


def test_contracting_needs_the_operator_named(api_for, approver):
    api = api_for(approver)
    pk = api.post(URL, {"name": "中心B", "subdistrict": "370202001"}, format="json").json()["id"]
    response = api.post(f"{URL}{pk}/contract/", {}, format="json")
    assert response.status_code == 400
    assert "operator" in response.json()
    assert ElderlyCentre.objects.get(pk=pk).status == "site"


def test_a_step_dated_before_the_stage_before_it_is_refused(api_for, approver):
    api = api_for(approver)
    pk = api.post(
        URL, {"name": "中心C", "subdistrict": "370202001", "site_chosen_on": "2020-04-01"}, format="json"
    ).json()["id"]
    response = api.post(f"{URL}{pk}/contract/", {"on": "2020-03-01", "operator": "某公司"}, format="json")
    assert response.status_code == 400
    assert "on" in response.json()


def test_a_centre_recorded_further_along_keeps_its_dates_in_order(api_for, approver):
    api = api_for(approver)
    ok = api.post(
        URL,
        {
            "name": "中心D",
            "subdistrict": "370202001",
            "stage": "built",
            "operator": "某公司",
            "site_chosen_on": "2019-01-01",
            "operator_contracted_on": "2019-03-01",
            "built_on": "2019-12-01",
        },
        format="json",
    )
    assert ok.status_code == 201, ok.json()
    disorder = api.post(
        URL,
        {
            "name": "中心E",
            "subdistrict": "370202001",
            "stage": "built",
            "site_chosen_on": "2019-05-01",
            "operator_contracted_on": "2019-03-01",
        },
        format="json",
    )
    assert disorder.status_code == 400
    assert "operator_contracted_on" in disorder.json()
    not_reached = api.post(
        URL,
        {"name": "中心F", "subdistrict": "370202001", "stage": "operator", "operating_since": "2019-05-01"},
        format="json",
    )
    assert not_reached.status_code == 400
    assert "operating_since" in not_reached.json()
    future = api.post(
        URL,
        {
            "name": "中心G",
            "subdistrict": "370202001",
            "site_chosen_on": (timezone.localdate() + datetime.timedelta(days=5)).isoformat(),
        },
        format="json",
    )
    assert future.status_code == 400


def test_the_same_name_twice_in_a_sub_district_is_409(api_for, approver):
    api = api_for(approver)
    assert api.post(URL, {"name": "中心H", "subdistrict": "370202001"}, format="json").status_code == 201
    again = api.post(URL, {"name": "中心H", "subdistrict": "370202001"}, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "name_taken"


def test_a_caseworker_reads_centres_but_may_not_record_or_move_them(api_for, approver, caseworker):
    centre = services.centre_create(actor=approver, name="中心I", subdistrict="370202001")
    api = api_for(caseworker)
    assert api.get(f"{URL}{centre.pk}/").status_code == 200
    assert api.post(URL, {"name": "中心J", "subdistrict": "370202001"}, format="json").status_code == 403
    assert api.post(f"{URL}{centre.pk}/contract/", {"operator": "某公司"}, format="json").status_code == 403


def test_a_centre_outside_ones_geography_is_404_and_cannot_be_recorded(api_for, approver, make_staff):
    other = make_staff("subdistrict_approver", "370202002")
    centre = services.centre_create(actor=other, name="云南路中心", subdistrict="370202002")
    api = api_for(approver)
    assert api.get(f"{URL}{centre.pk}/").status_code == 404
    assert api.post(f"{URL}{centre.pk}/contract/", {"operator": "某公司"}, format="json").status_code == 404
    refused = api.post(URL, {"name": "越界中心", "subdistrict": "370202002"}, format="json")
    assert refused.status_code == 400
    assert "subdistrict" in refused.json()
    assert [c["id"] for c in api.get(URL).json()["results"]] == []


def test_the_summary_counts_centres_by_stage_and_by_stage_reached(api_for, make_staff):
    district = make_staff("district_approver", "370202")
    for i, stage in enumerate(["site", "site", "operator", "built", "operating"]):
        extra = {"operator": "某公司"} if stage != "site" else {}
        services.centre_create(actor=district, name=f"中心{i}", subdistrict="370202001", stage=stage, **extra)
    services.centre_create(actor=district, name="另一个", subdistrict="370202002", stage="operating")
    summary = api_for(district).get(f"{URL}summary/").json()
    assert summary["site"] == 2 and summary["operator"] == 1 and summary["built"] == 1
    assert summary["operating"] == 2 and summary["total"] == 6
    assert summary["reached"] == {"site": 6, "operator": 4, "built": 3, "operating": 2}
    narrowed = api_for(district).get(f"{URL}summary/?division=370202002").json()
    assert narrowed["total"] == 1
    own = make_staff("subdistrict_approver", "370202001")
    assert api_for(own).get(f"{URL}summary/").json()["total"] == 5


def test_the_stage_filter_and_the_timeline(api_for, approver):
    centre = services.centre_create(actor=approver, name="中心K", subdistrict="370202001")
    services.centre_advance(actor=approver, centre=centre, action="contract", operator="某公司")
    api = api_for(approver)
    assert [c["id"] for c in api.get(f"{URL}?stage=operator").json()["results"]] == [centre.pk]
    assert api.get(f"{URL}?stage=site").json()["count"] == 0
    assert rows_for(ElderlyCentre.objects.get(pk=centre.pk))

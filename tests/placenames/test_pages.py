from __future__ import annotations

import pytest

from placenames import services
from placenames.models import NamingApplication, Road, UnnamedRoad

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(make_staff):
    return make_staff("placename_officer", "370202")


def test_the_place_name_pages_render(browser_client, officer):
    road, _w = services.road_create(actor=officer, name="长江路", district="370202")
    unnamed = services.unnamed_road_create(actor=officer, location="某处", district="370202")
    application = services.application_create(
        actor=officer, proposed_name="常江路", district="370202", unnamed_road=unnamed
    )
    client = browser_client(officer)
    for url in [
        "/placenames/",
        "/placenames/?q=changjiang",
        "/placenames/roads/new/",
        f"/placenames/roads/{road.pk}/",
        "/placenames/unnamed/",
        "/placenames/unnamed/new/",
        f"/placenames/unnamed/{unnamed.pk}/",
        "/placenames/applications/",
        "/placenames/applications/new/",
        f"/placenames/applications/{application.pk}/",
        "/placenames/banned-words/",
    ]:
        assert client.get(url).status_code == 200, url


def test_a_proposal_from_the_form_shows_its_homophone_warning(browser_client, officer):
    services.road_create(actor=officer, name="长江路", district="370202")
    client = browser_client(officer)
    response = client.post(
        "/placenames/applications/new/",
        {"proposed_name": "常江路", "district": "370202", "road_type": "road"},
        follow=True,
    )
    assert response.status_code == 200
    assert NamingApplication.objects.filter(proposed_name="常江路").exists()
    assert any("长江路" in str(m) for m in response.context["messages"])


def test_a_taken_name_is_shown_on_the_form(browser_client, officer):
    services.road_create(actor=officer, name="长江路", district="370202")
    response = browser_client(officer).post(
        "/placenames/applications/new/", {"proposed_name": "长江路", "district": "370202", "road_type": "road"}
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not NamingApplication.objects.exists()


def test_the_application_steps_are_taken_from_its_page(browser_client, officer):
    application = services.application_create(actor=officer, proposed_name="黄河路", district="370202")
    client = browser_client(officer)
    client.post(f"/placenames/applications/{application.pk}/check/", {})
    client.post(f"/placenames/applications/{application.pk}/refer/", {})
    client.post(f"/placenames/applications/{application.pk}/notice/", {"expert_opinion": "同意"})
    application.refresh_from_db()
    assert application.status == "public_notice"
    assert client.post(f"/placenames/applications/{application.pk}/nonsense/", {}).status_code == 404


def test_an_unnamed_road_is_recorded_and_closed_from_the_pages(browser_client, officer):
    client = browser_client(officer)
    client.post("/placenames/unnamed/new/", {"location": "滨海大道以北", "district": "370202"})
    road = UnnamedRoad.objects.get()
    client.post(f"/placenames/unnamed/{road.pk}/remove/", {"note": "已拆除"})
    road.refresh_from_db()
    assert road.status == "removed"


def test_a_leader_reads_but_gets_no_entry_form(browser_client, make_staff, officer):
    services.road_create(actor=officer, name="长江路", district="370202")
    client = browser_client(make_staff("leader", "370200"))
    assert client.get("/placenames/").status_code == 200
    assert client.get("/placenames/roads/new/").status_code == 403
    assert Road.objects.count() == 1

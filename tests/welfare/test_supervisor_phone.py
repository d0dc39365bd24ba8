"""Child supervisors' phones are masked like every phone (API, orphan and supervisor pages) and
revealed only with a reason, logged (issue 22 §13)."""

from __future__ import annotations

import pytest

from core.models import RevealLog
from tests.conftest import api_client_for
from tests.welfare.conftest import born_years_ago, make_person
from welfare import services

pytestmark = pytest.mark.django_db

PHONE = "13812345678"


@pytest.fixture
def supervisor(actors):
    return services.child_supervisor_appoint(
        actor=actors.approver, subdistrict="370202001", name="赵督导", phone=PHONE, appointed_on="2020-01-01"
    )


def test_the_api_and_the_pages_show_the_phone_masked(actors, supervisor, browser_client):
    api = api_client_for(actors.caseworker)
    listed = api.get("/api/v1/child-supervisors/").json()["results"]
    assert [s["phone"] for s in listed] == ["138****5678"]
    assert PHONE not in api.get(f"/api/v1/child-supervisors/{supervisor.pk}/").content.decode()
    child = make_person(birth=born_years_ago(8))
    orphan = services.orphan_case_create(actor=actors.caseworker, person=child, category="community", guardian="王五")
    client = browser_client(actors.caseworker)
    for url in ("/welfare/supervisors/", f"/welfare/orphans/{orphan.pk}/", f"/people/{child.pk}/"):
        body = client.get(url).content.decode()
        assert PHONE not in body, url
    assert "138****5678" in client.get(f"/welfare/orphans/{orphan.pk}/").content.decode()


def test_the_phone_is_revealed_with_a_reason_and_logged(actors, supervisor):
    api = api_client_for(actors.caseworker)
    refused = api.post(f"/api/v1/child-supervisors/{supervisor.pk}/reveal/", {}, format="json")
    assert refused.status_code == 400 and list(refused.json()) == ["reason"]
    assert not RevealLog.objects.exists()
    shown = api.post(f"/api/v1/child-supervisors/{supervisor.pk}/reveal/", {"reason": "联系督导员"}, format="json")
    assert shown.status_code == 200 and shown.json() == {"phone": PHONE}
    log = RevealLog.objects.get()
    assert (log.actor, log.field, log.reason) == (actors.caseworker, "phone", "联系督导员")


def test_a_role_without_the_need_gets_403_and_another_district_404(actors, supervisor, make_staff):
    leader = api_client_for(make_staff("leader", "370200"))
    assert (
        leader.post(f"/api/v1/child-supervisors/{supervisor.pk}/reveal/", {"reason": "x"}, format="json").status_code
        == 403
    )
    other = api_client_for(make_staff("caseworker", "370203001"))
    assert (
        other.post(f"/api/v1/child-supervisors/{supervisor.pk}/reveal/", {"reason": "x"}, format="json").status_code
        == 404
    )
    assert not RevealLog.objects.exists()

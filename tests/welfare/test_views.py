"""Browser pages: Chinese by default, the same services as the API, scoped, with the child supervisor shown."""

from __future__ import annotations

import pytest

from core.cases import local_today
from people.models import Person
from tests.conftest import OTHER_DISTRICT_COMMUNITY
from tests.welfare.conftest import born_years_ago, certificate_for, make_person
from welfare import services
from welfare.models import ChildSupervisor, DisabilitySubsidyCase, OrphanCase

pytestmark = pytest.mark.django_db


def page(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


@pytest.fixture
def cases(actors, dibao_household):
    child = make_person(birth=born_years_ago(8))
    orphan = services.orphan_case_create(actor=actors.caseworker, person=child, category="community", guardian="王五")
    member = dibao_household.members.filter(relationship="child").first().person
    living = services.disability_subsidy_create(
        actor=actors.caseworker, person=member, kind="living", certificate_number=certificate_for(member, 6, 3)
    )
    services.child_supervisor_appoint(
        actor=actors.approver, subdistrict="370202001", name="赵督导", phone="0532-1234567", appointed_on="2020-01-01"
    )
    return {"child": child, "orphan": orphan, "member": member, "living": living}


def test_the_pages_render_in_chinese_for_each_role(browser_client, actors, admin_user, cases):
    for user in (actors.caseworker, actors.reviewer, actors.approver):
        client = browser_client(user)
        for url in [
            "/welfare/",
            "/welfare/orphans/",
            "/welfare/orphans/?status=submitted&category=community",
            "/welfare/disability/",
            "/welfare/disability/?kind=living",
            f"/welfare/orphans/{cases['orphan'].pk}/",
            f"/welfare/orphans/{cases['orphan'].pk}/?month=2019-05",
            f"/welfare/disability/{cases['living'].pk}/",
            f"/welfare/certificates/{cases['living'].certificate_id}/",
            f"/welfare/people/{cases['child'].pk}/",
            f"/welfare/people/{cases['member'].pk}/",
            f"/welfare/orphans/apply/{make_person(birth=born_years_ago(4)).pk}/",
            f"/welfare/disability/apply/{cases['member'].pk}/",
            "/welfare/supervisors/",
            "/welfare/changes/",
            "/welfare/cross-check/",
            "/welfare/cross-check/?month=2020-03",
            "/welfare/incompatibilities/",
            f"/people/{cases['member'].pk}/death/",
        ]:
            body = page(client, url)
            assert cases["member"].id_number not in body
    assert "福利" in page(browser_client(actors.caseworker), "/welfare/")
    page(browser_client(actors.caseworker), "/welfare/queue/", status=403)
    assert "orphan-queue" in page(browser_client(actors.reviewer), "/welfare/queue/")
    page(browser_client(admin_user), "/welfare/incompatibilities/")
    page(browser_client(admin_user), "/welfare/", status=403)


def test_english_is_available(browser_client, actors, cases):
    client = browser_client(actors.caseworker)
    response = client.get("/welfare/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Orphans' allowance" in response.content.decode()


def test_a_childs_page_shows_the_child_supervisor(browser_client, actors, cases):
    client = browser_client(actors.caseworker)
    body = page(client, f"/people/{cases['child'].pk}/")
    assert "赵督导" in body and "child-supervisor" in body
    assert "赵督导" in page(client, f"/welfare/orphans/{cases['orphan'].pk}/")
    adult = make_person(birth=born_years_ago(40))
    assert "child-supervisor" not in page(client, f"/people/{adult.pk}/")


def test_a_new_supervisor_ends_the_previous_term(browser_client, actors, cases):
    client = browser_client(actors.reviewer)
    response = client.post(
        "/welfare/supervisors/",
        {"subdistrict": "370202001", "name": "钱督导", "phone": "0532-7654321", "appointed_on": "2021-03-01"},
    )
    assert response.status_code == 302
    assert ChildSupervisor.objects.get(name="赵督导").ended_on.isoformat() == "2021-02-28"
    assert "钱督导" in page(client, f"/people/{cases['child'].pk}/")
    refused = client.post(
        "/welfare/supervisors/", {"subdistrict": "370202002", "name": "孙", "appointed_on": "2021-03-01"}
    )
    assert refused.status_code == 200  # another sub-district: not in the choices
    assert not ChildSupervisor.objects.filter(name="孙").exists()
    caseworker = browser_client(actors.caseworker)
    page(caseworker, "/welfare/supervisors/")
    assert caseworker.post("/welfare/supervisors/", {"name": "x"}).status_code == 403


def test_the_orphan_is_registered_reviewed_and_approved_through_the_pages(browser_client, actors):
    child = make_person(birth=born_years_ago(11))
    client = browser_client(actors.caseworker)
    response = client.post(
        f"/welfare/orphans/apply/{child.pk}/", {"category": "institution", "institution": "青岛市儿童福利院"}
    )
    assert response.status_code == 302
    case = OrphanCase.objects.get(person=child)
    assert browser_client(actors.reviewer).post(f"/welfare/orphans/{case.pk}/review/", {"review-note": "齐全"})
    assert browser_client(actors.approver).post(f"/welfare/orphans/{case.pk}/approve/", {"approve-note": "同意"})
    case.refresh_from_db()
    assert case.status == "active"
    body = page(browser_client(actors.approver), f"/welfare/orphans/{case.pk}/")
    assert "action-suspend" in body and "action-terminate" in body


def test_the_application_form_shows_a_refusal_and_saves_nothing(browser_client, actors):
    adult = make_person(birth=born_years_ago(19))
    client = browser_client(actors.caseworker)
    response = client.post(f"/welfare/orphans/apply/{adult.pk}/", {"category": "community", "guardian": "某人"})
    assert response.status_code == 200
    assert "18" in response.content.decode()
    assert not OrphanCase.objects.exists()
    person = make_person()
    response = client.post(
        f"/welfare/disability/apply/{person.pk}/",
        {
            "kinds": ["living", "nursing"],
            "certificate_number": certificate_for(person, 4, 1),
            "disability_type": 4,
            "grade": 1,
        },
    )
    assert response.status_code == 200  # the living subsidy is refused: no dibao; the nursing one is not saved either
    assert not DisabilitySubsidyCase.objects.exists()
    response = client.post(
        f"/welfare/disability/apply/{person.pk}/",
        {"kinds": ["nursing"], "certificate_number": certificate_for(person, 4, 1), "disability_type": 4, "grade": 1},
    )
    assert response.status_code == 302
    assert DisabilitySubsidyCase.objects.filter(person=person, kind="nursing").exists()


def test_recording_a_death_through_the_page_lists_what_changed(browser_client, actors, cases):
    client = browser_client(actors.caseworker)
    assert "record-death" in page(client, f"/people/{cases['child'].pk}/")
    response = client.post(
        f"/people/{cases['child'].pk}/death/",
        {"death_date": local_today().isoformat(), "note": "死亡证明"},
        follow=True,
    )
    assert response.status_code == 200
    assert Person.objects.get(pk=cases["child"].pk).death_date == local_today()
    cases["orphan"].refresh_from_db()
    assert cases["orphan"].status == "rejected"  # a pending application closes
    changes = page(client, "/welfare/changes/")
    assert cases["child"].name in changes
    assert "record-death" not in page(client, f"/people/{cases['child'].pk}/")


def test_a_reassessment_through_the_page(browser_client, actors, cases):
    client = browser_client(actors.caseworker)
    certificate = cases["living"].certificate
    response = client.post(
        f"/welfare/certificates/{certificate.pk}/", {"reassess-disability_type": 6, "reassess-grade": 2}
    )
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert (certificate.grade, certificate.number[-2:]) == (2, "62")


def test_pages_outside_ones_geography_are_not_found(browser_client, actors, make_staff):
    far_child = make_person(birth=born_years_ago(5), community=OTHER_DISTRICT_COMMUNITY)
    far_staff = make_staff("caseworker", OTHER_DISTRICT_COMMUNITY[:9])
    orphan = services.orphan_case_create(actor=far_staff, person=far_child, category="community", guardian="某")
    client = browser_client(actors.caseworker)
    page(client, f"/welfare/orphans/{orphan.pk}/", status=404)
    page(client, f"/welfare/people/{far_child.pk}/", status=404)
    page(client, f"/welfare/orphans/apply/{far_child.pk}/", status=404)
    assert client.post(f"/welfare/orphans/{orphan.pk}/withdraw/", {}).status_code == 404

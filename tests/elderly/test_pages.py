from __future__ import annotations

import pytest

from elderly import services

pytestmark = pytest.mark.django_db


def test_the_elderly_pages_render_for_an_approver(browser_client, approver, make_elderly_person):
    centre = services.centre_create(actor=approver, name="八大峡中心", subdistrict="370202001")
    elder = services.elder_register(actor=approver, person=make_elderly_person(), risk="high")
    client = browser_client(approver)
    for url in [
        "/elderly/",
        "/elderly/?stage=site",
        "/elderly/centres/new/",
        f"/elderly/centres/{centre.pk}/",
        f"/elderly/centres/{centre.pk}/edit/",
        "/elderly/left-behind/",
        "/elderly/left-behind/?overdue=1",
        "/elderly/left-behind/new/",
        f"/elderly/left-behind/{elder.pk}/",
        f"/elderly/left-behind/{elder.pk}/edit/",
    ]:
        assert client.get(url).status_code == 200, url
    page = client.get(f"/elderly/left-behind/{elder.pk}/").content.decode()
    assert elder.person.id_number not in page


def test_a_centre_moves_through_its_stages_from_its_page(browser_client, approver):
    centre = services.centre_create(actor=approver, name="八大峡中心", subdistrict="370202001")
    client = browser_client(approver)
    page = client.get(f"/elderly/centres/{centre.pk}/").content.decode()
    assert f"/elderly/centres/{centre.pk}/step/contract/" in page
    assert "/step/open/" not in page
    client.post(f"/elderly/centres/{centre.pk}/step/contract/", {"operator": "某公司", "on": "", "note": ""})
    centre.refresh_from_db()
    assert centre.status == "operator" and centre.operator == "某公司"
    wrong = client.post(f"/elderly/centres/{centre.pk}/step/open/", {"on": "", "note": ""}, follow=True)
    assert wrong.status_code == 200
    centre.refresh_from_db()
    assert centre.status == "operator"


def test_a_caseworker_sees_no_centre_buttons(browser_client, caseworker, approver):
    centre = services.centre_create(actor=approver, name="八大峡中心", subdistrict="370202001")
    client = browser_client(caseworker)
    page = client.get(f"/elderly/centres/{centre.pk}/").content.decode()
    assert "/step/" not in page and "/edit/" not in page
    assert "/elderly/centres/new/" not in client.get("/elderly/").content.decode()
    assert client.get("/elderly/centres/new/").status_code == 403


def test_a_visit_and_a_registration_from_the_pages(browser_client, caseworker, make_elderly_person):
    person = make_elderly_person()
    client = browser_client(caseworker)
    response = client.post("/elderly/left-behind/new/", {"id_number": person.id_number, "risk": "high"})
    assert response.status_code == 302
    elder = person.left_behind_entries.get()
    client.post(
        f"/elderly/left-behind/{elder.pk}/visits/",
        {"visited_on": "2020-06-01", "visitor": "李社工", "visitor_role": "social_worker", "findings": "好"},
    )
    assert elder.visits.count() == 1
    unknown = client.post("/elderly/left-behind/new/", {"id_number": "370202194805019999", "risk": "high"})
    assert unknown.status_code == 200 and unknown.context["form"].errors


def test_the_lists_export_to_excel(browser_client, approver, make_elderly_person):
    services.centre_create(actor=approver, name="八大峡中心", subdistrict="370202001")
    services.elder_register(actor=approver, person=make_elderly_person())
    client = browser_client(approver)
    for url in ["/elderly/?export=xlsx", "/elderly/left-behind/?export=xlsx"]:
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")

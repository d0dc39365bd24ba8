from __future__ import annotations

import datetime

import pytest

from charity import services

pytestmark = pytest.mark.django_db


def test_the_charity_pages_render_and_record(browser_client, officer, make_org, caseworker):
    org = make_org()
    donation = services.donation_record(
        actor=officer,
        donor="王五",
        donor_phone="13912345678",
        recipient_org=org,
        kind="money",
        amount="800",
        custodian="某会",
        received_on=datetime.date(2020, 3, 1),
    )
    client = browser_client(officer)
    for url in [
        "/charity/",
        "/charity/new/",
        f"/charity/{donation.pk}/",
        "/charity/disclosure/",
        "/charity/?export=xlsx",
    ]:
        assert client.get(url).status_code == 200, url
    assert "13912345678" not in client.get(f"/charity/{donation.pk}/").content.decode()
    client.post(f"/charity/{donation.pk}/uses/", {"used_on": "2020-03-02", "purpose": "慰问", "amount": "900"})
    assert not donation.uses.exists()
    client.post(f"/charity/{donation.pk}/uses/", {"used_on": "2020-03-02", "purpose": "慰问", "amount": "800"})
    assert donation.uses.count() == 1
    page = client.get(f"/charity/{donation.pk}/").content.decode()
    assert f"/charity/{donation.pk}/uses/" not in page  # used in full: no form offered
    created = client.post(
        "/charity/new/",
        {
            "donor": "赵七",
            "donor_type": "person",
            "recipient_org": org.pk,
            "kind": "goods",
            "items": "大米",
            "quantity": 20,
            "unit": "袋",
            "custodian": "某会",
            "received_on": "2020-03-05",
        },
    )
    assert created.status_code == 302
    other = browser_client(caseworker)
    assert other.get("/charity/").status_code == 403
    assert other.get("/charity/disclosure/").status_code == 200


def test_the_volunteer_page(browser_client, make_staff):
    assert browser_client(make_staff("leader", "370200")).get("/charity/volunteers/").status_code == 200

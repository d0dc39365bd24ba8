"""Donations, their uses (never more than given), the public disclosure."""

from __future__ import annotations

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection

from charity import services
from charity.models import Donation, DonationUse
from core.errors import Conflict
from core.models import User

pytestmark = pytest.mark.django_db

URL = "/api/v1/donations/"


def _money(api, org, amount="10000.00", **extra):
    body = {
        "donor": "青岛某某集团",
        "recipient_org": org.pk,
        "kind": "money",
        "amount": amount,
        "custodian": "市南区慈善总会",
        "received_on": "2020-02-10",
        **extra,
    }
    return api.post(URL, body, format="json")


def test_a_money_donation_is_recorded_and_used_up_to_what_was_given(api_for, officer, make_org):
    api = api_for(officer)
    org = make_org()
    created = _money(api, org, purpose="疫情防控")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["amount"] == "10000.00" and body["recipient_org"] == org.pk and body["division"] == "370202"
    first = api.post(
        f"{URL}{body['id']}/uses/", {"used_on": "2020-02-15", "purpose": "购买口罩", "amount": "6000.00"}, format="json"
    )
    assert first.status_code == 201, first.json()
    assert first.json()["amount"] == "6000.00"
    over = api.post(
        f"{URL}{body['id']}/uses/",
        {"used_on": "2020-02-16", "purpose": "购买消毒液", "amount": "4000.01"},
        format="json",
    )
    assert over.status_code == 409
    assert over.json()["code"] == "exceeds_donation"
    rest = api.post(
        f"{URL}{body['id']}/uses/",
        {"used_on": "2020-02-16", "purpose": "购买消毒液", "amount": "4000.00"},
        format="json",
    )
    assert rest.status_code == 201
    detail = api.get(f"{URL}{body['id']}/").json()
    assert detail["used_amount"] == "10000.00" and detail["remaining_amount"] == "0.00"
    full = api.post(
        f"{URL}{body['id']}/uses/", {"used_on": "2020-02-17", "purpose": "再用", "amount": "1.00"}, format="json"
    )
    assert full.status_code == 409
    assert DonationUse.objects.filter(donation_id=body["id"]).count() == 2
    assert api.get(f"{URL}{body['id']}/uses/").json()["count"] == 2
    assert api.get(f"{URL}{body['id']}/history/").json()["count"] >= 1


def test_goods_are_counted_against_their_quantity(api_for, officer, make_org):
    api = api_for(officer)
    created = api.post(
        URL,
        {
            "donor": "张三",
            "recipient_org": make_org().pk,
            "kind": "goods",
            "items": "医用口罩",
            "quantity": 1000,
            "unit": "只",
            "custodian": "区慈善总会",
            "received_on": "2020-02-01",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    ok = api.post(f"{URL}{pk}/uses/", {"used_on": "2020-02-02", "purpose": "发放社区", "quantity": 800}, format="json")
    assert ok.status_code == 201
    over = api.post(
        f"{URL}{pk}/uses/", {"used_on": "2020-02-03", "purpose": "发放社区", "quantity": 201}, format="json"
    )
    assert over.status_code == 409 and over.json()["code"] == "exceeds_donation"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"kind": "money", "amount": None}, "amount"),
        ({"kind": "money", "amount": "-5"}, "amount"),
        ({"kind": "goods", "amount": None, "items": ""}, "items"),
        ({"received_on": "2999-01-01"}, "received_on"),
        ({"custodian": ""}, "custodian"),
    ],
)
def test_bad_donations_are_400_naming_the_field(api_for, officer, make_org, payload, field):
    body = {
        "donor": "某人",
        "recipient_org": make_org().pk,
        "kind": "money",
        "amount": "100.00",
        "custodian": "某会",
        "received_on": "2020-02-10",
        **payload,
    }
    response = api_for(officer).post(URL, body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Donation.objects.exists()


def test_a_deregistered_organization_receives_nothing(api_for, officer, make_org):
    response = _money(api_for(officer), make_org(status="deregistered"))
    assert response.status_code == 409
    assert response.json()["code"] == "org_not_registered"


def test_a_use_before_the_donation_was_received_is_400(api_for, officer, make_org):
    api = api_for(officer)
    pk = _money(api, make_org()).json()["id"]
    response = api.post(
        f"{URL}{pk}/uses/", {"used_on": "2020-01-01", "purpose": "早于受赠", "amount": "1.00"}, format="json"
    )
    assert response.status_code == 400 and "used_on" in response.json()


def test_roles_and_geography(api_for, officer, make_org, make_staff, caseworker):
    org = make_org()
    donation = services.donation_record(
        actor=officer,
        donor="李四",
        recipient_org=org,
        kind="money",
        amount="500",
        custodian="某会",
        received_on=datetime.date(2020, 3, 1),
    )
    assert api_for(caseworker).get(f"{URL}{donation.pk}/").status_code == 403
    reader = api_for(make_staff("district_approver", "370202"))
    assert reader.get(f"{URL}{donation.pk}/").status_code == 200
    refused = reader.post(
        f"{URL}{donation.pk}/uses/", {"used_on": "2020-03-02", "purpose": "x", "amount": "1"}, format="json"
    )
    assert refused.status_code == 403
    other = api_for(make_staff("socialorg_officer", "370203"))
    assert other.get(f"{URL}{donation.pk}/").status_code == 404
    assert (
        other.post(
            f"{URL}{donation.pk}/uses/", {"used_on": "2020-03-02", "purpose": "x", "amount": "1"}, format="json"
        ).status_code
        == 404
    )
    outside = _money(other, org)
    assert outside.status_code == 400 and "recipient_org" in outside.json()
    assert not DonationUse.objects.exists()


def test_the_disclosure_lists_donations_and_uses_without_personal_numbers(api_for, officer, make_org, caseworker):
    org = make_org()
    named = services.donation_record(
        actor=officer,
        donor="王五",
        donor_phone="13912345678",
        recipient_org=org,
        kind="money",
        amount="800",
        custodian="某会",
        received_on=datetime.date(2020, 3, 1),
    )
    services.use_record(
        actor=officer,
        donation=named,
        used_on=datetime.date(2020, 3, 2),
        purpose="慰问困难老人",
        amount="300",
        beneficiary="赵六 370202194801011234",
    )
    services.donation_record(
        actor=officer,
        donor="不愿具名者",
        anonymous=True,
        recipient_org=org,
        kind="goods",
        items="大米",
        quantity=50,
        unit="袋",
        custodian="某会",
        received_on=datetime.date(2020, 3, 3),
    )
    response = api_for(caseworker).get(f"{URL}disclosure/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "13912345678" not in text and "370202194801011234" not in text and "赵六" not in text
    assert "不愿具名者" not in text
    rows = {r["donor"]: r for r in response.json()["results"]}
    assert rows["王五"]["uses"] == [
        {"used_on": "2020-03-02", "purpose": "慰问困难老人", "amount": "300.00", "quantity": None}
    ]
    assert rows["王五"]["recipient_org"] == org.name
    assert len(rows) == 2


@pytest.mark.django_db(transaction=True)
def test_uses_racing_for_the_same_donation_never_exceed_it(make_staff, make_org):
    officer = make_staff("socialorg_officer", "370200")
    donation = services.donation_record(
        actor=officer,
        donor="某集团",
        recipient_org=make_org(),
        kind="money",
        amount="10000",
        custodian="某会",
        received_on=datetime.date(2020, 2, 1),
    )
    threads_n = 12
    barrier = threading.Barrier(threads_n)
    done, refused, errors = [], [], []
    lock = threading.Lock()

    def use() -> None:
        try:
            actor = User.objects.get(pk=officer.pk)
            barrier.wait(timeout=30)
            services.use_record(
                actor=actor,
                donation=donation.pk,
                used_on=datetime.date(2020, 2, 2),
                purpose="并发拨付",
                amount="1000.00",
            )
        except Conflict as exc:
            with lock:
                refused.append(exc.code)
        except Exception as exc:  # noqa: BLE001 - any other failure fails the test below
            with lock:
                errors.append(repr(exc))
        else:
            with lock:
                done.append(1)
        finally:
            connection.close()

    threads = [threading.Thread(target=use) for _ in range(threads_n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert len(done) == 10 and refused == ["exceeds_donation"] * 2
    donation.refresh_from_db()
    assert donation.used_amount == Decimal("10000.00")
    assert sum(u.amount for u in DonationUse.objects.filter(donation=donation)) == Decimal("10000.00")


def test_the_database_refuses_a_total_above_the_donation(officer, make_org):
    from django.db import IntegrityError, transaction

    donation = services.donation_record(
        actor=officer,
        donor="某",
        recipient_org=make_org(),
        kind="money",
        amount="100",
        custodian="某会",
        received_on=datetime.date(2020, 2, 1),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Donation.objects.filter(pk=donation.pk).update(used_amount=Decimal("100.01"))

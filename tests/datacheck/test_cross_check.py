"""Cross-checks: a death register ends exactly the affected benefits once confirmed, and nothing before;
a run is idempotent; the items go to the beneficiary's sub-district."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.test import Client

from core.cases import CaseEvent, CaseStatus, add_months, local_today, month_start
from datacheck import services
from datacheck.models import ReviewItem
from relief import services as relief_services
from relief.models import DibaoCase, TekunCase
from relief.selectors import payable_in
from tests.conftest import OTHER_SUBDISTRICT_COMMUNITY, OWN_SUBDISTRICT, api_client_for
from tests.datacheck.conftest import load_extract, make_person, run_cross_check
from tests.factories import StaffFactory, review_through_notice
from welfare import services as welfare_services
from welfare.models import DisabilitySubsidyCase

pytestmark = pytest.mark.django_db


def _approved_subsidy(actors, person, kind: str, grade: int = 2):
    case = welfare_services.disability_subsidy_create(
        actor=actors.caseworker, person=person, kind=kind, certificate_number=f"{person.id_number}4{grade}"
    )
    welfare_services.disability_subsidy_review(actor=actors.reviewer, case=case)
    return welfare_services.disability_subsidy_approve(actor=actors.approver, case=case)


def _approved_tekun(actors, person):
    case = relief_services.tekun_case_create(
        actor=actors.caseworker, person=person, care_level="full", placement="home"
    )
    review_through_notice(case, reviewer=actors.reviewer)
    return relief_services.tekun_case_approve(actor=actors.approver, case=case)


@pytest.fixture
def world(actors, dibao_household, admin_user):
    """A dibao household of 3 whose second member holds both disability subsidies; a tekun person; a bystander."""
    members = list(dibao_household.members.select_related("person").order_by("id"))
    disabled = members[1].person
    living = _approved_subsidy(actors, disabled, "living")
    nursing = _approved_subsidy(actors, disabled, "nursing")
    tekun_person = make_person(community="370202001002")
    tekun = _approved_tekun(actors, tekun_person)
    bystander = make_person()
    return {
        "household": dibao_household,
        "dibao": dibao_household.dibao_case,
        "disabled": disabled,
        "living": living,
        "nursing": nursing,
        "tekun_person": tekun_person,
        "tekun": tekun,
        "bystander": bystander,
        "others": [m.person for m in members if m.person != disabled],
    }


def _statuses(world) -> dict:
    return {
        "dibao": DibaoCase.objects.get(pk=world["dibao"].pk).status,
        "living": DisabilitySubsidyCase.objects.get(pk=world["living"].pk).status,
        "nursing": DisabilitySubsidyCase.objects.get(pk=world["nursing"].pk).status,
        "tekun": TekunCase.objects.get(pk=world["tekun"].pk).status,
    }


ALL_ACTIVE = {"dibao": "active", "living": "active", "nursing": "active", "tekun": "active"}


def test_a_death_extract_ends_exactly_the_affected_benefits_after_confirmation_and_nothing_before(
    world, death_source, admin_user, caseworker
):
    died = local_today()
    load_extract(
        admin_user,
        death_source,
        [
            (world["disabled"].id_number, died.isoformat()),
            (world["tekun_person"].id_number, died.isoformat()),
            (world["bystander"].id_number, died.isoformat()),  # receives nothing: no item
        ],
    )
    run = run_cross_check(admin_user)
    assert run.status == "done" and run.items_created == 2

    # Found, and nothing changed yet: no death recorded, every benefit still active.
    assert _statuses(world) == ALL_ACTIVE
    world["disabled"].refresh_from_db()
    assert world["disabled"].death_date is None
    item = ReviewItem.objects.get(person=world["disabled"])
    assert item.status == "open" and item.division_id == OWN_SUBDISTRICT
    assert sorted(b["benefit"] for b in item.benefits) == ["dibao", "disability_living", "disability_nursing"]
    assert not ReviewItem.objects.filter(person=world["bystander"]).exists()

    response = api_client_for(caseworker).post(
        f"/api/v1/review-items/{item.pk}/confirm/", {"note": "已电话核实"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "confirmed"

    stops = add_months(month_start(died), 1)
    world["disabled"].refresh_from_db()
    assert world["disabled"].death_date == died
    # The deceased's own benefits end from the month after the death …
    for key in ("living", "nursing"):
        case = DisabilitySubsidyCase.objects.get(pk=world[key].pk)
        assert case.status == CaseStatus.TERMINATED and case.end_month == stops
        # … so no payout run from that month on pays them (the rule the payout engine selects by).
        assert not DisabilitySubsidyCase.objects.filter(payable_in(stops), pk=case.pk).exists()
    # … the household's dibao goes on for the two living members, its review due now …
    dibao = DibaoCase.objects.get(pk=world["dibao"].pk)
    assert dibao.status == CaseStatus.ACTIVE and dibao.next_review_on == died
    # … and the tekun person, whose item is still open, is untouched.
    assert TekunCase.objects.get(pk=world["tekun"].pk).status == CaseStatus.ACTIVE
    assert ReviewItem.objects.get(person=world["tekun_person"]).status == "open"
    # The reason on the cases' timelines names the review item.
    notes = CaseEvent.objects.filter(case_id=world["living"].pk, action="lapse").values_list("note", flat=True)
    assert any(f"{item.pk}" in note for note in notes)


def test_confirming_a_vehicle_hit_suspends_the_benefits_through_their_services(
    world, vehicle_source, admin_user, district_approver, caseworker
):
    load_extract(
        admin_user, vehicle_source, [(world["tekun_person"].id_number, "鲁B12345")], header=("id_number", "detail")
    )
    run_cross_check(admin_user)
    item = ReviewItem.objects.get(person=world["tekun_person"])
    assert item.detail == "鲁B12345" and item.benefits == [{"benefit": "tekun", "case": world["tekun"].pk}]

    # A caseworker may not suspend tekun: the relief service refuses, and nothing changes.
    refused = api_client_for(caseworker).post(f"/api/v1/review-items/{item.pk}/confirm/", {}, format="json")
    assert refused.status_code == 403
    assert ReviewItem.objects.get(pk=item.pk).status == "open"
    assert TekunCase.objects.get(pk=world["tekun"].pk).status == CaseStatus.ACTIVE

    done = api_client_for(district_approver).post(
        f"/api/v1/review-items/{item.pk}/confirm/", {"note": "名下有车", "outcome": "suspend"}, format="json"
    )
    assert done.status_code == 200, done.content
    assert TekunCase.objects.get(pk=world["tekun"].pk).status == CaseStatus.SUSPENDED
    assert _statuses(world) == {**ALL_ACTIVE, "tekun": "suspended"}


def test_a_second_run_with_the_same_extract_adds_no_items(world, death_source, admin_user, caseworker):
    load_extract(admin_user, death_source, [(world["disabled"].id_number, "2020-01-05")])
    first = run_cross_check(admin_user)
    second = run_cross_check(admin_user)
    assert (first.items_created, second.items_created) == (1, 0)
    assert ReviewItem.objects.count() == 1
    # The same extract checked again even after the item was dismissed: still no second item.
    services.review_item_dismiss(actor=caseworker, item=ReviewItem.objects.get(), note="同名不同人")
    assert run_cross_check(admin_user).items_created == 0
    assert ReviewItem.objects.count() == 1


def test_a_fresher_extract_listing_a_person_with_an_open_item_adds_no_duplicate(world, death_source, admin_user):
    load_extract(admin_user, death_source, [(world["disabled"].id_number, "2020-01-05")])
    run_cross_check(admin_user)
    load_extract(admin_user, death_source, [(world["disabled"].id_number, "2020-01-05")])
    assert run_cross_check(admin_user).items_created == 0
    assert ReviewItem.objects.count() == 1


def test_items_go_to_the_beneficiarys_subdistrict(actors, admin_user, death_source):
    person = make_person(community=OTHER_SUBDISTRICT_COMMUNITY)
    other = OTHER_SUBDISTRICT_COMMUNITY[:9]
    other_actors = SimpleNamespace(
        caseworker=StaffFactory(role="caseworker", division_id=other),
        reviewer=StaffFactory(role="subdistrict_approver", division_id=other),
        approver=actors.approver,  # the same district
    )
    _approved_tekun(other_actors, person)
    load_extract(admin_user, death_source, [(person.id_number, "2020-02-02")])
    run_cross_check(admin_user)
    assert ReviewItem.objects.get().division_id == OTHER_SUBDISTRICT_COMMUNITY[:9]


def test_a_failed_statement_marks_the_run_failed(admin_user, death_source, monkeypatch):
    from datacheck import engine

    def boom(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(engine, "count_beneficiaries", boom)
    run = run_cross_check(admin_user)
    assert run.status == "failed" and "boom" in run.error


def test_the_monthly_schedule_starts_a_run_under_the_system_account(db, divisions):
    from django.conf import settings

    from datacheck.tasks import monthly_cross_check

    assert settings.CELERY_BEAT_SCHEDULE["datacheck: monthly cross-check"]["task"] == "datacheck.monthly_cross_check"
    run_id = monthly_cross_check()
    from datacheck.models import CrossCheckRun

    run = CrossCheckRun.objects.get(pk=run_id)
    assert run.started_by.username == "system" and run.status == "queued"
    assert monthly_cross_check() is None  # one at a time


def test_a_hit_dismissed_on_the_same_evidence_does_not_come_back_next_month(
    world, vehicle_source, admin_user, caseworker
):
    number = world["tekun_person"].id_number
    load_extract(admin_user, vehicle_source, [(number, "鲁B12345")], header=("id_number", "detail"))
    run_cross_check(admin_user)
    services.review_item_dismiss(actor=caseworker, item=ReviewItem.objects.get(), note="车辆已于2019年转让")
    # Next month's register lists the same car: nothing new to review.
    load_extract(admin_user, vehicle_source, [(number, "鲁B12345")], header=("id_number", "detail"))
    assert run_cross_check(admin_user).items_created == 0
    # A different car is new evidence: a new item.
    load_extract(admin_user, vehicle_source, [(number, "鲁B99999")], header=("id_number", "detail"))
    assert run_cross_check(admin_user).items_created == 1
    assert list(ReviewItem.objects.order_by("id").values_list("status", "detail")) == [
        ("dismissed", "鲁B12345"),
        ("open", "鲁B99999"),
    ]


def test_a_source_left_out_is_not_checked(world, death_source, admin_user, client, caseworker):
    load_extract(admin_user, death_source, [(world["disabled"].id_number, "2020-01-05")])
    client.force_login(caseworker)
    assert client.post(f"/datacheck/sources/{death_source.pk}/active/", {"active": "0"}).status_code == 403
    client.force_login(admin_user)
    assert client.post(f"/datacheck/sources/{death_source.pk}/active/", {"active": "0"}).status_code == 302
    run = run_cross_check(admin_user)
    assert (run.sources_total, run.items_created) == (0, 0)
    client.post(f"/datacheck/sources/{death_source.pk}/active/", {"active": "1"})
    assert run_cross_check(admin_user).items_created == 1


def test_a_runs_count_of_new_review_items_is_the_users_own_geographys(world, death_source, admin_user, make_staff):
    died = local_today().isoformat()
    load_extract(
        admin_user, death_source, [(world["disabled"].id_number, died), (world["tekun_person"].id_number, died)]
    )
    run = run_cross_check(admin_user)
    assert run.items_created == 2
    own = make_staff("caseworker", OWN_SUBDISTRICT)
    other = make_staff("caseworker", OTHER_SUBDISTRICT_COMMUNITY[:9])
    for user, expected in ((admin_user, 2), (own, 2), (other, 0)):
        client = api_client_for(user)
        assert client.get(f"/api/v1/cross-check-runs/{run.pk}/").json()["items_created"] == expected
        assert client.get("/api/v1/cross-check-runs/").json()["results"][0]["items_created"] == expected
    page = Client()
    page.force_login(other)
    body = page.get(f"/datacheck/runs/{run.pk}/").content.decode()
    assert 'data-testid="items-created">0<' in body

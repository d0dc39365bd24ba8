from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from marriage.models import MarriageParty, Registration, RegistrationTransition

pytestmark = pytest.mark.django_db

URL = "/api/v1/marriage-registrations/"


def marry(api, a, b, *, office="370202", on: datetime.date | None = None, **extra):
    body = {"kind": "marriage", "party_a": a.pk, "party_b": b.pk, "office": office, **extra}
    if on:
        body["applied_on"] = on.isoformat()
    return api.post(URL, body, format="json")


def divorce(api, a, b, *, office="370202", on: datetime.date | None = None):
    body = {"kind": "divorce", "party_a": a.pk, "party_b": b.pk, "office": office}
    if on:
        body["applied_on"] = on.isoformat()
    return api.post(URL, body, format="json")


def test_a_registrar_registers_a_marriage_with_a_certificate_number_of_office_and_year(registrar_api, couple):
    a, b = couple()
    response = marry(registrar_api, a, b, on=datetime.date(2020, 8, 3))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "registered"
    assert body["kind"] == "marriage"
    assert body["registered_on"] == "2020-08-03"
    assert body["certificate_number"] == "J370202-2020-000001"
    assert set(MarriageParty.objects.filter(current=True).values_list("person_id", flat=True)) == {a.pk, b.pk}
    event = RegistrationTransition.objects.get(registration_id=body["id"])
    assert (event.from_status, event.to_status) == ("", "registered")


def test_marital_status_follows_the_register(registrar_api, couple):
    a, b = couple()
    assert registrar_api.get(f"/api/v1/people/{a.pk}/marital-status/").json()["status"] == "unmarried"
    marry(registrar_api, a, b, on=datetime.date(2019, 5, 20), office=a.division_id[:6])
    status = registrar_api.get(f"/api/v1/people/{a.pk}/marital-status/").json()
    assert status["status"] == "married"
    assert status["since"] == "2019-05-20"
    assert status["spouse"] == b.pk
    divorce(registrar_api, a, b, on=datetime.date(2020, 9, 1))
    status = registrar_api.get(f"/api/v1/people/{b.pk}/marital-status/").json()
    assert status["status"] == "divorced"
    assert status["since"] == "2020-09-01"


def test_marital_status_is_widowed_after_the_spouse_dies(registrar_api, couple):
    a, b = couple()
    marry(registrar_api, a, b, on=datetime.date(2015, 5, 20))
    b.death_date = datetime.date(2020, 3, 1)
    b.save()
    status = registrar_api.get(f"/api/v1/people/{a.pk}/marital-status/").json()
    assert (status["status"], status["since"]) == ("widowed", "2020-03-01")


def test_a_widower_may_marry_again(registrar_api, couple, person):
    a, b = couple()
    marry(registrar_api, a, b, on=datetime.date(2015, 5, 20))
    b.death_date = datetime.date(2020, 3, 1)
    b.save()
    c = person(male=False)
    assert marry(registrar_api, a, c, on=datetime.date(2021, 3, 1)).status_code == 201
    first = Registration.objects.get(party_b=b)
    assert (first.ended_on, first.end_reason) == (datetime.date(2020, 3, 1), "death")


def test_marital_status_outside_ones_area_is_not_found(api_for, make_staff, person):
    caseworker = make_staff("caseworker", "370202001")
    elsewhere = person(community="370203001001")
    assert api_for(caseworker).get(f"/api/v1/people/{elsewhere.pk}/marital-status/").status_code == 404
    nearby = person(community="370202001001")
    assert api_for(caseworker).get(f"/api/v1/people/{nearby.pk}/marital-status/").json()["status"] == "unmarried"


def test_an_under_age_man_is_refused_with_under_age(registrar_api, person):
    day = datetime.date(2020, 8, 3)
    man = person(male=True, birth=datetime.date(1998, 8, 4))  # 21 on the day, 22 tomorrow
    woman = person(male=False, birth=datetime.date(1995, 1, 1))
    response = marry(registrar_api, man, woman, on=day)
    assert response.status_code == 409
    assert response.json()["code"] == "under_age"
    assert not Registration.objects.exists()


def test_an_under_age_woman_is_refused_with_under_age(registrar_api, person):
    man = person(male=True, birth=datetime.date(1990, 1, 1))
    woman = person(male=False, birth=datetime.date(2000, 8, 4))  # 19 on 2020-08-03
    response = marry(registrar_api, man, woman, on=datetime.date(2020, 8, 3))
    assert response.status_code == 409
    assert response.json()["code"] == "under_age"


def test_legal_age_is_reached_on_the_birthday(registrar_api, person):
    man = person(male=True, birth=datetime.date(1998, 8, 3))  # exactly 22
    woman = person(male=False, birth=datetime.date(2000, 8, 3))  # exactly 20
    assert marry(registrar_api, man, woman, on=datetime.date(2020, 8, 3)).status_code == 201


def test_someone_already_married_is_refused_with_already_married(registrar_api, couple, person):
    a, b = couple()
    assert marry(registrar_api, a, b, on=datetime.date(2020, 8, 3)).status_code == 201
    c = person(male=False)
    response = marry(registrar_api, a, c)
    assert response.status_code == 409
    assert response.json()["code"] == "already_married"
    assert Registration.objects.count() == 1


def test_an_earlier_marriage_cannot_be_entered_when_one_was_married_then(registrar_api, couple, person):
    a, b = couple()
    marry(registrar_api, a, b, on=datetime.date(2015, 5, 1))
    divorce(registrar_api, a, b, on=datetime.date(2018, 5, 1))
    c = person(male=False)
    response = marry(registrar_api, a, c, on=datetime.date(2016, 1, 1))
    assert response.status_code == 409
    assert response.json()["code"] == "already_married"


def test_a_man_and_a_woman_are_needed(registrar_api, person):
    response = marry(registrar_api, person(male=True), person(male=True), on=datetime.date(2020, 8, 3))
    assert response.status_code == 409
    assert response.json()["code"] == "same_sex"


def test_a_deceased_party_is_refused(registrar_api, couple):
    a, b = couple()
    b.death_date = datetime.date(2020, 1, 1)
    b.save()
    response = marry(registrar_api, a, b, on=datetime.date(2020, 8, 3))
    assert response.status_code == 409
    assert response.json()["code"] == "deceased"


def test_the_same_person_twice_is_a_field_error(registrar_api, person):
    a = person()
    response = marry(registrar_api, a, a)
    assert response.status_code == 400
    assert "party_b" in response.json()


def test_declarations_are_required(registrar_api, couple):
    a, b = couple()
    response = marry(registrar_api, a, b, declarations_signed=False)
    assert response.status_code == 400
    assert "declarations_signed" in response.json()


def test_a_future_date_is_refused(registrar_api, couple):
    a, b = couple()
    response = marry(registrar_api, a, b, on=timezone.localdate() + datetime.timedelta(days=2))
    assert response.status_code == 400
    assert "applied_on" in response.json()


def test_a_caseworker_may_not_register(api_for, make_staff, couple):
    a, b = couple()
    response = marry(api_for(make_staff("caseworker", "370202001")), a, b)
    assert response.status_code == 403
    assert not Registration.objects.exists()


def test_a_district_registrar_registers_at_their_own_office_only(registrar_api, couple):
    a, b = couple()
    response = marry(registrar_api, a, b, office="370203")
    assert response.status_code == 400
    assert "office" in response.json()


def test_a_city_registrar_names_the_office(api_for, make_staff, couple):
    api = api_for(make_staff("registrar", "370200"))
    a, b = couple()
    assert marry(api, a, b, office="").status_code == 400
    response = marry(api, a, b, office="370211", on=datetime.date(2021, 2, 1))
    assert response.status_code == 201
    assert response.json()["certificate_number"] == "J370211-2021-000001"


# --- City-wide handling from 1 July 2020 --------------------------------------------------------


def test_before_1_july_2020_a_non_home_office_is_refused(registrar_api, couple):
    a, b = couple("370203001001", "370211001001")  # 市北区 and 黄岛区; the office is 市南区
    response = marry(registrar_api, a, b, on=datetime.date(2020, 6, 30))
    assert response.status_code == 409
    assert response.json()["code"] == "office_not_competent"


def test_before_1_july_2020_the_office_of_one_partys_district_registers(registrar_api, couple):
    a, b = couple("370203001001", "370202001001")
    assert marry(registrar_api, a, b, on=datetime.date(2020, 6, 30)).status_code == 201


def test_from_1_july_2020_any_office_in_the_city_registers_any_couple(registrar_api, couple):
    a, b = couple("370203001001", "370211001001")
    response = marry(registrar_api, a, b, on=datetime.date(2020, 7, 1))
    assert response.status_code == 201, response.content
    assert response.json()["office"] == "370202"


def test_registrars_find_people_anywhere_in_the_city(registrar_api, couple):
    a, b = couple("370285001001", "370283001001")  # 莱西市, 平度市
    assert marry(registrar_api, a, b).status_code == 201


# --- Divorce and the cooling-off from 1 January 2021 --------------------------------------------


@pytest.fixture
def married(registrar_api, couple):
    a, b = couple()
    marriage = marry(registrar_api, a, b, on=datetime.date(2015, 5, 20)).json()
    return a, b, marriage


def test_a_divorce_applied_for_on_31_december_2020_is_registered_at_once(registrar_api, married):
    a, b, marriage = married
    response = divorce(registrar_api, a, b, on=datetime.date(2020, 12, 31))
    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["registered_on"]) == ("registered", "2020-12-31")
    assert body["certificate_number"] == "L370202-2020-000001"
    assert body["marriage"] == marriage["id"]
    assert registrar_api.get(f"{URL}{marriage['id']}/").json()["ended_on"] == "2020-12-31"


def test_a_divorce_applied_for_on_1_january_2021_starts_a_30_day_cooling_off(registrar_api, married):
    a, b, _m = married
    response = divorce(registrar_api, a, b, on=datetime.date(2021, 1, 1))
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "cooling_off"
    assert body["cooling_off_until"] == "2021-01-31"
    assert body["appear_by"] == "2021-03-02"
    assert body["certificate_number"] is None
    assert registrar_api.get(f"/api/v1/people/{a.pk}/marital-status/").json()["status"] == "married"


def test_the_divorce_is_not_registered_within_the_cooling_off(registrar_api, married):
    a, b, _m = married
    application = divorce(registrar_api, a, b, on=datetime.date(2021, 1, 1)).json()
    response = registrar_api.post(f"{URL}{application['id']}/register/", {"on": "2021-01-31"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "cooling_off"
    assert Registration.objects.get(pk=application["id"]).status == "cooling_off"


def test_the_divorce_is_registered_after_the_cooling_off(registrar_api, married):
    a, b, marriage = married
    application = divorce(registrar_api, a, b, on=datetime.date(2021, 1, 1)).json()
    response = registrar_api.post(f"{URL}{application['id']}/register/", {"on": "2021-02-01"}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["registered_on"]) == ("registered", "2021-02-01")
    assert body["certificate_number"] == "L370202-2021-000001"
    assert registrar_api.get(f"/api/v1/people/{b.pk}/marital-status/").json()["status"] == "divorced"
    assert not MarriageParty.objects.filter(marriage_id=marriage["id"], current=True).exists()


def test_after_the_appearance_window_the_application_has_lapsed(registrar_api, married):
    a, b, _m = married
    application = divorce(registrar_api, a, b, on=datetime.date(2021, 1, 1)).json()
    response = registrar_api.post(f"{URL}{application['id']}/register/", {"on": "2021-03-03"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "application_lapsed"


def test_both_parties_must_appear(registrar_api, married):
    a, b, _m = married
    application = divorce(registrar_api, a, b, on=datetime.date(2021, 1, 1)).json()
    response = registrar_api.post(
        f"{URL}{application['id']}/register/", {"on": "2021-02-01", "both_present": False}, format="json"
    )
    assert response.status_code == 400
    assert "both_present" in response.json()


def test_either_party_may_withdraw_within_the_cooling_off(registrar_api, married):
    a, b, _m = married
    application = divorce(registrar_api, a, b, on=datetime.date(2021, 1, 1)).json()
    response = registrar_api.post(
        f"{URL}{application['id']}/withdraw/", {"party": b.pk, "on": "2021-01-20"}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["withdrawn_by"]) == ("withdrawn", b.pk)
    assert registrar_api.get(f"/api/v1/people/{a.pk}/marital-status/").json()["status"] == "married"
    again = registrar_api.post(f"{URL}{application['id']}/register/", {"on": "2021-02-05"}, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "invalid_transition"


def test_withdrawal_after_the_cooling_off_is_refused(registrar_api, married):
    a, b, _m = married
    application = divorce(registrar_api, a, b, on=datetime.date(2021, 1, 1)).json()
    response = registrar_api.post(
        f"{URL}{application['id']}/withdraw/", {"party": a.pk, "on": "2021-02-01"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "cooling_off_over"


def test_only_a_party_may_withdraw(registrar_api, married, person):
    a, b, _m = married
    application = divorce(registrar_api, a, b, on=datetime.date(2021, 1, 1)).json()
    stranger = person()
    response = registrar_api.post(
        f"{URL}{application['id']}/withdraw/", {"party": stranger.pk, "on": "2021-01-05"}, format="json"
    )
    assert response.status_code == 400
    assert "party" in response.json()


def test_a_second_application_during_cooling_off_is_refused(registrar_api, married):
    a, b, _m = married
    today = timezone.localdate()
    divorce(registrar_api, a, b, on=today - datetime.timedelta(days=10))
    response = divorce(registrar_api, b, a, on=today)
    assert response.status_code == 409
    assert response.json()["code"] == "divorce_pending"


def test_a_new_application_replaces_one_that_has_lapsed(registrar_api, married):
    a, b, _m = married
    old = divorce(registrar_api, a, b, on=datetime.date(2021, 1, 1)).json()
    response = divorce(registrar_api, b, a)
    assert response.status_code == 201
    assert Registration.objects.get(pk=old["id"]).status == "lapsed"


def test_divorce_of_people_not_married_to_each_other_is_refused(registrar_api, married, person):
    a, _b, _m = married
    other = person(male=False)
    response = divorce(registrar_api, a, other)
    assert response.status_code == 409
    assert response.json()["code"] == "not_married_to_each_other"
    assert not Registration.objects.filter(kind="divorce").exists()


def test_divorce_of_two_unmarried_people_is_refused(registrar_api, couple):
    a, b = couple()
    response = divorce(registrar_api, a, b)
    assert response.status_code == 409
    assert response.json()["code"] == "not_married_to_each_other"


def test_after_a_divorce_both_may_marry_again(registrar_api, married, person):
    a, b, _m = married
    divorce(registrar_api, a, b, on=datetime.date(2020, 3, 1))
    assert marry(registrar_api, a, person(male=False), on=datetime.date(2020, 9, 9)).status_code == 201


def test_lapsed_applications_are_marked_by_the_daily_task(registrar_api, married):
    from marriage.tasks import lapse_divorce_applications

    a, b, _m = married
    application = divorce(registrar_api, a, b, on=datetime.date(2021, 1, 1)).json()
    assert lapse_divorce_applications() == 1
    record = Registration.objects.get(pk=application["id"])
    assert record.status == "lapsed"
    assert lapse_divorce_applications() == 0  # safe to run twice


# --- Certificates, reissue, review --------------------------------------------------------------


def test_certificate_numbers_run_per_office_and_year(api_for, make_staff, couple):
    city = api_for(make_staff("registrar", "370200"))
    numbers = []
    for office, day in [
        ("370202", datetime.date(2020, 8, 1)),
        ("370202", datetime.date(2020, 8, 2)),
        ("370203", datetime.date(2020, 8, 2)),
        ("370202", datetime.date(2021, 1, 4)),
    ]:
        a, b = couple()
        numbers.append(marry(city, a, b, office=office, on=day).json()["certificate_number"])
    assert numbers == ["J370202-2020-000001", "J370202-2020-000002", "J370203-2020-000001", "J370202-2021-000001"]


def test_a_lost_certificate_is_reissued_with_its_own_number(registrar_api, married):
    a, _b, marriage = married
    response = registrar_api.post(f"{URL}{marriage['id']}/reissue/", {"party": a.pk}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "reissue"
    assert body["original"] == marriage["id"]
    assert body["certificate_number"].startswith("BJ370202-")


def test_the_certificate_of_an_ended_marriage_is_not_reissued(registrar_api, married):
    a, b, marriage = married
    divorce(registrar_api, a, b, on=datetime.date(2020, 3, 1))
    response = registrar_api.post(f"{URL}{marriage['id']}/reissue/", {"party": a.pk}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "marriage_ended"


def test_quality_review_passes_or_fails_with_a_reason(api_for, make_staff, married):
    _a, _b, marriage = married
    reviewer = api_for(make_staff("registrar", "370200"))
    failed = reviewer.post(f"{URL}{marriage['id']}/review/", {"result": "fail"}, format="json")
    assert failed.status_code == 400
    assert "reason" in failed.json()
    failed = reviewer.post(
        f"{URL}{marriage['id']}/review/", {"result": "fail", "reason": "声明书缺签名"}, format="json"
    )
    assert (failed.json()["review_status"], failed.json()["review_reason"]) == ("failed", "声明书缺签名")
    passed = reviewer.post(f"{URL}{marriage['id']}/review/", {"result": "pass"}, format="json")
    assert passed.json()["review_status"] == "passed"


def test_a_registrar_does_not_review_their_own_record(registrar_api, married):
    _a, _b, marriage = married
    response = registrar_api.post(f"{URL}{marriage['id']}/review/", {"result": "pass"}, format="json")
    assert response.status_code == 403
    assert Registration.objects.get(pk=marriage["id"]).review_status == "pending"


def test_a_leader_sees_the_register_but_may_not_review(api_for, make_staff, married):
    _a, _b, marriage = married
    leader = api_for(make_staff("leader", "370200"))
    assert leader.get(f"{URL}{marriage['id']}/").status_code == 200
    assert leader.post(f"{URL}{marriage['id']}/review/", {"result": "pass"}, format="json").status_code == 403


def test_statistics_count_registrations_per_office_and_month(api_for, make_staff, couple):
    city = api_for(make_staff("registrar", "370200"))
    for office, day in [("370202", "2020-08-01"), ("370202", "2020-08-20"), ("370203", "2020-09-01")]:
        a, b = couple()
        marry(city, a, b, office=office, on=datetime.date.fromisoformat(day))
    a, b = couple()
    marry(city, a, b, office="370202", on=datetime.date(2019, 1, 1))
    divorce(city, a, b, office="370202", on=datetime.date(2020, 8, 5))
    body = city.get(f"{URL}statistics/?from=2020-08&to=2020-09").json()
    rows = {(r["office"], r["month"]): r for r in body["rows"]}
    assert rows[("370202", "2020-08")]["marriages"] == 2
    assert rows[("370202", "2020-08")]["divorces"] == 1
    assert rows[("370203", "2020-09")]["marriages"] == 1
    assert (body["from"], body["to"]) == ("2020-08", "2020-09")


def test_statistics_are_refused_to_a_caseworker(api_for, make_staff):
    assert api_for(make_staff()).get(f"{URL}statistics/").status_code == 403


def test_every_registration_is_in_the_audit_history(registrar, registrar_api, couple):
    from core.audit import history_of

    a, b = couple()
    registration = Registration.objects.get(pk=marry(registrar_api, a, b).json()["id"])
    entries = history_of(registration)
    assert entries
    assert entries[-1].actor_id == registrar.pk


def test_registration_counts_for_reports(registrar, registrar_api, couple):
    from marriage.selectors import registration_counts

    a, b = couple()
    marry(registrar_api, a, b, on=datetime.date(2020, 3, 3))
    divorce(registrar_api, a, b, on=datetime.date(2020, 6, 3))
    counts = registration_counts(
        user=registrar, date_from=datetime.date(2020, 1, 1), date_to=datetime.date(2020, 6, 30)
    )
    assert counts == {"marriages": 1, "divorces": 1}

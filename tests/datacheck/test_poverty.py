"""Poverty-registered households (建档立卡): the office's register through imports/, and the coverage check."""

from __future__ import annotations

import datetime

import pytest

from core import worklist
from datacheck import selectors
from datacheck.models import PovertyHousehold
from relief import services as relief_services
from tests.conftest import OTHER_DISTRICT_COMMUNITY, OTHER_SUBDISTRICT_COMMUNITY, api_client_for
from tests.factories import make_household, make_id_number, review_through_notice
from tests.imports.conftest import csv_bytes, upload

pytestmark = pytest.mark.django_db

HEADINGS = ["户主姓名", "户主身份证号", "村(社区)代码", "家庭人口数", "识别年度", "脱贫状态"]


@pytest.fixture(autouse=True)
def _in_request(settings):
    settings.IMPORT_SYNC_MAX_BYTES = 50 * 1024 * 1024


def _import(api, rows):
    job = upload(api, csv_bytes(rows, HEADINGS), kind="poverty_households", name="poverty.csv")
    assert job.status_code == 202, job.json()
    return api.get(f"/api/v1/imports/{job.json()['id']}/").json()


def _load(actor, rows):
    api = api_client_for(actor)
    report = _import(api, rows)
    assert report["status"] == "previewed", report["errors"]
    assert api.post(f"/api/v1/imports/{report['id']}/commit/").json()["status"] == "committed"
    return report


def _row(household_or_number, *, community="370202001001", members=3, year=2016, lifted="已脱贫", name=None):
    if isinstance(household_or_number, str):
        return [name if name is not None else "王五", household_or_number, community, str(members), str(year), lifted]
    head = household_or_number.head
    return [head.name, head.id_number, household_or_number.community_id, str(members), str(year), lifted]


def test_the_register_is_previewed_committed_and_updated_by_a_second_extract(admin_user):
    api = api_client_for(admin_user)
    number = make_id_number(birth=datetime.date(1960, 3, 3))
    report = _import(api, [_row(number), _row(make_id_number(), community=OTHER_DISTRICT_COMMUNITY, lifted="未脱贫")])
    assert report["status"] == "previewed" and report["to_create"] == 2 and report["errors"] == []
    assert api.post(f"/api/v1/imports/{report['id']}/commit/").json()["status"] == "committed"
    assert PovertyHousehold.objects.get(head_id_number=number).lifted is True
    again = _import(api, [_row(number, members=4, lifted="未脱贫")])
    assert again["to_update"] == 1 and again["to_create"] == 0
    api.post(f"/api/v1/imports/{again['id']}/commit/")
    row = PovertyHousehold.objects.get(head_id_number=number)
    assert (row.members, row.lifted) == (4, False)


def test_bad_rows_reject_the_extract_and_nothing_is_written(admin_user):
    good = make_id_number()
    bad_check = good[:17] + ("0" if good[17] != "0" else "1")
    report = _import(
        api_client_for(admin_user),
        [
            _row(good),
            _row(good),  # the same head twice
            _row(bad_check),
            _row(make_id_number(), community="370202001"),  # a sub-district, not a community
            _row(make_id_number(), members=0),
            _row(make_id_number(), year=2009),
            _row(make_id_number(), lifted="也许"),
            _row(make_id_number(), name=""),
        ],
    )
    assert report["status"] == "rejected"
    assert {(e["row"], e["field"]) for e in report["errors"]} == {
        (3, "head_id_number"),
        (4, "head_id_number"),
        (5, "community"),
        (6, "members"),
        (7, "registered_year"),
        (8, "lifted"),
        (9, "head_name"),
    }
    assert api_client_for(admin_user).post(f"/api/v1/imports/{report['id']}/commit/").status_code == 409
    assert not PovertyHousehold.objects.exists()


def test_a_community_outside_ones_area_is_refused(caseworker):
    report = _import(api_client_for(caseworker), [_row(make_id_number(), community=OTHER_SUBDISTRICT_COMMUNITY)])
    assert report["status"] == "rejected" and report["errors"][0]["field"] == "community"
    own = _import(api_client_for(caseworker), [_row(make_id_number())])
    assert own["status"] == "previewed"


@pytest.fixture
def register(actors, admin_user, dibao_household):
    """Six registered households of the caseworker's community and one elsewhere, each covered or not."""
    tekun_home = make_household(community="370202001001", members=2)
    tekun_member = tekun_home.members.exclude(relationship="head").get().person
    case = relief_services.tekun_case_create(
        actor=actors.caseworker, person=tekun_member, care_level="full", placement="home"
    )
    review_through_notice(case, reviewer=actors.reviewer)
    relief_services.tekun_case_approve(actor=actors.approver, case=case)
    pending = make_household(community="370202001001", members=2)
    relief_services.dibao_case_create(actor=actors.caseworker, household=pending, monthly_income="100.00")
    ended = make_household(community="370202001001", members=1)
    old = relief_services.dibao_case_create(actor=actors.caseworker, household=ended, monthly_income="100.00")
    relief_services.dibao_case_withdraw(actor=actors.caseworker, case=old, note="已外出务工")
    uncovered = make_household(community="370202001001", members=3)
    unknown = make_id_number(birth=datetime.date(1955, 7, 7))
    elsewhere = make_household(community=OTHER_SUBDISTRICT_COMMUNITY, members=1)
    _load(
        admin_user,
        [
            _row(dibao_household),
            _row(tekun_home),
            _row(pending),
            _row(ended),
            _row(uncovered),
            _row(unknown, name="赵六"),
            _row(elsewhere),
        ],
    )
    return {
        "dibao": dibao_household,
        "tekun": tekun_home,
        "pending": pending,
        "ended": ended,
        "uncovered": uncovered,
        "unknown": unknown,
        "elsewhere": elsewhere,
    }


def _by_head(rows):
    return {r.head_id_number: r for r in rows}


def test_the_coverage_check_finds_exactly_the_households_without_dibao_or_tekun(register, caseworker):
    rows = _by_head(selectors.poverty_households(user=caseworker))
    heads = {k: (v if isinstance(v, str) else v.head.id_number) for k, v in register.items()}
    assert set(rows) == {heads[k] for k in heads if k != "elsewhere"}  # the other sub-district's is not ours
    assert selectors.covered_by(rows[heads["dibao"]]) == ["dibao"]
    assert selectors.covered_by(rows[heads["tekun"]]) == ["tekun"]  # a member's tekun covers the household
    not_covered = _by_head(selectors.poverty_households(user=caseworker, covered=False))
    assert set(not_covered) == {heads["pending"], heads["ended"], heads["uncovered"], heads["unknown"]}
    assert not_covered[heads["pending"]].application_pending is True
    assert not_covered[heads["ended"]].application_pending is False  # a withdrawn application covers nothing
    assert not_covered[heads["unknown"]].household_id is None
    assert selectors.poverty_summary(user=caseworker) == {"registered": 6, "covered": 2, "not_covered": 4, "pending": 1}


def test_the_api_lists_those_not_covered_and_refuses_what_it_cannot_read(register, caseworker, make_staff):
    api = api_client_for(caseworker)
    data = api.get("/api/v1/poverty-households/?covered=false").json()
    assert data["count"] == 4
    by_name = {r["head_name"]: r for r in data["results"]}
    unknown = by_name["赵六"]
    assert unknown["in_registry"] is False and unknown["household"] is None and unknown["covered"] is False
    assert unknown["head_id_number_masked"].startswith("370202") and "*" in unknown["head_id_number_masked"]
    assert register["unknown"] not in api.get("/api/v1/poverty-households/").content.decode()  # never the full number
    covered = api.get("/api/v1/poverty-households/?covered=true").json()
    assert sorted(r["covered_by"][0] for r in covered["results"]) == ["dibao", "tekun"]
    assert api.get("/api/v1/poverty-households/?covered=maybe").status_code == 400
    district = api_client_for(make_staff("district_approver", "370202")).get("/api/v1/poverty-households/").json()
    assert district["count"] == 7  # the district sees both sub-districts
    other = api_client_for(make_staff("caseworker", "370203001")).get("/api/v1/poverty-households/").json()
    assert other["count"] == 0  # another district's staff see none of them
    assert api_client_for(make_staff("finance", "370200")).get("/api/v1/poverty-households/").status_code == 403


def test_the_page_shows_the_follow_up_and_only_the_actions_one_may_take(register, caseworker, make_staff, client):
    client.force_login(caseworker)
    page = client.get("/datacheck/poverty/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "赵六" in page and register["unknown"] not in page
    assert f"/relief/dibao/apply/{register['uncovered'].pk}/" in page
    assert f"/relief/dibao/apply/{register['pending'].pk}/" not in page  # already applied
    assert register["dibao"].head.name not in page  # covered: not on the default (not covered) list
    everything = client.get("/datacheck/poverty/?covered=all").content.decode()
    assert register["dibao"].head.name in everything
    client.force_login(make_staff("leader", "370200"))
    read_only = client.get("/datacheck/poverty/").content.decode()
    assert "赵六" in read_only and "/relief/dibao/apply/" not in read_only  # the leader reads, applies nothing
    client.force_login(make_staff("finance", "370200"))
    assert client.get("/datacheck/poverty/").status_code == 403


def test_the_work_queue_counts_the_households_not_covered(register, caseworker, make_staff):
    tasks = {t.kind: t.count for t in worklist.tasks_for(caseworker)}
    assert tasks["poverty_not_covered"] == 4
    assert "poverty_not_covered" not in {t.kind for t in worklist.tasks_for(make_staff("leader", "370200"))}


def test_someone_registered_later_is_matched_without_a_new_extract(admin_user, caseworker):
    person_number = make_id_number(birth=datetime.date(1962, 2, 2))
    _load(admin_user, [_row(person_number)])
    assert selectors.poverty_households(user=caseworker).get().household_id is None
    household = make_household(community="370202001001")
    type(household.head).objects.filter(pk=household.head_id).update(id_number=person_number)
    assert selectors.poverty_households(user=caseworker).get().household_id == household.pk

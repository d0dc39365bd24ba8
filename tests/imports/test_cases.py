"""Existing cases: dibao, tekun, orphans, disability subsidies — the same rules as an application."""

from __future__ import annotations

import datetime

import pytest

from core.cases import CaseEvent
from relief.models import DibaoCase, TekunCase
from tests.conftest import OTHER_DISTRICT, OTHER_DISTRICT_COMMUNITY, OWN_COMMUNITY, OWN_SUBDISTRICT, api_client_for
from tests.factories import PersonFactory, StaffFactory, make_household, make_id_number
from tests.imports.conftest import upload, xlsx
from welfare.models import DisabilityCertificate, DisabilitySubsidyCase, OrphanCase

pytestmark = pytest.mark.django_db

DIBAO = ["公民身份号码", "家庭月收入", "开始发放月份"]
TEKUN = ["公民身份号码", "生活自理能力", "供养方式", "供养机构", "开始发放月份"]
ORPHAN = ["公民身份号码", "养育方式", "监护人", "监护人与儿童关系", "养育机构", "开始发放月份"]
DISABILITY = ["公民身份号码", "残疾人证号", "开始发放月份"]


def district_approver(district: str = "370202"):
    return StaffFactory(role="district_approver", division_id=district)


def preview(api, kind, headings, rows) -> dict:
    response = upload(api, xlsx(rows, headings=headings), kind=kind, name=f"{kind}.xlsx")
    assert response.status_code == 202, response.content
    return api.get(f"/api/v1/imports/{response.json()['id']}/").json()


def run(api, kind, headings, rows, approver=None):
    """Upload (the caseworker), then commit (a district approver: four eyes, issue 22 §1)."""
    job = preview(api, kind, headings, rows)
    if job["status"] == "previewed":
        committed = api_client_for(approver or district_approver()).post(f"/api/v1/imports/{job['id']}/commit/")
        assert committed.status_code == 200, committed.content
        return committed.json()
    return job


def messages(job):
    return {(e["row"], e["field"]): e["message"] for e in job["errors"]}


def test_existing_dibao_cases_become_active_with_their_members_covered(api, caseworker):
    households = [make_household(community=OWN_COMMUNITY, members=3) for _ in range(3)]
    rows = [[h.head.id_number, "600.00", "2020-01"] for h in households]
    approver = district_approver()
    job = run(api, "dibao", DIBAO, rows, approver=approver)
    assert (job["status"], job["to_create"]) == ("committed", 3)
    for household in households:
        case = DibaoCase.objects.get(household=household)
        assert (case.status, str(case.start_month), case.monthly_income, case.members_count) == (
            "active",
            "2020-01-01",
            600,
            3,
        )
        assert case.members.count() == 3
        assert (case.created_by_id, case.approved_by_id, case.approval_level) == (
            caseworker.pk,
            approver.pk,
            "district",
        )
        event = CaseEvent.objects.get(case_id=case.pk, case_type__model="dibaocase")
        assert (event.to_state, event.actor_id) == ("active", approver.pk)
        assert f"导入批次 {job['id']}" in event.note  # the note is written in the importer's language


def test_dibao_rows_are_refused_by_the_rules(api):
    household = make_household(community=OWN_COMMUNITY, members=2)
    child = household.members.exclude(relationship="head").get().person
    outsider = make_household(community=OTHER_DISTRICT_COMMUNITY).head
    open_case = make_household(community=OWN_COMMUNITY)
    DibaoCase.objects.create(household=open_case, monthly_income=0, members_count=1, created_by=open_case.created_by)
    rows = [
        [child.id_number, "100", "2020-01"],  # not a head
        [household.head.id_number, "-5", "2020-01"],  # a negative income
        [outsider.id_number, "100", "2020-01"],  # outside one's area
        [open_case.head.id_number, "100", "2020-01"],  # an open case already
        [make_id_number(), "100", "2020-01"],  # not registered
        [household.head.id_number, "100", "2099-01"],  # twice, and a future month
    ]
    job = run(api, "dibao", DIBAO, rows)
    assert job["status"] == "rejected"
    found = messages(job)
    assert "not the head" in found[(2, "id_number")]
    assert (3, "monthly_income") in found
    assert "outside your area" in found[(4, "id_number")]
    assert "already an open case" in found[(5, "id_number")]
    assert "import the households first" in found[(6, "id_number")]
    assert "line 3" in found[(7, "id_number")] and (7, "start_month") in found
    assert DibaoCase.objects.count() == 1


def test_existing_tekun_cases(api):
    person = make_household(community=OWN_COMMUNITY, area_type="rural").head
    job = run(api, "tekun", TEKUN, [[person.id_number, "部分自理", "分散供养", "", "2019-07"]])
    assert job["status"] == "committed"
    case = TekunCase.objects.get(person=person)
    assert (case.care_level, case.placement, case.area_type, case.status) == ("partial", "home", "rural", "active")
    job = run(api, "tekun", TEKUN, [[person.id_number, "会飞", "分散供养", "", "2019-07"]])
    assert job["status"] == "rejected" and (2, "care_level") in messages(job)


def test_existing_orphan_cases_only_for_children(api):
    child = PersonFactory(
        id_number=make_id_number(birth=datetime.date(2015, 5, 1)),
        birth_date=datetime.date(2015, 5, 1),
        division_id=OWN_COMMUNITY,
    )
    adult = PersonFactory(division_id=OWN_COMMUNITY)
    rows = [
        [child.id_number, "社会散居", "王奶奶", "祖母", "", "2021-03"],
        [adult.id_number, "社会散居", "", "", "", "2021-03"],
    ]
    job = run(api, "orphan", ORPHAN, rows)
    assert job["status"] == "rejected"
    assert "18 or older" in messages(job)[(3, "id_number")]
    job = run(api, "orphan", ORPHAN, rows[:1])
    assert job["status"] == "committed"
    case = OrphanCase.objects.get(person=child)
    assert (case.category, case.guardian_name, case.status) == ("community", "王奶奶", "active")


def test_disability_subsidies_check_the_certificate_grade_and_dibao(api):
    household = make_household(community=OWN_COMMUNITY)
    person = household.head
    rows = [[person.id_number, person.id_number + "13", "2020-01"]]  # grade 3
    job = run(api, "disability_nursing", DISABILITY, rows)
    assert job["status"] == "rejected" and "grades 1 and 2" in messages(job)[(2, "certificate_number")]
    job = run(api, "disability_living", DISABILITY, rows)
    assert job["status"] == "rejected" and "active dibao" in messages(job)[(2, "id_number")]
    other = PersonFactory(division_id=OWN_COMMUNITY)
    job = run(api, "disability_nursing", DISABILITY, [[person.id_number, other.id_number + "11", "2020-01"]])
    assert "does not begin with" in messages(job)[(2, "certificate_number")]

    run(api, "dibao", DIBAO, [[person.id_number, "0", "2020-01"]])
    job = run(api, "disability_living", DISABILITY, rows)
    assert job["status"] == "committed"
    case = DisabilitySubsidyCase.objects.get(person=person, kind="living")
    assert (case.household_id, case.status, case.certificate.grade) == (household.pk, "active", 3)
    assert DisabilityCertificate.objects.get(person=person).number == person.id_number + "13"
    job = run(api, "disability_nursing", DISABILITY, [[person.id_number, person.id_number + "11", "2020-01"]])
    assert "another certificate on record" in messages(job)[(2, "certificate_number")]


def test_case_templates_have_chinese_headings(browser_client, caseworker):
    import io

    from openpyxl import load_workbook

    client = browser_client(caseworker)
    for kind, headings in (("dibao", DIBAO), ("tekun", TEKUN), ("orphan", ORPHAN), ("disability_living", DISABILITY)):
        response = client.get(f"/imports/templates/{kind}.xlsx")
        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
        assert [c.value for c in sheet[1]] == headings


# --- Four eyes: an import of cases in payment is committed by a district approver, not its uploader ---


@pytest.mark.parametrize(
    ("committer", "status"),
    [
        ("uploader", 403),  # the caseworker who uploaded it
        ("subdistrict_approver", 403),  # approves no dibao at the district's level
        ("admin", 403),  # may import households, approves nothing
        ("other_district_approver", 404),  # the file is outside its district
    ],
)
def test_an_import_of_cases_in_payment_is_not_committed_by_its_uploader_or_a_non_approver(
    api, caseworker, committer, status
):
    household = make_household(community=OWN_COMMUNITY, members=2)
    job = preview(api, "dibao", DIBAO, [[household.head.id_number, "600.00", "2020-01"]])
    assert job["status"] == "previewed"
    client = {
        "uploader": api,
        "subdistrict_approver": api_client_for(StaffFactory(role="subdistrict_approver", division_id=OWN_SUBDISTRICT)),
        "admin": api_client_for(StaffFactory(role="admin", division_id="370200")),
        "other_district_approver": api_client_for(district_approver(OTHER_DISTRICT)),
    }[committer]
    response = client.post(f"/api/v1/imports/{job['id']}/commit/")
    assert response.status_code == status, response.content
    assert not DibaoCase.objects.exists()
    assert api.get(f"/api/v1/imports/{job['id']}/").json()["status"] == "previewed"


def test_a_district_approver_who_uploaded_the_file_may_not_commit_it_another_may(api_for):
    household = make_household(community=OWN_COMMUNITY, members=2)
    uploader, other = district_approver(), district_approver()
    job = preview(api_for(uploader), "dibao", DIBAO, [[household.head.id_number, "600.00", "2020-01"]])
    assert api_for(uploader).post(f"/api/v1/imports/{job['id']}/commit/").status_code == 403
    assert not DibaoCase.objects.exists()
    assert api_for(other).post(f"/api/v1/imports/{job['id']}/commit/").status_code == 200
    case = DibaoCase.objects.get()
    assert (case.created_by_id, case.approved_by_id) == (uploader.pk, other.pk)


def test_a_household_import_is_still_committed_by_its_uploader(api):
    from tests.imports.conftest import household_rows

    response = upload(api, xlsx(household_rows(1, members=2)))
    job = api.get(f"/api/v1/imports/{response.json()['id']}/").json()
    assert api.post(f"/api/v1/imports/{job['id']}/commit/").status_code == 200

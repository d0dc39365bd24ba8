"""Kind ``households``: preview equals what is written; any bad row writes nothing and is named."""

from __future__ import annotations

import io
import zipfile

import pytest
from pghistory.models import MiddlewareEvents

from imports.models import ImportJob
from people.models import Household, HouseholdMember, Person
from tests.conftest import OTHER_DISTRICT, OTHER_DISTRICT_COMMUNITY, OWN_COMMUNITY
from tests.factories import PersonFactory, make_household
from tests.imports.conftest import HEADINGS, csv_bytes, household_rows, person_id, upload, xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_request(settings):
    settings.IMPORT_SYNC_MAX_BYTES = 50 * 1024 * 1024  # check and write inside the request (Celery: test_celery.py)


def preview(api, content, **kwargs):
    response = upload(api, content, **kwargs)
    assert response.status_code == 202, response.content
    return api.get(f"/api/v1/imports/{response.json()['id']}/", HTTP_ACCEPT_LANGUAGE="en").json()


def commit(api, job):
    return api.post(f"/api/v1/imports/{job['id']}/commit/", HTTP_ACCEPT_LANGUAGE="en")


def counts():
    return Person.objects.count(), Household.objects.count(), HouseholdMember.objects.count()


def test_the_preview_equals_what_is_written(api, caseworker):
    rows = household_rows(30, members=3)
    job = preview(api, xlsx(rows))
    assert (job["status"], job["rows"], job["to_create"], job["to_update"], job["errors"]) == (
        "previewed",
        90,
        90,
        0,
        [],
    )
    assert job["summary"] == {"households_to_create": 30, "households_to_update": 0}
    assert counts() == (0, 0, 0)  # the preview writes nothing

    response = commit(api, job)
    assert response.status_code == 200
    assert response.json()["status"] == "committed"
    assert counts() == (90, 30, 90)
    for h in range(30):
        household = Household.objects.get(head__id_number=rows[h * 3][0])
        assert household.community_id == OWN_COMMUNITY and household.address == f"测试路{h}号"
        assert household.area_type == "urban"
        assert {m.person.id_number: m.relationship for m in household.members.select_related("person")} == {
            rows[h * 3][0]: "head",
            rows[h * 3 + 1][0]: "spouse",
            rows[h * 3 + 2][0]: "child",
        }
    person = Person.objects.get(id_number=rows[0][0])
    assert (person.name, person.division_id, person.sex, person.created_by_id) == (
        "居民0",
        OWN_COMMUNITY,
        "male",
        caseworker.pk,
    )
    assert str(person.birth_date) == f"{rows[0][0][6:10]}-{rows[0][0][10:12]}-{rows[0][0][12:14]}"


def test_the_same_file_again_updates_and_creates_nothing(api):
    rows = household_rows(5, members=2)
    assert commit(api, preview(api, xlsx(rows))).status_code == 200
    rows[0][1] = "改名"
    rows[0][3] = "新地址1号"
    rows[1][3] = "新地址1号"
    job = preview(api, xlsx(rows))
    assert (job["to_create"], job["to_update"], job["summary"]["households_to_update"]) == (0, 10, 5)
    assert commit(api, job).json()["status"] == "committed"
    assert counts() == (10, 5, 10)
    assert Person.objects.get(id_number=rows[0][0]).name == "改名"
    assert Household.objects.get(head__id_number=rows[0][0]).address == "新地址1号"


def test_a_new_member_joins_an_existing_household(api):
    household = make_household(community=OWN_COMMUNITY)
    head = household.head
    rows = [
        [head.id_number, head.name, OWN_COMMUNITY, "测试路1号", "城镇", "A", "户主"],
        [person_id(5000), "新成员", OWN_COMMUNITY, "测试路1号", "城镇", "A", "子女"],
    ]
    job = preview(api, xlsx(rows))
    assert (job["status"], job["to_create"], job["to_update"]) == ("previewed", 1, 1)
    assert commit(api, job).json()["status"] == "committed"
    assert set(household.members.values_list("person__name", flat=True)) == {head.name, "新成员"}
    assert Household.objects.count() == 1


def test_one_bad_row_among_10000_writes_nothing_and_names_the_row(api):
    rows = household_rows(2500, members=4)
    assert len(rows) == 10_000
    bad = rows[7777][0]
    rows[7777][0] = bad[:17] + ("0" if bad[17] != "0" else "1")  # a wrong check character
    job = preview(api, xlsx(rows))
    assert job["status"] == "rejected"
    assert job["rows"] == 10_000
    assert job["error_count"] == 1
    assert job["errors"] == [{"row": 7779, "field": "id_number", "message": job["errors"][0]["message"]}]
    assert "check character" in job["errors"][0]["message"]
    response = commit(api, job)
    assert response.status_code == 409
    assert counts() == (0, 0, 0)


def test_a_row_that_fails_at_commit_time_writes_nothing(api, make_staff):
    rows = household_rows(20, members=2)
    job = preview(api, xlsx(rows))
    assert job["status"] == "previewed"
    # meanwhile someone registers one of these people in another district
    PersonFactory(id_number=rows[13][0], division_id=OTHER_DISTRICT_COMMUNITY)
    response = commit(api, job)
    assert response.status_code == 409
    body = response.json()
    assert body["status"] == "failed" and body["code"] == "import_failed"
    assert {"row": 15, "field": "id_number"}.items() <= body["errors"][0].items()
    assert counts() == (1, 0, 0)


@pytest.mark.parametrize(
    "change, field, words",
    [
        (lambda r: r.__setitem__(0, "37020219900101123"), "id_number", "18 characters"),
        (lambda r: r.__setitem__(0, "370202199013011234"), "id_number", "does not exist"),
        (lambda r: r.__setitem__(1, ""), "name", "name"),
        (lambda r: r.__setitem__(2, "370202999999"), "community", "Unknown community"),
        (lambda r: r.__setitem__(2, OTHER_DISTRICT_COMMUNITY), "community", "outside your area"),
        (lambda r: r.__setitem__(3, ""), "address", "address"),
        (lambda r: r.__setitem__(4, "海上"), "area_type", "urban"),
        (lambda r: r.__setitem__(5, ""), "household_ref", "household number"),
        (lambda r: r.__setitem__(6, "邻居"), "relationship", "Unknown relationship"),
    ],
)
def test_each_bad_value_is_reported_with_its_line_and_column(api, change, field, words):
    rows = household_rows(3, members=2)
    change(rows[3])
    job = preview(api, xlsx(rows))
    assert job["status"] == "rejected"
    lines = {(e["row"], e["field"]) for e in job["errors"]}
    assert (5, field) in lines
    assert any(words in e["message"] for e in job["errors"] if e["row"] == 5)
    assert counts() == (0, 0, 0)


def test_inconsistent_households_are_reported(api):
    rows = household_rows(4, members=3)
    rows[1][0] = rows[0][0]  # the same person twice
    rows[4][3] = "另一个地址"  # household H1's members disagree on the address
    rows[8][6] = "户主"  # H2 gets a second head
    rows[9][6] = "子女"  # H3 has no head
    job = preview(api, xlsx(rows))
    messages = {(e["row"], e["field"]): e["message"] for e in job["errors"]}
    assert "already on line 2" in messages[(3, "id_number")]
    assert "differs from line 5" in messages[(6, "address")]
    assert "already has its head on line 8" in messages[(10, "relationship")]
    assert "no head" in messages[(11, "relationship")]
    assert counts() == (0, 0, 0)


def test_a_member_of_another_household_is_refused(api):
    other = make_household(community=OWN_COMMUNITY, members=2)
    child = other.members.exclude(relationship="head").get().person
    rows = [
        *household_rows(1, members=1),
        [child.id_number, child.name, OWN_COMMUNITY, "测试路0号", "城镇", "H0", "子女"],
    ]
    job = preview(api, xlsx(rows))
    assert job["status"] == "rejected"
    assert job["errors"][0]["row"] == 3 and "already belongs to another household" in job["errors"][0]["message"]


def test_a_person_or_household_outside_ones_geography_is_refused(api):
    outsider = make_household(community=OTHER_DISTRICT_COMMUNITY).head
    rows = [[outsider.id_number, outsider.name, OWN_COMMUNITY, "测试路1号", "城镇", "X", "户主"]]
    job = preview(api, xlsx(rows))
    assert job["status"] == "rejected"
    assert any("outside your area" in e["message"] for e in job["errors"])
    assert Household.objects.get().community_id == OTHER_DISTRICT_COMMUNITY


def test_a_district_user_may_import_into_any_of_its_communities(api_for, make_staff):
    api = api_for(make_staff("district_approver", OTHER_DISTRICT))
    job = preview(api, xlsx(household_rows(2, community=OTHER_DISTRICT_COMMUNITY)))
    assert job["status"] == "previewed"
    assert commit(api, job).status_code == 200
    assert Household.objects.filter(community_id=OTHER_DISTRICT_COMMUNITY).count() == 2


def test_english_headings_chinese_labels_and_a_gb18030_csv(api):
    rows = household_rows(2, members=2)
    english = ["id_number", "name", "community", "address", "area_type", "household_ref", "relationship"]
    job = preview(api, csv_bytes(rows, headings=english, encoding="gb18030"), name="hh.csv")
    assert (job["status"], job["to_create"]) == ("previewed", 4)
    job = preview(api, csv_bytes(rows, encoding="utf-8-sig"), name="hh.csv")
    assert job["status"] == "previewed"


def test_the_write_is_in_the_audit_history_with_the_importer_and_the_import(api, caseworker):
    job = preview(api, xlsx(household_rows(2, members=2)))
    commit(api, job)
    events = MiddlewareEvents.objects.filter(pgh_obj_model="people.Person", pgh_label="insert")
    assert events.count() == 4
    assert {e.user_id for e in events} == {caseworker.pk}
    assert {e.pgh_context.get("import_id") for e in events} == {job["id"]}
    assert MiddlewareEvents.objects.filter(pgh_obj_model="people.Household").count() == 2


# --- refused at upload: 400, nothing kept -----------------------------------------------------------


def refused(api, content, name="households.xlsx", **kwargs):
    response = upload(api, content, name=name, **kwargs)
    assert response.status_code == 400, response.content
    assert not ImportJob.objects.exists()
    return response.json()


def test_wrong_template_or_columns(api):
    body = refused(api, xlsx([["x", "y"]], headings=["名称", "统一社会信用代码"]))
    assert "公民身份号码" in body["file"][0] and "户编号" in body["file"][0]


def test_an_empty_file_a_headings_only_file_and_a_non_table(api):
    assert "empty" in refused(api, b"")["file"][0]
    assert "no rows" in refused(api, xlsx([]))["file"][0]
    assert refused(api, b"%PDF-1.4 not a table", name="x.pdf")["file"]
    assert refused(api, b"PK\x03\x04 broken")["file"]


def test_a_file_over_the_size_limit(api, settings):
    settings.IMPORT_MAX_BYTES = 1000
    assert "larger than" in refused(api, xlsx(household_rows(50)))["file"][0]


def test_too_many_rows(api, settings):
    settings.IMPORT_MAX_ROWS = 5
    response = upload(api, xlsx(household_rows(3)))
    job = api.get(f"/api/v1/imports/{response.json()['id']}/").json()
    assert job["status"] == "rejected"
    assert "At most 5 rows" in job["errors"][0]["message"]


def test_a_zip_bomb(api):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<a>" + b" " * 60_000_000 + b"</a>")
    assert "zip bomb" in refused(api, buffer.getvalue())["file"][0]
    assert counts() == (0, 0, 0)


def test_an_unknown_kind(api):
    response = upload(api, xlsx(household_rows(1)), kind="marriages")
    assert response.status_code == 400 and "kind" in response.json()


def test_headings_are_the_documented_ones():
    from imports.registry import kind_of

    kind = kind_of("households")
    assert [c.heading for c in kind.columns] == HEADINGS
    assert [c.field for c in kind.columns] == [
        "id_number",
        "name",
        "community",
        "address",
        "area_type",
        "household_ref",
        "relationship",
    ]


def test_the_written_times_come_from_the_applications_clock(api):
    """The server's clock moved on (black-box tests run it under libfaketime), the database's did not."""
    import datetime
    from unittest import mock

    from django.utils import timezone

    job = preview(api, xlsx(household_rows(2, members=2)))
    later = timezone.now() + datetime.timedelta(hours=3)
    with mock.patch.object(timezone, "now", return_value=later):
        assert commit(api, job).status_code == 200
    assert set(Person.objects.values_list("created_at", "updated_at")) == {(later, later)}
    assert set(Household.objects.values_list("created_at", "updated_at")) == {(later, later)}

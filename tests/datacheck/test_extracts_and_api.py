"""Extracts (all or nothing, bad rows named), the API's shapes, scoping and roles, dismissal rules."""

from __future__ import annotations

import datetime

import pytest

from datacheck.models import Extract, ExtractRow, ReviewItem
from tests.conftest import OTHER_DISTRICT, OTHER_SUBDISTRICT, OWN_SUBDISTRICT, api_client_for
from tests.datacheck.conftest import csv_bytes, load_extract, make_person, run_cross_check, upload_via_api
from tests.factories import check_char, review_through_notice

pytestmark = pytest.mark.django_db


def _ids(n: int) -> list[str]:
    """``n`` distinct valid ID numbers (birth dates one day apart)."""
    start = datetime.date(1950, 1, 1)
    out = []
    for i in range(n):
        body = f"370202{start + datetime.timedelta(days=i):%Y%m%d}001"
        out.append(body + check_char(body))
    return out


def _wrong_check(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


# --- Data sources -----------------------------------------------------------------------------


def test_an_administrator_registers_a_source_with_the_contract_fields(admin_user):
    client = api_client_for(admin_user)
    body = {"department": "住房公积金管理中心", "item": "公积金缴存信息", "effect": "review"}
    response = client.post("/api/v1/data-sources/", body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert {k: data[k] for k in body} == body and isinstance(data["id"], int)
    again = client.post("/api/v1/data-sources/", body, format="json")
    assert again.status_code == 409 and again.json()["code"] == "source_exists"
    listed = client.get("/api/v1/data-sources/").json()
    assert listed["count"] == 1 and {"department", "item", "effect"} <= set(listed["results"][0])


def test_a_source_with_an_unknown_effect_is_a_400(admin_user):
    response = api_client_for(admin_user).post(
        "/api/v1/data-sources/", {"department": "a", "item": "b", "effect": "explode"}, format="json"
    )
    assert response.status_code == 400 and "effect" in response.json()


def test_only_an_administrator_registers_sources(caseworker):
    response = api_client_for(caseworker).post(
        "/api/v1/data-sources/", {"department": "a", "item": "b", "effect": "death"}, format="json"
    )
    assert response.status_code == 403
    assert api_client_for(caseworker).get("/api/v1/data-sources/").status_code == 200


# --- Extracts ---------------------------------------------------------------------------------


def test_one_bad_row_among_ten_thousand_writes_nothing_and_names_the_row(admin_user, death_source):
    numbers = _ids(10_000)
    rows = [(n, "2020-03-01") for n in numbers]
    rows[4_999] = (_wrong_check(numbers[4_999]), "2020-03-01")  # the 5,000th data row: line 5,001
    response = upload_via_api(admin_user, death_source.pk, csv_bytes(rows))
    assert response.status_code == 202, response.content
    data = response.json()
    assert data["status"] == "rejected" and data["rows"] == 10_000
    assert len(data["errors"]) == 1
    error = data["errors"][0]
    assert error["row"] == 5_001 and error["field"] == "id_number"
    assert "check character" in error["message"] or "校验" in error["message"]
    assert ExtractRow.objects.count() == 0
    commit = api_client_for(admin_user).post(f"/api/v1/extracts/{data['id']}/commit/")
    assert commit.status_code == 409


def test_a_good_extract_previews_then_commits_every_row(admin_user, death_source):
    numbers = _ids(300)
    response = upload_via_api(admin_user, death_source.pk, csv_bytes([(n, "2020-03-01") for n in numbers]))
    data = response.json()
    assert response.status_code == 202 and data["status"] == "previewed" and data["errors"] == []
    assert set(data) >= {"id", "status", "rows", "errors", "progress"}
    staged = ExtractRow.objects.filter(extract_id=data["id"])
    assert staged.count() == 300 and set(staged.values_list("id_number", flat=True)) == set(numbers)
    committed = api_client_for(admin_user).post(f"/api/v1/extracts/{data['id']}/commit/")
    assert committed.status_code == 200 and committed.json()["status"] == "committed"
    assert api_client_for(admin_user).post(f"/api/v1/extracts/{data['id']}/commit/").status_code == 409


def test_every_bad_row_is_reported_with_its_reason(admin_user, death_source):
    good = _ids(3)
    future = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()  # noqa: DTZ011 - a date far enough
    rows = [
        (good[0], "2020-01-01"),
        ("37020219800101001", "2020-01-01"),  # 17 characters
        (good[0], "2020-01-02"),  # the same person again
        (good[1], ""),  # no date of death
        (good[2], future),
    ]
    data = upload_via_api(admin_user, death_source.pk, csv_bytes(rows)).json()
    assert data["status"] == "rejected"
    assert [(e["row"], e["field"]) for e in data["errors"]] == [
        (3, "id_number"),
        (4, "id_number"),
        (5, "event_date"),
        (6, "event_date"),
    ]
    assert ExtractRow.objects.count() == 0


@pytest.mark.parametrize(
    "content,name",
    [
        (b"", "empty.csv"),
        (b"name,address\n\xe5\xbc\xa0,x\n", "wrong.csv"),
        (b"id_number,event_date\n", "heading-only.csv"),
        (b"id_number,event_date\n", "not-a-table.pdf"),
        (b"PK\x03\x04 not really a zip", "bad.xlsx"),
    ],
)
def test_a_file_that_is_not_an_extract_of_this_source_is_a_400(admin_user, death_source, content, name):
    response = upload_via_api(admin_user, death_source.pk, content, name=name)
    assert response.status_code == 400 and "file" in response.json(), response.content
    assert Extract.objects.count() == 0 and ExtractRow.objects.count() == 0


def test_an_xlsx_extract_with_chinese_headings_is_read(admin_user, death_source):
    import io

    import openpyxl

    number = _ids(1)[0]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["公民身份号码", "死亡日期"])
    sheet.append([number, datetime.datetime(2020, 5, 6)])  # noqa: DTZ001 - a spreadsheet cell has no zone
    buffer = io.BytesIO()
    book.save(buffer)
    data = upload_via_api(admin_user, death_source.pk, buffer.getvalue(), name="死亡.xlsx").json()
    assert data["status"] == "previewed", data
    row = ExtractRow.objects.get(extract_id=data["id"])
    assert (row.line, row.id_number, row.event_date) == (2, number, datetime.date(2020, 5, 6))


def test_only_an_administrator_uploads_extracts(caseworker, death_source):
    response = upload_via_api(caseworker, death_source.pk, csv_bytes([(_ids(1)[0], "2020-01-01")]))
    assert response.status_code == 403
    assert Extract.objects.count() == 0


# --- Runs and review items --------------------------------------------------------------------


@pytest.fixture
def hit(actors, admin_user, death_source):
    """An open review item: a tekun person of the caseworker's sub-district on the death register."""
    from relief import services as relief_services

    person = make_person()
    case = relief_services.tekun_case_create(
        actor=actors.caseworker, person=person, care_level="full", placement="home"
    )
    review_through_notice(case, reviewer=actors.reviewer)
    relief_services.tekun_case_approve(actor=actors.approver, case=case)
    load_extract(admin_user, death_source, [(person.id_number, "2020-06-01")])
    run_cross_check(admin_user)
    return ReviewItem.objects.get(person=person)


def test_starting_a_run_is_a_202_with_id_and_status(admin_user, caseworker):
    response = api_client_for(admin_user).post("/api/v1/cross-check-runs/")
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "queued" and isinstance(response.json()["id"], int)
    assert api_client_for(admin_user).post("/api/v1/cross-check-runs/").status_code == 409  # one at a time
    assert api_client_for(caseworker).post("/api/v1/cross-check-runs/").status_code == 403
    detail = api_client_for(caseworker).get(f"/api/v1/cross-check-runs/{response.json()['id']}/")
    assert detail.status_code == 200 and detail.json()["progress"] == 0


def test_the_review_queue_has_the_contract_fields_and_masks_the_id_number(hit, caseworker):
    response = api_client_for(caseworker).get("/api/v1/review-items/?status=open")
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 1
    item = data["results"][0]
    assert {"id", "person", "source", "benefits", "status"} <= set(item)
    assert item["person"] == hit.person_id and item["source"] == hit.source_id and item["status"] == "open"
    assert item["benefits"][0]["benefit"] == "tekun"
    assert hit.person.id_number not in response.content.decode()
    assert "*" in item["id_number_masked"]
    assert api_client_for(caseworker).get("/api/v1/review-items/?status=confirmed").json()["count"] == 0


def test_a_review_item_outside_ones_geography_is_a_404(hit, make_staff):
    for division in (OTHER_SUBDISTRICT, OTHER_DISTRICT):
        outsider = make_staff("subdistrict_approver" if len(division) == 9 else "district_approver", division)
        client = api_client_for(outsider)
        assert client.get(f"/api/v1/review-items/{hit.pk}/").status_code == 404
        assert client.post(f"/api/v1/review-items/{hit.pk}/dismiss/", {"note": "x"}, format="json").status_code == 404
        assert client.post(f"/api/v1/review-items/{hit.pk}/confirm/", {}, format="json").status_code == 404
        assert client.get("/api/v1/review-items/").json()["count"] == 0
    assert ReviewItem.objects.get(pk=hit.pk).status == "open"


def test_a_role_without_review_power_is_a_403(hit, make_staff):
    leader = make_staff("leader", "370200")
    client = api_client_for(leader)
    assert client.get(f"/api/v1/review-items/{hit.pk}/").status_code == 200  # leadership reads
    assert client.post(f"/api/v1/review-items/{hit.pk}/dismiss/", {"note": "x"}, format="json").status_code == 403
    admin = make_staff("admin", "370200")
    assert api_client_for(admin).get(f"/api/v1/review-items/{hit.pk}/").status_code == 403
    assert ReviewItem.objects.get(pk=hit.pk).status == "open"


def test_dismissing_needs_a_reason(hit, caseworker):
    client = api_client_for(caseworker)
    refused = client.post(f"/api/v1/review-items/{hit.pk}/dismiss/", {"note": "  "}, format="json")
    assert refused.status_code == 400 and "note" in refused.json()
    assert ReviewItem.objects.get(pk=hit.pk).status == "open"
    done = client.post(f"/api/v1/review-items/{hit.pk}/dismiss/", {"note": "同名不同人，已核对户籍"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "dismissed"
    assert done.json()["note"] == "同名不同人，已核对户籍"
    again = client.post(f"/api/v1/review-items/{hit.pk}/confirm/", {}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"


def test_pages_show_the_queue_the_evidence_and_the_subdistricts(hit, caseworker, client):
    client.force_login(caseworker)
    queue = client.get("/datacheck/review/")
    assert queue.status_code == 200 and hit.person.name in queue.content.decode()
    assert hit.person.id_number not in queue.content.decode()
    detail = client.get(f"/datacheck/review/{hit.pk}/")
    assert detail.status_code == 200 and 'data-testid="confirm-form"' in detail.content.decode()
    refused = client.post(f"/datacheck/review/{hit.pk}/dismiss/", {"note": ""})
    assert refused.status_code == 400
    done = client.post(f"/datacheck/review/{hit.pk}/dismiss/", {"note": "已核实为同名"})
    assert done.status_code == 302
    summary = client.get("/datacheck/subdistricts/")
    assert summary.status_code == 200
    rows = summary.context["rows"]
    assert [(r["division_id"], r["open"], r["dismissed"]) for r in rows] == [(OWN_SUBDISTRICT, 0, 1)]


def test_pages_refuse_other_geographies_and_roles(hit, make_staff, client):
    client.force_login(make_staff("caseworker", OTHER_SUBDISTRICT))
    assert client.get(f"/datacheck/review/{hit.pk}/").status_code == 404
    client.force_login(make_staff("leader", "370200"))
    assert client.post(f"/datacheck/review/{hit.pk}/dismiss/", {"note": "x"}).status_code == 403
    client.force_login(make_staff("finance", "370200"))
    assert client.get("/datacheck/review/").status_code == 403


def test_the_admin_uploads_and_commits_through_the_pages(admin_user, death_source, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(admin_user)
    bad = client.post(
        f"/datacheck/sources/{death_source.pk}/",
        {"file": SimpleUploadedFile("d.csv", csv_bytes([(_wrong_check(_ids(1)[0]), "2020-01-01")]))},
    )
    extract = Extract.objects.get()
    assert bad.status_code == 302 and extract.status == "rejected"
    page = client.get(f"/datacheck/extracts/{extract.pk}/").content.decode()
    assert 'data-testid="extract-errors"' in page and "commit-form" not in page
    client.post(
        f"/datacheck/sources/{death_source.pk}/",
        {"file": SimpleUploadedFile("d.csv", csv_bytes([(_ids(1)[0], "2020-01-01")]))},
    )
    good = Extract.objects.get(status="previewed")
    assert client.post(f"/datacheck/extracts/{good.pk}/commit/").status_code == 302
    good.refresh_from_db()
    assert good.status == "committed"
    assert client.post("/datacheck/runs/").status_code == 302


def test_a_large_extract_is_checked_in_celery(admin_user, death_source, settings, client):
    from datacheck import services

    settings.DATACHECK_EXTRACT_SYNC_MAX_BYTES = 100
    numbers = _ids(50)
    response = upload_via_api(admin_user, death_source.pk, csv_bytes([(n, "2020-03-01") for n in numbers]))
    assert response.status_code == 202 and response.json()["status"] == "validating"
    assert response.json()["progress"] == 0 and ExtractRow.objects.count() == 0
    client.force_login(admin_user)
    page = client.get(f"/datacheck/extracts/{response.json()['id']}/").content.decode()
    assert 'data-testid="validating"' in page and "js/progress.js" in page
    extract = services.extract_validate(extract_id=response.json()["id"])  # the task's body
    assert extract.status == "previewed" and extract.rows == 50 and extract.content is None
    assert ExtractRow.objects.filter(extract=extract).count() == 50
    assert services.extract_validate(extract_id=extract.pk).status == "previewed"  # delivered twice: nothing more
    assert ExtractRow.objects.filter(extract=extract).count() == 50

    bad = [(n, "2020-03-01") for n in _ids(40)] + [(_wrong_check(numbers[0]), "2020-03-01")]
    queued = upload_via_api(admin_user, death_source.pk, csv_bytes(bad)).json()
    rejected = services.extract_validate(extract_id=queued["id"])
    assert rejected.status == "rejected" and [e["row"] for e in rejected.errors] == [42]
    assert ExtractRow.objects.filter(extract=rejected).count() == 0
    # A wrong file is refused at once, however large.
    wrong = upload_via_api(admin_user, death_source.pk, csv_bytes([(n,) for n in numbers], header=("name",)))
    assert wrong.status_code == 400 and "file" in wrong.json()

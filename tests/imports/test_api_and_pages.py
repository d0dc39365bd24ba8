"""The imports API (api.md), its refusals, the browser pages and the Celery path with progress."""

from __future__ import annotations

import pytest

from imports.models import ImportJob
from people.models import Person
from tests.conftest import OTHER_DISTRICT, OTHER_SUBDISTRICT, api_client_for
from tests.imports.conftest import HEADINGS, household_rows, upload, xlsx

pytestmark = pytest.mark.django_db

REPORT_FIELDS = {"id", "kind", "status", "rows", "to_create", "to_update", "errors", "progress"}


@pytest.fixture(autouse=True)
def _in_request(settings):
    settings.IMPORT_SYNC_MAX_BYTES = 50 * 1024 * 1024


def test_the_contract(api):
    response = upload(api, xlsx(household_rows(2)))
    assert response.status_code == 202
    assert set(response.json()) == {"id", "status"}
    job_id = response.json()["id"]
    report = api.get(f"/api/v1/imports/{job_id}/")
    assert report.status_code == 200
    assert REPORT_FIELDS <= set(report.json())
    assert report.json()["kind"] == "households" and report.json()["progress"] == 100
    committed = api.post(f"/api/v1/imports/{job_id}/commit/")
    assert committed.status_code == 200 and committed.json()["status"] == "committed"
    again = api.post(f"/api/v1/imports/{job_id}/commit/")
    assert again.status_code == 409 and again.json()["code"] == "invalid_state"
    listed = api.get("/api/v1/imports/?kind=households").json()
    assert listed["count"] == 1 and listed["results"][0]["id"] == job_id
    assert Person.objects.count() == 6


def test_a_rejected_import_cannot_be_committed(api):
    rows = household_rows(1)
    rows[0][0] = "123"
    job_id = upload(api, xlsx(rows)).json()["id"]
    response = api.post(f"/api/v1/imports/{job_id}/commit/")
    assert response.status_code == 409
    assert ImportJob.objects.get().status == "rejected"


def test_an_import_outside_ones_geography_is_not_found(api, make_staff):
    job_id = upload(api, xlsx(household_rows(1))).json()["id"]
    for division in (OTHER_SUBDISTRICT, OTHER_DISTRICT):
        other = api_client_for(make_staff("caseworker", division))
        assert other.get(f"/api/v1/imports/{job_id}/").status_code == 404
        assert other.post(f"/api/v1/imports/{job_id}/commit/").status_code == 404
        assert other.get("/api/v1/imports/").json()["count"] == 0
    district = api_client_for(make_staff("district_approver", "370202"))
    assert district.get(f"/api/v1/imports/{job_id}/").status_code == 200
    assert Person.objects.count() == 0


@pytest.mark.parametrize("role, division", [("leader", "370200"), ("auditor", "370200"), ("finance", "370200")])
def test_roles_without_the_capability_are_refused(make_staff, role, division):
    client = api_client_for(make_staff(role, division))
    assert upload(client, xlsx(household_rows(1))).status_code == 403
    assert client.get("/api/v1/imports/").status_code == 403
    assert not ImportJob.objects.exists()


def test_an_administrator_may_import_anywhere_in_the_city(make_staff):
    admin = api_client_for(make_staff("admin", "370200"))
    job_id = upload(admin, xlsx(household_rows(1, community="370203001001"))).json()["id"]
    assert admin.post(f"/api/v1/imports/{job_id}/commit/").status_code == 200


def test_unauthenticated_is_401():
    from rest_framework.test import APIClient

    assert upload(APIClient(), xlsx(household_rows(1))).status_code == 401


# --- Celery: a large file is checked and written by a worker, with progress ----------------------


@pytest.fixture
def eager():
    from civil_affairs.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


def test_a_large_file_goes_through_celery(api, settings, eager, django_capture_on_commit_callbacks):
    settings.IMPORT_SYNC_MAX_BYTES = 1000
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = upload(api, xlsx(household_rows(40)))
    assert response.json()["status"] == "validating"
    job = ImportJob.objects.get()
    assert job.progress == 0 and len(queued) == 1
    assert api.get(f"/api/v1/imports/{job.pk}/").json()["status"] == "validating"
    queued[0]()  # the worker's turn
    report = api.get(f"/api/v1/imports/{job.pk}/").json()
    assert (report["status"], report["to_create"], report["progress"]) == ("previewed", 120, 100)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = api.post(f"/api/v1/imports/{job.pk}/commit/")
    assert response.status_code == 202 and response.json()["status"] == "committing"
    assert Person.objects.count() == 0
    queued[0]()
    assert api.get(f"/api/v1/imports/{job.pk}/").json()["status"] == "committed"
    assert Person.objects.count() == 120


def test_a_task_delivered_twice_does_nothing_the_second_time(api, settings):
    from imports.tasks import commit_import, validate_import

    job_id = upload(api, xlsx(household_rows(2))).json()["id"]
    api.post(f"/api/v1/imports/{job_id}/commit/")
    assert validate_import(job_id) == "committed"
    assert commit_import(job_id) == "committed"
    assert Person.objects.count() == 6


# --- pages -----------------------------------------------------------------------------------------


def test_upload_preview_confirm_in_the_browser_pages(browser_client, caseworker):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = browser_client(caseworker)
    page = client.get("/imports/new/")
    assert page.status_code == 200
    assert b"/imports/templates/households.xlsx" in page.content
    template = client.get("/imports/templates/households.xlsx")
    assert template.status_code == 200

    rows = household_rows(3)
    rows[4][0] = rows[4][0][:17] + ("0" if rows[4][0][17] != "0" else "1")
    response = client.post("/imports/new/", {"kind": "households", "file": SimpleUploadedFile("hh.xlsx", xlsx(rows))})
    assert response.status_code == 302
    detail = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert b"Rows with errors" in detail.content and b"<td>6</td>" in detail.content
    assert b"import-commit" not in detail.content

    response = client.post(
        "/imports/new/", {"kind": "households", "file": SimpleUploadedFile("hh.xlsx", xlsx(household_rows(3)))}
    )
    detail = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert b'data-testid="import-commit"' in detail.content
    job = ImportJob.objects.order_by("-id").first()
    done = client.post(f"/imports/{job.pk}/commit/")
    assert done.status_code == 302
    result = client.get(done["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert b"import-done" in result.content
    assert Person.objects.count() == 9
    listing = client.get("/imports/")
    assert listing.status_code == 200 and b"hh.xlsx" in listing.content
    progress = client.get(f"/imports/{job.pk}/progress/").json()
    assert progress == {"status": "committed", "progress": 100, "running": False}


def test_a_bad_file_on_the_page_is_a_form_error(browser_client, caseworker):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = browser_client(caseworker)
    response = client.post(
        "/imports/new/",
        {"kind": "households", "file": SimpleUploadedFile("x.xlsx", xlsx([["a"]], headings=["名称"]))},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 200
    assert "公民身份号码".encode() in response.content
    assert not ImportJob.objects.exists()


def test_the_pages_are_refused_without_the_capability(browser_client, make_staff):
    client = browser_client(make_staff("leader", "370200"))
    assert client.get("/imports/new/").status_code == 403
    assert client.get("/imports/").status_code == 403


def test_headings_constant_matches_the_template(browser_client, caseworker):
    import io

    from openpyxl import load_workbook

    response = browser_client(caseworker).get("/imports/templates/households.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [c.value for c in sheet[1]] == HEADINGS

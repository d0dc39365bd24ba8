"""Attachments: every kind of bad file refused beside the success; scope, roles, the logged download."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import pytest
from django.utils import translation

from core.models import RevealLog
from documents.models import Attachment
from tests.conftest import OTHER_SUBDISTRICT
from tests.documents.conftest import decide, jpeg_bytes, pdf_bytes, png_bytes, upload


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def attach(client, case_id, content, name="scan.pdf", *, kind="id_card", collection="dibao-cases", **extra):
    return client.post(
        f"/api/v1/{collection}/{case_id}/attachments/",
        {"file": upload(content, name), "kind": kind, **extra},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="en",
    )


def stored_files(folder) -> list:
    return [p for p in folder.rglob("*") if p.is_file()]


@pytest.mark.parametrize(
    ("content", "name", "media_type"),
    [
        (pdf_bytes(), "身份证.pdf", "application/pdf"),
        (jpeg_bytes(), "household.jpg", "image/jpeg"),
        (png_bytes(), "income.png", "image/png"),
        (png_bytes(), "renamed.pdf", "image/png"),  # the content decides, not the name
    ],
)
def test_a_scan_is_attached_and_listed(api, dibao_case, attachment_folder, content, name, media_type):  # noqa: PLR0917
    response = attach(api, dibao_case["id"], content, name)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["media_type"] == media_type
    assert body["kind"] == "id_card" and body["kind_display"] == "ID card"
    assert body["size"] == len(content)
    assert body["name"].endswith("." + {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}[media_type])
    assert (body["thumbnail_url"] is None) == (media_type == "application/pdf")
    listed = api.get(f"/api/v1/dibao-cases/{dibao_case['id']}/attachments/").json()
    assert listed["count"] == 1 and listed["results"][0]["id"] == body["id"]
    assert stored_files(attachment_folder)


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header promises width × height pixels (an image bomb), with one tiny compressed row."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + chunk(b"IEND", b"")
    )


def _zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("scan.pdf", pdf_bytes())
    return out.getvalue()


BAD_FILES = [
    pytest.param(b"MZ\x90\x00\x03" + bytes(200), "scan.pdf", "program", id="windows-exe-renamed"),
    pytest.param(b"\x7fELF\x02\x01\x01" + bytes(200), "photo.jpg", "program", id="linux-executable"),
    pytest.param(b"#!/bin/sh\nrm -rf /\n", "scan.png", "program", id="script"),
    pytest.param(_zip(), "scan.pdf", "archive", id="zip-archive"),
    pytest.param(b"\x1f\x8b\x08\x00" + bytes(100), "scan.pdf", "archive", id="gzip"),
    pytest.param(
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "scan.png",
        "HTML, SVG",
        id="svg",
    ),
    pytest.param(b"<!DOCTYPE html><html><script>alert(1)</script></html>", "scan.pdf", "HTML, SVG", id="html"),
    pytest.param(_png_header_only(100_000, 100_000), "bomb.png", "million", id="image-bomb"),
    pytest.param(b"\x89PNG\r\n\x1a\n" + b"garbage" * 20, "broken.png", "damaged", id="broken-png"),
    pytest.param(jpeg_bytes()[:60], "cut.jpg", "damaged", id="truncated-jpeg"),
    pytest.param(pdf_bytes(b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"), "js.pdf", "scripts", id="pdf-js"),
    pytest.param(b"%PDF-1.4\n1 0 obj <<>> endobj\n", "cut.pdf", "damaged", id="truncated-pdf"),
    pytest.param(b"just some text", "notes.pdf", "Only PDF, JPEG and PNG", id="plain-text"),
    pytest.param(b"", "empty.pdf", "empty", id="empty"),  # DRF's own message
]


@pytest.mark.parametrize(("content", "name", "says"), BAD_FILES)
def test_a_bad_file_is_refused_with_a_clear_message_and_nothing_stored(  # noqa: PLR0917
    api, dibao_case, attachment_folder, content, name, says
):
    response = attach(api, dibao_case["id"], content, name)
    assert response.status_code == 400, response.content
    assert says in response.json()["file"][0]
    assert Attachment.objects.count() == 0
    assert stored_files(attachment_folder) == []


def test_a_file_over_the_size_limit_is_refused(api, dibao_case, settings, attachment_folder):
    settings.MAX_UPLOAD_SIZE = 200 * 1024
    response = attach(api, dibao_case["id"], pdf_bytes() + bytes(300 * 1024))
    assert response.status_code in (400, 413)  # the middleware (413) or the reader (400), depending on the body
    assert Attachment.objects.count() == 0 and stored_files(attachment_folder) == []


def test_a_file_just_over_the_readers_limit_is_a_400(api, dibao_case, settings, attachment_folder):
    settings.MAX_UPLOAD_SIZE = 400 * 1024  # the body passes the middleware; the file is over the reader's limit
    response = attach(api, dibao_case["id"], pdf_bytes() + bytes(390 * 1024))
    assert response.status_code == 400
    assert "larger than" in response.json()["file"][0]
    assert stored_files(attachment_folder) == []


def test_an_unknown_kind_is_refused(api, dibao_case):
    response = attach(api, dibao_case["id"], pdf_bytes(), kind="passport")
    assert response.status_code == 400
    assert "kind" in response.json()


def test_the_download_is_an_attachment_with_nosniff_and_is_logged(api, caseworker, dibao_case):
    created = attach(api, dibao_case["id"], png_bytes(), "家庭户口簿.png").json()
    response = api.get(f"/api/v1/attachments/{created['id']}/", HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == png_bytes()
    log = RevealLog.objects.get(model="documents.Attachment", object_id=str(created["id"]))
    assert log.actor == caseworker and log.field == "file"


def test_the_thumbnail_is_a_small_jpeg_and_is_logged(api, dibao_case):
    created = attach(api, dibao_case["id"], png_bytes(1200, 800), "visit.png", kind="home_visit").json()
    response = api.get(created["thumbnail_url"])
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    from PIL import Image

    image = Image.open(io.BytesIO(b"".join(response.streaming_content)))
    assert max(image.size) <= 240
    assert RevealLog.objects.filter(object_id=str(created["id"]), field="thumbnail").count() == 1


def test_other_sub_district_gets_404_for_the_list_the_upload_and_the_file(api, api_for, make_staff, dibao_case):
    created = attach(api, dibao_case["id"], pdf_bytes()).json()
    other = api_for(make_staff("caseworker", OTHER_SUBDISTRICT))
    assert other.get(f"/api/v1/dibao-cases/{dibao_case['id']}/attachments/").status_code == 404
    assert attach(other, dibao_case["id"], pdf_bytes()).status_code == 404
    assert other.get(f"/api/v1/attachments/{created['id']}/").status_code == 404
    assert other.delete(f"/api/v1/attachments/{created['id']}/").status_code == 404
    assert other.get("/api/v1/attachments/999999/").status_code == 404
    assert not RevealLog.objects.filter(model="documents.Attachment").exists()


def test_read_only_roles_read_but_never_write(api, api_for, make_staff, dibao_case):
    created = attach(api, dibao_case["id"], pdf_bytes()).json()
    leader = api_for(make_staff("leader", "370200"))
    assert leader.get(f"/api/v1/dibao-cases/{dibao_case['id']}/attachments/").status_code == 200
    assert leader.get(f"/api/v1/attachments/{created['id']}/").status_code == 200
    assert attach(leader, dibao_case["id"], pdf_bytes()).status_code == 403
    assert leader.delete(f"/api/v1/attachments/{created['id']}/").status_code == 403
    auditor = api_for(make_staff("auditor", "370200"))
    assert auditor.get(f"/api/v1/attachments/{created['id']}/").status_code == 403  # reads logs, not case files
    assert attach(auditor, dibao_case["id"], pdf_bytes()).status_code == 403
    assert Attachment.objects.count() == 1


def test_a_role_without_the_scheme_gets_403(api, api_for, make_staff, dibao_case):
    created = attach(api, dibao_case["id"], pdf_bytes()).json()
    registrar = api_for(make_staff("registrar", "370200"))
    assert registrar.get(f"/api/v1/attachments/{created['id']}/").status_code == 403


def test_removal_before_the_decision_and_not_after(api, api_for, sd_approver, district_approver, dibao_case):
    first = attach(api, dibao_case["id"], pdf_bytes()).json()
    assert api.delete(f"/api/v1/attachments/{first['id']}/").status_code == 204
    assert api.get(f"/api/v1/dibao-cases/{dibao_case['id']}/attachments/").json()["count"] == 0
    assert Attachment.objects.get(pk=first["id"]).removed_at is not None  # the row stays, for the history
    second = attach(api, dibao_case["id"], pdf_bytes()).json()
    decide(api, api_for, sd_approver, district_approver, dibao_case["id"])
    response = api.delete(f"/api/v1/attachments/{second['id']}/")
    assert response.status_code == 409
    assert response.json()["code"] == "case_decided"
    assert Attachment.objects.get(pk=second["id"]).removed_at is None
    # a decided case still takes new evidence (a recheck's income proof)
    assert attach(api, dibao_case["id"], png_bytes(), kind="income_proof").status_code == 201


def test_a_replaced_file_keeps_its_predecessor(api, dibao_case):
    old = attach(api, dibao_case["id"], pdf_bytes(), "old.pdf", kind="income_proof").json()
    response = api.post(
        f"/api/v1/attachments/{old['id']}/replace/", {"file": upload(png_bytes(), "new.png")}, format="multipart"
    )
    assert response.status_code == 201, response.content
    new = response.json()
    assert new["kind"] == "income_proof" and new["name"] == "new.png"
    assert [p["id"] for p in new["replaces"]] == [old["id"]]
    listed = api.get(f"/api/v1/dibao-cases/{dibao_case['id']}/attachments/").json()["results"]
    assert [a["id"] for a in listed] == [new["id"]]
    assert api.get(f"/api/v1/attachments/{old['id']}/").status_code == 200  # the old file is still there
    again = api.post(
        f"/api/v1/attachments/{old['id']}/replace/", {"file": upload(png_bytes(), "x.png")}, format="multipart"
    )
    assert again.status_code == 409 and again.json()["code"] == "not_current"
    bad = api.post(
        f"/api/v1/attachments/{new['id']}/replace/", {"file": upload(b"MZ" + bytes(99), "x.pdf")}, format="multipart"
    )
    assert bad.status_code == 400


def test_the_attachment_history_names_who_uploaded_and_replaced(api, dibao_case):
    from core import history

    old = attach(api, dibao_case["id"], pdf_bytes(), "old.pdf").json()
    api.post(f"/api/v1/attachments/{old['id']}/replace/", {"file": upload(pdf_bytes(), "new.pdf")}, format="multipart")
    with translation.override("en"):
        rows = history.rows_for(Attachment.objects.get(pk=old["id"]))
    changes = {c.label: c.new for row in rows for c in row.changes}
    assert "Replaced at" in changes and changes["Replaces"] == "old.pdf"
    assert not any("scans/" in value for value in changes.values())  # no storage names


@pytest.mark.parametrize(
    "collection",
    [
        "dibao-cases",
        "tekun-cases",
        "temporary-relief-claims",
        "orphans",
        "disability-subsidies",
        "marriage-registrations",
        "social-orgs",
        "road-naming-applications",
    ],
)
def test_every_case_collection_has_attachments_through_one_registration(collection):
    from django.urls import resolve

    from documents import registry

    assert registry.for_collection(collection) is not None
    assert resolve(f"/api/v1/{collection}/1/attachments/").url_name == f"{collection}-attachments"


def test_a_missing_record_of_a_registered_collection_is_404(api):
    assert api.get("/api/v1/dibao-cases/999999/attachments/").status_code == 404


def test_an_id_number_in_a_file_name_is_masked(api, dibao_case):
    from tests.factories import make_id_number

    number = make_id_number()
    body = attach(api, dibao_case["id"], pdf_bytes(), f"身份证{number}.pdf").json()
    assert number not in body["name"] and body["name"].endswith(".pdf") and "*" in body["name"]

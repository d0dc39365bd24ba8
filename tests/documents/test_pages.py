"""The attachments panel on the case pages: upload (several files at once), thumbnails, replace, remove."""

from __future__ import annotations

import pytest

from core.models import RevealLog
from documents.models import Attachment
from tests.conftest import OTHER_SUBDISTRICT
from tests.documents.conftest import pdf_bytes, png_bytes, upload


def page(client, case_id):
    response = client.get(f"/relief/dibao/{case_id}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_case_page_lists_attachments_with_thumbnails_and_offers_the_upload(browser_client, caseworker, dibao_case):
    client = browser_client(caseworker)
    html = page(client, dibao_case["id"])
    assert 'data-testid="attachments"' in html and "data-dropzone" in html
    response = client.post(
        f"/documents/dibao-cases/{dibao_case['id']}/attach/",
        {"file": [upload(png_bytes(), "户口簿.png"), upload(pdf_bytes(), "收入.pdf")], "kind": "household_register"},
    )
    assert response.status_code == 302 and response["Location"].endswith(
        f"/relief/dibao/{dibao_case['id']}/#attachments"
    )
    assert Attachment.objects.count() == 2
    html = page(client, dibao_case["id"])
    assert "户口簿.png" in html and "收入.pdf" in html
    image = Attachment.objects.get(media_type="image/png")
    assert f"/documents/attachments/{image.pk}/thumbnail/" in html
    thumb = client.get(f"/documents/attachments/{image.pk}/thumbnail/")
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"
    download = client.get(f"/documents/attachments/{image.pk}/")
    assert download["Content-Disposition"].startswith("attachment;") and download["X-Content-Type-Options"] == "nosniff"
    assert RevealLog.objects.filter(model="documents.Attachment", field="file").count() == 1


def test_a_bad_file_comes_back_as_a_message_and_the_good_one_is_kept(browser_client, caseworker, dibao_case):
    client = browser_client(caseworker)
    response = client.post(
        f"/documents/dibao-cases/{dibao_case['id']}/attach/",
        {"file": [upload(b"MZ" + bytes(100), "virus.pdf"), upload(pdf_bytes(), "ok.pdf")], "kind": "other"},
        follow=True,
    )
    html = response.content.decode()
    assert "virus.pdf" in html and "ok.pdf" in html
    assert list(Attachment.objects.values_list("original_name", flat=True)) == ["ok.pdf"]


def test_no_kind_is_a_message_and_nothing_stored(browser_client, caseworker, dibao_case):
    client = browser_client(caseworker)
    response = client.post(
        f"/documents/dibao-cases/{dibao_case['id']}/attach/", {"file": upload(pdf_bytes())}, follow=True
    )
    assert response.status_code == 200
    assert Attachment.objects.count() == 0


def test_replace_and_remove_from_the_page(browser_client, caseworker, dibao_case):
    client = browser_client(caseworker)
    client.post(
        f"/documents/dibao-cases/{dibao_case['id']}/attach/", {"file": upload(pdf_bytes(), "a.pdf"), "kind": "other"}
    )
    first = Attachment.objects.get()
    client.post(f"/documents/attachments/{first.pk}/replace/", {"file": upload(pdf_bytes(), "b.pdf")})
    current = Attachment.objects.get(superseded_at__isnull=True)
    html = page(client, dibao_case["id"])
    assert "b.pdf" in html and "a.pdf" in html  # the earlier file stays listed under the new one
    client.post(f"/documents/attachments/{current.pk}/remove/")
    current.refresh_from_db()
    assert current.removed_at is not None


def test_other_sub_district_and_read_only_roles(browser_client, make_staff, caseworker, dibao_case):
    browser_client(caseworker).post(
        f"/documents/dibao-cases/{dibao_case['id']}/attach/", {"file": upload(pdf_bytes()), "kind": "other"}
    )
    attachment = Attachment.objects.get()
    other = browser_client(make_staff("caseworker", OTHER_SUBDISTRICT))
    assert other.get(f"/documents/attachments/{attachment.pk}/").status_code == 404
    assert other.post(f"/documents/dibao-cases/{dibao_case['id']}/attach/", {"kind": "other"}).status_code == 404
    leader = browser_client(make_staff("leader", "370200"))
    html = page(leader, dibao_case["id"])
    assert 'data-testid="attachments"' in html and "data-dropzone" not in html and "/remove/" not in html
    assert leader.post(f"/documents/attachments/{attachment.pk}/remove/").status_code == 403


@pytest.mark.parametrize(
    "url_and_subject",
    [
        "relief/tekun_detail.html",
        "relief/claim_detail.html",
        "welfare/orphan_detail.html",
        "welfare/subsidy_detail.html",
        "marriage/registration_detail.html",
        "social_orgs/org_detail.html",
        "placenames/application_detail.html",
    ],
)
def test_every_case_page_shows_the_one_attachments_panel(url_and_subject):
    from pathlib import Path

    from django.conf import settings

    text = (Path(settings.BASE_DIR) / "templates" / url_and_subject).read_text()
    assert '{% panels "' in text

"""In a real browser: a caseworker attaches a scan to a dibao application, sees its thumbnail, and
prints the application's approval form (the A4 page, then its PDF)."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from PIL import Image
from pypdf import PdfReader

from documents.models import Attachment
from relief.services import dibao_case_create, standards_seed
from tests.conftest import OWN_COMMUNITY, OWN_SUBDISTRICT
from tests.factories import make_household
from tests.flows.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ID_NUMBER = re.compile(r"\d{17}[\dX]")


def test_caseworker_attaches_a_scan_and_prints_the_approval_form(page, login, make_staff, tmp_path, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "attachments": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    standards_seed(demo=True)
    caseworker = make_staff("caseworker", OWN_SUBDISTRICT)
    household = make_household(community=OWN_COMMUNITY, members=2, created_by=caseworker)
    case = dibao_case_create(household=household, monthly_income=Decimal("600.00"), actor=caseworker)
    scan = tmp_path / "户口簿.png"
    buffer = io.BytesIO()
    Image.new("RGB", (400, 300), (200, 30, 30)).save(buffer, "PNG")
    scan.write_bytes(buffer.getvalue())

    login(caseworker)
    page.goto(f"/relief/dibao/{case.pk}/")
    panel = page.locator("[data-testid=attachments]")
    panel.locator("input[type=file][name=file]").first.set_input_files(str(scan))
    panel.locator("select[name=kind]").select_option("household_register")
    panel.locator("form.attachment-upload button[type=submit]").click()
    page.wait_for_url(re.compile(rf".*/relief/dibao/{case.pk}/(#attachments)?$"))
    attachment = Attachment.objects.get()
    assert (attachment.kind, attachment.original_name, attachment.uploaded_by_id) == (
        "household_register",
        "户口簿.png",
        caseworker.pk,
    )
    item = page.locator("[data-testid=attachment]")
    assert item.count() == 1 and "户口簿.png" in item.inner_text()
    thumbnail_loaded = (
        "() => { const i = document.querySelector('.attachment-preview img'); return i?.naturalWidth > 0; }"
    )
    page.wait_for_function(thumbnail_loaded)
    screenshot(page, "dibao-case-attachment")

    # The printed approval form: the A4 page, then the same form as a PDF with selectable Chinese text.
    page.locator("[data-testid=printables] a.button").first.click()
    page.wait_for_url(re.compile(r".*/print/approval-form/$"))
    sheet = page.inner_text("[data-testid=sheet]")
    assert "最低生活保障审批表" in sheet and "青岛市民政局" in sheet
    assert household.head.name in sheet and not ID_NUMBER.search(sheet)
    assert "尚未入户调查" in sheet  # the form states no finding nobody recorded
    screenshot(page, "dibao-approval-form-print")
    pdf = page.request.get(page.url.rstrip("/") + ".pdf")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages)
    assert "最低生活保障审批表" in text and household.head.name in text and not ID_NUMBER.search(text)

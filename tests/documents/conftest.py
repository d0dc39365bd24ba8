"""Fixtures for documents: attachments kept in a temporary folder, scans of each kind, a dibao case."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from relief.services import standards_seed
from tests.conftest import OWN_SUBDISTRICT


@pytest.fixture(autouse=True)
def attachment_folder(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "attachments": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    return tmp_path


@pytest.fixture(autouse=True)
def _standards(db):
    standards_seed(demo=True)


def png_bytes(width=40, height=30, color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "PNG")
    return out.getvalue()


def jpeg_bytes(width=60, height=40) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (10, 120, 200)).save(out, "JPEG")
    return out.getvalue()


def pdf_bytes(extra: bytes = b"") -> bytes:
    """A minimal but well-formed one-page PDF (``extra`` goes into its catalog)."""
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R " + extra + b" >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
        b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj\n"
        b"trailer << /Root 1 0 R >>\n%%EOF\n"
    )


def upload(content: bytes, name: str = "scan.pdf", content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def sd_approver(make_staff):
    return make_staff("subdistrict_approver", OWN_SUBDISTRICT)


@pytest.fixture
def district_approver(make_staff):
    return make_staff("district_approver", OWN_SUBDISTRICT[:6])


@pytest.fixture
def dibao_case(api):
    from tests.conftest import OWN_COMMUNITY
    from tests.factories import make_household

    household = make_household(community=OWN_COMMUNITY, members=2)
    response = api.post("/api/v1/dibao-cases/", {"household": household.pk, "monthly_income": "600.00"}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def decide(api, api_for, sd_approver, district_approver, case_id, collection="dibao-cases"):  # noqa: PLR0917
    """The home investigation (by ``api``'s caseworker), the review, the 7-day notice passed, the approval."""
    from core.cases import local_today
    from relief.models import DibaoCase, TekunCase
    from tests.factories import end_notice

    body = {"date": f"{local_today():%Y-%m-%d}", "investigators": "王伟", "findings": "住房困难"}
    assert api.post(f"/api/v1/{collection}/{case_id}/investigate/", body, format="json").status_code == 200
    response = api_for(sd_approver).post(f"/api/v1/{collection}/{case_id}/review/", {}, format="json")
    assert response.status_code == 200, response.content
    end_notice((DibaoCase if collection == "dibao-cases" else TekunCase).objects.get(pk=case_id))
    response = api_for(district_approver).post(f"/api/v1/{collection}/{case_id}/approve/", {}, format="json")
    assert response.status_code == 200, response.content

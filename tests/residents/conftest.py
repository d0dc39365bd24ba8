from __future__ import annotations

import pytest
from rest_framework.test import APIClient


@pytest.fixture
def resident_api(db, sms_log):
    """``resident_api("13800001111")``: an API client signed in as that phone's resident (a real code, a real token)."""

    def make(phone: str = "13800001111") -> APIClient:
        client = APIClient()
        assert client.post("/api/v1/public/auth/code/", {"phone": phone}, format="json").status_code == 202
        answer = client.post("/api/v1/public/auth/token/", {"phone": phone, "code": sms_log.last_code()}, format="json")
        assert answer.status_code == 200, answer.content
        client.credentials(HTTP_AUTHORIZATION=f"Token {answer.json()['token']}")
        client.phone = phone
        return client

    return make


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


def png_bytes() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def application_body(kind: str = "dibao", *, community: str = "370202001001", members: int = 2, **changes) -> dict:
    """An application as api.md writes it, with the signed authorization of the economic-situation check
    (``authorization``: false is refused, missing is signed at the investigation): the applicant heads
    a household of ``members``."""
    from tests.factories import make_id_number

    head = make_id_number()
    rows = [{"id_number": head, "name": "王大明", "relationship": "head"}]
    rows += [{"id_number": make_id_number(), "name": f"王小{i}", "relationship": "child"} for i in range(members - 1)]
    body = {
        "kind": kind,
        "applicant": {"id_number": head, "name": "王大明"},
        "community": community,
        "address": "合成路8号",
        "area_type": "urban",
        "members": rows,
        "monthly_income": "300.00",
        "reason": "失业，无固定收入",
        "authorization": True,
    }
    if kind == "temporary_relief":
        body["amount"] = "2000.00"
    body.update(changes)
    return body

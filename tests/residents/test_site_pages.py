"""The resident site's pages: apply with a photo, follow the steps, withdraw; staff's pages accept."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from documents.models import Attachment
from residents.models import OnlineApplication
from tests.factories import make_id_number
from tests.residents.conftest import png_bytes

pytestmark = pytest.mark.django_db


def _signed_in(client, sms_log, phone="13800001111"):
    client.post("/public/login/", {"phone": phone})
    client.post("/public/login/code/", {"code": sms_log.last_code()})
    return client


def _form(**changes):
    head, child = make_id_number(), make_id_number()
    data = {
        "kind": "dibao",
        "community": "370202001001",
        "address": "合成路8号",
        "area_type": "urban",
        "monthly_income": "300",
        "reason": "失业",
        "member_0_name": "王大明",
        "member_0_id_number": head,
        "member_0_relationship": "head",
        "member_1_name": "王小明",
        "member_1_id_number": child,
        "member_1_relationship": "child",
        "photo_kind": "id_card",
        "authorization": "on",
    }
    data.update(changes)
    return data


def test_apply_with_a_photo_then_follow_it(client, sms_log):
    _signed_in(client, sms_log)
    assert client.get("/public/apply/").status_code == 200
    data = _form(photo=SimpleUploadedFile("id.png", png_bytes(), content_type="image/png"))
    answer = client.post("/public/apply/", data)
    assert answer.status_code == 302, answer.content.decode()[:2000]
    application = OnlineApplication.objects.get()
    assert answer["Location"] == f"/public/applications/{application.pk}/"
    assert Attachment.objects.filter(object_id=application.pk, content_type__model="onlineapplication").count() == 1
    page = client.get(answer["Location"]).content.decode()
    assert "已收到申请" in page and application.reference in page
    assert application.applicant_id_number not in page
    assert "王大明" in client.get("/public/").content.decode()


def test_apply_without_the_authorization_is_refused_and_nothing_written(client, sms_log):
    _signed_in(client, sms_log)
    data = _form()
    del data["authorization"]
    answer = client.post("/public/apply/", data)
    assert answer.status_code == 200
    assert "核对授权书" in answer.content.decode()
    # the API's check, the same words on the form's field (residents.services.authorization_check)
    from django.utils import translation

    from core.errors import InvalidInput
    from residents.services import authorization_check

    with translation.override("zh-hans"), pytest.raises(InvalidInput) as refused:
        authorization_check(False)  # the unticked box
    assert answer.context["form"].errors["authorization"] == [str(refused.value.message)]
    assert OnlineApplication.objects.count() == 0


def test_a_bad_photo_writes_no_application(client, sms_log):
    _signed_in(client, sms_log)
    data = _form(photo=SimpleUploadedFile("x.png", b"MZ" + b"\x00" * 64, content_type="image/png"))
    assert client.post("/public/apply/", data).status_code == 200
    assert OnlineApplication.objects.count() == 0


def test_a_bad_id_number_is_a_form_error(client, sms_log):
    _signed_in(client, sms_log)
    answer = client.post("/public/apply/", _form(member_0_id_number="370202199001011230"))
    assert answer.status_code == 200 and OnlineApplication.objects.count() == 0


def test_another_residents_page_is_404_and_withdraw_works(client, sms_log):
    from django.test import Client

    _signed_in(client, sms_log)
    client.post("/public/apply/", _form())
    application = OnlineApplication.objects.get()
    other = _signed_in(Client(), sms_log, phone="13900002222")
    assert other.get(f"/public/applications/{application.pk}/").status_code == 404
    assert other.post(f"/public/applications/{application.pk}/withdraw/").status_code == 404
    assert client.post(f"/public/applications/{application.pk}/withdraw/").status_code == 302
    application.refresh_from_db()
    assert application.status == "withdrawn"


def test_the_notices_page(client, sms_log):
    _signed_in(client, sms_log)
    assert client.get("/public/notices/").status_code == 200
    client.post("/public/apply/", _form())
    page = client.get("/public/notices/").content.decode()
    assert "八大峡" in page or "演示" in page


def test_a_caseworker_accepts_on_the_staff_page(client, sms_log, caseworker, standards):
    from django.test import Client

    _signed_in(client, sms_log)
    client.post("/public/apply/", _form())
    application = OnlineApplication.objects.get()
    staff = Client()
    staff.force_login(caseworker)
    listing = staff.get("/online-applications/?status=submitted").content.decode()
    assert application.reference in listing
    detail = staff.get(f"/online-applications/{application.pk}/").content.decode()
    assert application.applicant_id_number not in detail
    assert staff.post(f"/online-applications/{application.pk}/decline/", {"note": ""}).status_code == 302
    application.refresh_from_db()
    assert application.status == "submitted"  # no reason, no decline
    assert staff.post(f"/online-applications/{application.pk}/accept/").status_code == 302
    application.refresh_from_db()
    assert application.status == "accepted" and application.dibao_case_id
    assert "已受理" in client.get(f"/public/applications/{application.pk}/").content.decode()


def test_staff_of_another_sub_district_get_404(client, sms_log, make_staff):
    from django.test import Client

    _signed_in(client, sms_log)
    client.post("/public/apply/", _form())
    application = OnlineApplication.objects.get()
    staff = Client()
    staff.force_login(make_staff("caseworker", "370202002"))
    assert staff.get(f"/online-applications/{application.pk}/").status_code == 404
    assert staff.post(f"/online-applications/{application.pk}/accept/").status_code == 404


def test_the_status_page_reads_its_steps_in_one_query_and_writes_nothing(client, sms_log, caseworker, standards):
    """The page a resident polls: the application's events and its case's in one query, no write."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    _signed_in(client, sms_log)
    client.post("/public/apply/", _form())
    application = OnlineApplication.objects.get()
    staff = Client()
    staff.force_login(caseworker)
    assert staff.post(f"/online-applications/{application.pk}/accept/").status_code == 302
    client.get(f"/public/applications/{application.pk}/")
    with CaptureQueriesContext(connection) as queries:
        page = client.get(f"/public/applications/{application.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "已收到申请" in text or "Application received" in text
    assert "已受理" in text
    sql = [q["sql"] for q in queries.captured_queries]
    assert len([q for q in sql if 'FROM "core_caseevent"' in q]) == 1
    assert [q for q in sql if not q.startswith("SELECT")] == []
    assert len(sql) <= 7  # session, resident, application, its case, the steps, the documents (+1 spare)

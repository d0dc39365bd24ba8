"""Printed documents: each PDF parsed back (title, names, amounts; no unmasked ID where masked)."""

from __future__ import annotations

import datetime
import io
import re

import pypdf
import pytest

from core.idnumbers import mask_id_number
from core.models import RevealLog
from documents.render import chinese_date
from tests.conftest import OTHER_SUBDISTRICT, OWN_COMMUNITY
from tests.documents.conftest import decide

ID_NUMBER = re.compile(r"\d{17}[\dX]")


def text_of(response) -> str:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    return "".join(page.extract_text() for page in reader.pages).replace(" ", "")


def approve(api, api_for, sd_approver, district_approver, case_id, collection="dibao-cases"):  # noqa: PLR0917
    decide(api, api_for, sd_approver, district_approver, case_id, collection)


def test_chinese_dates():
    assert chinese_date(datetime.date(2020, 4, 3)) == "二〇二〇年四月三日"
    assert chinese_date(datetime.date(2020, 12, 31)) == "二〇二〇年十二月三十一日"
    assert chinese_date(datetime.date(2021, 10, 20)) == "二〇二一年十月二十日"


def test_the_dibao_approval_form_and_decision(api, api_for, sd_approver, district_approver, dibao_case):
    from relief.models import DibaoCase

    case = DibaoCase.objects.select_related("household__head").get(pk=dibao_case["id"])
    head = case.household.head
    form = text_of(api.get(f"/api/v1/dibao-cases/{case.pk}/documents/approval-form.pdf"))
    assert "最低生活保障审批表" in form and "青岛市民政局" in form
    assert head.name in form and "600.00" in form
    assert mask_id_number(head.id_number) in form and head.id_number not in form
    assert not ID_NUMBER.search(form)
    assert "审批意见" in form and "盖章" in form
    # no decision before it is decided
    assert api.get(f"/api/v1/dibao-cases/{case.pk}/documents/decision.pdf").status_code == 409
    approve(api, api_for, sd_approver, district_approver, case.pk)
    case.refresh_from_db()
    decision = text_of(api.get(f"/api/v1/dibao-cases/{case.pk}/documents/decision.pdf"))
    assert "最低生活保障确认通知书" in decision and head.name in decision
    assert chinese_date(case.approved_at.date())[:5] in decision
    form = text_of(api.get(f"/api/v1/dibao-cases/{case.pk}/documents/approval-form.pdf"))
    assert "同意" in form and str(district_approver) in form


def test_a_refused_case_prints_the_refusal_with_its_reason(api, api_for, sd_approver, dibao_case):
    response = api_for(sd_approver).post(
        f"/api/v1/dibao-cases/{dibao_case['id']}/reject/", {"note": "家庭人均收入高于当地低保标准"}, format="json"
    )
    assert response.status_code == 200, response.content
    decision = text_of(api.get(f"/api/v1/dibao-cases/{dibao_case['id']}/documents/decision.pdf"))
    assert "不予确认通知书" in decision and "家庭人均收入高于当地低保标准" in decision


def test_tekun_forms(api, api_for, sd_approver, district_approver, caseworker):
    from tests.factories import PersonFactory

    person = PersonFactory(division_id=OWN_COMMUNITY)
    response = api.post(
        "/api/v1/tekun-cases/",
        {"person": person.pk, "care_level": "full", "placement": "home", "area_type": "urban"},
        format="json",
    )
    assert response.status_code == 201, response.content
    case_id = response.json()["id"]
    form = text_of(api.get(f"/api/v1/tekun-cases/{case_id}/documents/approval-form.pdf"))
    assert "特困人员救助供养审批表" in form and person.name in form and not ID_NUMBER.search(form)
    approve(api, api_for, sd_approver, district_approver, case_id, "tekun-cases")
    decision = text_of(api.get(f"/api/v1/tekun-cases/{case_id}/documents/decision.pdf"))
    assert "特困人员救助供养确认通知书" in decision and person.name in decision


def test_temporary_relief_forms(api, api_for, sd_approver):
    from tests.factories import make_household

    household = make_household(community=OWN_COMMUNITY, members=2)
    response = api.post(
        "/api/v1/temporary-relief-claims/",
        {"household": household.pk, "amount": "1500.00", "kind": "expense", "reason": "住院医疗费用支出较大"},
        format="json",
    )
    assert response.status_code == 201, response.content
    claim = response.json()
    form = text_of(api.get(f"/api/v1/temporary-relief-claims/{claim['id']}/documents/approval-form.pdf"))
    assert "临时救助审批表" in form and "1500.00" in form and household.head.name in form
    assert "住院医疗费用支出较大" in form and not ID_NUMBER.search(form)
    refused = api_for(sd_approver).post(
        f"/api/v1/temporary-relief-claims/{claim['id']}/reject/", {"note": "已由其他渠道救助"}, format="json"
    )
    assert refused.status_code == 200, refused.content
    decision = text_of(api.get(f"/api/v1/temporary-relief-claims/{claim['id']}/documents/decision.pdf"))
    assert "不予批准" in decision and "已由其他渠道救助" in decision and "1500.00" in decision


def test_temporary_relief_prints_the_amount_approved_not_the_amount_asked(api, api_for, sd_approver):
    from tests.factories import make_household

    household = make_household(community=OWN_COMMUNITY, members=2)
    response = api.post(
        "/api/v1/temporary-relief-claims/",
        {"household": household.pk, "amount": "800.00", "kind": "expense", "reason": "子女学费"},
        format="json",
    )
    assert response.status_code == 201, response.content
    claim = response.json()
    approved = api_for(sd_approver).post(
        f"/api/v1/temporary-relief-claims/{claim['id']}/approve/",
        {"amount": "600.00", "note": "按实际支出核定"},
        format="json",
    )
    assert approved.status_code == 200, approved.content
    form = text_of(api.get(f"/api/v1/temporary-relief-claims/{claim['id']}/documents/approval-form.pdf"))
    assert "800.00" in form and "600.00" in form
    decision = text_of(api.get(f"/api/v1/temporary-relief-claims/{claim['id']}/documents/decision.pdf"))
    assert "决定给予临时救助金600.00元" in decision.replace("\n", "").replace(" ", "")


def test_documents_are_scoped_and_need_the_role(api, api_for, make_staff, dibao_case):
    url = f"/api/v1/dibao-cases/{dibao_case['id']}/documents/approval-form.pdf"
    assert api_for(make_staff("caseworker", OTHER_SUBDISTRICT)).get(url).status_code == 404
    assert api_for(make_staff("registrar", "370200")).get(url).status_code == 403
    assert api.get(f"/api/v1/dibao-cases/{dibao_case['id']}/documents/nonsense.pdf").status_code == 404


def test_the_public_notice_list_names_no_one_in_full(  # noqa: PLR0917
    api, api_for, make_staff, sd_approver, district_approver, dibao_case
):
    from relief.models import DibaoCase

    approve(api, api_for, sd_approver, district_approver, dibao_case["id"])
    head = DibaoCase.objects.get(pk=dibao_case["id"]).household.head
    notice = text_of(api.get(f"/api/v1/public-notices/{OWN_COMMUNITY}/document.pdf"))
    assert "最低生活保障对象公示" in notice
    assert head.name[:1] + "*" in notice and head.name not in notice
    assert not ID_NUMBER.search(notice)
    other = api_for(make_staff("caseworker", OTHER_SUBDISTRICT))
    assert other.get(f"/api/v1/public-notices/{OWN_COMMUNITY}/document.pdf").status_code == 404


def test_the_marriage_certificate_carries_the_numbers_and_logs_them(api_for, make_staff, divisions):
    from marriage import services
    from tests.factories import PersonFactory, make_id_number

    registrar = make_staff("registrar", "370202")
    a = PersonFactory(id_number=make_id_number("370202", datetime.date(1990, 1, 1), male=True), sex="male")
    b = PersonFactory(id_number=make_id_number("370202", datetime.date(1992, 5, 6), male=False), sex="female")
    registration = services.marriage_register(
        actor=registrar, party_a=a, party_b=b, applied_on=datetime.date(2020, 8, 8), declarations_signed=True
    )
    text = text_of(
        api_for(registrar).get(f"/api/v1/marriage-registrations/{registration.pk}/documents/certificate.pdf")
    )
    assert "结婚登记证件信息" in text and a.name in text and b.name in text
    assert a.id_number in text and b.id_number in text  # the certificate must carry them
    assert registration.certificate_number in text
    logged = set(RevealLog.objects.filter(field="id_number").values_list("object_id", flat=True))
    assert {str(a.pk), str(b.pk)} <= logged


def test_the_social_organization_certificate(api_for, make_staff):
    from tests.social_orgs.conftest import make_credit_code

    officer = make_staff("socialorg_officer", "370200")
    client = api_for(officer)
    code = make_credit_code()
    response = client.post(
        "/api/v1/social-orgs/",
        {
            "name": "青岛市测试行业协会",
            "credit_code": code,
            "org_type": "group",
            "level": "city",
            "legal_representative": "王会长",
            "founded_on": "2010-06-01",
            "is_industry_association": True,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    text = text_of(client.get(f"/api/v1/social-orgs/{response.json()['id']}/documents/certificate.pdf"))
    assert "社会团体法人登记证书" in text and "青岛市测试行业协会" in text and code in text and "王会长" in text


def test_the_road_naming_approval(api_for, make_staff):
    from placenames.models import NamingApplication

    officer = make_staff("placename_officer", "370202")
    client = api_for(officer)
    application = client.post(
        "/api/v1/road-naming-applications/", {"proposed_name": "松岭东路", "district": "370202"}, format="json"
    ).json()
    url = f"/api/v1/road-naming-applications/{application['id']}/documents/approval.pdf"
    assert client.get(url).status_code == 409  # not approved yet
    NamingApplication.objects.filter(pk=application["id"]).update(
        status="approved", approval_document="青政地名〔2020〕12号", approved_on=datetime.date(2020, 6, 1)
    )
    text = text_of(client.get(url))
    assert "关于道路命名的批复" in text and "松岭东路" in text and "青政地名〔2020〕12号" in text


def test_the_a4_print_view_shows_the_same_document(browser_client, caseworker, dibao_case):
    client = browser_client(caseworker)
    page = client.get(f"/documents/dibao-cases/{dibao_case['id']}/print/approval-form/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "最低生活保障审批表" in html and "青岛市民政局" in html and "data-print" in html
    assert not ID_NUMBER.search(html)
    case_page = client.get(f"/relief/dibao/{dibao_case['id']}/").content.decode()
    assert f"/documents/dibao-cases/{dibao_case['id']}/print/approval-form/" in case_page
    pdf = client.get(f"/documents/dibao-cases/{dibao_case['id']}/print/approval-form.pdf")
    assert "最低生活保障审批表" in text_of(pdf)
    notice = client.get(f"/documents/public-notices/{OWN_COMMUNITY}/")
    assert notice.status_code == 200 and "最低生活保障对象公示" in notice.content.decode()


@pytest.mark.parametrize("name", ["approval-form", "decision"])
def test_the_print_buttons_show_only_available_documents(browser_client, caseworker, dibao_case, name):
    html = browser_client(caseworker).get(f"/relief/dibao/{dibao_case['id']}/").content.decode()
    shown = f"/print/{name}/" in html
    assert shown == (name == "approval-form")

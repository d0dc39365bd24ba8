from __future__ import annotations

import io

import openpyxl
import pytest

from social_orgs import services
from social_orgs.models import CommunityOrg, EnforcementCase, SocialOrg
from tests.social_orgs.conftest import make_credit_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def association(city_officer):
    values = services.clean_org_values(
        actor=city_officer,
        name="青岛市测试行业协会",
        credit_code=make_credit_code(),
        org_type="group",
        level="city",
        legal_representative="王",
        founded_on="2010-01-01",
        is_industry_association=True,
    )
    org = services.social_org_register(actor=city_officer, values=values)
    services.decoupling_enrol(actor=city_officer, org=org, administrative_organ="市商务局")
    return org


def test_the_registry_pages_render(browser_client, city_officer, association):
    community = services.community_org_file(
        actor=city_officer, community="370202001001", name="志愿队", category="charity", person_in_charge="刘"
    )
    case = services.enforcement_case_open(actor=city_officer, target_name="某研究会", source="report", summary="x")
    client = browser_client(city_officer)
    for url in [
        "/social-orgs/",
        "/social-orgs/?org_type=group&q=青岛",
        "/social-orgs/new/",
        f"/social-orgs/{association.pk}/",
        f"/social-orgs/{association.pk}/edit/",
        "/social-orgs/decoupling/",
        "/social-orgs/import/",
        "/social-orgs/community/",
        "/social-orgs/community/new/",
        f"/social-orgs/community/{community.pk}/",
        "/social-orgs/enforcement/",
        "/social-orgs/enforcement/new/",
        f"/social-orgs/enforcement/{case.pk}/",
    ]:
        assert client.get(url).status_code == 200, url


def test_the_form_shows_a_wrong_check_character_on_its_field(browser_client, city_officer):
    code = make_credit_code()
    response = browser_client(city_officer).post(
        "/social-orgs/new/",
        {
            "name": "某基金会",
            "credit_code": code[:17] + ("0" if code[17] != "0" else "1"),
            "org_type": "foundation",
            "level": "city",
            "legal_representative": "李",
            "founded_on": "2019-01-01",
        },
    )
    assert response.status_code == 200
    assert "credit_code" in response.context["form"].errors
    assert not SocialOrg.objects.exists()


def test_the_import_pages_preview_and_commit(browser_client, city_officer):
    book = openpyxl.Workbook()
    book.active.append(["名称", "统一社会信用代码", "类型", "登记级别", "法定代表人", "成立登记日期"])
    book.active.append(["某协会", make_credit_code(), "社会团体", "市级", "王", "2016-01-01"])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.name = "registry.xlsx"
    buffer.seek(0)
    client = browser_client(city_officer)
    response = client.post("/social-orgs/import/", {"file": buffer})
    assert response.status_code == 302
    preview = client.get(response["Location"])
    assert "某协会" not in preview.content.decode()  # nothing written yet
    client.post(response["Location"] + "commit/")
    assert SocialOrg.objects.filter(name="某协会").exists()


def test_the_export_downloads_a_workbook(browser_client, city_officer, association):
    response = browser_client(city_officer).get("/social-orgs/export/")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]


def test_steps_are_recorded_from_the_organization_page(browser_client, city_officer, association):
    client = browser_client(city_officer)
    client.post(f"/social-orgs/{association.pk}/decoupling/steps/", {"step": "institution"})
    client.post(
        f"/social-orgs/{association.pk}/inspections/",
        {"year": "2019", "result": "qualified"},
    )
    client.post(f"/social-orgs/{association.pk}/status/deregistered/", {"reason": "解散"})
    association.refresh_from_db()
    assert association.status == "deregistered"
    assert association.decoupling.steps.count() == 1
    assert association.inspections.get().result == "qualified"


def test_community_and_enforcement_forms(browser_client, city_officer):
    client = browser_client(city_officer)
    client.post(
        "/social-orgs/community/new/",
        {
            "community": "370202001001",
            "name": "舞蹈队",
            "category": "culture_sports",
            "person_in_charge": "赵",
            "members_count": "12",
        },
    )
    assert CommunityOrg.objects.get().members_count == 12
    client.post("/social-orgs/enforcement/new/", {"target_name": "某联合会", "source": "report", "summary": "非法募捐"})
    case = EnforcementCase.objects.get()
    client.post(f"/social-orgs/enforcement/{case.pk}/investigate/", {"note": ""})
    case.refresh_from_db()
    assert case.status == "investigating"


def test_a_caseworker_gets_no_registry_pages(browser_client, make_staff):
    assert browser_client(make_staff()).get("/social-orgs/").status_code == 403

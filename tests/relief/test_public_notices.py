"""Community notice lists (公示名单): name as notices show it, members, amount — nothing else."""

from __future__ import annotations

import pytest

from core.cases import local_today
from core.publicnotice import check_public_rows
from people.models import Person
from relief import services
from relief.models import DibaoCase
from tests.conftest import OTHER_DISTRICT, OTHER_SUBDISTRICT_COMMUNITY, OWN_COMMUNITY
from tests.factories import make_household, review_through_notice

pytestmark = pytest.mark.django_db


@pytest.fixture
def notices(actors, standards):
    """In 八大峡社区: a dibao household in notice, one approved, a tekun person in notice, one only applied."""

    def household(name, members, community=OWN_COMMUNITY):
        h = make_household(community=community, members=members, created_by=actors.caseworker)
        Person.objects.filter(pk=h.head_id).update(name=name)
        return h

    def investigated(case, kind):
        getattr(services, f"{kind}_case_investigate")(
            actor=actors.caseworker,
            case=case,
            investigation=services.InvestigationSpec(on="2026-01-05", investigators="王伟"),
        )
        return case

    noticed = services.dibao_case_create(
        actor=actors.caseworker, household=household("张三丰", 3), monthly_income="600"
    )
    services.dibao_case_review(actor=actors.reviewer, case=investigated(noticed, "dibao"))
    approved = services.dibao_case_create(
        actor=actors.caseworker, household=household("欧阳建国", 2), monthly_income="0"
    )
    review_through_notice(approved, reviewer=actors.reviewer)
    services.dibao_case_approve(actor=actors.approver, case=approved)
    services.dibao_case_create(actor=actors.caseworker, household=household("李四", 1), monthly_income="100")
    tekun = services.tekun_case_create(
        actor=actors.caseworker, person=household("王五", 1).head, care_level="full", placement="home"
    )
    services.tekun_case_review(actor=actors.reviewer, case=investigated(tekun, "tekun"))
    DibaoCase.objects.create(  # in notice in the next sub-district's community: not on this list
        household=household("赵六", 1, OTHER_SUBDISTRICT_COMMUNITY),
        monthly_income=0,
        members_count=1,
        status="public_notice",
        notice_until=local_today(),
        created_by=actors.caseworker,
    )
    return {"noticed": noticed, "approved": approved, "tekun": tekun}


def test_the_list_shows_the_cases_in_notice_then_the_approved_with_masked_names(api_for, actors, notices):
    response = api_for(actors.caseworker).get(f"/api/v1/public-notices/?community={OWN_COMMUNITY}")
    assert response.status_code == 200, response.content
    rows = response.json()["results"]
    assert check_public_rows(rows) == []
    assert all(set(row) == {"name", "members_count", "monthly_allowance", "notice_until"} for row in rows)
    noticed, tekun = notices["noticed"], notices["tekun"]
    noticed.refresh_from_db()
    tekun.refresh_from_db()
    assert rows == [
        # (940 − 600 / 3) × 3 = 2220.00 from next month (the standard of 2020-04 on)
        {"name": "张**", "members_count": 3, "monthly_allowance": "2220.00", "notice_until": f"{noticed.notice_until}"},
        {
            "name": "王*",
            "members_count": 1,
            "monthly_allowance": rows[1]["monthly_allowance"],
            "notice_until": f"{tekun.notice_until}",
        },
        {"name": "欧***", "members_count": 2, "monthly_allowance": "1880.00", "notice_until": None},
    ]
    assert rows[1]["monthly_allowance"] is not None
    text = response.content.decode()
    for withheld in ("张三丰", "欧阳建国", "李", "赵", "测试路", "370202"):
        assert withheld not in text


def test_the_community_is_required_and_must_be_in_ones_geography(api_for, actors, make_staff, notices):
    client = api_for(actors.caseworker)
    response = client.get("/api/v1/public-notices/")
    assert response.status_code == 400
    assert "community" in response.json()
    assert client.get("/api/v1/public-notices/?community=370202001").status_code == 404  # a sub-district
    other = api_for(make_staff("caseworker", OTHER_DISTRICT + "001"))
    assert other.get(f"/api/v1/public-notices/?community={OWN_COMMUNITY}").status_code == 404
    registrar = api_for(make_staff("registrar", "370202"))
    assert registrar.get(f"/api/v1/public-notices/?community={OWN_COMMUNITY}").status_code == 403


def test_the_printable_page_per_community(browser_client, actors, notices):
    client = browser_client(actors.caseworker)
    html = client.get(f"/relief/public-notices/?community={OWN_COMMUNITY}").content.decode()
    assert "张**" in html and "欧***" in html and "王*" in html
    for withheld in ("张三丰", "欧阳建国", "李四", "赵六", "测试路1号"):
        assert withheld not in html
    assert 'data-testid="notice-sheet"' in html
    assert client.get("/relief/public-notices/?community=370203001001").status_code == 404
    assert client.get("/relief/public-notices/").status_code == 200  # the community picker

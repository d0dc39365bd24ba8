"""The work queue: ``GET my/tasks/`` and each role's home page, the same counts, scoped, only the role's kinds."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest

from core.cases import local_today
from core.worklist import kinds_for, tasks_for
from relief.models import DibaoCase, TekunCase, TemporaryReliefClaim
from relief.services import standards_seed
from tests.conftest import OTHER_DISTRICT_COMMUNITY, OTHER_SUBDISTRICT_COMMUNITY, OWN_COMMUNITY
from tests.factories import PersonFactory, make_household

pytestmark = pytest.mark.django_db

APPROVAL_KINDS = {"dibao_to_approve", "tekun_to_approve", "claims_to_approve", "runs_to_approve"}


def _dibao(status, community=OWN_COMMUNITY, created_by=None, **extra):
    household = make_household(community=community, created_by=created_by)
    return DibaoCase.objects.create(
        household=household,
        monthly_income=Decimal("100.00"),
        members_count=1,
        status=status,
        created_by=household.created_by,
        **extra,
    )


def _claim(amount, community=OWN_COMMUNITY, created_by=None, **extra):
    household = make_household(community=community, created_by=created_by)
    return TemporaryReliefClaim.objects.create(
        household=household,
        amount=Decimal(amount),
        kind="urgent",
        reason="火灾",
        created_by=created_by or household.created_by,
        **extra,
    )


@pytest.fixture
def city(db, caseworker):
    """Work in three places: the caseworker's sub-district, the next sub-district, another district."""
    standards_seed(demo=False)  # the small-claim threshold (1000.00 by default)
    for community in (OWN_COMMUNITY, OTHER_SUBDISTRICT_COMMUNITY, OTHER_DISTRICT_COMMUNITY):
        _dibao("submitted", community)
        _dibao("public_notice", community, notice_until=local_today() - datetime.timedelta(days=1))  # to decide
        _dibao("public_notice", community, notice_until=local_today() + datetime.timedelta(days=5))  # still running
    _dibao("submitted")  # two to review at home
    _dibao("active", next_review_on=local_today() - datetime.timedelta(days=3))  # overdue
    _dibao("active", next_review_on=local_today() + datetime.timedelta(days=400))  # not due
    TekunCase.objects.create(
        person=PersonFactory(division_id=OWN_COMMUNITY),
        care_level="full",
        placement="home",
        area_type="urban",
        status="submitted",
        created_by=caseworker,
    )
    _claim("500.00")  # a small claim: the sub-district's
    _claim("5000.00")  # above the threshold: the district's
    _claim("800.00", created_by=caseworker)
    _claim("600.00", community=OTHER_DISTRICT_COMMUNITY)


def _by_kind(body):
    return {item["kind"]: item for item in body["items"]}


def test_a_caseworker_gets_no_approval_kind_and_counts_only_its_sub_district(caseworker, city, api_for):
    body = api_for(caseworker).get("/api/v1/my/tasks/").json()
    assert not APPROVAL_KINDS & set(_by_kind(body))
    assert not APPROVAL_KINDS & set(kinds_for(caseworker))
    assert "dibao_to_review" not in _by_kind(body)  # the sub-district approver reviews (审核), not the window


def test_a_sub_district_approver_sees_its_reviews_rechecks_and_small_claims(make_staff, city, api_for):
    approver = make_staff("subdistrict_approver")
    body = api_for(approver).get("/api/v1/my/tasks/").json()
    items = _by_kind(body)
    assert items["dibao_to_review"]["count"] == 2
    assert items["tekun_to_review"]["count"] == 1
    assert items["rechecks_due"]["count"] == 1
    assert items["claims_to_approve"]["count"] == 2  # 500 and 800, not 5000 (the district's), not elsewhere
    assert "dibao_to_approve" not in items  # not delegated in 市南区
    assert body["total"] == sum(i["count"] for i in body["items"])
    assert items["claims_to_approve"]["link"] == "/relief/claims/?decide=1"


def test_a_district_approver_gets_approvals_above_the_threshold_in_its_district(make_staff, city, api_for):
    approver = make_staff("district_approver", "370202")
    items = _by_kind(api_for(approver).get("/api/v1/my/tasks/").json())
    assert items["dibao_to_approve"]["count"] == 2  # its two sub-districts, not 市北区
    assert items["claims_to_approve"]["count"] == 1  # 5000.00 only
    assert "dibao_to_review" not in items


def test_each_count_is_what_its_link_lists(make_staff, city, browser_client):
    """The home page shows the API's counts, and each tile opens a list of exactly that many records."""
    approver = make_staff("subdistrict_approver")
    client = browser_client(approver)
    html = client.get("/").content.decode()
    tasks = tasks_for(approver)
    assert tasks
    for task in tasks:
        assert f'data-testid="count-{task.kind}">{task.count}<' in html
        assert f'href="{task.link}"' in html.replace("&amp;", "&")
        listed = client.get(task.link).content.decode()
        rows = len(re.findall(r"<tr>\s*<td", listed)) + len(re.findall(r'<tr class="[^"]*">\s*<td', listed))
        assert rows == task.count, (task.kind, rows, task.count)


def test_the_labels_are_in_the_request_language(make_staff, city, api_for):
    approver = make_staff("subdistrict_approver")
    zh = _by_kind(api_for(approver).get("/api/v1/my/tasks/").json())
    en = _by_kind(api_for(approver).get("/api/v1/my/tasks/", HTTP_ACCEPT_LANGUAGE="en").json())
    assert en["dibao_to_review"]["label"] == "Dibao applications to review"
    assert zh["dibao_to_review"]["label"] != en["dibao_to_review"]["label"]
    assert re.search(r"[\u4e00-\u9fff]", zh["dibao_to_review"]["label"])


def test_a_finance_officer_approves_only_runs_someone_else_started(make_staff, api_for):
    from payouts.models import PayoutRun

    maker, checker = make_staff("finance", "370200"), make_staff("finance", "370200")
    PayoutRun.objects.create(scheme="dibao", period=datetime.date(2020, 4, 1), status="computed", started_by=maker)
    PayoutRun.objects.create(scheme="tekun", period=datetime.date(2020, 4, 1), status="computed", started_by=checker)
    PayoutRun.objects.create(scheme="orphan", period=datetime.date(2020, 4, 1), status="queued", started_by=maker)
    assert _by_kind(api_for(checker).get("/api/v1/my/tasks/").json())["runs_to_approve"]["count"] == 1
    assert _by_kind(api_for(maker).get("/api/v1/my/tasks/").json())["runs_to_approve"]["count"] == 1


def test_leaders_and_auditors_have_nothing_to_act_on(make_staff, city, api_for):
    for role in ("leader", "auditor"):
        body = api_for(make_staff(role, "370200")).get("/api/v1/my/tasks/").json()
        assert body == {"total": 0, "items": []}, role


def test_signed_out_is_401(client):
    assert client.get("/api/v1/my/tasks/").status_code == 401

"""Browser pages: they render in Chinese by default, call the same services, and stay in scope."""

from __future__ import annotations

import datetime

import pytest

from core.cases import local_today
from relief.models import DibaoCase, PriceIndex, StationAdmission, TekunCase, TemporaryReliefClaim
from relief.services import admission_create, temporary_relief_claim_create
from tests.conftest import OTHER_DISTRICT_COMMUNITY, OWN_COMMUNITY
from tests.factories import end_notice, make_household

pytestmark = pytest.mark.django_db


def page(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


def test_the_pages_render_for_each_role(browser_client, actors, admin_user, standards):
    caseworker = actors.caseworker
    household = make_household(community=OWN_COMMUNITY, members=2)
    claim = temporary_relief_claim_create(
        actor=caseworker, household=household, amount="500", kind="urgent", reason="火灾"
    )
    admission = admission_create(actor=caseworker, name="无名氏", admitted_on="2020-03-01", source="self")
    client = browser_client(caseworker)
    for url in [
        "/relief/",
        "/relief/dibao/",
        "/relief/tekun/",
        "/relief/claims/",
        "/relief/claims/?overdue=1",
        f"/relief/claims/{claim.pk}/",
        f"/relief/households/{household.pk}/",
        f"/relief/dibao/apply/{household.pk}/",
        f"/relief/claims/new/{household.pk}/",
        f"/relief/tekun/apply/{household.head_id}/",
        "/relief/standards/",
        "/relief/price-indices/",
        "/relief/vagrant/",
        "/relief/vagrant/new/",
        f"/relief/vagrant/{admission.pk}/",
        f"/people/households/{household.pk}/",
    ]:
        page(client, url)
    assert "社会救助" in page(client, "/relief/")  # Chinese by default
    page(client, "/relief/queue/", status=403)
    for user in (actors.reviewer, actors.approver):
        assert "claims-queue" in page(browser_client(user), "/relief/queue/")
    admin_pages = browser_client(admin_user)
    page(admin_pages, "/relief/standards/")
    page(admin_pages, "/relief/price-indices/")
    page(admin_pages, "/relief/", status=403)


def test_the_household_page_links_to_social_assistance(browser_client, caseworker):
    household = make_household(community=OWN_COMMUNITY)
    assert f"/relief/households/{household.pk}/" in page(
        browser_client(caseworker), f"/people/households/{household.pk}/"
    )


def test_pages_outside_ones_geography_are_not_found(browser_client, caseworker, make_staff):
    household = make_household(community=OTHER_DISTRICT_COMMUNITY)
    other = make_staff("caseworker", "370203001")
    claim = temporary_relief_claim_create(actor=other, household=household, amount="500", kind="urgent", reason="火灾")
    client = browser_client(caseworker)
    for url in (
        f"/relief/households/{household.pk}/",
        f"/relief/claims/{claim.pk}/",
        f"/relief/claims/new/{household.pk}/",
        f"/relief/dibao/apply/{household.pk}/",
    ):
        page(client, url, status=404)


def test_dibao_application_previews_the_allowance_then_submits(browser_client, caseworker, standards):
    household = make_household(community=OWN_COMMUNITY, members=2, area_type="urban")
    members = list(household.members.order_by("id"))
    data = {
        "incomes-TOTAL_FORMS": "2",
        "incomes-INITIAL_FORMS": "0",
        "incomes-MIN_NUM_FORMS": "0",
        "incomes-MAX_NUM_FORMS": "60",
        "incomes-0-person": members[0].person_id,
        "incomes-0-source": "wages",
        "incomes-0-amount": "300.00",
        "incomes-1-person": members[1].person_id,
        "incomes-1-source": "pension",
        "incomes-1-amount": "100",
        "investigated_on": f"{local_today():%Y-%m-%d}",
        "investigators": "王伟",
        "findings": "家中无其他收入",
        "note": "",
    }
    client = browser_client(caseworker)
    preview = client.post(f"/relief/dibao/apply/{household.pk}/", {**data, "preview": "1"})
    assert preview.status_code == 200
    text = preview.content.decode()
    assert "200.00" in text  # per-capita income 400 / 2
    assert "1480.00" in text  # (940 − 200) × 2
    assert not DibaoCase.objects.exists()
    submitted = client.post(f"/relief/dibao/apply/{household.pk}/", {**data, "submit": "1"})
    case = DibaoCase.objects.get()
    assert submitted.status_code == 302 and submitted["Location"] == f"/relief/dibao/{case.pk}/"
    assert (case.monthly_income, case.investigators, case.incomes.count()) == (400, "王伟", 2)
    detail = page(client, f"/relief/dibao/{case.pk}/?month=2020-01")
    assert "1360.00" in detail  # (880 − 200) × 2 in January 2020
    assert "家中无其他收入" in detail


def test_dibao_application_refuses_a_negative_income(browser_client, caseworker, standards):
    household = make_household(community=OWN_COMMUNITY)
    data = {
        "incomes-TOTAL_FORMS": "1",
        "incomes-INITIAL_FORMS": "0",
        "incomes-MIN_NUM_FORMS": "0",
        "incomes-MAX_NUM_FORMS": "60",
        "incomes-0-person": household.head_id,
        "incomes-0-source": "wages",
        "incomes-0-amount": "-5",
        "submit": "1",
    }
    response = browser_client(caseworker).post(f"/relief/dibao/apply/{household.pk}/", data)
    assert response.status_code == 200
    assert not DibaoCase.objects.exists()


def test_case_actions_from_the_page(browser_client, caseworker, sd_approver, district_approver, standards):
    household = make_household(community=OWN_COMMUNITY)
    from relief.services import dibao_case_create

    case = dibao_case_create(actor=caseworker, household=household, monthly_income="100")
    # The review waits for the home investigation: refused on the page, not a crash.
    browser_client(sd_approver).post(f"/relief/dibao/{case.pk}/review/", {"review-note": "材料齐全"})
    case.refresh_from_db()
    assert case.status == "submitted"
    investigation = {
        "investigate-investigated_on": f"{local_today():%Y-%m-%d}",
        "investigate-investigators": "王伟",
        "investigate-findings": "属实",
    }
    assert browser_client(caseworker).post(f"/relief/dibao/{case.pk}/investigate/", investigation).status_code == 302
    response = browser_client(sd_approver).post(f"/relief/dibao/{case.pk}/review/", {"review-note": "材料齐全"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "public_notice"
    # While the notice runs no one is offered the decision, and a forced one is refused on the page.
    assert 'data-testid="action-approve"' not in page(browser_client(district_approver), f"/relief/dibao/{case.pk}/")
    browser_client(district_approver).post(f"/relief/dibao/{case.pk}/approve/", {"approve-note": "同意"})
    case.refresh_from_db()
    assert case.status == "public_notice"
    end_notice(case)
    # A refusal is shown on the page, not a crash.
    browser_client(caseworker).post(f"/relief/dibao/{case.pk}/approve/", {"approve-note": ""})
    case.refresh_from_db()
    assert case.status == "public_notice"
    client = browser_client(district_approver)
    detail = page(client, f"/relief/dibao/{case.pk}/")
    assert 'data-testid="action-approve"' in detail
    client.post(f"/relief/dibao/{case.pk}/approve/", {"approve-note": "同意"})
    case.refresh_from_db()
    assert case.status == "active"
    assert "材料齐全" in page(client, f"/relief/dibao/{case.pk}/")


def test_tekun_application_from_the_page(browser_client, caseworker, standards):
    household = make_household(community=OWN_COMMUNITY)
    response = browser_client(caseworker).post(
        f"/relief/tekun/apply/{household.head_id}/",
        {"care_level": "none", "placement": "institution", "institution": "市福利院"},
    )
    case = TekunCase.objects.get()
    assert response["Location"] == f"/relief/tekun/{case.pk}/"
    assert "2422.00" in page(browser_client(caseworker), f"/relief/tekun/{case.pk}/?month=2020-05")


def test_bulk_approval_from_the_queue_shows_each_result(browser_client, caseworker, sd_approver):
    household = make_household(community=OWN_COMMUNITY)
    small = temporary_relief_claim_create(
        actor=caseworker, household=household, amount="600", kind="urgent", reason="a"
    )
    also = temporary_relief_claim_create(
        actor=caseworker, household=household, amount="400", kind="expense", reason="b"
    )
    big = temporary_relief_claim_create(
        actor=caseworker, household=household, amount="4000", kind="expense", reason="c"
    )
    client = browser_client(sd_approver)
    queue = page(client, "/relief/queue/")
    assert f'value="{small.pk}"' in queue and f'value="{big.pk}"' not in queue  # above the limit: not selectable
    response = client.post("/relief/claims/approve/", {"claims": [small.pk, also.pk, big.pk], "note": "批量"})
    assert response.status_code == 200
    text = response.content.decode()
    assert text.count("result-ok") == 2 and text.count("result-refused") == 1
    assert TemporaryReliefClaim.objects.filter(status="approved").count() == 2
    assert "1000.00" in page(client, f"/relief/households/{household.pk}/")


def test_claim_form_refuses_bad_amounts_and_files_good_ones(browser_client, caseworker):
    household = make_household(community=OWN_COMMUNITY)
    client = browser_client(caseworker)
    bad = client.post(f"/relief/claims/new/{household.pk}/", {"amount": "-1", "kind": "urgent", "reason": "火灾"})
    assert bad.status_code == 200 and not TemporaryReliefClaim.objects.exists()
    good = client.post(
        f"/relief/claims/new/{household.pk}/",
        {"amount": "800", "kind": "urgent", "reason": "火灾", "green_channel": "on"},
    )
    claim = TemporaryReliefClaim.objects.get()
    assert good["Location"] == f"/relief/claims/{claim.pk}/" and claim.green_channel


def test_admin_enters_standards_and_indices_from_the_pages(browser_client, admin_user, caseworker):
    client = browser_client(admin_user)
    response = client.post(
        "/relief/standards/",
        {
            "scheme": "temporary_relief_small_claim",
            "division": "370202",
            "effective_from": "2021-01-01",
            "amount": "2000",
        },
    )
    assert response.status_code == 302
    again = client.post(
        "/relief/standards/",
        {
            "scheme": "temporary_relief_small_claim",
            "division": "370202",
            "effective_from": "2021-01-01",
            "amount": "2000",
        },
    )
    assert again.status_code == 200  # shown with the error
    response = client.post("/relief/price-indices/", {"month": "2020-01", "cpi_yoy": "5.4", "food_cpi_yoy": "20.6"})
    index = PriceIndex.objects.get()
    assert response["Location"] == f"/relief/price-indices/{index.pk}/"
    assert (
        browser_client(caseworker)
        .post("/relief/price-indices/", {"month": "2020-02", "cpi_yoy": "5.2", "food_cpi_yoy": "21.9"})
        .status_code
        == 403
    )


def test_vagrant_pages_record_a_stay(browser_client, caseworker):
    client = browser_client(caseworker)
    response = client.post(
        "/relief/vagrant/new/", {"name": "无名氏", "admitted_on": "2020-03-01", "source": "police", "sex": "male"}
    )
    admission = StationAdmission.objects.get()
    assert response["Location"] == f"/relief/vagrant/{admission.pk}/"
    client.post(f"/relief/vagrant/{admission.pk}/service/", {"service-kind": "food", "service-given_on": "2020-03-01"})
    client.post(f"/relief/vagrant/{admission.pk}/trace/", {"trace-method": "dna", "trace-started_on": "2020-03-02"})
    trace = admission.traces.get()
    client.post(
        f"/relief/vagrant/{admission.pk}/traces/{trace.pk}/conclude/",
        {"conclude-found": "1", "conclude-concluded_on": "2020-03-10"},
    )
    client.post(
        f"/relief/vagrant/{admission.pk}/discharge/",
        {"discharge-outcome": "reunited", "discharge-discharged_on": "2020-03-11"},
    )
    admission.refresh_from_db()
    assert (admission.status, admission.services.count(), admission.traces.get().status) == ("discharged", 1, "found")
    counts = page(client, "/relief/vagrant/?year=2020")
    assert "vagrant-counts" in counts
    assert admission.discharged_on == datetime.date(2020, 3, 11)

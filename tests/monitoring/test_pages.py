"""The monitoring pages: the low-income population, the warnings, handling one; in Chinese by default."""

from __future__ import annotations

import pytest

from monitoring.models import RiskWarning
from tests.conftest import OTHER_SUBDISTRICT_COMMUNITY, OWN_COMMUNITY
from tests.factories import make_household
from tests.monitoring.conftest import MONTH, record_means
from tests.monitoring.test_warnings import make_warning

pytestmark = pytest.mark.django_db


def test_the_low_income_page_lists_a_tier_with_why(browser_client, caseworker):
    household = make_household(community=OWN_COMMUNITY, members=2, created_by=caseworker)
    record_means(household, "2000.00")
    page = browser_client(caseworker).get(f"/monitoring/?tier=marginal&month={MONTH}")
    assert page.status_code == 200
    html = page.content.decode()
    assert household.head.name in html and "低保边缘" in html and "1000.00" in html and "940.00" in html
    assert household.head.id_number not in html  # masked


def test_the_warning_pages_and_handling_from_the_browser(browser_client, caseworker):
    household = make_household(community=OWN_COMMUNITY, members=1, created_by=caseworker)
    warning = make_warning(household)
    client = browser_client(caseworker)
    listing = client.get("/monitoring/warnings/?status=open").content.decode()
    assert f"/monitoring/warnings/{warning.pk}/" in listing and "患重大疾病" in listing
    detail = client.get(f"/monitoring/warnings/{warning.pk}/").content.decode()
    assert 'data-testid="handle-form"' in detail and "已走访，无需救助" in detail
    refused = client.post(f"/monitoring/warnings/{warning.pk}/handle/", {"outcome": "assisted"})
    assert refused.status_code == 400 and "请注明据以救助的案件或申请" in refused.content.decode()
    done = client.post(f"/monitoring/warnings/{warning.pk}/handle/", {"outcome": "visited_no_need", "note": "核实"})
    assert done.status_code == 302
    assert RiskWarning.objects.get(pk=warning.pk).outcome == "visited_no_need"
    after = client.get(f"/monitoring/warnings/{warning.pk}/").content.decode()
    assert 'data-testid="handle-form"' not in after and "按期" in after


def test_pages_refuse_other_areas_and_roles(browser_client, caseworker, make_staff):
    theirs = make_warning(make_household(community=OTHER_SUBDISTRICT_COMMUNITY, members=1, created_by=caseworker))
    assert browser_client(caseworker).get(f"/monitoring/warnings/{theirs.pk}/").status_code == 404
    district = browser_client(make_staff("district_approver", "370202"))
    page = district.get(f"/monitoring/warnings/{theirs.pk}/")
    assert page.status_code == 200 and 'data-testid="handle-form"' not in page.content.decode()
    assert (
        district.post(f"/monitoring/warnings/{theirs.pk}/handle/", {"outcome": "referred", "note": "x"}).status_code
        == 403
    )
    registrar = browser_client(make_staff("registrar", "370202"))
    assert registrar.get("/monitoring/").status_code == 403
    assert registrar.get("/monitoring/warnings/").status_code == 403


def test_the_low_income_search_is_posted_and_the_number_stays_out_of_the_url(browser_client, caseworker):
    household = make_household(community=OWN_COMMUNITY, members=1, created_by=caseworker)
    record_means(household, "1000.00")
    client = browser_client(caseworker)
    tail = household.head.id_number[-6:]
    response = client.post("/monitoring/", {"_search": "1", "tier": "marginal", "month": MONTH, "q": tail})
    assert response.status_code == 303 and tail not in response["Location"]
    page = client.get(response["Location"]).content.decode()
    assert household.head.name in page and 'method="post" class="filters" role="search"' in page

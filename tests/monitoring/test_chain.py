"""One chain of assistance per household: ``GET households/{id}/assistance-chain/`` and the household page's panel."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from core.cases import open_case, transition
from relief.models import TemporaryReliefClaim
from tests.conftest import OTHER_SUBDISTRICT_COMMUNITY, OWN_COMMUNITY
from tests.factories import make_household
from tests.monitoring.conftest import active_dibao, record_means
from tests.monitoring.test_warnings import _line, _run, make_warning

pytestmark = pytest.mark.django_db


def _chain(client, household):
    response = client.get(f"/api/v1/households/{household.pk}/assistance-chain/")
    assert response.status_code == 200, response.content
    return response.json()


def test_the_chain_holds_the_case_the_claim_the_payment_and_the_warning(api, caseworker, make_staff):
    household = make_household(community=OWN_COMMUNITY, members=2, created_by=caseworker)
    case = active_dibao(household)
    open_case(case, actor=caseworker)
    claim = TemporaryReliefClaim.objects.create(
        household=household, amount=Decimal("1500.00"), kind="expense", reason="住院", created_by=caseworker
    )
    open_case(claim, actor=caseworker)
    finance = make_staff("finance", "370200")
    _line(_run("dibao", datetime.date(2020, 6, 1), finance), household, "paid")
    warning = make_warning(household, kind="illness")
    record_means(household, "1200.00")
    api.post(
        f"/api/v1/households/{household.pk}/expenses/",
        {"kind": "medical", "month": "2020-06", "amount": "300.00"},
        format="json",
    )
    api.post(f"/api/v1/warnings/{warning.pk}/handle/", {"outcome": "assisted", "claim": claim.pk}, format="json")
    body = _chain(api, household)
    assert body["household"] == household.pk and body["tiers"] == ["dibao"]
    schemes = [e["scheme"] for e in body["events"]]
    for scheme in ("dibao", "temporary_relief", "payout:dibao", "warning", "means", "expense"):
        assert scheme in schemes, scheme
    payment = next(e for e in body["events"] if e["scheme"] == "payout:dibao")
    assert payment["amount"] == "880.00" and "2020-06" in payment["what"] and "已支付" in payment["what"]
    claim_event = next(e for e in body["events"] if e["scheme"] == "temporary_relief")
    assert claim_event["amount"] == "1500.00"
    handled = [e for e in body["events"] if e["scheme"] == "warning" and "已救助" in e["what"]]
    assert handled and f"{claim.pk}" in handled[0]["what"]
    assert [e["at"] for e in body["events"]] == sorted((e["at"] for e in body["events"]), reverse=True)
    for event in body["events"]:
        assert event["what"] and "_" not in event["what"]  # plain words, no tokens


def test_the_chain_is_scoped_and_needs_the_monitoring_view(api, caseworker, api_for, make_staff):
    theirs = make_household(community=OTHER_SUBDISTRICT_COMMUNITY, members=1, created_by=caseworker)
    assert api.get(f"/api/v1/households/{theirs.pk}/assistance-chain/").status_code == 404
    assert api.get("/api/v1/households/999999/assistance-chain/").status_code == 404
    registrar = api_for(make_staff("registrar", "370202"))
    assert registrar.get(f"/api/v1/households/{theirs.pk}/assistance-chain/").status_code == 403
    assert _chain(api_for(make_staff("district_approver", "370202")), theirs)["events"] == []


def test_the_household_page_shows_the_chain_and_the_expense_form(browser_client, caseworker, make_staff):
    household = make_household(community=OWN_COMMUNITY, members=1, created_by=caseworker)
    record_means(household, "1000.00", as_of=timezone.localdate())
    make_warning(household)
    page = browser_client(caseworker).get(f"/people/households/{household.pk}/").content.decode()
    assert 'data-testid="assistance-chain"' in page and 'data-testid="expense-form"' in page
    assert "低保边缘" in page and "患重大疾病" in page
    posted = browser_client(caseworker).post(
        f"/monitoring/households/{household.pk}/expenses/",
        {"expense-kind": "education", "expense-month": "2020-06", "expense-amount": "200.00"},
    )
    assert posted.status_code == 302
    leader_page = browser_client(make_staff("leader", "370200")).get(f"/people/households/{household.pk}/")
    html = leader_page.content.decode()
    assert 'data-testid="assistance-chain"' in html and 'data-testid="expense-form"' not in html


def test_transitions_of_a_claim_show_as_steps(api, caseworker, make_staff):
    household = make_household(community=OWN_COMMUNITY, members=1, created_by=caseworker)
    claim = TemporaryReliefClaim.objects.create(
        household=household, amount=Decimal("600.00"), kind="urgent", reason="火灾", created_by=caseworker
    )
    open_case(claim, actor=caseworker)
    transition(claim, "reject", actor=make_staff("subdistrict_approver", "370202001"), note="不符合")
    whats = [e["what"] for e in _chain(api, household)["events"] if e["scheme"] == "temporary_relief"]
    assert len(whats) == 2

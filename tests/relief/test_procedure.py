"""Dibao and tekun as the regulations write them: investigation, public notice, objection, decision, payment.

Every refusal beside its success, through the API, for both schemes (api.md "Dibao and tekun:
the procedure"). The days of the notice pass on the application's clock (``clock``), as the
black-box tests pass them on the server's.
"""

from __future__ import annotations

import datetime

import pytest

from core.cases import CaseEvent, add_months, local_today, month_start
from relief import selectors
from relief.models import DibaoCase, TekunCase
from tests.conftest import OTHER_DISTRICT, OTHER_SUBDISTRICT, OWN_COMMUNITY
from tests.factories import make_household

pytestmark = pytest.mark.django_db

MODELS = {"dibao": DibaoCase, "tekun": TekunCase}


def url(scheme: str, case_id: int, action: str = "") -> str:
    return f"/api/v1/{scheme}-cases/{case_id}/" + (f"{action}/" if action else "")


def apply(client, scheme: str, **household_kwargs) -> int:
    household = make_household(community=OWN_COMMUNITY, members=2, **household_kwargs)
    if scheme == "dibao":
        body = {"household": household.pk, "monthly_income": "400.00"}
    else:
        body = {"person": household.head_id, "care_level": "partial", "placement": "home"}
    response = client.post(f"/api/v1/{scheme}-cases/", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()["id"]


def investigate(client, scheme: str, case_id: int):
    body = {"date": f"{local_today():%Y-%m-%d}", "investigators": "王伟、李娜", "findings": "住房简陋，无固定收入"}
    return client.post(url(scheme, case_id, "investigate"), body, format="json")


@pytest.fixture(params=["dibao", "tekun"])
def scheme(request):
    return request.param


def test_review_needs_a_home_investigation(api_for, actors, standards, scheme):
    case_id = apply(api_for(actors.caseworker), scheme)
    response = api_for(actors.reviewer).post(url(scheme, case_id, "review"), {}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "investigation_missing"
    assert MODELS[scheme].objects.get(pk=case_id).status == "submitted"

    assert investigate(api_for(actors.caseworker), scheme, case_id).status_code == 200
    response = api_for(actors.reviewer).post(url(scheme, case_id, "review"), {"note": "初审同意"}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "public_notice"
    assert body["notice_until"] == f"{local_today() + datetime.timedelta(days=7):%Y-%m-%d}"
    assert body["in_public_notice"] is True


def test_the_decision_waits_for_the_end_of_the_notice_and_pays_from_the_next_month(
    api_for, actors, standards, scheme, clock
):
    case_id = apply(api_for(actors.caseworker), scheme)
    investigate(api_for(actors.caseworker), scheme, case_id)
    api_for(actors.reviewer).post(url(scheme, case_id, "review"), {}, format="json")
    approver = api_for(actors.approver)

    response = approver.post(url(scheme, case_id, "approve"), {}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "notice_running"
    clock.advance(days=7)  # the notice's last day: still running
    approver = api_for(actors.approver)  # a fresh token: API tokens expire after hours (core.tokens)
    response = approver.post(url(scheme, case_id, "approve"), {}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "notice_running")
    assert MODELS[scheme].objects.get(pk=case_id).status == "public_notice"

    clock.advance(days=1)
    approver = api_for(actors.approver)
    response = approver.post(url(scheme, case_id, "approve"), {"note": "同意"}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "active"
    next_month = add_months(month_start(local_today()), 1)
    assert body["start_month"] == f"{next_month:%Y-%m}"  # 下月起发放
    # The payout engine's selection pays it from that month, not the month of the decision.
    payable = selectors.dibao_cases_payable if scheme == "dibao" else selectors.tekun_cases_payable
    assert not payable(month_start(local_today())).filter(pk=case_id).exists()
    assert payable(next_month).filter(pk=case_id).exists()


def test_an_objection_sends_the_case_back_for_a_new_investigation_and_a_new_notice(
    api_for, actors, standards, scheme, clock
):
    caseworker = api_for(actors.caseworker)
    case_id = apply(caseworker, scheme)
    investigate(caseworker, scheme, case_id)
    api_for(actors.reviewer).post(url(scheme, case_id, "review"), {}, format="json")

    clock.advance(days=3)
    caseworker = api_for(actors.caseworker)  # a fresh token: API tokens expire after hours
    response = caseworker.post(url(scheme, case_id, "object"), {"note": "邻居反映其有经营收入"}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["objection_open"]) == ("submitted", True)
    event = CaseEvent.objects.filter(case_id=case_id, action="object").get()
    assert (event.note, event.actor_id, event.from_state) == (
        "邻居反映其有经营收入",
        actors.caseworker.pk,
        "public_notice",
    )

    # The earlier investigation does not answer the objection.
    response = api_for(actors.reviewer).post(url(scheme, case_id, "review"), {}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "investigation_missing")
    assert investigate(caseworker, scheme, case_id).status_code == 200
    response = api_for(actors.reviewer).post(url(scheme, case_id, "review"), {}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["objection_open"]) == ("public_notice", False)
    assert body["notice_until"] == f"{local_today() + datetime.timedelta(days=7):%Y-%m-%d}"  # a new 7 days


def test_an_objection_needs_its_content_the_notice_and_the_right_person(api_for, actors, make_staff, standards, scheme):
    caseworker = api_for(actors.caseworker)
    case_id = apply(caseworker, scheme)
    # Not in notice yet: nothing to object to.
    response = caseworker.post(url(scheme, case_id, "object"), {"note": "异议"}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "invalid_transition")
    investigate(caseworker, scheme, case_id)
    api_for(actors.reviewer).post(url(scheme, case_id, "review"), {}, format="json")

    response = caseworker.post(url(scheme, case_id, "object"), {}, format="json")
    assert response.status_code == 400
    assert "note" in response.json()
    finance = api_for(make_staff("finance", "370200"))
    assert finance.post(url(scheme, case_id, "object"), {"note": "异议"}, format="json").status_code == 403
    elsewhere = api_for(make_staff("caseworker", OTHER_SUBDISTRICT))
    assert elsewhere.post(url(scheme, case_id, "object"), {"note": "异议"}, format="json").status_code == 404
    assert MODELS[scheme].objects.get(pk=case_id).status == "public_notice"
    # An approver may take it down too.
    response = api_for(actors.approver).post(url(scheme, case_id, "object"), {"note": "来信反映"}, format="json")
    assert response.status_code == 200


def test_a_refusal_needs_its_reason_in_writing(api_for, actors, standards, scheme):
    case_id = apply(api_for(actors.caseworker), scheme)
    reviewer = api_for(actors.reviewer)
    response = reviewer.post(url(scheme, case_id, "reject"), {}, format="json")
    assert response.status_code == 400
    assert "note" in response.json()
    response = reviewer.post(url(scheme, case_id, "reject"), {"note": "   "}, format="json")
    assert response.status_code == 400
    assert MODELS[scheme].objects.get(pk=case_id).status == "submitted"
    response = reviewer.post(url(scheme, case_id, "reject"), {"note": "家庭人均收入高于低保标准"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "rejected"


def test_the_approver_outside_the_district_is_not_found_while_the_notice_runs(
    api_for, actors, make_staff, standards, scheme
):
    case_id = apply(api_for(actors.caseworker), scheme)
    investigate(api_for(actors.caseworker), scheme, case_id)
    api_for(actors.reviewer).post(url(scheme, case_id, "review"), {}, format="json")
    other = api_for(make_staff("district_approver", OTHER_DISTRICT))
    assert other.post(url(scheme, case_id, "approve"), {}, format="json").status_code == 404
    assert api_for(actors.caseworker).post(url(scheme, case_id, "approve"), {}, format="json").status_code == 403


def test_the_work_queue_shows_each_step_of_the_procedure(api_for, actors, standards, scheme, clock):
    caseworker = api_for(actors.caseworker)
    ids = [apply(caseworker, scheme) for _ in range(3)]
    for case_id in ids:
        investigate(caseworker, scheme, case_id)
        api_for(actors.reviewer).post(url(scheme, case_id, "review"), {}, format="json")
    caseworker.post(url(scheme, ids[2], "object"), {"note": "有人反映"}, format="json")

    def counts(user):
        items = api_for(user).get("/api/v1/my/tasks/").json()["items"]
        return {i["kind"]: i["count"] for i in items}

    approver = counts(actors.approver)
    assert approver.get(f"{scheme}_to_approve", 0) == 0  # two in notice: not yet to decide
    assert approver.get("notices_ending", 0) == 0  # 7 days left
    assert counts(actors.caseworker)["objections_open"] == 1
    assert f"{scheme}_to_approve" not in counts(actors.caseworker)

    clock.advance(days=5)
    assert counts(actors.approver)["notices_ending"] == 2
    clock.advance(days=3)
    approver = counts(actors.approver)
    assert approver[f"{scheme}_to_approve"] == 2
    assert approver.get("notices_ending", 0) == 0
    # The link opens the list that shows exactly those.
    link = next(
        i["link"]
        for i in api_for(actors.approver).get("/api/v1/my/tasks/").json()["items"]
        if i["kind"] == f"{scheme}_to_approve"
    )
    assert "stage=decision_due" in link
    listing = api_for(actors.approver).get(f"/api/v1/{scheme}-cases/?stage=decision_due").json()
    assert sorted(r["id"] for r in listing["results"]) == sorted(ids[:2])


def test_the_thirty_working_day_clock_is_shown_and_flags_late_applications(api_for, actors, standards, scheme):
    caseworker = api_for(actors.caseworker)
    late, fresh = apply(caseworker, scheme), apply(caseworker, scheme)
    accepted = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=60)
    MODELS[scheme].objects.filter(pk=late).update(created_at=accepted)
    body = caseworker.get(url(scheme, late)).json()
    assert body["decision_overdue"] is True
    assert body["decision_due"] < f"{local_today():%Y-%m-%d}"
    assert caseworker.get(url(scheme, fresh)).json()["decision_overdue"] is False
    listing = caseworker.get(f"/api/v1/{scheme}-cases/?overdue=1").json()
    assert [r["id"] for r in listing["results"]] == [late]


def test_periodic_reviews_follow_the_cadence_and_appear_when_due(api_for, actors, standards, clock):
    caseworker = api_for(actors.caseworker)
    household = make_household(community=OWN_COMMUNITY, members=2)
    body = {"household": household.pk, "monthly_income": "300.00", "income_irregular": True}
    irregular = caseworker.post("/api/v1/dibao-cases/", body, format="json").json()["id"]
    stable = apply(caseworker, "dibao")
    tekun = apply(caseworker, "tekun")
    for scheme, case_id in (("dibao", irregular), ("dibao", stable), ("tekun", tekun)):
        investigate(caseworker, scheme, case_id)
        api_for(actors.reviewer).post(url(scheme, case_id, "review"), {}, format="json")
    clock.advance(days=8)
    decided = {}
    for scheme, case_id in (("dibao", irregular), ("dibao", stable), ("tekun", tekun)):
        response = api_for(actors.approver).post(url(scheme, case_id, "approve"), {}, format="json")
        decided[scheme, case_id] = response.json()
    today = local_today()
    assert (
        decided["dibao", irregular]["next_review_on"][:7] == f"{add_months(month_start(today), 6):%Y-%m}"
    )  # six-monthly
    assert decided["dibao", stable]["next_review_on"][:7] == f"{add_months(month_start(today), 12):%Y-%m}"  # yearly
    assert decided["tekun", tekun]["next_review_on"][:7] == f"{add_months(month_start(today), 12):%Y-%m}"  # yearly

    def rechecks():
        items = api_for(actors.reviewer).get("/api/v1/my/tasks/").json()["items"]
        return {i["kind"]: i["count"] for i in items}.get("rechecks_due", 0)

    assert rechecks() == 0
    clock.advance(days=190)
    assert rechecks() == 1  # the irregular household, six months on
    clock.advance(days=190)
    assert rechecks() == 3


def test_a_members_death_reassesses_the_household_from_the_month_after_in_one_answer(api_for, actors, standards):
    from people.services import person_record_death
    from relief.models import DibaoCase
    from tests.factories import paid_since_this_month, review_through_notice

    household = make_household(community=OWN_COMMUNITY, members=3)
    case = DibaoCase.objects.get(
        pk=api_for(actors.caseworker)
        .post("/api/v1/dibao-cases/", {"household": household.pk, "monthly_income": "600.00"}, format="json")
        .json()["id"]
    )
    review_through_notice(case, reviewer=actors.reviewer)
    api_for(actors.approver).post(url("dibao", case.pk, "approve"), {}, format="json")
    paid_since_this_month(case)
    death = local_today()
    person_record_death(actor=actors.caseworker, person=household.head, death_date=death)

    client = api_for(actors.caseworker)
    this_month = month_start(local_today())
    later = add_months(this_month, 2)
    same = client.get(f"{url('dibao', case.pk)}allowance/?month={this_month:%Y-%m}").json()
    after = client.get(f"{url('dibao', case.pk)}allowance/?month={later:%Y-%m}").json()
    assert same["monthly_allowance"] == "2220.00"  # (940 − 600 / 3) × 3: the month of the death counts all three
    assert after["monthly_allowance"] == "1280.00"  # (940 − 600 / 2) × 2 from the month after
    assert client.get(url("dibao", case.pk)).json()["members_count"] == 2
    # The payout engine's selection gives the same answer for that month.
    living = selectors.dibao_cases_payable(later).filter(pk=case.pk, members__person__death_date__isnull=True).count()
    assert living == 2
    # The caseworker is told: the periodic review is due now.
    tasks = {i["kind"]: i["count"] for i in api_for(actors.reviewer).get("/api/v1/my/tasks/").json()["items"]}
    assert tasks["rechecks_due"] == 1

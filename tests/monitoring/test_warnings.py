"""Risk warnings (api.md "Low-income monitoring"): raised by risk extracts, payments failed twice in a row and
refusals in hardship; listed scoped, due in 10 days, handled once with an outcome; the work queue's kind."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from core.worklist import kinds_for, tasks_for
from datacheck import services as datacheck
from datacheck.models import Effect
from monitoring import services
from monitoring.models import RiskWarning
from payouts.models import PayoutLine, PayoutRun
from people.models import Person
from relief.models import DibaoCase, TemporaryReliefClaim
from tests.conftest import OTHER_SUBDISTRICT, OTHER_SUBDISTRICT_COMMUNITY, OWN_COMMUNITY
from tests.datacheck.conftest import csv_bytes
from tests.factories import make_household
from tests.monitoring.conftest import record_means

pytestmark = pytest.mark.django_db

RISK_HEADER = ("id_number", "event_date", "kind", "amount")


@pytest.fixture
def admin_user(make_staff):
    return make_staff("admin", "370200")


@pytest.fixture
def risk_source(admin_user):
    return datacheck.data_source_register(
        actor=admin_user, department="市医保局", item="大额医疗费用", effect=Effect.RISK
    )


def load_risk_extract(admin, source, rows, header=RISK_HEADER):
    extract = datacheck.extract_upload(
        actor=admin, source=source, file_name="risk.csv", content=csv_bytes(rows, header)
    )
    assert extract.status == "previewed", extract.errors
    return datacheck.extract_commit(actor=admin, extract=extract)


def make_warning(household, *, kind="illness", signal=None, raised_on=None):
    raised_on = raised_on or timezone.localdate()
    return RiskWarning.objects.create(
        signal=signal or f"test:{household.pk}:{RiskWarning.objects.count()}",
        kind=kind,
        facts={"source": "测试"},
        household=household,
        person=household.head,
        division_id=household.community_id,
        subdistrict_id=household.community_id[:9],
        raised_on=raised_on,
        due=raised_on + datetime.timedelta(days=10),
    )


# --- signal: a risk extract ---------------------------------------------------------------------


def test_a_risk_extract_raises_one_warning_per_known_person_assigned_to_the_sub_district(
    admin_user, risk_source, caseworker, api
):
    household = make_household(community=OWN_COMMUNITY, members=2, created_by=caseworker)
    child = household.members.exclude(relationship="head").get().person
    neighbour = make_household(community=OTHER_SUBDISTRICT_COMMUNITY, members=1, created_by=caseworker)
    rows = [
        (household.head.id_number, "2020-06-03", "大病", "56000.00"),
        (child.id_number, "2020-06-04", "unemployment", ""),
        (neighbour.head.id_number, "2020-06-05", "残疾证", ""),
        ("11010519491231002X", "2020-06-05", "death", ""),  # nobody the portal knows
    ]
    load_risk_extract(admin_user, risk_source, rows)
    assert RiskWarning.objects.count() == 3
    warning = RiskWarning.objects.get(person=household.head)
    assert (warning.kind, warning.household_id, warning.subdistrict_id) == ("illness", household.pk, OWN_COMMUNITY[:9])
    assert warning.amount == Decimal("56000.00") and warning.event_date == datetime.date(2020, 6, 3)
    assert warning.raised_on == timezone.localdate()
    assert warning.due == timezone.localdate() + datetime.timedelta(days=10)
    body = api.get("/api/v1/warnings/?status=open").json()
    assert body["count"] == 2  # the neighbour's is another sub-district's
    row = next(r for r in body["results"] if r["person"] == household.head_id)
    assert set(row) >= {"id", "household", "person", "kind", "reason", "due", "status"}
    assert row["kind"] == "illness" and row["status"] == "open" and row["household"] == household.pk
    assert row["due"] == (timezone.localdate() + datetime.timedelta(days=10)).isoformat()
    assert "市医保局" in row["reason"] and "56000.00" in row["reason"] and "illness" not in row["reason"]


def test_the_same_event_again_raises_nothing_new(admin_user, risk_source, caseworker):
    household = make_household(community=OWN_COMMUNITY, members=1, created_by=caseworker)
    rows = [(household.head.id_number, "2020-06-03", "medical", "1200.00")]
    load_risk_extract(admin_user, risk_source, rows)
    load_risk_extract(admin_user, risk_source, rows)  # the department sends the register again
    assert RiskWarning.objects.count() == 1
    assert RiskWarning.objects.get().kind == "medical_bill"


def test_warnings_raised_set_based_each_have_their_history_under_the_actor(admin_user, risk_source, caseworker):
    """The extract step's warnings, one INSERT … SELECT recorded by the statement-level history trigger: each
    has its one insert event, under the acting user's context, with the row's values; run again, nothing new."""
    from monitoring.models import RiskWarningEvent

    households = [make_household(community=OWN_COMMUNITY, members=1, created_by=caseworker) for _i in range(4)]
    rows = [(h.head.id_number, "2020-06-03", "大病", "100.00") for h in households]
    rows.append(("11010519491231002X", "2020-06-05", "death", ""))  # nobody the portal knows
    extract = load_risk_extract(admin_user, risk_source, rows)
    RiskWarning.objects.all().delete()
    before = RiskWarningEvent.objects.filter(pgh_label="insert").count()
    assert services.warnings_from_extracts(extract_ids=[extract.pk], actor=caseworker) == 4
    assert services.warnings_from_extracts(extract_ids=[extract.pk], actor=caseworker) == 0  # idempotent
    warnings = RiskWarning.objects.all()
    assert {w.person_id for w in warnings} == {h.head_id for h in households}
    events = RiskWarningEvent.objects.filter(pgh_label="insert").order_by("-pgh_id")[:4]
    assert RiskWarningEvent.objects.filter(pgh_label="insert").count() == before + 4
    assert {e.pgh_obj_id for e in events} == {w.pk for w in warnings}
    assert all(e.pgh_context.metadata["user"] == caseworker.pk for e in events)
    assert all(e.signal == RiskWarning.objects.get(pk=e.pgh_obj_id).signal for e in events)
    # an update: one event per row that changed, none for a row written with the same values
    RiskWarning.objects.filter(person=households[0].head).update(note="已电话联系")
    RiskWarning.objects.filter(person=households[1].head).update(note="")
    updates = RiskWarningEvent.objects.filter(pgh_label="update")
    assert [(e.pgh_obj_id, e.note) for e in updates] == [
        (RiskWarning.objects.get(person=households[0].head).pk, "已电话联系")
    ]


def test_a_risk_extract_needs_its_columns_and_a_kind_per_row(admin_user, risk_source, caseworker):
    household = make_household(community=OWN_COMMUNITY, members=2, created_by=caseworker)
    child = household.members.exclude(relationship="head").get().person
    from core.errors import InvalidInput

    with pytest.raises(InvalidInput):
        datacheck.extract_upload(
            actor=admin_user,
            source=risk_source,
            file_name="risk.csv",
            content=csv_bytes([(household.head.id_number, "2020-06-03")], ("id_number", "event_date")),
        )
    bad = datacheck.extract_upload(
        actor=admin_user,
        source=risk_source,
        file_name="risk.csv",
        content=csv_bytes(
            [(household.head.id_number, "2020-06-03", "", ""), (child.id_number, "2020-06-03", "大病", "abc")],
            RISK_HEADER,
        ),
    )
    assert bad.status == "rejected"
    assert [(e["row"], e["field"]) for e in bad.errors] == [(2, "kind"), (3, "amount")]
    assert not RiskWarning.objects.exists()


def test_a_risk_source_is_not_checked_against_beneficiaries(admin_user, risk_source, caseworker):
    household = make_household(community=OWN_COMMUNITY, members=1, created_by=caseworker)
    load_risk_extract(admin_user, risk_source, [(household.head.id_number, "2020-06-03", "大病", "")])
    from datacheck.selectors import latest_extracts

    assert latest_extracts() == []


# --- signal: payments failed twice in a row ------------------------------------------------------


def _run(scheme, period, finance, parent=None):
    sequence = 0 if parent is None else PayoutRun.objects.filter(scheme=scheme, period=period).count()
    return PayoutRun.objects.create(
        scheme=scheme, period=period, status="computed", started_by=finance, parent=parent, sequence=sequence
    )


def _line(run, household, status, **kwargs):
    return PayoutLine.objects.create(
        run=run,
        scheme=run.scheme,
        period=run.period,
        beneficiary=household.head,
        household=household,
        source_id=1,
        division_id=household.community_id,
        amount=Decimal("880.00"),
        status=status,
        failure_reason="账户已冻结" if status == "failed" else "",
        snapshot={},
        **kwargs,
    )


def test_payments_failed_twice_in_a_row_raise_a_warning_once(make_staff, caseworker):
    finance = make_staff("finance", "370200")
    twice = make_household(community=OWN_COMMUNITY, members=1, created_by=caseworker)
    once = make_household(community=OWN_COMMUNITY, members=1, created_by=caseworker)
    recovered = make_household(community=OWN_COMMUNITY, members=1, created_by=caseworker)
    may, june = _run("dibao", datetime.date(2020, 5, 1), finance), _run("dibao", datetime.date(2020, 6, 1), finance)
    _line(may, twice, "failed")
    _line(may, once, "paid")
    first = _line(may, recovered, "failed")
    repay = _run("dibao", datetime.date(2020, 5, 1), finance, parent=may)
    _line(repay, recovered, "paid", replaces=first)  # May re-paid: June's failure is the first in a row
    for household in (twice, once, recovered):
        _line(june, household, "failed")
    services.warnings_from_payment_failures(run=june, actor=finance)
    services.warnings_from_payment_failures(run=june, actor=finance)  # again: nothing new
    warning = RiskWarning.objects.get()
    assert (warning.kind, warning.person_id, warning.household_id) == ("payment_failed", twice.head_id, twice.pk)
    assert warning.facts["months"] == ["2020-05", "2020-06"]
    assert "2020-05" in warning.reason and "2020-06" in warning.reason


def test_a_repayment_that_fails_again_in_the_same_month_is_twice_in_a_row(make_staff, caseworker):
    finance = make_staff("finance", "370200")
    household = make_household(community=OWN_COMMUNITY, members=1, created_by=caseworker)
    june = _run("dibao", datetime.date(2020, 6, 1), finance)
    first = _line(june, household, "failed")
    follow_up = _run("dibao", datetime.date(2020, 6, 1), finance, parent=june)
    _line(follow_up, household, "failed", replaces=first)
    services.warnings_from_payment_failures(run=june, actor=finance)
    assert not RiskWarning.objects.exists()  # the first failure alone
    services.warnings_from_payment_failures(run=follow_up, actor=finance)
    assert RiskWarning.objects.get().facts["months"] == ["2020-06", "2020-06"]


# --- signal: a refused application, the household still under 1.5 times the standard -----------


def _case(household, income):
    return DibaoCase.objects.create(
        household=household,
        monthly_income=Decimal(income),
        members_count=household.members.count(),
        status="public_notice",  # reviewed: its notice runs, a refusal is still possible
        created_by=household.created_by,
    )


@pytest.mark.parametrize(("income", "warned"), [("2820.00", True), ("2820.01", False)])
def test_a_refusal_warns_when_the_household_stays_under_one_and_a_half_times_the_standard(
    make_staff, caseworker, income, warned
):
    """The urban standard in force today (demo standards): 940.00 a person; 2 × 1410.00 = 2820.00."""
    household = make_household(community=OWN_COMMUNITY, members=2, created_by=caseworker)
    case = _case(household, income)
    approver = make_staff("district_approver", "370202")
    from relief.services import dibao_case_reject

    dibao_case_reject(actor=approver, case=case, note="收入超过低保标准")
    assert RiskWarning.objects.filter(kind="refused_application", household=household).exists() is warned


def test_a_refusal_reads_the_latest_recorded_income(make_staff, caseworker):
    household = make_household(community=OWN_COMMUNITY, members=1, created_by=caseworker)
    record_means(household, "5000.00", as_of=timezone.localdate())  # well off since
    case = _case(household, "500.00")
    services.warning_on_refusal(case=case, actor=caseworker)
    assert not RiskWarning.objects.exists()


def _tekun_case(person):
    from relief.models import TekunCase

    return TekunCase.objects.create(
        person=person,
        care_level="full",
        placement="home",
        area_type="urban",
        status="public_notice",
        created_by=person.created_by,
    )


@pytest.mark.parametrize(("income", "warned"), [("2820.00", True), ("2820.01", False)])
def test_a_tekun_refusal_warns_when_the_household_stays_under_one_and_a_half_times_the_standard(
    make_staff, caseworker, income, warned
):
    """A tekun application records no income: its person's household is judged on its recorded income."""
    household = make_household(community=OWN_COMMUNITY, members=2, created_by=caseworker)
    record_means(household, income, as_of=timezone.localdate())
    applicant = Person.objects.filter(memberships__household=household).exclude(pk=household.head_id).get()
    case = _tekun_case(applicant)
    from relief.services import tekun_case_reject

    tekun_case_reject(actor=make_staff("district_approver", "370202"), case=case, note="有赡养人")
    found = RiskWarning.objects.filter(kind="refused_application", household=household)
    assert found.exists() is warned
    if warned:
        warning = found.get()
        assert warning.person == applicant  # the applicant, not the head
        assert warning.signal == f"refusal:tekun:{case.pk}"
        assert warning.subdistrict_id == OWN_COMMUNITY[:9]
        assert "特困" in _reason_in_chinese(warning) and "1410.00" in _reason_in_chinese(warning)


def _reason_in_chinese(warning):
    from django.utils import translation

    with translation.override("zh-hans"):
        return warning.reason


def test_a_tekun_refusal_without_a_recorded_income_or_household_raises_nothing(make_staff, caseworker):
    from relief.services import tekun_case_reject

    approver = make_staff("district_approver", "370202")
    household = make_household(community=OWN_COMMUNITY, members=1, created_by=caseworker)  # no income recorded
    tekun_case_reject(actor=approver, case=_tekun_case(household.head), note="有赡养人")
    from tests.factories import PersonFactory

    loner = PersonFactory(division_id=OWN_COMMUNITY, created_by=caseworker)  # in no household
    tekun_case_reject(actor=approver, case=_tekun_case(loner), note="有赡养人")
    assert not RiskWarning.objects.exists()


def test_a_tekun_refusal_warns_once(make_staff, caseworker):
    household = make_household(community=OWN_COMMUNITY, members=1, created_by=caseworker)
    record_means(household, "500.00", as_of=timezone.localdate())
    case = _tekun_case(household.head)
    from relief.services import tekun_case_reject

    tekun_case_reject(actor=make_staff("district_approver", "370202"), case=case, note="有赡养人")
    services.warning_on_refusal(case=case, actor=caseworker)  # the consequence delivered again
    assert RiskWarning.objects.filter(kind="refused_application").count() == 1


# --- handling -------------------------------------------------------------------------------------


def _handle(client, warning, **body):
    return client.post(f"/api/v1/warnings/{warning.pk}/handle/", body, format="json")


def test_handling_a_warning_visited_no_need(api, caseworker):
    household = make_household(community=OWN_COMMUNITY, members=1, created_by=caseworker)
    warning = make_warning(household)
    response = _handle(api, warning, outcome="visited_no_need", note="已入户核实，子女赡养")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["outcome"], body["handled_on"]) == (
        "handled",
        "visited_no_need",
        timezone.localdate().isoformat(),
    )
    assert body["handled_on_time"] is True
    assert api.get("/api/v1/warnings/?status=open").json()["count"] == 0
    assert api.get("/api/v1/warnings/?status=handled").json()["count"] == 1
    history = api.get(f"/api/v1/warnings/{warning.pk}/history/").json()
    assert history["count"] >= 1
    assert warning.signal not in str(history) and "facts" not in str(history)  # keys, not for people


def test_an_assisted_warning_names_the_claim_it_led_to(api, caseworker):
    household = make_household(community=OWN_COMMUNITY, members=1, created_by=caseworker)
    other = make_household(community=OWN_COMMUNITY, members=1, created_by=caseworker)
    warning = make_warning(household)
    claim = TemporaryReliefClaim.objects.create(
        household=household, amount=Decimal("800.00"), kind="expense", reason="大病", created_by=caseworker
    )
    others = TemporaryReliefClaim.objects.create(
        household=other, amount=Decimal("800.00"), kind="expense", reason="大病", created_by=caseworker
    )
    assert _handle(api, warning, outcome="assisted", note="临时救助").status_code == 400  # which claim?
    assert _handle(api, warning, outcome="assisted", claim=others.pk).status_code == 400  # not this household's
    response = _handle(api, warning, outcome="assisted", note="临时救助", claim=claim.pk)
    assert response.status_code == 200, response.content
    assert response.json()["claim"] == claim.pk and response.json()["outcome"] == "assisted"


def test_handling_refusals(api, api_for, make_staff, caseworker):
    own = make_warning(make_household(community=OWN_COMMUNITY, members=1, created_by=caseworker))
    theirs = make_warning(make_household(community=OTHER_SUBDISTRICT_COMMUNITY, members=1, created_by=caseworker))
    # wrong role: a district approver sees the warning but the sub-district handles it
    district = api_for(make_staff("district_approver", "370202"))
    assert district.get(f"/api/v1/warnings/{own.pk}/").status_code == 200
    assert _handle(district, own, outcome="referred", note="民政局").status_code == 403
    assert api_for(make_staff("finance", "370200")).get("/api/v1/warnings/").status_code == 403
    # another sub-district's warning: not found, and not in the list
    assert _handle(api, theirs, outcome="visited_no_need").status_code == 404
    assert api.get(f"/api/v1/warnings/{theirs.pk}/").status_code == 404
    assert {r["id"] for r in api.get("/api/v1/warnings/").json()["results"]} == {own.pk}
    # bad outcome, a referral without where to
    assert _handle(api, own, outcome="solved").status_code == 400
    assert _handle(api, own, outcome="referred").status_code == 400
    assert _handle(api, own, outcome="visited_no_need", colour="red").status_code == 400
    assert RiskWarning.objects.get(pk=own.pk).status == "open"
    # twice
    assert _handle(api, own, outcome="referred", note="转残联").status_code == 200
    second = _handle(api, own, outcome="visited_no_need")
    assert second.status_code == 409 and second.json()["code"] == "invalid_transition"
    assert api.get("/api/v1/warnings/?status=shut").status_code == 400


def test_an_overdue_warning_is_flagged(api, caseworker):
    household = make_household(community=OWN_COMMUNITY, members=1, created_by=caseworker)
    warning = make_warning(household, raised_on=timezone.localdate() - datetime.timedelta(days=11))
    body = api.get(f"/api/v1/warnings/{warning.pk}/").json()
    assert body["overdue"] is True
    handled = _handle(api, warning, outcome="visited_no_need").json()
    assert handled["handled_on_time"] is False and handled["overdue"] is False


# --- the work queue -------------------------------------------------------------------------------


def test_open_warnings_are_in_the_work_queue_of_the_sub_district(api, caseworker, make_staff):
    household = make_household(community=OWN_COMMUNITY, members=1, created_by=caseworker)
    make_warning(household)
    make_warning(household)
    handled = make_warning(household)
    RiskWarning.objects.filter(pk=handled.pk).update(
        status="handled", outcome="referred", handled_on=timezone.localdate()
    )
    task = next(t for t in tasks_for(caseworker) if t.kind == "warnings_open")
    assert task.count == 2 and task.link == "/monitoring/warnings/?status=open"
    tasks = api.get("/api/v1/my/tasks/").json()["items"]
    assert next(t for t in tasks if t["kind"] == "warnings_open")["count"] == 2
    assert "warnings_open" not in [t.kind for t in tasks_for(make_staff("caseworker", OTHER_SUBDISTRICT))]
    assert "warnings_open" not in kinds_for(make_staff("district_approver", "370202"))
    assert "warnings_open" not in kinds_for(make_staff("finance", "370200"))


def test_the_summary_counts_by_district_on_time_and_overdue(api_for, make_staff, caseworker):
    from tests.conftest import OTHER_DISTRICT_COMMUNITY

    today = timezone.localdate()
    own = make_household(community=OWN_COMMUNITY, members=1, created_by=caseworker)
    elsewhere = make_household(community=OTHER_DISTRICT_COMMUNITY, members=1, created_by=caseworker)
    make_warning(own)  # open, not yet due
    make_warning(own, raised_on=today - datetime.timedelta(days=11))  # open, overdue
    on_time = make_warning(own, raised_on=today - datetime.timedelta(days=3))
    late = make_warning(elsewhere, raised_on=today - datetime.timedelta(days=20))
    RiskWarning.objects.filter(pk=on_time.pk).update(status="handled", outcome="referred", handled_on=today)
    RiskWarning.objects.filter(pk=late.pk).update(status="handled", outcome="referred", handled_on=today)
    leader = api_for(make_staff("leader", "370200"))
    body = leader.get("/api/v1/warnings/summary/").json()
    by = {r["code"]: r for r in body["by_division"]}
    assert (by["370202"]["open"], by["370202"]["overdue"], by["370202"]["on_time"], by["370202"]["late"]) == (
        2,
        1,
        1,
        0,
    )
    assert (by["370203"]["handled"], by["370203"]["late"]) == (1, 1)
    assert by["370202"]["name"] == "市南区" and body["open"] == 2
    district = leader.get("/api/v1/warnings/summary/?division=370202").json()
    assert [r["code"] for r in district["by_division"]] == ["370202001"]
    caseworker_view = api_for(caseworker).get("/api/v1/warnings/summary/").json()
    assert caseworker_view["handled"] == 1 and "370203" not in str(caseworker_view)

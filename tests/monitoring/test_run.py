"""The monthly monitoring run over the whole city (Celery): tiers counted and recorded, warnings raised once;
who may start it; its page and API, scoped."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.cases import add_months, current_month
from monitoring import services
from monitoring.models import HouseholdExpense, MonitoringRun, RiskWarning, TierMembership
from tests.conftest import OTHER_DISTRICT_COMMUNITY, OWN_COMMUNITY, api_client_for
from tests.factories import PersonFactory, make_household
from tests.monitoring.conftest import active_dibao, record_means
from tests.monitoring.test_warnings import _line, _run, load_risk_extract

pytestmark = pytest.mark.django_db

MAY, JUNE = datetime.date(2020, 5, 1), datetime.date(2020, 6, 1)  # the urban standard: 940.00 a person
URL = "/api/v1/monitoring-runs/"


def _expense(household, month, amount, kind="medical"):
    return HouseholdExpense.objects.create(
        household=household, kind=kind, month=month, amount=Decimal(amount), recorded_by=household.created_by
    )


def _execute(month, actor):
    run = MonitoringRun.objects.create(month=month, started_by=actor)
    return services.monitoring_run_execute(run_id=run.pk)


@pytest.fixture
def leader(make_staff):
    return make_staff("leader", "370200")


@pytest.fixture
def city(caseworker):
    """A marginal household, two pushed under the standard by medical costs (one elsewhere), a dibao household."""
    marginal = make_household(community=OWN_COMMUNITY, members=2, created_by=caseworker)
    record_means(marginal, "2000.00")  # 1000.00 a person: above 940.00, at most 1410.00
    pushed = make_household(community=OWN_COMMUNITY, members=1, created_by=caseworker)
    record_means(pushed, "1000.00")
    _expense(pushed, JUNE, "60.01")  # 939.99 after it: just under the standard
    just_not = make_household(community=OWN_COMMUNITY, members=1, created_by=caseworker)
    record_means(just_not, "1000.00")
    _expense(just_not, JUNE, "60.00")  # exactly the standard after it: not under
    elsewhere = make_household(community=OTHER_DISTRICT_COMMUNITY, members=1, created_by=caseworker)
    record_means(elsewhere, "1000.00")
    _expense(elsewhere, JUNE, "500.00", kind="education")
    dibao = make_household(community=OWN_COMMUNITY, members=3, created_by=caseworker)
    record_means(dibao, "900.00")
    active_dibao(dibao)
    return {"marginal": marginal, "pushed": pushed, "just_not": just_not, "elsewhere": elsewhere, "dibao": dibao}


def test_a_run_counts_the_tiers_of_the_whole_city_and_warns_of_households_pushed_under_the_line(city, leader):
    run = _execute(JUNE, leader)
    assert (run.status, run.steps_done, run.progress, run.error) == ("done", 5, 100, "")
    assert run.tiers["marginal"] == {"households": 4, "persons": 5}  # the ones with expenses too: above the line

    assert run.tiers["expenditure"] == {"households": 2, "persons": 2}
    assert run.tiers["dibao"] == {"households": 1, "persons": 3}
    assert run.tiers["by_subdistrict"][OWN_COMMUNITY[:9]] == {"marginal": 3, "expenditure": 1}
    assert set(
        TierMembership.objects.filter(month=JUNE, tier="expenditure").values_list("household_id", flat=True)
    ) == {city["pushed"].pk, city["elsewhere"].pk}
    warnings = RiskWarning.objects.filter(kind="expenditure")
    assert run.raised["expenditure"] == 2 == warnings.count()
    warning = warnings.get(household=city["pushed"])
    assert (warning.person_id, warning.subdistrict_id) == (city["pushed"].head_id, OWN_COMMUNITY[:9])
    assert warning.due == timezone.localdate() + datetime.timedelta(days=10)
    assert "939.99" in warning.reason and "940.00" in warning.reason


def test_running_the_month_again_raises_no_warning_twice(city, leader):
    _execute(JUNE, leader)
    before = RiskWarning.objects.count()
    again = _execute(JUNE, leader)
    assert again.status == "done" and again.warnings_raised == 0
    assert RiskWarning.objects.count() == before
    assert TierMembership.objects.filter(month=JUNE).count() == 6  # replaced, not doubled


def test_a_warning_is_raised_once_per_signal_by_the_database(city, leader):
    _execute(JUNE, leader)
    warning = RiskWarning.objects.filter(kind="expenditure").first()
    copy = {f.attname: getattr(warning, f.attname) for f in RiskWarning._meta.concrete_fields if f.attname != "id"}
    with pytest.raises(IntegrityError), transaction.atomic():
        RiskWarning.objects.create(**copy)


def test_only_households_newly_in_the_expenditure_tier_raise_a_warning(city, leader):
    _expense(city["pushed"], MAY, "100.00")  # already under the line in May
    _execute(MAY, leader)
    assert set(RiskWarning.objects.values_list("household_id", flat=True)) == {city["pushed"].pk}
    june = _execute(JUNE, leader)
    assert june.raised["expenditure"] == 1  # only the household elsewhere, pushed under in June
    assert RiskWarning.objects.filter(kind="expenditure", household=city["elsewhere"]).exists()
    assert RiskWarning.objects.filter(kind="expenditure", household=city["pushed"]).count() == 1


def test_the_run_reads_the_risk_extracts_again_for_people_registered_since(make_staff, caseworker, leader):
    from datacheck import services as datacheck
    from datacheck.models import Effect

    admin = make_staff("admin", "370200")
    source = datacheck.data_source_register(actor=admin, department="市人社局", item="失业登记", effect=Effect.RISK)
    known = make_household(community=OWN_COMMUNITY, created_by=caseworker).head
    newcomer_number = "370202195001011239"
    load_risk_extract(
        admin,
        source,
        [(known.id_number, "2020-06-01", "失业", ""), (newcomer_number, "2020-06-02", "失业", "")],
    )
    assert RiskWarning.objects.count() == 1  # at commit: the person the portal knew
    newcomer = PersonFactory(id_number=newcomer_number, division_id=OWN_COMMUNITY, created_by=caseworker)
    run = _execute(JUNE, leader)
    assert run.raised["extracts"] == 1
    assert RiskWarning.objects.filter(person=newcomer, kind="unemployment").count() == 1
    assert _execute(JUNE, leader).raised["extracts"] == 0


def test_the_run_sweeps_payments_failed_twice_in_a_row(make_staff, caseworker, leader):
    finance = make_staff("finance", "370200")
    household = make_household(community=OWN_COMMUNITY, members=1, created_by=caseworker)
    _line(_run("dibao", MAY, finance), household, "failed")
    _line(_run("dibao", JUNE, finance), household, "failed")  # no bank-return service ran: no warning yet
    assert _execute(JUNE, leader).raised["payments"] == 1
    assert RiskWarning.objects.get().kind == "payment_failed"


def test_a_failing_step_fails_the_run_with_its_error(city, leader, monkeypatch):
    from monitoring import engine

    def broken(**kwargs):
        raise RuntimeError("extract table unreadable")

    monkeypatch.setattr(engine, "step_extracts", broken)
    run = _execute(JUNE, leader)
    assert (run.status, run.steps_done) == ("failed", 2)
    assert "extract table unreadable" in run.error
    assert RiskWarning.objects.filter(kind="expenditure").count() == 2  # the steps before stay done


def test_a_run_delivered_twice_runs_once(city, leader):
    run = _execute(JUNE, leader)
    assert services.monitoring_run_execute(run_id=run.pk).finished_at == run.finished_at


# --- who may start it -------------------------------------------------------------------------------


@pytest.fixture
def admin(make_staff):
    return make_staff("admin", "370200")


def test_the_city_starts_a_run_and_a_second_one_of_the_month_waits(admin, django_capture_on_commit_callbacks):
    api = api_client_for(admin)
    with django_capture_on_commit_callbacks() as callbacks:
        response = api.post(URL, {}, format="json")
    assert response.status_code == 202, response.content
    body = response.json()
    assert (body["status"], body["month"], body["progress"]) == ("queued", current_month().strftime("%Y-%m"), 0)
    assert len(callbacks) == 1  # the Celery task, queued once the run is committed
    second = api.post(URL, {}, format="json")
    assert second.status_code == 409 and second.json()["code"] == "run_in_progress"
    other_month = api.post(URL, {"month": add_months(current_month(), -1).strftime("%Y-%m")}, format="json")
    assert other_month.status_code == 202


def test_starting_a_run_refusals(make_staff, admin, leader, caseworker):
    assert api_client_for(caseworker).post(URL, {}, format="json").status_code == 403  # a sub-district
    district = make_staff("district_approver", "370202")
    assert api_client_for(district).post(URL, {}, format="json").status_code == 403  # a district: not the city
    finance = make_staff("finance", "370200")
    assert api_client_for(finance).post(URL, {}, format="json").status_code == 403  # no monitoring at all
    assert api_client_for(leader).post(URL, {}, format="json").status_code == 403  # reads it, starts nothing
    api = api_client_for(admin)
    later = api.post(URL, {"month": add_months(current_month(), 1).strftime("%Y-%m")}, format="json")
    assert later.status_code == 400 and "month" in later.json()
    assert api.post(URL, {"month": "2020-13"}, format="json").status_code == 400
    assert not MonitoringRun.objects.exists()


def test_the_monthly_schedule_starts_one_run_a_month(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["monitoring: monthly run"]
    assert entry["task"] == "monitoring.monthly_schedule"
    first = services.monitoring_run_scheduled()
    assert first is not None and first.started_by.username == "system"
    assert services.monitoring_run_scheduled() is None  # this month's is still queued


# --- what each reader sees of it --------------------------------------------------------------------


def test_the_run_tiers_are_read_through_the_readers_geography(city, leader, make_staff, caseworker):
    run = _execute(JUNE, leader)
    city_body = api_client_for(leader).get(f"{URL}{run.pk}/").json()
    assert city_body["tiers"]["expenditure"] == {"households": 2, "persons": 2}
    own = api_client_for(caseworker).get(f"{URL}{run.pk}/").json()
    assert own["tiers"] == {"marginal": {"households": 3}, "expenditure": {"households": 1}}
    other = api_client_for(make_staff("subdistrict_approver", OTHER_DISTRICT_COMMUNITY[:9])).get(f"{URL}{run.pk}/")
    assert other.json()["tiers"] == {"marginal": {"households": 1}, "expenditure": {"households": 1}}
    assert api_client_for(make_staff("finance", "370200")).get(f"{URL}{run.pk}/").status_code == 403
    admin_body = api_client_for(make_staff("admin", "370200")).get(f"{URL}{run.pk}/").json()
    assert admin_body["tiers"]["expenditure"] == {"households": 2, "persons": 2}  # the city's figures only


def test_the_run_page_follows_a_queued_run_and_shows_a_done_one(city, leader, client):
    client.force_login(leader)
    queued = MonitoringRun.objects.create(month=JUNE, started_by=leader)
    page = client.get(f"/monitoring/runs/{queued.pk}/")
    assert page.status_code == 200
    assert b'data-testid="progress"' in page.content and b"/api/v1/monitoring-runs/" in page.content
    services.monitoring_run_execute(run_id=queued.pk)
    page = client.get(f"/monitoring/runs/{queued.pk}/")
    assert b'data-testid="progress"' not in page.content
    text = page.content.decode()
    assert 'data-testid="run-tiers"' in text and "低保边缘" in text


def test_the_run_list_offers_the_start_only_to_the_citys_administrators(admin, leader, caseworker, client):
    client.force_login(leader)
    page = client.get("/monitoring/runs/")
    assert page.status_code == 200 and b'data-testid="start-run"' not in page.content  # reads, starts nothing
    client.force_login(admin)
    assert b'data-testid="start-run"' in client.get("/monitoring/runs/").content
    response = client.post("/monitoring/runs/", {"month": current_month().strftime("%Y-%m")})
    assert response.status_code == 302 and MonitoringRun.objects.count() == 1
    again = client.post("/monitoring/runs/", {"month": current_month().strftime("%Y-%m")})
    assert again.status_code == 409 and MonitoringRun.objects.count() == 1
    client.force_login(caseworker)
    assert b'data-testid="start-run"' not in client.get("/monitoring/runs/").content
    assert client.post("/monitoring/runs/", {"month": ""}).status_code == 403
    assert MonitoringRun.objects.count() == 1

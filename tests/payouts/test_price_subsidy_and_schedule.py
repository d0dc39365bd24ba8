"""The price-linked batch (January 2020: every covered person gets the rule's amount), the price-index hook,
and the monthly schedule."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from payouts import services
from payouts.models import PayoutLine, PayoutRun
from people.models import Person
from tests.payouts.conftest import dibao_case, price_index, tekun_case

pytestmark = pytest.mark.django_db

JANUARY = datetime.date(2020, 1, 1)


def test_a_price_linked_batch_for_january_2020_pays_each_covered_person_the_rules_amount(
    payout_standards, staff, request_run, compute
):
    price_index("2020-01", "5.4", "20.6")  # CPI +5.4% ≥ 3.5%: triggered; the amount follows the CPI
    urban = dibao_case(members=3, income="500.00", created_by=staff)
    rural = dibao_case(community="370211019001", area_type="rural", members=2, created_by=staff)
    district = dibao_case(community="370203001001", members=1, created_by=staff)  # 市北区's own 900 standard
    with_dead = dibao_case(members=2, created_by=staff)
    Person.objects.filter(pk=with_dead.household.head_id).update(death_date=datetime.date(2019, 11, 2))
    suspended = dibao_case(status="suspended", created_by=staff)
    loner = tekun_case(community="370211019001", area_type="rural", created_by=staff)
    # A tekun person living in a dibao household is covered twice: paid once, under dibao (the rule's first group).
    both = tekun_case(person=urban.household.head, created_by=staff)
    run = request_run("price_subsidy", "2020-01")
    assert compute(run) == "computed"
    paid = dict(PayoutLine.objects.filter(run=run).values_list("beneficiary_id", "amount"))
    expected = {}
    for member in urban.members.all():
        expected[member.person_id] = Decimal("47.52")  # 880 × 5.4%
    for member in rural.members.all():
        expected[member.person_id] = Decimal("37.80")  # 700 × 5.4%
    expected[district.household.head_id] = Decimal("48.60")  # 900 × 5.4%
    living = [m.person_id for m in with_dead.members.all() if m.person_id != with_dead.household.head_id]
    expected[living[0]] = Decimal("47.52")
    expected[loner.person_id] = Decimal("37.80")
    assert paid == expected
    assert not set(paid) & {m.person_id for m in suspended.members.all()}
    line = PayoutLine.objects.get(run=run, beneficiary_id=both.person_id)
    assert line.snapshot["group"] == "dibao"
    assert (line.snapshot["rise"], line.snapshot["index"], line.snapshot["standard"]) == (5.4, "cpi", 880)
    run.refresh_from_db()
    assert run.skipped_count == 1  # the tekun line of the person already paid under dibao
    assert run.total_amount == sum(expected.values())


def test_the_batch_follows_the_rules_index_and_floor(payout_standards, staff, request_run, compute):
    from relief.models import PriceSubsidyRule

    PriceSubsidyRule.objects.create(
        effective_from="2020-02-01",
        cpi_threshold=Decimal("3.5"),
        food_cpi_threshold=Decimal("6.0"),
        amount_index="food_cpi",
        floor=Decimal("200.00"),
        covered_groups=["tekun"],
    )
    price_index("2020-02", "5.2", "21.9")
    dibao_case(created_by=staff)
    person = tekun_case(created_by=staff).person_id
    run = request_run("price_subsidy", "2020-02")
    compute(run)
    # 880 × 21.9% = 192.72, below the floor of 200; only tekun is covered from February.
    assert dict(PayoutLine.objects.filter(run=run).values_list("beneficiary_id", "amount")) == {
        person: Decimal("200.00")
    }


def test_recording_a_triggering_index_queues_that_months_batch(
    payout_standards, make_staff, django_capture_on_commit_callbacks
):
    from relief.services import price_index_record

    admin = make_staff("admin", "370200")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        price_index_record(actor=admin, month="2020-03", cpi_yoy="4.3", food_cpi_yoy="18.3")
    assert callbacks, "the hook runs after the index is committed"
    run = PayoutRun.objects.get(scheme="price_subsidy", period="2020-03-01")
    assert (run.status, run.origin, run.started_by_id) == ("queued", "price_index", None)
    assert "2020-03" in run.events.get().note


def test_an_index_that_does_not_trigger_queues_nothing(
    payout_standards, make_staff, django_capture_on_commit_callbacks
):
    from relief.services import price_index_record

    admin = make_staff("admin", "370200")
    with django_capture_on_commit_callbacks(execute=True):
        price_index_record(actor=admin, month="2020-05", cpi_yoy="2.4", food_cpi_yoy="4.0")
    assert not PayoutRun.objects.exists()


def test_the_monthly_schedule_creates_every_recurring_schemes_run_once(payout_standards, staff):
    dibao_case(created_by=staff)
    first = services.monthly_runs_create(month=datetime.date(2020, 4, 1))
    again = services.monthly_runs_create(month=datetime.date(2020, 4, 1))
    schemes = {run.scheme for run in first}
    assert {"dibao", "tekun"} <= schemes and "price_subsidy" not in schemes
    assert [r.pk for r in first] == [r.pk for r in again]
    assert all(run.origin == "schedule" and run.started_by_id is None for run in first)


def test_the_beat_schedule_names_the_tasks_and_the_configured_day(settings):
    from celery.schedules import crontab

    from civil_affairs.celery import app

    entries = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    monthly = entries["payouts.create_monthly_runs"]
    assert isinstance(monthly, crontab)
    assert monthly.day_of_month == {settings.PAYOUTS_MONTHLY_RUN_DAY}
    assert "core.sweep_jobs" in entries  # every worker sweeps on its own too (core/jobs.py)
    app.loader.import_default_modules()
    tasks = {"payouts.compute_run", "payouts.create_monthly_runs", "payouts.restart_stuck_runs", "core.sweep_jobs"}
    assert tasks <= set(app.tasks)


def test_a_run_the_schedule_started_can_be_approved_by_any_finance_officer(payout_standards, staff, finance, compute):
    dibao_case(created_by=staff)
    run = next(r for r in services.monthly_runs_create(month=datetime.date(2020, 4, 1)) if r.scheme == "dibao")
    compute(run)
    run.refresh_from_db()
    services.run_approve(actor=finance.maker, run=run)
    run.refresh_from_db()
    assert run.status == "approved" and run.approved_by_id == finance.maker.pk


def test_stuck_runs_are_restarted_by_the_sweep(payout_standards, staff, request_run, settings):
    from django.utils import timezone

    dibao_case(created_by=staff)
    run = request_run("dibao", "2020-04")
    settings.JOBS_STALE_SECONDS = 60
    long_ago = timezone.now() - datetime.timedelta(minutes=10)
    PayoutRun.objects.filter(pk=run.pk).update(status="computing", heartbeat_at=long_ago, updated_at=long_ago)
    assert services.stuck_runs_restart() == [run.pk]
    run.refresh_from_db()
    assert run.status == "queued"
    assert run.events.filter(action="restart", actor__isnull=True).exists()


def test_the_schedule_queues_the_biggest_runs_first(payout_standards, staff):
    dibao_case(created_by=staff)
    march = services.monthly_runs_create(month=datetime.date(2020, 3, 1))
    sizes = {"dibao": 10, "tekun": 500, "orphan": 20, "disability_living": 300, "disability_nursing": 900}
    for run in march:
        PayoutRun.objects.filter(pk=run.pk).update(line_count=sizes.get(run.scheme, 0))
    april = services.monthly_runs_create(month=datetime.date(2020, 4, 1))
    order = [run.scheme for run in april]
    expected = sorted(order, key=lambda scheme: -sizes.get(scheme, 0))
    assert order == expected and order[0] in ("disability_nursing", "tekun")

"""The engine: amounts recomputed independently from the cases, who gets nothing, the April 2020 change,
missing standards, and exactly-once under repeats, duplicate deliveries, interruptions and concurrency."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection, transaction

from payouts import engine, services
from payouts.models import PayoutLine, PayoutRun, RunEvent
from people.models import Person
from tests.payouts.conftest import (
    OVERRIDE_DISTRICT,
    OVERRIDE_URBAN,
    SUPPLEMENT,
    TEKUN_BASIC,
    TEKUN_CARE,
    dibao_case,
    lone_person,
    tekun_case,
)

pytestmark = pytest.mark.django_db

MARCH = datetime.date(2020, 3, 1)
APRIL = datetime.date(2020, 4, 1)


# --- An independent recomputation: plain arithmetic over the cases, written from the published rules ---


def city_standard(area: str, month: datetime.date) -> Decimal:
    if month >= APRIL:
        return Decimal("940.00") if area == "urban" else Decimal("760.00")
    return Decimal("880.00") if area == "urban" else Decimal("700.00")


def dibao_standard(community: str, area: str, month: datetime.date) -> Decimal:
    # The city's latest entry and the district's latest entry each answer; the district's
    # applies only if higher (a district may pay more, never less): 900 over 880 until the
    # city's raise to 940 in April 2020, the city's 940 after it.
    if community.startswith(OVERRIDE_DISTRICT) and area == "urban":
        return max(OVERRIDE_URBAN, city_standard(area, month))
    return city_standard(area, month)


def age(birth: datetime.date, on: datetime.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def expected_dibao(month: datetime.date) -> dict[int, Decimal]:
    """Beneficiary (the head, or the first living member) → amount, for every case that pays in ``month``."""
    from relief.models import DibaoCase

    out = {}
    for case in DibaoCase.objects.select_related("household").prefetch_related("members__person"):
        if case.status not in ("active", "terminated") or case.start_month is None or case.start_month > month:
            continue
        if case.end_month is not None and case.end_month <= month:
            continue
        living = [m for m in case.members.order_by("id") if m.person.death_date is None or m.person.death_date >= month]
        if not living:
            continue
        household = case.household
        standard = dibao_standard(household.community_id, household.area_type, month)
        gap = max(standard * len(living) - case.monthly_income, Decimal(0))
        supplement = Decimal(0)
        if gap > 0:
            for m in living:
                options = []
                if age(m.person.birth_date, month) >= 60:
                    options.append(SUPPLEMENT["elderly"])
                if m.disabled:
                    options.append(SUPPLEMENT["disabled"])
                if age(m.person.birth_date, month) < 18:
                    options.append(SUPPLEMENT["child"])
                supplement += max(options, default=Decimal(0))
        amount = gap + supplement
        if amount > 0:
            heads = [m for m in living if m.relationship == "head"]
            payee = heads[0].person_id if heads else min(m.person_id for m in living)
            out[payee] = amount
    return out


def expected_tekun(month: datetime.date) -> dict[int, Decimal]:
    from relief.models import TekunCase

    out = {}
    for case in TekunCase.objects.select_related("person"):
        if case.status not in ("active", "terminated") or case.start_month > month:
            continue
        if case.end_month is not None and case.end_month <= month:
            continue
        if case.person.death_date is not None and case.person.death_date < month:
            continue
        dibao = dibao_standard(case.person.division_id, case.area_type, month)
        basic = max(TEKUN_BASIC[case.area_type], dibao * Decimal("1.3"))
        out[case.person_id] = (basic + TEKUN_CARE[case.care_level]).quantize(Decimal("0.01"))
    return out


def lines_of(run: PayoutRun) -> dict[int, Decimal]:
    rows = list(PayoutLine.objects.filter(run=run).values_list("beneficiary_id", "amount"))
    assert len(rows) == len({b for b, _a in rows}), "a beneficiary has two lines"
    return dict(rows)


@pytest.fixture
def city(payout_standards, staff):
    """A small city with every situation the rules distinguish."""
    today_60 = datetime.date(1950, 5, 1)  # 69 in 2020: elderly
    child = datetime.date(2012, 7, 1)  # 7: a child
    adult = datetime.date(1985, 2, 1)
    cases = {
        "plain": dibao_case(members=3, income="500.00", created_by=staff),
        "rural": dibao_case(community="370211019001", area_type="rural", members=2, income="0", created_by=staff),
        "override": dibao_case(community="370203001001", members=2, income="300.00", created_by=staff),
        "override_rural": dibao_case(
            community="370203001001", area_type="rural", members=1, income="100.00", created_by=staff
        ),
        "supplements": dibao_case(
            members=4, income="1000.00", births=[today_60, adult, child, adult], disabled={1, 2}, created_by=staff
        ),
        "above_standard": dibao_case(members=2, income="2000.00", created_by=staff),  # pays 0 before April, 0 after
        "just_below_after_april": dibao_case(members=1, income="900.00", births=[today_60], created_by=staff),
        "suspended": dibao_case(status="suspended", created_by=staff),
        "terminated_before": dibao_case(status="terminated", end=MARCH, created_by=staff),
        "terminated_after": dibao_case(status="terminated", end=datetime.date(2020, 5, 1), created_by=staff),
        "submitted": dibao_case(status="submitted", start=None, created_by=staff),
        "starts_in_april": dibao_case(start=APRIL, created_by=staff),
        "all_dead": dibao_case(members=1, created_by=staff),
        "head_dead": dibao_case(members=3, income="200.00", created_by=staff),
        "died_in_march": dibao_case(members=2, income="0", created_by=staff),
    }
    Person.objects.filter(pk=cases["all_dead"].household.head_id).update(death_date=datetime.date(2019, 12, 3))
    Person.objects.filter(pk=cases["head_dead"].household.head_id).update(death_date=datetime.date(2020, 1, 20))
    Person.objects.filter(pk=cases["died_in_march"].household.head_id).update(death_date=datetime.date(2020, 3, 15))
    tekun = {
        "urban_full": tekun_case(care_level="full", created_by=staff),
        "rural_none": tekun_case(community="370211019001", area_type="rural", care_level="none", created_by=staff),
        "partial_override": tekun_case(community="370203001001", care_level="partial", created_by=staff),
        "institution": tekun_case(person=lone_person(), care_level="none", created_by=staff),
        "suspended": tekun_case(status="suspended", created_by=staff),
        "terminated": tekun_case(status="terminated", end=MARCH, created_by=staff),
        "dead": tekun_case(created_by=staff),
    }
    Person.objects.filter(pk=tekun["dead"].person_id).update(death_date=datetime.date(2020, 2, 1))
    return cases, tekun


@pytest.mark.parametrize("month", ["2020-03", "2020-04"])
def test_dibao_totals_equal_an_independent_recomputation_from_the_cases(city, request_run, compute, month):
    run = request_run("dibao", month)
    assert compute(run) == "computed"
    run.refresh_from_db()
    expected = expected_dibao(datetime.date.fromisoformat(f"{month}-01"))
    assert lines_of(run) == expected
    assert run.status == "computed"
    assert run.line_count == len(expected)
    assert run.total_amount == sum(expected.values())
    assert sum(row["lines"] for row in run.summary["by_district"]) == run.line_count


@pytest.mark.parametrize("month", ["2020-03", "2020-04"])
def test_tekun_totals_equal_an_independent_recomputation_from_the_cases(city, request_run, compute, month):
    run = request_run("tekun", month)
    compute(run)
    run.refresh_from_db()
    expected = expected_tekun(datetime.date.fromisoformat(f"{month}-01"))
    assert lines_of(run) == expected
    assert (run.line_count, run.total_amount) == (len(expected), sum(expected.values()))


def test_suspended_terminated_and_deceased_get_nothing(city, request_run, compute):
    cases, tekun = city
    dibao_run, tekun_run = request_run("dibao", "2020-04"), request_run("tekun", "2020-04")
    compute(dibao_run)
    compute(tekun_run)
    paid_households = set(PayoutLine.objects.filter(run=dibao_run).values_list("household_id", flat=True))
    for name in ("suspended", "terminated_before", "submitted", "all_dead"):
        assert cases[name].household_id not in paid_households, name
    paid = set(PayoutLine.objects.filter(run=tekun_run).values_list("beneficiary_id", flat=True))
    for name in ("suspended", "terminated", "dead"):
        assert tekun[name].person_id not in paid, name
    assert cases["terminated_after"].household_id in paid_households  # ends from May: April is still paid
    # A household whose head died is paid for its living members, to the first living member.
    line = PayoutLine.objects.get(run=dibao_run, household_id=cases["head_dead"].household_id)
    assert line.snapshot["members"] == 2 and line.snapshot["members_on_case"] == 3
    assert line.amount == Decimal("940.00") * 2 - Decimal("200.00")
    assert line.beneficiary_id != cases["head_dead"].household.head_id


def test_died_in_march_is_paid_for_march_and_not_april(city, request_run, compute):
    cases, _tekun = city
    march, april = request_run("dibao", "2020-03"), request_run("dibao", "2020-04")
    compute(march)
    compute(april)
    household = cases["died_in_march"].household_id
    assert PayoutLine.objects.filter(run=march, household_id=household).get().snapshot["members"] == 2
    assert PayoutLine.objects.get(run=april, household_id=household).snapshot["members"] == 1


def test_the_april_2020_standard_change_shows_in_aprils_run(city, request_run, compute):
    cases, _tekun = city
    march, april = request_run("dibao", "2020-03"), request_run("dibao", "2020-04")
    compute(march)
    compute(april)
    plain = cases["plain"].household_id
    before = PayoutLine.objects.get(run=march, household_id=plain)
    after = PayoutLine.objects.get(run=april, household_id=plain)
    assert (before.amount, after.amount) == (Decimal("2140.00"), Decimal("2320.00"))  # 880×3−500, 940×3−500
    assert (before.snapshot["standard"], after.snapshot["standard"]) == (880, 940)
    assert after.snapshot["standard_from"] == "2020-04-01"
    # Above the standard in March (900 a head > 880), below it in April (< 940): paid from April only.
    newcomer = cases["just_below_after_april"].household_id
    assert not PayoutLine.objects.filter(run=march, household_id=newcomer).exists()
    assert PayoutLine.objects.get(run=april, household_id=newcomer).amount == Decimal("40.00") + SUPPLEMENT["elderly"]
    april.refresh_from_db()
    diff = april.summary["diff"]
    assert diff["previous_period"] == "2020-03" and diff["changed"] >= 1 and diff["new"] >= 2


def test_supplements_follow_the_classified_rule(city, request_run, compute):
    cases, _tekun = city
    run = request_run("dibao", "2020-03")
    compute(run)
    line = PayoutLine.objects.get(run=run, household_id=cases["supplements"].household_id)
    # 880 × 4 − 1000 = 2520; elderly 100, disabled adult 150, disabled child: max(150, 80) = 150.
    assert line.amount == Decimal("2520.00") + 100 + 150 + 150
    assert line.snapshot["supplement_members"] == {"elderly": 1, "disabled": 2, "child": 0}


def test_a_month_without_standards_fails_saying_which(city, request_run, compute, staff):
    dibao_case(start=datetime.date(2018, 1, 1), created_by=staff)
    dibao_case(community="370211019001", area_type="rural", start=datetime.date(2018, 1, 1), created_by=staff)
    run = request_run("dibao", "2018-06")  # the table begins in 2019
    assert compute(run) == "failed"
    run.refresh_from_db()
    assert run.status == "failed"
    assert "2018-06" in run.error
    assert "370202" in run.error and "370211" in run.error  # the districts whose cases need one
    assert not run.lines.exists()
    event = run.events.get(action="fail")
    assert event.note == run.error


def test_a_missing_district_standard_only_fails_when_a_case_needs_it(payout_standards, staff, request_run, compute):
    from relief.models import Standard

    dibao_case(created_by=staff)
    Standard.objects.filter(scheme="dibao", area_type="rural").delete()
    run = request_run("dibao", "2020-03")
    assert compute(run) == "computed"  # no rural case: nothing is missing
    dibao_case(community="370283010001", area_type="rural", created_by=staff)
    other = request_run("dibao", "2020-04")
    assert compute(other) == "failed"
    other.refresh_from_db()
    assert "平度" in other.error and "2020-04" in other.error


# --- Exactly once ----------------------------------------------------------------------------------


def test_computing_twice_changes_nothing(city, request_run, compute):
    run = request_run("dibao", "2020-04")
    assert compute(run) == "computed"
    first = sorted(PayoutLine.objects.filter(run=run).values_list("id", "beneficiary_id", "amount"))
    assert compute(run) == "done"
    assert sorted(PayoutLine.objects.filter(run=run).values_list("id", "beneficiary_id", "amount")) == first


def test_delivering_the_task_twice_gives_one_set_of_lines(city, request_run):
    from payouts.tasks import compute_run

    run = request_run("tekun", "2020-04")
    assert compute_run.apply(args=[run.pk]).get() == "computed"
    assert compute_run.apply(args=[run.pk]).get() == "done"
    run.refresh_from_db()
    assert lines_of(run) == expected_tekun(APRIL)
    assert run.events.filter(action="finish").count() == 1


def test_the_same_scheme_and_month_twice_is_the_same_run(city, finance):
    first, created = services.run_request(actor=finance.maker, scheme="dibao", period="2020-04")
    again, created_again = services.run_request(actor=finance.checker, scheme="dibao", period="2020-04")
    assert (created, created_again) == (True, False)
    assert first.pk == again.pk
    assert PayoutRun.objects.filter(scheme="dibao", period=APRIL).count() == 1


class Killed(BaseException):
    """What a SIGKILL looks like from inside: nothing after it runs (not even ``except Exception``)."""


def test_a_run_interrupted_mid_way_resumes_and_ends_with_exactly_the_right_lines(
    city, request_run, compute, monkeypatch, settings
):
    settings.PAYOUTS_CHUNK_SIZE = 2  # many small chunks
    run = request_run("dibao", "2020-04")
    real = engine.insert_chunk
    calls = {"n": 0}

    def dies_on_the_fourth_chunk(plan, chunk):
        calls["n"] += 1
        result = real(plan, chunk)  # the chunk's rows are written…
        if calls["n"] == 4:
            raise Killed  # …and the worker dies before its transaction commits
        return result

    monkeypatch.setattr(engine, "insert_chunk", dies_on_the_fourth_chunk)
    with pytest.raises(Killed):
        compute(run)
    run.refresh_from_db()
    assert run.status == "computing"
    assert run.chunks_done == 3
    assert 0 < run.line_count < len(expected_dibao(APRIL))
    assert run.lines.count() == run.line_count  # the fourth chunk was rolled back with its progress
    monkeypatch.setattr(engine, "insert_chunk", real)
    assert compute(run) == "computed"  # a redelivery resumes at the cursor
    run.refresh_from_db()
    assert lines_of(run) == expected_dibao(APRIL)
    assert run.chunks_done == run.chunks_total
    assert run.events.filter(action="resume").count() == 1


def test_a_chunk_written_twice_inserts_nothing_the_second_time(city, request_run, compute):
    run = request_run("dibao", "2020-04")
    compute(run)
    run.refresh_from_db()
    for chunk in engine.chunks(run.plan):
        result = engine.insert_chunk(run.plan, chunk)
        assert result.inserted == 0
        assert result.selected > 0 or chunk.hi - chunk.lo > 0
    assert lines_of(run) == expected_dibao(APRIL)


def test_a_chunk_partly_written_before_adds_exactly_the_missing_lines(city, request_run, compute):
    """The plain insert meets the lines already there, and the chunk is written again skipping them."""
    run = request_run("dibao", "2020-04")
    compute(run)
    run.refresh_from_db()
    expected = lines_of(run)
    removed = list(PayoutLine.objects.filter(run=run).order_by("id").values_list("id", flat=True)[::2])
    PayoutLine.objects.filter(pk__in=removed).delete()
    inserted = skipped = 0
    for chunk in engine.chunks(run.plan):
        with transaction.atomic():
            result = engine.insert_chunk(run.plan, chunk)
        inserted += result.inserted
        skipped += result.selected - result.inserted
    assert inserted == len(removed) and skipped == len(expected) - len(removed)
    assert lines_of(run) == expected


def test_two_workers_cannot_compute_one_run_at_once(city, request_run, compute, settings):
    settings.JOBS_LOCK_WAIT_SECONDS = 0  # leave at once (a redelivered task waits: the next test)
    run = request_run("dibao", "2020-04")
    from django.db import connections

    other = connections.create_connection("default")
    try:
        with other.cursor() as cur:  # another worker holds the run
            cur.execute("SELECT pg_advisory_lock(%s, %s)", [engine.LOCK_NAMESPACE, run.pk])
        assert compute(run) == "busy"
        run.refresh_from_db()
        assert run.status == "queued" and not run.lines.exists()
        with other.cursor() as cur:
            cur.execute("SELECT pg_advisory_unlock(%s, %s)", [engine.LOCK_NAMESPACE, run.pk])
    finally:
        other.close()
    assert compute(run) == "computed"


def test_a_redelivered_task_waits_for_a_killed_workers_lock_to_go(city, request_run, compute, settings):
    """A killed worker's backend may hold the run's lock a few seconds more (PostgreSQL ends it when it
    notices the client gone): the redelivered task waits for it instead of leaving the run computing."""
    import threading

    from django.db import connections

    settings.JOBS_LOCK_WAIT_SECONDS = 10
    run = request_run("dibao", "2020-04")
    other = connections.create_connection("default")
    try:
        with other.cursor() as cur:  # the dead worker's backend, still holding the run
            cur.execute("SELECT pg_advisory_lock(%s, %s)", [engine.LOCK_NAMESPACE, run.pk])
        threading.Timer(1.0, other.connection.close).start()  # ... until the server ends it
        assert compute(run) == "computed"
    finally:
        other.close()
    run.refresh_from_db()
    assert run.status == "computed" and run.line_count > 0


def test_a_second_line_for_the_same_beneficiary_and_month_is_refused_by_the_database(city, request_run, compute):
    from django.db import IntegrityError, transaction

    run = request_run("dibao", "2020-04")
    compute(run)
    line = PayoutLine.objects.filter(run=run).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        with connection.cursor() as cur:
            cur.execute(
                "INSERT INTO payouts_payoutline (run_id, scheme, period, beneficiary_id, household_id, source_id,"
                " division_id, amount, status, snapshot) SELECT run_id, scheme, period, beneficiary_id, household_id,"
                " source_id, division_id, amount, status, snapshot FROM payouts_payoutline WHERE id = %s",
                [line.pk],
            )


def test_a_failed_run_can_be_restarted_once_the_standard_is_entered(city, request_run, compute, finance, staff):
    from relief.models import Standard

    dibao_case(start=datetime.date(2018, 1, 1), created_by=staff)
    run = request_run("dibao", "2018-06")
    compute(run)
    for area, amount in (("urban", "800.00"), ("rural", "650.00")):
        Standard.objects.create(scheme="dibao", area_type=area, effective_from="2018-01-01", amount=Decimal(amount))
    run.refresh_from_db()
    services.run_restart(actor=finance.checker, run=run, note="standard entered")
    assert compute(run) == "computed"
    run.refresh_from_db()
    assert run.status == "computed" and run.error == "" and run.line_count > 0
    actions = list(RunEvent.objects.filter(run=run).values_list("action", flat=True))
    assert actions == ["request", "fail", "restart", "start", "finish"]


def test_a_computing_run_with_a_live_worker_is_not_restarted(city, request_run, compute, finance, settings):
    from django.utils import timezone

    from core.errors import Conflict

    run = request_run("dibao", "2020-04")
    PayoutRun.objects.filter(pk=run.pk).update(status="computing", heartbeat_at=timezone.now())
    run.refresh_from_db()
    with pytest.raises(Conflict) as refused:
        services.run_restart(actor=finance.maker, run=run)
    assert refused.value.code == "not_stuck"
    settings.JOBS_STALE_SECONDS = 0
    PayoutRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - datetime.timedelta(minutes=5))
    run.refresh_from_db()
    services.run_restart(actor=finance.maker, run=run, note="stuck")
    run.refresh_from_db()
    assert run.status == "queued"


def test_recompute_discards_the_lines_and_uses_todays_data(city, request_run, compute, finance):
    cases, _tekun = city
    run = request_run("dibao", "2020-04")
    compute(run)
    from relief.models import DibaoCase

    DibaoCase.objects.filter(pk=cases["plain"].pk).update(monthly_income=Decimal("800.00"))
    services.run_recompute(actor=finance.maker, run=run, note="income corrected")
    assert compute(run) == "computed"
    assert PayoutLine.objects.get(run=run, household_id=cases["plain"].household_id).amount == Decimal("2020.00")
    assert lines_of(run) == expected_dibao(APRIL)

"""Each dashboard figure equals an independent count from the records it summarises."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db.models import Sum

from core.cases import add_months
from core.errors import Conflict
from dashboard import selectors, services
from dashboard.models import PaidMask, PaidMonth, PaidRun, PaidYear
from marriage.models import Registration
from payouts.models import PayoutLine, PayoutRun
from payouts.services import run_approve
from placenames.models import Road
from relief.models import DibaoMember, FamilyTrace, StationAdmission, TemporaryReliefClaim
from social_orgs.models import CommunityOrg, SocialOrg
from tests.dashboard.conftest import aware

pytestmark = pytest.mark.django_db

APPROVED = ("approved", "exported", "reconciled")


def leader_summary(make_staff, start, end, division=None):
    leader = make_staff("leader", "370200")
    return selectors.summary(selectors.summary_query(leader, start=start, end=end, division=division))


def paid_lines(scheme, start, end, prefix=""):
    """The lines approved for payment in the range: once each (re-payments of failed lines excluded)."""
    lines = PayoutLine.objects.filter(
        scheme=scheme,
        period__gte=start,
        period__lte=end,
        run__status__in=APPROVED,
        replaces__isnull=True,
    )
    return lines.filter(division__code__startswith=prefix) if prefix else lines


def independent(scheme, start, end, prefix=""):
    lines = paid_lines(scheme, start, end, prefix)
    households = set(lines.values_list("household_id", flat=True))
    if scheme == "dibao":
        persons = DibaoMember.objects.filter(case_id__in=set(lines.values_list("source_id", flat=True))).count()
    else:
        persons = len(set(lines.values_list("beneficiary_id", flat=True)))
    amount = lines.aggregate(s=Sum("amount"))["s"] or Decimal("0")
    return {"households": len(households), "persons": persons, "amount": f"{amount:.2f}"}


def picked(figures):
    return {k: figures[k] for k in ("households", "persons", "amount")}


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2020-01", "2020-03"),
        ("2020-02", "2020-02"),
        ("2020-01", "2020-01"),
        ("2019-12", "2020-02"),
        ("2020-04", "2020-06"),
        ("2018-06", "2020-03"),
        ("2019-01", "2020-12"),
    ],
)
def test_payout_figures_equal_an_independent_count_of_the_approved_lines(world, make_staff, start, end):
    data = leader_summary(make_staff, start, end)
    s, e = selectors.parse_month(start), selectors.parse_month(end)
    for scheme in ("dibao", "tekun"):
        assert picked(data["schemes"][scheme]) == independent(scheme, s, e), (scheme, start, end)
    assert picked(data["schemes"]["orphan"]) == {"households": 0, "persons": 0, "amount": "0.00"}


def test_someone_paid_in_three_months_counts_once_over_the_range_and_once_in_each_month(world, make_staff):
    data = leader_summary(make_staff, "2020-01", "2020-03")
    dibao = data["schemes"]["dibao"]
    # own (3), own_second (1), sibling (2, from February), other (1, until February), rural (2)
    assert (dibao["households"], dibao["persons"]) == (5, 9)
    by_month = {row["month"]: (row["households"], row["persons"]) for row in dibao["by_month"]}
    assert by_month == {"2020-01": (4, 7), "2020-02": (5, 9), "2020-03": (4, 8)}
    for row in dibao["by_month"]:
        month = selectors.parse_month(row["month"])
        assert row == {"month": row["month"], **independent("dibao", month, month)}


def test_the_split_by_district_adds_up_and_each_district_equals_its_own_count(world, make_staff):
    data = leader_summary(make_staff, "2020-01", "2020-03")
    rows = {row["code"]: row for row in data["schemes"]["dibao"]["by_division"]}
    assert len(rows) == 10 and rows["370202"]["name"] == "市南区"
    s, e = datetime.date(2020, 1, 1), datetime.date(2020, 3, 1)
    for code in ("370202", "370203", "370211", "370212"):
        assert picked(rows[code]) == independent("dibao", s, e, prefix=code)
    assert sum(r["households"] for r in rows.values()) == data["schemes"]["dibao"]["households"]
    assert sum(Decimal(r["amount"]) for r in rows.values()) == Decimal(data["schemes"]["dibao"]["amount"])


def test_a_district_splits_by_its_sub_districts(world, make_staff):
    data = leader_summary(make_staff, "2020-01", "2020-03", division="370202")
    rows = {row["code"]: row for row in data["schemes"]["dibao"]["by_division"]}
    assert set(rows) >= {"370202001", "370202002"}
    s, e = datetime.date(2020, 1, 1), datetime.date(2020, 3, 1)
    assert picked(rows["370202001"]) == independent("dibao", s, e, prefix="370202001")
    assert picked(rows["370202002"]) == independent("dibao", s, e, prefix="370202002")
    assert picked(data["schemes"]["dibao"]) == independent("dibao", s, e, prefix="370202")


def test_across_a_new_year_a_household_paid_in_both_years_counts_once(world, make_staff):
    data = leader_summary(make_staff, "2019-12", "2020-01")
    # December: own, own_second, other, rural (sibling starts in February); January the same four.
    assert data["schemes"]["dibao"]["households"] == 4
    assert [r["households"] for r in data["schemes"]["dibao"]["by_month"]] == [4, 4]


def test_a_run_is_counted_once_whether_folded_twice_or_rebuilt(world, make_staff):
    before = leader_summary(make_staff, "2019-12", "2020-03")
    run = world.runs[("dibao", "2020-02")]
    assert services.fold_run(run.pk) is False
    with pytest.raises(Conflict):
        run_approve(actor=world.finance.checker, run=PayoutRun.objects.get(pk=run.pk))
    assert leader_summary(make_staff, "2019-12", "2020-03") == before
    assert PaidRun.objects.count() == 6
    services.rebuild()
    assert leader_summary(make_staff, "2019-12", "2020-03") == before


def test_runs_approved_out_of_order_give_the_same_figures(world, make_staff):
    ranges = [("2019-12", "2020-03"), ("2020-02", "2020-03"), ("2019-12", "2019-12"), ("2018-01", "2020-03")]
    before = [leader_summary(make_staff, a, b) for a, b in ranges]
    for model in (PaidRun, PaidMonth, PaidYear, PaidMask):
        model.objects.all().delete()
    for run in PayoutRun.objects.order_by("-period", "-id"):  # March first, December 2019 last
        assert services.fold_run(run.pk) is True
    assert [leader_summary(make_staff, a, b) for a, b in ranges] == before


def test_a_follow_up_re_paying_a_failed_line_adds_nothing(world, make_staff):
    before = leader_summary(make_staff, "2020-01", "2020-03")
    run = world.runs[("dibao", "2020-02")]
    PayoutRun.objects.filter(pk=run.pk).update(status="exported")
    failed = PayoutLine.objects.filter(run=run).order_by("id").first()
    PayoutLine.objects.filter(pk=failed.pk).update(status="failed", failure_reason="账户已销户")
    follow_up = PayoutRun.objects.create(
        scheme="dibao",
        period=run.period,
        sequence=1,
        parent=run,
        origin="follow_up",
        status="computed",
        started_by=world.finance.maker,
        line_count=1,
        total_amount=failed.amount,
    )
    PayoutLine.objects.create(
        run=follow_up,
        scheme="dibao",
        period=run.period,
        beneficiary_id=failed.beneficiary_id,
        household_id=failed.household_id,
        source_id=failed.source_id,
        division_id=failed.division_id,
        amount=failed.amount,
        snapshot=failed.snapshot,
        replaces=failed,
    )
    run_approve(actor=world.finance.checker, run=follow_up)
    assert PaidRun.objects.filter(run_id=follow_up.pk).exists()
    assert leader_summary(make_staff, "2020-01", "2020-03") == before


def test_the_summary_tables_hold_no_empty_or_negative_counts(world):
    assert not PaidMask.objects.filter(n__lte=0).exists()
    assert PaidYear.objects.filter(scheme="dibao", year=2020, unit="h").count() == 5
    assert (
        PaidMonth.objects.aggregate(s=Sum("lines"))["s"] == PayoutLine.objects.filter(run__status__in=APPROVED).count()
    )


def _between(qs, field, start, end):
    return qs.filter(**{f"{field}__gte": start, f"{field}__lt": end})


def test_relief_and_registry_figures_equal_independent_counts(world, registries, make_staff):
    data = leader_summary(make_staff, "2020-01", "2020-03")
    start, end = datetime.date(2020, 1, 1), datetime.date(2020, 4, 1)
    claims = _between(
        TemporaryReliefClaim.objects.filter(status="approved"), "approved_at", aware(start, 0), aware(end, 0)
    )
    assert data["temporary_relief"] == {
        "households": claims.values("household_id").distinct().count(),
        "claims": claims.count(),
        "amount": f"{claims.aggregate(s=Sum('amount'))['s']:.2f}",
    }
    assert data["temporary_relief"] == {"households": 3, "claims": 4, "amount": "5500.00"}
    registered = Registration.objects.filter(status="registered")
    assert data["marriage"] == {
        "marriages": _between(registered.filter(kind="marriage"), "registered_on", start, end).count(),
        "divorces": _between(registered.filter(kind="divorce"), "registered_on", start, end).count(),
    }
    assert data["marriage"] == {"marriages": 3, "divorces": 1}
    assert data["social_orgs"] == {
        "registered": _between(SocialOrg.objects.all(), "founded_on", start, end).count(),
        "community_filed": _between(CommunityOrg.objects.all(), "filed_on", start, end).count(),
    }
    assert data["social_orgs"] == {"registered": 2, "community_filed": 3}
    assert data["roads_named"] == _between(Road.objects.all(), "approved_on", start, end).count() == 3
    assert data["vagrant_relief"] == {
        "helped": _between(StationAdmission.objects.all(), "admitted_on", start, end).count(),
        "reunited": _between(FamilyTrace.objects.filter(status="found"), "concluded_on", start, end).count(),
    }
    assert data["vagrant_relief"] == {"helped": 3, "reunited": 1}
    price = data["price_subsidy"]
    assert price == {"triggers": 0, "persons": 0, "amount": "0.00"}


def test_registry_figures_follow_the_division_asked(world, registries, make_staff):
    data = leader_summary(make_staff, "2020-01", "2020-03", division="370203")
    assert data["temporary_relief"] == {"households": 1, "claims": 1, "amount": "800.00"}
    assert data["marriage"] == {"marriages": 1, "divorces": 0}
    assert data["roads_named"] == 2
    assert data["social_orgs"] == {"registered": 0, "community_filed": 1}
    assert data["vagrant_relief"] == {"helped": 1, "reunited": 0}
    trend = {r["month"]: r["n"] for r in data["series"]["roads_named"]["by_month"]}
    assert trend == {"2020-01": 0, "2020-02": 1, "2020-03": 1}


def test_price_subsidy_triggers_count_the_months_paid(world, make_staff):
    """Two months' price subsidy (lines written as the engine would, approved runs): two triggers."""
    from payouts.models import PayoutRun as Run

    dibao_jan = world.runs[("dibao", "2020-01")]
    for period in (datetime.date(2020, 1, 1), datetime.date(2020, 2, 1)):
        run = Run.objects.create(
            scheme="price_subsidy",
            period=period,
            status="computed",
            started_by=world.finance.maker,
        )
        for line in PayoutLine.objects.filter(run=dibao_jan)[:2]:
            PayoutLine.objects.create(
                run=run,
                scheme="price_subsidy",
                period=period,
                beneficiary_id=line.beneficiary_id,
                household_id=line.household_id,
                source_id=line.source_id,
                division_id=line.division_id,
                amount=Decimal("30.80"),
                snapshot={"rule": "price_subsidy", "group": "dibao"},
            )
        Run.objects.filter(pk=run.pk).update(line_count=2, total_amount=Decimal("61.60"))
        run_approve(actor=world.finance.checker, run=Run.objects.get(pk=run.pk))
    data = leader_summary(make_staff, "2020-01", "2020-06")
    assert data["price_subsidy"] == {"triggers": 2, "persons": 2, "amount": "123.20"}
    assert add_months(datetime.date(2020, 1, 1), 1) == datetime.date(2020, 2, 1)

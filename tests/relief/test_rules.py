"""The bureau's formulas, checked on their own (no database)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from core.errors import InvalidInput
from core.money import money, money_str, parse_money
from relief import rules

D = Decimal
APRIL = datetime.date(2020, 4, 1)


def adults(n: int) -> list[rules.MemberFacts]:
    return [rules.MemberFacts(birth_date=datetime.date(1980, 1, 1)) for _ in range(n)]


def test_dibao_amount_is_the_gap_to_the_standard_times_members():
    result = rules.dibao_amount(standard=D("940"), monthly_income=D("600"), members=adults(3), month=APRIL)
    assert result.per_capita_income == D("200.00")
    assert result.amount == D("2220.00")  # (940 − 200) × 3


def test_dibao_amount_rounds_once_at_the_end():
    # 1000 / 3 = 333.333…: (940 − 333.333…) × 3 = 1820 exactly, not 1820.01 from a rounded per-capita figure.
    result = rules.dibao_amount(standard=D("940"), monthly_income=D("1000"), members=adults(3), month=APRIL)
    assert result.per_capita_income == D("333.33")
    assert result.amount == D("1820.00")


def test_dibao_amount_is_floored_at_zero_when_income_exceeds_the_standard():
    result = rules.dibao_amount(standard=D("940"), monthly_income=D("3000"), members=adults(2), month=APRIL)
    assert result.amount == D("0.00")


def test_dibao_supplement_goes_to_qualifying_members_the_highest_one_each():
    members = [
        rules.MemberFacts(birth_date=datetime.date(1950, 1, 1)),  # elderly (70)
        rules.MemberFacts(birth_date=datetime.date(1955, 1, 1), disabled=True),  # elderly and disabled: the higher
        rules.MemberFacts(birth_date=datetime.date(2010, 1, 1)),  # child
        rules.MemberFacts(birth_date=datetime.date(1985, 1, 1)),  # none
    ]
    rates = rules.Supplements(elderly=D("50"), disabled=D("100"), child=D("30"))
    result = rules.dibao_amount(
        standard=D("940"), monthly_income=D("800"), members=members, month=APRIL, supplements=rates
    )
    assert result.supplement == D("180")  # 50 + 100 + 30
    assert result.supplement_members == {"elderly": 1, "disabled": 1, "child": 1}
    assert result.amount == D("3140.00")  # 940 × 4 − 800 + 180


def test_no_supplement_for_a_household_the_allowance_does_not_cover():
    rates = rules.Supplements(elderly=D("50"))
    members = [rules.MemberFacts(birth_date=datetime.date(1940, 1, 1))]
    result = rules.dibao_amount(
        standard=D("940"), monthly_income=D("2000"), members=members, month=APRIL, supplements=rates
    )
    assert result.amount == D("0.00")


def test_age_counts_on_the_first_day_of_the_month():
    assert rules.age_on(datetime.date(1960, 4, 2), APRIL) == 59
    assert rules.age_on(datetime.date(1960, 4, 1), APRIL) == 60


def test_tekun_basic_is_never_below_13_tenths_of_dibao():
    low = rules.tekun_amount(tekun_standard=D("1000"), dibao_standard=D("940"), care_standard=D("200"))
    assert low.basic == D("1222.00") and low.basic_floor_applied
    assert low.amount == D("1422.00")
    high = rules.tekun_amount(tekun_standard=D("1300"), dibao_standard=D("940"), care_standard=D("600"))
    assert high.basic == D("1300.00") and not high.basic_floor_applied
    assert high.amount == D("1900.00")


FIRST_HALF_2020 = [
    ("5.4", "20.6"),
    ("5.2", "21.9"),
    ("4.3", "18.3"),
    ("3.3", "14.8"),
    ("2.4", "10.6"),
    ("2.5", "11.1"),
]


@pytest.mark.parametrize(("cpi", "food"), FIRST_HALF_2020)
def test_every_month_of_the_first_half_of_2020_triggers_the_price_subsidy(cpi, food):
    trigger = rules.price_trigger(
        cpi_yoy=D(cpi), food_cpi_yoy=D(food), cpi_threshold=D("3.5"), food_cpi_threshold=D("6.0")
    )
    assert trigger.triggered
    assert "food_cpi" in trigger.by
    assert ("cpi" in trigger.by) == (D(cpi) >= D("3.5"))


def test_a_month_with_cpi_2_and_food_cpi_4_does_not_trigger():
    trigger = rules.price_trigger(
        cpi_yoy=D("2.0"), food_cpi_yoy=D("4.0"), cpi_threshold=D("3.5"), food_cpi_threshold=D("6.0")
    )
    assert not trigger.triggered
    assert trigger.by == ()


def test_reaching_a_threshold_exactly_triggers():
    assert rules.price_trigger(
        cpi_yoy=D("3.5"), food_cpi_yoy=D("0"), cpi_threshold=D("3.5"), food_cpi_threshold=D("6.0")
    ).triggered


def test_price_subsidy_is_the_standard_times_the_rise_with_a_floor():
    assert rules.price_subsidy_amount(standard=D("940"), rise_percent=D("5.4")) == D("50.76")
    assert rules.price_subsidy_amount(standard=D("940"), rise_percent=D("2.4")) == D("22.56")
    assert rules.price_subsidy_amount(standard=D("940"), rise_percent=D("2.4"), floor=D("30")) == D("30.00")
    assert rules.price_subsidy_amount(standard=D("940"), rise_percent=D("-0.5")) == D("0.00")


def test_money_rounds_half_up_to_the_cent_and_refuses_floats():
    assert money(D("2.005")) == D("2.01")
    assert money("1234.5") == D("1234.50")
    assert money_str(D("7")) == "7.00"
    with pytest.raises(TypeError):
        money(0.1)


@pytest.mark.parametrize("bad", ["-1", "abc", "1.234", "", "NaN", "Infinity", None, 1.5])
def test_parse_money_refuses_what_is_not_an_amount(bad):
    with pytest.raises(InvalidInput) as excinfo:
        parse_money(bad, field="amount")
    assert excinfo.value.field == "amount"


def test_parse_money_accepts_plain_amounts():
    assert parse_money("1,234.5", field="amount") == D("1234.50")
    assert parse_money(D("0"), field="amount") == D("0.00")
    with pytest.raises(InvalidInput):
        parse_money("0", field="amount", allow_zero=False)

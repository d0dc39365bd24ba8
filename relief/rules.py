"""The bureau's formulas, as pure functions of their inputs (no database, no clock).

Selectors look up the standards in force and call these; tests call them directly.
Every amount is exact ``Decimal`` arithmetic until the one rounding, ``core.money.money``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from core.money import ZERO, money

# Classified supplement (分类施保): who counts as elderly or a child, on the first day of the month.
ELDERLY_AGE = 60
CHILD_AGE = 18
# The tekun basic living standard is not below 1.3 × the dibao standard (national rule).
TEKUN_MIN_FACTOR = Decimal("1.3")
PUBLIC_NOTICE_DAYS = 7
# Periodic review (复核, 民发〔2021〕57号): a household whose income hardly changes, and a tekun
# person, once a year; a household with irregular income or members able to work every six months.
REVIEW_MONTHS_STABLE = 12
REVIEW_MONTHS_IRREGULAR = 6


def review_months(*, irregular: bool) -> int:
    return REVIEW_MONTHS_IRREGULAR if irregular else REVIEW_MONTHS_STABLE


HUNDRED = Decimal(100)


def alive_in(death_date: datetime.date | None, month: datetime.date) -> bool:
    """Whether a person counts in ``month``: alive on its first day. A death re-assesses from the month
    after (the payout engine's selection applies the same test in SQL: ``death_date >= month``)."""
    return death_date is None or death_date >= month


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


@dataclass(frozen=True)
class MemberFacts:
    birth_date: datetime.date
    disabled: bool = False


@dataclass(frozen=True)
class Supplements:
    """Per-member monthly supplement amounts in force (``None`` where the city sets none)."""

    elderly: Decimal | None = None
    disabled: Decimal | None = None
    child: Decimal | None = None


def member_supplement(member: MemberFacts, month: datetime.date, rates: Supplements) -> tuple[str, Decimal] | None:
    """The one supplement a member gets: the highest of those they qualify for (not cumulative)."""
    age = age_on(member.birth_date, month)
    candidates = []
    if rates.elderly is not None and age >= ELDERLY_AGE:
        candidates.append(("elderly", rates.elderly))
    if rates.disabled is not None and member.disabled:
        candidates.append(("disabled", rates.disabled))
    if rates.child is not None and age < CHILD_AGE:
        candidates.append(("child", rates.child))
    candidates = [c for c in candidates if c[1] > 0]
    if not candidates:
        return None
    return max(candidates, key=lambda c: c[1])


@dataclass(frozen=True)
class DibaoAmount:
    standard: Decimal
    members_count: int
    monthly_income: Decimal
    per_capita_income: Decimal  # for display, rounded
    gap: Decimal  # (standard − per-capita income) × members, floored at 0, unrounded
    supplement: Decimal  # unrounded
    supplement_members: dict[str, int] = field(default_factory=dict)
    amount: Decimal = ZERO  # the one rounded figure


def dibao_amount(
    *,
    standard: Decimal,
    monthly_income: Decimal,
    members: list[MemberFacts],
    month: datetime.date,
    supplements: Supplements | None = None,
) -> DibaoAmount:
    """(standard − household per-capita monthly income) × members, floored at 0, plus supplements.

    ``(standard − income / n) × n`` is computed as ``standard × n − income``: the same
    number without an intermediate rounding. Supplements are paid only to a household the
    allowance covers (a positive gap).
    """
    n = len(members)
    if n < 1:
        raise ValueError("A dibao household has at least one member.")
    gap = max(standard * n - monthly_income, ZERO)
    supplement = ZERO
    counted: dict[str, int] = {}
    if gap > 0 and supplements is not None:
        for member in members:
            got = member_supplement(member, month, supplements)
            if got is not None:
                counted[got[0]] = counted.get(got[0], 0) + 1
                supplement += got[1]
    return DibaoAmount(
        standard=standard,
        members_count=n,
        monthly_income=monthly_income,
        per_capita_income=money(monthly_income / n),
        gap=gap,
        supplement=supplement,
        supplement_members=counted,
        amount=money(gap + supplement),
    )


@dataclass(frozen=True)
class TekunAmount:
    basic: Decimal  # rounded, for display
    basic_floor_applied: bool  # the 1.3 × dibao floor was higher than the tekun entry
    care: Decimal
    amount: Decimal


def tekun_amount(
    *, tekun_standard: Decimal | None, dibao_standard: Decimal | None, care_standard: Decimal
) -> TekunAmount:
    """Basic living standard (never below 1.3 × dibao) plus the care standard for the self-care level."""
    floor = dibao_standard * TEKUN_MIN_FACTOR if dibao_standard is not None else None
    if tekun_standard is None and floor is None:
        raise ValueError("Neither a tekun nor a dibao standard is in force.")
    candidates = [v for v in (tekun_standard, floor) if v is not None]
    basic = max(candidates)
    floor_applied = tekun_standard is None or (floor is not None and floor > tekun_standard)
    return TekunAmount(
        basic=money(basic), basic_floor_applied=floor_applied, care=care_standard, amount=money(basic + care_standard)
    )


@dataclass(frozen=True)
class PriceTrigger:
    triggered: bool
    by: tuple[str, ...]  # which indices reached their threshold: "cpi", "food_cpi"


def price_trigger(
    *, cpi_yoy: Decimal, food_cpi_yoy: Decimal, cpi_threshold: Decimal, food_cpi_threshold: Decimal
) -> PriceTrigger:
    """Triggered when the CPI's rise reaches its threshold, or the food CPI's reaches its own (either)."""
    by = tuple(
        name
        for name, value, threshold in (("cpi", cpi_yoy, cpi_threshold), ("food_cpi", food_cpi_yoy, food_cpi_threshold))
        if value >= threshold
    )
    return PriceTrigger(triggered=bool(by), by=by)


def price_subsidy_amount(*, standard: Decimal, rise_percent: Decimal, floor: Decimal = ZERO) -> Decimal:
    """Per person: the applicable dibao standard × the index's rise, at least ``floor`` (never negative)."""
    return money(max(standard * rise_percent / HUNDRED, floor, ZERO))


def sum_money(values: Iterable[Decimal]) -> Decimal:
    return money(sum(values, ZERO))

"""Welfare's rules as pure functions (no database, no clock): certificate numbers, ages, months.

Services and selectors call these; tests call them directly.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.cases import add_months, month_start
from core.idnumbers import parse_id_number
from relief.rules import age_on

# An orphan leaves the allowance at the end of the month they turn this old.
ORPHAN_AGE_LIMIT = 18
CERTIFICATE_LENGTH = 20
# The grades the nursing subsidy covers (重度残疾: grade 1 and 2).
NURSING_MAX_GRADE = 2
DISABILITY_TYPE_NAMES = {
    "vision": 1,
    "hearing": 2,
    "speech": 3,
    "physical": 4,
    "intellectual": 5,
    "mental": 6,
    "multiple": 7,
}


@dataclass(frozen=True)
class CertificateNumber:
    number: str
    id_number: str
    disability_type: int
    grade: int


def parse_certificate_number(value: str) -> CertificateNumber:
    """A second-generation disability certificate number, or ``ValidationError`` saying what is wrong.

    20 characters: the holder's 18-character resident ID number (its check character and
    birth date verified as for any ID number), the type digit 1–7 and the grade digit 1–4.
    """
    number = (value or "").strip().upper().replace(" ", "")
    if len(number) != CERTIFICATE_LENGTH:
        raise ValidationError(
            _(
                "A disability certificate number has 20 characters: the holder's ID number, "
                "then the type (1–7) and the grade (1–4); this one has %(count)d."
            )
            % {"count": len(number)},
            code="length",
        )
    try:
        resident = parse_id_number(number[:18])
    except ValidationError as exc:
        raise ValidationError(
            _("The first 18 characters must be the holder's ID number: %(error)s") % {"error": exc.messages[0]},
            code="id_number",
        ) from None
    type_digit, grade_digit = number[18], number[19]
    if type_digit not in "1234567":
        raise ValidationError(
            _("The 19th character is the disability type, a digit from 1 to 7 (it is %(value)s).")
            % {"value": type_digit},
            code="type",
        )
    if grade_digit not in "1234":
        raise ValidationError(
            _("The 20th character is the grade, a digit from 1 to 4 (it is %(value)s).") % {"value": grade_digit},
            code="grade",
        )
    return CertificateNumber(
        number=number, id_number=resident.number, disability_type=int(type_digit), grade=int(grade_digit)
    )


def certificate_number_with(number: str, *, disability_type: int, grade: int) -> str:
    """The same holder's number after a re-assessment to ``disability_type`` and ``grade``."""
    return f"{number[:18]}{disability_type}{grade}"


def month_after(day: datetime.date) -> datetime.date:
    """The first month after the one ``day`` falls in (a benefit stops from there after a death)."""
    return add_months(month_start(day), 1)


def birthday_at(birth_date: datetime.date, age: int) -> datetime.date:
    """The day one turns ``age`` (29 February's children turn it on 1 March in a common year)."""
    try:
        return birth_date.replace(year=birth_date.year + age)
    except ValueError:
        return datetime.date(birth_date.year + age, 3, 1)


def orphan_age_limit_reached(birth_date: datetime.date, on: datetime.date) -> bool:
    return age_on(birth_date, on) >= ORPHAN_AGE_LIMIT


def orphan_end_month(birth_date: datetime.date) -> datetime.date:
    """The first month no longer paid: the month after the one the child turns 18 in."""
    return month_after(birthday_at(birth_date, ORPHAN_AGE_LIMIT))


def latest_birth_date_of_age(age: int, on: datetime.date) -> datetime.date:
    """Everyone born on or before this date is at least ``age`` years old on ``on``."""
    try:
        return on.replace(year=on.year - age)
    except ValueError:  # 29 February: those born on 28 February (or 29th, in a leap year) qualify
        return datetime.date(on.year - age, 2, 28)


def nursing_eligible_grade(grade: int) -> bool:
    return 1 <= grade <= NURSING_MAX_GRADE

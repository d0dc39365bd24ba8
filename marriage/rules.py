"""The marriage registry's own rules, each with the date it took effect.

Kept as data (an ordered list of ``(effective_from, value)``) so a rule that changes again
gets a new line, and a record from before the change is still judged by the old one.
"""

from __future__ import annotations

import datetime
from bisect import bisect_right

from core.idnumbers import FEMALE, MALE

# Legal age to marry (Marriage Law 1980, Civil Code art. 1047): man 22, woman 20.
LEGAL_AGE = {MALE: 22, FEMALE: 20}

# Which office may register a couple (民政部 2020: 婚姻登记"全城通办" in Qingdao from 1 July 2020).
OFFICE_HOME_DISTRICT = "home_district"  # only the office of one party's household district
OFFICE_CITYWIDE = "citywide"  # any office in the city
OFFICE_RULES: list[tuple[datetime.date, str]] = [
    (datetime.date(1950, 5, 1), OFFICE_HOME_DISTRICT),
    (datetime.date(2020, 7, 1), OFFICE_CITYWIDE),
]

# Divorce cooling-off (Civil Code art. 1077, in force 1 January 2021): days after the application
# during which either party may withdraw; then both parties have as many days again to appear.
COOLING_OFF_RULES: list[tuple[datetime.date, int]] = [
    (datetime.date(1950, 5, 1), 0),
    (datetime.date(2021, 1, 1), 30),
]
APPEARANCE_WINDOW_DAYS = 30

# Earliest date a record may carry (the first Marriage Law).
EARLIEST_DATE = datetime.date(1950, 5, 1)


def _in_force(rules: list[tuple[datetime.date, object]], day: datetime.date):
    index = bisect_right([start for start, _ in rules], day) - 1
    if index < 0:
        return rules[0][1]
    return rules[index][1]


def office_rule_on(day: datetime.date) -> str:
    return _in_force(OFFICE_RULES, day)


def cooling_off_days(applied_on: datetime.date) -> int:
    return _in_force(COOLING_OFF_RULES, applied_on)


def legal_age(sex: str) -> int:
    return LEGAL_AGE[sex]


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    """Full years of age on ``day`` (someone born on 29 February comes of age on 1 March)."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def cooling_off_ends(applied_on: datetime.date) -> datetime.date:
    """The last day of the cooling-off period. The day of application is not counted (Civil Code art. 201)."""
    return applied_on + datetime.timedelta(days=cooling_off_days(applied_on))


def appearance_deadline(applied_on: datetime.date) -> datetime.date:
    """The last day both parties may appear to complete the divorce; after it the application lapses."""
    return cooling_off_ends(applied_on) + datetime.timedelta(days=APPEARANCE_WINDOW_DAYS)

"""Resident ID numbers (GB 11643) and unified social credit codes (GB 32100).

The check-character arithmetic is python-stdnum's (``stdnum.cn.ric``, ``stdnum.cn.uscc``);
this module wraps it once with the bureau's messages, sex and birth date, and masking.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric, uscc

ID_FORMAT = re.compile(r"[0-9]{17}[0-9X]\Z")

MALE = "male"
FEMALE = "female"


@dataclass(frozen=True)
class ResidentId:
    number: str
    birth_date: datetime.date
    sex: str  # MALE or FEMALE

    @property
    def area_code(self) -> str:
        return self.number[:6]


def parse_id_number(value: str, *, today: datetime.date | None = None) -> ResidentId:
    """Validate an 18-character resident ID number; raise ``ValidationError`` with a clear message.

    ``today`` (default: the local date) may be given by a caller checking many numbers at once."""
    number = (value or "").strip().upper().replace(" ", "")
    if len(number) != 18:
        raise ValidationError(_("An ID number has 18 characters."), code="length")
    # ASCII digits only: str.isdigit() also takes Arabic-Indic, Devanagari and full-width digits.
    if not ID_FORMAT.match(number):
        raise ValidationError(_("An ID number is 17 digits followed by a digit or X."), code="format")
    try:
        birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(
            _("The birth date in this ID number (%(date)s) does not exist."),
            code="birth_date",
            params={"date": f"{number[6:10]}-{number[10:12]}-{number[12:14]}"},
        ) from None
    if birth.year < 1880 or birth > (today or timezone.localdate()):
        raise ValidationError(
            _("The birth date in this ID number (%(date)s) is not possible."),
            code="birth_date",
            params={"date": birth.isoformat()},
        )
    # stdnum's check character; not ``ric.validate``, which would also look the area code up:
    # the first six digits are not ours to police beyond the format (areas are abolished and
    # renumbered), and the lookup is most of the cost when a file of 250,000 people is checked.
    if ric.calc_check_digit(number) != number[17]:
        raise ValidationError(
            _("The check character of this ID number is wrong; please check the number."), code="checksum"
        )
    sex = MALE if int(number[16]) % 2 == 1 else FEMALE
    return ResidentId(number=number, birth_date=birth, sex=sex)


def validate_id_number(value: str) -> None:
    parse_id_number(value)


def mask_id_number(number: str) -> str:
    """``370202199001011234`` → ``370202********1234``."""
    if not number:
        return ""
    if len(number) < 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_tail(value: str, keep: int = 4) -> str:
    """Bank accounts, phones: everything but the last ``keep`` characters starred."""
    if not value:
        return ""
    if len(value) <= keep:
        return "*" * len(value)
    return "*" * (len(value) - keep) + value[-keep:]


def mask_phone(value: str) -> str:
    """``13812345678`` → ``138****5678``."""
    if not value:
        return ""
    if len(value) < 8:
        return mask_tail(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def normalize_credit_code(value: str) -> str:
    """Validate a unified social credit code (18 characters, GB 32100 check character)."""
    code = (value or "").strip().upper().replace(" ", "")
    if len(code) != 18:
        raise ValidationError(_("A unified social credit code has 18 characters."), code="length")
    try:
        return uscc.validate(code)
    except stdnum_errors.InvalidChecksum:
        raise ValidationError(
            _("The check character of this credit code is wrong; please check the code."), code="checksum"
        ) from None
    except stdnum_errors.ValidationError:
        raise ValidationError(
            _("This is not a valid unified social credit code (digits and capital letters, no I, O, S, V or Z)."),
            code="format",
        ) from None


def validate_credit_code(value: str) -> None:
    normalize_credit_code(value)

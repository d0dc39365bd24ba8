"""Money: ``Decimal`` with two places, rounded once, by this one helper.

Computations (allowances, subsidies, sums) work on exact ``Decimal`` values and call
``money()`` once, on the final figure. Input typed by people or sent to the API goes
through ``parse_money()``, which refuses what is not a plain amount with a field error.
Floats are refused everywhere: ``0.1 + 0.2`` is not a sum of money.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

from core.errors import InvalidInput

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# The largest amount any money column holds (``max_digits=12, decimal_places=2``).
MAX_AMOUNT = Decimal("9999999999.99")


def money(value: Decimal | int | str) -> Decimal:
    """Round to the cent, half up (四舍五入), the one rounding of money in the portal."""
    if isinstance(value, bool | float):
        raise TypeError("money() takes a Decimal, an int or a string, never a float or a bool.")
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def money_str(value: Decimal | int | str | None) -> str | None:
    """The API's form of an amount: a string with two decimals (``"1234.50"``)."""
    return None if value is None else f"{money(value):.2f}"


def parse_money(
    value, *, field: str, allow_zero: bool = True, maximum: Decimal | None = None, label: str | None = None
) -> Decimal:
    """An amount of money from user or API input, or ``InvalidInput`` naming ``field``.

    Accepts a ``Decimal``, an ``int`` or a string of digits with at most two decimals
    (thousands separators and surrounding spaces are tolerated in strings). Refuses
    floats, negative amounts, zero when ``allow_zero`` is false, and more than ``maximum``.
    """
    label = label or _("The amount")
    if isinstance(value, bool | float) or value is None:
        raise InvalidInput(_("%(label)s must be a number, e.g. 1234.50.") % {"label": label}, field=field)
    if isinstance(value, str):
        value = value.strip().replace(",", "").replace("，", "")
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise InvalidInput(_("%(label)s must be a number, e.g. 1234.50.") % {"label": label}, field=field) from None
    if not amount.is_finite():
        raise InvalidInput(_("%(label)s must be a number, e.g. 1234.50.") % {"label": label}, field=field)
    if amount != amount.quantize(CENT, rounding=ROUND_HALF_UP):
        raise InvalidInput(_("%(label)s has at most two decimal places.") % {"label": label}, field=field)
    if amount < 0:
        raise InvalidInput(_("%(label)s cannot be negative.") % {"label": label}, field=field)
    if amount == 0 and not allow_zero:
        raise InvalidInput(_("%(label)s must be more than zero.") % {"label": label}, field=field)
    limit = MAX_AMOUNT if maximum is None else min(maximum, MAX_AMOUNT)
    if amount > limit:
        raise InvalidInput(
            _("%(label)s cannot be more than %(limit)s.") % {"label": label, "limit": money_str(limit)}, field=field
        )
    return money(amount)

"""Public-notice lists (公示): who receives what, posted for the public to check.

A notice names the person (or household head), the community, the benefit and the amount —
never an ID number, an address, a bank account or a phone, masked or not. Build every notice
serializer on ``PublicNoticeSerializer``: a subclass that declares a field whose name points
at such data fails at import (``ImproperlyConfigured``), and ``check_public_rows`` lets a test
scan what a notice endpoint or export really produced.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.core.exceptions import ImproperlyConfigured
from rest_framework import serializers

from core.logmask import ID_NUMBER, LONG_DIGITS

FORBIDDEN_FRAGMENTS = ("id_number", "address", "bank", "account", "phone", "mobile", "certificate")


def forbidden_field(name: str) -> bool:
    lowered = name.lower()
    return any(fragment in lowered for fragment in FORBIDDEN_FRAGMENTS)


def public_name(name: str) -> str:
    """The name as a notice shows it: the surname and one star per further character (张**)."""
    name = (name or "").strip()
    return name[:1] + "*" * (len(name) - 1) if len(name) > 1 else name


class PublicNoticeSerializer(serializers.Serializer):
    """Base of every public-notice row. Declare only fields fit for the public."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        declared = getattr(cls, "_declared_fields", {})
        meta_fields = getattr(getattr(cls, "Meta", None), "fields", ()) or ()
        names = [*declared, *(f for f in meta_fields if isinstance(f, str))]
        bad = [n for n in names if forbidden_field(n)]
        if bad:
            raise ImproperlyConfigured(f"{cls.__name__}: a public notice may not carry {', '.join(bad)}.")


def check_public_rows(rows: Iterable[Mapping]) -> list[str]:
    """Problems found in notice rows (empty when fit for the public): forbidden keys, and values
    that look like an ID number or a long digit run (an account, a phone)."""
    problems = []
    for index, row in enumerate(rows):
        for key, value in row.items():
            if forbidden_field(str(key)):
                problems.append(f"row {index}: field {key}")
            text = str(value)
            if ID_NUMBER.search(text) or LONG_DIGITS.search(text):
                problems.append(f"row {index}: {key} looks like a personal number")
    return problems

"""Free text that looks like markup, SQL or control characters is refused at the door.

Queries are parameterised and templates escape, so such text could do no harm inside; it is
refused anyway (issue 9, "bad input"): a name, an address or a note never needs ``<``, ``>``,
control characters or SQL statement fragments, and a clear 400 is better than storing them.
Passwords are never checked here.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

SUSPICIOUS = re.compile(
    r"[<>]"  # markup
    r"|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"  # control characters (tab and newlines are allowed)
    r"|--|/\*|\*/"  # SQL comments
    r"|;\s*(?:select|insert|update|delete|drop|alter|create|truncate|exec|grant)\b"
    r"|\bunion\s+(?:all\s+)?select\b"
    r"|\b(?:or|and)\s+'?\w+'?\s*=\s*'?\w+",  # ' OR '1'='1
    re.IGNORECASE,
)

MESSAGE = _("This text contains characters or phrases that are not accepted (<, >, --, SQL or control characters).")


def is_plain_text(value: str) -> bool:
    return not SUSPICIOUS.search(value or "")


def validate_plain_text(value: str) -> None:
    if isinstance(value, str) and not is_plain_text(value):
        raise ValidationError(MESSAGE, code="unsafe_text")

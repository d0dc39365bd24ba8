"""The one text validator: free text from forms, the API and imports is normalised and checked here.

Queries are parameterised and templates escape, so such text could do no harm inside; it is
refused anyway (issue 9, "bad input"): a name, an address or a note never needs ``<``, ``>``,
control characters or SQL statement fragments, and a clear 400 is better than storing them.

Invisible and direction-changing characters are refused too (issue 22 §12): U+202E turns
text around on screen (``txt.exe`` shows as ``exe.txt``), U+200B and U+FEFF make two
equal-looking names differ, U+2028 breaks a line where none shows. Every Unicode "format"
(Cf), "control" (Cc, but tab and newlines), line/paragraph separator (Zl, Zp), surrogate and
private-use character is refused.

Names are also brought to Unicode NFKC (full-width ``Ａ`` → ``A``, compatibility ideographs to
their unified form), so one person is not two because of how a keyboard typed the name.
Passwords are never checked here.
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

SUSPICIOUS = re.compile(
    r"[<>]"  # markup
    r"|--|/\*|\*/"  # SQL comments
    r"|;\s*(?:select|insert|update|delete|drop|alter|create|truncate|exec|grant)\b"
    r"|\bunion\s+(?:all\s+)?select\b"
    r"|\b(?:or|and)\s+'?\w+'?\s*=\s*'?\w+",  # ' OR '1'='1
    re.IGNORECASE,
)
ALLOWED_CONTROLS = frozenset("\t\n\r")
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Zl", "Zp"})

MESSAGE = _("This text contains characters or phrases that are not accepted (<, >, --, SQL or control characters).")
INVISIBLE_MESSAGE = _(
    "This text contains an invisible or direction-changing character (such as U+%(code)s); please type it again."
)


def invisible_character(value: str) -> str | None:
    """The first control, format (bidi, zero-width) or separator character in ``value``, or None."""
    if not value or value.isprintable():  # every refused category is unprintable: the common case in C
        return None
    for char in value:
        if char not in ALLOWED_CONTROLS and unicodedata.category(char) in REFUSED_CATEGORIES:
            return char
    return None


def text_problem(value: str):
    """The message for what is wrong with ``value`` (lazy, in the user's language), or None."""
    if not isinstance(value, str) or not value:
        return None
    char = invisible_character(value)
    if char is not None:
        return INVISIBLE_MESSAGE % {"code": f"{ord(char):04X}"}
    if SUSPICIOUS.search(value):
        return MESSAGE
    return None


def is_plain_text(value: str) -> bool:
    return text_problem(value) is None


def normalize_name(value: str) -> str:
    """A person's or an organization's name as stored: NFKC, surrounding spaces trimmed."""
    return unicodedata.normalize("NFKC", value).strip() if isinstance(value, str) else value


def is_name_field(field_name: str) -> bool:
    """Fields that hold a name (``name``, ``party_name``, ``guardian_name``…), normalised with NFKC."""
    field_name = (field_name or "").lower()
    return field_name == "name" or field_name.endswith("_name") or field_name in {"guardian", "supervisor"}


def clean_text(value: str, *, name: bool = False) -> str:
    """Normalise (NFKC for a name) and validate; raise ``ValidationError`` with the clear message."""
    if name:
        value = normalize_name(value)
    validate_plain_text(value)
    return value


def validate_plain_text(value: str) -> None:
    problem = text_problem(value) if isinstance(value, str) else None
    if problem is not None:
        raise ValidationError(problem, code="unsafe_text")

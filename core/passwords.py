"""Password rules of the bureau, beside Django's own validators (settings.AUTH_PASSWORD_VALIDATORS).

Django checks the length (10), likeness to the username and the common-password list; this
module adds the complexity rule of the classified-protection scheme: at least three of the
four kinds of character (lower case, upper case, digits, other signs).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def character_classes(password: str) -> int:
    kinds = [
        any(c.islower() for c in password),
        any(c.isupper() for c in password),
        any(c.isdigit() for c in password),
        any(not c.isalnum() for c in password),
    ]
    return sum(kinds)


class ComplexityValidator:
    """At least ``min_classes`` of: lower case, upper case, digits, other characters."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        if character_classes(password) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self) -> str:
        return _(
            "Your password must mix at least %(n)d of these: lower-case letters, capital letters, digits, "
            "other characters."
        ) % {"n": self.min_classes}


class NotUsernameValidator:
    """Neither the username nor the username reversed, whatever the case (Django's similarity
    check compares with a ratio and lets a short username through inside a longer password)."""

    def validate(self, password: str, user=None) -> None:
        username = (getattr(user, "username", "") or "").casefold()
        if username and (username in password.casefold() or username[::-1] in password.casefold()):
            raise ValidationError(self.get_help_text(), code="password_contains_username")

    def get_help_text(self) -> str:
        return _("Your password may not contain your username.")

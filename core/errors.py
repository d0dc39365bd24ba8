"""Domain errors, and the one place that says which HTTP status each one means.

Services raise these; the API's exception handler (``core.apis.exception_handler``) and
the browser views turn them into responses. Messages are translatable, ``code`` is a
stable English token for machines.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A rule the current state of the data forbids (HTTP 409)."""

    status_code = 409
    default_code = "conflict"
    default_message = _("This action is not allowed in the current state.")

    def __init__(self, message=None, *, code: str | None = None, field: str | None = None) -> None:
        self.message = message if message is not None else self.default_message
        self.code = code or self.default_code
        self.field = field
        super().__init__(str(self.message))


class Conflict(DomainError):
    """Alias that reads better at call sites: ``raise Conflict(..., code="name_taken")``."""


class NotFound(DomainError):
    """Does not exist, or lies outside the user's geography: the two are indistinguishable."""

    status_code = 404
    default_code = "not_found"
    default_message = _("Not found.")


class Forbidden(DomainError):
    """The user can see the object but their role may not take this action (HTTP 403)."""

    status_code = 403
    default_code = "permission_denied"
    default_message = _("You do not have permission to perform this action.")


class InvalidInput(DomainError):
    """Bad input detected by a service (HTTP 400, as a field error when ``field`` is set)."""

    status_code = 400
    default_code = "invalid"
    default_message = _("Invalid input.")

"""What the browser pages of every app share: the capability check, 404 outside one's geography,
a domain refusal shown on its form, a form's errors as messages, the ``?month=`` of a page.

Generic: it knows no domain (a page passes its own selector, capability, form).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404

from core.cases import current_month, parse_month
from core.errors import DomainError, Forbidden, InvalidInput, NotFound
from core.roles import Cap, has_cap


def require_cap(request, cap: Cap) -> None:
    """403 unless the user's roles give ``cap``."""
    if not has_cap(request.user, cap):
        raise Forbidden()


def get_or_404(fn, **kwargs):
    """``fn(**kwargs)`` (a scoped selector), its ``NotFound`` as the page's 404."""
    try:
        return fn(**kwargs)
    except NotFound:
        raise Http404 from None


def form_error(form, exc: DomainError) -> None:
    """The service's refusal on the form: on its field where the form has that field, else on the form."""
    field = exc.field if exc.field in getattr(form, "fields", {}) else None
    form.add_error(field, str(exc.message))


def flash_errors(request, form) -> None:
    """A form's errors as messages (``label: error``), for a form posted from a page that does not show it."""
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


def month_param(request):
    """The page's ``?month=YYYY-MM``; this month where it is missing or not a month."""
    try:
        return parse_month(request.GET["month"]) if request.GET.get("month") else current_month()
    except InvalidInput:
        return current_month()

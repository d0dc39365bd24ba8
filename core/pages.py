"""What the browser pages of every app share: the capability check, 404 outside one's geography,
a domain refusal shown on its form, a form's errors as messages, the ``?month=`` of a page, and a
record page's action buttons (those offered, one posted).

Generic: it knows no domain (a page passes its own selector, capability, form).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from core import permissions
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


def offered_actions(request, record, forms_by_action: dict, labels: dict) -> list:
    """(action, label, form) for each action ``core.permissions`` lets this user take on the record now;
    the label is the page's own (``labels``) or else the state machine's."""
    offered = []
    for action in permissions.allowed_actions(request.user, record, forms_by_action):
        label = labels.get(action) or record.state_machine.action_label(action)
        offered.append((action, label, forms_by_action[action](prefix=action)))
    return offered


def run_and_tell(request, call, done: str) -> bool:
    """A page's POST: ``call()`` (a service), then its refusal or ``done`` as the message on the page it
    goes back to. A 403 or 404 stays the page's own answer, not a message. True when it was done."""
    try:
        call()
    except DomainError as exc:
        if exc.status_code in (403, 404):
            raise
        messages.error(request, str(exc.message))
        return False
    messages.success(request, done)
    return True


def record_action(request, pk: int, action: str, *, getter, actions: dict, detail_url: str, arg: str = "case"):
    """A record page's action button posted: ``actions[action]`` is (service, form class); the form's
    ``service_kwargs()`` go to the service with the record (found by ``getter``, scoped) as ``arg``.
    A refusal or the done message is shown on the record's page, where it goes back to."""
    if action not in actions:
        raise Http404
    record = get_or_404(getter, user=request.user, pk=pk)
    service, form_class = actions[action]
    form = form_class(request.POST, prefix=action)
    if not form.is_valid():
        flash_errors(request, form)
        return redirect(detail_url, pk=pk)
    try:
        service(actor=request.user, **{arg: record}, **form.service_kwargs())
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request, _("Done: %(action)s.") % {"action": record.state_machine.action_label(action.replace("-", "_"))}
        )
    return redirect(detail_url, pk=pk)

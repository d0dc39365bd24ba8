from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_safe

from core import selectors, services
from core.audit import entries_from_events
from core.errors import DomainError, Forbidden
from core.forms import AuditSearchForm, PortalPasswordChangeForm, SecuritySearchForm
from core.pagination import paginate
from core.roles import Cap, capabilities_of, has_cap

LOG_PAGE_SIZE = 50


@require_safe
@login_required
def home(request):
    return render(request, "core/home.html", {"capabilities": sorted(capabilities_of(request.user))})


@sensitive_post_parameters()
@login_required
def password_change(request):
    """Change one's own password; the page every account with ``must_change_password`` is sent to."""
    form = PortalPasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.staff_password_change(
                actor=request.user,
                user=request.user,
                new_password=form.cleaned_data["new_password1"],
                ip_address=request.META.get("REMOTE_ADDR"),
            )
        except DomainError as exc:
            form.add_error("new_password1", str(exc.message))
        else:
            update_session_auth_hash(request, user)  # keep this session (under a new key), end the others
            messages.success(request, _("Your password is changed."))
            return redirect("home")
    return render(
        request,
        "registration/password_change.html",
        {"form": form, "forced": request.user.must_change_password},
    )


def _require(request, cap: Cap) -> None:
    if not has_cap(request.user, cap):
        raise Forbidden()


@require_safe
@login_required
def audit_changes(request):
    """The change history of every record, searchable by actor, record and time (auditors)."""
    _require(request, Cap.AUDIT_VIEW)
    form = AuditSearchForm(request.GET or None)
    values = form.cleaned_data if form.is_valid() else {}
    events = selectors.audit_event_list(user=request.user, **{k: v for k, v in values.items() if v})
    page = paginate(request, events, LOG_PAGE_SIZE)
    return render(
        request,
        "core/audit_changes.html",
        {"form": form, "page": page, "entries": entries_from_events(page.object_list)},
    )


@require_safe
@login_required
def audit_security(request):
    """The security log: logins, failures, lockouts, password and role changes."""
    _require(request, Cap.SECURITY_LOG_VIEW)
    form = SecuritySearchForm(request.GET or None)
    values = form.cleaned_data if form.is_valid() else {}
    events = selectors.security_event_list(user=request.user, **{k: v for k, v in values.items() if v})
    return render(
        request,
        "core/audit_security.html",
        {
            "form": form,
            "page": paginate(request, events, LOG_PAGE_SIZE),
            "can_audit": has_cap(request.user, Cap.AUDIT_VIEW),
        },
    )


@require_safe
@login_required
def audit_reveals(request):
    """Every look at a full ID number or bank account, with its reason."""
    _require(request, Cap.AUDIT_VIEW)
    form = AuditSearchForm(request.GET or None)
    values = form.cleaned_data if form.is_valid() else {}
    reveals = selectors.reveal_log_list(user=request.user, **{k: v for k, v in values.items() if v})
    return render(
        request,
        "core/audit_reveals.html",
        {"form": form, "page": paginate(request, reveals, LOG_PAGE_SIZE)},
    )


def page_not_found(request, exception=None):
    """404 for a URL no route matches: api.md's ``{"detail"}`` under /api/, the portal's page elsewhere."""
    from django.http import JsonResponse
    from django.views.defaults import page_not_found as django_page_not_found

    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return django_page_not_found(request, exception)


def server_error(request):
    """500 under /api/ as JSON ``{"detail"}``; the portal's page elsewhere."""
    from django.http import JsonResponse
    from django.views.defaults import server_error as django_server_error

    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Server error.")}, status=500)
    return django_server_error(request)

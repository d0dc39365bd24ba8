from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST, require_safe

from core import selectors, services
from core.errors import DomainError, Forbidden
from core.forms import (
    AuditSearchForm,
    DivisionChangeForm,
    PortalPasswordChangeForm,
    RoleGrantForm,
    SecuritySearchForm,
    StaffSearchForm,
)
from core.history import reveal_rows, rows_from_events
from core.models import Division, User
from core.pages import require_cap
from core.pagination import paginate
from core.roles import Cap, has_cap
from core.scoping import get_in_scope
from core.security import client_ip

LOG_PAGE_SIZE = 50


@require_safe
@login_required
def home(request):
    """Each role's home is its work queue (``core.worklist``: the same as ``GET /api/v1/my/tasks/``)."""
    from core.worklist import tasks_for

    tasks = tasks_for(request.user)
    return render(request, "core/home.html", {"tasks": tasks, "total": sum(t.count for t in tasks)})


@require_safe
@login_required
def search(request):
    """The header's search box: results grouped by kind (``core.search``, the same as ``GET /api/v1/search/``)."""
    from core.search import clean_query, search_for

    q = clean_query(request.GET.get("q"))
    return render(request, "core/search.html", {"q": q, "groups": search_for(request.user, q) if q else []})


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


@require_safe
@login_required
def audit_changes(request):
    """The change history of every record, searchable by actor, record and time (auditors)."""
    require_cap(request, Cap.AUDIT_VIEW)
    form = AuditSearchForm(request.GET or None)
    values = form.cleaned_data if form.is_valid() else {}
    events = selectors.audit_event_list(user=request.user, **{k: v for k, v in values.items() if v})
    page = paginate(request, events, LOG_PAGE_SIZE)
    return render(
        request,
        "core/audit_changes.html",
        {"form": form, "page": page, "history": rows_from_events(page.object_list), "show_record": True},
    )


@require_safe
@login_required
def audit_security(request):
    """The security log: logins, failures, lockouts, password and role changes."""
    require_cap(request, Cap.SECURITY_LOG_VIEW)
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
    require_cap(request, Cap.AUDIT_VIEW)
    form = AuditSearchForm(request.GET or None)
    values = form.cleaned_data if form.is_valid() else {}
    reveals = selectors.reveal_log_list(user=request.user, **{k: v for k, v in values.items() if v})
    page = paginate(request, reveals, LOG_PAGE_SIZE)
    return render(
        request,
        "core/audit_reveals.html",
        {"form": form, "page": page, "reveals": reveal_rows(page.object_list)},
    )


@require_safe
@login_required
def audit_integrity(request):
    """The audit trail's nightly check: intact, or the first broken link of each table, in words."""
    from core import auditchain

    require_cap(request, Cap.AUDIT_VIEW)
    page = paginate(request, selectors.audit_check_list(user=request.user), LOG_PAGE_SIZE)
    checks = []
    for check in page.object_list:
        first = auditchain.first_broken_of(check.findings)
        broken = [auditchain.describe(f) for f in first.values()]
        checks.append({"check": check, "broken": broken, "more": len(check.findings) - len(first)})
    return render(request, "core/audit_integrity.html", {"page": page, "checks": checks})


@login_required
def division_changes(request):
    """Division changes (administrators): the list, and the form that enters one (the same service as the API)."""
    from core.models import DivisionChange
    from core.permissions import can

    if not can(request.user, "create", DivisionChange):
        raise Forbidden()
    form = DivisionChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            change = services.division_change_create(
                actor=request.user,
                kind=data["kind"],
                effective_on=data["effective_on"],
                division_code=data["division"],
                new_code=data["new_code"],
                new_name=data["new_name"],
                target_code=data["target"],
                communities=data["communities"],
                staff_follow=data["staff_follow"],
                note=data["note"],
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            if change.status == "applied":
                messages.success(request, _("The division change is in force."))
            else:
                messages.success(
                    request,
                    _("The division change is scheduled: it comes into force on %(day)s.")
                    % {"day": change.effective_on.isoformat()},
                )
            return redirect("division-changes")
    page = paginate(request, selectors.division_change_list(user=request.user), LOG_PAGE_SIZE)
    codes = {code for change in page.object_list for pair in change.mapping for code in pair}
    codes |= {code for change in page.object_list for code in change.communities}
    names = dict(Division.objects.filter(code__in=codes).values_list("code", "name"))
    rows = [
        {
            "change": change,
            "communities": [names.get(code, code) for code in change.communities],
            "moved": [(names.get(old, old), old, names.get(new, new), new) for old, new in change.mapping],
        }
        for change in page.object_list
    ]
    return render(request, "core/division_changes.html", {"form": form, "page": page, "rows": rows})


@login_required
def staff_list(request):
    """Staff accounts for those who grant roles; security officers also see and lift lockouts."""
    require_cap(request, Cap.ROLES_GRANT)
    form = StaffSearchForm(request.GET or None)
    values = form.cleaned_data if form.is_valid() else {}
    accounts = selectors.staff_list(
        user=request.user, q=values.get("q", ""), role=values.get("role", ""), locked_only=values.get("locked", False)
    )
    page = paginate(request, accounts, LOG_PAGE_SIZE)
    locked = selectors.locked_accounts()
    can_unlock = has_cap(request.user, Cap.ACCOUNTS_UNLOCK)
    return render(
        request,
        "core/staff_list.html",
        {
            "form": form,
            "page": page,
            "rows": [(account, locked.get(account.username)) for account in page.object_list],
            "can_unlock": can_unlock,
            "locked_addresses": sorted(selectors.locked_addresses().items()) if can_unlock else [],
        },
    )


@login_required
def staff_detail(request, pk: int):
    """One account: its role (changed here, never one's own) and lockout, and its latest security events."""
    require_cap(request, Cap.ROLES_GRANT)
    account = get_in_scope(User.objects.select_related("division"), request.user, pk=pk)
    form = RoleGrantForm(request.POST or None, initial={"role": account.role})
    if request.method == "POST":
        if form.is_valid():
            try:
                services.staff_role_grant(
                    actor=request.user, user=account, role=form.cleaned_data["role"], ip_address=client_ip(request)
                )
            except DomainError as exc:
                form.add_error("role", str(exc.message))
            else:
                messages.success(request, _("The role of %(account)s is changed.") % {"account": account.username})
                return redirect("staff-detail", pk=account.pk)
    return render(
        request,
        "core/staff_detail.html",
        {
            "account": account,
            "form": form,
            "own": account.pk == request.user.pk,
            "failures": selectors.locked_accounts().get(account.username),
            "can_unlock": has_cap(request.user, Cap.ACCOUNTS_UNLOCK),
            "events": selectors.account_security_events(user=request.user, account=account),
        },
    )


@require_POST
@login_required
def lockout_lift(request):
    """Lift an account's or a client address's lockout (security officers); back to where it was asked."""
    require_cap(request, Cap.ACCOUNTS_UNLOCK)
    username = request.POST.get("username", "")
    if username:
        get_in_scope(User.objects.all(), request.user, username=username)  # an account that exists
    services.lockout_lift(
        actor=request.user, username=username, address=request.POST.get("address", ""), ip_address=client_ip(request)
    )
    messages.success(request, _("The lockout is lifted; the failed logins counted against it are cleared."))
    account = User.objects.filter(username=username).first() if username else None
    return redirect("staff-detail", pk=account.pk) if account else redirect("staff-list")


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

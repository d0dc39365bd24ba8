"""Browser pages of low-income monitoring: validate, call one service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.cases import current_month, month_str, parse_month, timeline_of
from core.errors import DomainError, Forbidden, InvalidInput, NotFound
from core.history import rows_for
from core.pagination import paginate
from core.permissions import can
from core.roles import Cap, has_cap
from monitoring import forms, selectors, services
from monitoring.models import WarningKind, WarningStatus
from people.models import Household
from people.selectors import household_get

TIER_LABELS = {
    "dibao": gettext_lazy("Dibao"),
    "tekun": gettext_lazy("Tekun"),
    "marginal": gettext_lazy("Dibao-marginal (income at most 1.5 times the standard)"),
    "expenditure": gettext_lazy("Expenditure hardship (rigid expenses push income under the standard)"),
}


def _require(request, cap: Cap) -> None:
    if not has_cap(request.user, cap):
        raise Forbidden()


def _month(request):
    try:
        return parse_month(request.GET["month"]) if request.GET.get("month") else current_month()
    except InvalidInput:
        return current_month()


@login_required
def low_income(request):
    """The low-income population of the user's area, one tier at a time, with why each person is in it."""
    _require(request, Cap.MONITORING_VIEW)
    tier = request.GET.get("tier") or "marginal"
    if tier not in selectors.TIERS:
        tier = "marginal"
    month = _month(request)
    q = request.GET.get("q", "")
    page = paginate(request, selectors.low_income_list(user=request.user, tier=tier, month=month, q=q))
    facts = selectors.low_income_facts(user=request.user, persons=list(page), month=month)
    heads = dict(
        Household.objects.filter(pk__in={f.household_id for f in facts.values() if f.household_id}).values_list(
            "pk", "head__name"
        )
    )
    rows = []
    for person in page:
        fact = facts.get(person.pk)
        rows.append(
            {
                "person": person,
                "fact": fact,
                "head": heads.get(fact.household_id) if fact else None,
                "tiers": [TIER_LABELS[t] for t in (fact.tiers if fact else [])],
            }
        )
    return render(
        request,
        "monitoring/low_income.html",
        {
            "tiers": [(t, TIER_LABELS[t]) for t in selectors.TIERS],
            "tier": tier,
            "tier_label": TIER_LABELS[tier],
            "month": month_str(month),
            "q": q,
            "page": page,
            "rows": rows,
            "open_warnings": selectors.warning_list(user=request.user, status=WarningStatus.OPEN).count(),
        },
    )


@login_required
def warning_list(request):
    _require(request, Cap.MONITORING_VIEW)
    status = request.GET.get("status", WarningStatus.OPEN)
    if status not in (*WarningStatus.values, "all"):
        status = WarningStatus.OPEN
    kind = request.GET.get("kind", "")
    if kind not in WarningKind.values:
        kind = ""
    warnings = selectors.warning_list(user=request.user, status="" if status == "all" else status, kind=kind)
    return render(
        request,
        "monitoring/warning_list.html",
        {
            "page": paginate(request, warnings),
            "status": status,
            "statuses": WarningStatus.choices,
            "kind": kind,
            "kinds": WarningKind.choices,
        },
    )


def _warning(request, pk):
    try:
        return selectors.warning_get(user=request.user, pk=pk)
    except NotFound:
        raise Http404 from None


def _warning_page(request, warning, *, form=None, status=200):
    may_handle = can(request.user, "handle", warning)
    if may_handle and form is None:
        form = forms.HandleForm(assistance_choices=selectors.assistance_options(user=request.user, warning=warning))
    return render(
        request,
        "monitoring/warning_detail.html",
        {
            "warning": warning,
            "form": form if may_handle else None,
            "timeline": timeline_of(warning),
            "history": rows_for(warning),
        },
        status=status,
    )


@login_required
def warning_detail(request, pk: int):
    _require(request, Cap.MONITORING_VIEW)
    return _warning_page(request, _warning(request, pk))


@login_required
@require_POST
def warning_handle(request, pk: int):
    _require(request, Cap.MONITORING_VIEW)
    warning = _warning(request, pk)
    form = forms.HandleForm(
        request.POST, assistance_choices=selectors.assistance_options(user=request.user, warning=warning)
    )
    if form.is_valid():
        try:
            services.warning_handle(actor=request.user, warning=warning, **form.service_kwargs())
        except Forbidden:
            raise
        except DomainError as exc:
            field = exc.field if exc.field in form.fields else ("assisted_with" if exc.field else None)
            form.add_error(field, str(exc.message))
        else:
            messages.success(request, _("Warning handled."))
            return redirect("monitoring:warning-detail", pk=warning.pk)
    return _warning_page(request, _warning(request, pk), form=form, status=400)


@login_required
@require_POST
def household_expense_record(request, pk: int):
    """A household's expense of a month, from the household page (``monitoring.services``)."""
    _require(request, Cap.MONITORING_VIEW)
    try:
        household = household_get(user=request.user, pk=pk)
    except NotFound:
        raise Http404 from None
    form = forms.ExpenseForm(request.POST, prefix="expense")
    if form.is_valid():
        try:
            services.household_expense_record(actor=request.user, household=household, **form.cleaned_data)
        except Forbidden:
            raise
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Expense recorded."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("people:household-detail", pk=household.pk)


@login_required
def warning_summary(request):
    """Warnings by district (or sub-district): open and overdue, handled on time and late."""
    _require(request, Cap.MONITORING_VIEW)
    summary = selectors.warning_summary(user=request.user, division=request.GET.get("division", ""))
    return render(request, "monitoring/warning_summary.html", {"summary": summary})

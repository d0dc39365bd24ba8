"""Browser pages of low-income monitoring: validate, call one service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.cases import current_month, month_str, timeline_of
from core.errors import DomainError, Forbidden
from core.history import rows_for
from core.models import Division
from core.pages import get_or_404, month_param, require_cap
from core.pagination import paginate
from core.permissions import can
from core.roles import Cap, has_cap
from monitoring import forms, selectors, services
from monitoring.models import MonitoringRun, RunStatus, RunStep, WarningKind, WarningStatus
from people.models import Household
from people.selectors import household_get

TIER_LABELS = {
    "dibao": gettext_lazy("Dibao"),
    "tekun": gettext_lazy("Tekun"),
    "marginal": gettext_lazy("Dibao-marginal (income at most 1.5 times the standard)"),
    "expenditure": gettext_lazy("Expenditure hardship (rigid expenses push income under the standard)"),
    "at_risk": gettext_lazy("Others at risk (flagged by a caseworker)"),
}


@login_required
def low_income(request):
    """The low-income population of the user's area, one tier at a time, with why each person is in it."""
    require_cap(request, Cap.MONITORING_VIEW)
    tier = request.GET.get("tier") or "marginal"
    if tier not in selectors.TIERS:
        tier = "marginal"
    month = month_param(request)
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
    require_cap(request, Cap.MONITORING_VIEW)
    status = request.GET.get("status", WarningStatus.OPEN)
    if status not in (*WarningStatus.values, "all"):
        status = WarningStatus.OPEN
    kind = request.GET.get("kind", "")
    if kind not in WarningKind.values:
        kind = ""
    division = request.GET.get("division", "")
    if not (division.isdigit() and len(division) in (6, 9, 12)):
        division = ""
    overdue = request.GET.get("overdue") == "1"
    warnings = selectors.warning_list(
        user=request.user, status="" if status == "all" else status, kind=kind, division=division, overdue=overdue
    )
    return render(
        request,
        "monitoring/warning_list.html",
        {
            "page": paginate(request, warnings),
            "division": division,
            "division_name": Division.objects.filter(code=division).values_list("name", flat=True).first() or "",
            "overdue": overdue,
            "status": status,
            "statuses": WarningStatus.choices,
            "kind": kind,
            "kinds": WarningKind.choices,
        },
    )


def _warning(request, pk):
    return get_or_404(selectors.warning_get, user=request.user, pk=pk)


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
    require_cap(request, Cap.MONITORING_VIEW)
    return _warning_page(request, _warning(request, pk))


@login_required
@require_POST
def warning_handle(request, pk: int):
    require_cap(request, Cap.MONITORING_VIEW)
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
    require_cap(request, Cap.MONITORING_VIEW)
    household = get_or_404(household_get, user=request.user, pk=pk)
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
    require_cap(request, Cap.MONITORING_VIEW)
    summary = selectors.warning_summary(user=request.user, division=request.GET.get("division", ""))
    return render(request, "monitoring/warning_summary.html", {"summary": summary})


def _form_errors_to_messages(request, form) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


def _at_risk_post(request, perform, done: str, household_pk: int):
    """The at-risk form posted from a household's page: ``perform(reason)`` (the service), its outcome as a
    message, back to the household's page."""
    form = forms.AtRiskForm(request.POST, prefix="at_risk")
    if form.is_valid():
        try:
            perform(form.cleaned_data["reason"])
        except Forbidden:
            raise
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, done)
    else:
        _form_errors_to_messages(request, form)
    return redirect("people:household-detail", pk=household_pk)


@login_required
@require_POST
def at_risk_flag(request, pk: int):
    """Flag a household at risk from its page (``monitoring.services.at_risk_flag``)."""
    require_cap(request, Cap.MONITORING_VIEW)
    household = get_or_404(household_get, user=request.user, pk=pk)
    return _at_risk_post(
        request,
        lambda reason: services.at_risk_flag(actor=request.user, household=household, reason=reason),
        _("The household is flagged at risk."),
        household.pk,
    )


@login_required
@require_POST
def at_risk_clear(request, pk: int):
    require_cap(request, Cap.MONITORING_VIEW)
    flag = get_or_404(selectors.at_risk_flag_get, user=request.user, pk=pk)
    return _at_risk_post(
        request,
        lambda reason: services.at_risk_clear(actor=request.user, flag=flag, reason=reason),
        _("The at-risk flag is cleared."),
        flag.household_id,
    )


STEP_LABELS = dict(RunStep.choices)


def _require_run_reader(request) -> None:
    if not (has_cap(request.user, Cap.MONITORING_VIEW) or has_cap(request.user, Cap.MONITORING_RUN)):
        raise Forbidden()


@login_required
def run_list(request):
    """The monthly runs over the whole city; the city's system administrators may start one (Celery)."""
    _require_run_reader(request)
    may_start = can(request.user, "start", MonitoringRun)
    form, status = forms.RunForm(initial={"month": month_str(current_month())}), 200
    if request.method == "POST":
        if not may_start:
            raise Forbidden()
        form = forms.RunForm(request.POST)
        if form.is_valid():
            try:
                run = services.monitoring_run_start(actor=request.user, month=form.cleaned_data["month"] or None)
            except Forbidden:
                raise
            except DomainError as exc:
                form.add_error("month" if exc.field == "month" else None, str(exc.message))
                status = exc.status_code
            else:
                messages.success(request, _("The run is queued; this page follows it."))
                return redirect("monitoring:run-detail", pk=run.pk)
        else:
            status = 400
    return render(
        request,
        "monitoring/run_list.html",
        {
            "page": paginate(request, selectors.run_list(user=request.user)),
            "form": form if may_start else None,
            "monitoring_tabs": has_cap(request.user, Cap.MONITORING_VIEW),
        },
        status=status,
    )


@login_required
def run_detail(request, pk: int):
    _require_run_reader(request)
    run = get_or_404(selectors.run_get, user=request.user, pk=pk)
    tiers = selectors.run_tiers_in_scope(user=request.user, run=run)
    return render(
        request,
        "monitoring/run_detail.html",
        {
            "run": run,
            "monitoring_tabs": has_cap(request.user, Cap.MONITORING_VIEW),
            "in_progress": run.status in (RunStatus.QUEUED, RunStatus.RUNNING),
            "step_label": STEP_LABELS.get(run.step, ""),
            "tier_rows": [
                {"label": TIER_LABELS[t], "households": tiers[t].get("households"), "persons": tiers[t].get("persons")}
                for t in selectors.TIERS
                if t in tiers
            ],
            "raised_rows": [
                {"label": STEP_LABELS[step], "count": (run.raised or {}).get(step, 0)}
                for step in RunStep.values
                if step != RunStep.TIERS
            ],
        },
    )

"""Browser pages for welfare: validate, call one service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.cases import (
    AUTOMATIC_ACTIONS,
    BENEFIT_CASE_MACHINE,
    CaseStatus,
    local_today,
    month_str,
    timeline_of,
)
from core.errors import DomainError, Forbidden
from core.exports import export_response, wants_export
from core.history import rows_for
from core.pages import flash_errors, form_error, get_or_404, month_param, offered_actions, record_action, require_cap
from core.pagination import paginate
from core.roles import Cap, has_cap
from core.scoping import get_in_scope
from people.models import Person
from welfare import forms as welfare_forms
from welfare import selectors, services
from welfare.models import Benefit, OrphanCategory, SubsidyKind

PAGE_SIZE = 25


def _months(case) -> str:
    start = month_str(case.start_month) or ""
    return f"{start} – {month_str(case.end_month)}" if case.end_month else start


# The lists as exported (core.exports): the same columns as on screen.
ORPHAN_COLUMNS = [
    ("#", lambda c: c.pk),
    (gettext_lazy("Child"), lambda c: c.person.name),
    (gettext_lazy("Birth date"), lambda c: c.person.birth_date),
    (gettext_lazy("Category"), lambda c: c.get_category_display()),
    (
        gettext_lazy("Guardian or institution"),
        lambda c: c.institution if c.category == OrphanCategory.INSTITUTION else c.guardian_display,
    ),
    (gettext_lazy("Status"), lambda c: c.get_status_display()),
    (gettext_lazy("First month paid"), _months),
]
SUBSIDY_COLUMNS = [
    ("#", lambda c: c.pk),
    (gettext_lazy("Person"), lambda c: c.person.name),
    (gettext_lazy("Subsidy"), lambda c: c.get_kind_display()),
    (
        gettext_lazy("Certificate"),
        lambda c: f"{c.certificate.get_disability_type_display()} · {c.certificate.get_grade_display()}",
    ),
    (gettext_lazy("Status"), lambda c: c.get_status_display()),
    (gettext_lazy("First month paid"), _months),
]


def _person(request, pk: int) -> Person:
    return get_or_404(get_in_scope, qs=Person.objects.select_related("division"), user=request.user, pk=pk)


# --- Overview, queue, changes -----------------------------------------------------------------


@login_required
def home(request):
    require_cap(request, Cap.WELFARE_VIEW)
    queue = selectors.approval_queue(user=request.user)
    return render(
        request,
        "welfare/home.html",
        {
            "queue": queue,
            "is_approver": bool(queue.level),
            "changes": selectors.eligibility_changes(user=request.user, limit=10),
            "recent_orphans": selectors.orphan_case_list(user=request.user)[:10],
            "recent_subsidies": selectors.subsidy_case_list(user=request.user)[:10],
        },
    )


@login_required
def queue(request):
    require_cap(request, Cap.WELFARE_VIEW)
    the_queue = selectors.approval_queue(user=request.user)
    if not the_queue.level:
        raise Forbidden()
    return render(request, "welfare/queue.html", {"queue": the_queue})


@login_required
def changes(request):
    """The automatic changes of eligibility in the user's area, each with its reason."""
    require_cap(request, Cap.WELFARE_VIEW)
    benefit = request.GET.get("benefit", "")
    action = request.GET.get("action", "")
    benefit = benefit if benefit in Benefit.values else ""
    action = action if action in AUTOMATIC_ACTIONS else ""
    items = selectors.eligibility_changes(user=request.user, benefit=benefit, action=action)
    return render(
        request,
        "welfare/changes.html",
        {
            "page": paginate(request, items),
            "benefit": benefit,
            "action": action,
            "benefits": Benefit.choices,
            "actions": [(a, BENEFIT_CASE_MACHINE.action_label(a)) for a in AUTOMATIC_ACTIONS],
        },
    )


@login_required
def cross_check(request):
    require_cap(request, Cap.WELFARE_VIEW)
    month = month_param(request)
    report = selectors.cross_check(user=request.user, month=month)
    return render(request, "welfare/cross_check.html", {"report": report, "month": month_str(month)})


# --- A person's welfare -----------------------------------------------------------------------


@login_required
def person(request, pk: int):
    require_cap(request, Cap.WELFARE_VIEW)
    the_person = _person(request, pk)
    return render(
        request,
        "welfare/person.html",
        {
            "person": the_person,
            "summary": selectors.person_welfare(user=request.user, person=the_person),
            "can_apply": has_cap(request.user, Cap.WELFARE_APPLY) and the_person.death_date is None,
        },
    )


# --- Case actions, shared ---------------------------------------------------------------------

BUTTON_LABELS = {
    "review": gettext_lazy("Review"),
    "approve": gettext_lazy("Approve"),
    "reject": gettext_lazy("Reject"),
    "withdraw": gettext_lazy("Withdraw"),
    "suspend": gettext_lazy("Suspend"),
    "resume": gettext_lazy("Resume"),
    "terminate": gettext_lazy("Terminate"),
    "recheck": gettext_lazy("Record the periodic review"),
    "amend": gettext_lazy("Record a change of care"),
}


def _amount_or_error(case, month):
    try:
        return selectors.amount_for(case, month), None
    except DomainError as exc:
        return None, exc.message


# --- Orphans ----------------------------------------------------------------------------------


@login_required
def orphan_list(request):
    require_cap(request, Cap.WELFARE_VIEW)
    status = request.GET.get("status", "")
    category = request.GET.get("category", "")
    q = request.GET.get("q", "").strip()
    cases = selectors.orphan_case_list(user=request.user, status=status, category=category, q=q)
    if wants_export(request):
        return export_response(request, cases, ORPHAN_COLUMNS, name="orphans", title=_("Orphans' allowance"))
    return render(
        request,
        "welfare/orphan_list.html",
        {
            "page": paginate(request, cases),
            "status": status,
            "category": category,
            "q": q,
            "statuses": CaseStatus.choices,
            "categories": OrphanCategory.choices,
        },
    )


@login_required
def orphan_apply(request, person_pk: int):
    require_cap(request, Cap.WELFARE_APPLY)
    child = _person(request, person_pk)
    form = welfare_forms.OrphanApplicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.orphan_case_create(actor=request.user, person=child, **form.cleaned_data)
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("The orphan's allowance application is submitted."))
            return redirect("welfare:orphan-detail", pk=case.pk)
    return render(
        request,
        "welfare/orphan_form.html",
        {"person": child, "form": form, "supervisor": selectors.supervisor_for(person=child)},
    )


ORPHAN_ACTIONS = {
    "review": (services.orphan_case_review, welfare_forms.NoteForm),
    "approve": (services.orphan_case_approve, welfare_forms.NoteForm),
    "reject": (services.orphan_case_reject, welfare_forms.ReasonForm),
    "withdraw": (services.orphan_case_withdraw, welfare_forms.NoteForm),
    "suspend": (services.orphan_case_suspend, welfare_forms.SuspendForm),
    "resume": (services.orphan_case_resume, welfare_forms.NoteForm),
    "terminate": (services.orphan_case_terminate, welfare_forms.TerminateForm),
    "recheck": (services.orphan_case_recheck, welfare_forms.NoteForm),
    "amend": (services.orphan_case_update, welfare_forms.OrphanAmendForm),
}


@login_required
def orphan_detail(request, pk: int):
    case = get_or_404(selectors.orphan_case_get, user=request.user, pk=pk)
    month = month_param(request)
    amount, error = _amount_or_error(case, month)
    offered = offered_actions(request, case, {a: f for a, (_s, f) in ORPHAN_ACTIONS.items()}, BUTTON_LABELS)
    for action, _label, form in offered:
        if action == "amend":
            form.initial = {
                "category": case.category,
                "guardian": case.guardian_name,
                "guardian_relationship": case.guardian_relationship,
                "institution": case.institution,
            }
    return render(
        request,
        "welfare/orphan_detail.html",
        {
            "case": case,
            "month": month_str(month),
            "amount": amount,
            "amount_error": error,
            "payable": selectors.is_payable(case, month),
            "supervisor": selectors.supervisor_for(person=case.person),
            "events": timeline_of(case),
            "history": rows_for(case),
            "actions": offered,
            "holds": list(case.holds.all()),
        },
    )


@login_required
@require_POST
def orphan_action(request, pk: int, action: str):
    return record_action(
        request,
        pk,
        action,
        getter=selectors.orphan_case_get,
        actions=ORPHAN_ACTIONS,
        detail_url="welfare:orphan-detail",
    )


# --- Disability subsidies ---------------------------------------------------------------------


@login_required
def subsidy_list(request):
    require_cap(request, Cap.WELFARE_VIEW)
    kind = request.GET.get("kind", "")
    status = request.GET.get("status", "")
    q = request.GET.get("q", "").strip()
    cases = selectors.subsidy_case_list(user=request.user, kind=kind, status=status, q=q)
    if wants_export(request):
        return export_response(
            request, cases, SUBSIDY_COLUMNS, name="disability-subsidies", title=_("Disability subsidies")
        )
    return render(
        request,
        "welfare/subsidy_list.html",
        {
            "page": paginate(request, cases),
            "kind": kind,
            "status": status,
            "q": q,
            "statuses": CaseStatus.choices,
            "kinds": SubsidyKind.choices,
        },
    )


@login_required
def subsidy_apply(request, person_pk: int):
    require_cap(request, Cap.WELFARE_APPLY)
    applicant = _person(request, person_pk)
    summary = selectors.person_welfare(user=request.user, person=applicant)
    initial = {}
    if summary.certificate is not None:
        initial = {"disability_type": summary.certificate.disability_type, "grade": summary.certificate.grade}
    form = welfare_forms.SubsidyApplicationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            cases = services.disability_subsidies_apply(
                actor=request.user,
                person=applicant,
                kinds=data["kinds"],
                certificate_number=data["certificate_number"],
                disability_type=data["disability_type"],
                grade=data["grade"],
                note=data["note"],
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("The application is submitted."))
            if len(cases) == 1:
                return redirect("welfare:subsidy-detail", pk=cases[0].pk)
            return redirect("welfare:person", pk=applicant.pk)
    return render(request, "welfare/subsidy_form.html", {"person": applicant, "form": form, "summary": summary})


SUBSIDY_ACTIONS = {
    "review": (services.disability_subsidy_review, welfare_forms.NoteForm),
    "approve": (services.disability_subsidy_approve, welfare_forms.NoteForm),
    "reject": (services.disability_subsidy_reject, welfare_forms.ReasonForm),
    "withdraw": (services.disability_subsidy_withdraw, welfare_forms.NoteForm),
    "suspend": (services.disability_subsidy_suspend, welfare_forms.SuspendForm),
    "resume": (services.disability_subsidy_resume, welfare_forms.NoteForm),
    "terminate": (services.disability_subsidy_terminate, welfare_forms.TerminateForm),
    "recheck": (services.disability_subsidy_recheck, welfare_forms.NoteForm),
}


@login_required
def subsidy_detail(request, pk: int):
    case = get_or_404(selectors.subsidy_case_get, user=request.user, pk=pk)
    month = month_param(request)
    amount, error = _amount_or_error(case, month)
    return render(
        request,
        "welfare/subsidy_detail.html",
        {
            "case": case,
            "month": month_str(month),
            "amount": amount,
            "amount_error": error,
            "payable": selectors.is_payable(case, month),
            "dibao_household": selectors.active_dibao_household(case.person),
            "events": timeline_of(case),
            "history": rows_for(case),
            "actions": offered_actions(request, case, {a: f for a, (_s, f) in SUBSIDY_ACTIONS.items()}, BUTTON_LABELS),
            "holds": list(case.holds.all()),
        },
    )


@login_required
@require_POST
def subsidy_action(request, pk: int, action: str):
    return record_action(
        request,
        pk,
        action,
        getter=selectors.subsidy_case_get,
        actions=SUBSIDY_ACTIONS,
        detail_url="welfare:subsidy-detail",
    )


# --- Certificates -----------------------------------------------------------------------------


@login_required
def certificate_detail(request, pk: int):
    certificate = get_or_404(selectors.certificate_get, user=request.user, pk=pk)
    can_edit = has_cap(request.user, Cap.WELFARE_APPLY)
    form = None
    if can_edit:
        form = welfare_forms.ReassessForm(
            request.POST or None,
            prefix="reassess",
            initial={"disability_type": certificate.disability_type, "grade": certificate.grade},
        )
    if request.method == "POST":
        require_cap(request, Cap.WELFARE_APPLY)
        if form.is_valid():
            try:
                result = services.certificate_reassess(
                    actor=request.user, certificate=certificate, **form.service_kwargs()
                )
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(
                    request,
                    _("The re-assessment is recorded; %(n)d subsidy case(s) re-checked.") % {"n": len(result.events)},
                )
                return redirect("welfare:certificate-detail", pk=certificate.pk)
    return render(
        request,
        "welfare/certificate_detail.html",
        {
            "certificate": certificate,
            "form": form,
            "cases": selectors.subsidy_case_list(user=request.user, person=certificate.person_id),
        },
    )


# --- Child supervisors ------------------------------------------------------------------------


@login_required
def supervisors(request):
    require_cap(request, Cap.WELFARE_VIEW)
    can_edit = has_cap(request.user, Cap.CHILD_SUPERVISOR_EDIT)
    form = (
        welfare_forms.SupervisorForm(request.POST or None, user=request.user, initial={"appointed_on": local_today()})
        if can_edit
        else None
    )
    if request.method == "POST":
        require_cap(request, Cap.CHILD_SUPERVISOR_EDIT)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.child_supervisor_appoint(
                    actor=request.user,
                    subdistrict=data["subdistrict"],
                    name=data["name"],
                    phone=data["phone"],
                    appointed_on=data["appointed_on"],
                )
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(request, _("The child supervisor is appointed."))
                return redirect("welfare:supervisors")
    return render(
        request,
        "welfare/supervisors.html",
        {
            "rows": selectors.supervisor_overview(user=request.user),
            "form": form,
            "end_form": welfare_forms.SupervisorEndForm(prefix="end", initial={"ended_on": local_today()}),
            "can_edit": can_edit,
        },
    )


@login_required
@require_POST
def supervisor_end(request, pk: int):
    require_cap(request, Cap.CHILD_SUPERVISOR_EDIT)
    supervisor = get_or_404(selectors.supervisor_get, user=request.user, pk=pk)
    form = welfare_forms.SupervisorEndForm(request.POST, prefix="end")
    if not form.is_valid():
        flash_errors(request, form)
    else:
        try:
            services.child_supervisor_end(actor=request.user, supervisor=supervisor, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Saved."))
    return redirect("welfare:supervisors")


# --- Settings: incompatible benefits ----------------------------------------------------------


@login_required
def incompatibilities(request):
    """Which benefits the cross-check treats as incompatible (administrators change them)."""
    can_edit = has_cap(request.user, Cap.STANDARDS_EDIT)
    if not (can_edit or has_cap(request.user, Cap.WELFARE_VIEW)):
        raise Forbidden()
    form = welfare_forms.IncompatibilityForm(request.POST or None) if can_edit else None
    if request.method == "POST":
        require_cap(request, Cap.STANDARDS_EDIT)
        if form.is_valid():
            try:
                services.incompatibility_set(actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("welfare:incompatibilities")
    return render(request, "welfare/incompatibilities.html", {"rules": selectors.incompatibility_list(), "form": form})

"""Browser pages of the social-organization registry: validate, call one service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.history import rows_for
from core.models import Division, DivisionLevel
from core.pages import flash_errors, form_error, require_cap
from core.pagination import paginate
from core.permissions import can
from core.roles import Cap, has_cap
from core.scoping import divisions_in_scope, scope_prefix
from social_orgs import selectors, services
from social_orgs.forms import (
    CaseForm,
    CommunityOrgForm,
    ConcludeForm,
    DecouplingForm,
    FeeApproveForm,
    FeeForm,
    ImportForm,
    InspectionForm,
    NoteForm,
    OrgForm,
    ReasonForm,
    StatusForm,
    StepForm,
)
from social_orgs.models import (
    CaseStatus,
    CommunityCategory,
    DecouplingStep,
    FeeStatus,
    FilingStatus,
    ImportStatus,
    Level,
    OrgStatus,
    OrgType,
)
from social_orgs.resources import COLUMNS, export_workbook, read_upload

PAGE_SIZE = 25
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def districts_for(user) -> list[Division]:
    return divisions_in_scope(user, DivisionLevel.DISTRICT)


def communities_for(user):
    prefix = scope_prefix(user)
    if prefix is None:
        return Division.objects.none()
    return (
        Division.objects.filter(level=DivisionLevel.COMMUNITY, active=True, code__startswith=prefix)
        .select_related("parent")
        .order_by("code")
    )


def _org_filters(request) -> dict:
    return {k: request.GET.get(k, "").strip() for k in ("q", "org_type", "level", "status", "division")}


# --- The registry ----------------------------------------------------------------------------


@login_required
def org_list(request):
    require_cap(request, Cap.SOCIALORG_VIEW)
    filters = _org_filters(request)
    orgs = selectors.org_list(user=request.user, **filters)
    return render(
        request,
        "social_orgs/org_list.html",
        {
            "page": paginate(request, orgs),
            "filters": filters,
            "org_types": OrgType.choices,
            "levels": Level.choices,
            "statuses": OrgStatus.choices,
            "districts": districts_for(request.user),
            "counts": selectors.registry_counts(user=request.user),
            "can_edit": has_cap(request.user, Cap.SOCIALORG_EDIT),
            "export_query": request.GET.urlencode(),
        },
    )


@login_required
def org_export(request):
    require_cap(request, Cap.SOCIALORG_VIEW)
    orgs = selectors.org_list(user=request.user, **_org_filters(request))
    response = HttpResponse(export_workbook(orgs, actor=request.user), content_type=XLSX_TYPE)
    stamp = timezone.localdate().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="social-orgs-{stamp}.xlsx"'
    return response


def _save_org(request, form, org=None):
    try:
        values = services.clean_org_values(actor=request.user, **form.cleaned_data)
        if org is None:
            return services.social_org_register(actor=request.user, values=values)
        return services.social_org_update(actor=request.user, org=org, values=values)
    except DomainError as exc:
        form_error(form, exc)
        return None


@login_required
def org_create(request):
    require_cap(request, Cap.SOCIALORG_EDIT)
    form = OrgForm(request.POST or None, districts=districts_for(request.user))
    if request.method == "POST" and form.is_valid():
        org = _save_org(request, form)
        if org is not None:
            messages.success(request, _("%(name)s is registered.") % {"name": org.name})
            return redirect("social_orgs:org-detail", pk=org.pk)
    return render(request, "social_orgs/form.html", {"form": form, "title": _("Register a social organization")})


@login_required
def org_edit(request, pk: int):
    require_cap(request, Cap.SOCIALORG_EDIT)
    org = selectors.org_get(user=request.user, pk=pk)
    initial = {f: getattr(org, f) for f, _h in COLUMNS if f != "division"} | {"division": org.division_id}
    form = OrgForm(request.POST or None, districts=districts_for(request.user), initial=initial)
    if request.method == "POST" and form.is_valid():
        if _save_org(request, form, org) is not None:
            messages.success(request, _("Saved."))
            return redirect("social_orgs:org-detail", pk=org.pk)
    return render(request, "social_orgs/form.html", {"form": form, "title": _("Edit %(name)s") % {"name": org.name}})


@login_required
def org_detail(request, pk: int):
    require_cap(request, Cap.SOCIALORG_VIEW)
    org = selectors.org_get(user=request.user, pk=pk)
    can_edit = can(request.user, "edit", org)
    registered = org.status == OrgStatus.REGISTERED
    decoupling = getattr(org, "decoupling", None) if org.is_industry_association else None
    steps = selectors.decoupling_steps(decoupling=decoupling) if decoupling else {}
    return render(
        request,
        "social_orgs/org_detail.html",
        {
            "org": org,
            "can_edit": can_edit,
            "status_history": selectors.org_status_history(org=org),
            "inspections": selectors.org_inspections(org=org),
            "fees": selectors.org_fee_standards(org=org) if org.is_industry_association else [],
            "decoupling": decoupling,
            "decoupling_steps": [(s, steps.get(s.value)) for s in DecouplingStep],
            "status_form": StatusForm() if can_edit and registered else None,
            "inspection_form": InspectionForm(initial={"year": timezone.localdate().year - 1}) if can_edit else None,
            "fee_form": FeeForm() if can_edit and registered and org.is_industry_association else None,
            "fee_approve_form": FeeApproveForm() if can_edit else None,
            "decoupling_form": (
                DecouplingForm(initial={"in_scope": True})
                if can_edit and registered and org.is_industry_association and decoupling is None
                else None
            ),
            "step_form": StepForm(done=steps) if can_edit and decoupling and not decoupling.completed_on else None,
            "fee_proposed": FeeStatus.PROPOSED,
            "fee_approved": FeeStatus.APPROVED,
            "history": rows_for(org),
        },
    )


def _post_action(request, pk: int, form_class, call, success: str):
    require_cap(request, Cap.SOCIALORG_EDIT)
    org = selectors.org_get(user=request.user, pk=pk)
    form = form_class(request.POST)
    if not form.is_valid():
        flash_errors(request, form)
    else:
        try:
            call(org, form.cleaned_data)
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, success)
    return redirect("social_orgs:org-detail", pk=org.pk)


@login_required
@require_POST
def org_status(request, pk: int, to_status: str):
    if to_status not in (OrgStatus.DEREGISTERED, OrgStatus.REVOKED):
        raise Http404
    return _post_action(
        request,
        pk,
        StatusForm,
        lambda org, v: services.social_org_change_status(
            actor=request.user, org=org, to_status=to_status, on=v["on"], reason=v["reason"]
        ),
        _("The status is changed."),
    )


@login_required
@require_POST
def org_inspection(request, pk: int):
    return _post_action(
        request,
        pk,
        InspectionForm,
        lambda org, v: services.annual_inspection_record(actor=request.user, org=org, **v),
        _("The inspection is recorded."),
    )


@login_required
@require_POST
def org_fee(request, pk: int):
    return _post_action(
        request,
        pk,
        FeeForm,
        lambda org, v: services.fee_standard_propose(actor=request.user, org=org, **v),
        _("The fee standard is recorded."),
    )


@login_required
@require_POST
def fee_action(request, pk: int, fee_pk: int, action: str):
    require_cap(request, Cap.SOCIALORG_EDIT)
    org = selectors.org_get(user=request.user, pk=pk)
    fee = selectors.fee_get(user=request.user, pk=fee_pk)
    if fee.org_id != org.pk or action not in ("approve", "repeal"):
        raise Http404
    try:
        if action == "approve":
            form = FeeApproveForm(request.POST)
            if not form.is_valid():
                flash_errors(request, form)
                return redirect("social_orgs:org-detail", pk=org.pk)
            services.fee_standard_approve(actor=request.user, fee=fee, **form.cleaned_data)
        else:
            services.fee_standard_repeal(actor=request.user, fee=fee)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Saved."))
    return redirect("social_orgs:org-detail", pk=org.pk)


@login_required
@require_POST
def org_decoupling(request, pk: int):
    return _post_action(
        request,
        pk,
        DecouplingForm,
        lambda org, v: services.decoupling_enrol(actor=request.user, org=org, **v),
        _("The association is in the decoupling reform."),
    )


@login_required
@require_POST
def org_decoupling_step(request, pk: int):
    return _post_action(
        request,
        pk,
        StepForm,
        lambda org, v: services.decoupling_complete_step(actor=request.user, decoupling=org.decoupling, **v),
        _("The step is recorded."),
    )


@login_required
def decoupling_progress(request):
    require_cap(request, Cap.SOCIALORG_VIEW)
    completed = {"done": True, "open": False}.get(request.GET.get("show", ""))
    decouplings = selectors.decoupling_list(user=request.user, completed=completed, in_scope=True)
    return render(
        request,
        "social_orgs/decoupling.html",
        {
            "progress": selectors.decoupling_progress(user=request.user),
            "page": paginate(request, decouplings),
            "show": request.GET.get("show", ""),
            "steps_total": len(DecouplingStep.values),
        },
    )


# --- Import ----------------------------------------------------------------------------------


@login_required
def import_upload(request):
    require_cap(request, Cap.SOCIALORG_EDIT)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = services.social_org_import_preview(
                actor=request.user, file_name=upload.name, content=read_upload(upload)
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            return redirect("social_orgs:import-detail", pk=batch.pk)
    return render(request, "social_orgs/import_upload.html", {"form": form, "columns": COLUMNS})


@login_required
def import_detail(request, pk: int):
    require_cap(request, Cap.SOCIALORG_EDIT)
    batch = selectors.import_get(user=request.user, pk=pk)
    return render(
        request,
        "social_orgs/import_detail.html",
        {"batch": batch, "can_commit": batch.status == ImportStatus.PREVIEWED},
    )


@login_required
@require_POST
def import_commit(request, pk: int):
    require_cap(request, Cap.SOCIALORG_EDIT)
    batch = selectors.import_get(user=request.user, pk=pk)
    try:
        batch = services.social_org_import_commit(actor=request.user, batch=batch)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        if batch.status == ImportStatus.COMMITTED:
            messages.success(
                request,
                _("Written: %(new)d registered, %(updated)d updated.")
                % {"new": batch.to_create, "updated": batch.to_update},
            )
        else:
            messages.error(request, _("Rows now fail the checks; nothing was written."))
    return redirect("social_orgs:import-detail", pk=batch.pk)


# --- Community social organizations ----------------------------------------------------------


@login_required
def community_list(request):
    require_cap(request, Cap.SOCIALORG_VIEW)
    filters = {k: request.GET.get(k, "").strip() for k in ("q", "community", "category", "status")}
    orgs = selectors.community_org_list(user=request.user, **filters)
    return render(
        request,
        "social_orgs/community_list.html",
        {
            "page": paginate(request, orgs),
            "filters": filters,
            "communities": communities_for(request.user),
            "categories": CommunityCategory.choices,
            "statuses": FilingStatus.choices,
            "can_edit": has_cap(request.user, Cap.SOCIALORG_EDIT),
        },
    )


@login_required
def community_create(request):
    require_cap(request, Cap.SOCIALORG_EDIT)
    form = CommunityOrgForm(request.POST or None, communities=communities_for(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            org = services.community_org_file(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("%(name)s is filed.") % {"name": org.name})
            return redirect("social_orgs:community-detail", pk=org.pk)
    return render(request, "social_orgs/form.html", {"form": form, "title": _("File a community social organization")})


@login_required
def community_detail(request, pk: int):
    require_cap(request, Cap.SOCIALORG_VIEW)
    org = selectors.community_org_get(user=request.user, pk=pk)
    can_revoke = can(request.user, "revoke", org)
    return render(
        request,
        "social_orgs/community_detail.html",
        {"org": org, "revoke_form": ReasonForm() if can_revoke else None, "history": rows_for(org)},
    )


@login_required
@require_POST
def community_revoke(request, pk: int):
    require_cap(request, Cap.SOCIALORG_EDIT)
    org = selectors.community_org_get(user=request.user, pk=pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        flash_errors(request, form)
    else:
        try:
            services.community_org_revoke(actor=request.user, org=org, note=form.cleaned_data["note"])
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("The filing is revoked."))
    return redirect("social_orgs:community-detail", pk=org.pk)


# --- Enforcement -----------------------------------------------------------------------------


@login_required
def case_list(request):
    require_cap(request, Cap.SOCIALORG_VIEW)
    filters = {k: request.GET.get(k, "").strip() for k in ("q", "status")}
    cases = selectors.enforcement_list(user=request.user, **filters)
    return render(
        request,
        "social_orgs/case_list.html",
        {
            "page": paginate(request, cases),
            "filters": filters,
            "statuses": CaseStatus.choices,
            "can_edit": has_cap(request.user, Cap.SOCIALORG_EDIT),
        },
    )


@login_required
def case_create(request):
    require_cap(request, Cap.SOCIALORG_EDIT)
    form = CaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.enforcement_case_open(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("The case is opened."))
            return redirect("social_orgs:case-detail", pk=case.pk)
    return render(request, "social_orgs/form.html", {"form": form, "title": _("Open an enforcement case")})


CASE_ACTIONS = {
    CaseStatus.REPORTED: ["investigate", "dismiss"],
    CaseStatus.INVESTIGATING: ["conclude", "dismiss"],
}
CASE_FORMS = {"investigate": NoteForm, "conclude": ConcludeForm, "dismiss": ReasonForm}


@login_required
def case_detail(request, pk: int):
    require_cap(request, Cap.SOCIALORG_VIEW)
    case = selectors.enforcement_get(user=request.user, pk=pk)
    labels = {"investigate": _("Start the investigation"), "conclude": _("Conclude"), "dismiss": _("Dismiss")}
    actions = []
    if has_cap(request.user, Cap.SOCIALORG_EDIT):
        actions = [(a, labels[a], CASE_FORMS[a]()) for a in CASE_ACTIONS.get(case.status, [])]
    events = [(e, CaseStatus(e.to_status).label) for e in case.transitions.select_related("actor")]
    return render(
        request,
        "social_orgs/case_detail.html",
        {"case": case, "actions": actions, "events": events, "history": rows_for(case)},
    )


@login_required
@require_POST
def case_action(request, pk: int, action: str):
    require_cap(request, Cap.SOCIALORG_EDIT)
    if action not in CASE_FORMS:
        raise Http404
    case = selectors.enforcement_get(user=request.user, pk=pk)
    form = CASE_FORMS[action](request.POST)
    if not form.is_valid():
        flash_errors(request, form)
        return redirect("social_orgs:case-detail", pk=case.pk)
    values = form.cleaned_data
    try:
        if action == "investigate":
            services.enforcement_case_investigate(actor=request.user, case=case, note=values["note"])
        elif action == "conclude":
            services.enforcement_case_conclude(actor=request.user, case=case, **values)
        else:
            services.enforcement_case_dismiss(actor=request.user, case=case, note=values["note"])
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Saved."))
    return redirect("social_orgs:case-detail", pk=case.pk)

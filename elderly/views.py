"""Browser pages of elderly care: the centres and their stages, the left-behind elderly register and visits."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from core import permissions
from core.cases import timeline_of
from core.errors import DomainError, Forbidden
from core.exports import export_response, wants_export
from core.history import rows_for
from core.idnumbers import mask_id_number
from core.models import Division, DivisionLevel
from core.pages import form_error, require_cap, run_and_tell
from core.pagination import paginate
from core.roles import Cap, has_cap
from core.scoping import scope_prefix
from elderly import selectors, services
from elderly.forms import (
    CentreEditForm,
    CentreForm,
    CentreStepForm,
    CloseForm,
    ElderEditForm,
    ElderForm,
    InstitutionEditForm,
    InstitutionForm,
    SubsidyForm,
    VisitForm,
)
from elderly.models import (
    CENTRE_MACHINE,
    NEXT_ACTION,
    SUBSIDY_CORRECT_ACCOUNT,
    SUBSIDY_MACHINE,
    CentreStage,
    ElderlyCentre,
    ElderlyInstitution,
    ElderStatus,
    InstitutionKind,
    InstitutionStatus,
    LeftBehindElder,
    OperatingSubsidy,
    Risk,
)

PAGE_SIZE = 25

CENTRE_COLUMNS = [
    (gettext_lazy("Name"), lambda c: c.name),
    (gettext_lazy("District"), lambda c: c.subdistrict.parent.name if c.subdistrict.parent_id else ""),
    (gettext_lazy("Sub-district"), lambda c: c.subdistrict.name),
    (gettext_lazy("Stage"), lambda c: c.get_status_display()),
    (gettext_lazy("Site chosen on"), lambda c: c.site_chosen_on),
    (gettext_lazy("Operator"), lambda c: c.operator),
    (gettext_lazy("Operator contracted on"), lambda c: c.operator_contracted_on),
    (gettext_lazy("Built on"), lambda c: c.built_on),
    (gettext_lazy("Operating since"), lambda c: c.operating_since),
    (gettext_lazy("Beds"), lambda c: c.beds),
    (gettext_lazy("Services offered"), lambda c: c.services),
]
INSTITUTION_COLUMNS = [
    (pgettext_lazy("organization", "Name"), lambda i: i.name),
    (gettext_lazy("Kind"), lambda i: i.get_kind_display()),
    (gettext_lazy("District"), lambda i: i.subdistrict.parent.name if i.subdistrict.parent_id else ""),
    (gettext_lazy("Sub-district"), lambda i: i.subdistrict.name),
    (gettext_lazy("Address"), lambda i: i.address),
    (gettext_lazy("Operator"), lambda i: i.operator),
    (gettext_lazy("Registered social organization"), lambda i: i.operator_org.name if i.operator_org_id else ""),
    (gettext_lazy("Beds"), lambda i: i.beds),
    (gettext_lazy("Licensed or filed on"), lambda i: i.licensed_on),
    (gettext_lazy("Status"), lambda i: i.get_status_display()),
]
ELDER_COLUMNS = [
    (gettext_lazy("Name"), lambda e: e.person.name),
    (gettext_lazy("ID number"), lambda e: mask_id_number(e.person.id_number)),
    (gettext_lazy("Community"), lambda e: e.community.name),
    (gettext_lazy("Risk level"), lambda e: e.get_risk_display()),
    (gettext_lazy("Registered on"), lambda e: e.registered_on),
    (gettext_lazy("Last visited on"), lambda e: e.last_visited_on),
    (gettext_lazy("Next visit due"), lambda e: selectors.next_visit_due(e) if e.status == ElderStatus.ACTIVE else None),
    (gettext_lazy("Status"), lambda e: e.get_status_display()),
]


def subdistricts_for(user) -> list[Division]:
    prefix = scope_prefix(user)
    if prefix is None:
        return []
    qs = Division.objects.filter(level=DivisionLevel.SUBDISTRICT, active=True, code__startswith=prefix)
    return list(qs.select_related("parent").order_by("code"))


# --- Centres ---------------------------------------------------------------------------------------


@login_required
def centre_list(request):
    require_cap(request, Cap.ELDERLY_VIEW)
    filters = {k: request.GET.get(k, "").strip() for k in ("q", "subdistrict", "stage")}
    centres = selectors.centre_list(user=request.user, **filters)
    if wants_export(request):
        return export_response(
            request, centres, CENTRE_COLUMNS, name="elderly-centres", title=_("Elderly-care centres")
        )
    summary = selectors.centre_summary(user=request.user)
    return render(
        request,
        "elderly/centre_list.html",
        {
            "page": paginate(request, centres),
            "filters": filters,
            "subdistricts": subdistricts_for(request.user),
            "stages": [
                (value, label, summary[value], summary["reached"][value]) for value, label in CentreStage.choices
            ],
            "stage_choices": CentreStage.choices,
            "total": summary["total"],
            "can_create": permissions.can(request.user, "create", ElderlyCentre),
        },
    )


@login_required
def centre_create(request):
    require_cap(request, Cap.ELDERLY_CENTRE_EDIT)
    subdistricts = subdistricts_for(request.user)
    initial = {"subdistrict": request.user.division_id} if len(request.user.division_id) == 9 else {}
    form = CentreForm(request.POST or None, subdistricts=subdistricts, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            centre = services.centre_create(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("%(name)s is recorded.") % {"name": centre.name})
            return redirect("elderly:centre-detail", pk=centre.pk)
    return render(request, "elderly/form.html", {"form": form, "title": _("Record an elderly-care centre")})


@login_required
def centre_detail(request, pk: int):
    require_cap(request, Cap.ELDERLY_VIEW)
    centre = selectors.centre_get(user=request.user, pk=pk)
    next_action = NEXT_ACTION.get(centre.status)
    step_form = None
    if next_action and permissions.can(request.user, next_action, centre):
        step_form = CentreStepForm(action=next_action, initial={"operator": centre.operator, "beds": centre.beds})
    return render(
        request,
        "elderly/centre_detail.html",
        {
            "centre": centre,
            "stages": [(value, label, centre.stage_date(value)) for value, label in CentreStage.choices],
            "next_action": next_action,
            "next_label": CENTRE_MACHINE.action_label(next_action) if next_action else "",
            "step_form": step_form,
            "can_edit": permissions.can(request.user, "edit", centre),
            "events": timeline_of(centre),
            "history": rows_for(centre),
        },
    )


@login_required
def centre_edit(request, pk: int):
    require_cap(request, Cap.ELDERLY_CENTRE_EDIT)
    centre = selectors.centre_get(user=request.user, pk=pk)
    permissions.require_can(request.user, "edit", centre)
    initial = {f: getattr(centre, f) for f in ("name", "address", "operator", "beds", "services")}
    form = CentreEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.centre_update(actor=request.user, centre=centre, **form.cleaned_data)
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("The centre's particulars are saved."))
            return redirect("elderly:centre-detail", pk=centre.pk)
    return render(request, "elderly/form.html", {"form": form, "title": _("Edit %(name)s") % {"name": centre.name}})


@login_required
@require_POST
def centre_step(request, pk: int, action: str):
    require_cap(request, Cap.ELDERLY_CENTRE_EDIT)
    if action not in CENTRE_MACHINE.transitions:
        raise Http404
    centre = selectors.centre_get(user=request.user, pk=pk)
    form = CentreStepForm(request.POST, action=action)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("elderly:centre-detail", pk=pk)
    data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "") or k == "note"}
    try:
        services.centre_advance(actor=request.user, centre=centre, action=action, **data)
    except DomainError as exc:
        if exc.status_code == 403:
            raise
        messages.error(request, str(exc.message))
    else:
        messages.success(request, CENTRE_MACHINE.action_label(action))
    return redirect("elderly:centre-detail", pk=pk)


# --- Elderly-care institutions ----------------------------------------------------------------------------


@login_required
def institution_list(request):
    """The register of elderly-care institutions in the user's geography (filters, export to Excel)."""
    require_cap(request, Cap.ELDERLY_VIEW)
    filters = {k: request.GET.get(k, "").strip() for k in ("q", "subdistrict", "kind", "status")}
    institutions = selectors.institution_list(user=request.user, **filters)
    if wants_export(request):
        return export_response(
            request,
            institutions,
            INSTITUTION_COLUMNS,
            name="elderly-institutions",
            title=_("Elderly-care institutions"),
        )
    return render(
        request,
        "elderly/institution_list.html",
        {
            "tab": "institutions",
            "page": paginate(request, institutions),
            "filters": filters,
            "subdistricts": subdistricts_for(request.user),
            "kinds": InstitutionKind.choices,
            "statuses": InstitutionStatus.choices,
            "can_create": permissions.can(request.user, "create", ElderlyInstitution),
        },
    )


def _institution_form_data(data: dict) -> dict:
    data = dict(data)
    if data.get("beds") is None:
        data.pop("beds", None)
    if data.get("licensed_on") is None:
        data.pop("licensed_on", None)
    return data


@login_required
def institution_create(request):
    require_cap(request, Cap.ELDERLY_CENTRE_EDIT)
    permissions.require_can(request.user, "create", ElderlyInstitution)
    initial = {"subdistrict": request.user.division_id} if len(request.user.division_id) == 9 else {}
    form = InstitutionForm(request.POST or None, subdistricts=subdistricts_for(request.user), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            institution = services.institution_create(actor=request.user, **_institution_form_data(form.cleaned_data))
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("%(name)s is on the register of institutions.") % {"name": institution.name})
            return redirect("elderly:institution-detail", pk=institution.pk)
    return render(request, "elderly/form.html", {"form": form, "title": _("Register an elderly-care institution")})


@login_required
def institution_detail(request, pk: int):
    require_cap(request, Cap.ELDERLY_VIEW)
    institution = selectors.institution_get(user=request.user, pk=pk)
    return render(
        request,
        "elderly/institution_detail.html",
        {
            "tab": "institutions",
            "institution": institution,
            "subsidies": selectors.subsidy_list(user=request.user).filter(institution=institution)[:24],
            "can_edit": permissions.can(request.user, "edit", institution),
            "history": rows_for(institution),
        },
    )


@login_required
def institution_edit(request, pk: int):
    require_cap(request, Cap.ELDERLY_CENTRE_EDIT)
    institution = selectors.institution_get(user=request.user, pk=pk)
    permissions.require_can(request.user, "edit", institution)
    initial = {
        f: getattr(institution, f) for f in ("name", "kind", "address", "operator", "beds", "licensed_on", "status")
    }
    initial["operator_credit_code"] = institution.operator_org.credit_code if institution.operator_org_id else ""
    form = InstitutionEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.institution_update(
                actor=request.user, institution=institution, **_institution_form_data(form.cleaned_data)
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("The institution's particulars are saved."))
            return redirect("elderly:institution-detail", pk=institution.pk)
    title = _("Edit %(name)s") % {"name": institution.name}
    return render(request, "elderly/form.html", {"form": form, "title": title})


# --- Left-behind elderly -------------------------------------------------------------------------------


@login_required
def elder_list(request):
    require_cap(request, Cap.ELDERLY_VIEW)
    filters = {k: request.GET.get(k, "").strip() for k in ("q", "risk", "status")}
    overdue = request.GET.get("overdue", "") in ("1", "true", "on")
    elders = selectors.elder_list(user=request.user, overdue=overdue, **filters)
    if wants_export(request):
        return export_response(
            request, elders, ELDER_COLUMNS, name="left-behind-elderly", title=_("Left-behind elderly")
        )
    page = paginate(request, elders)
    rows = [(e, mask_id_number(e.person.id_number), selectors.next_visit_due(e), selectors.is_overdue(e)) for e in page]
    return render(
        request,
        "elderly/elder_list.html",
        {
            "page": page,
            "rows": rows,
            "filters": filters,
            "overdue": overdue,
            "risks": Risk.choices,
            "statuses": ElderStatus.choices,
            "can_create": permissions.can(request.user, "create", LeftBehindElder),
            "high_days": selectors.visit_interval_days(Risk.HIGH),
            "normal_days": selectors.visit_interval_days(Risk.NORMAL),
        },
    )


@login_required
def elder_create(request):
    require_cap(request, Cap.LEFT_BEHIND_EDIT)
    form = ElderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        from people import selectors as people_selectors

        data = dict(form.cleaned_data)
        number = data.pop("id_number").strip().upper()
        person = people_selectors.person_list(user=request.user, id_number=number).first()
        if person is None:
            form.add_error("id_number", _("No person with this ID number in your area."))
        else:
            try:
                elder = services.elder_register(actor=request.user, person=person, **data)
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(request, _("%(name)s is on the register.") % {"name": person.name})
                return redirect("elderly:elder-detail", pk=elder.pk)
    return render(request, "elderly/form.html", {"form": form, "title": _("Register a left-behind elderly person")})


@login_required
def elder_detail(request, pk: int):
    require_cap(request, Cap.ELDERLY_VIEW)
    elder = selectors.elder_get(user=request.user, pk=pk)
    may_visit = permissions.can(request.user, "visit", elder)
    return render(
        request,
        "elderly/elder_detail.html",
        {
            "elder": elder,
            "id_number_masked": mask_id_number(elder.person.id_number),
            "visits": selectors.visit_list(user=request.user, elder=elder)[:100],
            "next_due": selectors.next_visit_due(elder),
            "overdue": selectors.is_overdue(elder),
            "interval": selectors.visit_interval_days(elder.risk),
            "visit_form": VisitForm() if may_visit else None,
            "close_form": CloseForm() if permissions.can(request.user, "close", elder) else None,
            "can_edit": permissions.can(request.user, "edit", elder),
            "history": rows_for(elder),
        },
    )


@login_required
def elder_edit(request, pk: int):
    require_cap(request, Cap.LEFT_BEHIND_EDIT)
    elder = selectors.elder_get(user=request.user, pk=pk)
    permissions.require_can(request.user, "edit", elder)
    initial = {f: getattr(elder, f) for f in ("risk", "living_situation", "family_contact")}
    form = ElderEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.elder_update(actor=request.user, elder=elder, **form.cleaned_data)
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("The file is saved."))
            return redirect("elderly:elder-detail", pk=elder.pk)
    title = _("Edit the file of %(name)s") % {"name": elder.person.name}
    return render(request, "elderly/form.html", {"form": form, "title": title})


def _post_on_elder(request, pk: int, form_class, service, success: str):
    elder = selectors.elder_get(user=request.user, pk=pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            service(actor=request.user, elder=elder, **form.cleaned_data)
        except DomainError as exc:
            if exc.status_code == 403:
                raise
            messages.error(request, str(exc.message))
        else:
            messages.success(request, success)
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("elderly:elder-detail", pk=pk)


@login_required
@require_POST
def visit_create(request, pk: int):
    require_cap(request, Cap.LEFT_BEHIND_EDIT)
    return _post_on_elder(request, pk, VisitForm, services.visit_record, _("The visit is recorded."))


@login_required
@require_POST
def elder_close(request, pk: int):
    require_cap(request, Cap.LEFT_BEHIND_EDIT)
    return _post_on_elder(request, pk, CloseForm, services.elder_close, _("The person has left the register."))


# --- Operating subsidies to institutions --------------------------------------------------------------


@login_required
def subsidy_list(request):
    """Operating subsidies of the user's geography; the entry form for who may enter one; approve/refuse buttons
    only where the user may take them (``core.permissions.can``: never on one's own entry); an account
    correction proposed beside its subsidy, with confirm/reject only for a finance officer who may."""
    require_cap(request, Cap.ELDERLY_SUBSIDY_VIEW)
    may_enter = permissions.can(request.user, "create", OperatingSubsidy)
    form = None
    if may_enter:
        centres = (
            selectors.centre_list(user=request.user).filter(status=CentreStage.OPERATING).select_related("subdistrict")
        )
        institutions = selectors.institution_list(user=request.user, status=InstitutionStatus.OPERATING)
        form = SubsidyForm(request.POST or None, centres=centres, institutions=institutions)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                services.subsidy_create(
                    actor=request.user,
                    centre=int(data["centre"]) if data["centre"] else None,
                    institution=int(data["institution"]) if data["institution"] else None,
                    **{k: data[k] for k in ("period", "amount", "bank_name", "bank_account", "note")},
                )
            except DomainError as exc:
                if exc.status_code == 403:
                    raise
                form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
            else:
                messages.success(request, _("The subsidy is entered: another member of staff approves it."))
                return redirect("elderly:subsidy-list")
    elif request.method == "POST":
        raise Forbidden()
    page = paginate(
        request,
        selectors.subsidy_list(
            user=request.user,
            status=request.GET.get("status", ""),
            to_approve=request.GET.get("to_approve") == "1",
            to_confirm=request.GET.get("to_confirm") == "1",
        ),
    )
    rows = []
    for s in page.object_list:
        correction = selectors.open_correction(s)
        rows.append(
            (
                s,
                [
                    (a, SUBSIDY_MACHINE.action_label(a))
                    for a in permissions.allowed_actions(request.user, s, ["approve", "refuse"])
                ],
                permissions.can(request.user, SUBSIDY_CORRECT_ACCOUNT, s),
                correction,
                permissions.allowed_actions(request.user, correction, ["confirm", "reject"]) if correction else [],
            )
        )
    return render(
        request,
        "elderly/subsidy_list.html",
        {
            "tab": "subsidies",
            "page": page,
            "rows": rows,
            "form": form,
            "elderly_staff": has_cap(request.user, Cap.ELDERLY_VIEW),
        },
    )


@require_POST
@login_required
def subsidy_decide(request, pk: int, action: str):
    if action not in SUBSIDY_MACHINE.transitions:
        raise Http404
    subsidy = selectors.subsidy_get(user=request.user, pk=pk)
    decide = services.subsidy_approve if action == "approve" else services.subsidy_refuse
    run_and_tell(
        request,
        lambda: decide(actor=request.user, subsidy=subsidy, note=request.POST.get("note", "")),
        SUBSIDY_MACHINE.action_label(action),
    )
    return redirect("elderly:subsidy-list")


@require_POST
@login_required
def subsidy_correct_account(request, pk: int):
    """Correct an approved subsidy's bank and account (the form beside it, shown only to who may)."""
    subsidy = selectors.subsidy_get(user=request.user, pk=pk)
    run_and_tell(
        request,
        lambda: services.subsidy_correct_account(
            actor=request.user,
            subsidy=subsidy,
            bank=request.POST.get("bank", ""),
            account=request.POST.get("account", ""),
            reason=request.POST.get("reason", ""),
        ),
        _("The new account is proposed: a finance officer who did not propose it confirms it."),
    )
    return redirect("elderly:subsidy-list")


@require_POST
@login_required
def subsidy_account_decide(request, pk: int, action: str):
    """Confirm or reject the account correction proposed for a subsidy (the buttons beside it, only for who may)."""
    decide = {"confirm": services.account_correction_confirm, "reject": services.account_correction_reject}
    if action not in decide:
        raise Http404
    subsidy = selectors.subsidy_get(user=request.user, pk=pk)
    done = {
        "confirm": _("The new account is confirmed: the subsidy is paid to it from now on."),
        "reject": _("The proposed account is rejected: the subsidy keeps its account."),
    }[action]
    run_and_tell(
        request,
        lambda: decide[action](actor=request.user, subsidy=subsidy, note=request.POST.get("note", "")),
        done,
    )
    return redirect("elderly:subsidy-list")

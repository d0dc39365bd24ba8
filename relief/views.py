"""Browser pages for social assistance: validate, call one service or selector, render."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core import permissions
from core.cases import OPEN_STATUSES, CaseStatus, current_month, local_today, month_str, timeline_of
from core.errors import DomainError, Forbidden, NotFound
from core.exports import export_response, wants_export
from core.history import rows_for
from core.pages import flash_errors, form_error, get_or_404, month_param, offered_actions, record_action, require_cap
from core.pagination import paginate
from core.roles import Cap, has_cap
from core.scoping import get_in_scope
from people import selectors as people_selectors
from people.models import Person
from relief import forms as relief_forms
from relief import rules, selectors, services
from relief.models import (
    AdmissionStatus,
    ClaimStatus,
    PriceIndex,
    Scheme,
    TemporaryReliefClaim,
    TraceStatus,
)

PAGE_SIZE = 25

# The lists as exported (core.exports): the same columns as on screen.
_FIRST_MONTH = (gettext_lazy("First month paid"), lambda c: month_str(c.start_month) or "")
DIBAO_COLUMNS = [
    ("#", lambda c: c.pk),
    (gettext_lazy("Household"), lambda c: c.household.head.name),
    (gettext_lazy("Community"), lambda c: c.household.community.name),
    (gettext_lazy("Members"), lambda c: c.members_count),
    (gettext_lazy("Household monthly income"), lambda c: c.monthly_income),
    (gettext_lazy("Status"), lambda c: c.get_status_display()),
    _FIRST_MONTH,
]
TEKUN_COLUMNS = [
    ("#", lambda c: c.pk),
    (gettext_lazy("Person"), lambda c: c.person.name),
    (gettext_lazy("Self-care ability"), lambda c: c.get_care_level_display()),
    (gettext_lazy("Placement"), lambda c: c.get_placement_display()),
    (gettext_lazy("Urban or rural"), lambda c: c.get_area_type_display()),
    (gettext_lazy("Status"), lambda c: c.get_status_display()),
    _FIRST_MONTH,
]
CLAIM_COLUMNS = [
    ("#", lambda c: c.pk),
    (gettext_lazy("Household"), lambda c: c.household.head.name),
    (gettext_lazy("Community"), lambda c: c.household.community.name),
    (gettext_lazy("Kind"), lambda c: c.get_kind_display()),
    (gettext_lazy("Amount"), lambda c: c.amount),
    (gettext_lazy("Status"), lambda c: c.get_status_display()),
    (gettext_lazy("Submitted at"), lambda c: c.created_at),
]
VAGRANT_COLUMNS = [
    (gettext_lazy("Name or description"), lambda a: a.name),
    (gettext_lazy("Admitted on"), lambda a: a.admitted_on),
    (gettext_lazy("How they came"), lambda a: a.get_source_display()),
    (gettext_lazy("Services"), lambda a: a.services_count),
    (gettext_lazy("Status"), lambda a: a.get_status_display()),
    (gettext_lazy("Outcome"), lambda a: a.get_outcome_display()),
]


def _year(request) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return local_today().year
    return year if 1990 <= year <= 2100 else local_today().year


# --- Overview and queue -----------------------------------------------------------------------


@login_required
def home(request):
    require_cap(request, Cap.RELIEF_VIEW)
    queue = selectors.approval_queue(user=request.user)
    return render(
        request,
        "relief/home.html",
        {
            "queue": queue,
            "is_approver": bool(queue.level),
            "recent_claims": selectors.claim_list(user=request.user)[:10],
            "recent_dibao": selectors.dibao_case_list(user=request.user)[:10],
            "overdue_count": selectors.claim_list(user=request.user, overdue=True).count(),
        },
    )


@login_required
def queue(request):
    require_cap(request, Cap.RELIEF_VIEW)
    the_queue = selectors.approval_queue(user=request.user)
    if not the_queue.level:
        raise Forbidden()
    return render(request, "relief/queue.html", {"queue": the_queue, "bulk_form": relief_forms.BulkApproveForm()})


@login_required
@require_POST
def claims_approve_many(request):
    permissions.require_can(request.user, "approve", TemporaryReliefClaim)  # each claim is checked again
    ids = [int(v) for v in request.POST.getlist("claims") if v.isdigit()]
    form = relief_forms.BulkApproveForm(request.POST, claim_ids=ids)
    if not form.is_valid():
        flash_errors(request, form)
        return redirect("relief:queue")
    try:
        outcomes = services.temporary_relief_claims_approve_many(
            actor=request.user, claim_ids=form.cleaned_data["claims"], note=form.cleaned_data["note"]
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("relief:queue")
    approved = sum(1 for o in outcomes if o.approved)
    return render(
        request,
        "relief/bulk_result.html",
        {"outcomes": outcomes, "approved": approved, "refused": len(outcomes) - approved},
    )


# --- A household's social assistance ----------------------------------------------------------


@login_required
def household(request, pk: int):
    require_cap(request, Cap.RELIEF_VIEW)
    the_household = get_or_404(people_selectors.household_get, user=request.user, pk=pk)
    year = _year(request)
    summary = selectors.household_relief(user=request.user, household=the_household, year=year)
    open_tekun = {c.person_id for c in summary.tekun_cases if c.status in OPEN_STATUSES}
    return render(
        request,
        "relief/household.html",
        {
            "household": the_household,
            "summary": summary,
            "year": year,
            "members": list(the_household.members.all()),
            "open_tekun": open_tekun,
            "can_apply": has_cap(request.user, Cap.RELIEF_APPLY),
        },
    )


# --- Dibao ------------------------------------------------------------------------------------


@login_required
def dibao_list(request):
    require_cap(request, Cap.RELIEF_VIEW)
    status = request.GET.get("status", "")
    q = request.GET.get("q", "").strip()
    recheck_due = request.GET.get("recheck_due") == "1"
    stage = request.GET.get("stage", "")
    stage = stage if stage in selectors.STAGES else ""
    overdue = request.GET.get("overdue") == "1"
    cases = selectors.dibao_case_list(
        user=request.user, status=status, q=q, recheck_due=recheck_due, stage=stage, overdue=overdue
    )
    if wants_export(request):
        return export_response(request, cases, DIBAO_COLUMNS, name="dibao-cases", title=_("Dibao cases"))
    return render(
        request,
        "relief/dibao_list.html",
        {
            "page": paginate(request, cases),
            "status": status,
            "q": q,
            "statuses": CaseStatus.choices,
            "recheck_due": recheck_due,
            "stage": stage,
            "stages": STAGE_LABELS,
            "overdue": overdue,
        },
    )


def _member_facts(members, disabled: set[int]) -> list[rules.MemberFacts]:
    return [rules.MemberFacts(birth_date=m.person.birth_date, disabled=m.person_id in disabled) for m in members]


@login_required
def dibao_apply(request, household_pk: int):
    """The application: each member's income by source, the computed allowance, the home investigation."""
    require_cap(request, Cap.RELIEF_APPLY)
    the_household = get_or_404(people_selectors.household_get, user=request.user, pk=household_pk)
    members = [m for m in the_household.members.all() if m.person.death_date is None]
    initial_rows = [{"person": m.person_id, "source": "wages"} for m in members]
    form = relief_forms.DibaoApplicationForm(request.POST or None, members=members)
    formset = relief_forms.IncomeFormSet(
        request.POST or None, prefix="incomes", members=members, initial=None if request.POST else initial_rows
    )
    preview = None
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        rows = formset.rows()
        incomes = [services.IncomeSpec(person_id=r["person"], source=r["source"], amount=r["amount"]) for r in rows]
        total = sum((r["amount"] for r in rows), start=Decimal(0))
        disabled = set(form.cleaned_data["disabled"])
        data = form.cleaned_data
        if "submit" in request.POST:
            investigation = None
            if data["investigated_on"]:
                investigation = services.InvestigationSpec(
                    on=data["investigated_on"], investigators=data["investigators"], findings=data["findings"]
                )
            try:
                case = services.dibao_case_create(
                    actor=request.user,
                    household=the_household,
                    monthly_income=total,
                    incomes=incomes,
                    disabled=disabled,
                    investigation=investigation,
                    note=data["note"],
                )
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(request, _("The dibao application is submitted."))
                return redirect("relief:dibao-detail", pk=case.pk)
        try:
            preview = selectors.preview_dibao_allowance(
                household=the_household,
                members=_member_facts(members, disabled),
                monthly_income=total,
                month=current_month(),
            )
        except DomainError as exc:
            form_error(form, exc)
    return render(
        request,
        "relief/dibao_form.html",
        {"household": the_household, "form": form, "formset": formset, "preview": preview, "members": members},
    )


# The steps of the procedure a list filters by (?stage=…, the work queue's links).
STAGE_LABELS = [
    ("decision_due", gettext_lazy("Notice ended: decision due")),
    ("notice_running", gettext_lazy("In public notice")),
    ("notice_ending", gettext_lazy("Notice ending in the next 3 days")),
    ("objection", gettext_lazy("Objection awaiting a new investigation")),
]

DIBAO_ACTIONS = {
    "investigate": (services.dibao_case_investigate, relief_forms.InvestigationForm),
    "review": (services.dibao_case_review, relief_forms.NoteForm),
    "object": (services.dibao_case_object, relief_forms.ObjectionForm),
    "approve": (services.dibao_case_approve, relief_forms.NoteForm),
    "reject": (services.dibao_case_reject, relief_forms.ReasonForm),
    "withdraw": (services.dibao_case_withdraw, relief_forms.NoteForm),
    "suspend": (services.dibao_case_suspend, relief_forms.ReasonForm),
    "resume": (services.dibao_case_resume, relief_forms.NoteForm),
    "terminate": (services.dibao_case_terminate, relief_forms.TerminateForm),
    "recheck": (services.dibao_case_recheck, relief_forms.DibaoRecheckForm),
}

# What the button says (the timeline keeps the machine's past-tense labels).
BUTTON_LABELS = {
    "investigate": gettext_lazy("Record the home investigation"),
    "review": gettext_lazy("Initial opinion: open the public notice"),
    "object": gettext_lazy("Record an objection"),
    "approve": gettext_lazy("Approve"),
    "reject": gettext_lazy("Reject"),
    "withdraw": gettext_lazy("Withdraw"),
    "suspend": gettext_lazy("Suspend"),
    "resume": gettext_lazy("Resume"),
    "terminate": gettext_lazy("Terminate"),
    "recheck": gettext_lazy("Record the periodic review"),
    "complete_paperwork": gettext_lazy("Paperwork is complete"),
    "refer": gettext_lazy("Refer to the district for approval"),
    "pay_cash": gettext_lazy("Pay in cash at the window (print the receipt)"),
}


@login_required
def dibao_detail(request, pk: int):
    case = get_or_404(selectors.dibao_case_get, user=request.user, pk=pk)
    month = month_param(request)
    allowance = error = None
    try:
        allowance = selectors.dibao_allowance(case, month)
    except DomainError as exc:
        error = exc.message
    return render(
        request,
        "relief/dibao_detail.html",
        {
            "case": case,
            "month": month_str(month),
            "allowance": allowance,
            "allowance_error": error,
            "events": timeline_of(case),
            "history": rows_for(case),
            "actions": offered_actions(request, case, {a: f for a, (_s, f) in DIBAO_ACTIONS.items()}, BUTTON_LABELS),
            "incomes": list(case.incomes.all()),
        },
    )


@login_required
@require_POST
def dibao_action(request, pk: int, action: str):
    return record_action(
        request, pk, action, getter=selectors.dibao_case_get, actions=DIBAO_ACTIONS, detail_url="relief:dibao-detail"
    )


# --- Tekun ------------------------------------------------------------------------------------


@login_required
def tekun_list(request):
    require_cap(request, Cap.RELIEF_VIEW)
    status = request.GET.get("status", "")
    q = request.GET.get("q", "").strip()
    recheck_due = request.GET.get("recheck_due") == "1"
    stage = request.GET.get("stage", "")
    stage = stage if stage in selectors.STAGES else ""
    overdue = request.GET.get("overdue") == "1"
    cases = selectors.tekun_case_list(
        user=request.user, status=status, q=q, recheck_due=recheck_due, stage=stage, overdue=overdue
    )
    if wants_export(request):
        return export_response(request, cases, TEKUN_COLUMNS, name="tekun-cases", title=_("Tekun cases"))
    return render(
        request,
        "relief/tekun_list.html",
        {
            "page": paginate(request, cases),
            "status": status,
            "q": q,
            "statuses": CaseStatus.choices,
            "recheck_due": recheck_due,
            "stage": stage,
            "stages": STAGE_LABELS,
            "overdue": overdue,
        },
    )


@login_required
def tekun_apply(request, person_pk: int):
    require_cap(request, Cap.RELIEF_APPLY)
    person = get_or_404(get_in_scope, qs=Person.objects.select_related("division"), user=request.user, pk=person_pk)
    form = relief_forms.TekunApplicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.tekun_case_create(
                actor=request.user,
                person=person,
                care_level=data["care_level"],
                placement=data["placement"],
                institution=data["institution"],
                area_type=data["area_type"] or None,
                note=data["note"],
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("The tekun application is submitted."))
            return redirect("relief:tekun-detail", pk=case.pk)
    return render(request, "relief/tekun_form.html", {"person": person, "form": form})


TEKUN_ACTIONS = {
    "investigate": (services.tekun_case_investigate, relief_forms.InvestigationForm),
    "review": (services.tekun_case_review, relief_forms.NoteForm),
    "object": (services.tekun_case_object, relief_forms.ObjectionForm),
    "approve": (services.tekun_case_approve, relief_forms.NoteForm),
    "reject": (services.tekun_case_reject, relief_forms.ReasonForm),
    "withdraw": (services.tekun_case_withdraw, relief_forms.NoteForm),
    "suspend": (services.tekun_case_suspend, relief_forms.ReasonForm),
    "resume": (services.tekun_case_resume, relief_forms.NoteForm),
    "terminate": (services.tekun_case_terminate, relief_forms.TerminateForm),
    "recheck": (services.tekun_case_recheck, relief_forms.TekunRecheckForm),
}


@login_required
def tekun_detail(request, pk: int):
    case = get_or_404(selectors.tekun_case_get, user=request.user, pk=pk)
    month = month_param(request)
    allowance = error = None
    try:
        allowance = selectors.tekun_allowance(case, month)
    except DomainError as exc:
        error = exc.message
    offered = offered_actions(request, case, {a: f for a, (_s, f) in TEKUN_ACTIONS.items()}, BUTTON_LABELS)
    for action, _label, form in offered:
        if action == "recheck":
            form.initial = {"care_level": case.care_level, "placement": case.placement}
    return render(
        request,
        "relief/tekun_detail.html",
        {
            "case": case,
            "month": month_str(month),
            "allowance": allowance,
            "allowance_error": error,
            "events": timeline_of(case),
            "history": rows_for(case),
            "actions": offered,
            "household": people_selectors.person_household(person=case.person),
        },
    )


@login_required
@require_POST
def tekun_action(request, pk: int, action: str):
    return record_action(
        request, pk, action, getter=selectors.tekun_case_get, actions=TEKUN_ACTIONS, detail_url="relief:tekun-detail"
    )


# --- Temporary relief -------------------------------------------------------------------------


@login_required
def claim_list(request):
    require_cap(request, Cap.RELIEF_VIEW)
    status = request.GET.get("status", "")
    overdue = request.GET.get("overdue") == "1"
    to_decide = request.GET.get("decide") == "1"
    if to_decide:
        claims = selectors.claims_to_decide(user=request.user)
    else:
        claims = selectors.claim_list(user=request.user, status=status, overdue=overdue)
    if wants_export(request):
        return export_response(
            request, claims, CLAIM_COLUMNS, name="temporary-relief-claims", title=_("Temporary relief claims")
        )
    return render(
        request,
        "relief/claim_list.html",
        {
            "page": paginate(request, claims),
            "status": status,
            "overdue": overdue,
            "to_decide": to_decide,
            "statuses": ClaimStatus.choices,
        },
    )


@login_required
def claim_create(request, household_pk: int):
    require_cap(request, Cap.RELIEF_APPLY)
    the_household = get_or_404(people_selectors.household_get, user=request.user, pk=household_pk)
    form = relief_forms.ClaimForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            claim = services.temporary_relief_claim_create(
                actor=request.user, household=the_household, **form.cleaned_data
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("The temporary relief claim is submitted."))
            return redirect("relief:claim-detail", pk=claim.pk)
    usage = selectors.relief_usage(household=the_household, year=local_today().year)
    return render(request, "relief/claim_form.html", {"household": the_household, "form": form, "usage": usage})


def _approve_refusal(user, claim) -> str:
    if claim.status not in (ClaimStatus.SUBMITTED, ClaimStatus.REFERRED) or not permissions.can(
        user, "approve", TemporaryReliefClaim
    ):
        return ""
    refusal = permissions.refusal(user, "approve", claim)
    return str(refusal.message) if refusal is not None and getattr(refusal, "message", "") else ""


CLAIM_ACTIONS = {
    "approve": (services.temporary_relief_claim_approve, relief_forms.ClaimApproveForm),
    "refer": (services.temporary_relief_claim_refer, relief_forms.NoteForm),
    "reject": (services.temporary_relief_claim_reject, relief_forms.ReasonForm),
    "withdraw": (services.temporary_relief_claim_withdraw, relief_forms.NoteForm),
    "complete_paperwork": (services.temporary_relief_claim_complete_paperwork, relief_forms.NoteForm),
    "pay_cash": (services.temporary_relief_claim_pay_cash, relief_forms.PayCashForm),
}


@login_required
def claim_detail(request, pk: int):
    claim = get_or_404(selectors.claim_get, user=request.user, pk=pk)
    usage = selectors.relief_usage(household=claim.household, year=claim.cap_year or local_today().year)
    division = claim.household.community_id
    return render(
        request,
        "relief/claim_detail.html",
        {
            "claim": claim,
            "usage": usage,
            "events": timeline_of(claim),
            "history": rows_for(claim),
            "actions": offered_actions(request, claim, {a: f for a, (_s, f) in CLAIM_ACTIONS.items()}, BUTTON_LABELS),
            "threshold": selectors.small_claim_threshold(division[:6], local_today()),
            # Why this approver may not approve it (above its power: it may refer it), if it is theirs to see.
            "approve_refusal": _approve_refusal(request.user, claim),
            "bank_lines": selectors.claim_bank_lines(claim.pk) if claim.status == ClaimStatus.APPROVED else [],
        },
    )


@login_required
@require_POST
def claim_action(request, pk: int, action: str):
    return record_action(
        request,
        pk,
        action.replace("-", "_"),
        getter=selectors.claim_get,
        actions=CLAIM_ACTIONS,
        detail_url="relief:claim-detail",
        arg="claim",
    )


# --- Standards and price indices --------------------------------------------------------------


@login_required
def public_notices(request):
    """A community's notice list (公示名单) and standing list of approved households, to print and post."""
    from core.models import Division, DivisionLevel
    from core.scoping import scope_prefix

    require_cap(request, Cap.RELIEF_VIEW)
    code = request.GET.get("community", "").strip()
    prefix = scope_prefix(request.user) or ""
    communities = Division.objects.filter(level=DivisionLevel.COMMUNITY, code__startswith=prefix).order_by("code")
    rows = community = None
    if code:
        try:
            rows = selectors.community_notice_list(user=request.user, community=code)
        except NotFound:
            raise Http404 from None
        community = communities.filter(code=code).select_related("parent").first()
    return render(
        request,
        "relief/public_notices.html",
        {
            "communities": communities[:500],
            "community": community,
            "code": code,
            "in_notice": [r for r in rows or () if r.notice_until is not None],
            "standing": [r for r in rows or () if r.notice_until is None],
            "today": local_today(),
        },
    )


@login_required
def standards(request):
    can_edit = has_cap(request.user, Cap.STANDARDS_EDIT)
    form = relief_forms.StandardForm(request.POST or None) if can_edit else None
    if request.method == "POST":
        require_cap(request, Cap.STANDARDS_EDIT)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.standard_create(
                    actor=request.user,
                    scheme=data["scheme"],
                    area_type=data["area_type"],
                    division=data["division"],
                    effective_from=data["effective_from"],
                    amount=data["amount"],
                    source=data["source"],
                )
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(request, _("The standard is added."))
                return redirect(reverse("relief:standards") + f"?scheme={data['scheme']}")
    scheme = request.GET.get("scheme", "")
    entries = selectors.standard_list(user=request.user, scheme=scheme if scheme in Scheme.values else "")
    return render(
        request,
        "relief/standards.html",
        {
            "entries": entries,
            "scheme": scheme,
            "schemes": Scheme.choices,
            "form": form,
            "rules": selectors.price_rules(),
        },
    )


# Who works with the price indices: case staff, whoever enters them, finance paying the subsidy.
PRICE_INDEX_READERS = (Cap.RELIEF_VIEW, Cap.PRICE_INDEX_EDIT, Cap.PAYOUT_VIEW)


def _require_any(request, caps) -> None:
    if not any(has_cap(request.user, cap) for cap in caps):
        raise Forbidden()


@login_required
def price_indices(request):
    _require_any(request, PRICE_INDEX_READERS)
    can_edit = has_cap(request.user, Cap.PRICE_INDEX_EDIT)
    form = relief_forms.PriceIndexForm(request.POST or None) if can_edit else None
    if request.method == "POST":
        require_cap(request, Cap.PRICE_INDEX_EDIT)
        if form.is_valid():
            try:
                index = services.price_index_record(actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                form_error(form, exc)
            else:
                decision = selectors.price_decision(index)
                if decision.triggered:
                    messages.success(request, _("Saved: this month triggers the price-linked subsidy."))
                else:
                    messages.success(request, _("Saved: this month does not trigger the subsidy."))
                return redirect("relief:price-index-detail", pk=index.pk)
    return render(
        request,
        "relief/price_indices.html",
        {"decisions": selectors.price_index_list(), "form": form},
    )


@login_required
def price_index_detail(request, pk: int):
    _require_any(request, PRICE_INDEX_READERS)
    index = PriceIndex.objects.filter(pk=pk).first()
    if index is None:
        raise Http404
    decision = selectors.price_decision(index)
    summary = selectors.price_subsidy_summary(decision) if has_cap(request.user, Cap.RELIEF_VIEW) else None
    return render(request, "relief/price_index_detail.html", {"decision": decision, "summary": summary})


# --- Vagrant relief ---------------------------------------------------------------------------


@login_required
def vagrant_list(request):
    require_cap(request, Cap.VAGRANT_VIEW)
    status = request.GET.get("status", "")
    q = request.GET.get("q", "").strip()
    year = _year(request)
    admissions = selectors.admission_list(user=request.user, status=status, q=q)
    if wants_export(request):
        return export_response(request, admissions, VAGRANT_COLUMNS, name="vagrant-relief", title=_("Vagrant relief"))
    counts = selectors.vagrant_monthly_counts(user=request.user, year=year)
    return render(
        request,
        "relief/vagrant_list.html",
        {
            "page": paginate(request, admissions),
            "status": status,
            "q": q,
            "statuses": AdmissionStatus.choices,
            "counts": counts,
            "year": year,
            "totals": {
                "admitted": sum(m.admitted for m in counts),
                "reunited": sum(m.reunited for m in counts),
                "traces_found": sum(m.traces_found for m in counts),
            },
            "can_edit": has_cap(request.user, Cap.VAGRANT_EDIT),
        },
    )


@login_required
def vagrant_create(request):
    require_cap(request, Cap.VAGRANT_EDIT)
    form = relief_forms.AdmissionForm(request.POST or None, initial={"admitted_on": local_today()})
    if request.method == "POST" and form.is_valid():
        try:
            admission = services.admission_create(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("The admission is recorded."))
            return redirect("relief:vagrant-detail", pk=admission.pk)
    return render(request, "relief/vagrant_form.html", {"form": form})


@login_required
def vagrant_detail(request, pk: int):
    admission = get_or_404(selectors.admission_get, user=request.user, pk=pk)
    can_edit = has_cap(request.user, Cap.VAGRANT_EDIT)
    in_station = admission.status == AdmissionStatus.IN_STATION
    today = local_today()
    return render(
        request,
        "relief/vagrant_detail.html",
        {
            "admission": admission,
            "events": timeline_of(admission),
            "history": rows_for(admission),
            "can_edit": can_edit and in_station,
            "service_form": relief_forms.ServiceForm(prefix="service", initial={"given_on": today}),
            "trace_form": relief_forms.TraceForm(prefix="trace", initial={"started_on": today}),
            "conclude_form": relief_forms.TraceConcludeForm(prefix="conclude", initial={"concluded_on": today}),
            "discharge_form": relief_forms.DischargeForm(prefix="discharge", initial={"discharged_on": today}),
            "can_conclude": can_edit,
            "searching": TraceStatus.SEARCHING,
        },
    )


@login_required
@require_POST
def vagrant_action(request, pk: int, action: str):
    require_cap(request, Cap.VAGRANT_EDIT)
    admission = get_or_404(selectors.admission_get, user=request.user, pk=pk)
    handlers = {
        "service": (
            relief_forms.ServiceForm,
            lambda d: services.admission_add_service(actor=request.user, admission=admission, **d),
        ),
        "trace": (relief_forms.TraceForm, lambda d: services.trace_start(actor=request.user, admission=admission, **d)),
        "discharge": (
            relief_forms.DischargeForm,
            lambda d: services.admission_discharge(actor=request.user, admission=admission, **d),
        ),
    }
    if action not in handlers:
        raise Http404
    form_class, handler = handlers[action]
    form = form_class(request.POST, prefix=action)
    if not form.is_valid():
        flash_errors(request, form)
    else:
        try:
            handler(form.cleaned_data)
        except NotFound:
            raise Http404 from None
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Saved."))
    return redirect("relief:vagrant-detail", pk=admission.pk)


@login_required
@require_POST
def trace_conclude(request, pk: int, trace_pk: int):
    require_cap(request, Cap.VAGRANT_EDIT)
    trace = get_or_404(selectors.trace_get, user=request.user, pk=trace_pk)
    if trace.admission_id != pk:
        raise Http404
    form = relief_forms.TraceConcludeForm(request.POST, prefix="conclude")
    if not form.is_valid():
        flash_errors(request, form)
    else:
        try:
            services.trace_conclude(actor=request.user, trace=trace, **form.cleaned_data)
        except NotFound:
            raise Http404 from None
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Saved."))
    return redirect("relief:vagrant-detail", pk=pk)

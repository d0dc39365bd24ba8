"""Browser pages for people and households: validate, call one service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from core.errors import DomainError
from core.exports import export_response, wants_export
from core.history import rows_for
from core.models import Division, DivisionLevel
from core.pages import form_error, get_or_404, require_cap
from core.pagination import paginate
from core.permissions import can
from core.roles import Cap
from core.scoping import scope_prefix
from people import selectors, services
from people.forms import (
    AddMemberForm,
    DeathForm,
    HouseholdEditForm,
    HouseholdForm,
    MeansForm,
    MemberFormSet,
    PersonEditForm,
    PersonForm,
    RevealForm,
)
from people.models import Relationship

PAGE_SIZE = 25

# The lists as exported (core.exports): the same columns as on screen, ID numbers masked.
PERSON_COLUMNS = [
    (gettext_lazy("Name"), lambda p: p.name),
    (gettext_lazy("ID number"), lambda p: p.id_number_masked),
    (gettext_lazy("Sex"), lambda p: p.get_sex_display()),
    (gettext_lazy("Birth date"), lambda p: p.birth_date),
    (gettext_lazy("Division"), lambda p: p.division.name),
]
HOUSEHOLD_COLUMNS = [
    (gettext_lazy("Head"), lambda h: h.head.name),
    (gettext_lazy("Members"), lambda h: h.members_count),
    (gettext_lazy("Address"), lambda h: h.address),
    (gettext_lazy("Community"), lambda h: h.community.name),
    (gettext_lazy("Urban or rural"), lambda h: h.get_area_type_display()),
]


def communities_for(user):
    prefix = scope_prefix(user)
    if prefix is None:
        return Division.objects.none()
    return (
        Division.objects.filter(level=DivisionLevel.COMMUNITY, active=True, code__startswith=prefix)
        .select_related("parent")
        .order_by("code")
    )


@require_safe
@login_required
def person_list(request):
    require_cap(request, Cap.PEOPLE_VIEW)
    q = request.GET.get("q", "").strip()
    community = request.GET.get("community", "").strip()
    people = selectors.person_list(user=request.user, q=q, community=community)
    if wants_export(request):
        return export_response(request, people, PERSON_COLUMNS, name="people", title=_("People"))
    return render(
        request,
        "people/person_list.html",
        {
            "page": paginate(request, people),
            "q": q,
            "community": community,
            "communities": communities_for(request.user),
        },
    )


@login_required
def person_create(request):
    require_cap(request, Cap.PEOPLE_EDIT)
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_create(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("%(name)s is registered.") % {"name": person.name})
            return redirect("people:person-detail", pk=person.pk)
    return render(request, "people/person_form.html", {"form": form, "title": _("Register a person")})


@require_safe
@login_required
def person_detail(request, pk: int):
    person = get_or_404(selectors.person_get, user=request.user, pk=pk)
    return render(
        request,
        "people/person_detail.html",
        {
            "person": person,
            "household": selectors.person_household(person=person),
            "history": rows_for(person),
            "reveal_form": RevealForm() if can(request.user, "reveal", person) else None,
            "revealed": request.session.pop(f"revealed-{person.pk}", None),
        },
    )


@login_required
def person_edit(request, pk: int):
    require_cap(request, Cap.PEOPLE_EDIT)
    person = get_or_404(selectors.person_get, user=request.user, pk=pk)
    # The stored phone is never sent to the page: blank keeps it, a new value replaces it.
    form = PersonEditForm(request.POST or None, initial={"name": person.name})
    form.fields["phone"].help_text = _("Current: %(masked)s. Leave blank to keep it.") % {
        "masked": person.phone_masked or "—"
    }
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        if not values["phone"]:
            values.pop("phone")
        try:
            services.person_update(actor=request.user, person=person, **values)
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("people:person-detail", pk=person.pk)
    return render(
        request, "people/person_form.html", {"form": form, "title": _("Edit %(name)s") % {"name": person.name}}
    )


@login_required
def person_death(request, pk: int):
    """Record a death; the page then lists what it changed in the person's benefits."""
    require_cap(request, Cap.PEOPLE_EDIT)
    person = get_or_404(selectors.person_get, user=request.user, pk=pk)
    form = DeathForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.person_record_death(actor=request.user, person=person, **form.cleaned_data)
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(
                request,
                _("The death of %(name)s is recorded; %(n)d benefit case(s) changed.")
                % {"name": person.name, "n": len(result.events)},
            )
            for event in result.events:
                messages.info(request, event.note)
            return redirect("people:person-detail", pk=person.pk)
    return render(request, "people/person_death.html", {"person": person, "form": form})


@login_required
@require_POST
def person_reveal(request, pk: int):
    require_cap(request, Cap.PEOPLE_REVEAL)
    person = get_or_404(selectors.person_get, user=request.user, pk=pk)
    form = RevealForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason to show the full ID number."))
        return redirect("people:person-detail", pk=person.pk)
    number = services.person_reveal_id_number(
        actor=request.user,
        person=person,
        reason=form.cleaned_data["reason"],
        ip_address=request.META.get("REMOTE_ADDR"),
    )
    # Shown once, on the next page only; never put in a URL.
    request.session[f"revealed-{person.pk}"] = number
    return redirect("people:person-detail", pk=person.pk)


@require_safe
@login_required
def household_list(request):
    require_cap(request, Cap.PEOPLE_VIEW)
    q = request.GET.get("q", "").strip()
    community = request.GET.get("community", "").strip()
    households = selectors.household_list(user=request.user, q=q, community=community)
    if wants_export(request):
        return export_response(request, households, HOUSEHOLD_COLUMNS, name="households", title=_("Households"))
    return render(
        request,
        "people/household_list.html",
        {
            "page": paginate(request, households),
            "q": q,
            "community": community,
            "communities": communities_for(request.user),
        },
    )


@login_required
def household_create(request):
    require_cap(request, Cap.HOUSEHOLD_EDIT)
    communities = communities_for(request.user)
    form = HouseholdForm(request.POST or None, communities=communities)
    formset = MemberFormSet(
        request.POST or None, prefix="members", initial=None if request.POST else [{"relationship": Relationship.HEAD}]
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        rows = [
            services.MemberRow(
                id_number=f.cleaned_data["id_number"],
                name=f.cleaned_data["name"],
                relationship=f.cleaned_data["relationship"],
            )
            for f in formset.forms
            if f.cleaned_data
        ]
        try:
            household = services.household_register(
                actor=request.user,
                community=form.cleaned_data["community"],
                address=form.cleaned_data["address"],
                area_type=form.cleaned_data["area_type"],
                bank_name=form.cleaned_data["bank_name"],
                bank_account=form.cleaned_data["bank_account"],
                rows=rows,
            )
        except DomainError as exc:
            if exc.field in form.fields:
                form.add_error(exc.field, str(exc.message))
            else:
                form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("The household is registered."))
            return redirect("people:household-detail", pk=household.pk)
    return render(request, "people/household_form.html", {"form": form, "formset": formset})


@require_safe
@login_required
def household_detail(request, pk: int):
    household = get_or_404(selectors.household_get, user=request.user, pk=pk)
    return render(
        request,
        "people/household_detail.html",
        {
            "household": household,
            "members": list(household.members.all()),
            "history": rows_for(household),
            "add_member_form": AddMemberForm(prefix="add") if can(request.user, "add_member", household) else None,
            "means": list(selectors.household_means(user=request.user, household=household)[:5]),
            "means_form": MeansForm(prefix="means") if can(request.user, "record_means", household) else None,
        },
    )


@login_required
@require_POST
def household_record_means(request, pk: int):
    """The household's monthly income as found out outside a case (``people.services.household_means_record``)."""
    household = get_or_404(selectors.household_get, user=request.user, pk=pk)
    form = MeansForm(request.POST, prefix="means")
    if form.is_valid():
        try:
            services.household_means_record(actor=request.user, household=household, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("The household's income is recorded."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("people:household-detail", pk=household.pk)


@login_required
def household_edit(request, pk: int):
    require_cap(request, Cap.HOUSEHOLD_EDIT)
    household = get_or_404(selectors.household_get, user=request.user, pk=pk)
    form = HouseholdEditForm(
        request.POST or None,
        initial={
            "address": household.address,
            "area_type": household.area_type,
            "bank_name": household.bank_name,
            "bank_account": "",
        },
    )
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        if not values["bank_account"]:
            values.pop("bank_account")  # blank means "unchanged": the stored number is never sent to the page
        try:
            services.household_update(actor=request.user, household=household, **values)
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("people:household-detail", pk=household.pk)
    return render(request, "people/household_edit.html", {"form": form, "household": household})


@login_required
@require_POST
def household_add_member(request, pk: int):
    require_cap(request, Cap.HOUSEHOLD_EDIT)
    household = get_or_404(selectors.household_get, user=request.user, pk=pk)
    form = AddMemberForm(request.POST, prefix="add")
    if form.is_valid():
        try:
            services.household_add_member_by_row(
                actor=request.user,
                household=household,
                row=services.MemberRow(**form.cleaned_data),
            )
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Member added."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("people:household-detail", pk=household.pk)


@login_required
@require_POST
def household_remove_member(request, pk: int, member_pk: int):
    require_cap(request, Cap.HOUSEHOLD_EDIT)
    household = get_or_404(selectors.household_get, user=request.user, pk=pk)
    member = next((m for m in household.members.all() if m.pk == member_pk), None)
    if member is None:
        raise Http404
    try:
        services.household_remove_member(actor=request.user, member=member)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Member removed."))
    return redirect("people:household-detail", pk=household.pk)

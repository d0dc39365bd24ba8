"""Browser pages for place names: the gazetteer, unnamed roads, naming applications, banned words."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import permissions
from core.errors import DomainError
from core.history import rows_for
from core.models import Division, DivisionLevel
from core.pages import form_error, require_cap
from core.pagination import paginate
from core.roles import Cap, has_cap
from core.scoping import divisions_in_scope
from placenames import selectors, services
from placenames.forms import (
    ApplicationForm,
    ApproveForm,
    BannedWordForm,
    NoteForm,
    NoticeForm,
    ReasonForm,
    RoadForm,
    UnnamedRoadForm,
)
from placenames.models import ApplicationStatus, NamingApplication, RoadType, UnnamedRoadStatus
from placenames.naming import warning_messages

PAGE_SIZE = 25


def districts_for(user) -> list[Division]:
    return divisions_in_scope(user, DivisionLevel.DISTRICT)


def _initial_district(user) -> dict:
    return {"district": user.division_id} if len(user.division_id) == 6 else {}


@login_required
def road_list(request):
    require_cap(request, Cap.PLACENAME_VIEW)
    filters = {k: request.GET.get(k, "").strip() for k in ("q", "district", "road_type")}
    roads = selectors.road_list(user=request.user, **filters)
    return render(
        request,
        "placenames/road_list.html",
        {
            "page": paginate(request, roads),
            "filters": filters,
            "districts": districts_for(request.user),
            "road_types": RoadType.choices,
            "can_edit": permissions.can(request.user, "create", "placenames.road"),
        },
    )


@login_required
def road_create(request):
    require_cap(request, Cap.PLACENAME_EDIT)
    form = RoadForm(
        request.POST or None, districts=districts_for(request.user), initial=_initial_district(request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            road, warnings = services.road_create(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("%(name)s is entered in the gazetteer.") % {"name": road.name})
            for warning in warning_messages(warnings):
                messages.warning(request, warning)
            return redirect("placenames:road-detail", pk=road.pk)
    return render(request, "placenames/form.html", {"form": form, "title": _("Enter a road in the gazetteer")})


@login_required
def road_detail(request, pk: int):
    require_cap(request, Cap.PLACENAME_VIEW)
    road = selectors.road_get(user=request.user, pk=pk)
    return render(
        request,
        "placenames/road_detail.html",
        {"road": road, "applications": road.applications.all(), "history": rows_for(road)},
    )


@login_required
def unnamed_list(request):
    require_cap(request, Cap.PLACENAME_VIEW)
    filters = {k: request.GET.get(k, "").strip() for k in ("q", "district", "status")}
    roads = selectors.unnamed_road_list(user=request.user, **filters)
    return render(
        request,
        "placenames/unnamed_list.html",
        {
            "page": paginate(request, roads),
            "filters": filters,
            "districts": districts_for(request.user),
            "statuses": UnnamedRoadStatus.choices,
            "counts": selectors.unnamed_road_counts(user=request.user),
            "can_edit": permissions.can(request.user, "create", "placenames.unnamedroad"),
        },
    )


@login_required
def unnamed_create(request):
    require_cap(request, Cap.PLACENAME_EDIT)
    form = UnnamedRoadForm(
        request.POST or None, districts=districts_for(request.user), initial=_initial_district(request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            road = services.unnamed_road_create(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("The unnamed road is recorded."))
            return redirect("placenames:unnamed-detail", pk=road.pk)
    return render(request, "placenames/form.html", {"form": form, "title": _("Record an unnamed road")})


@login_required
def unnamed_detail(request, pk: int):
    require_cap(request, Cap.PLACENAME_VIEW)
    road = selectors.unnamed_road_get(user=request.user, pk=pk)
    can_edit = permissions.can(request.user, "remove", road)
    return render(
        request,
        "placenames/unnamed_detail.html",
        {
            "road": road,
            "applications": road.applications.order_by("-id"),
            "history": rows_for(road),
            "remove_form": ReasonForm() if can_edit and road.status == UnnamedRoadStatus.UNNAMED else None,
            "can_propose": can_edit and road.status == UnnamedRoadStatus.UNNAMED,
        },
    )


@login_required
@require_POST
def unnamed_remove(request, pk: int):
    require_cap(request, Cap.PLACENAME_EDIT)
    road = selectors.unnamed_road_get(user=request.user, pk=pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason."))
    else:
        try:
            services.unnamed_road_remove(actor=request.user, road=road, note=form.cleaned_data["note"])
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("The entry is closed."))
    return redirect("placenames:unnamed-detail", pk=road.pk)


@login_required
def application_list(request):
    require_cap(request, Cap.PLACENAME_VIEW)
    filters = {k: request.GET.get(k, "").strip() for k in ("q", "district", "status")}
    at_my_step = request.GET.get("at_my_step") == "1"
    applications = selectors.application_list(user=request.user, at_my_step=at_my_step, **filters)
    return render(
        request,
        "placenames/application_list.html",
        {
            "page": paginate(request, applications),
            "filters": filters,
            "at_my_step": at_my_step,
            "districts": districts_for(request.user),
            "statuses": ApplicationStatus.choices,
            "can_edit": permissions.can(request.user, "create", NamingApplication),
        },
    )


@login_required
def application_create(request):
    require_cap(request, Cap.PLACENAME_EDIT)
    unnamed = selectors.unnamed_road_list(user=request.user, status=UnnamedRoadStatus.UNNAMED)[:500]
    initial = _initial_district(request.user)
    if request.GET.get("unnamed_road"):
        initial["unnamed_road"] = request.GET["unnamed_road"]
    form = ApplicationForm(
        request.POST or None, districts=districts_for(request.user), unnamed_roads=unnamed, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_create(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("The application is recorded."))
            for warning in warning_messages(application.warnings):
                messages.warning(request, warning)
            return redirect("placenames:application-detail", pk=application.pk)
    return render(request, "placenames/form.html", {"form": form, "title": _("Propose a road name")})


# action → (form class,) ; who may take it when: placenames.permissions
ACTIONS = {
    "check": (NoteForm,),
    "refer": (NoteForm,),
    "notice": (NoticeForm,),
    "approve": (ApproveForm,),
    "publish": (NoteForm,),
    "reject": (ReasonForm,),
    "withdraw": (ReasonForm,),
}


def _action_labels():
    return {
        "check": _("Run the checks"),
        "refer": _("Refer to the experts"),
        "notice": _("Post the public notice"),
        "approve": _("Approve"),
        "publish": _("Publish in the gazetteer"),
        "reject": _("Reject"),
        "withdraw": _("Withdraw"),
    }


@login_required
def application_detail(request, pk: int):
    require_cap(request, Cap.PLACENAME_VIEW)
    application = selectors.application_get(user=request.user, pk=pk)
    labels = _action_labels()
    actions = [
        (name, labels[name], ACTIONS[name][0]())
        for name in permissions.allowed_actions(request.user, application, ACTIONS)
    ]
    return render(
        request,
        "placenames/application_detail.html",
        {
            "application": application,
            "warnings": warning_messages(application.warnings),
            "events": [
                (e, ApplicationStatus(e.to_status).label) for e in application.transitions.select_related("actor")
            ],
            "steps": [c for c in ApplicationStatus.choices if c[0] not in ("rejected", "withdrawn")],
            "actions": actions,
            "history": rows_for(application),
        },
    )


@login_required
@require_POST
def application_action(request, pk: int, action: str):
    if action not in ACTIONS:
        raise Http404
    (form_class,) = ACTIONS[action]
    permissions.require_can(request.user, action, NamingApplication)
    application = selectors.application_get(user=request.user, pk=pk)
    form = form_class(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("placenames:application-detail", pk=pk)
    values = form.cleaned_data
    calls = {
        "check": lambda: services.application_check(actor=request.user, application=application, note=values["note"]),
        "refer": lambda: services.application_refer_to_experts(
            actor=request.user, application=application, note=values["note"]
        ),
        "notice": lambda: services.application_start_notice(actor=request.user, application=application, **values),
        "approve": lambda: services.application_approve(actor=request.user, application=application, **values),
        "publish": lambda: services.application_publish(
            actor=request.user, application=application, note=values["note"]
        ),
        "reject": lambda: services.application_reject(actor=request.user, application=application, note=values["note"]),
        "withdraw": lambda: services.application_withdraw(
            actor=request.user, application=application, note=values["note"]
        ),
    }
    try:
        application = calls[action]()
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Done: %(status)s.") % {"status": application.get_status_display()})
        if action == "check":
            for warning in warning_messages(application.warnings):
                messages.warning(request, warning)
    return redirect("placenames:application-detail", pk=pk)


@login_required
def banned_words(request):
    require_cap(request, Cap.PLACENAME_VIEW)
    can_configure = has_cap(request.user, Cap.PLACENAME_CONFIGURE)
    form = BannedWordForm(request.POST or None)
    if request.method == "POST":
        require_cap(request, Cap.PLACENAME_CONFIGURE)
        if form.is_valid():
            try:
                services.banned_word_add(actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(request, _("Added."))
                return redirect("placenames:banned-words")
    return render(
        request,
        "placenames/banned_words.html",
        {"words": selectors.banned_words(user=request.user), "form": form if can_configure else None},
    )


@login_required
@require_POST
def banned_word_deactivate(request, pk: int):
    require_cap(request, Cap.PLACENAME_CONFIGURE)
    try:
        services.banned_word_deactivate(actor=request.user, word=pk)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect("placenames:banned-words")

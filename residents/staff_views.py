"""Staff pages of online applications (``/online-applications/``): the list, a page each, accept, decline."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.cases import timeline_of
from core.errors import Forbidden, NotFound
from core.history import rows_for
from core.idnumbers import mask_id_number
from core.pages import run_and_tell
from core.permissions import can
from core.roles import Cap, has_cap
from core.scoping import get_in_scope
from people.models import Relationship
from relief.models import CareLevel, ClaimKind, Placement
from residents import selectors, services
from residents.models import ApplicationStatus, OnlineApplication, Scheme

PAGE_SIZE = 50

CASE_PAGES = {
    Scheme.DIBAO: "relief:dibao-detail",
    Scheme.TEKUN: "relief:tekun-detail",
    Scheme.TEMPORARY_RELIEF: "relief:claim-detail",
}


def _get(request, pk) -> OnlineApplication:
    if not has_cap(request.user, Cap.RELIEF_VIEW):
        raise Forbidden()
    try:
        return get_in_scope(OnlineApplication.objects.select_related("community"), request.user, pk=pk)
    except NotFound:
        raise Http404 from None


@login_required
def application_list(request):
    if not has_cap(request.user, Cap.RELIEF_VIEW):
        raise Forbidden()
    status = request.GET.get("status", "")
    applications = selectors.online_application_list(
        user=request.user, status=status if status in ApplicationStatus.values else None
    )
    page = Paginator(applications, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {"application": a, "duplicate": selectors.open_case_for(a) if a.status == "submitted" else None} for a in page
    ]
    return render(
        request,
        "residents/staff_list.html",
        {"page": page, "rows": rows, "status": status, "statuses": ApplicationStatus.choices},
    )


@login_required
def application_detail(request, pk: int):
    application = _get(request, pk)
    labels = dict(Relationship.choices)
    members = [
        {
            "name": m["name"],
            "id_number": mask_id_number(m["id_number"]),
            "relationship": labels.get(m["relationship"], ""),
        }
        for m in application.members
    ]
    case = application.case
    return render(
        request,
        "residents/staff_detail.html",
        {
            "application": application,
            "applicant_id": mask_id_number(application.applicant_id_number),
            "members": members,
            "duplicate": selectors.open_case_for(application) if application.status == "submitted" else None,
            "case": case,
            "case_url": reverse(CASE_PAGES[application.kind], args=[case.pk]) if case is not None else "",
            "may_accept": can(request.user, "accept", application),
            "may_decline": can(request.user, "decline", application),
            "care_levels": CareLevel.choices,
            "placements": Placement.choices,
            "claim_kinds": ClaimKind.choices,
            "events": timeline_of(application),
            "history": rows_for(application),
        },
    )


@login_required
@require_POST
def application_accept(request, pk: int):
    application = _get(request, pk)
    run_and_tell(
        request,
        lambda: services.application_accept(
            actor=request.user,
            application=application,
            care_level=request.POST.get("care_level", ""),
            placement=request.POST.get("placement", ""),
            claim_kind=request.POST.get("claim_kind", ""),
            note=request.POST.get("note", ""),
        ),
        _("Accepted: the case is open and the applicant sees it."),
    )
    return redirect("online-applications:detail", pk=pk)


@login_required
@require_POST
def application_decline(request, pk: int):
    application = _get(request, pk)
    run_and_tell(
        request,
        lambda: services.application_decline(
            actor=request.user, application=application, note=request.POST.get("note", "")
        ),
        _("Not accepted: the applicant reads your reason."),
    )
    return redirect("online-applications:detail", pk=pk)

"""Browser pages of data checking: validate, call one service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.cases import timeline_of
from core.errors import DomainError, Forbidden, NotFound
from core.pages import form_error, require_cap
from core.pagination import paginate
from core.permissions import can
from core.roles import Cap, has_cap
from core.scoping import get_in_scope
from core.uploads import read_upload
from datacheck import forms, selectors, services
from datacheck.extracts import LIMITS
from datacheck.models import CrossCheckRun, DataSource, Extract, ExtractStatus, ItemStatus, ReviewItem, RunStatus
from welfare.models import Benefit

PAGE_SIZE = 25


def _get(qs, request, pk):
    try:
        return get_in_scope(qs, request.user, pk=pk)
    except NotFound:
        raise Http404 from None


@login_required
def home(request):
    require_cap(request, Cap.DATACHECK_VIEW)
    context = {
        "sources": selectors.sources(user=request.user),
        "latest_run": selectors.runs(user=request.user).first(),
        "can_items": has_cap(request.user, Cap.DATACHECK_ITEMS),
    }
    if context["can_items"]:
        context["open_count"] = selectors.review_items(user=request.user, status=ItemStatus.OPEN).count()
    return render(request, "datacheck/home.html", context)


# --- Sources and extracts ---------------------------------------------------------------------


@login_required
def source_list(request):
    require_cap(request, Cap.DATACHECK_VIEW)
    can_configure = has_cap(request.user, Cap.DATACHECK_CONFIGURE)
    form = forms.DataSourceForm(request.POST or None)
    if request.method == "POST":
        require_cap(request, Cap.DATACHECK_CONFIGURE)
        if form.is_valid():
            try:
                source = services.data_source_register(actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(request, _("Data source registered."))
                return redirect("datacheck:source-detail", pk=source.pk)
    return render(
        request,
        "datacheck/source_list.html",
        {"page": paginate(request, selectors.sources(user=request.user)), "form": form, "can_configure": can_configure},
    )


@login_required
def source_detail(request, pk: int):
    require_cap(request, Cap.DATACHECK_VIEW)
    source = _get(DataSource.objects.all(), request, pk)
    can_configure = has_cap(request.user, Cap.DATACHECK_CONFIGURE)
    form = forms.ExtractUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        require_cap(request, Cap.DATACHECK_CONFIGURE)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                content = read_upload(upload, limits=LIMITS)
                extract = services.extract_upload(
                    actor=request.user, source=source, file_name=upload.name, content=content
                )
            except DomainError as exc:
                form_error(form, exc)
            else:
                return redirect("datacheck:extract-detail", pk=extract.pk)
    extracts = selectors.extracts(user=request.user, source=source)
    return render(
        request,
        "datacheck/source_detail.html",
        {"source": source, "page": paginate(request, extracts), "form": form, "can_configure": can_configure},
    )


@login_required
@require_POST
def source_set_active(request, pk: int):
    """Take a source out of the cross-check runs, or back in."""
    require_cap(request, Cap.DATACHECK_CONFIGURE)
    source = _get(DataSource.objects.all(), request, pk)
    services.data_source_set_active(actor=request.user, source=source, active=request.POST.get("active") == "1")
    return redirect("datacheck:source-detail", pk=source.pk)


@login_required
def extract_detail(request, pk: int):
    require_cap(request, Cap.DATACHECK_VIEW)
    extract = _get(
        Extract.objects.defer("content").select_related("source", "uploaded_by", "committed_by"), request, pk
    )
    return render(
        request,
        "datacheck/extract_detail.html",
        {
            "extract": extract,
            "can_commit": has_cap(request.user, Cap.DATACHECK_CONFIGURE) and extract.status == ExtractStatus.PREVIEWED,
        },
    )


@login_required
@require_POST
def extract_commit(request, pk: int):
    require_cap(request, Cap.DATACHECK_CONFIGURE)
    extract = _get(Extract.objects.defer("content"), request, pk)
    try:
        services.extract_commit(actor=request.user, extract=extract)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The extract is committed: the next cross-check run uses it."))
    return redirect("datacheck:extract-detail", pk=extract.pk)


# --- Runs -------------------------------------------------------------------------------------


@login_required
def run_list(request):
    require_cap(request, Cap.DATACHECK_VIEW)
    if request.method == "POST":
        require_cap(request, Cap.DATACHECK_CONFIGURE)
        try:
            run = services.cross_check_run_start(actor=request.user)
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            return redirect("datacheck:run-detail", pk=run.pk)
    return render(
        request,
        "datacheck/run_list.html",
        {
            "page": paginate(request, selectors.runs(user=request.user)),
            "can_start": has_cap(request.user, Cap.DATACHECK_CONFIGURE),
            "latest": selectors.latest_extracts(),
        },
    )


@login_required
def run_detail(request, pk: int):
    require_cap(request, Cap.DATACHECK_VIEW)
    run = _get(
        selectors.with_items_in_scope(CrossCheckRun.objects.select_related("started_by"), request.user), request, pk
    )
    extracts = Extract.objects.defer("content").filter(pk__in=run.extracts or []).select_related("source")
    return render(
        request,
        "datacheck/run_detail.html",
        {
            "run": run,
            "extracts": extracts,
            "in_progress": run.status in (RunStatus.QUEUED, RunStatus.RUNNING),
        },
    )


# --- Review queue -----------------------------------------------------------------------------


def _benefit_rows(item: ReviewItem) -> list[dict]:
    labels = dict(Benefit.choices)
    return [
        {"code": b["benefit"], "label": labels.get(b["benefit"], b["benefit"]), "case": b["case"]}
        for b in item.benefits
    ]


@login_required
def review_list(request):
    require_cap(request, Cap.DATACHECK_ITEMS)
    status = request.GET.get("status", ItemStatus.OPEN)
    if status not in ItemStatus.values and status != "all":
        status = ItemStatus.OPEN
    items = selectors.review_items(
        user=request.user,
        status="" if status == "all" else status,
        division=request.GET.get("division", ""),
        source=request.GET.get("source", ""),
    )
    page = paginate(request, items)
    now = timezone.now()
    for item in page:
        item.age_days = (now - item.created_at).days
        item.benefit_rows = _benefit_rows(item)
    return render(
        request,
        "datacheck/review_list.html",
        {
            "page": page,
            "status": status,
            "statuses": ItemStatus.choices,
            "division": request.GET.get("division", ""),
            "sources": selectors.sources(user=request.user),
        },
    )


def _item(request, pk):
    return _get(ReviewItem.objects.select_related("source", "person", "division", "decided_by", "extract"), request, pk)


def _review_page(request, item, *, confirm_form=None, dismiss_form=None, status=200):
    item.age_days = (timezone.now() - item.created_at).days
    can_review = can(request.user, "confirm", item)
    return render(
        request,
        "datacheck/review_detail.html",
        {
            "item": item,
            "benefits": _benefit_rows(item),
            "timeline": timeline_of(item),
            "can_review": can_review,
            "is_death": item.source.effect == "death",
            "confirm_form": confirm_form or forms.ConfirmForm(),
            "dismiss_form": dismiss_form or forms.DismissForm(),
        },
        status=status,
    )


@login_required
def review_detail(request, pk: int):
    require_cap(request, Cap.DATACHECK_ITEMS)
    return _review_page(request, _item(request, pk))


@login_required
@require_POST
def review_action(request, pk: int, action: str):
    require_cap(request, Cap.DATACHECK_ITEMS)
    item = _item(request, pk)
    require_cap(request, Cap.DATACHECK_REVIEW)
    if action == "confirm":
        form = forms.ConfirmForm(request.POST)
        forms_kwargs = {"confirm_form": form}
    elif action == "dismiss":
        form = forms.DismissForm(request.POST)
        forms_kwargs = {"dismiss_form": form}
    else:
        raise Http404
    if form.is_valid():
        try:
            if action == "confirm":
                services.review_item_confirm(
                    actor=request.user,
                    item=item,
                    note=form.cleaned_data["note"],
                    outcome=form.cleaned_data.get("outcome") or "suspend",
                )
                messages.success(request, _("Confirmed: the benefits were changed through their own cases."))
            else:
                services.review_item_dismiss(actor=request.user, item=item, note=form.cleaned_data["note"])
                messages.success(request, _("Dismissed."))
        except Forbidden:
            raise
        except DomainError as exc:
            form_error(form, exc)
        else:
            return redirect("datacheck:review-detail", pk=item.pk)
    return _review_page(request, _item(request, pk), status=400, **forms_kwargs)


@login_required
def subdistricts(request):
    require_cap(request, Cap.DATACHECK_ITEMS)
    return render(request, "datacheck/subdistricts.html", {"rows": selectors.subdistrict_summary(user=request.user)})


@login_required
def coverage(request):
    require_cap(request, Cap.DATACHECK_ITEMS)
    gap = request.GET.get("gap", "")
    if gap not in ("living", "nursing"):
        gap = ""
    page = paginate(request, selectors.coverage_gaps(user=request.user, gap=gap))
    for person in page:
        person.gaps = selectors.gaps_of(person)
    return render(request, "datacheck/coverage.html", {"page": page, "gap": gap})


@login_required
def poverty(request):
    """建档立卡贫困户: the coverage check (兜底保障 "不落一户"), those not covered first."""
    require_cap(request, Cap.DATACHECK_ITEMS)
    shown = request.GET.get("covered", "false")
    if shown not in ("true", "false", "all"):
        shown = "false"
    covered = {"true": True, "false": False}.get(shown)
    page = paginate(request, selectors.poverty_households(user=request.user, covered=covered))
    for household in page:
        household.schemes = selectors.covered_by(household)
    context = {"page": page, "shown": shown, "summary": selectors.poverty_summary(user=request.user)}
    return render(request, "datacheck/poverty.html", context)

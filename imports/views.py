"""Browser pages of imports: upload, preview (every bad row), confirm, progress, the kept report."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError, Forbidden
from core.permissions import can
from core.roles import Cap, has_cap
from core.uploads import read_upload
from imports import selectors, services
from imports.forms import UploadForm
from imports.kinds import limits
from imports.models import ImportKind, ImportStatus
from imports.registry import kinds

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ERRORS_PER_PAGE = 200


def _require(request) -> None:
    if not has_cap(request.user, Cap.IMPORT_DATA):
        raise Forbidden()


@login_required
def import_list(request):
    _require(request)
    status = request.GET.get("status", "")
    jobs = selectors.import_list(
        user=request.user,
        kind=request.GET.get("kind", ""),
        status=status if status in ImportStatus.values else "",
        to_commit=request.GET.get("to_commit") == "1",
    )
    page = Paginator(jobs, 25).get_page(request.GET.get("page"))
    return render(request, "imports/list.html", {"page": page, "kinds": ImportKind.choices})


@login_required
def import_upload(request):
    _require(request)
    initial = {"kind": request.GET.get("kind")} if request.GET.get("kind") in ImportKind.values else None
    form = UploadForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = services.import_upload(
                actor=request.user,
                kind=form.cleaned_data["kind"],
                file_name=upload.name,
                content=read_upload(upload, limits=limits()),
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            return redirect("imports:detail", pk=job.pk)
    return render(
        request,
        "imports/upload.html",
        {"form": form, "kinds": list(kinds().values()), "max_mb": limits().max_bytes // (1024 * 1024)},
    )


@login_required
def import_template(request, kind: str):
    _require(request)
    handler = kinds().get(kind)
    if handler is None:
        raise Http404
    response = HttpResponse(handler.template(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="import-{kind}-template.xlsx"'
    return response


@login_required
def import_detail(request, pk: int):
    _require(request)
    job = selectors.import_get(user=request.user, pk=pk)
    errors = Paginator(job.errors or [], ERRORS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "imports/detail.html",
        {
            "job": job,
            "kind": kinds()[job.kind],
            "errors": errors,
            "can_commit": job.status == ImportStatus.PREVIEWED and can(request.user, "commit", job),
            "running": job.is_running,
        },
    )


@login_required
def import_progress(request, pk: int):
    """The progress bar's poll: status and percent as JSON."""
    _require(request)
    job = selectors.import_get(user=request.user, pk=pk)
    return JsonResponse({"status": job.status, "progress": job.progress, "running": job.is_running})


@login_required
@require_POST
def import_commit(request, pk: int):
    _require(request)
    job = selectors.import_get(user=request.user, pk=pk)
    try:
        job = services.import_commit(actor=request.user, job=job)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        if job.status == ImportStatus.COMMITTED:
            messages.success(
                request,
                _("Written: %(new)d registered, %(updated)d updated.")
                % {"new": job.to_create, "updated": job.to_update},
            )
        elif job.status == ImportStatus.FAILED:
            messages.error(request, job.failure)
    return redirect("imports:detail", pk=job.pk)

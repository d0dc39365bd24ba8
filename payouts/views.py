"""Browser pages of payouts: run list, run page with progress and review, lines, month overview, bank files."""

from __future__ import annotations

import os

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.cases import add_months, current_month, month_str, parse_month
from core.errors import DomainError, Forbidden, InvalidInput, NotFound
from core.history import rows_for
from core.pagination import paginate
from core.permissions import can
from core.roles import Cap, has_cap
from payouts import forms as payout_forms
from payouts import selectors, services
from payouts.models import ImportOutcome, LineStatus, PayoutRun, ReturnImport, RunStatus
from payouts.schemes import SCHEMES


def _require(request, cap: Cap) -> None:
    if not has_cap(request.user, cap):
        raise Forbidden()


def _run_or_404(request, pk) -> PayoutRun:
    try:
        return selectors.run_get(user=request.user, pk=pk)
    except NotFound:
        raise Http404 from None


def _flash(request, exc: DomainError) -> None:
    messages.error(request, str(exc.message))


@login_required
def run_list(request):
    _require(request, Cap.PAYOUT_VIEW)
    params = request.GET
    period = ""
    if params.get("period"):
        try:
            period = parse_month(params["period"], field="period")
        except InvalidInput:
            period = ""
    to_approve = params.get("to_approve") == "1"
    runs = selectors.run_list(
        user=request.user,
        scheme=params.get("scheme", ""),
        status=params.get("status", ""),
        period=period,
        to_approve=to_approve,
    )
    return render(
        request,
        "payouts/run_list.html",
        {
            "page": paginate(request, runs),
            "schemes": [(code, s.label) for code, s in SCHEMES.items()],
            "statuses": RunStatus.choices,
            "scheme": params.get("scheme", ""),
            "status": params.get("status", ""),
            "to_approve": to_approve,
            "period": month_str(period) if period else "",
            "this_month": month_str(current_month()),
            "start_form": payout_forms.StartRunForm() if can(request.user, "start", PayoutRun) else None,
        },
    )


@login_required
@require_POST
def run_start(request):
    _require(request, Cap.PAYOUT_START)
    form = payout_forms.StartRunForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("payouts:run-list")
    try:
        run, created = services.run_request(
            actor=request.user, scheme=form.cleaned_data["scheme"], period=form.cleaned_data["period"]
        )
    except DomainError as exc:
        _flash(request, exc)
        return redirect("payouts:run-list")
    if created:
        messages.success(request, _("The run is queued; it computes in the background."))
    else:
        messages.info(request, _("This run already exists: here it is."))
    return redirect("payouts:run-detail", pk=run.pk)


def _review(run: PayoutRun) -> dict:
    """The first rows of each difference from last month (only where the summary counted some)."""
    diff = (run.summary or {}).get("diff")
    previous = selectors.previous_run(run) if diff else None
    if previous is None:
        return {"previous": None}
    return {
        "previous": previous,
        "new": selectors.diff_new(run, previous) if diff["new"] else [],
        "stopped": selectors.diff_stopped(run, previous) if diff["stopped"] else [],
        "changed": selectors.diff_changed(run, previous) if diff["changed"] else [],
    }


@login_required
def run_detail(request, pk: int):
    _require(request, Cap.PAYOUT_VIEW)
    run = _run_or_404(request, pk)
    user = request.user
    stuck = selectors.is_stuck(run, stuck_after=services.stuck_after())
    context = {
        "run": run,
        "events": selectors.run_events(run),
        "history": rows_for(run),
        "summary": run.summary or {},
        "review": _review(run),
        "exports": list(run.exports.select_related("actor")[:20]),
        "imports": list(run.return_imports.select_related("actor")[:20]),
        "follow_ups": list(PayoutRun.objects.filter(parent=run.parent or run).exclude(pk=run.pk).order_by("sequence")),
        "failed_count": selectors.failed_lines_count(run)
        if run.status in (RunStatus.EXPORTED, RunStatus.RECONCILED)
        else 0,
        "in_progress": run.status in (RunStatus.QUEUED, RunStatus.COMPUTING),
        "stuck": stuck,
        "can_approve": can(user, "approve", run),
        "is_maker": run.started_by_id == user.pk,
        "can_export": can(user, "export", run),
        "can_import": can(user, "record_returns", run),
        "can_restart": can(user, "restart", run),
        "can_recompute": can(user, "recompute", run),
        "can_follow_up": can(user, "follow_up", run),
        "note_form": payout_forms.NoteForm(),
        "export_form": payout_forms.ExportForm(),
        "upload_form": payout_forms.ReturnUploadForm(),
    }
    return render(request, "payouts/run_detail.html", context)


RUN_ACTIONS = {
    "approve": services.run_approve,
    "restart": services.run_restart,
    "recompute": services.run_recompute,
    "follow-up": services.follow_up_request,
}
DONE_MESSAGES = {
    "approve": gettext_lazy("The run is approved."),
    "restart": gettext_lazy("The run is queued again; it resumes where it stopped."),
    "recompute": gettext_lazy("The run's lines are discarded; it is computed again."),
    "follow-up": gettext_lazy("A follow-up run is queued for the failed lines."),
}


@login_required
@require_POST
def run_action(request, pk: int, action: str):
    if action not in RUN_ACTIONS:
        raise Http404
    _require(request, Cap.PAYOUT_VIEW)
    run = _run_or_404(request, pk)
    form = payout_forms.NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        result = RUN_ACTIONS[action](actor=request.user, run=run, note=note)
    except DomainError as exc:
        if exc.status_code == 403:
            raise
        _flash(request, exc)
        return redirect("payouts:run-detail", pk=run.pk)
    messages.success(request, str(DONE_MESSAGES[action]))
    return redirect("payouts:run-detail", pk=result.pk)


@login_required
@require_POST
def run_export(request, pk: int):
    _require(request, Cap.PAYOUT_BANK_FILES)
    run = _run_or_404(request, pk)
    form = payout_forms.ExportForm(request.POST)
    file_format = form.cleaned_data["format"] if form.is_valid() else "csv"
    try:
        exported = services.run_export(
            actor=request.user, run=run, file_format=file_format, ip_address=request.META.get("REMOTE_ADDR")
        )
    except DomainError as exc:
        if exc.status_code == 403:
            raise
        _flash(request, exc)
        return redirect("payouts:run-detail", pk=run.pk)
    response = FileResponse(
        open(exported.path, "rb"),  # FileResponse closes it
        as_attachment=True,
        filename=exported.filename,
        content_type=exported.content_type,
    )
    response["Cache-Control"] = "no-store"
    closer = response.close

    def close():
        closer()
        try:
            os.unlink(exported.path)
        except FileNotFoundError:
            pass

    response.close = close
    return response


@login_required
@require_POST
def run_import(request, pk: int):
    _require(request, Cap.PAYOUT_BANK_FILES)
    run = _run_or_404(request, pk)
    form = payout_forms.ReturnUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose the bank's return file."))
        return redirect("payouts:run-detail", pk=run.pk)
    upload = form.cleaned_data["file"]
    try:
        record = services.run_import_returns(actor=request.user, run=run, filename=upload.name, content=upload.read())
    except DomainError as exc:
        if exc.status_code == 403:
            raise
        _flash(request, exc)
        return redirect("payouts:run-detail", pk=run.pk)
    if record.outcome == ImportOutcome.REFUSED:
        messages.error(request, _("The return file was refused; nothing was changed. See the errors below."))
        return redirect("payouts:import-detail", pk=record.pk)
    messages.success(
        request,
        _("Return recorded: %(paid)d paid, %(failed)d failed.") % {"paid": record.paid, "failed": record.failed},
    )
    return redirect("payouts:run-detail", pk=run.pk)


@login_required
def import_detail(request, pk: int):
    _require(request, Cap.PAYOUT_VIEW)
    try:
        record = ReturnImport.objects.select_related("run", "actor").get(pk=pk)
    except ReturnImport.DoesNotExist:
        raise Http404 from None
    run = _run_or_404(request, record.run_id)
    changed, changes = selectors.import_status_changes(record)
    return render(
        request,
        "payouts/import_detail.html",
        {"record": record, "run": run, "changed_count": changed, "changes": changes},
    )


@login_required
def run_lines(request, pk: int):
    _require(request, Cap.PAYOUT_VIEW)
    run = _run_or_404(request, pk)
    status = request.GET.get("status", "")
    division = request.GET.get("division", "").strip()
    lines = selectors.line_list(user=request.user, run=run, status=status, division=division)
    page = paginate(request, lines.only("id"), per_page=50)
    lines_shown = selectors.lines_page(page.object_list)
    flags = SCHEMES[run.scheme].line_flags(lines_shown) if run.scheme in SCHEMES else {}
    changes = selectors.line_status_changes(line.pk for line in lines_shown)
    repaid = selectors.repaid_by(line.pk for line in lines_shown if line.status == LineStatus.FAILED)
    rows = [
        (line, selectors.explain(line.snapshot), flags.get(line.pk, []), changes.get(line.pk, []), repaid.get(line.pk))
        for line in lines_shown
    ]
    return render(
        request,
        "payouts/run_lines.html",
        {
            "run": run,
            "page": page,
            "rows": rows,
            "status": status,
            "division": division,
            "statuses": LineStatus.choices,
            "districts": (run.summary or {}).get("by_district", []),
        },
    )


@login_required
def month(request, period: str):
    _require(request, Cap.PAYOUT_VIEW)
    try:
        the_month = parse_month(period, field="period")
    except InvalidInput:
        raise Http404 from None
    overview = selectors.month_overview(user=request.user, period=the_month)
    schemes = [(code, SCHEMES[code].label) for code in SCHEMES if code in overview.scheme_totals]
    rows = []
    for code, name in overview.districts:
        rows.append(
            {
                "code": code,
                "name": name,
                "cells": [overview.cells.get((scheme, code)) for scheme, _label in schemes],
                "total": overview.district_totals.get(code),
            }
        )
    return render(
        request,
        "payouts/month.html",
        {
            "overview": overview,
            "schemes": schemes,
            "rows": rows,
            "scheme_totals": [overview.scheme_totals.get(code) for code, _label in schemes],
            "period": month_str(the_month),
            "previous": month_str(add_months(the_month, -1)),
            "next": month_str(add_months(the_month, 1)),
        },
    )

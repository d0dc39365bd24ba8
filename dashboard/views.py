"""Browser pages of the dashboard: the figures with their charts and table, the Excel export, a
printable page and the work summary. Each validates the filters, calls the selector, renders."""

from __future__ import annotations

import io
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.errors import InvalidInput, NotFound
from core.roles import Cap, require
from core.scoping import division_in_scope
from dashboard import figures as figs
from dashboard import selectors

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _filters(request) -> dict:
    return {
        "from": (request.GET.get("from") or "").strip(),
        "to": (request.GET.get("to") or "").strip(),
        "division": (request.GET.get("division") or "").strip(),
    }


# The one screen's headline: (figure key, what the tile says beside it). Clicking one shows its trend and split.
HEADLINE = [
    "dibao_persons",
    "dibao_amount",
    "tekun_amount",
    "relief_amount",
    "price_amount",
    "orphan_amount",
    "nursing_amount",
    "marriages",
]
DEFAULT_FOCUS = "dibao_amount"
# What is in force beside what was paid: (scheme, label of the paid figure's key).
IN_FORCE = [
    ("dibao", "dibao_persons"),
    ("tekun", "tekun_persons"),
    ("orphan", "orphan_persons"),
    ("disability_living", "living_persons"),
    ("disability_nursing", "nursing_persons"),
]


def _load(request, *, year_before: bool = False):
    """(filters, summary or None, error message or None); 404 outside the user's geography."""
    require(request.user, Cap.DASHBOARD_VIEW)
    filters = _filters(request)
    try:
        query = selectors.summary_query(
            request.user, start=filters["from"], end=filters["to"], division=filters["division"] or None
        )
    except NotFound:
        raise Http404 from None
    except InvalidInput as exc:
        return filters, None, str(exc.message)
    summary = selectors.summary(query)
    if year_before:
        summary["year_before"] = selectors.summary(selectors.year_before(query), in_force_too=False)
    filters = {"from": summary["from"], "to": summary["to"], "division": summary["division"]}
    return filters, summary, None


def _change(now, before) -> dict:
    """The comparison with the same months a year before: the earlier value and the change in percent."""
    if not before:
        return {"before": before, "percent": None}
    return {"before": before, "percent": round((now - before) * 100 / before, 1)}


def _words(row: dict, *, chinese: bool) -> str:
    """A headline figure as a reader says it: 9.1万 / 3.56亿元 / 6026.45万元, or "91,000" / "356.47 million yuan"."""
    total = row["total"]
    if row["kind"] != figs.MONEY:
        return figs.cn_count(total, "") if chinese else f"{total:,}"
    if chinese:
        return figs.cn_money(total)
    return _("%(n)s million yuan") % {"n": f"{total / 1000000:,.2f}"}


def _one_screen(request, context: dict, summary: dict) -> None:
    """The headline tiles (against a year before), the focused figure, paid beside in force, attention."""
    rows = {row["key"]: row for row in context["figures"]}
    before = {row["key"]: row["total"] for row in figs.figure_list(summary["year_before"])}
    focus = request.GET.get("figure", "")
    if focus not in rows:
        focus = DEFAULT_FOCUS
    filters = context["filters"]
    chinese = (translation.get_language() or "").startswith("zh")
    context["headline"] = [
        {
            **rows[key],
            "words": _words(rows[key], chinese=chinese),
            **_change(rows[key]["total"], before.get(key)),
            "url": _url("dashboard:home", filters, figure=key) + "#dash-focus",
            "focused": key == focus,
        }
        for key in HEADLINE
    ]
    context["focus"] = rows[focus]
    context["figure_choices"] = [
        {"key": r["key"], "label": r["label"], "selected": r["key"] == focus} for r in rows.values()
    ]
    context["in_force"] = [
        {
            "label": rows[key]["label"],
            "paid": rows[key]["total"],
            "in_force": summary["schemes"][scheme]["in_force"]["persons"],
        }
        for scheme, key in IN_FORCE
    ]
    context["attention"] = summary["attention"]
    context["year_before_from"] = summary["year_before"]["from"]
    context["year_before_to"] = summary["year_before"]["to"]
    for division in context["divisions"]:
        if division["url"]:
            figure = "" if focus == DEFAULT_FOCUS else focus  # the drill keeps the figure in view
            division["url"] = _url("dashboard:home", filters, division=division["code"], figure=figure)


def _url(name: str, filters: dict, **changes) -> str:
    params = {k: v for k, v in {**filters, **changes}.items() if v}
    return reverse(name) + ("?" + urlencode(params) if params else "")


def _breadcrumbs(request, summary: dict, filters: dict) -> list[dict]:
    code, own = summary["division"], request.user.division_id or ""
    chain = [c for c in (code[:6], code[:9], code) if len(c) in (6, 9, 12)]
    if own == selectors.CITY_CODE and code != own:
        chain = [own, *chain]
    chain = list(dict.fromkeys(c for c in chain if division_in_scope(request.user, c)))
    names = selectors.division_names(chain)
    return [
        {"code": c, "name": names.get(c, c), "url": _url("dashboard:home", filters, division=c)}
        for c in chain
        if c in names
    ]


def _context(request, filters, summary, error) -> dict:
    context = {"filters": filters, "error": error, "summary": summary}
    context["divisions_choice"] = selectors.division_choices(request.user, filters.get("division") or "")
    if summary is None:
        return context
    figure_rows = figs.figure_list(summary)
    divisions = figs.divisions_of(summary)
    drillable = len(summary["division"]) < 12
    for division in divisions:
        division["url"] = _url("dashboard:home", filters, division=division["code"]) if drillable else ""
    months = figs.months_of(summary)
    for row in figure_rows:
        row["division_cells"] = list(zip(divisions, row["by_division"], strict=True))
        row["month_cells"] = list(zip(months, row["by_month"], strict=True))
    chart_data = {
        "months": months,
        "divisions": divisions,
        "figures": [
            {
                "key": row["key"],
                "label": row["label"],
                "kind": row["kind"],
                "by_month": [str(v) for v in row["by_month"]],
                "by_division": [str(v) for v in row["by_division"]],
            }
            for row in figure_rows
        ],
        "labels": {"month": _("Month"), "division": _("Division"), "yuan": _("yuan")},
    }
    context.update(
        {
            "figures": figure_rows,
            "months": months,
            "divisions": divisions,
            "chart_data": chart_data,
            "breadcrumbs": _breadcrumbs(request, summary, filters),
            "export_url": _url("dashboard:export", filters),
            "print_url": _url("dashboard:print", filters),
            "work_summary_url": _url("dashboard:work-summary", filters),
            "page_url": _url("dashboard:home", filters),
        }
    )
    return context


@login_required
@require_GET
def home(request):
    filters, summary, error = _load(request, year_before=True)
    context = _context(request, filters, summary, error)
    if summary is not None:
        _one_screen(request, context, summary)
    return render(request, "dashboard/home.html", context, status=400 if error else 200)


@login_required
@require_GET
def print_view(request):
    filters, summary, error = _load(request)
    context = _context(request, filters, summary, error)
    return render(request, "dashboard/print.html", context, status=400 if error else 200)


@login_required
@require_GET
def work_summary(request):
    filters, summary, error = _load(request)
    context = _context(request, filters, summary, error)
    if summary is not None:
        context["paragraphs"] = figs.work_summary(summary)
        context["period"] = figs.period_words(summary["from"], summary["to"])
    return render(request, "dashboard/work_summary.html", context, status=400 if error else 200)


def _safe(value):
    """A text cell a spreadsheet would run as a formula, made inert."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


@login_required
@require_GET
def export(request):
    """The view's figures as an Excel workbook: totals and the split by division, then the trend by month."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    filters, summary, error = _load(request)
    if summary is None:
        return render(request, "dashboard/home.html", _context(request, filters, None, error), status=400)
    rows = figs.figure_list(summary)
    divisions = figs.divisions_of(summary)
    months = figs.months_of(summary)
    book = Workbook()
    sheet = book.active
    sheet.title = _("Figures")[:31]
    sheet.append([_safe(f"{summary['division_name']} {summary['from']} – {summary['to']}")])
    sheet.append([])
    sheet.append([_("Figure"), _("Total"), *[_safe(d["name"]) for d in divisions]])
    for row in rows:
        sheet.append([_safe(row["label"]), row["total"], *row["by_division"]])
    trend = book.create_sheet(_("By month")[:31])
    trend.append([_("Figure"), *months])
    for row in rows:
        trend.append([_safe(row["label"]), *row["by_month"]])
    for ws in (sheet, trend):
        for cell in ws[3 if ws is sheet else 1]:
            cell.font = Font(bold=True)
        ws.column_dimensions["A"].width = 34
        for line in ws.iter_rows():
            for cell in line:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # text is text, never a formula
                elif cell.value is not None and not isinstance(cell.value, int):
                    cell.number_format = "#,##0.00"
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX_TYPE)
    name = f"dashboard-{summary['division']}-{summary['from']}-{summary['to']}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response

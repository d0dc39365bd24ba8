"""Any list as Excel: the same filtered, scoped queryset as the page, masked as on screen, formula-safe.

A list view builds its queryset as usual (a selector, so ``scope()`` has narrowed it) and, when
the request asks for it (``?export=xlsx``, the "Export to Excel" link of
``partials/export_link.html``), returns ``export_response(request, queryset, columns, …)``
instead of the page. ``columns`` are ``(heading, value)`` pairs where ``value`` reads what the
page shows (the masked ID number, the display label of a choice…), never more.

Every text cell goes through ``core.uploads.neutralise`` (= + - @ tab CR made inert) and the
workbook holds values only. At most ``EXPORT_MAX_ROWS`` rows: a larger list is refused with a
message asking to narrow the filter, rather than cut silently.
"""

from __future__ import annotations

import datetime
import tempfile
from collections.abc import Callable, Sequence
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext as _

from core.scoping import is_scoped
from core.uploads import neutralise

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_PARAM = "export"


def export_max_rows() -> int:
    return getattr(settings, "EXPORT_MAX_ROWS", 100_000)


Column = tuple[object, Callable[[object], object]]


def wants_export(request) -> bool:
    return request.GET.get(EXPORT_PARAM) == "xlsx"


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if timezone.is_aware(value) else str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, int | float | Decimal):
        return value
    return neutralise(str(value))


def workbook_file(rows, headings: Sequence[str], *, title: str):
    """A temporary file holding a write-only workbook of ``rows`` (already cell values)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=(neutralise(title) or "export")[:30].replace("/", "-"))
    bold = Font(bold=True)
    header = []
    for heading in headings:
        cell = WriteOnlyCell(sheet, value=_cell(heading))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    handle = tempfile.TemporaryFile()
    book.save(handle)
    handle.seek(0)
    return handle


def export_response(request, queryset, columns: Sequence[Column], *, name: str, title: str):
    """The list as an .xlsx download, or back to the page with a message when it is too long."""
    if not is_scoped(queryset):
        raise TypeError("export_response needs a queryset that went through core.scoping.scope()")
    limit = export_max_rows()
    total = queryset.count() if limit else 0
    if total > limit:
        messages.error(
            request,
            _("%(n)d records match; at most %(limit)d can be exported at once. Narrow the search and try again.")
            % {"n": total, "limit": limit},
        )
        query = request.GET.copy()
        query.pop(EXPORT_PARAM, None)
        return HttpResponseRedirect(f"{request.path}?{query.urlencode()}" if query else request.path)
    headings = [str(heading) for heading, _value in columns]
    readers = [value for _heading, value in columns]
    rows = ([_cell(read(obj)) for read in readers] for obj in queryset.iterator(chunk_size=2000))
    handle = workbook_file(rows, headings, title=title)
    stamp = timezone.localdate().strftime("%Y%m%d")
    return FileResponse(handle, as_attachment=True, filename=f"{name}-{stamp}.xlsx", content_type=XLSX_TYPE)

"""What every import kind shares: its columns (Chinese headings), reading a file into rows, the report.

A kind (``households.HouseholdsKind``, the case kinds in ``cases.py``) has two steps, both
given the same rows: ``validate`` (read-only: every bad row with its line and reason, and the
counts to create and to update) and ``write`` (inside the commit's transaction, set-based:
COPY into a temporary table, then ``INSERT … SELECT`` / ``UPDATE … FROM``; never one save per
row). The commit runs ``validate`` again first, so what is written is what the preview showed,
checked against the database as it is at that moment.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from core import textsafety, uploads
from core.errors import InvalidInput

MAX_ERRORS_KEPT = 5_000  # a report lists at most this many problems (and says how many there were)


def limits() -> uploads.Limits:
    """Import files: as large as the portal accepts an upload, up to 300,000 rows."""
    return uploads.DEFAULT_LIMITS.but(
        max_bytes=getattr(settings, "IMPORT_MAX_BYTES", settings.MAX_UPLOAD_SIZE - 64 * 1024),
        max_rows=getattr(settings, "IMPORT_MAX_ROWS", 300_000),
        max_uncompressed=400 * uploads.MB,
    )


@dataclass(frozen=True)
class Column:
    field: str
    heading: str  # Chinese, as in the template
    required: bool = True
    example: str = ""
    help: str | Promise = ""
    is_name: bool = False  # a person's name: brought to NFKC like the forms' and the API's names


@dataclass
class Report:
    rows: int = 0
    to_create: int = 0
    to_update: int = 0
    errors: list[dict] = field(default_factory=list)
    error_count: int = 0
    summary: dict = field(default_factory=dict)
    plan: object = None  # the kind's own data for ``write`` (only when there is no error)
    bad_lines: set[int] = field(default_factory=set)

    def error(self, row: int | None, field_name: str, message) -> None:
        self.error_count += 1
        if row is not None:
            self.bad_lines.add(row)
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append({"row": row, "field": field_name, "message": str(message)})

    def sorted_errors(self) -> list[dict]:
        return sorted(self.errors, key=lambda e: (e["row"] is not None, e["row"] or 0, e["field"]))


class Cells(dict):
    """One row's cells by field, and the fields whose text ``core.textsafety`` refused."""

    __slots__ = ("refused",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.refused: dict[str, str] = {}


def report_refused_text(report: Report, line: int, cells: dict) -> None:
    """Each kind's ``validate`` calls this first for every row: text the forms and the API refuse
    (markup, SQL, invisible or bidi characters) is refused here too, on its line and column."""
    for field_name, message in getattr(cells, "refused", {}).items():
        report.error(line, field_name, message)


class Changed(Exception):
    """The database changed between the checks and the write: the commit fails, nothing is written."""


Progress = Callable[[float], None]


class Kind:
    key: str = ""
    label: str | Promise = ""
    columns: list[Column] = []
    description: str | Promise = ""
    # Capabilities besides the import one that whoever uploads or commits a file of this kind must hold
    # (what the rows record is otherwise written by those roles only); checked by imports.services/permissions.
    required_caps: frozenset = frozenset()

    # --- headings --------------------------------------------------------------------------------

    def heading_to_field(self) -> dict[str, str]:
        mapping = {}
        for column in self.columns:
            mapping[column.heading] = column.field
            mapping[column.field] = column.field
            mapping[column.field.lower()] = column.field
        return mapping

    def field_to_heading(self) -> dict[str, str]:
        return {c.field: c.heading for c in self.columns}

    def required(self) -> list[str]:
        return [c.field for c in self.columns if c.required]

    def fields(self) -> list[str]:
        return [c.field for c in self.columns]

    # --- reading ---------------------------------------------------------------------------------

    def check_file(self, file_name: str, content: bytes) -> None:
        """At upload: a readable table of this kind (headings present) with at least one row; else 400."""
        rows = self.rows(file_name, content)
        try:
            next(rows)
        except StopIteration:
            raise InvalidInput(_("The file has no rows below its headings."), field="file") from None
        finally:
            rows.close()

    def rows(self, file_name: str, content: bytes) -> Iterator[tuple[int, dict[str, str]]]:
        """``(line, {field: text})`` for every non-blank row below the headings."""
        table = uploads.iter_table(file_name, content, limits=limits())
        try:
            _line, raw = next(table)
        except StopIteration:
            raise InvalidInput(_("The file is empty."), field="file") from None
        headers = uploads.headers_to_fields(raw, self.heading_to_field(), self.required(), self.field_to_heading())
        wanted = [(i, h) for i, h in enumerate(headers) if h in set(self.fields())]
        names = {c.field for c in self.columns if c.is_name}
        cell_text = uploads.cell_text
        try:
            for line, raw_cells in table:
                width = len(raw_cells)
                cells = Cells((h, cell_text(raw_cells[i]) if i < width else "") for i, h in wanted)
                for field_name, text in cells.items():
                    if not text:
                        continue
                    value = text
                    if field_name in names:
                        value = cells[field_name] = textsafety.normalize_name(text)
                    problem = textsafety.text_problem(value)
                    if problem is not None:
                        cells.refused[field_name] = str(problem)
                yield line, cells
        finally:
            table.close()

    def count_rows(self, file_name: str, content: bytes) -> int:
        return sum(1 for _ in uploads.iter_table(file_name, content, limits=limits())) - 1

    # --- the two steps -----------------------------------------------------------------------------

    def validate(self, *, actor, rows, progress: Progress) -> Report:  # pragma: no cover - abstract
        raise NotImplementedError

    def write(self, *, actor, job, report: Report) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def dump_plan(self, report: Report) -> bytes | None:
        """The checked rows, kept with the job so the commit need not read the file again (``None``: re-read it)."""
        return None

    def recheck(self, *, actor, plan: bytes, progress: Progress) -> Report:  # pragma: no cover - abstract
        """The checks that depend on the database (and the uploader's area), run again on the kept rows."""
        raise NotImplementedError

    # --- the template ------------------------------------------------------------------------------

    def template(self) -> bytes:
        """An empty workbook with the Chinese headings, one example row and a sheet of notes."""
        from openpyxl import Workbook
        from openpyxl.styles import Font

        book = Workbook()
        sheet = book.active
        sheet.title = str(self.label)[:30] or "data"
        sheet.append([c.heading for c in self.columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.append([c.example for c in self.columns])
        for index, column in enumerate(self.columns, start=1):
            sheet.cell(row=2, column=index).number_format = "@"
            sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = max(
                12, 2 * len(column.heading) + 4
            )
        notes = book.create_sheet(_("Notes"))
        notes.append([_("Column"), _("Field"), _("Required"), _("What to write")])
        for column in self.columns:
            notes.append([column.heading, column.field, _("yes") if column.required else _("no"), str(column.help)])
        notes.append([])
        notes.append([_("Delete the example row before uploading. Only the first sheet is read.")])
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()


# --- set-based writing helpers ---------------------------------------------------------------------


def copy_rows(table: str, columns: list[str], rows) -> None:
    """COPY ``rows`` (tuples) into ``table`` (a temporary table of this transaction)."""
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(_copy_value(v) for v in row))
        buffer.write("\n")
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)


def _copy_value(value) -> str:
    if value is None:
        return "\\N"
    text = str(value)
    if any(c in text for c in "\\\t\n\r"):
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def execute(sql: str, params=None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def fetch(sql: str, params=None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def returning(sql: str, params=None) -> list[int]:
    """The ids a ``… RETURNING id`` statement returns."""
    return [row[0] for row in fetch(sql, params)]


# --- audit, set-based --------------------------------------------------------------------------------
#
# A bulk write records its history through the tables' own triggers, never beside them: the
# tables a bulk import writes (people, households, members) have statement-level history
# triggers (one ``INSERT … SELECT`` of events per statement, people/models.py), and nothing here
# turns a trigger off (``pgtrigger.ignore`` is not honoured for the application's role:
# core.auditchain).


def chunks(items: list, size: int = 50_000):
    for start in range(0, len(items), size):
        yield items[start : start + size]

"""Reading a department's extract: a CSV or XLSX table of ID numbers (and dates), checked row by row.

The file is checked whole before anything is parsed (size, archive structure, rows: ``core.uploads``);
then every row is checked and every bad row reported with its line number
(the header is line 1). Nothing here writes: ``services.extract_upload`` keeps the rows only
when no row is bad, with one COPY.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.cases import local_today
from core.errors import InvalidInput
from core.idnumbers import parse_id_number
from core.money import parse_money
from core.uploads import Limits, cell_text, iter_table
from datacheck.models import Effect

# A month's death register of a city is tens of thousands of rows; a province's other
# registers can reach a million. The archive checks (zip bomb, billion laughs) are core.uploads'.
LIMITS = Limits(max_bytes=settings.MAX_UPLOAD_SIZE, max_rows=1_000_000)
MAX_REPORTED_ERRORS = 1000  # the report names this many bad rows, and counts the rest

# Column → the headings accepted for it (English as in api.md, and the departments' Chinese ones).
HEADINGS = {
    "id_number": ("id_number", "公民身份号码", "身份证号码", "身份证号"),
    "event_date": ("event_date", "死亡日期", "日期", "发生日期", "登记日期"),
    "detail": ("detail", "说明", "详情", "备注"),
    # a risk extract's (low-income monitoring): what happened and, where the source says, what it cost
    "kind": ("kind", "类别", "事件类别", "风险类别", "事项"),
    "amount": ("amount", "金额", "费用", "医疗费用"),
}
DETAIL_MAX = 200
KIND_MAX = 40


@dataclass
class ParsedExtract:
    # (line, id_number, event_date, detail, kind, amount)
    rows: list[tuple[int, str, datetime.date | None, str, str, Decimal | None]] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    error_count: int = 0
    row_count: int = 0

    def error(self, line: int, column: str, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append({"row": line, "field": column, "message": str(message)})


def _text(value) -> str:
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return cell_text(value)


def _columns(header: list) -> dict[str, int]:
    names = [_text(h).lower() for h in header]
    found = {}
    for column, accepted in HEADINGS.items():
        for index, name in enumerate(names):
            if name in accepted:
                found[column] = index
                break
    return found


def _date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(_text(value))


class _RowCheck:
    """Checks one row at a time; a good row joins ``parsed.rows``, a bad one ``parsed.errors``."""

    def __init__(self, parsed: ParsedExtract, columns: dict[str, int], *, needs_date: bool, risk: bool = False):
        self.parsed, self.columns, self.needs_date, self.risk = parsed, columns, needs_date, risk
        self.today = local_today()
        self.seen: dict[str, int] = {}

    def _cell(self, values: list, column: str):
        index = self.columns.get(column)
        return values[index] if index is not None and index < len(values) else None

    def _id_number(self, line: int, values: list) -> str | None:
        try:
            number = parse_id_number(_text(self._cell(values, "id_number")), today=self.today).number
        except ValidationError as exc:
            self.parsed.error(line, "id_number", exc.messages[0])
            return None
        if number in self.seen:
            message = _("The same ID number is already on line %(line)d.") % {"line": self.seen[number]}
            self.parsed.error(line, "id_number", message)
            return None
        self.seen[number] = line
        return number

    def _event_date(self, line: int, values: list) -> tuple[bool, datetime.date | None]:
        raw = self._cell(values, "event_date")
        if not _text(raw):
            if self.needs_date:
                message = _("A risk record needs the date of the event.") if self.risk else None
                self.parsed.error(line, "event_date", message or _("A death record needs the date of death."))
                return False, None
            return True, None
        try:
            day = _date(raw)
        except ValueError:
            self.parsed.error(line, "event_date", _("Give a date as YYYY-MM-DD."))
            return False, None
        if day > self.today:
            self.parsed.error(line, "event_date", _("This date is in the future."))
            return False, None
        return True, day

    def _kind_and_amount(self, line: int, values: list) -> tuple[bool, str, Decimal | None]:
        """A risk record's kind (required) and amount (optional: a medical bill's, say)."""
        if not self.risk:
            return True, "", None
        kind = _text(self._cell(values, "kind"))
        if not kind:
            self.parsed.error(line, "kind", _("A risk record needs the kind of event."))
            return False, "", None
        if len(kind) > KIND_MAX:
            self.parsed.error(line, "kind", _("At most %(n)d characters.") % {"n": KIND_MAX})
            return False, "", None
        raw = self._cell(values, "amount")
        if not _text(raw):
            return True, kind, None
        try:
            amount = parse_money(_text(raw), field="amount")
        except InvalidInput as exc:
            self.parsed.error(line, "amount", str(exc.message))
            return False, "", None
        return True, kind, amount

    def row(self, line: int, values: list) -> None:
        number = self._id_number(line, values)
        date_ok, day = self._event_date(line, values)
        risk_ok, kind, amount = self._kind_and_amount(line, values)
        if number is not None and date_ok and risk_ok:
            detail = _text(self._cell(values, "detail"))[:DETAIL_MAX]
            self.parsed.rows.append((line, number, day, detail, kind, amount))


def _read_header(rows, *, effect: str) -> dict[str, int]:
    first = next(rows, None)
    if first is None:
        raise InvalidInput(_("The file is empty."), field="file")
    columns = _columns(first[1])
    if effect == Effect.RISK:
        required = ["id_number", "event_date", "kind"]
    elif effect == Effect.DEATH:
        required = ["id_number", "event_date"]
    else:
        required = ["id_number"]
    missing = [c for c in required if c not in columns]
    if missing:
        raise InvalidInput(
            _("This is not an extract of this source: the columns %(missing)s are missing (expected %(expected)s).")
            % {"missing": ", ".join(missing), "expected": ", ".join(required)},
            field="file",
        )
    return columns


def check_header(file_name: str, content: bytes, *, effect: str) -> None:
    """Refuse now (400) a file that is not a readable, safe table with this source's columns."""
    _read_header(iter_table(file_name, content, limits=LIMITS), effect=effect)


def parse_extract(file_name: str, content: bytes, *, effect: str) -> ParsedExtract:
    """Every row checked: a valid ID number, once per extract; a death record's date, not in the future;
    a risk record's date and kind, and its amount where given."""
    rows = iter_table(file_name, content, limits=LIMITS)
    columns = _read_header(rows, effect=effect)
    needs_date = effect in (Effect.DEATH, Effect.RISK)
    parsed = ParsedExtract()
    check = _RowCheck(parsed, columns, needs_date=needs_date, risk=effect == Effect.RISK)
    for line, values in rows:  # blank lines are skipped; ``line`` is the spreadsheet's own line number
        parsed.row_count += 1
        check.row(line, values)
    if parsed.row_count == 0:
        raise InvalidInput(_("The file has a heading but no rows."), field="file")
    return parsed

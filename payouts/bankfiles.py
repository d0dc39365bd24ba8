"""Bank files: the payment file we send (CSV or XLSX) and the return file the bank sends back.

Payment file, one row per line, then a control row::

    batch_ref, line_ref, payee_name, bank_name, bank_account, amount, scheme, period, community
    PR00000012, 345, 王芳, 演示银行, 6222…, 1230.00, dibao, 2020-04, 370202001001
    PR00000012, TOTAL, 250000 lines, , , 160000000.00, dibao, 2020-04,

Spreadsheet formula injection: every text cell that begins with ``= + - @``, a tab or a
carriage return is prefixed with an apostrophe, so no spreadsheet evaluates it. Full bank
accounts appear here and nowhere else (the export is logged by the service).

Return file (CSV or XLSX): a header row with at least ``batch_ref``, ``line_ref`` and
``result`` (``paid`` / ``failed``; 成功 / 失败 accepted), optionally ``amount`` and
``reason``; the Chinese headings 批次号, 明细号, 金额, 结果, 失败原因 are accepted too. Reading
refuses what is not a readable table of that shape (``UnreadableFile``); checking each
row against the run is the selectors' job.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import tempfile
import zipfile
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import connection
from django.utils.translation import gettext as _

from core import uploads
from core.money import money_str

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
HEADER = ["batch_ref", "line_ref", "payee_name", "bank_name", "bank_account", "amount", "scheme", "period", "community"]
TOTAL_REF = "TOTAL"
DANGEROUS_FIRST = uploads.FORMULA_START
XLSX_ROWS_PER_SHEET = 1_000_000
MAX_RETURN_BYTES = 100 * 1024 * 1024
MAX_UNCOMPRESSED = 400 * 1024 * 1024
MAX_RETURN_ROWS = 5_000_000


def neutralise(value) -> str:
    """A text cell no spreadsheet will evaluate as a formula (the one rule: ``core.uploads.neutralise``)."""
    return uploads.neutralise("" if value is None else str(value))


@dataclass
class WrittenFile:
    path: str
    sha256: str
    line_count: int
    total: Decimal

    def discard(self) -> None:
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass


def id_range(run) -> tuple[int, int]:
    if run.first_line_id is None or run.last_line_id is None:
        return 0, 2**63 - 1
    return run.first_line_id, run.last_line_id


def _payment_rows(run):
    """The run's lines with payee names and accounts, streamed from a server-side cursor in id order."""
    with connection.chunked_cursor() as cur:
        cur.execute(
            """
            SELECT l.id, p.name, COALESCE(h.bank_name, ''), COALESCE(h.bank_account, ''), l.amount, l.division_id
              FROM payouts_payoutline l
              JOIN people_person p ON p.id = l.beneficiary_id
              LEFT JOIN people_household h ON h.id = l.household_id
             WHERE l.run_id = %s AND l.id BETWEEN %s AND %s
             ORDER BY l.id
            """,
            [run.pk, *id_range(run)],
        )
        while True:
            batch = cur.fetchmany(5000)
            if not batch:
                return
            yield from batch


def write_payment_file(run, file_format: str) -> WrittenFile:
    period = f"{run.period:%Y-%m}"
    batch = run.reference
    count, total = 0, Decimal(0)

    def rows():
        nonlocal count, total
        for line_id, name, bank, account, amount, community in _payment_rows(run):
            count += 1
            total += amount
            yield [
                batch,
                str(line_id),
                neutralise(name),
                neutralise(bank),
                neutralise(account),
                amount,
                run.scheme,
                period,
                community,
            ]

    def trailer():
        return [batch, TOTAL_REF, _("%(n)d lines") % {"n": count}, "", "", total, run.scheme, period, ""]

    fd, path = tempfile.mkstemp(prefix=f"{batch}-", suffix=f".{file_format}")
    os.close(fd)
    try:
        if file_format == "xlsx":
            _write_xlsx(path, rows, trailer)
        else:
            _write_csv(path, rows, trailer)
    except BaseException:
        os.unlink(path)
        raise
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return WrittenFile(path=path, sha256=digest.hexdigest(), line_count=count, total=total)


def _write_csv(path: str, rows, trailer) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        for row in rows():
            row[5] = money_str(row[5])
            writer.writerow(row)
        last = trailer()
        last[5] = money_str(last[5])
        writer.writerow(last)


def _write_xlsx(path: str, rows, trailer) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet, in_sheet, number = None, 0, 0

    def new_sheet():
        nonlocal sheet, in_sheet, number
        number += 1
        sheet = book.create_sheet(title="payments" if number == 1 else f"payments {number}")
        sheet.append(HEADER)
        in_sheet = 0

    def amount_cell(value: Decimal):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "0.00"
        return cell

    new_sheet()
    for row in rows():
        if in_sheet >= XLSX_ROWS_PER_SHEET:
            new_sheet()
        row[5] = amount_cell(row[5])
        sheet.append(row)
        in_sheet += 1
    last = trailer()
    last[5] = amount_cell(last[5])
    sheet.append(last)
    book.save(path)


# --- Return files ------------------------------------------------------------------------------------


class UnreadableFile(Exception):
    """Not a readable return file (format, size, missing columns): refused as a whole."""


HEADINGS = {
    "batch_ref": {"batch_ref", "batch", "批次号", "批次"},
    "line_ref": {"line_ref", "line", "line_id", "明细号", "流水号", "明细编号"},
    "amount": {"amount", "金额"},
    "result": {"result", "status", "结果", "状态", "处理结果"},
    "reason": {"reason", "failure_reason", "失败原因", "原因", "备注"},
}
REQUIRED = ("batch_ref", "line_ref", "result")
RESULTS = {
    "paid": "paid",
    "success": "paid",
    "succeeded": "paid",
    "ok": "paid",
    "成功": "paid",
    "已支付": "paid",
    "failed": "failed",
    "fail": "failed",
    "failure": "failed",
    "returned": "failed",
    "失败": "failed",
    "退回": "failed",
}


@dataclass(frozen=True)
class ReturnRow:
    row: int  # the row number in the file (the header is row 1)
    batch: str
    line_raw: str
    line_id: int | None
    amount_raw: str
    amount: Decimal | None
    result_raw: str
    result: str | None
    reason: str


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text[1:] if text.startswith("'") else text


def _rows_from_csv(content: bytes):
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise UnreadableFile(_("The file is neither UTF-8 nor GB18030 text."))
    if "\x00" in text:
        raise UnreadableFile(_("The file is not a text table (CSV) or an XLSX workbook."))
    try:
        yield from csv.reader(io.StringIO(text, newline=""))
    except csv.Error as exc:
        raise UnreadableFile(_("The CSV file cannot be read: %(error)s") % {"error": exc}) from None


def _rows_from_xlsx(content: bytes):
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise UnreadableFile(_("The XLSX file is damaged.")) from None
    if unpacked > MAX_UNCOMPRESSED:
        raise UnreadableFile(
            _("The XLSX file unpacks to more than %(mb)d MB: refused.") % {"mb": MAX_UNCOMPRESSED >> 20}
        )
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a bad workbook
        raise UnreadableFile(_("The XLSX file cannot be read: %(error)s") % {"error": exc.__class__.__name__}) from None
    try:
        sheet = book.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield [_cell(v) for v in row]
    finally:
        book.close()


def _columns(header: list[str]) -> dict[str, int]:
    """Which column holds what, from the header row (English or Chinese headings); refuses a missing one."""
    names = [c.strip().lower() for c in header]
    columns = {}
    for key, accepted in HEADINGS.items():
        index = next((i for i, name in enumerate(names) if name in accepted), None)
        if index is not None:
            columns[key] = index
    missing = [key for key in REQUIRED if key not in columns]
    if missing:
        raise UnreadableFile(_("The header row lacks the column(s) %(columns)s.") % {"columns": ", ".join(missing)})
    return columns


def _amount(text: str) -> Decimal | None:
    try:
        amount = Decimal(text) if text else None
    except InvalidOperation:
        return None
    return amount if amount is None or amount.is_finite() else None


def _return_row(number: int, cells: list[str], columns: dict[str, int]) -> ReturnRow | None:
    def get(key: str) -> str:
        index = columns.get(key)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    line_raw = get("line_ref")
    if line_raw.upper() == TOTAL_REF:
        return None  # the control row of our own file, sent back
    amount_raw = get("amount").replace(",", "")
    result_raw = get("result")
    return ReturnRow(
        row=number,
        batch=get("batch_ref"),
        line_raw=line_raw,
        line_id=int(line_raw) if line_raw.isdigit() and len(line_raw) < 19 else None,
        amount_raw=amount_raw,
        amount=_amount(amount_raw),
        result_raw=result_raw,
        result=RESULTS.get(result_raw.strip().lower()),
        reason=get("reason")[:200],
    )


def read_return_file(filename: str, content: bytes) -> list[ReturnRow]:
    if not content:
        raise UnreadableFile(_("The file is empty."))
    if len(content) > MAX_RETURN_BYTES:
        raise UnreadableFile(_("The file is larger than %(mb)d MB.") % {"mb": MAX_RETURN_BYTES >> 20})
    is_xlsx = content[:4] == b"PK\x03\x04"
    if (filename or "").lower().endswith(".xlsx") and not is_xlsx:
        raise UnreadableFile(_("The file is named .xlsx but is not an XLSX workbook."))
    source = _rows_from_xlsx(content) if is_xlsx else _rows_from_csv(content)
    columns: dict[str, int] | None = None
    out: list[ReturnRow] = []
    for number, raw in enumerate(source, start=1):
        cells = [_cell(c) for c in raw]
        if not any(cells):
            continue
        if columns is None:
            columns = _columns(cells)
            continue
        row = _return_row(number, cells, columns)
        if row is None:
            continue
        if len(out) >= MAX_RETURN_ROWS:
            raise UnreadableFile(_("The file has more than %(n)d rows.") % {"n": MAX_RETURN_ROWS})
        out.append(row)
    if columns is None:
        raise UnreadableFile(_("The file has no header row."))
    return out

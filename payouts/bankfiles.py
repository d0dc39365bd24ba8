"""Bank files: the payment file we send (CSV or XLSX) and the return file the bank sends back.

Payment file, one row per line, then a control row, headed in Chinese (the banks' batch-payment
files, 代发文件, are; the return reader below accepts these headings back)::

    批次号, 明细号, 收款人姓名, 开户银行, 银行账号, 金额, 发放项目, 发放月份, 所属社区
    PR00000012, 345, 王芳, 演示银行, 6222…, 1230.00, 最低生活保障, 2020-04, 八大峡社区
    PR00000012, 合计, 250000 笔, , , 160000000.00, 最低生活保障, 2020-04,

The payee's ID number is **omitted**: the bank pays an account held in the payee's name and
matches by account number and name (户名 + 账号), so its batch format does not ask for the
ID number, and a number the bank does not need does not leave the portal (a masked one would
be of no use to it either). The batch and line references are the keys the return quotes.

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
import os
import tempfile
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import connection
from django.utils import translation
from django.utils.translation import gettext as _

from core import uploads
from core.errors import InvalidInput
from core.money import money_str

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
HEADER = ["批次号", "明细号", "收款人姓名", "开户银行", "银行账号", "金额", "发放项目", "发放月份", "所属社区"]
TOTAL_REF = "合计"
TOTAL_REFS = {TOTAL_REF, "TOTAL"}  # the control row of our own file (and of files written before 2026-12), sent back
DANGEROUS_FIRST = uploads.FORMULA_START
XLSX_ROWS_PER_SHEET = 1_000_000
# A city's return file is a few hundred thousand rows; a province's a few million.
RETURN_LIMITS = uploads.Limits(max_bytes=100 * uploads.MB, max_rows=5_000_000, max_uncompressed=400 * uploads.MB)


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
    """The run's lines with payee names and accounts, streamed from a server-side cursor in id order.

    A person's line is paid to their household's account; an institution's (a scheme with
    ``payees``: an operating subsidy) to the account the scheme names for the line's case.
    """
    from payouts.schemes import SCHEMES

    payees = getattr(SCHEMES.get(run.scheme), "payees", None)
    with connection.chunked_cursor() as cur:
        cur.execute(
            """
            SELECT l.id, p.name, COALESCE(h.bank_name, ''), COALESCE(h.bank_account, ''), l.amount,
                   COALESCE(d.name, l.division_id), l.source_id
              FROM payouts_payoutline l
              LEFT JOIN people_person p ON p.id = l.beneficiary_id
              LEFT JOIN people_household h ON h.id = l.household_id
              LEFT JOIN core_division d ON d.code = l.division_id
             WHERE l.run_id = %s AND l.id BETWEEN %s AND %s
             ORDER BY l.id
            """,
            [run.pk, *id_range(run)],
        )
        while True:
            batch = cur.fetchmany(5000)
            if not batch:
                return
            named = payees({row[6] for row in batch}) if payees is not None else {}
            for line_id, name, bank, account, amount, community, source_id in batch:
                payee = named.get(source_id, (name or "", bank, account))
                yield line_id, *payee, amount, community


def write_payment_file(run, file_format: str) -> WrittenFile:
    """The payment file in Chinese whatever the exporting user's language: it is the bank's."""
    with translation.override("zh-hans"):
        return _write_payment_file(run, file_format, scheme=str(run.get_scheme_display()))


def _write_payment_file(run, file_format: str, *, scheme: str) -> WrittenFile:
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
                scheme,
                period,
                neutralise(community),
            ]

    def trailer():
        return [batch, TOTAL_REF, _("%(n)d payments") % {"n": count}, "", "", total, scheme, period, ""]

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
        sheet = book.create_sheet(title="代发明细" if number == 1 else f"代发明细{number}")
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
    if line_raw.upper() in TOTAL_REFS:
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


def _table_name(filename: str, content: bytes) -> str:
    """The name the shared reader goes by: a workbook is read as one whatever the bank named it."""
    name = filename or "returns"
    if content[:4] == b"PK\x03\x04" and not name.lower().endswith(".xlsx"):
        return name + ".xlsx"
    if not name.lower().endswith((".xlsx", ".csv")):
        return name + ".csv"
    return name


def read_return_file(filename: str, content: bytes) -> list[ReturnRow]:
    """The return file's rows, read by the one safe reader of uploads (``core.uploads``: size, archive
    structure before parsing, no XML entities, UTF-8/GB18030 CSV, row count), with the bank's limits."""
    columns: dict[str, int] | None = None
    out: list[ReturnRow] = []
    try:
        for number, raw in uploads.iter_table(_table_name(filename, content), content, limits=RETURN_LIMITS):
            cells = [_cell(c) for c in raw]
            if columns is None:
                columns = _columns(cells)
                continue
            row = _return_row(number, cells, columns)
            if row is not None:
                out.append(row)
    except InvalidInput as exc:
        raise UnreadableFile(str(exc.message)) from None
    if columns is None:
        raise UnreadableFile(_("The file has no header row."))
    return out

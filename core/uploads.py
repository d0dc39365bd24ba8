"""Uploaded spreadsheets and scans, read safely; spreadsheet cells written safely.

Every upload that is read as a table (social organizations, bulk imports, data-source extracts)
goes through here, in this order, each step refusing with a clear message (``InvalidInput`` on
the ``file`` field, so a 400 on the API and a form error on a page):

1. size: the upload's declared size, then the bytes' length, against ``max_bytes``;
2. kind: ``.xlsx`` or ``.csv`` by name (an ``.xlsx`` must also be a zip archive);
3. archive structure, for an XLSX, BEFORE any XML is parsed: number of entries, total
   uncompressed size and the compression ratio of every entry and of the whole (a zip bomb
   is refused from its directory alone, without unpacking a byte; ``zipfile`` never inflates
   past an entry's declared size, so the directory cannot lie its way past this check);
4. XML: the sheet is streamed by ``core.xlsxstream`` (expat, refusing any DTD, entity or
   external reference, as defusedxml does; four times openpyxl's speed for a 250,000-row
   import), and anything openpyxl parses goes through ``defusedxml`` (installed, and
   ``_require_defusedxml`` checks so at import time): no entity expansion (billion laughs),
   no external entities;
5. text: a CSV is UTF-8 (with or without BOM) or GB18030; NUL bytes mean it is not text;
6. rows: at most ``max_rows`` non-blank rows below the headings, counted while streaming, so
   a sheet of a million rows is refused after ``max_rows + 1`` of them, not after reading all.

Scans (``read_scan``: the evidence attached to a case) are recognised by their content, never
their name: PDF, JPEG or PNG. Refused, each with its own message and before anything is stored:
a program (Windows, Linux, macOS executables, scripts), an archive (zip, rar, 7z, gzip…), a web
page or vector drawing (HTML, SVG, XML: they can carry scripts), a PDF that carries JavaScript,
launch actions or embedded files, an image whose header promises more than ``max_pixels``
pixels (an image bomb: refused from its header, before a byte of it is decoded), and an image
that Pillow cannot decode.

Export: ``neutralise`` makes a text cell that begins with ``= + - @``, a tab or a carriage
return inert by prefixing an apostrophe (OWASP "CSV injection"); ``cell_text`` undoes our own
prefix when such a file comes back.
"""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import PurePath

import tablib
from django.utils.translation import gettext as _

from core.errors import InvalidInput

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
LINE = "__line__"  # the spreadsheet line a row came from (headings are line 1; blank lines are dropped)
MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 10 * MB
    max_rows: int = 20_000
    max_entries: int = 200  # a workbook with one sheet has about a dozen
    max_uncompressed: int = 200 * MB
    max_ratio: int = 200  # per entry and overall; real sheets compress 5-30 times

    def but(self, **changes) -> Limits:
        return replace(self, **changes)


DEFAULT_LIMITS = Limits()


def _require_defusedxml() -> None:
    from openpyxl import xml as openpyxl_xml

    if not openpyxl_xml.DEFUSEDXML:  # pragma: no cover - a broken install, not an input
        raise RuntimeError("defusedxml must be installed: openpyxl would parse uploads with entity expansion")


_require_defusedxml()


# --- cells --------------------------------------------------------------------------------------


def neutralise(value):
    """A text cell that a spreadsheet would run as a formula, made inert; other values unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


neutralize = neutralise


def cell_text(value) -> str:
    """A cell as stripped text: whole floats lose their ``.0``; our own formula neutralisation is undone."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime) and value.time() == datetime.time(0):
        value = value.date()
    text = str(value).strip()
    if text.startswith("'") and text[1:].startswith(FORMULA_START):
        text = text[1:]
    return text


# --- refusals -----------------------------------------------------------------------------------


def _refuse(message: str):
    raise InvalidInput(message, field="file")


def _too_large(limits: Limits):
    _refuse(
        _("The file is larger than %(mb)d MB; split it and upload the parts.") % {"mb": max(1, limits.max_bytes // MB)}
    )


def read_upload(upload, *, limits: Limits = DEFAULT_LIMITS) -> bytes:
    """An uploaded file's bytes, refused before reading when it is too large or empty."""
    if upload is None:
        _refuse(_("Choose a file to upload."))
    if upload.size is not None and upload.size > limits.max_bytes:
        _too_large(limits)
    content = upload.read(limits.max_bytes + 1)
    if len(content) > limits.max_bytes:
        _too_large(limits)
    if not content:
        _refuse(_("The file is empty."))
    return content


def check_xlsx_archive(content: bytes, *, limits: Limits = DEFAULT_LIMITS) -> None:
    """Refuse an XLSX whose zip directory promises too many entries, too many bytes or a bomb's ratio."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        _refuse(_("This is not a readable .xlsx file."))
    if len(entries) > limits.max_entries:
        _refuse(_("The workbook has too many parts (%(n)d); it is refused.") % {"n": len(entries)})
    total = compressed = 0
    for info in entries:
        total += info.file_size
        compressed += info.compress_size
        if info.file_size > 1 * MB and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            _refuse(_("The file is compressed suspiciously far (a zip bomb?); it is refused."))
        if total > limits.max_uncompressed:
            _refuse(
                _("The file unpacks to more than %(mb)d MB; it is refused.") % {"mb": limits.max_uncompressed // MB}
            )
    if total > 1 * MB and total > limits.max_ratio * max(compressed, 1):
        _refuse(_("The file is compressed suspiciously far (a zip bomb?); it is refused."))
    names = {info.filename for info in entries}
    if "[Content_Types].xml" not in names:
        _refuse(_("This is not a readable .xlsx file."))


def decode_csv(content: bytes) -> str:
    """CSV bytes as text: UTF-8 (with or without BOM), else GB18030; refuses binary."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        _refuse(_("The CSV file is neither UTF-8 nor GB18030 text."))
    if "\x00" in text:
        _refuse(_("The file is not a text table (CSV) or an .xlsx workbook."))
    return text


def file_kind(file_name: str) -> str:
    suffix = PurePath(file_name or "").suffix.lower()
    if suffix not in {".xlsx", ".csv"}:
        _refuse(_("Upload an .xlsx (or .csv) file."))
    return suffix[1:]


# --- rows ---------------------------------------------------------------------------------------


def _xlsx_rows(content: bytes, limits: Limits) -> Iterator[tuple[int, list]]:
    """``(line, values)`` of the first sheet: the archive checked first, then streamed by ``xlsxstream``."""
    check_xlsx_archive(content, limits=limits)
    from core import xlsxstream

    try:
        yield from xlsxstream.iter_rows(content)
    except InvalidInput:
        raise
    except xlsxstream.Refused:
        _refuse(_("The workbook holds XML declarations (DTD or entities) that are refused."))
    except Exception:  # noqa: BLE001 - whatever a damaged or hostile workbook raises, the answer is the same
        _refuse(_("This file could not be read as a table (damaged, or not a plain workbook)."))


def _csv_rows(content: bytes) -> Iterator[tuple[int, list]]:
    text = decode_csv(content)
    try:
        yield from enumerate(csv.reader(io.StringIO(text, newline="")), start=1)
    except csv.Error:
        _refuse(_("The CSV file could not be read (unbalanced quotes?)."))


def iter_table(file_name: str, content: bytes, *, limits: Limits = DEFAULT_LIMITS) -> Iterator[tuple[int, list]]:
    """``(line, cells)`` for the first sheet (or the CSV), headings first as line 1, blank rows skipped.

    Refuses (``InvalidInput``) an empty, oversized, unreadable or hostile file and a table with
    more than ``limits.max_rows`` rows below the headings, counting as it streams.
    """
    if not content:
        _refuse(_("The file is empty."))
    if len(content) > limits.max_bytes:
        _too_large(limits)
    kind = file_kind(file_name)
    rows = _xlsx_rows(content, limits) if kind == "xlsx" else _csv_rows(content)
    count = 0
    for line, cells in rows:
        if not any(c is not None and c != "" and not (isinstance(c, str) and not c.strip()) for c in cells):
            continue
        if count > limits.max_rows:
            _refuse(_("At most %(n)d rows in one file; split it and upload the parts.") % {"n": limits.max_rows})
        count += 1
        yield line, list(cells)


def read_dataset(
    file_name: str,
    content: bytes,
    *,
    heading_to_field: dict[str, str],
    required: list[str],
    field_to_heading: dict[str, str] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> tablib.Dataset:
    """The table as a ``tablib.Dataset`` with field names as headers and a ``LINE`` column.

    Headings are mapped through ``heading_to_field`` (Chinese or English); a missing required
    column, or no rows below the headings, is refused.
    """
    rows = iter_table(file_name, content, limits=limits)
    try:
        _line, raw_headers = next(rows)
    except StopIteration:
        _refuse(_("The file is empty."))
    headers = headers_to_fields(raw_headers, heading_to_field, required, field_to_heading)
    width = len(headers)
    dataset = tablib.Dataset(headers=[*headers, LINE])
    for line, cells in rows:
        dataset.append([*(cells + [None] * width)[:width], line])
    if not len(dataset):
        _refuse(_("The file has no rows below its headings."))
    return dataset


def headers_to_fields(
    raw_headers: list,
    heading_to_field: dict[str, str],
    required: list[str],
    field_to_heading: dict[str, str] | None = None,
) -> list[str]:
    """Field names for a heading row; refuses a missing required column (naming it as the template does)."""
    headers = []
    for index, heading in enumerate(raw_headers):
        text = cell_text(heading)
        headers.append(heading_to_field.get(text, heading_to_field.get(text.lower(), text or f"_blank{index}")))
    missing = [(field_to_heading or {}).get(f, f) for f in required if f not in headers]
    if missing:
        _refuse(
            _("Columns missing: %(columns)s. Start from the template.") % {"columns": "、".join(missing)},
        )
    duplicates = sorted({h for h in headers if headers.count(h) > 1 and not h.startswith("_blank")})
    if duplicates:
        _refuse(
            _("Columns appear twice: %(columns)s.")
            % {"columns": "、".join((field_to_heading or {}).get(f, f) for f in duplicates)}
        )
    return headers


# --- scans (PDF, JPEG, PNG) ---------------------------------------------------------------------

SCAN_MAX_PIXELS = 60_000_000  # a 600 dpi A3 scan is about 70 MP in colour; phone photos 12-50 MP


@dataclass(frozen=True)
class Scan:
    content: bytes
    media_type: str  # application/pdf | image/jpeg | image/png
    extension: str  # pdf | jpg | png
    width: int | None = None  # images only
    height: int | None = None


_SCAN_TYPES = {"pdf": ("application/pdf", "pdf"), "jpeg": ("image/jpeg", "jpg"), "png": ("image/png", "png")}
_EXECUTABLE_MAGIC = (b"MZ", b"\x7fELF", b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe")
_EXECUTABLE_MAGIC += (b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe", b"#!", b"\x00asm", b"dex\n")
_ARCHIVE_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08", b"Rar!\x1a\x07", b"7z\xbc\xaf\x27\x1c", b"\x1f\x8b")
_ARCHIVE_MAGIC += (b"BZh", b"\xfd7zXZ\x00", b"\x28\xb5\x2f\xfd", b"MSCF", b"\xd0\xcf\x11\xe0")
_PDF_ACTIVE = (b"/JavaScript", b"/JS", b"/Launch", b"/EmbeddedFile", b"/RichMedia", b"/XFA")


def scan_kind(content: bytes) -> str:
    """``pdf``, ``jpeg`` or ``png`` from the first bytes; anything else refused, saying what it looks like."""
    head = content[:1024]
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(_EXECUTABLE_MAGIC):
        _refuse(_("This file is a program, not a scan; it is refused."))
    if head.startswith(_ARCHIVE_MAGIC):
        _refuse(_("This file is an archive or an office document; upload each scan as PDF, JPEG or PNG."))
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"<") or b"<svg" in text or b"<html" in text or b"<script" in text:
        _refuse(_("Web pages and vector drawings (HTML, SVG) are refused; upload a PDF, JPEG or PNG scan."))
    _refuse(_("Only PDF, JPEG and PNG scans are accepted; this file is none of them."))


def _check_pdf(content: bytes) -> None:
    if b"%%EOF" not in content[-2048:]:
        _refuse(_("This PDF is damaged or incomplete; scan it again."))
    for marker in _PDF_ACTIVE:
        # A name token ends at a delimiter; "/JS" must not match "/JSomething".
        index = content.find(marker)
        while index != -1:
            end = index + len(marker)
            if end >= len(content) or content[end : end + 1] in b" \t\r\n/<>[]()%":
                _refuse(_("This PDF carries scripts, actions or embedded files; print it to a plain PDF first."))
            index = content.find(marker, end)


def _check_image(content: bytes, kind: str, max_pixels: int) -> tuple[int, int]:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(content)) as image:  # reads the header only
            width, height = image.size
            if image.format != kind.upper():
                _refuse(_("This image is damaged or not what it claims to be."))
            if width * height > max_pixels:
                _too_many_pixels(max_pixels)
            image.verify()
        with Image.open(io.BytesIO(content)) as image:
            image.load()  # the whole picture decodes (verify() does not decode JPEG)
    except InvalidInput:
        raise
    except Image.DecompressionBombError:  # Pillow's own guard, from the header, before decoding
        _too_many_pixels(max_pixels)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        _refuse(_("This image is damaged or not what it claims to be."))
    return width, height


def _too_many_pixels(max_pixels: int):
    _refuse(
        _("The image has more than %(mp)d million pixels (an image bomb?); it is refused.")
        % {"mp": max_pixels // 1_000_000}
    )


def read_scan(upload, *, limits: Limits = DEFAULT_LIMITS, max_pixels: int = SCAN_MAX_PIXELS) -> Scan:
    """An uploaded scan (PDF, JPEG or PNG by content), or ``InvalidInput`` on ``file`` saying why not."""
    content = read_upload(upload, limits=limits)
    kind = scan_kind(content)
    media_type, extension = _SCAN_TYPES[kind]
    if kind == "pdf":
        _check_pdf(content)
        return Scan(content, media_type, extension)
    width, height = _check_image(content, kind, max_pixels)
    return Scan(content, media_type, extension, width, height)


def thumbnail(scan: Scan, *, size: int = 240) -> bytes | None:
    """A small JPEG of an image scan (``None`` for a PDF), for the case page's list."""
    if scan.width is None:
        return None
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(scan.content)) as original:
        small = ImageOps.exif_transpose(original)
        small.thumbnail((size, size))
        if small.mode not in ("RGB", "L"):
            small = small.convert("RGB")
        out = io.BytesIO()
        small.save(out, "JPEG", quality=80)
        return out.getvalue()

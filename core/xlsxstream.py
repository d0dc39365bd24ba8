"""A fast, defused, streaming reader of the first worksheet of an .xlsx file (values only).

openpyxl's read-only mode parses about 8,000 rows of seven cells a second here; an import of
250,000 people needs more. This reads the same XML with expat callbacks and nothing else:
shared strings, inline strings, numbers (whole numbers as ``int``), booleans, and numbers
formatted as dates turned into ``datetime`` (as openpyxl would). Formulas give their cached
value. Missing cells come back as ``None``; each row comes with its spreadsheet line number.

Hostile XML is refused as defusedxml refuses it: a document type declaration (the start of
every entity-expansion or external-entity attack; no part of a workbook has one) raises
``Refused`` before any entity is declared, and external entity references are never fetched.
Call it only after ``core.uploads.check_xlsx_archive`` has checked the zip structure.
"""

from __future__ import annotations

import datetime
import io
import posixpath
import re
import zipfile
from collections.abc import Iterator
from xml.parsers import expat

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
SEP = "}"
CHUNK = 1 << 16
EPOCH = datetime.datetime(1899, 12, 30)  # noqa: DTZ001 - a spreadsheet date is a wall-clock date, as openpyxl gives it
BUILTIN_DATE_FORMATS = frozenset({14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 30, 36, 45, 46, 47, 50, 57})
_DATE_CODE = re.compile(r"(?<!\\)[dmyhs]", re.IGNORECASE)
_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]')
_COLUMN = re.compile(r"[A-Z]+")


class Refused(ValueError):
    """The XML declares a DTD or entities: refused, as defusedxml would."""


def _parser(start=None, end=None, text=None) -> expat.XMLParserType:
    parser = expat.ParserCreate(namespace_separator=SEP)
    parser.buffer_text = True
    parser.buffer_size = CHUNK

    def refuse(*_args):
        raise Refused("DTD")

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    if start:
        parser.StartElementHandler = start
    if end:
        parser.EndElementHandler = end
    if text:
        parser.CharacterDataHandler = text
    return parser


def _parse_whole(archive: zipfile.ZipFile, name: str, start=None, end=None, text=None) -> None:
    parser = _parser(start, end, text)
    with archive.open(name) as handle:
        while chunk := handle.read(CHUNK):
            parser.Parse(chunk, False)
    parser.Parse(b"", True)


def _first_sheet(archive: zipfile.ZipFile) -> str:
    rel_id = []

    def workbook_start(tag, attrs):
        if tag == f"{MAIN}{SEP}sheet" and not rel_id:
            rel_id.append(attrs.get(f"{REL}{SEP}id"))

    _parse_whole(archive, "xl/workbook.xml", start=workbook_start)
    targets = {}

    def rels_start(tag, attrs):
        if tag == f"{PKG_REL}{SEP}Relationship":
            targets[attrs.get("Id")] = attrs.get("Target", "")

    names = set(archive.namelist())
    if "xl/_rels/workbook.xml.rels" in names and rel_id:
        _parse_whole(archive, "xl/_rels/workbook.xml.rels", start=rels_start)
        target = targets.get(rel_id[0], "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        if path in names:
            return path
    if "xl/worksheets/sheet1.xml" in names:
        return "xl/worksheets/sheet1.xml"
    raise ValueError("no worksheet")


def _shared_strings(archive: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in archive.namelist():
        return []
    strings: list[str] = []
    parts: list[str] = []
    state = {"in_t": False, "skip": 0}
    t_tag, si_tag, rph_tag = f"{MAIN}{SEP}t", f"{MAIN}{SEP}si", f"{MAIN}{SEP}rPh"

    def start(tag, _attrs):
        if tag == t_tag and not state["skip"]:
            state["in_t"] = True
        elif tag == rph_tag:
            state["skip"] += 1

    def end(tag):
        if tag == t_tag:
            state["in_t"] = False
        elif tag == rph_tag:
            state["skip"] -= 1
        elif tag == si_tag:
            strings.append("".join(parts))
            parts.clear()

    def text(data):
        if state["in_t"]:
            parts.append(data)

    _parse_whole(archive, "xl/sharedStrings.xml", start, end, text)
    return strings


def _date_styles(archive: zipfile.ZipFile) -> set[int]:
    """Indexes of the cell styles whose number format shows a date."""
    if "xl/styles.xml" not in archive.namelist():
        return set()
    custom: dict[int, str] = {}
    formats: list[int] = []
    state = {"xfs": False}

    def start(tag, attrs):
        if tag == f"{MAIN}{SEP}numFmt":
            custom[int(attrs.get("numFmtId", "0"))] = attrs.get("formatCode", "")
        elif tag == f"{MAIN}{SEP}cellXfs":
            state["xfs"] = True
        elif tag == f"{MAIN}{SEP}xf" and state["xfs"]:
            formats.append(int(attrs.get("numFmtId", "0")))

    def end(tag):
        if tag == f"{MAIN}{SEP}cellXfs":
            state["xfs"] = False

    _parse_whole(archive, "xl/styles.xml", start, end)

    def is_date(fmt: int) -> bool:
        if fmt in custom:
            return bool(_DATE_CODE.search(_QUOTED.sub("", custom[fmt])))
        return fmt in BUILTIN_DATE_FORMATS

    return {i for i, fmt in enumerate(formats) if is_date(fmt)}


def _column(ref: str) -> int:
    letters = _COLUMN.match(ref)
    if not letters:
        return -1
    n = 0
    for ch in letters.group(0):
        n = n * 26 + ord(ch) - 64
    return n - 1


def _number(text: str):
    try:
        value = float(text)
    except ValueError:
        return text
    return int(value) if value.is_integer() and abs(value) < 1e15 else value


def _value(kind: str, raw: str, style: int, strings: list[str], dates: set[int]):
    if kind == "s":
        return strings[int(raw)] if raw else None
    if kind in ("inlineStr", "str", "d"):
        return raw
    if kind == "b":
        return raw == "1"
    if kind == "e" or raw == "":
        return None
    value = _number(raw)
    if style in dates and isinstance(value, int | float):
        return EPOCH + datetime.timedelta(days=value)
    return value


class _Sheet:
    """expat callbacks collecting one worksheet's rows."""

    def __init__(self, strings: list[str], dates: set[int]):
        self.strings, self.dates = strings, dates
        self.rows: list[tuple[int, list]] = []
        self.cells: list = []
        self.parts: list[str] = []
        self.line, self.col, self.next_col, self.style = 0, -1, 0, 0
        self.kind, self.in_value = "", False
        self.row_tag, self.c_tag, self.v_tag, self.t_tag = (f"{MAIN}{SEP}{n}" for n in ("row", "c", "v", "t"))

    def start(self, tag, attrs):
        if tag == self.c_tag:
            ref = attrs.get("r")
            self.col = _column(ref) if ref else self.next_col
            self.kind = attrs.get("t", "n")
            self.style = int(attrs.get("s", "0") or 0)
            self.parts.clear()
        elif tag == self.v_tag or (tag == self.t_tag and self.kind == "inlineStr"):
            self.in_value = True
        elif tag == self.row_tag:
            r = attrs.get("r")
            self.line = int(r) if r else self.line + 1
            self.next_col = 0
            self.cells.clear()

    def end(self, tag):
        if tag == self.c_tag:
            value = _value(self.kind, "".join(self.parts), self.style, self.strings, self.dates)
            col = self.col
            if col >= 0:
                if col >= len(self.cells):
                    self.cells.extend([None] * (col + 1 - len(self.cells)))
                self.cells[col] = value
            self.next_col = col + 1
        elif tag in (self.v_tag, self.t_tag):
            self.in_value = False
        elif tag == self.row_tag and self.cells:
            self.rows.append((self.line, list(self.cells)))

    def text(self, data):
        if self.in_value:
            self.parts.append(data)


def iter_rows(content: bytes) -> Iterator[tuple[int, list]]:
    """``(line, [values…])`` for every row of the first sheet that has a cell."""
    archive = zipfile.ZipFile(io.BytesIO(content))
    _parse_whole(archive, "[Content_Types].xml")  # a package's first part: well-formed, no DTD
    sheet = _Sheet(_shared_strings(archive), _date_styles(archive))
    parser = _parser(sheet.start, sheet.end, sheet.text)
    with archive.open(_first_sheet(archive)) as handle:
        while chunk := handle.read(CHUNK):
            parser.Parse(chunk, False)
            if sheet.rows:
                yield from sheet.rows
                sheet.rows.clear()
    parser.Parse(b"", True)
    yield from sheet.rows

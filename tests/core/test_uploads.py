"""core.uploads: hostile and broken files are refused quickly, within a small memory budget."""

from __future__ import annotations

import io
import struct
import time
import tracemalloc
import zipfile

import pytest
from django.utils import translation
from openpyxl import Workbook

from core import uploads
from core.errors import InvalidInput
from payouts.bankfiles import neutralise as bank_neutralise


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


MEMORY_BUDGET = 40 * 1024 * 1024
TIME_BUDGET = 3.0


def workbook_bytes(rows, headers=("a", "b")) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def replace_entry(content: bytes, name: str, data: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, data if info.filename == name else source.read(info.filename))
    return out.getvalue()


def bomb_xlsx(size: int) -> bytes:
    """A workbook whose sheet inflates to ``size`` bytes of zeros: a real deflate bomb, written in 1 MB chunks."""
    skeleton = zipfile.ZipFile(io.BytesIO(workbook_bytes([[1, 2]])))
    out = io.BytesIO()
    chunk = bytes(1 << 20)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in skeleton.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                target.writestr(info.filename, skeleton.read(info.filename))
        with target.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            for _ in range(size >> 20):
                sheet.write(chunk)
    return out.getvalue()


def lying_directory(content: bytes, name: str, claimed: int) -> bytes:
    """The same archive with the central directory claiming ``claimed`` bytes for ``name`` (1 KB → GBs)."""
    marker = b"PK\x01\x02"
    position = 0
    out = bytearray(content)
    while (position := content.find(marker, position)) >= 0:
        name_length = struct.unpack("<H", content[position + 28 : position + 30])[0]
        entry = content[position + 46 : position + 46 + name_length].decode()
        if entry == name:
            out[position + 24 : position + 28] = struct.pack("<I", claimed)
        position += 4
    return bytes(out)


def within_budget(call):
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(InvalidInput) as refused:
            call()
        elapsed = time.perf_counter() - started
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert elapsed < TIME_BUDGET, elapsed
    assert peak < MEMORY_BUDGET, peak
    assert refused.value.field == "file"
    return str(refused.value.message)


def read_all(name, content, **limits):
    return list(uploads.iter_table(name, content, limits=uploads.DEFAULT_LIMITS.but(**limits)))


def test_a_real_deflate_bomb_is_refused_from_its_directory_within_budget():
    content = bomb_xlsx(256 << 20)  # 256 MB of zeros in about 250 KB
    assert len(content) < 400_000
    message = within_budget(lambda: read_all("bomb.xlsx", content))
    assert "zip bomb" in message or "unpacks" in message


def test_a_1_kb_file_claiming_gigabytes_is_refused_without_inflating(monkeypatch):
    content = lying_directory(workbook_bytes([[1, 2]]), "xl/worksheets/sheet1.xml", 0xFFFFFF00)
    assert len(content) < 10_000

    def never(*args, **kwargs):  # the check happens before any XML is parsed
        raise AssertionError("the workbook was opened")

    monkeypatch.setattr("openpyxl.load_workbook", never)
    message = within_budget(lambda: read_all("small.xlsx", content))
    assert "MB" in message or "zip bomb" in message


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>"""


@pytest.mark.parametrize("entry", ["xl/worksheets/sheet1.xml", "xl/workbook.xml", "[Content_Types].xml"])
def test_a_billion_laughs_workbook_is_refused_within_budget(entry):
    content = replace_entry(workbook_bytes([[1, 2]]), entry, BILLION_LAUGHS)
    message = within_budget(lambda: read_all("laughs.xlsx", content))
    assert message


def test_too_many_archive_entries_are_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", b"<x/>")
        for n in range(300):
            archive.writestr(f"junk/{n}.xml", b"<x/>")
    assert "parts" in within_budget(lambda: read_all("many.xlsx", out.getvalue()))


@pytest.mark.parametrize(
    "name, content, words",
    [
        ("a.xlsx", b"", "empty"),
        ("a.xlsx", b"PK\x03\x04not really a zip", ".xlsx"),
        ("a.xlsx", b"just text", ".xlsx"),
        ("a.pdf", b"%PDF-1.4", ".xlsx"),
        ("a.csv", b"a,b\n\x00\x01\x02", "text"),
        ("a.csv", b"\xff\xfe\xfd\xfc\x80\x80", "GB18030"),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(name, content, words):
    with pytest.raises(InvalidInput) as refused:
        read_all(name, content)
    assert words in str(refused.value.message)


def test_size_and_row_limits():
    content = workbook_bytes([[n, n] for n in range(50)])
    assert len(read_all("a.xlsx", content, max_rows=50)) == 51
    with pytest.raises(InvalidInput, match="At most 49 rows"):
        read_all("a.xlsx", content, max_rows=49)
    with pytest.raises(InvalidInput, match="larger than"):
        read_all("a.xlsx", content, max_bytes=len(content) - 1)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_in_utf8_with_or_without_bom_and_gb18030(encoding):
    content = "姓名,身份证号\n王芳,370202199001011234\n\n,\n".encode(encoding)
    rows = read_all("a.csv", content)
    assert rows == [(1, ["姓名", "身份证号"]), (2, ["王芳", "370202199001011234"])]


def test_read_dataset_maps_headings_and_names_missing_columns():
    content = workbook_bytes([["王芳", "x"]], headers=("姓名", "其他"))
    dataset = uploads.read_dataset(
        "a.xlsx", content, heading_to_field={"姓名": "name"}, required=["name"], field_to_heading={"name": "姓名"}
    )
    assert dataset.headers == ["name", "其他", uploads.LINE]
    assert dataset[0] == ("王芳", "x", 2)
    with pytest.raises(InvalidInput, match="身份证号"):
        uploads.read_dataset(
            "a.xlsx",
            content,
            heading_to_field={"姓名": "name"},
            required=["name", "id_number"],
            field_to_heading={"id_number": "身份证号"},
        )


@pytest.mark.parametrize("text", ["=1+2", "+cmd", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_one_neutralisation_for_every_export(text):
    assert uploads.neutralise(text) == "'" + text
    assert bank_neutralise(text) == "'" + text
    assert uploads.cell_text(uploads.neutralise(text)) == text.strip() or text.startswith(("\t", "\r"))


def test_neutralise_leaves_other_values_alone():
    assert uploads.neutralise("王芳") == "王芳"
    assert uploads.neutralise(12) == 12
    assert uploads.neutralise(None) is None
    assert bank_neutralise(None) == ""

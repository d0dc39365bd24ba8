from __future__ import annotations

import datetime
import io

import pytest
from openpyxl import Workbook

from tests.conftest import OWN_COMMUNITY
from tests.factories import check_char

HEADINGS = ["公民身份号码", "姓名", "社区代码", "住址", "城乡类别", "户编号", "与户主关系"]


def person_id(n: int, *, area: str = "370202", male: bool = True) -> str:
    """A valid, unique ID number for every ``n`` (birth dates walk forward from 1950, order number varies)."""
    birth = datetime.date(1950, 1, 1) + datetime.timedelta(days=n % 20000)
    order = f"{(n // 20000) % 100:02d}{(n % 5) * 2 + (1 if male else 0)}"
    body = f"{area}{birth:%Y%m%d}{order}"
    return body + check_char(body)


def household_rows(households: int, *, members: int = 3, community: str = OWN_COMMUNITY, start: int = 0):
    """``households`` households of ``members`` persons each, as rows in the template's column order."""
    rows = []
    relationships = ["户主", "配偶", "子女", "子女", "父母"]
    for h in range(households):
        for m in range(members):
            n = start + h * members + m
            rows.append(
                [person_id(n), f"居民{n}", community, f"测试路{h}号", "城镇", f"H{start + h}", relationships[m % 5]]
            )
    return rows


def xlsx(rows, headings=HEADINGS) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(headings)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows, headings=HEADINGS, encoding="utf-8-sig") -> bytes:
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headings)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def upload(client, content: bytes, *, kind: str = "households", name: str = "households.xlsx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        "/api/v1/imports/",
        {"kind": kind, "file": SimpleUploadedFile(name, content)},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="en",
    )


@pytest.fixture
def english(settings):
    from django.utils import translation

    with translation.override("en"):
        yield

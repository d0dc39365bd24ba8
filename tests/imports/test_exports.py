"""Export to Excel: every list, the same scoped and filtered rows, masked as on screen, formula-safe, bounded."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from people.models import Person
from tests.conftest import OTHER_DISTRICT_COMMUNITY, OWN_COMMUNITY
from tests.factories import PersonFactory, make_household

pytestmark = pytest.mark.django_db

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def sheet_rows(response):
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.worksheets[0]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    return [list(r) for r in sheet.iter_rows(values_only=True)]


@pytest.fixture
def staff(browser_client, caseworker):
    return browser_client(caseworker)


def test_people_export_is_masked_scoped_and_filtered(staff):
    mine = PersonFactory(division_id=OWN_COMMUNITY, name="王芳")
    PersonFactory(division_id=OWN_COMMUNITY, name="李四")
    outsider = PersonFactory(division_id=OTHER_DISTRICT_COMMUNITY, name="王五")
    rows = sheet_rows(staff.get("/people/?export=xlsx", HTTP_ACCEPT_LANGUAGE="zh-hans"))
    assert rows[0] == ["姓名", "公民身份号码", "性别", "出生日期", "行政区划"] or rows[0][0] == "姓名"
    names = {r[0] for r in rows[1:]}
    assert names == {"王芳", "李四"}
    assert outsider.name not in names
    cells = [c for r in rows for c in r if isinstance(c, str)]
    assert mine.id_number not in cells  # masked exactly as on screen
    assert mine.id_number_masked in cells
    filtered = sheet_rows(staff.get("/people/?q=王&export=xlsx&page=3"))
    assert [r[0] for r in filtered[1:]] == ["王芳"]


def test_formula_cells_are_exported_escaped(staff):
    for name in ['=HYPERLINK("http://evil","x")', "+cmd|' /C calc'!A0", "-1+2", "@SUM(A1)", "\tx", "\rx"]:
        PersonFactory(division_id=OWN_COMMUNITY, name=name)
    household = make_household(community=OWN_COMMUNITY, address="=1+2")
    rows = sheet_rows(staff.get("/people/?export=xlsx"))
    cells = [c for r in rows for c in r if isinstance(c, str)]
    assert not any(c.startswith(DANGEROUS) for c in cells)
    assert '\'=HYPERLINK("http://evil","x")' in cells and "'@SUM(A1)" in cells and "'-1+2" in cells
    rows = sheet_rows(staff.get("/people/households/?export=xlsx"))
    assert "'=1+2" in [r[2] for r in rows[1:]]
    assert household.head.name in [r[0] for r in rows[1:]]


@pytest.mark.parametrize(
    "url",
    [
        "/people/households/",
        "/relief/dibao/",
        "/relief/tekun/",
        "/relief/claims/",
        "/welfare/orphans/",
        "/welfare/disability/",
    ],
)
def test_every_list_exports_and_offers_the_link(staff, url):
    page = staff.get(url)
    assert page.status_code == 200
    assert b'data-testid="export-xlsx"' in page.content
    rows = sheet_rows(staff.get(url + "?export=xlsx"))
    assert rows[0] and all(isinstance(h, str) and h for h in rows[0])


def test_the_dibao_export_shows_what_the_list_shows(staff, caseworker):
    from relief.models import DibaoCase

    household = make_household(community=OWN_COMMUNITY, members=2)
    DibaoCase.objects.create(household=household, monthly_income="321.50", members_count=2, created_by=caseworker)
    outside = make_household(community=OTHER_DISTRICT_COMMUNITY)
    DibaoCase.objects.create(household=outside, monthly_income=0, members_count=1, created_by=caseworker)
    rows = sheet_rows(staff.get("/relief/dibao/?export=xlsx"))
    assert len(rows) == 2
    assert rows[1][1] == household.head.name and float(rows[1][4]) == 321.5


def test_an_export_is_bounded(staff, settings):
    settings.EXPORT_MAX_ROWS = 2
    for _ in range(3):
        PersonFactory(division_id=OWN_COMMUNITY)
    response = staff.get("/people/?export=xlsx&q=测", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    assert response["Location"] == "/people/?q=%E6%B5%8B"
    page = staff.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert b"at most 2 can be exported" in page.content


def test_an_export_needs_the_lists_capability(browser_client, make_staff):
    client = browser_client(make_staff("placename_officer", "370200"))
    assert client.get("/people/?export=xlsx").status_code in (403, 404)
    assert Person.objects.count() == 0

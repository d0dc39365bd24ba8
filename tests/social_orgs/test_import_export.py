from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from social_orgs.models import ImportBatch, SocialOrg, StatusChange
from tests.social_orgs.conftest import make_credit_code, wrong_check

pytestmark = pytest.mark.django_db

IMPORTS = "/api/v1/social-org-imports/"
HEADINGS = [
    "名称",
    "统一社会信用代码",
    "类型",
    "登记级别",
    "登记管理机关代码",
    "法定代表人",
    "成立登记日期",
    "行业协会商会",
]


def workbook(rows, headings=HEADINGS) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headings)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def row(n: int, code: str | None = None):
    return [
        f"青岛市第{n}号社会组织",
        code or make_credit_code(),
        "社会团体",
        "市级",
        "370200",
        "张三",
        "2015-03-01",
        "否",
    ]


def upload(api, content: bytes, name: str = "registry.xlsx"):
    return api.post(IMPORTS, {"file": SimpleUploadedFile(name, content)}, format="multipart")


def test_a_clean_file_is_previewed_then_written(api):
    response = upload(api, workbook([row(1), row(2)]))
    assert response.status_code == 201, response.content
    preview = response.json()
    assert (preview["status"], preview["rows"], preview["to_create"], preview["errors"]) == ("previewed", 2, 2, [])
    assert not SocialOrg.objects.exists()  # a preview writes nothing
    committed = api.post(f"{IMPORTS}{preview['id']}/commit/")
    assert committed.status_code == 200
    assert committed.json()["status"] == "committed"
    assert SocialOrg.objects.count() == 2
    assert StatusChange.objects.filter(to_status="registered").count() == 2


def test_one_bad_row_among_1000_writes_nothing_and_names_that_row(api):
    rows = [row(n) for n in range(1, 1001)]
    rows[499][1] = wrong_check(rows[499][1])  # data row 500 = spreadsheet line 501
    preview = upload(api, workbook(rows)).json()
    assert preview["status"] == "rejected"
    assert preview["rows"] == 1000
    assert preview["errors"] == [
        {"row": 501, "field": "credit_code", "message": preview["errors"][0]["message"]},
    ]
    assert preview["errors"][0]["message"]
    assert not SocialOrg.objects.exists()
    refused = api.post(f"{IMPORTS}{preview['id']}/commit/")
    assert refused.status_code == 409
    assert refused.json()["code"] == "invalid_transition"
    assert not SocialOrg.objects.exists()


def test_every_bad_row_is_named_with_its_column(api):
    rows = [row(1), row(2), row(3)]
    rows[0][2] = "公司"  # not a kind of social organization
    rows[2][6] = "2099-01-01"  # in the future
    errors = upload(api, workbook(rows)).json()["errors"]
    assert [(e["row"], e["field"]) for e in errors] == [(2, "org_type"), (4, "founded_on")]


def test_the_same_code_twice_in_a_file_is_an_error_on_the_second(api):
    code = make_credit_code()
    errors = upload(api, workbook([row(1, code), row(2, code)])).json()["errors"]
    assert [(e["row"], e["field"]) for e in errors] == [(3, "credit_code")]


def test_a_known_code_updates_its_organization(api, org_payload):
    code = make_credit_code()
    api.post("/api/v1/social-orgs/", org_payload(credit_code=code, is_industry_association=False), format="json")
    changed = row(1, code)
    changed[5] = "新法人"
    preview = upload(api, workbook([changed])).json()
    assert (preview["to_create"], preview["to_update"]) == (0, 1)
    api.post(f"{IMPORTS}{preview['id']}/commit/")
    assert SocialOrg.objects.get(credit_code=code).legal_representative == "新法人"


def test_an_organization_of_another_authority_is_not_updated(api_for, make_staff, api, org_payload):
    code = make_credit_code()
    api.post("/api/v1/social-orgs/", org_payload(credit_code=code), format="json")  # city level
    district = api_for(make_staff("socialorg_officer", "370202"))
    mine = row(1, code)
    mine[3], mine[4] = "区级", "370202"
    errors = upload(district, workbook([mine])).json()["errors"]
    assert errors[0]["field"] == "credit_code"


def test_a_commit_that_now_fails_writes_nothing(api_for, make_staff, api, org_payload):
    district = api_for(make_staff("socialorg_officer", "370202"))
    code = make_credit_code()
    rows = [row(1), row(2, code)]
    for r in rows:
        r[3], r[4] = "区级", "370202"
    preview = upload(district, workbook(rows)).json()
    assert preview["status"] == "previewed"
    # Meanwhile the city bureau registers the second code: the district may not update it.
    api.post("/api/v1/social-orgs/", org_payload(credit_code=code), format="json")
    response = district.post(f"{IMPORTS}{preview['id']}/commit/")
    assert response.status_code == 409
    body = response.json()
    assert body["status"] == "rejected"
    assert [(e["row"], e["field"]) for e in body["errors"]] == [(3, "credit_code")]
    assert list(SocialOrg.objects.values_list("credit_code", flat=True)) == [code]  # row 2 was not written


def test_english_headings_are_accepted(api):
    english = ["name", "credit_code", "org_type", "level", "division", "legal_representative", "founded_on"]
    content = workbook([["某基金会", make_credit_code("3"), "foundation", "city", "", "李四", "2018-01-01"]], english)
    assert upload(api, content).json()["errors"] == []


def test_a_csv_file_is_accepted(api):
    code = make_credit_code()
    content = (
        f"名称,统一社会信用代码,类型,登记级别,法定代表人,成立登记日期\n某协会,{code},社会团体,市级,王五,2016-01-01\n"
    ).encode()
    preview = upload(api, content, "registry.csv").json()
    assert (preview["status"], preview["to_create"]) == ("previewed", 1)


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"", "empty.xlsx"),
        (b"not a spreadsheet", "x.xlsx"),
        (b"%PDF-1.4", "x.pdf"),
    ],
)
def test_unreadable_files_are_a_400_at_upload(api, content, name):
    response = upload(api, content, name)
    assert response.status_code == 400
    assert "file" in response.json()
    assert not ImportBatch.objects.exists()


def test_a_file_missing_required_columns_is_a_400(api):
    response = upload(api, workbook([["x"]], ["名称"]))
    assert response.status_code == 400
    assert "统一社会信用代码" in response.json()["file"][0]


def test_a_compression_bomb_is_refused_before_it_is_opened(api):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<a>" + b" " * 50_000_000 + b"</a>")
    response = upload(api, buffer.getvalue())
    assert response.status_code == 400
    assert "file" in response.json()


def test_an_import_is_refused_to_a_leader(api_for, make_staff):
    assert upload(api_for(make_staff("leader", "370200")), workbook([row(1)])).status_code == 403


def test_the_export_is_a_workbook_with_chinese_headings_and_no_live_formulas(api, org_payload):
    api.post("/api/v1/social-orgs/", org_payload(name='=HYPERLINK("http://evil")', legal_representative="@SUM(A1)"))
    api.post("/api/v1/social-orgs/", org_payload(name="+协会", legal_representative="-1+2", address="\tcmd"))
    response = api.get("/api/v1/social-orgs/export/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("名称", "统一社会信用代码", "类型", "登记级别")
    cells = [c for r in rows[1:] for c in r if isinstance(c, str)]
    assert not any(c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in cells)
    assert '\'=HYPERLINK("http://evil")' in cells
    assert all(cell.data_type != "f" for r in sheet.iter_rows() for cell in r)


def test_an_exported_file_imports_back_unchanged(api, org_payload):
    api.post("/api/v1/social-orgs/", org_payload(), format="json")
    exported = api.get("/api/v1/social-orgs/export/").content
    preview = upload(api, exported).json()
    assert (preview["status"], preview["to_create"], preview["to_update"]) == ("previewed", 0, 1)


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(api, monkeypatch):
    monkeypatch.setattr("social_orgs.resources.MAX_FILE_BYTES", 1000)
    response = upload(api, workbook([row(1)]))
    assert response.status_code == 400
    assert "file" in response.json()
    assert not ImportBatch.objects.exists()

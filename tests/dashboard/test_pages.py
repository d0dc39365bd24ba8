"""The dashboard's pages: who sees them, the table and charts' data, export, print, work summary."""

from __future__ import annotations

import io
import json
import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from core.models import Division
from dashboard import figures

pytestmark = pytest.mark.django_db


def page_data(response) -> dict:
    match = re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>', response.content.decode())
    assert match, "the figures travel in a json_script block"
    return json.loads(match.group(1))


def test_leadership_sees_the_charts_and_table_of_the_whole_city(world, make_staff, client):
    client.force_login(make_staff("leader", "370200"))
    response = client.get("/dashboard/", {"from": "2020-01", "to": "2020-03"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-chart="trend"' in html and 'data-chart="split"' in html
    assert "vendor/echarts/echarts.min.js" in html and "js/dashboard.js" in html
    assert "<script>" not in html  # no inline script (CSP)
    data = page_data(response)
    assert data["months"] == ["2020-01", "2020-02", "2020-03"]
    assert len(data["divisions"]) == 10
    dibao_households = next(f for f in data["figures"] if f["key"] == "dibao_households")
    assert dibao_households["by_month"] == ["4", "5", "4"]
    # Drill-down: each district links to its own dashboard with the same months.
    assert data["divisions"][0]["url"] == "/dashboard/?from=2020-01&to=2020-03&division=370202"
    assert (
        'data-testid="dashboard-table"' in html
        and 'href="/dashboard/?from=2020-01&amp;to=2020-03&amp;division=370202"' in html
    )
    assert 'href="/dashboard/"' in html  # the nav link


def test_drilling_into_a_district_splits_by_its_sub_districts(world, make_staff, client):
    client.force_login(make_staff("leader", "370200"))
    data = page_data(client.get("/dashboard/", {"from": "2020-01", "to": "2020-03", "division": "370202"}))
    codes = [d["code"] for d in data["divisions"]]
    assert "370202001" in codes and all(len(c) == 9 and c.startswith("370202") for c in codes)


def test_pages_refuse_other_geography_other_roles_and_bad_months(world, make_staff, client):
    client.force_login(make_staff("subdistrict_approver", "370202001"))
    assert client.get("/dashboard/").status_code == 200
    assert client.get("/dashboard/", {"division": "370203"}).status_code == 404
    assert client.get("/dashboard/export.xlsx", {"division": "370203"}).status_code == 404
    bad = client.get("/dashboard/", {"from": "2020-05", "to": "2020-01"})
    assert bad.status_code == 400 and 'data-testid="dashboard-error"' in bad.content.decode()
    assert client.post("/dashboard/").status_code == 405
    client.force_login(make_staff("auditor", "370200"))
    assert client.get("/dashboard/").status_code == 403
    assert 'href="/dashboard/"' not in client.get("/").content.decode()


def test_the_excel_export_has_the_views_numbers_and_no_live_formulas(world, make_staff, client):
    Division.objects.filter(code="370203").update(name='=HYPERLINK("http://x")')
    client.force_login(make_staff("leader", "370200"))
    response = client.get("/dashboard/export.xlsx", {"from": "2020-01", "to": "2020-03"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[3]]
    assert '\'=HYPERLINK("http://x")' in header
    rows = {r[0]: r[1:] for r in sheet.iter_rows(min_row=4, values_only=True)}
    api = client.get("/api/v1/dashboard/summary/", {"from": "2020-01", "to": "2020-03"}).json()
    labels = {spec.key: str(spec.label) for spec in figures.SPECS}
    assert rows[labels["dibao_households"]][0] == api["schemes"]["dibao"]["households"]
    assert Decimal(str(rows[labels["dibao_amount"]][0])) == Decimal(api["schemes"]["dibao"]["amount"])
    for line in book.worksheets[1].iter_rows(values_only=True):
        assert not any(isinstance(v, str) and v.startswith("=") for v in line)


def test_the_printable_page_and_the_work_summary_use_the_data(world, make_staff, client):
    client.force_login(make_staff("leader", "370200"))
    printable = client.get("/dashboard/print/", {"from": "2020-01", "to": "2020-03"})
    assert printable.status_code == 200 and 'data-testid="dashboard-print"' in printable.content.decode()
    api = client.get("/api/v1/dashboard/summary/", {"from": "2020-01", "to": "2020-06"}).json()
    text = client.get("/dashboard/work-summary/", {"from": "2020-01", "to": "2020-06"}).content.decode()
    dibao = api["schemes"]["dibao"]
    expected = (
        f"2020年上半年，全市共保障城乡低保对象{dibao['households']}户、{dibao['persons']}人，"
        f"发放低保金{figures.cn_money(dibao['amount'])}"
    )
    assert expected in text
    assert f"发放特困人员救助供养金{figures.cn_money(api['schemes']['tekun']['amount'])}" in text


def test_report_number_words():
    assert figures.cn_count(62000, "户") == "6.2万户"
    assert figures.cn_count(91000, "人") == "9.1万人"
    assert figures.cn_count(5222, "户") == "5222户"
    assert figures.cn_money("360000000.00") == "3.6亿元"
    assert figures.cn_money("60330000.00") == "6033万元"
    assert figures.cn_money("6636600.00") == "663.66万元"
    assert figures.cn_money("55115000") == "5511.5万元"
    assert figures.cn_money("880.00") == "880元"
    assert figures.period_words("2020-01", "2020-06") == "2020年上半年"
    assert figures.period_words("2020-03", "2020-03") == "2020年3月"
    assert figures.period_words("2019-11", "2020-02") == "2019年11月至2020年2月"

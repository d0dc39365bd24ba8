"""Household income and expenses through imports/ (kind household_finances, issue 20): recorded without a
case, read by the tiers (dibao-marginal, expenditure hardship) and by the monthly run; bad rows refused with
their line, nothing written; a household outside the uploader's area reads like one not registered."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from imports.models import ImportJob
from monitoring import engine
from monitoring.models import HouseholdExpense
from people.models import HouseholdMeans
from tests.conftest import OTHER_SUBDISTRICT_COMMUNITY, OWN_COMMUNITY, api_client_for
from tests.factories import make_household, make_id_number
from tests.imports.conftest import csv_bytes

pytestmark = pytest.mark.django_db

HEADINGS = ["身份证号", "月份", "家庭月收入", "医疗支出", "教育支出", "其他支出", "备注"]
URL = "/api/v1/imports/"


@pytest.fixture(autouse=True)
def _in_request(settings):
    settings.IMPORT_SYNC_MAX_BYTES = 50 * 1024 * 1024


def _upload(api, rows, *, language="en", headings=HEADINGS):
    return api.post(
        URL,
        {"kind": "household_finances", "file": SimpleUploadedFile("finances.csv", csv_bytes(rows, headings))},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE=language,
    )


def _report(api, rows, **kwargs):
    answer = _upload(api, rows, **kwargs)
    assert answer.status_code == 202, answer.content
    return api.get(f"{URL}{answer.json()['id']}/").json()


def _tier(api, tier, month="2020-06"):
    answer = api.get(f"/api/v1/low-income/?tier={tier}&month={month}")
    assert answer.status_code == 200
    return {row["household"] for row in answer.json()["results"]}


def test_a_file_of_income_and_expenses_is_previewed_committed_and_read_by_the_tiers(caseworker):
    """Two households of two (standard 940.00 a person, so 1880.00 for two): 2000.00 and no rigid expense
    is dibao-marginal; 2000.00 with 200.00 of medical bills is expenditure hardship too (1800.00 < 1880.00)."""
    api = api_client_for(caseworker)
    marginal = make_household(community=OWN_COMMUNITY, members=2, created_by=caseworker)
    hardship = make_household(community=OWN_COMMUNITY, members=2, created_by=caseworker)
    child = hardship.members.exclude(person=hardship.head).get().person  # any member names the household
    report = _report(
        api,
        [
            [marginal.head.id_number, "2020-06", "2000.00", "", "", "", "入户核查"],
            [child.id_number, "2020-06", "2000.00", "200.00", "0", "50", ""],
        ],
    )
    assert report["status"] == "previewed", report["errors"]
    assert (report["rows"], report["to_create"], report["errors"]) == (2, 4, [])  # 2 incomes, 2 expenses
    assert _tier(api, "marginal") == set() and _tier(api, "expenditure") == set()  # nothing written yet
    committed = api.post(f"{URL}{report['id']}/commit/")
    assert committed.status_code == 200 and committed.json()["status"] == "committed"
    means = HouseholdMeans.objects.get(household=marginal)
    assert (means.monthly_income, means.as_of, means.occasion, means.recorded_by) == (
        Decimal("2000.00"),
        datetime.date(2020, 6, 1),
        "import",
        caseworker,
    )
    assert means.note == "入户核查"
    assert set(HouseholdExpense.objects.filter(household=hardship).values_list("kind", "amount")) == {
        ("medical", Decimal("200.00")),
        ("other", Decimal("50.00")),
    }
    assert _tier(api, "marginal") == {marginal.pk, hardship.pk}  # both above 1880.00, at most 2820.00
    assert _tier(api, "expenditure") == {hardship.pk}
    # the monthly run reads the same records
    counts = engine.step_tiers(month=datetime.date(2020, 6, 1))
    assert counts["marginal"]["households"] == 2 and counts["expenditure"]["households"] == 1


def test_bad_rows_are_refused_with_their_line_and_nothing_is_written(caseworker):
    api = api_client_for(caseworker)
    household = make_household(community=OWN_COMMUNITY, members=2, created_by=caseworker)
    other = make_household(community=OWN_COMMUNITY, members=1, created_by=caseworker)
    good = household.head.id_number
    report = _report(
        api,
        [
            [other.head.id_number, "2020-06", "2000.00", "", "", "", ""],  # line 2: good
            [good[:17] + ("0" if good[17] != "0" else "1"), "2020-06", "100", "", "", "", ""],  # 3: check character
            [make_id_number(), "2020-06", "100", "", "", "", ""],  # 4: nobody registered
            [good, "2099-01", "100", "", "", "", ""],  # 5: a month to come
            [good, "2020-13", "100", "", "", "", ""],  # 6: no such month
            [good, "2020-06", "-5", "", "", "", ""],  # 7: negative income
            [good, "2020-06", "", "12.345", "", "", ""],  # 8: three decimals
            [good, "2020-06", "", "", "", "", ""],  # 9: nothing to record
            [good, "2020-05", "1000", "", "", "", "<script>x</script>"],  # 10: markup
            [good, "2020-07", "1000", "", "", "", ""],  # 11: good
            [household.members.exclude(person=household.head).get().person.id_number, "2020-07", "", "9", "", "", ""],
        ],
    )
    assert report["status"] == "rejected"
    assert {(e["row"], e["field"]) for e in report["errors"]} == {
        (3, "id_number"),
        (4, "id_number"),
        (5, "month"),
        (6, "month"),
        (7, "monthly_income"),
        (8, "medical"),
        (9, "monthly_income"),
        (10, "note"),
        (12, "id_number"),  # the same household's 2020-07 as line 11, through another member
    }
    messages = {e["row"]: e["message"] for e in report["errors"]}
    assert "register the household first" in messages[4]
    assert "already on line 11" in messages[12]
    assert "not begun" in messages[5]
    assert api.post(f"{URL}{report['id']}/commit/").status_code == 409
    assert not HouseholdMeans.objects.exists() and not HouseholdExpense.objects.exists()
    chinese = _report(api, [[make_id_number(), "2020-06", "100", "", "", "", ""]], language="zh-hans")
    assert chinese["status"] == "rejected" and "登记" in chinese["errors"][0]["message"]


def test_a_caseworker_cannot_import_for_another_subdistrict(caseworker):
    """A household of another sub-district reads like one not registered (its existence is not disclosed)."""
    api = api_client_for(caseworker)
    own = make_household(community=OWN_COMMUNITY, members=1, created_by=caseworker)
    elsewhere = make_household(community=OTHER_SUBDISTRICT_COMMUNITY, members=1)
    report = _report(
        api,
        [
            [own.head.id_number, "2020-06", "2000.00", "", "", "", ""],
            [elsewhere.head.id_number, "2020-06", "2000.00", "", "", "", ""],
        ],
    )
    assert report["status"] == "rejected"
    assert [(e["row"], e["field"]) for e in report["errors"]] == [(3, "id_number")]
    unregistered = _report(api, [[make_id_number(), "2020-06", "1", "", "", "", ""]])
    assert report["errors"][0]["message"] == unregistered["errors"][0]["message"]
    assert not HouseholdMeans.objects.exists()


def test_the_same_expenses_imported_twice_are_refused_not_doubled(caseworker):
    api = api_client_for(caseworker)
    household = make_household(community=OWN_COMMUNITY, members=2, created_by=caseworker)
    rows = [[household.head.id_number, "2020-06", "2000.00", "200.00", "", "", ""]]
    first = _report(api, rows)
    assert api.post(f"{URL}{first['id']}/commit/").json()["status"] == "committed"
    again = _report(api, rows)
    assert again["status"] == "rejected"
    assert [(e["row"], e["field"]) for e in again["errors"]] == [(2, "medical")]
    assert "already recorded" in again["errors"][0]["message"]
    assert HouseholdExpense.objects.filter(household=household).count() == 1


def test_a_role_that_does_not_record_households_finances_may_not_import_them(make_staff, caseworker):
    """The system administrator may import (households, volunteers…) but records no household's income: 403."""
    admin = make_staff("admin", "370200")
    household = make_household(community=OWN_COMMUNITY, members=1, created_by=caseworker)
    answer = _upload(api_client_for(admin), [[household.head.id_number, "2020-06", "2000.00", "", "", "", ""]])
    assert answer.status_code == 403 and answer.json()["detail"]
    assert not ImportJob.objects.exists()
    # the caseworker beside it
    assert (
        _upload(api_client_for(caseworker), [[household.head.id_number, "2020-06", "1", "", "", "", ""]]).status_code
        == 202
    )


def test_the_template_has_the_chinese_headings(caseworker, client):
    import io

    from django.urls import reverse
    from openpyxl import load_workbook

    client.force_login(caseworker)
    answer = client.get(reverse("imports:template", args=["household_finances"]))
    assert answer.status_code == 200
    sheet = load_workbook(io.BytesIO(answer.content)).active
    assert [c.value for c in sheet[1]] == HEADINGS

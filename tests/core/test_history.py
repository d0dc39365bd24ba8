"""History people can read: one renderer for record pages, the auditor's log and ``GET …/{id}/history/``."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.apps import apps

from core import history
from core.audit import audit_context
from people.services import person_update
from relief.models import DibaoCase, DibaoMember
from tests.conftest import OTHER_DISTRICT_COMMUNITY, OWN_COMMUNITY
from tests.factories import PersonFactory, make_household

pytestmark = pytest.mark.django_db

SNAKE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
ID_SUFFIX = re.compile(r"[A-Za-z]_id\b")


def enum_tokens() -> set[str]:
    """Every stored choice value of every model that reads like an English word (approved, urban, …)."""
    tokens = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            for value, _label in getattr(field, "flatchoices", None) or []:
                if isinstance(value, str) and re.fullmatch(r"[a-z_]{3,}", value):
                    tokens.add(value)
    return tokens


class _Section(HTMLParser):
    """The text of the page's history section (``data-testid="history"``), tags and attributes left out."""

    def __init__(self):
        super().__init__()
        self.depth, self.text = 0, []

    def handle_starttag(self, tag, attrs):
        if self.depth:
            self.depth += tag == "section"
        elif tag == "section" and ("data-testid", "history") in attrs:
            self.depth = 1

    def handle_endtag(self, tag):
        if self.depth and tag == "section":
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.text.append(data)


def history_text(html: str) -> str:
    parser = _Section()
    parser.feed(html)
    return " ".join(parser.text)


def assert_readable(text: str, where: str) -> None:
    assert text.strip(), f"{where}: no history section"
    words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text))
    assert not SNAKE.findall(text), (where, SNAKE.findall(text))
    assert not ID_SUFFIX.findall(text), where
    assert not (words & enum_tokens()), (where, words & enum_tokens())


@pytest.fixture
def approved_case(caseworker, make_staff):
    from relief.services import standards_seed

    standards_seed(demo=True)
    approver = make_staff("district_approver", "370202", first_name="李建国")
    household = make_household(community=OWN_COMMUNITY, members=2)
    with audit_context(caseworker):
        case = DibaoCase.objects.create(
            household=household, monthly_income=Decimal("300.00"), members_count=2, created_by=caseworker
        )
        for member in household.members.all():
            DibaoMember.objects.create(case=case, person=member.person)
    with audit_context(approver, action="approve"):
        DibaoCase.objects.filter(pk=case.pk).update(
            status="active", approved_by=approver, approval_level="district", start_month=datetime.date(2020, 5, 1)
        )
    return case


def test_a_change_reads_with_labels_choice_labels_and_names(approved_case, api_for, caseworker):
    body = api_for(caseworker).get(f"/api/v1/dibao-cases/{approved_case.pk}/history/").json()
    assert body["count"] >= 2 and body["results"][0]["at"] >= body["results"][-1]["at"]  # newest first
    # The whole test is one transaction, so every event has the same now(): between the case's own
    # events and its members' (another table, another id sequence) "newest" is a tie. The approval
    # is the case's newest change of status.
    latest = next(
        r for r in body["results"] if r["kind"] == "update" and any(c["field"] == "status" for c in r["changes"])
    )
    assert latest["actor"] == "李建国" and latest["kind"] == "update" and latest["action"] == "修改"
    changes = {c["field"]: c for c in latest["changes"]}
    assert changes["status"]["label"] == "状态" and changes["status"]["new"] == "启用"
    assert changes["approved_by"]["new"] == "李建国" and "approved_by_id" not in str(body)
    assert changes["approval_level"]["new"] == "区（市）"
    assert latest["step"] == "已批准"
    english = (
        api_for(caseworker)
        .get(f"/api/v1/dibao-cases/{approved_case.pk}/history/", HTTP_ACCEPT_LANGUAGE="en")
        .json()["results"]
    )
    english = next(r for r in english if r["kind"] == "update" and any(c["field"] == "status" for c in r["changes"]))
    assert {c["label"] for c in english["changes"]} >= {"Status", "Approved by"} and english["action"] == "Changed"


def test_numbers_are_masked_and_links_named(caseworker, api_for):
    person = PersonFactory(division_id=OWN_COMMUNITY, phone="13912345678")
    person_update(actor=caseworker, person=person, phone="13800001111")
    body = api_for(caseworker).get(f"/api/v1/people/{person.pk}/history/").json()
    text = str(body)
    assert person.id_number not in text and "13800001111" not in text and "13912345678" not in text
    phone = next(c for c in body["results"][0]["changes"] if c["field"] == "phone")
    assert phone["label"] == "电话" and phone["new"].endswith("1111")


def test_outside_the_geography_the_history_is_not_found(caseworker, api_for):
    far = PersonFactory(division_id=OTHER_DISTRICT_COMMUNITY)
    assert api_for(caseworker).get(f"/api/v1/people/{far.pk}/history/").status_code == 404


def test_the_system_notes_read_as_sentences():
    with_zh = history.sentence("schedule")
    assert with_zh.startswith("发起方式") and "每月" in with_zh
    assert history.sentence("csv 0123456789ab") == "已导出银行文件（CSV）。"
    assert "2 行" in history.sentence("bank file csv (2 lines)")
    assert history.sentence("seed_demo") == "加载演示数据时完成计算。"
    assert history.sentence("vm:4242") == "由后台任务计算。"
    assert "演示" in history.sentence("demo value (演示数据); raised from 1 April 2020")
    assert history.sentence("张三的手写备注") == "张三的手写备注"  # what people wrote stays as written


def test_record_pages_and_the_auditors_log_have_no_identifier_looking_token(
    approved_case, caseworker, make_staff, browser_client, client
):
    household = approved_case.household
    with audit_context(caseworker):
        household.address = "新地址8号"
        household.save()
    person_update(actor=caseworker, person=household.head, name="改了名")
    pages = [
        f"/people/{household.head_id}/",
        f"/people/households/{household.pk}/",
        f"/relief/dibao/{approved_case.pk}/",
    ]
    reader = browser_client(make_staff("district_approver", "370202"))
    for path in pages:
        assert_readable(history_text(reader.get(path).content.decode()), path)
    client.force_login(make_staff("auditor", "370200"))
    log = client.get("/audit/").content.decode()
    assert_readable(history_text(log), "/audit/")
    assert "<select" in log and 'value="people.Person"' in log  # record types chosen from a list
    filtered = client.get("/audit/", {"model": "relief.DibaoCase"}).content.decode()
    assert "低保案件" in history_text(filtered) and "· 人员" not in history_text(filtered)

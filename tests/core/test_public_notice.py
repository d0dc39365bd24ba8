"""Public-notice lists (公示) carry no ID number, address, account or phone.

No notice list exists yet (the relief engineer adds the dibao/tekun notices): this tests the
helper they build on. ``PublicNoticeSerializer`` refuses at import a field that points at such
data; ``check_public_rows`` is the hook a notice endpoint's test calls on what it produced.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from rest_framework import serializers

from core.publicnotice import PublicNoticeSerializer, check_public_rows, public_name


def test_a_notice_serializer_cannot_declare_personal_numbers_or_addresses():
    for field in ("id_number", "id_number_masked", "address", "bank_account", "phone", "head_address"):
        with pytest.raises(ImproperlyConfigured):
            type("Notice", (PublicNoticeSerializer,), {field: serializers.CharField()})


def test_a_notice_with_fit_fields_is_accepted_and_its_rows_pass():
    class DibaoNotice(PublicNoticeSerializer):
        name = serializers.CharField()
        community = serializers.CharField()
        members = serializers.IntegerField()
        monthly_allowance = serializers.DecimalField(max_digits=10, decimal_places=2)

    rows = DibaoNotice(
        [{"name": public_name("张三丰"), "community": "八大峡社区1", "members": 3, "monthly_allowance": "1234.50"}],
        many=True,
    ).data
    assert check_public_rows(rows) == []
    assert rows[0]["name"] == "张**"


def test_the_row_check_finds_what_a_notice_must_not_show():
    rows = [
        {"name": "李四", "note": "身份证 370202199001011237"},
        {"name": "王五", "contact": "13912345678"},
        {"name": "赵六", "address": "测试路1号"},
    ]
    problems = check_public_rows(rows)
    assert len(problems) == 3

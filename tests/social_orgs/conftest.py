from __future__ import annotations

import itertools

import pytest

# GB 32100 check character, straight from the standard (independent of python-stdnum).
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
_seq = itertools.count(1)


def credit_check(body17: str) -> str:
    total = sum(ALPHABET.index(c) * w for c, w in zip(body17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def make_credit_code(kind: str = "1", area: str = "370200") -> str:
    """A civil-affairs registered code (5), of kind 1 group / 2 service / 3 foundation."""
    body = f"5{kind}{area}MJ{next(_seq):07d}"
    return body + credit_check(body)


def wrong_check(code: str) -> str:
    return code[:17] + ("0" if code[17] != "0" else "1")


@pytest.fixture
def city_officer(make_staff):
    return make_staff("socialorg_officer", "370200")


@pytest.fixture
def district_officer(make_staff):
    return make_staff("socialorg_officer", "370202")


@pytest.fixture
def api(api_for, city_officer):
    return api_for(city_officer)


@pytest.fixture
def org_payload():
    def make(**overrides):
        body = {
            "name": "青岛市测试行业协会",
            "credit_code": make_credit_code(),
            "org_type": "group",
            "level": "city",
            "legal_representative": "王会长",
            "supervising_unit": "",
            "founded_on": "2010-06-01",
            "is_industry_association": True,
        }
        body.update(overrides)
        return body

    return make

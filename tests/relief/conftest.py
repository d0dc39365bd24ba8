"""Fixtures for social assistance: the shipped standards and one of each relief role."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from relief.services import standards_seed
from tests.conftest import OWN_SUBDISTRICT

OWN_DISTRICT = OWN_SUBDISTRICT[:6]  # 市南区 370202


@pytest.fixture(autouse=True)
def _shipped_standards(db):
    """The entries every installation has (annual cap, small-claim default, price rule).

    Migrations load them, but a transactional test elsewhere may have flushed the database.
    """
    standards_seed(demo=False)


@pytest.fixture
def standards(db):
    """The shipped and demo standards (city-wide dibao 880/700 before April 2020, 940/760 from it)."""
    standards_seed(demo=True)


@pytest.fixture
def sd_approver(make_staff):
    return make_staff("subdistrict_approver", OWN_SUBDISTRICT)


@pytest.fixture
def district_approver(make_staff):
    return make_staff("district_approver", OWN_DISTRICT)


@pytest.fixture
def admin_user(make_staff):
    return make_staff("admin", "370200")


@pytest.fixture
def actors(caseworker, sd_approver, district_approver):
    """The three people a case passes through: who files it, who reviews it, who approves it."""
    return SimpleNamespace(caseworker=caseworker, reviewer=sd_approver, approver=district_approver)

from __future__ import annotations

import datetime

import pytest

from social_orgs.models import SocialOrg
from tests.social_orgs.conftest import make_credit_code


@pytest.fixture
def officer(make_staff):
    return make_staff("socialorg_officer", "370200")


@pytest.fixture
def make_org(make_staff):
    def make(*, division: str = "370202", name: str = "青岛市市南区慈善总会", status: str = "registered"):
        return SocialOrg.objects.create(
            name=name,
            credit_code=make_credit_code("1", division),
            org_type="group",
            level="city" if division == "370200" else "district",
            division_id=division,
            legal_representative="王会长",
            founded_on=datetime.date(2010, 1, 1),
            status=status,
            status_since=datetime.date(2010, 1, 1),
            created_by=make_staff("socialorg_officer", "370200"),
        )

    return make

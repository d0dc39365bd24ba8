"""An action a role may never take is a 403 whatever the record's state (never a 409 that tells the
state), for the read-only roles on every action of a case in each state it passes through."""

from __future__ import annotations

import pytest

from relief import services as relief_services
from relief.models import DibaoCase
from tests.conftest import api_client_for
from tests.factories import make_household, review_through_notice
from tests.welfare.conftest import _standards, actors, district_approver, sd_approver  # noqa: F401

pytestmark = pytest.mark.django_db

ACTIONS = [
    "review",
    "approve",
    "reject",
    "withdraw",
    "suspend",
    "resume",
    "terminate",
    "recheck",
    "investigate",
    "object",
]


@pytest.mark.parametrize("role", ["leader", "auditor"])
def test_a_read_only_role_gets_403_for_every_case_action_in_every_state(actors, make_staff, role):  # noqa: F811
    household = make_household(community="370202001001", members=2)
    case = relief_services.dibao_case_create(actor=actors.caseworker, household=household, monthly_income="600.00")
    api = api_client_for(make_staff(role, "370200"))
    seen = set()
    for step in (None, "review", "approve"):
        if step == "review":  # investigated, reviewed, its public notice over (the procedure of issue 23)
            review_through_notice(DibaoCase.objects.get(pk=case.pk), reviewer=actors.reviewer)
        elif step == "approve":
            relief_services.dibao_case_approve(actor=actors.approver, case=DibaoCase.objects.get(pk=case.pk))
        status = DibaoCase.objects.get(pk=case.pk).status
        seen.add(status)
        for action in ACTIONS:
            response = api.post(f"/api/v1/dibao-cases/{case.pk}/{action}/", {"note": "x"}, format="json")
            assert response.status_code == 403, (status, action, response.content)
    assert len(seen) == 3

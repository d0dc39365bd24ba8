"""``core.permissions``: one question behind the buttons and the services, refusals in the services' order."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from core import permissions
from core.errors import Conflict, Forbidden, NotFound
from relief.models import DibaoCase, TemporaryReliefClaim
from tests.conftest import OTHER_SUBDISTRICT_COMMUNITY
from tests.factories import make_household

pytestmark = pytest.mark.django_db


def _claim(household, created_by, amount="100.00", status="submitted"):
    return TemporaryReliefClaim.objects.create(
        household=household,
        amount=Decimal(amount),
        kind="urgent",
        reason="火灾",
        created_by=created_by,
        status=status,
    )


def test_an_action_nobody_registered_is_an_error_not_a_silent_no(caseworker):
    with pytest.raises(permissions.UnknownAction):
        permissions.can(caseworker, "fly", DibaoCase)


def test_the_role_must_hold_the_capability(caseworker, make_staff):
    leader = make_staff("leader", "370200")
    assert permissions.can(caseworker, "create", TemporaryReliefClaim)
    assert not permissions.can(leader, "create", TemporaryReliefClaim)
    with pytest.raises(Forbidden):
        permissions.require_can(leader, "create", TemporaryReliefClaim)


def test_outside_the_geography_is_not_found_and_the_state_decides_next(caseworker, make_staff):
    approver = make_staff("subdistrict_approver")
    other = _claim(make_household(community=OTHER_SUBDISTRICT_COMMUNITY), caseworker)
    with pytest.raises(NotFound):
        permissions.require_can(approver, "approve", other)
    done = _claim(make_household(), caseworker, status="rejected")
    with pytest.raises(Conflict) as exc:
        permissions.require_can(approver, "approve", done)
    assert exc.value.code == "invalid_transition"


def test_approval_power_and_own_submission_come_last_with_their_reason(caseworker, make_staff, settings):
    from relief.services import standards_seed

    standards_seed(demo=True)
    approver = make_staff("subdistrict_approver")
    household = make_household()
    small = _claim(household, caseworker, amount="100.00")
    large = _claim(household, caseworker, amount="99999.00")
    own = _claim(household, approver, amount="100.00")
    assert permissions.allowed_actions(approver, small, ["approve", "reject", "withdraw"]) == [
        "approve",
        "reject",
        "withdraw",
    ]
    assert not permissions.can(approver, "approve", large)
    refusal = permissions.refusal(approver, "approve", large)
    assert isinstance(refusal, Forbidden) and "99999.00" in str(refusal.message)
    with translation.override("en"), pytest.raises(Forbidden, match="yourself"):
        permissions.require_can(approver, "approve", own)
    assert permissions.can(make_staff("district_approver", "370202"), "approve", large)


def test_the_template_asks_the_same_question(caseworker, make_staff, rf):
    claim = _claim(make_household(), caseworker)
    template = Template('{% load permissions %}{% can "approve" claim as may %}{% if may %}yes{% else %}no{% endif %}')
    for user, expected in ((caseworker, "no"), (make_staff("district_approver", "370202"), "yes")):
        request = rf.get("/")
        request.user = user
        assert template.render(Context({"request": request, "claim": claim})) == expected

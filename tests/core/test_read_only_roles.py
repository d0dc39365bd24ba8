"""Every unsafe method on every route is refused to the read-only roles (leader, auditor).

The routes come from the URLconf itself (tests/routes.py), DRF's router included, so pages and
endpoints added later are walked without this test changing. Each path parameter is tried with
the ids of records the role can see (leadership sees the whole city), so a refusal is a refusal
of the action, not a "not found".
"""

from __future__ import annotations

import pytest
from pghistory.models import Events

from core.models import RevealLog
from core.roles import READ_ONLY_ROLES, Role
from people.models import Household, HouseholdMember, Person
from tests.conftest import OWN_COMMUNITY
from tests.factories import make_household
from tests.routes import all_routes

pytestmark = pytest.mark.django_db

UNSAFE = ("post", "put", "patch", "delete")
# Routes every signed-in account may post to: its own session, password and language.
ACCOUNT_ROUTES = {"login", "logout", "password-change", "set_language", "api-token", "admin:login", "admin:logout"}
REFUSED = {403, 404, 405}


def _counts() -> tuple[int, ...]:
    return (
        Events.objects.count(),
        RevealLog.objects.count(),
        Person.objects.count(),
        Household.objects.count(),
        HouseholdMember.objects.count(),
    )


def _value_sets(household) -> list[dict[str, str]]:
    member = household.members.first()
    ids = sorted({household.pk, household.head_id, member.pk})
    return [{"pk": str(i), "id": str(i), "member_pk": str(member.pk), "code": "370202"} for i in ids]


@pytest.mark.parametrize("role", sorted(READ_ONLY_ROLES))
def test_every_unsafe_method_is_refused_to_read_only_roles(role, make_staff, client, api_for):
    assert role in {Role.LEADER, Role.AUDITOR}
    household = make_household(community=OWN_COMMUNITY, members=2)
    user = make_staff(role, "370200")
    client.force_login(user)
    api = api_for(user)
    before = _counts()
    walked = 0
    for values in _value_sets(household):
        for route in all_routes(values):
            if route.name in ACCOUNT_ROUTES or route.is_residents:
                continue
            for method in UNSAFE:
                http = api if route.is_api else client
                body = {"name": "改", "address": "改", "reason": "x", "note": "x"}
                response = (
                    getattr(http, method)(route.path, body, format="json")
                    if route.is_api
                    else getattr(http, method)(route.path, body, content_type="application/json")
                )
                walked += 1
                if route.path.startswith("/admin/"):
                    # Not staff: the admin site sends them to its login page.
                    assert response.status_code == 302 and "/admin/login/" in response["Location"], (
                        role,
                        method,
                        route.path,
                    )
                    continue
                assert response.status_code in REFUSED, (role, method, route.path, response.status_code)
                if route.is_api and response.status_code in (403, 404):
                    assert "detail" in response.json(), (route.path, response.content[:200])
    assert walked > 100
    assert _counts() == before, "a refused request wrote something"


def test_the_walk_reaches_every_api_endpoint_of_the_router():
    """A guard on the walker itself: every viewset registered on the router appears."""
    from civil_affairs.api import router

    paths = {r.path for r in all_routes()}
    for prefix, _viewset, _basename in router.registry:
        assert f"/api/v1/{prefix}/" in paths, prefix


def test_a_writing_role_passes_the_same_gate(make_staff, api_for):
    """The control beside the refusal: a caseworker's PATCH on the same route is accepted."""
    household = make_household(community=OWN_COMMUNITY)
    api = api_for(make_staff(Role.CASEWORKER, "370202001"))
    assert api.patch(f"/api/v1/households/{household.pk}/", {"address": "新址"}, format="json").status_code == 200

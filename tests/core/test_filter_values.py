"""Every filter of every list endpoint validates its value: junk is a 400 naming the parameter, never a 5xx.

The walk reads the OpenAPI schema, so a list added later is walked without this test changing.
Each list is requested by a role that may read it (the first of ``ROLES`` that gets a 200), then
once per query parameter per junk value: bounded by parameters × ``JUNK`` (about 700 requests).
A value outside the user's geography may still be a 404 (scoping's "not found").
"""

from __future__ import annotations

import json

import pytest
from drf_spectacular.generators import SchemaGenerator

from tests.conftest import OTHER_DISTRICT, OWN_SUBDISTRICT, api_client_for
from tests.factories import make_household

pytestmark = pytest.mark.django_db

ROLES = [
    ("caseworker", OWN_SUBDISTRICT),
    ("district_approver", "370202"),
    ("finance", "370200"),
    ("registrar", "370200"),
    ("socialorg_officer", "370200"),
    ("placename_officer", "370200"),
    ("admin", "370200"),
    ("leader", "370200"),
    ("security_officer", "370200"),
    ("auditor", "370200"),
]
# A NUL anywhere in a request is refused by the middleware before any view (tests/core/test_bad_input.py).
JUNK = ["abc", "-1", "9" * 40, "2020-13-45", "1.5e999"]
SKIP_PARAMS = {"page", "page_size", "format"}  # pagination answers 404/400 on its own terms


def _list_operations():
    schema = json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True), default=str))
    for path, item in schema["paths"].items():
        get = item.get("get")
        if not get or "{" in path or path.startswith("/api/v1/public/"):
            continue  # the residents' own lists need a resident's token: tests/residents
        params = [p["name"] for p in get.get("parameters", []) if p.get("in") == "query"]
        yield path, [p for p in params if p not in SKIP_PARAMS]


def test_every_filter_answers_junk_with_a_400_naming_it_never_a_5xx(make_staff):
    make_household(members=2)
    clients = [api_client_for(make_staff(role, division)) for role, division in ROLES]
    for c in clients:
        c.raise_request_exception = False
    make_staff("caseworker", OTHER_DISTRICT + "001")
    operations = list(_list_operations())
    assert len(operations) >= 30
    problems, requests, refused = [], 0, 0
    unread = []
    for path, params in operations:
        client = None
        for candidate in clients:
            status = candidate.get(path).status_code
            if status >= 500:
                problems.append(f"{path}: {status} with no parameters")
            if status == 200:
                client = candidate
                break
        if client is None:
            unread.append(path)
            continue
        for param in params:
            for junk in JUNK:
                response = client.get(path, {param: junk})
                requests += 1
                if response.status_code >= 500:
                    problems.append(f"{path}?{param}={junk!r}: {response.status_code}")
                elif response.status_code == 400:
                    refused += 1
                    if param not in response.json():
                        problems.append(f"{path}?{param}={junk!r}: 400 not naming it: {response.json()}")
    assert len(unread) <= 3, unread  # lists that need a parameter no role's bare request gives
    print(f"filter walk: {len(operations)} lists, {requests} requests, {refused} refused with 400")
    assert not problems, "\n".join(problems[:80])


@pytest.mark.parametrize(
    ("who", "path", "param", "value"),
    [
        (("caseworker", OWN_SUBDISTRICT), "/api/v1/review-items/", "division", "9" * 40),
        (("registrar", "370200"), "/api/v1/marriage-registrations/", "person", "abc"),
        (("socialorg_officer", "370200"), "/api/v1/social-org-fee-standards/", "org", "abc"),
        (("socialorg_officer", "370200"), "/api/v1/social-org-inspections/", "year", "abc"),
    ],
)
def test_the_reported_filters_refuse_junk_with_a_400_naming_the_parameter(make_staff, who, path, param, value):
    client = api_client_for(make_staff(*who))
    assert client.get(path).status_code == 200
    response = client.get(path, {param: value})
    assert response.status_code == 400
    assert list(response.json()) == [param]

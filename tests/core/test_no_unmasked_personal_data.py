"""Scan every page and API response a user can reach: no full ID number, bank account or phone.

The browser side is crawled from the home page by following links; the API side from the
router's root, each list and the first record of each. New pages and endpoints are scanned
without this test changing.
"""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urlsplit

import pytest

from core.roles import Role
from people.models import Household, Person
from tests.conftest import OTHER_SUBDISTRICT_COMMUNITY, OWN_COMMUNITY
from tests.factories import make_household

pytestmark = pytest.mark.django_db

HREF = re.compile(r'href="(/[^"#]*)"')
SKIP = ("/logout", "/admin", "/static", "/i18n", "/api/docs", "/login")
MAX_PAGES = 400


def _secrets() -> set[str]:
    values = set(Person.objects.values_list("id_number", flat=True))
    values |= {p for p in Person.objects.values_list("phone", flat=True) if p}
    values |= {b for b in Household.objects.values_list("bank_account", flat=True) if b}
    return values


@pytest.fixture
def data(divisions):
    for community in (OWN_COMMUNITY, OTHER_SUBDISTRICT_COMMUNITY):
        household = make_household(community=community, members=3, bank_account="6222123412341234" + community[-2:])
        Person.objects.filter(pk=household.head_id).update(phone="13912345678")


def _crawl(client) -> dict[str, str]:
    seen: dict[str, str] = {}
    queue = deque(["/"])
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        if url in seen or url.startswith(SKIP):
            continue
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            seen[url] = ""
            continue
        body = response.content.decode()
        seen[url] = body
        for href in HREF.findall(body):
            path = urlsplit(href)
            if "page=" in (path.query or "") and path.path in {urlsplit(u).path for u in seen}:
                continue
            queue.append(href.replace("&amp;", "&"))
    return seen


@pytest.mark.parametrize(
    "role,division",
    [
        (Role.CASEWORKER, "370202001"),
        (Role.DISTRICT_APPROVER, "370202"),
        (Role.LEADER, "370200"),
        (Role.REGISTRAR, "370202"),
        (Role.FINANCE, "370200"),
    ],
)
def test_no_page_shows_an_unmasked_number(role, division, data, make_staff, client):
    client.force_login(make_staff(role, division))
    pages = _crawl(client)
    assert len(pages) > 3
    secrets = _secrets()
    for url, body in pages.items():
        leaked = [s for s in secrets if s in body]
        assert not leaked, f"{url} shows {leaked}"


@pytest.mark.parametrize(
    "role,division", [(Role.CASEWORKER, "370202001"), (Role.LEADER, "370200"), (Role.REGISTRAR, "370202")]
)
def test_no_api_response_shows_an_unmasked_number(role, division, data, make_staff, api_for):
    client = api_for(make_staff(role, division))
    root = client.get("/api/v1/")
    assert root.status_code == 200
    secrets = _secrets()
    bodies = {}
    for url in root.json().values():
        path = urlsplit(url).path
        response = client.get(path + "?page_size=500")
        bodies[path] = response.content.decode()
        if response.status_code == 200 and isinstance(response.json(), dict):
            first = next(iter(response.json().get("results") or []), None)
            if isinstance(first, dict) and "id" in first:
                detail = f"{path}{first['id']}/"
                bodies[detail] = client.get(detail).content.decode()
    bodies["/api/schema/"] = client.get("/api/schema/").content.decode()
    for url, body in bodies.items():
        leaked = [s for s in secrets if s in body]
        assert not leaked, f"{url} shows {leaked}"

"""Scan every page, API response, export and log line a user can reach: no full ID number,
bank account or phone.

The browser side is crawled from the home page by following links (downloads too: any
non-HTML response a link leads to, such as a CSV or XLSX export, is scanned, an XLSX unzipped);
the API side from the router's root, each list and the first record of each. Every log line
written while crawling is scanned as well. New pages, exports and endpoints are scanned
without this test changing.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
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


def _text_of(response) -> str:
    """What a response shows, as text: HTML and CSV as they are, an XLSX (a zip) unpacked."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    return content.decode("utf-8", "replace")


def _crawl(client) -> dict[str, str]:
    seen: dict[str, str] = {}
    queue = deque(["/"])
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        if url in seen or url.startswith(SKIP):
            continue
        response = client.get(url)
        if response.status_code != 200:
            seen[url] = ""
            continue
        if "text/html" not in response.get("Content-Type", ""):
            seen[url] = _text_of(response)  # an export or a download: scanned, not followed
            continue
        body = response.content.decode()
        seen[url] = body
        for href in HREF.findall(body):
            path = urlsplit(href)
            if "page=" in (path.query or "") and path.path in {urlsplit(u).path for u in seen}:
                continue
            queue.append(href.replace("&amp;", "&"))
    return seen


class _Lines(logging.Handler):
    """Every log line, formatted by the configured console handler (with its masking filter)."""

    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []
        self.console = next(h for h in logging.getLogger().handlers if getattr(h, "name", "") == "console")

    def emit(self, record):
        if all(f.filter(record) for f in self.console.filters):
            self.lines.append(self.console.format(record))


@pytest.fixture
def log_lines():
    root = logging.getLogger()
    handler = _Lines()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield handler.lines
    root.removeHandler(handler)
    root.setLevel(old_level)


@pytest.mark.parametrize(
    "role,division",
    [
        (Role.CASEWORKER, "370202001"),
        (Role.DISTRICT_APPROVER, "370202"),
        (Role.LEADER, "370200"),
        (Role.REGISTRAR, "370202"),
        (Role.FINANCE, "370200"),
        (Role.AUDITOR, "370200"),
        (Role.SECURITY_OFFICER, "370200"),
    ],
)
def test_no_page_shows_an_unmasked_number(role, division, data, make_staff, client, log_lines):  # noqa: PLR0917
    client.force_login(make_staff(role, division))
    pages = _crawl(client)
    assert len(pages) >= 3
    secrets = _secrets()
    for url, body in pages.items():
        leaked = [s for s in secrets if s in body]
        assert not leaked, f"{url} shows {leaked}"
    for line in log_lines:
        leaked = [s for s in secrets if s in line]
        assert not leaked, f"a log line shows {leaked}: {line[:200]}"


def test_the_audit_pages_show_history_masked(data, make_staff, client, log_lines):
    """The auditor's change history holds every value ever stored: it must show them masked."""
    from people.services import person_update

    caseworker = make_staff(Role.CASEWORKER, "370202001")
    person = Person.objects.filter(division_id=OWN_COMMUNITY).first()
    person_update(actor=caseworker, person=person, phone="13700001111")
    client.force_login(make_staff(Role.AUDITOR, "370200"))
    body = client.get("/audit/", {"model": "people.Person"}).content.decode()
    assert "1111" in body  # the change is there …
    assert "13700001111" not in body  # … masked
    for secret in _secrets():
        assert secret not in body


def test_a_request_with_a_number_in_its_url_is_logged_masked(data, make_staff, client, log_lines):
    client.force_login(make_staff(Role.CASEWORKER, "370202001"))
    number = Person.objects.first().id_number
    client.get(f"/people/?q={number}")
    client.get(f"/people/{number}/")  # not a route: logged as a 404 with its path
    assert not [line for line in log_lines if number in line]


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

"""Searching by ID number keeps the number out of every URL (issue 22 §14): search forms post, the
query is kept in the session behind a token, and the list reads it back; page and export links
carry the token only."""

from __future__ import annotations

import re

import pytest

from tests.conftest import OWN_COMMUNITY
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def _search(client, path, number, **extra):
    response = client.post(path, {"_search": "1", "q": number, **extra})
    assert response.status_code == 303
    location = response["Location"]
    assert number not in location and number[-6:] not in location
    assert re.fullmatch(re.escape(path) + r"\?qt=[\w-]+", location)
    return location


@pytest.mark.parametrize("path", ["/people/", "/search/"])
def test_a_search_by_id_number_is_posted_and_the_number_stays_out_of_the_url(client, caseworker, path):
    person = PersonFactory(division_id=OWN_COMMUNITY, name="王小明")
    client.force_login(caseworker)
    location = _search(client, path, person.id_number)
    page = client.get(location)
    assert page.status_code == 200
    body = page.content.decode()
    assert "王小明" in body
    for href in re.findall(r'href="([^"]+)"', body):
        assert person.id_number not in href and person.id_number[-6:] not in href, href


def test_the_lists_search_forms_post(client, caseworker):
    client.force_login(caseworker)
    body = client.get("/people/").content.decode()
    forms = re.findall(r"<form[^>]*role=\"search\"[^>]*>", body)
    assert len(forms) == 2  # the header's and the list's
    assert all('method="post"' in f for f in forms)


def test_a_read_only_role_may_still_search(client, make_staff):
    person = PersonFactory(division_id=OWN_COMMUNITY, name="李大力")
    leader = make_staff("leader", "370200")
    client.force_login(leader)
    location = _search(client, "/search/", person.id_number[-6:])
    assert client.get(location).status_code == 200


def test_a_search_post_needs_the_csrf_token(caseworker):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(caseworker)
    assert client.post("/people/", {"_search": "1", "q": "王"}).status_code == 403

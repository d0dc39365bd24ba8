"""Content-Security-Policy and the other headers; CSRF on the session API and on login."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.conftest import PASSWORD
from tests.core.test_no_unmasked_personal_data import _crawl
from tests.factories import make_id_number

pytestmark = pytest.mark.django_db

# A script element without src that the browser would run. A JSON data block (Django's json_script,
# ``type="application/json"``) is never executed, so the policy does not concern it.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*\btype=\"application/json\")[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
JS_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']\s*javascript:""", re.IGNORECASE)


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_pages_carry_a_strict_policy_and_the_other_headers(client, caseworker):
    for url in ("/login/", "/"):
        if url == "/":
            client.force_login(caseworker)
        response = client.get(url)
        policy = _policy(response)
        assert policy["script-src"] == ["'self'"]
        assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
        assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"
        assert "camera=()" in response["Permissions-Policy"]
    assert "no-store" in response["Cache-Control"]  # a signed-in page is never cached


def test_the_api_carries_the_headers(api):
    response = api.get("/api/v1/people/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "no-store" in response["Cache-Control"]


def test_no_page_has_an_inline_script_or_handler(client, make_staff):
    """The policy holds only while the pages need no inline script: crawl them all."""
    for role, division in (("caseworker", "370202001"), ("leader", "370200"), ("auditor", "370200")):
        client.force_login(make_staff(role, division))
        for url, body in _crawl(client).items():
            assert not INLINE_SCRIPT.search(body), url
            assert not INLINE_HANDLER.search(body), url
            assert not JS_URL.search(body), url


def test_the_api_docs_have_their_own_policy_and_no_inline_script(client, caseworker):
    client.force_login(caseworker)
    page = client.get("/api/docs/")
    assert page.status_code == 200
    body = page.content.decode()
    assert not INLINE_SCRIPT.search(body)
    assert _policy(page)["script-src"] == ["'self'"]
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()
    assert "javascript" in script["Content-Type"]


def test_the_session_api_enforces_csrf_and_the_token_api_does_not_need_it(caseworker):
    session_client = APIClient(enforce_csrf_checks=True)
    session_client.force_login(caseworker)
    body = {"id_number": make_id_number(), "name": "张三"}
    refused = session_client.post("/api/v1/people/", body, format="json")
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    page = session_client.get("/people/new/")
    token = page.cookies["csrftoken"].value
    accepted = session_client.post("/api/v1/people/", body, format="json", HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 201
    from tests.conftest import api_client_for

    assert (
        api_client_for(caseworker).post("/api/v1/people/", {**body, "id_number": make_id_number()}, format="json")
    ).status_code == 201


def test_login_enforces_csrf(caseworker):
    client = Client(enforce_csrf_checks=True)
    refused = client.post("/login/", {"username": caseworker.username, "password": PASSWORD})
    assert refused.status_code == 403
    assert "_auth_user_id" not in client.session
    client.get("/login/")
    token = client.cookies["csrftoken"].value
    accepted = client.post(
        "/login/", {"username": caseworker.username, "password": PASSWORD, "csrfmiddlewaretoken": token}
    )
    assert accepted.status_code == 302

"""Residents and staff never cross: a resident's token opens nothing under /api/v1/ outside public/,
and a staff token or session opens nothing of the residents' (a matrix over every route)."""

from __future__ import annotations

import pytest
from django.urls import Resolver404, resolve

from tests.routes import all_routes

pytestmark = pytest.mark.django_db

# Staff endpoints that take no credentials at all (they read them from the body).
OPEN_STAFF_ENDPOINTS = {"/api/v1/auth/token/"}


def _resolves(path: str) -> bool:
    try:
        resolve(path)
    except Resolver404:
        return False  # the filled-in parameter does not fit the route's pattern (an office's 6 digits)
    return True


def _staff_api_routes():
    return [
        r
        for r in all_routes()
        if _resolves(r.path)
        if r.path.startswith("/api/v1/")
        and not r.path.startswith("/api/v1/public/")
        and r.path not in OPEN_STAFF_ENDPOINTS
    ]


def _resident_api_routes():
    open_ones = {"/api/v1/public/auth/code/", "/api/v1/public/auth/token/"}
    return [
        r
        for r in all_routes()
        if _resolves(r.path) and r.path.startswith("/api/v1/public/") and r.path not in open_ones
    ]


def test_the_matrix_covers_the_staff_api():
    paths = {r.path for r in _staff_api_routes()}
    assert "/api/v1/dibao-cases/" in paths and "/api/v1/my/tasks/" in paths and len(paths) > 100


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_resident_token_opens_no_staff_endpoint(resident_api, method):
    client = resident_api()
    assert client.post("/api/v1/public/auth/logout/").status_code == 204  # a live token …
    client = resident_api()
    opened = {}
    for route in _staff_api_routes():
        status = getattr(client, method)(route.path, {}, format="json").status_code
        if status != 401:
            opened[route.path] = status
    assert opened == {}  # … that every staff endpoint refuses as unknown credentials


def test_a_staff_token_opens_no_resident_endpoint(api):
    opened = {}
    for route in _resident_api_routes():
        for method in ("get", "post"):
            status = getattr(api, method)(route.path, {}, format="json").status_code
            if status != 401:
                opened[f"{method} {route.path}"] = status
    assert opened == {}


def test_a_staff_session_opens_no_resident_endpoint(client, caseworker):
    client.force_login(caseworker)
    opened = {}
    for route in _resident_api_routes():
        status = client.get(route.path).status_code
        if status not in (401, 405):
            opened[route.path] = status
    assert opened == {}


def test_a_staff_session_is_no_resident_on_the_site(client, caseworker):
    client.force_login(caseworker)
    answer = client.get("/public/")
    assert answer.status_code == 302 and answer["Location"] == "/public/login/"

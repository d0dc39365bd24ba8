"""A page shows the actions its user may take and no others: no link or button, for any role, leads to a 403.

One walk per role through the demo data (``seed_demo``): every link followed (a couple of
pages of each kind), every POST form submitted with what the page put in it, each inside a
savepoint rolled back. A 403 page, or a service refusing the submission as forbidden, is a
button the page should not have shown.
"""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from core.roles import Role
from tests.crawl import crawl

ROLE_DIVISIONS = {
    Role.CASEWORKER: "370202001",
    Role.SUBDISTRICT_APPROVER: "370202001",
    Role.DISTRICT_APPROVER: "370202",
    Role.LEADER: "370200",
    Role.FINANCE: "370200",
    Role.REGISTRAR: "370202",
    Role.PLACENAME_OFFICER: "370200",
    Role.SOCIALORG_OFFICER: "370200",
    Role.ADMIN: "370200",
    Role.SECURITY_OFFICER: "370200",
    Role.AUDITOR: "370200",
}


@pytest.fixture
def demo_city(divisions, settings, tmp_path):
    settings.BASE_DIR = tmp_path  # the demo accounts' password file goes here, not into the clone
    call_command("seed_demo", households=3, stdout=io.StringIO())


@pytest.mark.django_db
def test_no_page_offers_a_button_that_answers_403_to_any_role(demo_city, make_staff, client):
    problems = []
    for role, division in ROLE_DIVISIONS.items():
        user = make_staff(role, division, username=f"walker_{role}")
        client.force_login(user)
        walk = crawl(client)
        assert walk.pages, role
        problems += [
            f"{role}: {o.method.upper()} {o.target} (on {o.page}) {o.status} {o.detail}" for o in walk.forbidden
        ]
        problems += [f"{role}: {o.method.upper()} {o.target} (on {o.page}) {o.status}" for o in walk.errors]
        client.logout()
    assert not problems, "\n".join(problems)


# --- The walk itself can fail: a page that offers what the user may not do is caught --------------


def _offering_too_much(request):
    from django.http import HttpResponse
    from django.middleware.csrf import get_token

    claim = request.GET.get("claim", "0")
    return HttpResponse(
        '<a href="/audit/">audit</a>'
        f'<form method="post" action="/relief/claims/{claim}/approve/">'
        f'<input type="hidden" name="csrfmiddlewaretoken" value="{get_token(request)}">'
        '<button type="submit">approve</button></form>'
    )


def test_the_walk_reports_a_link_that_answers_403_and_a_form_the_service_refuses(caseworker, client, settings):
    from django.urls import include, path

    from relief.models import TemporaryReliefClaim
    from tests.factories import make_household

    household = make_household()
    claim = TemporaryReliefClaim.objects.create(
        household=household, amount="100.00", kind="urgent", reason="火灾", created_by=caseworker
    )
    module = type("urls", (), {})()
    module.urlpatterns = [path("walk-start/", _offering_too_much), path("", include("civil_affairs.urls"))]
    import sys

    sys.modules["tests._walk_urls"] = module
    settings.ROOT_URLCONF = "tests._walk_urls"
    client.force_login(caseworker)
    walk = crawl(client, start=f"/walk-start/?claim={claim.pk}", per_kind=1, limit=3)
    found = {(o.method, o.target.split("?")[0]) for o in walk.forbidden}
    assert ("get", "/audit/") in found
    assert ("post", f"/relief/claims/{claim.pk}/approve/") in found

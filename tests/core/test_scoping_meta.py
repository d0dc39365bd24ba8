"""Meta-test: every API view's queryset and every browser list passes through ``core.scoping.scope``.

``scope()`` marks the queryset it returns (``core.scoping.is_scoped``; the mark survives
filtering, ordering and slicing, and a fresh ``Model.objects…`` queryset never has it). So:
- API: every DRF view reachable from the URLconf that has a ``get_queryset`` is asked for its
  list queryset, as a user of one sub-district, and the queryset must carry the mark;
- browser: every page without path parameters is requested by users of each role, and every
  paginated list (a ``Page`` in the template context) and every queryset in the context of a
  model with a geography (``scope_field`` set) must carry the mark.
A model with no geography still goes through ``scope()`` (``scope_field = None``), so "public"
is a declaration made once on the model, not an exception made in a view.
"""

from __future__ import annotations

import pytest
from django.core.paginator import Page
from django.db.models import QuerySet
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory, force_authenticate

from core.models import Division
from core.roles import Role
from core.scoping import is_scoped, scope, sees_all
from people.models import Person
from tests.conftest import OTHER_DISTRICT_COMMUNITY, OWN_COMMUNITY
from tests.factories import PersonFactory, make_household
from tests.routes import all_routes, view_class

pytestmark = pytest.mark.django_db


def test_the_mark_is_set_by_scope_and_survives_chaining(caseworker):
    plain = Person.objects.all()
    scoped = scope(plain, caseworker)
    assert not is_scoped(plain) and is_scoped(scoped)
    assert is_scoped(scoped.filter(name="x").order_by("-id")[:10])
    assert not is_scoped(Person.objects.filter(name="x"))


@pytest.mark.parametrize(
    ("role", "division", "everything"),
    [
        ("leader", "370200", True),  # the city's leadership: every person
        ("registrar", "370202001", True),  # a registrar looks people up city-wide (PEOPLE_CITYWIDE)
        ("caseworker", "370202001", False),  # one sub-district
        ("district_approver", "370202", False),  # one district
        ("placename_officer", "370200", False),  # the city, but no right to see people at all
    ],
)
def test_sees_all_says_exactly_when_scope_leaves_every_row(role, division, everything, make_staff):
    PersonFactory(division_id=OWN_COMMUNITY)
    PersonFactory(division_id=OTHER_DISTRICT_COMMUNITY)
    user = make_staff(role, division)
    assert sees_all(Person, user) is everything
    assert (scope(Person.objects.all(), user).count() == Person.objects.count()) is everything
    # A model without geography: all of it for everyone allowed to see it.
    assert sees_all(Division, user) is True


def test_no_one_signed_out_or_inactive_sees_all(make_staff):
    from django.contrib.auth.models import AnonymousUser

    leader = make_staff("leader", "370200")
    leader.is_active = False
    assert not sees_all(Person, AnonymousUser()) and not sees_all(Person, leader)


def _api_views():
    seen = set()
    for route in all_routes():
        cls = view_class(route)
        if cls is None or not issubclass(cls, GenericAPIView) or cls in seen:
            continue
        if route.is_residents:
            continue  # a resident's own rows, never a geography: tests/residents/test_separation.py
        seen.add(cls)
        yield route, cls


@pytest.mark.parametrize("role,division", [(Role.CASEWORKER, "370202001"), (Role.LEADER, "370200")])
def test_every_api_list_queryset_is_scoped(role, division, make_staff):
    user = make_staff(role, division)
    factory = APIRequestFactory()
    checked = []
    for route, cls in _api_views():
        if (
            "get_queryset" not in {n for k in cls.__mro__ if k is not GenericAPIView for n in vars(k)}
            and getattr(cls, "queryset", None) is None
        ):
            continue  # a view with no queryset of its own (the token endpoint, the schema)
        django_request = factory.get(route.path)
        force_authenticate(django_request, user=user)
        view = cls()
        view.request = Request(django_request)
        view.request.user = user
        # A nested list (a parent's id in its path) gets its parent's parameters, as from its URL.
        view.args, view.kwargs, view.format_kwarg = (), {p: "1" for p in route.params}, None
        view.action = "list"
        view.action_map = {"get": "list"}
        view.headers = {}
        qs = view.get_queryset()
        assert isinstance(qs, QuerySet), route.path
        assert is_scoped(qs), f"{cls.__module__}.{cls.__name__} ({route.path}) lists without core.scoping.scope"
        checked.append(route.path)
    assert "/api/v1/people/" in checked and "/api/v1/households/" in checked


def _contexts(response):
    for context in response.context or []:
        for layer in context.dicts:
            yield from layer.items()


@pytest.mark.parametrize(
    "role,division",
    [
        (Role.CASEWORKER, "370202001"),
        (Role.DISTRICT_APPROVER, "370202"),
        (Role.LEADER, "370200"),
        (Role.AUDITOR, "370200"),
        (Role.SECURITY_OFFICER, "370200"),
    ],
)
def test_every_browser_list_is_scoped(role, division, make_staff, client):
    make_household(community=OWN_COMMUNITY, members=2)
    client.force_login(make_staff(role, division))
    lists = 0
    for route in all_routes():
        if route.params or route.is_api or route.path.startswith(("/admin/", "/i18n/", "/logout")):
            continue
        response = client.get(route.path)
        if response.status_code != 200:
            continue
        for key, value in _contexts(response):
            if isinstance(value, Page) and isinstance(value.paginator.object_list, QuerySet):
                lists += 1
                assert is_scoped(value.paginator.object_list), f"{route.path}: the list {key!r} is not scoped"
            elif isinstance(value, QuerySet) and getattr(value.model, "scope_field", None):
                assert is_scoped(value), f"{route.path}: {key!r} ({value.model.__name__}) is not scoped"
    assert lists > 0

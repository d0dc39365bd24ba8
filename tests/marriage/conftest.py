from __future__ import annotations

import datetime

import pytest

from tests.factories import PersonFactory, make_id_number


@pytest.fixture
def person(divisions):
    """A resident whose sex and birth date agree with their ID number."""

    def make(*, male: bool = True, birth: datetime.date = datetime.date(1990, 1, 1), community: str = "370202001001"):
        number = make_id_number(community[:6], birth, male=male)
        return PersonFactory(id_number=number, sex="male" if male else "female", division_id=community)

    return make


@pytest.fixture
def couple(person):
    def make(community_a: str = "370202001001", community_b: str = "370202001001"):
        return person(male=True, community=community_a), person(male=False, community=community_b)

    return make


@pytest.fixture
def registrar(make_staff):
    return make_staff("registrar", "370202")


@pytest.fixture
def registrar_api(api_for, registrar):
    return api_for(registrar)

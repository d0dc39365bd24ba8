"""Search: a fragment anywhere in a name, the end of an ID number, a keyword of an organization or road; scoped."""

from __future__ import annotations

import pytest
from django.db import connection

from people.models import Person
from tests.conftest import OTHER_DISTRICT_COMMUNITY, OWN_COMMUNITY
from tests.factories import PersonFactory, make_household
from tests.social_orgs.conftest import make_credit_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return {
        "li": PersonFactory(name="李建国", division_id=OWN_COMMUNITY),
        "ouyang": PersonFactory(name="欧阳建国", division_id=OWN_COMMUNITY),
        "wang": PersonFactory(name="王芳", division_id=OWN_COMMUNITY),
        "far": PersonFactory(name="赵建国", division_id=OTHER_DISTRICT_COMMUNITY),
    }


def _search(client, q, **extra):
    response = client.get("/api/v1/search/", {"q": q}, **extra)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def _titles(results, type_="person"):
    return sorted(r["title"] for r in results if r["type"] == type_)


def test_a_two_character_fragment_finds_it_anywhere_in_the_name_within_scope(people, api):
    assert _titles(_search(api, "建国")) == ["李建国", "欧阳建国"]  # not 赵建国: another district


@pytest.mark.parametrize(("q", "found"), [("建", ["李建国", "欧阳建国"]), ("阳建国", ["欧阳建国"]), ("芳", ["王芳"])])
def test_one_character_and_longer_fragments(people, api, q, found):
    assert _titles(_search(api, q)) == found


def test_the_last_characters_of_an_id_number_find_the_person_masked(people, api):
    number = people["li"].id_number
    for tail in (number[-4:], number[-6:]):
        results = [r for r in _search(api, tail) if r["type"] == "person"]
        assert [r["id"] for r in results] == [people["li"].pk]
        assert number not in str(results) and number[:6] + "*" in results[0]["subtitle"]


def test_households_organizations_and_roads_by_a_keyword(people, make_staff, api_for):
    from placenames.models import Road
    from social_orgs.models import SocialOrg

    officer = make_staff("socialorg_officer", "370200")
    org = SocialOrg.objects.create(
        name="青岛市海洋经济促进会",
        credit_code=make_credit_code(),
        org_type="group",
        level="city",
        division_id="370200",
        legal_representative="王会长",
        founded_on="2010-06-01",
        status_since="2010-06-01",
        created_by=officer,
    )
    placename = make_staff("placename_officer", "370200")
    road = Road.objects.create(
        name="海洋路",
        pinyin="hǎi yáng lù",
        pinyin_key="haiyanglu",
        district_id="370202",
        road_type="road",
        created_by=placename,
    )
    assert [(r["type"], r["id"]) for r in _search(api_for(officer), "海洋")] == [("social_org", org.pk)]
    assert [(r["type"], r["id"]) for r in _search(api_for(placename), "海洋")] == [("road", road.pk)]
    caseworker = make_staff("caseworker")
    household = make_household(community=OWN_COMMUNITY, address="宁夏路18号")
    found = _search(api_for(caseworker), household.head.name)
    assert ("household", household.pk) in [(r["type"], r["id"]) for r in found]
    assert ("household", household.pk) in [(r["type"], r["id"]) for r in _search(api_for(caseworker), "宁夏路1")]


def test_no_query_is_a_400_and_signed_out_a_401(api, client):
    assert api.get("/api/v1/search/").status_code == 400
    assert client.get("/api/v1/search/", {"q": "建国"}).status_code == 401


def test_the_people_list_filters_with_the_same_matching(people, caseworker, browser_client):
    html = browser_client(caseworker).get("/people/", {"q": "建国"}).content.decode()
    assert "李建国" in html and "欧阳建国" in html and "王芳" not in html and "赵建国" not in html


def test_the_header_search_page_groups_results_by_kind(people, caseworker, browser_client):
    html = browser_client(caseworker).get("/search/", {"q": "建国"}).content.decode()
    assert 'data-type="person"' in html and "欧阳建国" in html


@pytest.mark.parametrize("q", ["建", "建国", "阳建国"])
def test_the_name_index_answers_fragments_of_any_length(people, q):
    """The planner can answer the filter from person_name_chars (sequential scans off to ask it)."""
    from core.search import fragment_filter

    sql, params = fragment_filter(Person.objects.all(), "name", q).query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute("SET LOCAL enable_seqscan = off")
        cur.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cur.fetchall())
    assert "person_name_chars" in plan, plan

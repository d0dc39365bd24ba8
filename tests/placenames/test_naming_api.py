from __future__ import annotations

import datetime

import pytest

from placenames import services
from placenames.models import ApplicationTransition, BannedWord, NamingApplication, Road, UnnamedRoad
from placenames.naming import pinyin_key, romanize
from placenames.selectors import roads_named_count

pytestmark = pytest.mark.django_db

ROADS = "/api/v1/roads/"
APPS = "/api/v1/road-naming-applications/"


@pytest.fixture
def officer(make_staff):
    return make_staff("placename_officer", "370202")


@pytest.fixture
def api(api_for, officer):
    return api_for(officer)


def test_pinyin_ignores_tones_and_romanizes_like_road_signs():
    assert pinyin_key("长江路") == pinyin_key("常江路") == "changjianglu"
    assert romanize("香港中路") == "Xianggang Zhonglu"
    assert romanize("长江路") == "Changjiang Lu"


def test_a_road_enters_the_gazetteer_with_its_pinyin(api):
    response = api.post(ROADS, {"name": "长江路", "district": "370202", "road_type": "road"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["name"], body["pinyin"], body["district"]) == ("长江路", "Changjiang Lu", "370202")
    assert body["warnings"] == []


def test_a_name_already_in_the_gazetteer_is_refused_with_name_taken(api):
    api.post(ROADS, {"name": "长江路", "district": "370202"}, format="json")
    response = api.post(APPS, {"proposed_name": "长江路", "district": "370202"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "name_taken"
    assert not NamingApplication.objects.exists()
    again = api.post(ROADS, {"name": "长江路", "district": "370202"}, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "name_taken"


def test_a_name_taken_in_another_district_is_taken_in_the_city(api_for, make_staff, api):
    api.post(ROADS, {"name": "长江路", "district": "370202"}, format="json")
    other = api_for(make_staff("placename_officer", "370211"))
    response = other.post(APPS, {"proposed_name": "长江路", "district": "370211"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "name_taken"


def test_a_homophone_is_accepted_with_a_warning(api):
    api.post(ROADS, {"name": "长江路", "district": "370202"}, format="json")
    response = api.post(APPS, {"proposed_name": "常江路", "district": "370202"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "proposed"
    assert len(body["warnings"]) == 1
    assert "长江路" in body["warnings"][0]
    assert NamingApplication.objects.get().warnings[0]["code"] == "homophone"


def test_a_homophone_road_entry_is_accepted_with_a_warning(api):
    api.post(ROADS, {"name": "长江路", "district": "370202"}, format="json")
    response = api.post(ROADS, {"name": "常江路", "district": "370202"}, format="json")
    assert response.status_code == 201
    assert "长江路" in response.json()["warnings"][0]


def test_a_name_without_a_homophone_has_no_warnings(api):
    api.post(ROADS, {"name": "长江路", "district": "370202"}, format="json")
    response = api.post(APPS, {"proposed_name": "黄河路", "district": "370202"}, format="json")
    assert response.json()["warnings"] == []


def test_a_banned_word_is_refused_and_the_list_is_configurable(api):
    BannedWord.objects.get_or_create(word="皇家")
    response = api.post(APPS, {"proposed_name": "皇家大道", "district": "370202"}, format="json")
    assert response.status_code == 400
    assert "proposed_name" in response.json()
    added = api.post("/api/v1/road-banned-words/", {"word": "巴黎", "reason": "崇洋"}, format="json")
    assert added.status_code == 201
    assert api.post(APPS, {"proposed_name": "巴黎路", "district": "370202"}, format="json").status_code == 400
    api.post(f"/api/v1/road-banned-words/{added.json()['id']}/deactivate/")
    assert api.post(APPS, {"proposed_name": "巴黎路", "district": "370202"}, format="json").status_code == 201


def test_banned_words_are_configured_only_by_place_name_officers(api_for, make_staff):
    response = api_for(make_staff("leader", "370200")).post("/api/v1/road-banned-words/", {"word": "霸"}, format="json")
    assert response.status_code == 403


@pytest.mark.parametrize("name", ["路", "一二三四五六七八九十一二三四五六七八九十路", "Main路", "长江 路!"])
def test_names_of_wrong_length_or_characters_are_refused(api, name):
    response = api.post(APPS, {"proposed_name": name, "district": "370202"}, format="json")
    assert response.status_code == 400
    assert "proposed_name" in response.json()


def test_a_name_without_a_road_generic_is_accepted_with_a_warning(api):
    response = api.post(APPS, {"proposed_name": "幸福里程", "district": "370202"}, format="json")
    assert response.status_code == 201
    assert response.json()["warnings"]


def test_a_district_officer_names_roads_in_their_district_only(api):
    response = api.post(APPS, {"proposed_name": "黄河路", "district": "370203"}, format="json")
    assert response.status_code == 400
    assert "district" in response.json()


def test_a_caseworker_may_not_propose_names(api_for, make_staff):
    response = api_for(make_staff()).post(APPS, {"proposed_name": "黄河路", "district": "370202"}, format="json")
    assert response.status_code == 403


def test_roads_outside_the_officers_district_are_not_found(api_for, make_staff, api):
    road = api.post(ROADS, {"name": "长江路", "district": "370202"}, format="json").json()
    other = api_for(make_staff("placename_officer", "370203"))
    assert other.get(f"{ROADS}{road['id']}/").status_code == 404
    assert api_for(make_staff("placename_officer", "370200")).get(f"{ROADS}{road['id']}/").status_code == 200


# --- The application's path to publication ------------------------------------------------------


def walk_to_notice(api, application_id):
    for action, body in [("check", {}), ("refer", {}), ("notice", {"expert_opinion": "专家组一致同意"})]:
        response = api.post(f"{APPS}{application_id}/{action}/", body, format="json")
        assert response.status_code == 200, (action, response.content)
    return response.json()


def test_an_application_moves_to_publication_and_names_the_unnamed_road(api, officer):
    unnamed = api.post(
        "/api/v1/unnamed-roads/",
        {"location": "海尔路以东、规划三号线以北", "district": "370202", "found_on": "2020-03-10", "length_m": 820},
        format="json",
    ).json()
    assert unnamed["status"] == "unnamed"
    application = api.post(
        APPS, {"proposed_name": "松岭东路", "district": "370202", "unnamed_road": unnamed["id"]}, format="json"
    ).json()
    assert UnnamedRoad.objects.get(pk=unnamed["id"]).status == "naming"
    notice = walk_to_notice(api, application["id"])
    assert notice["status"] == "public_notice"
    start = datetime.date.fromisoformat(notice["notice_from"])
    early = api.post(
        f"{APPS}{application['id']}/approve/", {"approval_document": "青政地名〔2020〕12号"}, format="json"
    )
    assert early.status_code == 409
    assert early.json()["code"] == "notice_running"
    after = start + datetime.timedelta(days=31)
    approved = services.application_approve(
        actor=officer, application=application["id"], approval_document="青政地名〔2020〕12号", today=after
    )
    assert approved.status == "approved"
    published = api.post(f"{APPS}{application['id']}/publish/", {}, format="json")
    assert published.status_code == 200, published.content
    road = Road.objects.get(name="松岭东路")
    assert published.json()["road"] == road.pk
    assert (road.pinyin, road.length_m, road.approved_on) == ("Songling Donglu", 820, after)
    closed = UnnamedRoad.objects.get(pk=unnamed["id"])
    assert (closed.status, closed.named_as) == ("named", road)
    steps = list(
        ApplicationTransition.objects.filter(application_id=application["id"]).values_list("to_status", flat=True)
    )
    assert steps == ["proposed", "checked", "expert_review", "public_notice", "approved", "published"]
    assert roads_named_count(user=officer, date_from=after, date_to=after) == 1


def test_publication_is_refused_when_the_name_was_taken_meanwhile(api, officer):
    application = api.post(APPS, {"proposed_name": "松岭东路", "district": "370202"}, format="json").json()
    notice = walk_to_notice(api, application["id"])
    services.application_approve(
        actor=officer,
        application=application["id"],
        approval_document="doc",
        today=datetime.date.fromisoformat(notice["notice_until"]) + datetime.timedelta(days=1),
    )
    services.road_create(actor=officer, name="松岭东路", district="370202")
    response = api.post(f"{APPS}{application['id']}/publish/", {}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "name_taken"
    assert NamingApplication.objects.get().status == "approved"


def test_steps_cannot_be_skipped(api):
    application = api.post(APPS, {"proposed_name": "黄河路", "district": "370202"}, format="json").json()
    response = api.post(f"{APPS}{application['id']}/publish/", {}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    response = api.post(f"{APPS}{application['id']}/notice/", {"expert_opinion": "同意"}, format="json")
    assert response.json()["code"] == "invalid_transition"


def test_a_rejected_application_returns_the_road_to_the_inventory(api):
    unnamed = api.post("/api/v1/unnamed-roads/", {"location": "某处", "district": "370202"}, format="json").json()
    application = api.post(
        APPS, {"proposed_name": "黄河路", "district": "370202", "unnamed_road": unnamed["id"]}, format="json"
    ).json()
    assert api.post(f"{APPS}{application['id']}/reject/", {}, format="json").status_code == 400
    response = api.post(f"{APPS}{application['id']}/reject/", {"note": "专家不同意"}, format="json")
    assert response.json()["status"] == "rejected"
    assert UnnamedRoad.objects.get(pk=unnamed["id"]).status == "unnamed"


def test_an_unnamed_road_has_one_open_application_at_a_time(api):
    unnamed = api.post("/api/v1/unnamed-roads/", {"location": "某处", "district": "370202"}, format="json").json()
    api.post(APPS, {"proposed_name": "黄河路", "district": "370202", "unnamed_road": unnamed["id"]}, format="json")
    response = api.post(
        APPS, {"proposed_name": "淮河路", "district": "370202", "unnamed_road": unnamed["id"]}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "unnamed_road_not_open"


def test_a_name_proposed_twice_warns_the_second_proposer(api):
    api.post(APPS, {"proposed_name": "黄河路", "district": "370202"}, format="json")
    response = api.post(APPS, {"proposed_name": "黄河路", "district": "370202"}, format="json")
    assert response.status_code == 201
    assert NamingApplication.objects.last().warnings[0]["code"] == "pending_same_name"


def test_a_leader_reads_the_gazetteer_but_may_not_enter_roads(api_for, make_staff, api):
    api.post(ROADS, {"name": "长江路", "district": "370202"}, format="json")
    leader = api_for(make_staff("leader", "370200"))
    assert leader.get(ROADS).json()["count"] == 1
    assert leader.post(ROADS, {"name": "黄河路", "district": "370202"}, format="json").status_code == 403


def test_the_gazetteer_is_searched_by_pinyin(api):
    api.post(ROADS, {"name": "长江路", "district": "370202"}, format="json")
    api.post(ROADS, {"name": "黄河路", "district": "370202"}, format="json")
    assert [r["name"] for r in api.get(f"{ROADS}?q=changjiang").json()["results"]] == ["长江路"]
    assert [r["name"] for r in api.get(f"{ROADS}?q=常江路").json()["results"]] == ["长江路"]

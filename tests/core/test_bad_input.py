"""Bad input: oversized bodies, malformed JSON, unknown fields, huge page sizes, SQL- and
script-looking text. Each gets a clear 4xx in api.md's shape, writes nothing, echoes nothing raw."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from pghistory.models import Events

from people.models import Household, Person
from tests.conftest import OWN_COMMUNITY
from tests.factories import PersonFactory, make_household, make_id_number

pytestmark = pytest.mark.django_db

SQL = "王'); DROP TABLE people_person;--"
SCRIPT = "<script>alert(1)</script>"
NASTY = [
    SQL,
    SCRIPT,
    "' OR '1'='1",
    "<img src=x onerror=alert(1)>",
    "李四\x00",
    "x UNION SELECT password FROM core_user",
]


def _written() -> tuple[int, int, int]:
    return Person.objects.count(), Household.objects.count(), Events.objects.count()


def test_an_oversized_body_is_refused_before_it_is_read(api):
    before = _written()
    body = json.dumps({"id_number": make_id_number(), "name": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)})
    response = api.post("/api/v1/people/", body, content_type="application/json")
    assert response.status_code == 413 and set(response.json()) == {"detail"}
    assert _written() == before


def test_an_oversized_upload_is_a_400_on_its_file_field_before_it_is_read(api):
    size = settings.MAX_UPLOAD_SIZE + 1
    response = api.generic(
        "POST",
        "/api/v1/imports/",
        b"x" * 16,
        content_type="multipart/form-data; boundary=xyz",
        CONTENT_LENGTH=str(size),
    )
    assert response.status_code == 400 and set(response.json()) == {"file"}


def test_an_oversized_form_is_refused(client, caseworker):
    client.force_login(caseworker)
    response = client.post("/people/new/", {"name": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)})
    assert response.status_code in (400, 413)


@pytest.mark.parametrize("body", ['{"name": "x",', "[1, 2", "not json", '{"name": "x"}}', "\x00\x01"])
def test_malformed_json_is_a_400_with_detail(api, body):
    before = _written()
    response = api.post("/api/v1/people/", body, content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()) == {"non_field_errors"}  # api.md's 400 shape
    assert _written() == before


def test_a_json_array_instead_of_an_object_is_a_400(api):
    response = api.post("/api/v1/people/", "[]", content_type="application/json")
    assert response.status_code == 400 and "non_field_errors" in response.json()


def test_unknown_fields_are_refused_naming_the_field(api):
    before = _written()
    response = api.post(
        "/api/v1/people/", {"id_number": make_id_number(), "name": "张三", "is_superuser": True}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"is_superuser"}
    assert _written() == before


def test_an_unknown_nested_field_is_refused(api):
    head = PersonFactory(division_id=OWN_COMMUNITY)
    response = api.post(
        "/api/v1/households/",
        {
            "community": OWN_COMMUNITY,
            "address": "测试路",
            "area_type": "urban",
            "head": head.pk,
            "members": [{"person": head.pk, "relationship": "head", "salary": 1}],
        },
        format="json",
    )
    assert response.status_code == 400
    assert "salary" in json.dumps(response.json())
    assert not Household.objects.exists()


@pytest.mark.parametrize("size", ["501", "100000", "99999999999999999999999", "-1", "abc", "1e9"])
def test_a_huge_or_odd_page_size_is_capped(api, size):
    for _ in range(3):
        PersonFactory(division_id=OWN_COMMUNITY)
    response = api.get(f"/api/v1/people/?page_size={size}")
    assert response.status_code == 200
    assert len(response.json()["results"]) <= 500


def test_page_size_is_capped_at_500(api, caseworker):
    Person.objects.bulk_create(
        [
            Person(
                id_number=make_id_number(),
                name=f"批{n}",
                sex="male",
                birth_date="1980-01-01",
                division_id=OWN_COMMUNITY,
                created_by=caseworker,
            )
            for n in range(510)
        ]
    )
    response = api.get("/api/v1/people/?page_size=100000")
    assert response.status_code == 200 and len(response.json()["results"]) == 500


@pytest.mark.parametrize("text", NASTY)
def test_sql_and_script_looking_text_is_refused_in_every_api_text_field(api, text):
    before = _written()
    person = PersonFactory(division_id=OWN_COMMUNITY)
    household = make_household(community=OWN_COMMUNITY)
    before = _written()
    attempts = [
        ("post", "/api/v1/people/", {"id_number": make_id_number(), "name": text}),
        ("post", "/api/v1/people/", {"id_number": make_id_number(), "name": "张三", "phone": text}),
        ("patch", f"/api/v1/people/{person.pk}/", {"name": text}),
        ("patch", f"/api/v1/households/{household.pk}/", {"address": text}),
        ("patch", f"/api/v1/households/{household.pk}/", {"bank_name": text}),
        ("post", f"/api/v1/people/{person.pk}/reveal/", {"reason": text}),
    ]
    for method, url, body in attempts:
        response = getattr(api, method)(url, body, format="json")
        assert response.status_code == 400, (url, body, response.status_code)
        field = next(iter(body.keys() - {"id_number"})) if len(body) > 1 else next(iter(body))
        assert field in response.json() or "phone" in response.json(), response.json()
        raw = response.content.decode()
        assert "<script>" not in raw and "<img" not in raw
    assert _written() == before


def test_script_text_in_a_browser_form_is_refused_and_never_echoed_raw(client, caseworker):
    client.force_login(caseworker)
    before = _written()
    response = client.post("/people/new/", {"id_number": make_id_number(), "name": SCRIPT, "phone": ""})
    assert response.status_code == 200  # the form again, with the error
    body = response.content.decode()
    assert SCRIPT not in body and "&lt;script&gt;" in body  # escaped where it is shown back
    assert _written() == before


def test_search_strings_are_harmless_and_escaped(client, caseworker, api):
    client.force_login(caseworker)
    for text in NASTY:
        page = client.get("/people/", {"q": text})
        expected = 400 if "\x00" in text else 200  # PostgreSQL text cannot hold a NUL: refused first
        assert page.status_code == expected
        assert "<script>alert" not in page.content.decode()
        response = api.get("/api/v1/people/", {"q": text})
        assert response.status_code == expected
        if expected == 400:
            assert set(response.json()) == {"non_field_errors"}


def test_plain_names_and_addresses_are_still_accepted(api):
    response = api.post("/api/v1/people/", {"id_number": make_id_number(), "name": "欧阳·娜娜"}, format="json")
    assert response.status_code == 201
    pk = response.json()["id"]
    assert api.patch(f"/api/v1/people/{pk}/", {"name": "O'Brien"}, format="json").status_code == 200


@pytest.mark.parametrize("path", ["/api/v1/people/", "/api/v1/households/", "/api/v1/imports/"])
@pytest.mark.parametrize("body", ["[" * 50_000, '{"a":' * 65 + "1" + "}" * 65, "[" * 65 + "]" * 65])
def test_json_nested_deeper_than_64_levels_is_a_400_on_every_json_endpoint(api, path, body):
    before = _written()
    response = api.post(path, body, content_type="application/json")
    assert response.status_code == 400
    assert list(response.json()) == ["non_field_errors"]
    assert "64" in response.json()["non_field_errors"][0]
    assert _written() == before


def test_json_64_levels_deep_is_parsed_and_judged_on_its_fields(api):
    response = api.post("/api/v1/people/", "[" * 64 + "]" * 64, content_type="application/json")
    assert response.status_code == 400
    assert "64" not in str(response.json())


@pytest.mark.parametrize(("language", "words"), [("en", "too large"), ("zh-hans", "过大")])
def test_the_413_message_is_in_the_language_the_request_asks_for(api, language, words):
    body = json.dumps({"name": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)})
    response = api.post("/api/v1/people/", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 413
    assert words in response.json()["detail"]

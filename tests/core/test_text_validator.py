"""One text validator (core.textsafety) for forms, the API and imports: invisible and bidi characters
refused with a clear message on the field, names brought to NFKC, markup refused in imports too."""

from __future__ import annotations

import pytest

from people.models import Person
from tests.factories import make_id_number
from tests.imports.conftest import csv_bytes, household_rows, upload

pytestmark = pytest.mark.django_db

INVISIBLE = ["\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\u200b", "\ufeff", "\u2028"]


@pytest.mark.parametrize("char", INVISIBLE)
def test_the_api_refuses_an_invisible_or_bidi_character_in_a_name_with_a_400_on_name(api, char):
    response = api.post(
        "/api/v1/people/",
        {"id_number": make_id_number(), "name": f"张{char}三"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["name"]
    assert f"U+{ord(char):04X}" in response.json()["name"][0]
    assert not Person.objects.exists()


def test_the_api_refuses_a_bidi_override_in_a_note(api):
    from tests.factories import PersonFactory

    person = PersonFactory(division_id="370202001001")
    response = api.post(f"/api/v1/people/{person.pk}/reveal/", {"reason": "核对\u202e材料"}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["reason"]


def test_a_name_is_stored_in_nfkc(api):
    response = api.post("/api/v1/people/", {"id_number": make_id_number(), "name": "Ｗａｎｇ　Ｆａｎｇ"}, format="json")
    assert response.status_code == 201, response.content
    assert Person.objects.get().name == "Wang Fang"


def test_tabs_newlines_and_chinese_spaces_are_still_text(api):
    from core.textsafety import is_plain_text

    assert is_plain_text("第一行\n第二行\t备注")
    assert is_plain_text("李\u3000四")


@pytest.mark.parametrize("char", ["\u202e", "\u200b"])
def test_a_browser_form_refuses_the_same_characters_on_its_field(client, caseworker, char):
    client.force_login(caseworker)
    response = client.post(
        "/people/new/", {"id_number": make_id_number(), "name": f"王{char}芳"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert "name" in response.context["form"].errors
    assert f"U+{ord(char):04X}" in response.context["form"].errors["name"][0]
    assert not Person.objects.exists()


@pytest.mark.parametrize(("name", "words"), [("<b>王芳</b>", "not accepted"), ("王\u202e芳", "U+202E")])
def test_a_household_import_refuses_the_names_the_api_refuses(api, settings, name, words):
    settings.IMPORT_SYNC_MAX_BYTES = 50 * 1024 * 1024
    rows = household_rows(2, members=2)
    rows[2][1] = name
    response = upload(api, csv_bytes(rows), name="households.csv")
    assert response.status_code == 202, response.content
    job = api.get(f"/api/v1/imports/{response.json()['id']}/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert job["status"] == "rejected"
    assert any(e["row"] == 4 and e["field"] == "name" and words in e["message"] for e in job["errors"]), job["errors"]
    assert not Person.objects.exists()

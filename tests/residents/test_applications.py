"""Online applications (api.md, "Residents online"): a resident applies, follows the steps, withdraws;
a caseworker of the community's sub-district accepts or declines. Each refusal beside its success."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.cases import DECISION_WORKING_DAYS, add_working_days, local_today
from documents.models import Attachment
from people.models import HouseholdMeans, Person
from relief.models import DibaoCase, TemporaryReliefClaim
from residents.models import OnlineApplication
from tests.conftest import (
    OTHER_DISTRICT,
    OTHER_SUBDISTRICT,
    OTHER_SUBDISTRICT_COMMUNITY,
    OWN_COMMUNITY,
    OWN_SUBDISTRICT,
)
from tests.residents.conftest import application_body, png_bytes

pytestmark = pytest.mark.django_db

APPS = "/api/v1/public/applications/"
STAFF = "/api/v1/online-applications/"


def _apply(client, **kwargs):
    return client.post(APPS, application_body(**kwargs), format="json")


def test_a_resident_applies_and_sees_it_received(resident_api):
    client = resident_api()
    answer = _apply(client)
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["status"] == "submitted" and body["reference"].startswith("WS") and body["id"]
    detail = client.get(f"{APPS}{body['id']}/").json()
    assert [s["step"] for s in detail["steps"]] == ["Application received"] or detail["steps"][0][
        "step"
    ] == "已收到申请"
    assert set(detail["steps"][0]) == {"at", "step", "note"}
    assert client.get(APPS).json()["count"] == 1


def test_steps_are_in_english_on_request(resident_api):
    client = resident_api()
    pk = _apply(client).json()["id"]
    english = client.get(f"{APPS}{pk}/", HTTP_ACCEPT_LANGUAGE="en").json()
    chinese = client.get(f"{APPS}{pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert english["steps"][0]["step"] == "Application received"
    assert chinese["steps"][0]["step"] == "已收到申请"


def test_a_bad_applicant_id_number_is_400(resident_api):
    client = resident_api()
    body = application_body()
    bad = body["applicant"]["id_number"][:-1] + ("0" if body["applicant"]["id_number"][-1] != "0" else "1")
    body["applicant"]["id_number"] = bad
    answer = client.post(APPS, body, format="json")
    assert answer.status_code == 400 and "applicant" in answer.json()
    assert OnlineApplication.objects.count() == 0


def test_a_bad_member_id_number_is_400(resident_api):
    client = resident_api()
    body = application_body()
    body["members"][1]["id_number"] = "370202199001011230"
    answer = client.post(APPS, body, format="json")
    assert answer.status_code == 400 and "members" in answer.json()


def test_markup_in_the_reason_is_400(resident_api):
    answer = _apply(resident_api(), reason="<script>alert(1)</script>")
    assert answer.status_code == 400 and "reason" in answer.json()


def test_temporary_relief_needs_the_amount(resident_api):
    client = resident_api()
    body = application_body("temporary_relief")
    del body["amount"]
    assert client.post(APPS, body, format="json").status_code == 400
    assert _apply(client, kind="temporary_relief").status_code == 201


def test_a_refused_authorization_is_400_and_a_signed_one_is_recorded(resident_api):
    client = resident_api()
    refused = _apply(client, authorization=False)
    assert refused.status_code == 400 and "authorization" in refused.json()
    pk = _apply(client, authorization=True).json()["id"]
    assert OnlineApplication.objects.get(pk=pk).authorized_at is not None


@pytest.mark.parametrize("kind", ["dibao", "tekun", "temporary_relief"])
def test_a_refused_authorization_is_400_naming_it_and_nothing_is_written(resident_api, kind):
    client = resident_api()
    body = application_body(kind, authorization=False)
    answer = client.post(APPS, body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 400
    assert list(answer.json()) == ["authorization"]
    assert "authorization for the economic-situation check" in answer.json()["authorization"][0]
    chinese = client.post(APPS, body, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert chinese.status_code == 400 and "核对授权" in chinese.json()["authorization"][0]
    assert OnlineApplication.objects.count() == 0
    body["authorization"] = True
    assert client.post(APPS, body, format="json").status_code == 201


def test_the_body_of_api_md_without_the_key_is_received_to_be_signed_at_the_investigation(resident_api):
    body = application_body()
    del body["authorization"]  # api.md's body names no such key: a client following it to the letter
    answer = resident_api().post(APPS, body, format="json")
    assert answer.status_code == 201 and answer.json()["status"] == "submitted"
    assert OnlineApplication.objects.get(pk=answer.json()["id"]).authorized_at is None


def test_the_same_application_twice_while_waiting_is_409(resident_api):
    client = resident_api()
    body = application_body()
    assert client.post(APPS, body, format="json").status_code == 201
    again = client.post(APPS, body, format="json")
    assert again.status_code == 409 and again.json()["code"] == "already_applied"


def test_another_residents_application_is_404(resident_api):
    mine = resident_api("13800001111")
    pk = _apply(mine).json()["id"]
    theirs = resident_api("13900002222")
    assert mine.get(f"{APPS}{pk}/").status_code == 200
    assert theirs.get(f"{APPS}{pk}/").status_code == 404
    assert theirs.post(f"{APPS}{pk}/withdraw/", {}, format="json").status_code == 404
    assert theirs.get(APPS).json()["count"] == 0


def test_a_resident_withdraws_while_waiting_but_not_twice(resident_api):
    client = resident_api()
    pk = _apply(client).json()["id"]
    answer = client.post(f"{APPS}{pk}/withdraw/", {}, format="json")
    assert answer.status_code == 200 and answer.json()["status"] == "withdrawn"
    assert client.post(f"{APPS}{pk}/withdraw/", {}, format="json").status_code == 409


def test_a_photo_is_attached_and_a_program_refused(resident_api):
    client = resident_api()
    pk = _apply(client).json()["id"]
    photo = SimpleUploadedFile("户口本.png", png_bytes(), content_type="image/png")
    answer = client.post(f"{APPS}{pk}/attachments/", {"file": photo, "kind": "household_register"}, format="multipart")
    assert answer.status_code == 201, answer.content
    program = SimpleUploadedFile("photo.png", b"MZ\x90\x00" + b"\x00" * 100, content_type="image/png")
    refused = client.post(f"{APPS}{pk}/attachments/", {"file": program}, format="multipart")
    assert refused.status_code == 400 and "file" in refused.json()
    assert [a["kind"] for a in client.get(f"{APPS}{pk}/").json()["attachments"]] == ["household_register"]


# --- Staff: the community's sub-district ------------------------------------------------------------


def test_staff_see_the_applications_of_their_sub_district_only(resident_api, make_staff, api_for):
    client = resident_api()
    own = _apply(client).json()["id"]
    other = _apply(resident_api("13900002222"), community=OTHER_SUBDISTRICT_COMMUNITY).json()["id"]
    mine = api_for(make_staff("caseworker", OWN_SUBDISTRICT))
    listed = [r["id"] for r in mine.get(STAFF, {"status": "submitted"}).json()["results"]]
    assert listed == [own]
    assert mine.get(f"{STAFF}{other}/").status_code == 404
    assert mine.post(f"{STAFF}{other}/accept/", {}, format="json").status_code == 404
    neighbour = api_for(make_staff("caseworker", OTHER_SUBDISTRICT))
    assert [r["id"] for r in neighbour.get(STAFF).json()["results"]] == [other]
    far = api_for(make_staff("caseworker", OTHER_DISTRICT))
    assert far.get(STAFF).json()["count"] == 0


def test_a_caseworker_accepts_a_dibao_application(resident_api, caseworker, api_for, standards):
    client = resident_api()
    pk = _apply(client).json()["id"]
    photo = SimpleUploadedFile("id.png", png_bytes(), content_type="image/png")
    client.post(f"{APPS}{pk}/attachments/", {"file": photo, "kind": "id_card"}, format="multipart")
    staff = api_for(caseworker)
    answer = staff.post(f"{STAFF}{pk}/accept/", {}, format="json")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["status"] == "accepted" and body["case"]
    case = DibaoCase.objects.get(pk=body["case"])
    assert case.status == "submitted" and case.household_id == body["household"]
    assert case.household.community_id == OWN_COMMUNITY and case.members_count == 2
    assert case.decision_due == add_working_days(local_today(), DECISION_WORKING_DAYS)  # the clock started
    assert HouseholdMeans.objects.filter(household=case.household, occasion="online_application").exists()
    carried = Attachment.objects.filter(object_id=case.pk, content_type__model="dibaocase")
    assert [a.kind for a in carried] == ["id_card"]
    resident_view = client.get(f"{APPS}{pk}/").json()
    assert resident_view["status"] == "accepted"
    assert len(resident_view["steps"]) == 2
    assert staff.post(f"{STAFF}{pk}/accept/", {}, format="json").status_code == 409  # not twice


def test_accept_matches_an_existing_household(resident_api, caseworker, api_for, standards):
    from tests.factories import make_household

    household = make_household(community=OWN_COMMUNITY, members=2)
    head = household.head
    body = application_body(members=1)
    body["applicant"] = {"id_number": head.id_number, "name": head.name}
    body["members"] = [{"id_number": head.id_number, "name": head.name, "relationship": "head"}]
    pk = resident_api().post(APPS, body, format="json").json()["id"]
    answer = api_for(caseworker).post(f"{STAFF}{pk}/accept/", {}, format="json")
    assert answer.status_code == 200
    assert answer.json()["household"] == household.pk
    assert Person.objects.filter(id_number=head.id_number).count() == 1


def test_a_duplicate_is_shown_and_cannot_be_accepted(resident_api, caseworker, api_for, standards):
    staff = api_for(caseworker)
    first = _apply(resident_api()).json()["id"]
    assert staff.post(f"{STAFF}{first}/accept/", {}, format="json").status_code == 200
    application = OnlineApplication.objects.get(pk=first)
    body = application_body()
    body["applicant"] = {"id_number": application.applicant_id_number, "name": application.applicant_name}
    body["members"] = application.members
    second = resident_api("13900002222").post(APPS, body, format="json").json()["id"]
    shown = staff.get(f"{STAFF}{second}/").json()
    assert shown["duplicate"]["id"] == application.dibao_case_id
    refused = staff.post(f"{STAFF}{second}/accept/", {}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "duplicate"
    assert DibaoCase.objects.count() == 1


def test_decline_needs_a_note_and_the_resident_reads_it(resident_api, caseworker, api_for):
    client = resident_api()
    pk = _apply(client).json()["id"]
    staff = api_for(caseworker)
    without = staff.post(f"{STAFF}{pk}/decline/", {}, format="json")
    assert without.status_code == 400 and "note" in without.json()
    answer = staff.post(f"{STAFF}{pk}/decline/", {"note": "户籍不在本社区，请到户籍地申请"}, format="json")
    assert answer.status_code == 200 and answer.json()["status"] == "declined"
    seen = client.get(f"{APPS}{pk}/").json()
    assert seen["status"] == "declined"
    assert seen["steps"][-1]["note"] == "户籍不在本社区，请到户籍地申请"
    assert client.post(f"{APPS}{pk}/withdraw/", {}, format="json").status_code == 409


def test_only_caseworkers_accept(resident_api, make_staff, api_for):
    pk = _apply(resident_api()).json()["id"]
    approver = api_for(make_staff("subdistrict_approver", OWN_SUBDISTRICT))
    assert approver.get(f"{STAFF}{pk}/").status_code == 200
    assert approver.post(f"{STAFF}{pk}/accept/", {}, format="json").status_code == 403
    assert approver.post(f"{STAFF}{pk}/decline/", {"note": "x"}, format="json").status_code == 403


def test_the_work_queue_offers_online_to_accept_to_caseworkers_only(resident_api, caseworker, make_staff, api_for):
    _apply(resident_api())
    tasks = {t["kind"]: t for t in api_for(caseworker).get("/api/v1/my/tasks/").json()["items"]}
    assert tasks["online_to_accept"]["count"] == 1
    assert tasks["online_to_accept"]["link"] == "/online-applications/?status=submitted"
    approver = api_for(make_staff("subdistrict_approver", OWN_SUBDISTRICT))
    assert "online_to_accept" not in {t["kind"] for t in approver.get("/api/v1/my/tasks/").json()["items"]}
    neighbour = api_for(make_staff("caseworker", OTHER_SUBDISTRICT))
    assert "online_to_accept" not in {t["kind"] for t in neighbour.get("/api/v1/my/tasks/").json()["items"]}


def test_a_relief_claim_above_the_cap_is_refused_at_accept_and_nothing_is_written(
    resident_api, caseworker, api_for, standards
):
    client = resident_api()
    pk = _apply(client, kind="temporary_relief", amount="99999.00").json()["id"]
    refused = api_for(caseworker).post(f"{STAFF}{pk}/accept/", {}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "annual_cap_exceeded"
    assert "30000.00" in refused.json()["detail"]
    assert TemporaryReliefClaim.objects.count() == 0 and Person.objects.count() == 0
    assert OnlineApplication.objects.get(pk=pk).status == "submitted"
    small = _apply(resident_api("13900002222"), kind="temporary_relief").json()["id"]
    assert api_for(caseworker).post(f"{STAFF}{small}/accept/", {}, format="json").status_code == 200


def test_the_cases_later_steps_show_to_the_resident(resident_api, caseworker, make_staff, api_for, standards):
    from relief import services
    from tests.factories import end_notice

    client = resident_api()
    pk = _apply(client).json()["id"]
    api_for(caseworker).post(f"{STAFF}{pk}/accept/", {}, format="json")
    case = OnlineApplication.objects.get(pk=pk).dibao_case
    services.dibao_case_investigate(
        actor=caseworker,
        case=case,
        investigation=services.InvestigationSpec(on=local_today(), investigators="社区入户调查组"),
    )
    reviewer = make_staff("subdistrict_approver", OWN_SUBDISTRICT)
    services.dibao_case_review(actor=reviewer, case=case)
    case.refresh_from_db()
    steps = [s["step"] for s in client.get(f"{APPS}{pk}/", HTTP_ACCEPT_LANGUAGE="en").json()["steps"]]
    assert steps[-2:] == ["Home investigation done", f"In public notice in your community until {case.notice_until}"]
    end_notice(case)
    district = make_staff("district_approver", "370202")
    services.dibao_case_approve(actor=district, case=DibaoCase.objects.get(pk=case.pk))
    seen = client.get(f"{APPS}{pk}/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert seen["status"] == "approved"
    assert seen["steps"][-1]["step"].startswith("Approved; paid monthly from ")
    assert seen["can_withdraw"] is False
    assert client.post(f"{APPS}{pk}/withdraw/", {}, format="json").status_code == 409
    pdf = client.get(seen["decision_document"])
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_an_accepted_application_withdrawn_withdraws_its_case(resident_api, caseworker, api_for, standards):
    client = resident_api()
    pk = _apply(client).json()["id"]
    api_for(caseworker).post(f"{STAFF}{pk}/accept/", {}, format="json")
    assert client.post(f"{APPS}{pk}/withdraw/", {}, format="json").json()["status"] == "withdrawn"
    assert OnlineApplication.objects.get(pk=pk).dibao_case.status == "withdrawn"


def test_no_decision_document_before_the_decision(resident_api):
    client = resident_api()
    pk = _apply(client).json()["id"]
    assert client.get(f"{APPS}{pk}/").json()["decision_document"] is None
    assert client.get(f"{APPS}{pk}/decision.pdf").status_code == 404


def test_public_notices_of_my_community(resident_api, caseworker, api_for, standards):
    client = resident_api()
    _apply(client)
    answer = client.get("/api/v1/public/notices/")
    assert answer.status_code == 200 and answer.json()["community"] == OWN_COMMUNITY
    assert client.get("/api/v1/public/notices/", {"community": "999999999999"}).status_code == 404


def test_the_applications_history_names_the_resident_and_then_the_caseworker(
    resident_api, caseworker, api_for, standards
):
    """GET online-applications/{id}/history/ (core.history): the resident's writes read 居民 138****1111 (网上),
    not the inactive account they are filed under nor an id; the caseworker's acceptance reads the caseworker."""
    client = resident_api("13800001111")
    pk = _apply(client).json()["id"]
    staff = api_for(caseworker)
    assert staff.post(f"{STAFF}{pk}/accept/", {}, format="json").status_code == 200
    history = staff.get(f"{STAFF}{pk}/history/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    rows = history["results"] if isinstance(history, dict) else history
    actors = [row["actor"] for row in reversed(rows)]
    assert actors[0] == "居民 138****1111 (网上)" and actors[-1] == str(caseworker)
    assert not any("居民网上申请" in actor or "online" in actor for actor in actors)

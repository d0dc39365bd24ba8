from __future__ import annotations

import pytest

from social_orgs.models import SocialOrg, StatusChange
from tests.social_orgs.conftest import make_credit_code, wrong_check

pytestmark = pytest.mark.django_db

URL = "/api/v1/social-orgs/"


def test_an_organization_is_registered_with_its_credit_code(api, org_payload):
    payload = org_payload(credit_code=make_credit_code().lower())
    response = api.post(URL, payload, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["credit_code"] == payload["credit_code"].upper()
    assert (body["status"], body["level"], body["division"]) == ("registered", "city", "370200")
    assert body["authority"] == "青岛市民政局"
    assert [h["to_status"] for h in body["status_history"]] == ["registered"]


def test_a_wrong_check_character_is_a_400_on_the_credit_code(api, org_payload):
    response = api.post(URL, org_payload(credit_code=wrong_check(make_credit_code())), format="json")
    assert response.status_code == 400
    assert "credit_code" in response.json()
    assert not SocialOrg.objects.exists()


def test_a_malformed_credit_code_is_a_400(api, org_payload):
    response = api.post(URL, org_payload(credit_code="91370200ABC"), format="json")
    assert response.status_code == 400
    assert "credit_code" in response.json()


def test_a_duplicate_credit_code_is_a_409(api, org_payload):
    code = make_credit_code()
    assert api.post(URL, org_payload(credit_code=code), format="json").status_code == 201
    response = api.post(URL, org_payload(credit_code=code, name="另一个协会"), format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate_credit_code"
    assert SocialOrg.objects.count() == 1


def test_a_district_officer_registers_district_level_organizations_of_their_district(
    api_for, district_officer, org_payload
):
    api = api_for(district_officer)
    response = api.post(URL, org_payload(level="district", is_industry_association=False), format="json")
    assert response.status_code == 201
    assert response.json()["division"] == "370202"
    refused = api.post(URL, org_payload(level="city"), format="json")
    assert refused.status_code == 400
    assert "level" in refused.json()
    elsewhere = api.post(URL, org_payload(level="district", division="370203"), format="json")
    assert elsewhere.status_code == 400
    assert "division" in elsewhere.json()


def test_organizations_outside_the_officers_area_are_not_found(api, api_for, district_officer, org_payload):
    city_org = api.post(URL, org_payload(), format="json").json()
    district_api = api_for(district_officer)
    assert district_api.get(f"{URL}{city_org['id']}/").status_code == 404
    assert district_api.get(URL).json()["count"] == 0


def test_an_industry_association_is_a_social_group(api, org_payload):
    response = api.post(URL, org_payload(org_type="service", is_industry_association=True), format="json")
    assert response.status_code == 400
    assert "is_industry_association" in response.json()


def test_deregistration_and_revocation_are_recorded_in_the_status_history(api, org_payload):
    org = api.post(URL, org_payload(), format="json").json()
    response = api.post(f"{URL}{org['id']}/deregister/", {"on": "2020-05-01", "reason": "自行解散"}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["status_since"]) == ("deregistered", "2020-05-01")
    assert [h["to_status"] for h in body["status_history"]] == ["registered", "deregistered"]
    again = api.post(f"{URL}{org['id']}/revoke/", {"reason": "违法"}, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "invalid_transition"


def test_revocation_needs_its_grounds(api, org_payload):
    org = api.post(URL, org_payload(), format="json").json()
    assert api.post(f"{URL}{org['id']}/revoke/", {}, format="json").status_code == 400
    response = api.post(f"{URL}{org['id']}/revoke/", {"reason": "连续两年未参加年检"}, format="json")
    assert response.json()["status"] == "revoked"
    assert StatusChange.objects.filter(to_status="revoked", reason="连续两年未参加年检").exists()


def test_particulars_are_corrected_with_put(api, org_payload):
    payload = org_payload()
    org = api.post(URL, payload, format="json").json()
    response = api.put(f"{URL}{org['id']}/", {**payload, "legal_representative": "李会长"}, format="json")
    assert response.status_code == 200
    assert response.json()["legal_representative"] == "李会长"


def test_a_caseworker_sees_no_registry_and_a_leader_only_reads(api_for, make_staff, api, org_payload):
    api.post(URL, org_payload(), format="json")
    assert api_for(make_staff()).get(URL).status_code == 403
    leader = api_for(make_staff("leader", "370200"))
    assert leader.get(URL).json()["count"] == 1
    assert leader.post(URL, org_payload(), format="json").status_code == 403


def test_lists_filter_by_plain_fields(api, org_payload):
    api.post(URL, org_payload(), format="json")
    api.post(URL, org_payload(org_type="foundation", is_industry_association=False), format="json")
    assert api.get(f"{URL}?org_type=foundation").json()["count"] == 1
    assert api.get(f"{URL}?status=registered").json()["count"] == 2
    assert api.get(f"{URL}?is_industry_association=true").json()["count"] == 1


# --- Inspections, fees, decoupling --------------------------------------------------------------


@pytest.fixture
def association(api, org_payload):
    return api.post(URL, org_payload(), format="json").json()


def test_an_annual_inspection_is_recorded_and_corrected_per_year(api, association):
    url = "/api/v1/social-org-inspections/"
    body = {"org": association["id"], "year": 2019, "result": "qualified", "submitted_on": "2020-03-31"}
    assert api.post(url, body, format="json").status_code == 201
    corrected = api.post(url, {**body, "result": "basically"}, format="json")
    assert corrected.status_code == 200
    assert corrected.json()["result"] == "basically"
    assert api.get(f"{url}?org={association['id']}").json()["count"] == 1
    early = api.post(url, {**body, "year": 2005}, format="json")
    assert early.status_code == 400
    assert "year" in early.json()


def test_a_fee_standard_is_approved_by_two_thirds_of_the_assembly(api, association):
    url = "/api/v1/social-org-fee-standards/"
    fee = api.post(
        url,
        {"org": association["id"], "member_grade": "会员单位", "amount": "3000.00", "effective_from": "2020-01-01"},
        format="json",
    ).json()
    assert fee["status"] == "proposed"
    approval = {"approval_body": "general_assembly", "approved_on": "2019-12-20", "votes_present": 90}
    short = api.post(f"{url}{fee['id']}/approve/", {**approval, "votes_for": 59}, format="json")
    assert short.status_code == 409
    assert short.json()["code"] == "not_enough_votes"
    ok = api.post(f"{url}{fee['id']}/approve/", {**approval, "votes_for": 60}, format="json")
    assert ok.status_code == 200
    assert (ok.json()["status"], ok.json()["amount"]) == ("approved", "3000.00")
    repealed = api.post(f"{url}{fee['id']}/repeal/", {}, format="json")
    assert repealed.json()["status"] == "repealed"


def test_only_an_industry_association_has_fee_standards(api, org_payload):
    org = api.post(URL, org_payload(org_type="foundation", is_industry_association=False), format="json").json()
    response = api.post(
        "/api/v1/social-org-fee-standards/",
        {"org": org["id"], "member_grade": "会员", "amount": "100", "effective_from": "2020-01-01"},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "not_an_association"


def test_decoupling_completes_with_its_fifth_step_and_counts_toward_289(api, association):
    url = "/api/v1/social-org-decouplings/"
    decoupling = api.post(url, {"org": association["id"], "administrative_organ": "青岛市商务局"}, format="json").json()
    steps = ["institution", "functions", "finance", "personnel", "affairs"]
    for i, step in enumerate(steps):
        response = api.post(
            f"{url}{decoupling['id']}/complete-step/",
            {"step": step, "completed_on": f"2020-0{i + 1}-15"},
            format="json",
        )
        assert response.status_code == 200, response.content
    body = response.json()
    assert body["completed_on"] == "2020-05-15"
    assert all(body["steps"].values())
    twice = api.post(f"{url}{decoupling['id']}/complete-step/", {"step": "finance"}, format="json")
    assert twice.status_code == 409
    progress = api.get(f"{url}progress/").json()
    assert (progress["target"], progress["enrolled"], progress["completed"]) == (289, 1, 1)
    assert progress["not_enrolled"] == 288


def test_the_decoupling_progress_counts_under_way_and_not_started(api, org_payload):
    url = "/api/v1/social-org-decouplings/"
    first = api.post(URL, org_payload(), format="json").json()
    second = api.post(URL, org_payload(), format="json").json()
    d1 = api.post(url, {"org": first["id"], "administrative_organ": "市商务局"}, format="json").json()
    api.post(url, {"org": second["id"], "administrative_organ": "市工信局"}, format="json")
    api.post(f"{url}{d1['id']}/complete-step/", {"step": "institution"}, format="json")
    progress = api.get(f"{url}progress/").json()
    assert (progress["in_progress"], progress["not_started"], progress["completed"]) == (1, 1, 0)
    assert next(s for s in progress["steps"] if s["step"] == "institution")["done"] == 1


# --- Community organizations and enforcement ----------------------------------------------------


def test_a_community_organization_is_filed_once_per_name_and_community(api_for, district_officer):
    api = api_for(district_officer)
    url = "/api/v1/community-social-orgs/"
    body = {
        "community": "370202001001",
        "name": "八大峡社区志愿服务队",
        "category": "charity",
        "person_in_charge": "刘",
    }
    response = api.post(url, body, format="json")
    assert response.status_code == 201
    assert api.post(url, body, format="json").status_code == 409
    elsewhere = api.post(url, {**body, "community": "370203001001"}, format="json")
    assert elsewhere.status_code == 400
    revoked = api.post(f"{url}{response.json()['id']}/revoke/", {"note": "已解散"}, format="json")
    assert revoked.json()["status"] == "revoked"
    assert api.post(url, body, format="json").status_code == 201  # the name is free again


def test_an_enforcement_case_moves_from_report_to_outcome(api):
    url = "/api/v1/social-org-enforcement-cases/"
    case = api.post(
        url,
        {"target_name": "青岛某某国学研究会（未登记）", "source": "report", "summary": "以社会组织名义收取会费"},
        format="json",
    ).json()
    assert case["status"] == "reported"
    early = api.post(f"{url}{case['id']}/conclude/", {"outcome": "banned", "outcome_note": "依法取缔"}, format="json")
    assert early.status_code == 409
    assert early.json()["code"] == "invalid_transition"
    assert api.post(f"{url}{case['id']}/investigate/", {"note": "立案调查"}, format="json").status_code == 200
    done = api.post(f"{url}{case['id']}/conclude/", {"outcome": "banned", "outcome_note": "依法取缔"}, format="json")
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["outcome"]) == ("concluded", "banned")


def test_dismissing_a_case_needs_a_reason(api):
    url = "/api/v1/social-org-enforcement-cases/"
    case = api.post(url, {"target_name": "某协会", "source": "inspection", "summary": "疑似"}, format="json").json()
    assert api.post(f"{url}{case['id']}/dismiss/", {}, format="json").status_code == 400
    assert (
        api.post(f"{url}{case['id']}/dismiss/", {"note": "系已登记组织"}, format="json").json()["status"] == "dismissed"
    )

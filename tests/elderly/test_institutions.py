"""The register of elderly-care institutions (养老机构) and their operating subsidies (issue 21).

Each refusal beside its success; scope (another district: 404 and absent from lists); history without
column names; operating subsidies to an institution paid by the same ``elderly_operating`` run, once.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from elderly import services
from elderly.models import ElderlyInstitution, OperatingSubsidy

pytestmark = pytest.mark.django_db

URL = "/api/v1/elderly-institutions/"
SUBSIDIES = "/api/v1/elderly-subsidies/"
SUBDISTRICT = "370202001"


@pytest.fixture
def people(make_staff):
    class People:
        enterer = make_staff("subdistrict_approver", SUBDISTRICT)
        approver = make_staff("district_approver", "370202")
        other_approver = make_staff("district_approver", "370202")
        caseworker = make_staff("caseworker", SUBDISTRICT)
        leader = make_staff("leader", "370200")
        far_approver = make_staff("district_approver", "370203")

    return People


def registered_org(name: str = "青岛市颐养服务中心", status: str = "registered"):
    from social_orgs.models import SocialOrg
    from tests.factories import StaffFactory
    from tests.social_orgs.conftest import make_credit_code

    return SocialOrg.objects.create(
        name=name,
        credit_code=make_credit_code("2"),
        org_type="service",
        level="city",
        division_id="370200",
        legal_representative="李院长",
        founded_on=datetime.date(2012, 3, 1),
        status=status,
        status_since=datetime.date(2012, 3, 1),
        created_by=StaffFactory(),
    )


def body(**overrides) -> dict:
    return {
        "name": "市南区颐和养老院",
        "kind": "private",
        "subdistrict": SUBDISTRICT,
        "address": "八大峡路1号",
        "operator": "颐和养老服务有限公司",
        "beds": 120,
        "licensed_on": "2018-05-02",
    } | overrides


def institution(actor, **overrides) -> ElderlyInstitution:
    data = body(**overrides)
    data["licensed_on"] = datetime.date.fromisoformat(data["licensed_on"])
    return services.institution_create(actor=actor, **data)


def test_registered_and_read_in_chinese_with_an_operator_found_by_its_credit_code(people, api_for):
    org = registered_org()
    client = api_for(people.enterer)
    created = client.post(URL, body(operator="", operator_credit_code=org.credit_code), format="json")
    assert created.status_code == 201, created.content
    data = created.json()
    assert (data["kind_label"], data["status"], data["status_label"]) == ("民办", "operating", "运营中")
    assert (data["operator"], data["operator_org"], data["subdistrict"]) == (org.name, org.pk, SUBDISTRICT)
    assert client.get(f"{URL}{data['id']}/").json()["beds"] == 120
    assert client.get(URL).json()["count"] == 1


def test_who_may_register_one(people, api_for):
    assert api_for(people.caseworker).post(URL, body(), format="json").status_code == 403
    assert api_for(people.leader).post(URL, body(), format="json").status_code == 403
    assert not ElderlyInstitution.objects.exists()
    assert api_for(people.approver).post(URL, body(), format="json").status_code == 201


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"name": " "}, "name"),
        ({"kind": "state_owned"}, "kind"),
        ({"beds": 9000}, "beds"),
        ({"licensed_on": "2999-01-01"}, "licensed_on"),
        ({"subdistrict": "370203001"}, "subdistrict"),  # another district's sub-district
        ({"operator_credit_code": "52370200MJ0000000X"}, "operator_credit_code"),  # no such organization
    ],
)
def test_bad_input_is_refused_in_chinese_and_nothing_is_written(people, api_for, overrides, field):
    response = api_for(people.enterer).post(URL, body(**overrides), format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not ElderlyInstitution.objects.exists()


def test_a_deregistered_organization_is_no_operator(people, api_for):
    org = registered_org(status="deregistered")
    response = api_for(people.enterer).post(URL, body(operator_credit_code=org.credit_code), format="json")
    assert response.status_code == 400 and "统一社会信用代码" in response.json()["operator_credit_code"][0]


def test_the_same_name_twice_in_a_sub_district_is_refused(people, api_for):
    client = api_for(people.enterer)
    assert client.post(URL, body(), format="json").status_code == 201
    again = client.post(URL, body(), format="json")
    assert again.status_code == 409 and again.json()["code"] == "name_taken"
    other = api_for(people.approver).post(URL, body(subdistrict="370202002"), format="json")
    assert other.status_code == 201  # another sub-district may have one of the same name


def test_another_district_neither_sees_nor_changes_it(people, api_for):
    home = institution(people.enterer)
    far = api_for(people.far_approver)
    assert far.get(f"{URL}{home.pk}/").status_code == 404
    assert far.patch(f"{URL}{home.pk}/", {"beds": 1}, format="json").status_code == 404
    assert far.get(f"{URL}{home.pk}/history/").status_code == 404
    assert far.get(URL).json()["count"] == 0
    assert api_for(people.leader).get(URL).json()["count"] == 1  # the city sees it


def test_edited_with_history_in_chinese_and_no_column_names(people, api_for):
    home = institution(people.enterer)
    client = api_for(people.approver)
    edited = client.patch(f"{URL}{home.pk}/", {"beds": 150, "status": "suspended"}, format="json")
    assert edited.status_code == 200, edited.content
    assert (edited.json()["beds"], edited.json()["status_label"]) == (150, "暂停运营")
    assert api_for(people.caseworker).patch(f"{URL}{home.pk}/", {"beds": 1}, format="json").status_code == 403
    bad = client.patch(f"{URL}{home.pk}/", {"status": "gone"}, format="json")
    assert bad.status_code == 400
    history = client.get(f"{URL}{home.pk}/history/").json()["results"]
    changes = {c["label"]: (c["old"], c["new"]) for c in history[0]["changes"]}
    assert changes["床位数"] == ("120", "150") and changes["状态"] == ("运营中", "暂停运营")
    for change in (c for row in history for c in row["changes"]):  # what a person reads: no column, no token
        assert change["label"] != change["field"] and "_" not in change["label"], change
        assert change["new"] not in ("suspended", "operating", "private"), change


def test_the_register_pages_list_create_edit_and_export(people, client):
    client.force_login(people.enterer)
    page = client.get("/elderly/institutions/")
    assert page.status_code == 200 and "登记养老机构" in page.content.decode()
    created = client.post(
        "/elderly/institutions/new/",
        {"name": "云南路敬老院", "kind": "public", "subdistrict": SUBDISTRICT, "status": "operating", "beds": "60"},
    )
    assert created.status_code == 302, created.content.decode()[:2000]
    home = ElderlyInstitution.objects.get()
    detail = client.get(f"/elderly/institutions/{home.pk}/").content.decode()
    assert "云南路敬老院" in detail and "公办" in detail and "变更记录" in detail
    refused = client.post(f"/elderly/institutions/{home.pk}/edit/", {"name": "云南路敬老院", "kind": "x"})
    assert refused.status_code == 200  # the form again, with its message
    home.refresh_from_db()
    assert home.kind == "public"
    saved = client.post(
        f"/elderly/institutions/{home.pk}/edit/",
        {"name": "云南路敬老院", "kind": "public", "status": "operating", "beds": "80"},
    )
    assert saved.status_code == 302
    home.refresh_from_db()
    assert home.beds == 80
    export = client.get("/elderly/institutions/?export=xlsx")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")
    # Who may not register has no button and is refused.
    client.force_login(people.caseworker)
    assert "登记养老机构" not in client.get("/elderly/institutions/").content.decode()
    assert client.get("/elderly/institutions/new/").status_code == 403
    assert client.post(f"/elderly/institutions/{home.pk}/edit/", {"name": "x", "kind": "public"}).status_code == 403
    # Another district: 404 and not in its list.
    client.force_login(people.far_approver)
    assert client.get(f"/elderly/institutions/{home.pk}/").status_code == 404
    assert "云南路敬老院" not in client.get("/elderly/institutions/").content.decode()


# --- Operating subsidies to an institution --------------------------------------------------------------


def subsidy_body(payee: dict, **overrides) -> dict:
    return (
        payee
        | {
            "period": "2020-04",
            "amount": "30000.00",
            "bank_name": "青岛银行",
            "bank_account": "6222 0200 0077 1234",
        }
        | overrides
    )


def test_a_subsidy_to_an_institution_entered_and_approved_by_another(people, api_for):
    home = institution(people.enterer)
    created = api_for(people.enterer).post(SUBSIDIES, subsidy_body({"institution": home.pk}), format="json")
    assert created.status_code == 201, created.content
    data = created.json()
    assert (data["institution"], data["centre"], data["payee_name"], data["subdistrict"]) == (
        home.pk,
        None,
        home.name,
        SUBDISTRICT,
    )
    approved = api_for(people.approver).post(f"{SUBSIDIES}{data['id']}/approve/", {}, format="json")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert api_for(people.far_approver).get(f"{SUBSIDIES}{data['id']}/").status_code == 404
    assert api_for(people.far_approver).get(SUBSIDIES).json()["count"] == 0


def test_one_payee_per_subsidy(people, api_for):
    from tests.elderly.test_operating_subsidies import operating_centre

    home = institution(people.enterer)
    centre = operating_centre()
    client = api_for(people.enterer)
    both = client.post(SUBSIDIES, subsidy_body({"institution": home.pk, "centre": centre.pk}), format="json")
    assert both.status_code == 400 and "non_field_errors" in both.json()
    neither = client.post(SUBSIDIES, subsidy_body({}), format="json")
    assert neither.status_code == 400
    assert not OperatingSubsidy.objects.exists()
    # The database holds it too: a row with both payees, or none, is refused.
    from django.db import IntegrityError, transaction

    good = services.subsidy_create(actor=people.enterer, institution=home, **subsidy_body({}))
    for centre_id, institution_id in [(centre.pk, home.pk), (None, None)]:
        with pytest.raises(IntegrityError), transaction.atomic():
            OperatingSubsidy.objects.filter(pk=good.pk).update(centre_id=centre_id, institution_id=institution_id)


def test_only_an_operating_institution_once_a_month_and_in_ones_area(people, api_for):
    home = institution(people.enterer)
    client = api_for(people.enterer)
    assert client.post(SUBSIDIES, subsidy_body({"institution": home.pk}), format="json").status_code == 201
    twice = client.post(SUBSIDIES, subsidy_body({"institution": home.pk}), format="json")
    assert twice.status_code == 409 and twice.json()["code"] == "subsidy_exists"
    closed = institution(people.enterer, name="已停业养老院", status="closed")
    refused = client.post(SUBSIDIES, subsidy_body({"institution": closed.pk}), format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "not_operating"
    far_home = institution(people.far_approver, name="李沧区养老院", subdistrict="370203001")
    assert client.post(SUBSIDIES, subsidy_body({"institution": far_home.pk}), format="json").status_code == 404
    assert OperatingSubsidy.objects.count() == 1


def test_the_subsidy_page_enters_one_for_an_institution(people, client):
    home = institution(people.enterer)
    client.force_login(people.enterer)
    page = client.get("/elderly/subsidies/").content.decode()
    assert home.name in page
    both_missing = client.post("/elderly/subsidies/", subsidy_body({"centre": "", "institution": ""}))
    assert both_missing.status_code == 200 and "只能选择一个" in both_missing.content.decode()
    response = client.post("/elderly/subsidies/", subsidy_body({"centre": "", "institution": home.pk}))
    assert response.status_code == 302
    subsidy = OperatingSubsidy.objects.get()
    assert (subsidy.institution_id, subsidy.subdistrict_id, subsidy.amount) == (home.pk, SUBDISTRICT, Decimal("30000"))
    assert f"/elderly/institutions/{home.pk}/" in client.get("/elderly/subsidies/").content.decode()

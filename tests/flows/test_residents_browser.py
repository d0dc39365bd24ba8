"""A resident applies for dibao on a 360-px phone screen and sees it accepted (issue 19's flow).

The resident signs in with the code the console SMS gateway writes to the server log, fills the
application with the household's two members, attaches a photo of the ID card, ticks the signed
authorization and submits; a caseworker of the community's sub-district, in another browser
context, finds it in the online applications and accepts it; the resident's page then says it was
accepted. Chromium, the live server and the staff login: ``tests/flows/conftest.py``."""

from __future__ import annotations

import pytest

from residents.models import OnlineApplication
from tests.conftest import OWN_COMMUNITY, OWN_SUBDISTRICT
from tests.factories import StaffFactory, make_id_number
from tests.flows.conftest import PASSWORD, WATCH_CSP, screenshot
from tests.residents.conftest import png_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def photo(tmp_path):
    path = tmp_path / "id-card.png"
    path.write_bytes(png_bytes())
    return path


@pytest.fixture
def phone(browser, live_server, page_problems):
    """A second browser context: a phone 360 px wide, watched for CSP and script errors like ``page``."""
    context = browser.new_context(
        locale="zh-CN", base_url=live_server.url, viewport={"width": 360, "height": 740}, is_mobile=True
    )
    context.add_init_script(WATCH_CSP)
    phone = context.new_page()
    phone.set_default_timeout(20000)
    phone.on("console", lambda m: m.type == "error" and page_problems.append(f"console: {m.text}"))
    phone.on("pageerror", lambda e: page_problems.append(f"script error: {e}"))
    yield phone
    context.close()


@pytest.mark.usefixtures("divisions", "standards")
def test_a_resident_applies_on_a_phone_and_sees_it_accepted(page, login, phone, sms_log, photo):
    caseworker = StaffFactory(role="caseworker", division_id=OWN_SUBDISTRICT, username="cw_online")
    caseworker.set_password(PASSWORD)
    caseworker.save()
    head, child = make_id_number(), make_id_number()

    resident = phone
    resident.goto("/public/apply/")
    resident.wait_for_url("**/public/login/**")
    resident.fill("input[name=phone]", "13800002222")
    resident.click("button[type=submit]")
    resident.wait_for_url("**/public/login/code/**")
    resident.fill("input[name=code]", sms_log.last_code())
    resident.click("button[type=submit]")
    resident.wait_for_load_state()
    if "/public/apply/" not in resident.url:
        resident.goto("/public/apply/")
    # Nothing wider than the phone: the page fits 360 px.
    assert resident.evaluate("document.documentElement.scrollWidth") <= 360

    resident.check("input[name=kind][value=dibao]")
    resident.select_option("select[name=community]", OWN_COMMUNITY)
    resident.fill("input[name=address]", "合成路8号")
    resident.select_option("select[name=area_type]", "urban")
    resident.fill("input[name=monthly_income]", "300")
    resident.fill("textarea[name=reason]", "失业，无固定收入")
    resident.fill("input[name=member_0_name]", "王大明")
    resident.fill("input[name=member_0_id_number]", head)
    resident.fill("input[name=member_1_name]", "王小明")
    resident.fill("input[name=member_1_id_number]", child)
    resident.select_option("select[name=member_1_relationship]", "child")
    resident.set_input_files("input[name=photo]", str(photo))
    resident.select_option("select[name=photo_kind]", "id_card")
    resident.check("input[name=authorization]")
    screenshot(resident, "resident-apply-360")
    resident.click("button[type=submit].primary")
    resident.wait_for_url("**/public/applications/*/")
    application = OnlineApplication.objects.get()
    assert application.reference in resident.content()
    assert "已收到申请" in resident.content()
    assert head not in resident.content()  # the full ID number is not shown back
    screenshot(resident, "resident-application-received-360")

    login(caseworker)
    page.goto("/online-applications/?status=submitted")
    page.click(f"text={application.reference}")
    page.wait_for_url(f"**/online-applications/{application.pk}/")
    page.click("form[action$='/accept/'] button[type=submit]")
    page.wait_for_load_state()
    application.refresh_from_db()
    assert application.status == "accepted"
    assert application.dibao_case_id is not None

    resident.reload()
    assert "已受理" in resident.content()
    screenshot(resident, "resident-application-accepted-360")

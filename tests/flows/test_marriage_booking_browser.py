"""A resident books a marriage registration on a 360-px phone screen; the registrar sees it in the day's list.

The resident signs in with the code the console SMS gateway writes to the server log, chooses an
office of another district (全城通办), a day showing its places left, gives both ID numbers, books,
and later cancels nothing; a registrar of that office, in another browser context, finds the booking
in the day's appointments. Chromium, the live server and the staff login: ``tests/flows/conftest.py``."""

from __future__ import annotations

import datetime
import logging
import re

import pytest
from django.utils import timezone

from marriage import services
from marriage.models import Appointment
from tests.factories import StaffFactory, make_id_number
from tests.flows.conftest import PASSWORD, WATCH_CSP, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CODE = re.compile(r"SMS to \S+: ([0-9]{6})$")


class CodeLog(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.INFO)
        self.codes: list[str] = []

    def emit(self, record):
        match = CODE.search(record.getMessage())
        if match:
            self.codes.append(match.group(1))


@pytest.fixture
def sms_codes(settings):
    settings.SMS_GATEWAY = "console"
    handler = CodeLog()
    logger = logging.getLogger("residents.sms")
    old = logger.level
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(old)


def test_a_resident_books_on_a_phone_and_the_registrar_sees_it(
    live_server, divisions, browser, page_problems, sms_codes
):
    registrar = StaffFactory(role="registrar", division_id="370203", username="registrar_li", first_name="李登记")
    registrar.set_password(PASSWORD)
    registrar.save()
    day = timezone.localdate() + datetime.timedelta(days=2)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    services.capacity_override_set(actor=registrar, office="370203", date=day, capacity=2, reason="")
    groom = make_id_number("370202", datetime.date(1994, 4, 4), male=True)
    bride = make_id_number("370211", datetime.date(1996, 6, 6), male=False)

    phone = browser.new_context(
        locale="zh-CN", base_url=live_server.url, viewport={"width": 360, "height": 740}, is_mobile=True
    )
    phone.add_init_script(WATCH_CSP)
    resident = phone.new_page()
    resident.on("console", lambda m: m.type == "error" and page_problems.append(f"console: {m.text}"))
    resident.on("pageerror", lambda e: page_problems.append(f"script error: {e}"))

    resident.goto("/public/marriage/")
    resident.wait_for_url("**/public/login/")
    resident.fill("input[name=phone]", "13800001111")
    resident.click("button[type=submit]")
    resident.wait_for_url("**/public/login/code/")
    resident.fill("input[name=code]", sms_codes.codes[-1])
    resident.click("button[type=submit]")
    resident.wait_for_url("**/public/")

    resident.goto("/public/marriage/")
    screenshot(resident, "marriage-booking-list-empty-360")
    resident.click("text=预约登记")
    resident.wait_for_url("**/public/marriage/book/")
    resident.select_option("select[name=office]", "370203")  # another district's office
    resident.wait_for_url("**/public/marriage/book/?office=370203")
    label = resident.locator("label.day", has=resident.locator(f"input[value='{day.isoformat()}']"))
    assert "剩余 2 个名额" in label.inner_text()
    resident.check("input[name=kind][value=marriage]")
    label.click()
    resident.fill("input[name=party_a_id_number]", groom)
    resident.fill("input[name=name_a]", "赵新郎")
    resident.fill("input[name=party_b_id_number]", bride)
    resident.fill("input[name=name_b]", "钱新娘")
    screenshot(resident, "marriage-booking-form-360")
    assert resident.evaluate("document.documentElement.scrollWidth") <= 360  # nothing wider than the phone
    resident.click("button:has-text('预约')")
    resident.wait_for_url("**/public/marriage/")
    assert "预约成功" in resident.content()
    booking = resident.locator("[data-testid=booking]")
    assert booking.count() == 1
    assert groom not in booking.inner_text()
    screenshot(resident, "marriage-booking-booked-360")
    assert Appointment.objects.get().office_id == "370203"

    office = browser.new_context(locale="zh-CN", base_url=live_server.url)
    office.add_init_script(WATCH_CSP)
    staff = office.new_page()
    staff.on("pageerror", lambda e: page_problems.append(f"script error: {e}"))
    staff.goto("/login/")
    staff.fill("input[name=username]", registrar.username)
    staff.fill("input[name=password]", PASSWORD)
    staff.click("button[type=submit]")
    staff.wait_for_url("**/")
    staff.goto(f"/marriage/appointments/?office=370203&date={day.isoformat()}")
    row = staff.locator("tr", has_text="赵新郎")
    assert "网上预约" in row.inner_text()
    assert bride not in staff.content()
    screenshot(staff, "marriage-booking-registrar-day")
    phone.close()
    office.close()
    if page_problems:
        pytest.fail("\n".join(page_problems))

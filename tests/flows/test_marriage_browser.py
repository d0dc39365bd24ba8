"""A registrar registers a marriage in a real (headless) browser, from the login form to the certificate.

Chromium, the live server and the login go through ``tests/flows/conftest.py``."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from marriage.models import Registration
from tests.factories import PersonFactory, StaffFactory, make_id_number

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_registrar_registers_a_marriage_in_the_browser(live_server, divisions, page, login):
    registrar = StaffFactory(role="registrar", division_id="370202", username="registrar_wang", first_name="王登记")
    # The couple live in two other districts: any office registers any couple since 1 July 2020.
    groom = PersonFactory(
        id_number=make_id_number("370203", datetime.date(1994, 4, 4), male=True),
        sex="male",
        name="赵新郎",
        division_id="370203001001",
    )
    bride = PersonFactory(
        id_number=make_id_number("370211", datetime.date(1996, 6, 6), male=False),
        sex="female",
        name="钱新娘",
        division_id="370211001001",
    )

    login(registrar)  # through the real login form
    page.click("nav.mainnav >> text=婚姻登记")
    page.wait_for_url("**/marriage/")
    page.click("text=新登记")
    page.wait_for_url("**/marriage/new/")

    page.select_option("select[name=kind]", "marriage")
    page.fill("input[name=party_a]", groom.id_number)
    page.fill("input[name=party_b]", bride.id_number)
    page.check("input[name=declarations_signed]")
    page.click("[data-testid=registration-form] button[type=submit]")

    page.wait_for_url("**/marriage/*/")
    registration = Registration.objects.get()
    year = timezone.localdate().year
    assert registration.certificate_number == f"J370202-{year}-000001"
    assert page.inner_text("[data-testid=certificate-number]") == registration.certificate_number
    assert "已登记" in page.inner_text("[data-testid=registration-status]")

    page.click(f"a[href='/people/{bride.pk}/']")
    page.wait_for_url(f"**/people/{bride.pk}/")
    assert "已婚" in page.inner_text("[data-testid=marital-status]")
    assert "赵新郎" in page.inner_text("[data-testid=marital-status]")


def test_the_registration_form_shows_an_under_age_refusal(live_server, divisions, page, login):
    registrar = StaffFactory(role="registrar", division_id="370202")
    today = timezone.localdate()
    groom = PersonFactory(
        id_number=make_id_number("370202", datetime.date(today.year - 21, today.month, min(today.day, 28)), male=True),
        sex="male",
        division_id="370202001001",
    )
    bride = PersonFactory(
        id_number=make_id_number("370202", datetime.date(1995, 1, 1), male=False),
        sex="female",
        division_id="370202001001",
    )
    login(registrar)
    page.goto("/marriage/new/")
    page.fill("input[name=party_a]", groom.id_number)
    page.fill("input[name=party_b]", bride.id_number)
    page.check("input[name=declarations_signed]")
    page.click("[data-testid=registration-form] button[type=submit]")
    page.wait_for_selector(".errors")
    assert "法定婚龄" in page.inner_text(".errors")
    assert not Registration.objects.exists()

"""A caseworker uploads a households file, sees the preview, confirms, and finds the households written."""

from __future__ import annotations

import pytest

from people.models import Household, Person
from tests.flows.conftest import screenshot
from tests.imports.conftest import household_rows, xlsx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_upload_preview_confirm(page, login, make_staff, tmp_path, settings):
    settings.IMPORT_SYNC_MAX_BYTES = 50 * 1024 * 1024
    caseworker = make_staff("caseworker", "370202001")
    bad = household_rows(2)
    bad[2][2] = "370202999999"
    (tmp_path / "bad.xlsx").write_bytes(xlsx(bad))
    (tmp_path / "good.xlsx").write_bytes(xlsx(household_rows(4)))

    login(caseworker)
    page.goto("/imports/")
    page.click("[data-testid=new-import]")
    page.wait_for_url("**/imports/new/")
    page.select_option("select[name=kind]", "households")
    page.set_input_files("input[name=file]", str(tmp_path / "bad.xlsx"))
    page.click("button[type=submit].primary")
    page.wait_for_url("**/imports/*/")
    assert page.locator("[data-testid=import-status]").get_attribute("data-status") == "rejected"
    table = page.locator("[data-testid=import-error-table]").inner_text()
    assert "4" in table and "370202999999" in table  # the line and the reason
    assert page.locator("[data-testid=import-commit]").count() == 0
    assert Person.objects.count() == 0

    page.goto("/imports/new/")
    page.select_option("select[name=kind]", "households")
    page.set_input_files("input[name=file]", str(tmp_path / "good.xlsx"))
    page.click("button[type=submit].primary")
    page.wait_for_url("**/imports/*/")
    assert page.locator("[data-testid=import-to-create]").inner_text() == "12"
    assert page.locator("[data-testid=import-errors]").inner_text() == "0"
    screenshot(page, "import-preview")
    page.click("[data-testid=import-commit]")
    page.wait_for_selector("[data-testid=import-done]")
    assert page.locator("[data-testid=import-status]").get_attribute("data-status") == "committed"
    assert (Person.objects.count(), Household.objects.count()) == (12, 4)


def test_a_celery_import_shows_a_progress_bar_until_it_is_done(page, login, make_staff, tmp_path, settings):
    """The job waits for a worker (the page says none is running), shows the bar and polls; the worker's turn comes."""
    from imports import services
    from imports.models import ImportJob

    settings.IMPORT_SYNC_MAX_BYTES = 100  # every file goes to Celery
    caseworker = make_staff("caseworker", "370202001")
    content = xlsx(household_rows(3))
    sent = []
    import imports.services as module

    original = module._enqueue
    module._enqueue = lambda task, job_id: sent.append((task, job_id))
    try:
        job = services.import_upload(actor=caseworker, kind="households", file_name="big.xlsx", content=content)
    finally:
        module._enqueue = original
    assert sent and ImportJob.objects.get(pk=job.pk).status == "validating"

    login(caseworker)
    page.goto(f"/imports/{job.pk}/")
    assert page.locator("[data-poll] progress").count() == 1
    # No worker is running: the page says so, in the user's language (core/jobs.py).
    assert "正在等待后台服务" in page.locator("[data-testid=waiting-for-worker]").inner_text()
    screenshot(page, "import-waiting-for-worker")
    from core import jobs

    jobs.worker_beat("worker@flow")  # a worker starts ...
    page.reload()
    assert page.locator("[data-testid=waiting-for-worker]").count() == 0
    services.import_validate(job_id=job.pk)  # ... and does the job
    page.wait_for_selector("[data-testid=import-commit]", timeout=15000)
    assert page.locator("[data-testid=import-status]").get_attribute("data-status") == "previewed"

"""Payout pages and API at 10× city scale: server time per request, against a floor.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_payouts .venv/bin/python -m bench.payout_pages [--repeat 20]

Run it on the database ``bench.payouts`` left behind (its biggest computed run, the one
timed, is April's price-linked batch, 972,545 lines at S = 10). A finance officer of the city
(``bench_finance``, made if missing) requests the run list, that run's page and its lines, its
month's page, and the API's run detail and line pages, through Django's test client (the full
request: middleware, session or token, scoping, selector, template or serializer). The API's
line pages are timed twice: as they are (a computed run's count is the run's own,
``line_list_count``) and with that count taken by ``COUNT(*)`` as it was before, for the same
pages. Floor: the page's 50 lines by a bare ``SELECT … WHERE run_id = … ORDER BY id LIMIT 50``.
Prints p50/p95 and the ratio to the floor.
"""

from __future__ import annotations

import argparse
import os
import sys
from unittest import mock

from bench.people_lists import print_against_floor, timed

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civil_affairs.settings")
os.environ.setdefault("CIVIL_AFFAIRS_DEV", "1")
os.environ.setdefault("DB_CONN_MAX_AGE", "600")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        print("Set DATABASE_URL (the database bench.payouts filled).", file=sys.stderr)
        return 2

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from rest_framework.test import APIClient

    from core.models import User
    from core.services import staff_create
    from payouts import selectors
    from payouts.models import PayoutRun

    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    run = PayoutRun.objects.filter(status="computed").order_by("-line_count", "-period").first()
    if run is None:
        print("No computed run: run bench.payouts on this database first.", file=sys.stderr)
        return 2
    if not User.objects.filter(username="bench_finance").exists():
        staff_create(username="bench_finance", role="finance", division_code="370200", password="Bench-pass-12345")  # noqa: S106
    officer = User.objects.get(username="bench_finance")
    browser = Client()
    browser.force_login(officer)
    api = APIClient()
    api.force_authenticate(officer)
    middle = run.line_count // 50 // 2  # a page in the middle of the run, 50 lines a page
    pages = {
        "run list": (browser, "/payouts/"),
        "run page (review)": (browser, f"/payouts/runs/{run.pk}/"),
        "lines page": (browser, f"/payouts/runs/{run.pk}/lines/"),
        "month page": (browser, f"/payouts/months/{run.period:%Y-%m}/"),
        "api: run detail": (api, f"/api/v1/payout-runs/{run.pk}/"),
        "api: lines, page 1": (api, f"/api/v1/payout-runs/{run.pk}/lines/"),
        f"api: lines, page {middle:,}": (api, f"/api/v1/payout-runs/{run.pk}/lines/?page={middle}"),
    }
    results = []
    for label, (client, url) in pages.items():

        def get(url=url, client=client):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        results.append(((label,), timed(get, args.repeat)))
        if "api: lines" in label:
            with mock.patch.object(selectors, "line_list_count", lambda **_kw: None):
                results.append(((f"{label}, counted (before)",), timed(get, args.repeat)))

    def floor():
        with connection.cursor() as cur:
            cur.execute(
                "SELECT id, beneficiary_id, amount, status FROM payouts_payoutline"
                " WHERE run_id = %s ORDER BY id LIMIT 50",
                [run.pk],
            )
            cur.fetchall()

    base = timed(floor, args.repeat)
    print(f"run {run.pk}: {run.get_scheme_display()} {run.period:%Y-%m}, {run.line_count:,} lines; finance officer")
    print_against_floor(("page",), (40,), (("floor: SELECT … LIMIT 50",), base), results)
    return 0


if __name__ == "__main__":
    sys.exit(main())

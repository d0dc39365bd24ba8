"""The community's public-notice list as a PDF: 500 dibao households, against 1 s.

    DATABASE_URL=postgres://…/ca_documents .venv/bin/python -m bench.documents [--households 500] [--repeat 5]

Fills one community (370202001002, 八大峡街道's second, made empty first if it holds bench
data) with ``--households`` households of two, each with an active dibao case (bulk inserts:
data for the measurement, not the services' path), then times for a caseworker of its
sub-district, ``--repeat`` times each:

* the selector (``relief.selectors.community_notice_list``: the cases, their members and the
  standards in three queries, the allowance computed per household by the rule);
* the selector and the PDF (``documents.render.render_pdf``), the font instance already made;
* the whole request ``GET /api/v1/public-notices/{community}/document.pdf`` through Django's
  test client (token auth, middleware, scoping, rendering).

Prints the pages, the bytes and min / median / max seconds.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civil_affairs.settings")
os.environ.setdefault("CIVIL_AFFAIRS_DEV", "1")

COMMUNITY = "370202001002"
SUBDISTRICT = COMMUNITY[:9]


def _fill(households: int):
    from django.db import transaction

    from core.models import User
    from people.models import Household, HouseholdMember, Person
    from relief.models import DibaoCase, DibaoMember
    from relief.services import standards_seed
    from tests.factories import make_id_number

    standards_seed(demo=True)
    actor, _ = User.objects.get_or_create(
        username="bench_documents", defaults={"role": "caseworker", "division_id": SUBDISTRICT}
    )
    if DibaoCase.objects.filter(household__community_id=COMMUNITY, status="active").count() == households:
        return actor
    with transaction.atomic():
        DibaoMember.objects.filter(case__household__community_id=COMMUNITY).delete()
        DibaoCase.objects.filter(household__community_id=COMMUNITY).delete()
        HouseholdMember.objects.filter(household__community_id=COMMUNITY).delete()
        Household.objects.filter(community_id=COMMUNITY).delete()
        Person.objects.filter(division_id=COMMUNITY, created_by=actor).delete()
        people = []
        for i in range(households * 2):
            number = make_id_number("370202", datetime.date(1950, 1, 1) + datetime.timedelta(days=i * 13))
            birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
            people.append(
                Person(
                    id_number=number,
                    name=f"公示{i:04d}",
                    sex="male",
                    birth_date=birth,
                    division_id=COMMUNITY,
                    created_by=actor,
                )
            )
        Person.objects.bulk_create(people)
        homes = Household.objects.bulk_create(
            [
                Household(
                    community_id=COMMUNITY,
                    address=f"测试路{i}号",
                    area_type="urban",
                    head=people[2 * i],
                    created_by=actor,
                )
                for i in range(households)
            ]
        )
        HouseholdMember.objects.bulk_create(
            [
                HouseholdMember(household=h, person=people[2 * i + k], relationship=("head", "spouse")[k])
                for i, h in enumerate(homes)
                for k in (0, 1)
            ]
        )
        cases = DibaoCase.objects.bulk_create(
            [
                DibaoCase(
                    household=h,
                    monthly_income=300 + i % 700,
                    members_count=2,
                    status="active",
                    start_month=datetime.date(2020, 1, 1),
                    created_by=actor,
                )
                for i, h in enumerate(homes)
            ]
        )
        DibaoMember.objects.bulk_create(
            [DibaoMember(case=c, person=people[2 * i + k]) for i, c in enumerate(cases) for k in (0, 1)]
        )
    return actor


def _time(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        print("Set DATABASE_URL (a migrated database).", file=sys.stderr)
        return 2
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    from core.models import Division
    from documents.fonts import font_path
    from documents.render import render_pdf
    from relief.documents import public_notice
    from relief.selectors import community_notice_list

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    actor = _fill(args.households)
    font_path()  # made once per machine; not part of a request
    community = Division.objects.get(code=COMMUNITY)
    rows = community_notice_list(user=actor, community=COMMUNITY)
    pdf = render_pdf(public_notice(community, actor=actor))
    import io

    import pypdf

    pages = len(pypdf.PdfReader(io.BytesIO(pdf)).pages)
    client = Client()
    client.force_login(actor)

    def request():
        response = client.get(f"/documents/public-notices/{COMMUNITY}/document.pdf")
        assert response.status_code == 200, response.status_code

    print(f"{len(rows)} households, {pages} pages, {len(pdf):,} bytes")
    for label, fn in [
        ("selector (community_notice_list)", lambda: community_notice_list(user=actor, community=COMMUNITY)),
        ("selector + PDF", lambda: render_pdf(public_notice(community, actor=actor))),
        ("whole request (browser PDF view)", request),
    ]:
        times = _time(fn, args.repeat)
        print(f"{label:36s} min {min(times):.3f} s  median {statistics.median(times):.3f} s  max {max(times):.3f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

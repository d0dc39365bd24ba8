"""Import of 100,000 households (about 250,000 persons) from XLSX, end to end, against django-import-export.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ca_imp \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/5 \\
    .venv/bin/python -m bench.imports [--households 100000] [--sample 2000]

On a scratch database (people, households and their history are emptied):

1. A households file is generated (untimed): households of 1–4 persons (2.5 on average) over
   every community of the city, the template's Chinese headings, written with openpyxl.
2. **End to end**: the file's bytes go through what the API and a Celery worker do, in this
   process: ``import_upload`` (size, zip structure, headings), ``import_validate`` (every row
   checked against the file and the database: the preview), ``import_commit`` (checked again,
   then written in one transaction: COPY into temporary tables, ``INSERT … SELECT``; pghistory's
   triggers record every inserted row with the importer). Rows per second = persons ÷ seconds
   from the bytes to ``committed``.
3. **django-import-export, default mode** on a sample of the same file's rows (persons only,
   which is less work than the households and memberships the portal also writes): one
   ``Person`` looked up, cleaned and saved per row. And its ``use_bulk`` mode on the same sample.
"""

from __future__ import annotations

import argparse
import io
import os
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civil_affairs.settings")
os.environ.setdefault("CIVIL_AFFAIRS_DEV", "1")
# Benchmarks empty tables and switch triggers off to load their data: the owner's work (core/db/roles.py).
os.environ.setdefault("DATABASE_APP_ROLE", "")

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK = "10X98765432"
RELATIONSHIPS = ["户主", "配偶", "子女", "父母"]
HEADINGS = ["公民身份号码", "姓名", "社区代码", "住址", "城乡类别", "户编号", "与户主关系"]


from bench import truncate  # noqa: E402  (after the settings above, like the rest)


def id_number(n: int) -> str:
    import datetime

    birth = datetime.date(1940, 1, 1) + datetime.timedelta(days=n % 25_000)
    body = f"370202{birth:%Y%m%d}{(n // 25_000) % 1000:03d}"
    return body + CHECK[sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True)) % 11]


def rows(households: int, communities: list[str]):
    n = 0
    for h in range(households):
        community = communities[h % len(communities)]
        for m in range(h % 4 + 1):
            yield [
                id_number(n),
                f"居民{n}",
                community,
                f"测试路{h}号",
                "城镇" if h % 3 else "农村",
                f"H{h}",
                RELATIONSHIPS[m],
            ]
            n += 1


def workbook(households: int, communities: list[str]) -> tuple[bytes, int]:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEADINGS)
    count = 0
    for row in rows(households, communities):
        sheet.append(row)
        count += 1
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue(), count


def reset() -> None:
    from django.db import connection

    with connection.cursor() as cur:
        truncate(
            cur,
            "TRUNCATE people_householdmember, people_household, people_person, imports_importjob,"
            " pghistory_context RESTART IDENTITY CASCADE",
        )
        for table in ("people_personevent", "people_householdevent", "people_householdmemberevent"):
            truncate(cur, f"TRUNCATE {table}")


def baseline(admin, communities: list[str], sample_size: int) -> dict[str, float]:
    """django-import-export on a sample of rows like the file's (fresh ID numbers: persons only)."""
    import tablib
    from django.db import transaction

    from imports.resources import HouseholdPersonResource

    results = {}
    for label, bulk, offset in (("default (row by row)", False, 10_000_000), ("use_bulk", True, 20_000_000)):
        sample = tablib.Dataset(headers=["公民身份号码", "姓名", "社区代码"])
        for i in range(sample_size):
            sample.append([id_number(offset + i * 7), f"样本{i}", communities[i % len(communities)]])
        resource = HouseholdPersonResource(actor=admin, use_bulk=bulk)
        started = time.perf_counter()
        with transaction.atomic():
            result = resource.import_data(sample, dry_run=False, raise_errors=True)
        elapsed = time.perf_counter() - started
        assert not result.has_errors()
        results[label] = sample_size / elapsed
        print(f"django-import-export {label}: {sample_size} persons in {elapsed:.1f} s = {results[label]:,.0f} rows/s")
    return results


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=2_000)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from core.models import Division, DivisionLevel
    from core.services import divisions_load

    if not Division.objects.exists():
        divisions_load()
    from core.models import User
    from imports import services
    from imports.models import ImportJob

    settings.IMPORT_SYNC_MAX_BYTES = 1 << 40  # everything in this process (a worker's work, timed here)
    settings.IMPORT_MAX_BYTES = 200 * 1024 * 1024
    reset()
    admin, _ = User.objects.get_or_create(
        username="bench-importer", defaults={"role": "admin", "division_id": "370200"}
    )
    communities = list(
        Division.objects.filter(level=DivisionLevel.COMMUNITY, active=True).values_list("code", flat=True)
    )
    started = time.perf_counter()
    content, persons = workbook(args.households, communities)
    print(
        f"file: {args.households} households, {persons} persons, {len(content) / 1e6:.1f} MB "
        f"(generated in {time.perf_counter() - started:.1f} s, untimed)"
    )

    started = time.perf_counter()
    job = services.import_upload(actor=admin, kind="households", file_name="bench.xlsx", content=content)
    previewed = time.perf_counter()
    assert job.status == "previewed", (job.status, job.errors[:3])
    job = services.import_commit(actor=admin, job=ImportJob.objects.get(pk=job.pk))
    done = time.perf_counter()
    assert job.status == "committed", (job.status, job.failure)
    total = done - started
    print(
        f"end to end: {total:.1f} s = {persons / total:,.0f} rows/s "
        f"(upload + preview {previewed - started:.1f} s, commit {done - previewed:.1f} s)"
    )
    from people.models import Household, HouseholdMember, Person

    print(
        f"written: {Person.objects.count()} persons, {Household.objects.count()} households, "
        f"{HouseholdMember.objects.count()} members"
    )

    results = baseline(admin, communities, args.sample)
    rate = persons / total
    print(
        f"portal ÷ import-export default: {rate / results['default (row by row)']:.1f}×; "
        f"÷ use_bulk: {rate / results['use_bulk']:.1f}×"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Data checking at scale: a 1,000,000-row extract loaded, and cross-checked against ~1,000,000 beneficiaries.

    psql -h 127.0.0.1 -U postgres -c 'CREATE DATABASE bench_chk'
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_chk CELERY_BROKER_URL=redis://127.0.0.1:6379/6 \\
      .venv/bin/python -m bench.datacheck [--scale 6] [--rows 1000000] [--hits 20000] [--sample 5000]

On a scratch database (it is emptied):

1. ``generate_city --scale S`` builds the city (untimed); the ongoing beneficiaries are counted
   (distinct persons with an active or suspended dibao, tekun, orphan or disability case).
2. An extract of ``--rows`` rows is written as CSV: ``--hits`` ID numbers of beneficiaries, a
   few thousand of registered people who receive nothing, and valid ID numbers of nobody in
   the registry for the rest.
3. **Extract load, end to end**: ``services.extract_upload`` (every row checked: ID check
   character, duplicates; then one COPY) and ``extract_commit``.
4. **Cross-check**: ``cross_check_run_execute`` (the Celery task's body, in-process): one
   ``INSERT … SELECT … JOIN … ON CONFLICT DO NOTHING`` per extract. Then the same again
   (idempotence: no item may be added).
5. Beside them, in the same run and on the same data:
   * **row-by-row cross-check**: a Python loop over a sample of beneficiaries, each looked up
     in the extract by ID number with the ORM and a review item made with ``get_or_create``;
   * **row-by-row extract load**: ``ExtractRow.objects.create`` per row for a sample.

Prints each figure, and the row-by-row figures extrapolated to the full size.
"""

from __future__ import annotations

import argparse
import datetime
import os
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civil_affairs.settings")
os.environ.setdefault("CIVIL_AFFAIRS_DEV", "1")
# Benchmarks empty tables and switch triggers off to load their data: the owner's work (core/db/roles.py).
os.environ.setdefault("DATABASE_APP_ROLE", "")

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"


from bench import truncate  # noqa: E402  (after the settings above, like the rest)


def _id(body: str) -> str:
    return body + CHECK[sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True)) % 11]


def outsiders(n: int):
    """``n`` valid ID numbers of people in no registry here (area 110101, Beijing)."""
    start = datetime.date(1940, 1, 1)
    for i in range(n):
        day = start + datetime.timedelta(days=i // 900)
        yield _id(f"110101{day:%Y%m%d}{i % 900 + 100:03d}")


def setup() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from core.services import divisions_load

    divisions_load()


def generate(scale: int, seed: int) -> float:
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("generate_city", scale=scale, seed=seed, replace=True, stdout=open(os.devnull, "w"))
    return time.perf_counter() - started


def reset_datacheck() -> None:
    from django.db import connection

    with connection.cursor() as cur:
        truncate(
            cur,
            "TRUNCATE datacheck_reviewitem, datacheck_extractrow, datacheck_extract, datacheck_crosscheckrun,"
            " datacheck_datasource RESTART IDENTITY CASCADE",
        )


def beneficiary_numbers(limit: int) -> list[str]:
    from django.db import connection

    from datacheck.engine import beneficiaries_sql

    with connection.cursor() as cur:
        cur.execute(
            f"SELECT p.id_number FROM people_person p WHERE p.id IN (SELECT person_id FROM ({beneficiaries_sql()}) b)"  # noqa: S608
            " ORDER BY md5(p.id_number) LIMIT %s",
            [limit],
        )
        return [r[0] for r in cur.fetchall()]


def bystander_numbers(limit: int) -> list[str]:
    from django.db import connection

    from datacheck.engine import beneficiaries_sql

    with connection.cursor() as cur:
        cur.execute(
            f"""SELECT p.id_number FROM people_person p
                WHERE NOT EXISTS (SELECT 1 FROM ({beneficiaries_sql()}) b WHERE b.person_id = p.id)
                ORDER BY p.id LIMIT %s""",  # noqa: S608 - fixed SQL
            [limit],
        )
        return [r[0] for r in cur.fetchall()]


def build_csv(rows: int, hits: list[str], bystanders: list[str]) -> bytes:
    lines = ["id_number,detail"]
    lines += [f"{n},鲁B{i:05d}" for i, n in enumerate(hits)]
    lines += [f"{n},鲁B{i:05d}" for i, n in enumerate(bystanders)]
    lines += [f"{n}," for n in outsiders(rows - len(hits) - len(bystanders))]
    return ("\n".join(lines) + "\n").encode()


def row_by_row_cross_check(extract, sample: int, admin) -> tuple[int, int, int, float]:
    """The naive way: per beneficiary, an ORM lookup in the extract, and ``get_or_create`` on a hit."""
    from django.db import connection, transaction

    from datacheck.engine import beneficiaries_sql
    from datacheck.models import CrossCheckRun, ExtractRow, ReviewItem
    from people.models import Person

    with connection.cursor() as cur:  # the sample: the first ``sample`` beneficiaries by a hash, hits at their rate
        cur.execute(
            f"SELECT person_id, benefit, case_id FROM ({beneficiaries_sql()}) b ORDER BY md5(person_id::text) LIMIT %s",  # noqa: S608
            [sample],
        )
        beneficiaries = cur.fetchall()
    made = found = 0
    with transaction.atomic():
        run = CrossCheckRun.objects.create(started_by=admin, status="running")
        started = time.perf_counter()
        for person_id, benefit, case_id in beneficiaries:
            person = Person.objects.only("id", "id_number", "division_id").get(pk=person_id)
            row = ExtractRow.objects.filter(extract=extract, id_number=person.id_number).first()
            if row is None:
                continue
            found += 1
            _item, created = ReviewItem.objects.get_or_create(
                extract=extract,
                person=person,
                defaults={
                    "run": run,
                    "source_id": extract.source_id,
                    "row_line": row.line,
                    "division_id": person.division_id[:9],
                    "benefits": [{"benefit": benefit, "case": case_id}],
                    "detail": row.detail,
                },
            )
            made += created
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)  # measured, then undone: the set-based run is the real one
    return len(beneficiaries), found, made, elapsed


def row_by_row_load(extract, rows: list[tuple], sample: int) -> float:
    from django.db import transaction

    from datacheck.models import ExtractRow

    started = time.perf_counter()
    with transaction.atomic():
        for line, number, day, detail in rows[:sample]:
            ExtractRow.objects.create(extract=extract, line=line, id_number=number, event_date=day, detail=detail)
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return elapsed


def main() -> None:  # noqa: PLR0915 - one benchmark, told in order
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=int, default=6)
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--hits", type=int, default=20_000)
    parser.add_argument("--bystanders", type=int, default=5_000)
    parser.add_argument("--sample", type=int, default=5_000)
    parser.add_argument("--skip-generate", action="store_true", help="reuse the city already in the database")
    args = parser.parse_args()

    setup()
    from core.models import User
    from datacheck import engine, extracts, services
    from datacheck.models import Effect, ReviewItem

    if not args.skip_generate:
        print(f"generate_city --scale {args.scale}: {generate(args.scale, args.seed):.1f} s", flush=True)
    reset_datacheck()
    admin, _ = User.objects.get_or_create(username="bench-admin", defaults={"role": "admin", "division_id": "370200"})
    beneficiaries = engine.count_beneficiaries()
    print(f"ongoing beneficiaries (distinct persons): {beneficiaries:,}", flush=True)

    hits = beneficiary_numbers(args.hits)
    bystanders = bystander_numbers(args.bystanders)
    content = build_csv(args.rows, hits, bystanders)
    print(f"extract: {args.rows:,} rows, {len(content) / 1e6:.1f} MB CSV, {len(hits):,} beneficiaries", flush=True)
    # The web upload is capped by MAX_UPLOAD_MB (20 MB); a province's register comes in bigger files.
    extracts.LIMITS = extracts.LIMITS.but(max_bytes=len(content) + 1, max_rows=args.rows)
    from django.conf import settings

    settings.DATACHECK_EXTRACT_SYNC_MAX_BYTES = len(content) + 1  # checked here, in-process (a worker's work)
    source = services.data_source_register(
        actor=admin, department="公安局交警支队", item="机动车登记", effect=Effect.REVIEW
    )

    started = time.perf_counter()
    extract = services.extract_upload(actor=admin, source=source, file_name="vehicles.csv", content=content)
    upload_s = time.perf_counter() - started
    assert extract.status == "previewed", extract.errors[:3]
    services.extract_commit(actor=admin, extract=extract)
    load_s = time.perf_counter() - started
    print(
        f"extract load end to end (read, check every row, COPY, commit): {load_s:.2f} s "
        f"({args.rows / load_s:,.0f} rows/s; preview {upload_s:.2f} s)",
        flush=True,
    )

    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("ANALYZE datacheck_extractrow")
    checked, found, made, loop_s = row_by_row_cross_check(extract, args.sample, admin)
    per = loop_s / checked
    print(
        f"row-by-row cross-check: {checked:,} beneficiaries ({found} found, {made} items made) in {loop_s:.2f} s = "
        f"{checked / loop_s:,.0f}/s → {per * beneficiaries:,.0f} s for all (extrapolated)",
        flush=True,
    )

    started = time.perf_counter()
    run = services.cross_check_run_execute(run_id=services.cross_check_run_start(actor=admin).pk)
    check_s = time.perf_counter() - started
    assert run.status == "done", run.error
    print(
        f"cross-check: {beneficiaries:,} beneficiaries × {args.rows:,} rows → {run.items_created:,} items "
        f"in {check_s:.2f} s",
        flush=True,
    )
    print(f"set-based ÷ row-by-row (extrapolated): ×{per * beneficiaries / check_s:,.0f} faster", flush=True)
    started = time.perf_counter()
    again = services.cross_check_run_execute(run_id=services.cross_check_run_start(actor=admin).pk)
    again_s = time.perf_counter() - started
    print(f"same extract again: {again.items_created} items in {again_s:.2f} s", flush=True)
    assert again.items_created == 0 and ReviewItem.objects.count() == run.items_created

    parsed = extracts.parse_extract("vehicles.csv", content, effect=Effect.REVIEW)
    sample_rows = parsed.rows[: args.sample]
    one_s = row_by_row_load(extract, sample_rows, args.sample)
    print(
        f"row-by-row extract load: {len(sample_rows):,} rows in {one_s:.2f} s = {len(sample_rows) / one_s:,.0f} rows/s"
        f" → {one_s / len(sample_rows) * args.rows:,.0f} s for all; set-based ×"
        f"{one_s / len(sample_rows) * args.rows / load_s:,.1f}",
        flush=True,
    )


if __name__ == "__main__":
    main()

"""The demo city ``make run`` opens on: Qingdao's first half of 2020 (``manage.py seed_demo --scale S``).

Two steps beyond the small demo data of each app:

* ``build_city``: ``generate_city --scale S`` on an empty database (what it makes and why: the
  README, "The demo city"), and the city's elderly care (``elderly.demo``: centres, institutions,
  their approved operating subsidies); skipped when the database already has the city or other people;
* ``pay_half_year``: every scheme's runs of January–June 2020 — the five recurring schemes and
  the price-linked batch of each triggered month — requested by one finance officer, computed
  by the Celery worker (or here, in this process, when asked), and approved by a second finance
  officer through ``payouts.services`` (each approval folds the run into the dashboard).

Both are idempotent: a run already approved is left alone, a run computed is only approved.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable

from django.core.management import call_command
from django.core.management.base import CommandError

MONTHS = [f"2020-{m:02d}" for m in range(1, 7)]
CITY_USER = "city_generator"  # generate_city's own account: its presence says the city was built
CITY_CHECKER = "city_generator_checker"  # the second synthetic account: approves what the first entered
WAIT_SECONDS = 900  # how long the runs of a month may take on the worker before the demo gives up


def city_built() -> bool:
    from core.models import User

    return User.objects.filter(username=CITY_USER).exists()


def build_city(*, scale: float, seed: int = 2020, say: Callable[[str], None]) -> bool:
    """Build the city unless it is there; ``False`` (and why, through ``say``) when it is not built."""
    from people.models import Person

    if city_built():
        say("demo city: already built, left as it is")
        return False
    if Person.objects.exists():
        say("demo city: not built: the database already has people (start on an empty database for the city)")
        return False
    started = time.perf_counter()
    out = io.StringIO()
    call_command("generate_city", scale=scale, seed=seed, stdout=out)
    counts = dict(_parse_counts(out.getvalue()))
    shown = ", ".join(
        f"{counts[k]:,} {k}"
        for k in ("persons", "households", "dibao cases (active)", "marriages (2020)", "community organizations")
        if k in counts
    )
    say(f"demo city (scale {scale}): {shown} ({time.perf_counter() - started:.1f} s)")
    elderly_care(scale=scale, seed=seed, say=say)
    return True


def elderly_care(*, scale: float, seed: int, say: Callable[[str], None]) -> None:
    """The city's elderly-care centres, institutions and their approved operating subsidies (``elderly.demo``):
    entered by the generator's account, approved by a second synthetic account (four eyes)."""
    from core.models import User
    from elderly import demo as elderly_demo

    entrant = User.objects.get(username=CITY_USER)
    approver, created = User.objects.get_or_create(
        username=CITY_CHECKER,
        defaults={
            "role": "district_approver",
            "division_id": "370200",
            "first_name": "合成数据复核",
            "is_active": False,  # never signs in: it only stands for the second pair of eyes on synthetic rows
        },
    )
    if created:
        approver.set_unusable_password()
        approver.save(update_fields=["password"])
    made = elderly_demo.seed_city(scale=scale, entrant=entrant, approver=approver, seed=seed)
    if made:
        say(
            f"demo elderly care: {made['centres']} centres, {made['institutions']} institutions,"
            f" {made['subsidies']} operating subsidies approved for January–June ({made['amount']:,} yuan)"
        )


def _parse_counts(text: str):
    for line in text.splitlines():
        label, _sep, number = line.rpartition(" ")
        if label.strip() and number.replace(",", "").isdigit():
            yield label.strip(), int(number.replace(",", ""))


def pay_half_year(*, maker, checker, say: Callable[[str], None], compute_here: bool = False) -> int:
    """January–June 2020's runs of every scheme, requested, computed and approved. Returns how many were approved."""
    from core.errors import Conflict
    from payouts import services
    from payouts.models import PayoutRun, PayoutScheme, RunStatus

    approved = 0
    schemes = [code for code, _label in PayoutScheme.choices]
    for month in MONTHS:
        started = time.perf_counter()
        runs = []
        for scheme in schemes:
            try:
                run, _created = services.run_request(actor=maker, scheme=scheme, period=month, note="演示数据")
            except Conflict:
                continue  # e.g. a month whose price indices do not trigger the price-linked subsidy
            runs.append(run.pk)
        if compute_here:
            for pk in runs:
                services.run_compute(run_id=pk, worker="seed_demo")
        else:
            _wait_for_worker(runs, month)
        lines = made = 0
        for run in PayoutRun.objects.filter(pk__in=runs).order_by("pk"):
            if run.status == RunStatus.COMPUTED:
                services.run_approve(actor=checker, run=run, note="演示数据：第二位财务人员复核")
                made += 1
            elif run.status == RunStatus.FAILED:
                raise CommandError(f"the {run.scheme} run of {month} failed: {run.error}")
            lines += run.line_count or 0
        approved += made
        say(
            f"demo payouts {month}: {len(runs)} runs, {lines:,} lines, {made} approved now"
            f" ({time.perf_counter() - started:.1f} s)"
        )
    return approved


def _wait_for_worker(run_ids: list[int], month: str) -> None:
    from payouts.models import PayoutRun, RunStatus

    deadline = time.monotonic() + WAIT_SECONDS
    while PayoutRun.objects.filter(pk__in=run_ids, status__in=[RunStatus.QUEUED, RunStatus.COMPUTING]).exists():
        if time.monotonic() > deadline:
            raise CommandError(
                f"the runs of {month} were not computed within {WAIT_SECONDS} s: is a Celery worker running? "
                "(make run starts one; or pass --compute-here)"
            )
        time.sleep(0.5)

"""Fixtures for payouts: standards written here (so the expected amounts below are plain arithmetic),
cases made directly in the tables, two finance officers (maker and checker), and a synchronous compute."""

from __future__ import annotations

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

from people.models import Household, Person
from relief.models import DibaoCase, PriceIndex, PriceSubsidyRule, Standard, TekunCase
from tests.factories import PersonFactory, StaffFactory, make_household, make_id_number

# The city's standards, as the tests know them (per person per month).
DIBAO = {("urban", "2019"): Decimal("880.00"), ("rural", "2019"): Decimal("700.00")}
DIBAO |= {("urban", "2020-04"): Decimal("940.00"), ("rural", "2020-04"): Decimal("760.00")}
TEKUN_BASIC = {"urban": Decimal("1144.00"), "rural": Decimal("910.00")}
TEKUN_CARE = {"full": Decimal("200.00"), "partial": Decimal("600.00"), "none": Decimal("1200.00")}
# 市北区 (370203) sets its own, higher urban dibao standard.
OVERRIDE_DISTRICT = "370203"
OVERRIDE_URBAN = Decimal("900.00")
SUPPLEMENT = {"elderly": Decimal("100.00"), "disabled": Decimal("150.00"), "child": Decimal("80.00")}


@pytest.fixture
def payout_standards(db, divisions):
    """The standards table of these tests (written in full here, not taken from relief's seed)."""
    rows = [
        ("dibao", "urban", None, "2019-01-01", "880.00"),
        ("dibao", "rural", None, "2019-01-01", "700.00"),
        ("dibao", "urban", None, "2020-04-01", "940.00"),
        ("dibao", "rural", None, "2020-04-01", "760.00"),
        ("dibao", "urban", OVERRIDE_DISTRICT, "2019-01-01", "900.00"),
        ("dibao_supplement_elderly", "", None, "2019-01-01", "100.00"),
        ("dibao_supplement_disabled", "", None, "2019-01-01", "150.00"),
        ("dibao_supplement_child", "", None, "2019-01-01", "80.00"),
        ("tekun", "urban", None, "2019-01-01", "1144.00"),
        ("tekun", "rural", None, "2019-01-01", "910.00"),
        ("tekun_care_full", "", None, "2019-01-01", "200.00"),
        ("tekun_care_partial", "", None, "2019-01-01", "600.00"),
        ("tekun_care_none", "", None, "2019-01-01", "1200.00"),
    ]
    Standard.objects.filter(scheme__in={r[0] for r in rows}).delete()
    for scheme, area, division, day, amount in rows:
        Standard.objects.create(
            scheme=scheme, area_type=area, division_id=division, effective_from=day, amount=Decimal(amount)
        )
    if not PriceSubsidyRule.objects.exists():
        PriceSubsidyRule.objects.create(
            effective_from="2016-01-01", cpi_threshold=Decimal("3.5"), food_cpi_threshold=Decimal("6.0")
        )


@pytest.fixture
def finance(make_staff):
    """Two finance officers of the city: ``maker`` starts runs, ``checker`` approves them."""
    return SimpleNamespace(maker=make_staff("finance", "370200"), checker=make_staff("finance", "370200"))


@pytest.fixture
def staff(make_staff):
    return make_staff("caseworker", "370202001")


def dibao_case(
    *,
    community: str = "370202001001",
    area_type: str = "urban",
    members: int = 3,
    income: str = "500.00",
    status: str = "active",
    start: datetime.date = datetime.date(2019, 6, 1),
    end: datetime.date | None = None,
    births: list[datetime.date] | None = None,
    disabled: set[int] = frozenset(),
    bank_account: str = "6222020000000001",
    created_by=None,
) -> DibaoCase:
    """A dibao case in the given state (bypassing the application flow, as the relief tests do)."""
    created_by = created_by or StaffFactory()
    household = make_household(
        community=community,
        members=members,
        area_type=area_type,
        created_by=created_by,
        bank_name="演示银行",
        bank_account=bank_account,
    )
    people = [m.person for m in household.members.order_by("id")]
    if births:
        for person, birth in zip(people, births, strict=False):
            Person.objects.filter(pk=person.pk).update(birth_date=birth)
    case = DibaoCase.objects.create(
        household=household, monthly_income=Decimal(income), members_count=members, created_by=created_by
    )
    for index, person in enumerate(people):
        case.members.create(
            person=person,
            relationship="head" if index == 0 else "child",
            disabled=index in disabled,
        )
    DibaoCase.objects.filter(pk=case.pk).update(status=status, start_month=start, end_month=end)
    case.refresh_from_db()
    return case


def tekun_case(
    *,
    community: str = "370202001001",
    area_type: str = "urban",
    care_level: str = "full",
    status: str = "active",
    start: datetime.date = datetime.date(2019, 6, 1),
    end: datetime.date | None = None,
    person: Person | None = None,
    created_by=None,
) -> TekunCase:
    created_by = created_by or StaffFactory()
    if person is None:
        person = make_household(community=community, area_type=area_type, created_by=created_by).head
    return TekunCase.objects.create(
        person=person,
        care_level=care_level,
        placement="home",
        area_type=area_type,
        created_by=created_by,
        status=status,
        start_month=start,
        end_month=end,
    )


def lone_person(community: str = "370202001001") -> Person:
    """Someone in no household (a tekun person in an institution)."""
    return PersonFactory(division_id=community, id_number=make_id_number(area=community[:6]))


def price_index(month: str, cpi: str, food: str, admin=None) -> PriceIndex:
    return PriceIndex.objects.create(
        month=f"{month}-01", cpi_yoy=Decimal(cpi), food_cpi_yoy=Decimal(food), created_by=admin or StaffFactory()
    )


@pytest.fixture
def compute():
    """Compute a run here and now, as the worker would (the task calls the same service)."""
    from payouts.services import run_compute

    def run(run_or_id, **kwargs) -> str:
        return run_compute(run_id=getattr(run_or_id, "pk", run_or_id), worker="test", **kwargs)

    return run


@pytest.fixture
def request_run(finance):
    from payouts.services import run_request

    def make(scheme: str, period: str, actor=None):
        run, _created = run_request(actor=actor or finance.maker, scheme=scheme, period=period)
        return run

    return make


def household_of(case: DibaoCase) -> Household:
    return Household.objects.get(pk=case.household_id)


# --- A real Celery worker, pointed at the test database ------------------------------------------------


class WorkerProcess:
    """``celery -A civil_affairs worker`` as a subprocess (its own process group), with handles to stop or kill it."""

    def __init__(self, env: dict[str, str], log_path, name: str, concurrency: int):
        import subprocess
        import sys
        from pathlib import Path

        self.name = name
        self.log_path = log_path
        base = Path(__file__).resolve().parents[2]
        self._log = open(log_path, "ab")  # closed in stop()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "civil_affairs",
                "worker",
                "--pool=prefork",
                f"--concurrency={concurrency}",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                name,
            ],
            cwd=base,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 60) -> None:
        import time

        from civil_affairs.celery import app

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the worker exited ({self.process.returncode}); see {self.log_path}")
            if app.control.ping(destination=[self.name], timeout=1.0):
                return
        raise RuntimeError(f"the worker did not answer within {timeout}s; see {self.log_path}")

    def kill(self) -> None:
        """SIGKILL the whole worker (main process and pool children): nothing gets to clean up."""
        import os
        import signal

        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=30)

    def stop(self) -> None:
        import os
        import signal
        import subprocess

        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=20)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                self.kill()
        self._log.close()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@pytest.fixture
def celery_worker_process(transactional_db, tmp_path, settings):
    """Start real workers (``celery -A civil_affairs worker``) on the test database and the test broker.

    Call it with environment overrides: ``worker = celery_worker_process(PAYOUTS_CHUNK_SIZE="2")``.
    The workers get ``DATABASE_URL`` naming the test database and the test's ``CELERY_BROKER_URL``;
    the queue is purged first (stale tasks from other tests), every worker is stopped at the end.
    Tests using it are marked ``@pytest.mark.celery``.
    """
    import os
    import uuid
    from urllib.parse import quote

    from django.db import connection

    from civil_affairs.celery import app

    db = connection.settings_dict
    auth = quote(db["USER"] or "")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    options = db.get("OPTIONS") or {}
    # dj-database-url keeps a socket directory given as ``?host=/path`` in OPTIONS, not in HOST.
    host = db["HOST"] or options.get("host") or "127.0.0.1"
    port = db.get("PORT") or options.get("port")
    if host.startswith("/"):  # a Unix socket directory (the embedded PostgreSQL)
        database_url = f"postgres://{auth}@/{db['NAME']}?host={host}"
        if port:
            database_url += f"&port={port}"
    else:
        database_url = f"postgres://{auth}@{host}:{port or 5432}/{db['NAME']}"
    app.control.purge()
    started: list[WorkerProcess] = []

    def start(concurrency: int = 1, **overrides: str) -> WorkerProcess:
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "CIVIL_AFFAIRS_DEV": "1",
            "DB_CONN_MAX_AGE": "0",
            "PYTHONUNBUFFERED": "1",
            **overrides,
        }
        name = f"test-{uuid.uuid4().hex[:8]}@%h"
        worker = WorkerProcess(
            env, tmp_path / f"worker-{len(started)}.log", name.replace("%h", os.uname().nodename), concurrency
        )
        started.append(worker)
        worker.wait_ready()
        return worker

    yield start
    for worker in started:
        worker.stop()
    app.control.purge()

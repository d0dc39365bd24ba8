"""Residents online under load: 50 residents at once against gunicorn with 2 sync workers.

    psql -h 127.0.0.1 -U postgres -c 'CREATE DATABASE bench_residents'
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_residents CELERY_BROKER_URL=redis://127.0.0.1:6379/15 \\
        .venv/bin/python -m bench.residents [--residents 50] [--polls 20] [--workers 2]

What it does, in one run:

1. Prepares the database (migrations, the divisions), ``--residents`` residents, each with an API
   token and a resident-site session made directly (``residents.auth``: not through the code
   throttle, which phase 4 measures on its own), and opens every office for the days booked.
2. **Floor**: every resident, all at once, reads the resident site's home page (``/public/``: the
   session check and a template, no query of their own) ``--polls`` times. Its p50/p95 is the
   baseline the other figures are divided by.
3. **Submit and poll**: every resident, all at once, submits (``POST /api/v1/public/applications/``
   when the residents' applications exist, else ``POST /api/v1/public/marriage-appointments/``: a
   booking against the offices' daily capacity) and then polls its status page ``--polls`` times
   (the application's page, or "my bookings"). Targets: status page p95 <= 200 ms, no errors.
4. **SMS limit under concurrency**: ``--residents`` requests for a code for *one* phone at the same
   instant (``POST /api/v1/public/auth/code/``, released by one barrier): exactly
   ``RESIDENT_CODES_PER_HOUR`` (5) are accepted (202), the rest refused (429), nothing else.

The clients of steps 2–4 are threads of this process (urllib keeps no connection between requests,
as 50 phones would not); gunicorn, PostgreSQL and the clients share the machine's cores, so those
figures include the clients' own time (50 Python threads, one interpreter: on 2 cores, much of one)
and whatever else runs beside them. So steps 2 and 3's reads are measured a second time with a
lighter client doing the same requests:

5. **wrk** (Debian package ``wrk``; skipped with a note when it is missing, or with ``--client threads``):
   50 connections at once (``--residents``), each request the next resident's page with that
   resident's own session cookie (``bench/residents.lua``), ``--residents`` × ``--polls`` requests:
   the floor page, then every resident's status page (the applications step 3 submitted). A new
   connection per request, as gunicorn's sync workers close each one. The targets are judged on
   these figures when wrk ran (the server's time, not the Python clients'), on step 3's otherwise;
   both tables are printed.

Loopback only.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civil_affairs.settings")
os.environ.setdefault("CIVIL_AFFAIRS_DEV", "1")
os.environ.setdefault("DB_CONN_MAX_AGE", "600")
# The server must read the sessions this process signs: one key for both.
os.environ.setdefault("SECRET_KEY", "bench-only-" + "k" * 50)

BASE = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"  # loopback only
STATUS_P95_TARGET_MS = 200


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _id_number(area: str, birth: datetime.date, serial: int, *, male: bool) -> str:
    from stdnum.cn import ric

    seq = f"{serial % 1000:03d}"
    if (int(seq[2]) % 2 == 1) != male:
        seq = seq[:2] + str((int(seq[2]) + 1) % 10)
    body = f"{area}{birth:%Y%m%d}{seq}"
    return body + ric.calc_check_digit(body + "0")


class Resident:
    def __init__(self, pk: int, phone: str, token: str, session: str):
        self.pk, self.phone, self.token, self.session = pk, phone, token, session
        self.csrf = secrets.token_hex(16)


def prepare(count: int) -> tuple[list[Resident], bool]:
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.urls import NoReverseMatch, reverse

    from core.models import User
    from core.services import divisions_load, staff_create
    from marriage import services as marriage_services
    from marriage.models import Appointment
    from residents.auth import SESSION_RESIDENT, SESSION_SEEN, SESSION_STARTED, token_issue
    from residents.models import Resident as ResidentModel

    call_command("migrate", verbosity=0)
    divisions_load()
    if not User.objects.filter(username="bench_registrar").exists():
        staff_create(
            username="bench_registrar",
            role="registrar",
            division_code="370200",
            password="Bench-pass-12345",  # noqa: S106
        )
    registrar = User.objects.get(username="bench_registrar")
    Appointment.objects.filter(resident__phone__startswith="1770").delete()
    day = marriage_day()
    for office in ("370202", "370203", "370211", "370212"):
        marriage_services.capacity_override_set(actor=registrar, office=office, date=day, capacity=count)
    residents = []
    now = int(time.time())
    for i in range(count):
        resident, _ = ResidentModel.objects.get_or_create(phone=f"1770000{i:04d}")
        store = SessionStore()
        store[SESSION_RESIDENT] = resident.pk
        store[SESSION_STARTED] = store[SESSION_SEEN] = now
        store.create()
        residents.append(Resident(resident.pk, resident.phone, token_issue(resident=resident), store.session_key))
    try:
        reverse("public-application-list")
        applications = True
    except NoReverseMatch:
        applications = False
    assert settings.SESSION_COOKIE_NAME
    return residents, applications


def marriage_day() -> datetime.date:
    from django.utils import timezone

    return timezone.localdate() + datetime.timedelta(days=7)


def serve(workers: int, port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": os.environ["SECRET_KEY"],
        "ALLOWED_HOSTS": HOST,
        "LOG_LEVEL": "WARNING",
        "SMS_GATEWAY": "console",
        "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/15"),
    }
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    proc = subprocess.Popen(
        [gunicorn, "civil_affairs.wsgi", "-w", str(workers), "-b", f"{HOST}:{port}", "--log-level", "warning"],
        cwd=BASE,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("gunicorn did not start")


def request(base: str, method: str, path: str, *, resident: Resident | None = None, body=None, api=True):
    """One request; returns (status, milliseconds, parsed JSON or text)."""
    from django.conf import settings

    headers = {"Accept-Language": "zh-hans"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if resident is not None:
        if api:
            headers["Authorization"] = f"Token {resident.token}"
        else:
            headers["Cookie"] = f"{settings.SESSION_COOKIE_NAME}={resident.session}; csrftoken={resident.csrf}"
    req = urllib.request.Request(base + path, data=data, method=method, headers=headers)  # noqa: S310 - loopback
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=60) as response:  # noqa: S310
            status, text = response.status, response.read().decode()
            final = response.geturl()
    except urllib.error.HTTPError as exc:
        status, text, final = exc.code, exc.read().decode(errors="replace"), base + path
    elapsed = (time.perf_counter() - started) * 1000
    if not api and final != base + path:
        status = 0 - status  # redirected (to the sign-in page): an error, whatever the final status
    try:
        payload = json.loads(text) if api else text
    except ValueError:
        payload = text
    return status, elapsed, payload


def all_at_once(jobs) -> list:
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def run(i, job):
        barrier.wait()
        try:
            results[i] = job()
        except Exception as exc:  # noqa: BLE001 - a client's failure is counted, not raised
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    if not values:
        return float("nan")
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def floor(base: str, residents: list[Resident], polls: int) -> dict:
    def job(r):
        times, errors = [], 0
        for _ in range(polls):
            status, ms, _ = request(base, "GET", "/public/", resident=r, api=False)
            times.append(ms)
            errors += status != 200
        return times, errors

    return _summary(all_at_once([lambda r=r: job(r) for r in residents]))


def _summary(results) -> dict:
    times, errors, failures = [], 0, 0
    for result in results:
        if isinstance(result, Exception):
            failures += 1
            continue
        t, e = result
        times += t
        errors += e
    return {
        "n": len(times),
        "p50": pct(times, 0.5),
        "p95": pct(times, 0.95),
        "max": max(times, default=float("nan")),
        "mean": statistics.fmean(times) if times else float("nan"),
        "errors": errors + failures,
    }


RUN = secrets.randbelow(720_000)  # this run's applicants: another run's are still waiting to be accepted


def application_body(i: int) -> dict:
    birth = datetime.date(1940 + (RUN + i) % 60, 1 + (RUN // 60 + i) % 12, 1 + (RUN // 720 + i) % 28)
    applicant = _id_number("370202", birth, 100 + i, male=True)
    spouse = _id_number("370202", birth.replace(year=birth.year + 1), 200 + i, male=False)
    return {
        "kind": "dibao",
        "applicant": {"id_number": applicant, "name": f"压测{i}"},
        "community": "370202001001",
        "address": f"合成路{i}号",
        "area_type": "urban",
        "members": [
            {"id_number": applicant, "name": f"压测{i}", "relationship": "head"},
            {"id_number": spouse, "name": f"压测配偶{i}", "relationship": "spouse"},
        ],
        "monthly_income": "300.00",
        "reason": "压测：收入低于低保标准",
        "authorization": True,
    }


def booking_body(i: int) -> dict:
    birth = datetime.date(1980 + i % 15, 1 + i % 12, 1 + i % 28)
    return {
        "office": ("370202", "370203", "370211", "370212")[i % 4],
        "date": marriage_day().isoformat(),
        "kind": "marriage",
        "party_a_id_number": _id_number("370202", birth, 300 + i, male=True),
        "party_b_id_number": _id_number("370203", birth, 400 + i, male=False),
    }


def submit_and_poll(base: str, residents: list[Resident], polls: int, applications: bool) -> tuple[dict, dict]:
    def job(i, r):
        if applications:
            status, submit_ms, payload = request(
                base, "POST", "/api/v1/public/applications/", resident=r, body=application_body(i)
            )
            page = (
                f"/public/applications/{payload['id']}/"
                if isinstance(payload, dict) and "id" in payload
                else "/public/"
            )
        else:
            status, submit_ms, payload = request(
                base, "POST", "/api/v1/public/marriage-appointments/", resident=r, body=booking_body(i)
            )
            page = "/public/marriage/"
        submit_errors = status != 201
        r.page = page
        times, errors = [], 0
        for _ in range(polls):
            s, ms, _ = request(base, "GET", page, resident=r, api=False)
            times.append(ms)
            errors += s != 200
        return ([submit_ms], int(submit_errors)), (times, errors)

    results = all_at_once([lambda i=i, r=r: job(i, r) for i, r in enumerate(residents)])
    submits = [r[0] if not isinstance(r, Exception) else r for r in results]
    polls_ = [r[1] if not isinstance(r, Exception) else r for r in results]
    return _summary(submits), _summary(polls_)


WRK_RESULT = re.compile(r"RESULT n=(\d+) p50=([\d.]+) p95=([\d.]+) max=([\d.]+) mean=([\d.]+) bad=(\d+) errors=(\d+)")


def wrk_pages(base: str, residents: list[Resident], pages: list[str], requests: int) -> dict:
    """``requests`` GETs by wrk, ``len(residents)`` at once, each the next resident's page with its own session."""
    from django.conf import settings

    targets = BASE / "var" / "bench-residents-targets.txt"
    targets.parent.mkdir(exist_ok=True)
    targets.write_text(
        "".join(
            f"{page}\t{settings.SESSION_COOKIE_NAME}={r.session}; csrftoken={r.csrf}\n"
            for r, page in zip(residents, pages, strict=True)
        )
    )
    command = ["wrk", "-t", "1", "-c", str(len(residents)), "-d", "300s", "--timeout", "30s"]
    command += ["-s", str(BASE / "bench" / "residents.lua"), base + "/"]
    done = targets.with_suffix(".done")
    done.unlink(missing_ok=True)
    env = {
        **os.environ,
        "RESIDENTS_TARGETS": str(targets),
        "RESIDENTS_REQUESTS": str(requests),
        "RESIDENTS_DONE": str(done),
    }
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.monotonic() + 300
    while not done.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)  # wrk stops early on SIGINT and reports what it measured
    out, _ = proc.communicate(timeout=60)
    match = WRK_RESULT.search(out)
    if not match:
        raise RuntimeError(out)
    n, p50, p95, top, mean, bad, errors = match.groups()
    return {
        "n": int(n),
        "p50": float(p50),
        "p95": float(p95),
        "max": float(top),
        "mean": float(mean),
        "errors": int(bad) + int(errors),
    }


def sms_limit(base: str, count: int) -> dict:
    phone = "1880" + f"{secrets.randbelow(10**7):07d}"
    results = all_at_once(
        [lambda: request(base, "POST", "/api/v1/public/auth/code/", body={"phone": phone}) for _ in range(count)]
    )
    codes: dict[str, int] = {}
    for result in results:
        key = "exception" if isinstance(result, Exception) else str(result[0])
        codes[key] = codes.get(key, 0) + 1
    return {"phone": phone, "answers": codes}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--residents", type=int, default=50)
    parser.add_argument("--polls", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--client", choices=["both", "threads"], default="both", help="threads: skip the wrk measurement (step 5)"
    )
    args = parser.parse_args()
    use_wrk = args.client == "both" and shutil.which("wrk") is not None
    residents, applications = prepare(args.residents)
    from django.conf import settings

    port = _free_port()
    server = serve(args.workers, port)
    base = f"http://{HOST}:{port}"
    try:
        for r in residents[:2]:  # warm both workers' connections and template caches
            request(base, "GET", "/public/", resident=r, api=False)
            request(base, "GET", "/public/marriage/", resident=r, api=False)
        base_floor = floor(base, residents, args.polls)
        submitted, polled = submit_and_poll(base, residents, args.polls, applications)
        wrk_floor = wrk_poll = None
        if use_wrk:
            count = args.residents * args.polls
            wrk_floor = wrk_pages(base, residents, ["/public/"] * len(residents), count)
            pages = [getattr(r, "page", "/public/") for r in residents]
            wrk_poll = wrk_pages(base, residents, pages, count)
        sms = sms_limit(base, args.residents)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    what = "dibao application" if applications else "marriage booking (residents' applications not present)"
    page = "application status page" if applications else "my bookings page"
    print(f"\n{args.residents} residents at once, {args.polls} polls each, gunicorn {args.workers} sync workers\n")
    print("| clients | step | requests | p50 ms | p95 ms | max ms | × floor (p95) | errors |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    rows = [
        ("threads", "floor: resident home page `/public/`", base_floor, base_floor),
        ("threads", f"submit: {what}", submitted, base_floor),
        ("threads", f"poll: {page}", polled, base_floor),
    ]
    if wrk_floor is not None:
        rows += [
            ("wrk", "floor: resident home page `/public/`", wrk_floor, wrk_floor),
            ("wrk", f"poll: {page}", wrk_poll, wrk_floor),
        ]
    for clients, label, r, floor_of in rows:
        ratio = r["p95"] / floor_of["p95"] if floor_of["p95"] else float("nan")
        print(
            f"| {clients} | {label} | {r['n']} | {r['p50']:.0f} | {r['p95']:.0f} | {r['max']:.0f} | {ratio:.2f} "
            f"| {r['errors']} |"
        )
    if args.client == "both" and wrk_floor is None:
        print("\nwrk not found (apt-get install wrk): step 5 skipped, the targets judged on the threads' figures")
    accepted = sms["answers"].get("202", 0)
    limit = settings.RESIDENT_CODES_PER_HOUR
    print(f"\nSMS codes for one phone, {args.residents} requests at once: {sms['answers']} (limit {limit})")
    judged = wrk_poll if wrk_poll is not None else polled
    ok = (
        judged["p95"] <= STATUS_P95_TARGET_MS
        and judged["errors"] == 0
        and polled["errors"] == 0
        and submitted["errors"] == 0
        and accepted == limit
        and sms["answers"].get("429", 0) == args.residents - limit
    )
    on = "wrk" if wrk_poll is not None else "threads"
    print(f"targets met (status page p95 with the {on} clients)" if ok else f"TARGETS MISSED (judged on {on})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

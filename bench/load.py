"""Load test from a second process: wrk against gunicorn serving the portal at 1,000,000 persons.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_people .venv/bin/python -m bench.load \\
        [--workers 2 4] [--connections 4] [--seconds 15]

Builds (or reuses) the city of ``bench.people_lists.build``, signs a caseworker of one
sub-district in (a session cookie and an API token, made directly, not through the login
throttle), starts gunicorn on 127.0.0.1 with N sync workers, and runs wrk (Debian package
``wrk``; loopback only, bounded in time) against caseworker list and detail pages and API
endpoints, and the approval API: a sub-district approver approving temporary relief claims
(``POST /api/v1/temporary-relief-claims/{id}/approve/``, a different pending claim per request,
``bench/approve.lua``; each approval locks the claim and its household, checks the annual cap and
writes the case event and the audit history). Prints requests/s, p50/p95/p99 per URL and worker
count as a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civil_affairs.settings")
os.environ.setdefault("CIVIL_AFFAIRS_DEV", "1")
os.environ.setdefault("DB_CONN_MAX_AGE", "600")
# The server must read the session this process signs: one key for both.
os.environ.setdefault("SECRET_KEY", "bench-only-" + "k" * 50)

BASE = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"  # loopback only
RESULT = re.compile(r"RESULT rps=([\d.]+) p50=([\d.]+) p95=([\d.]+) p99=([\d.]+) requests=(\d+) errors=(\d+)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def prepare(persons: int) -> tuple[str, str, dict[str, str]]:
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    from bench.people_lists import build
    from core.models import User
    from core.tokens import token_issue
    from people.models import HouseholdMember, Person

    build(persons)
    user = User.objects.get(username="bench_cw")
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    token = token_issue(user=user)[1]
    person = Person.objects.filter(division__code__startswith="370202001").order_by("id").first()
    household = HouseholdMember.objects.get(person=person).household_id
    urls = {
        "page: people list": "/people/",
        "page: households list": "/people/households/",
        "page: person detail": f"/people/{person.pk}/",
        "page: household detail": f"/people/households/{household}/",
        "api: people list (25)": "/api/v1/people/?page_size=25",
        "api: household detail": f"/api/v1/households/{household}/",
    }
    return session, token, urls


APPROVE_LABEL = "api: approve a relief claim (POST)"


def prepare_claims(count: int) -> str:
    """``count`` pending temporary relief claims in the caseworker's sub-district (filed by the
    caseworker, through the service, one per household), and a token for a sub-district approver."""
    import django

    django.setup()
    from core.models import User
    from core.services import staff_create
    from core.tokens import token_issue
    from people.models import Household
    from relief.models import ClaimStatus, TemporaryReliefClaim
    from relief.services import standards_seed, temporary_relief_claim_create

    standards_seed(demo=True)
    if not User.objects.filter(username="bench_approver").exists():
        staff_create(
            username="bench_approver",
            role="subdistrict_approver",
            division_code="370202001",
            password="Bench-pass-12345",  # noqa: S106
        )
    approver = User.objects.get(username="bench_approver")
    caseworker = User.objects.get(username="bench_cw")
    pending = TemporaryReliefClaim.objects.filter(status=ClaimStatus.SUBMITTED, created_by=caseworker).count()
    if pending < count:
        # Round-robin over the sub-district's households: a few small claims each stay far below
        # the annual cap, so every approval does the whole check and succeeds.
        households = list(Household.objects.filter(community__code__startswith="370202001").order_by("pk"))
        started = time.perf_counter()
        for i in range(count - pending):
            temporary_relief_claim_create(
                actor=caseworker,
                household=households[i % len(households)],
                amount="100.00",
                kind="urgent",
                reason="压测：突发困难",
            )
        print(f"filed {count - pending} claims in {time.perf_counter() - started:.1f}s", flush=True)
    return token_issue(user=approver)[1]


def pending_claim_ids(path: Path) -> int:
    from core.models import User
    from relief.models import ClaimStatus, TemporaryReliefClaim

    ids = TemporaryReliefClaim.objects.filter(
        status=ClaimStatus.SUBMITTED, created_by=User.objects.get(username="bench_cw")
    ).values_list("pk", flat=True)
    ids = list(ids.order_by("pk"))
    path.write_text("".join(f"{pk}\n" for pk in ids))
    return len(ids)


def run_wrk_approvals(base: str, token: str, connections: int, seconds: int) -> dict[str, float]:
    ids = BASE / "var" / "bench-approve-ids.txt"
    ids.parent.mkdir(exist_ok=True)
    time.sleep(1)  # requests still in flight when the previous wrk stopped finish first
    available = pending_claim_ids(ids)
    env = {"APPROVE_IDS": str(ids), "APPROVE_TOKEN": token, "P95_LUA": str(BASE / "bench" / "p95.lua")}
    result = run_wrk(base + "/", [], connections, seconds, script="approve.lua", env=env)
    if result["n"] > available:
        raise RuntimeError(f"only {available} pending claims for {result['n']} approvals: raise --claims")
    return result


def serve(workers: int, port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": os.environ["SECRET_KEY"],
        "ALLOWED_HOSTS": HOST,
        "LOG_LEVEL": "WARNING",
        "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/15"),
    }
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    proc = subprocess.Popen(
        [gunicorn, "civil_affairs.wsgi", "-w", str(workers), "-b", f"{HOST}:{port}", "--log-level", "warning"],
        cwd=BASE,
        env=env,
        start_new_session=True,
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


def check_ok(url: str, headers: list[str]) -> None:
    """Each URL must answer 200 as the signed-in caseworker (not a redirect to the login page)."""
    import urllib.request

    request = urllib.request.Request(url, headers=dict(h.split(": ", 1) for h in headers))  # noqa: S310 - loopback
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        if response.status != 200 or response.geturl() != url:
            raise RuntimeError(f"{url}: {response.status} {response.geturl()}")


def run_wrk(
    url: str, headers: list[str], connections: int, seconds: int, *, script: str = "p95.lua", env=None
) -> dict[str, float]:
    command = ["wrk", "-t", "1", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "10s"]
    command += ["-s", str(BASE / "bench" / script)]
    for header in headers:
        command += ["-H", header]
    out = subprocess.run(
        [*command, url],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=True,
        env={**os.environ, **(env or {})},
    ).stdout
    match = RESULT.search(out)
    if not match:
        raise RuntimeError(out)
    rps, p50, p95, p99, requests, errors = match.groups()
    return {
        "rps": float(rps),
        "p50": float(p50),
        "p95": float(p95),
        "p99": float(p99),
        "n": int(requests),
        "errors": int(errors),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, nargs="+", default=[2, 4])
    parser.add_argument("--connections", type=int, nargs="+", default=[2, 8])
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--claims", type=int, default=15_000, help="pending claims filed for the approval runs")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk not found: apt-get install wrk", file=sys.stderr)
        return 2
    session, token, urls = prepare(args.persons)
    approver_token = prepare_claims(args.claims)
    rows = []
    for workers in args.workers:
        port = _free_port()
        server = serve(workers, port)
        try:
            for label, path in urls.items():
                if label.startswith("api"):
                    headers = [f"Authorization: Token {token}"]
                else:
                    headers = [f"Cookie: sessionid={session}"]
                url = f"http://{HOST}:{port}{path}"
                check_ok(url, headers)
                run_wrk(url, headers, 1, 2)  # warm each worker's connection and caches
                for connections in args.connections:
                    r = run_wrk(url, headers, connections, args.seconds)
                    rows.append((workers, connections, label, r))
                    print(f"{workers} workers, {connections} conn, {label}: {r}", flush=True)
            base = f"http://{HOST}:{port}"
            run_wrk_approvals(base, approver_token, 1, 2)  # warm up
            for connections in args.connections:
                r = run_wrk_approvals(base, approver_token, connections, args.seconds)
                rows.append((workers, connections, APPROVE_LABEL, r))
                print(f"{workers} workers, {connections} conn, {APPROVE_LABEL}: {r}", flush=True)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
    print("\n| gunicorn workers | connections | request | req/s | p50 ms | p95 ms | p99 ms | errors |")
    print("| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |")
    for workers, connections, label, r in rows:
        print(
            f"| {workers} | {connections} | {label} | {r['rps']:.0f} | {r['p50']:.1f} | {r['p95']:.1f} | "
            f"{r['p99']:.1f} | {r['errors']} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""One entry point for ``make run``, ``make test``, ``make worker`` and ``make beat``.

It starts the embedded PostgreSQL and Redis where ``DATABASE_URL`` / ``CELERY_BROKER_URL``
are unset (see ``localservices``), runs what was asked, and on exit or Ctrl-C stops every
process it started, the embedded servers included.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from civil_affairs.localservices import BASE_DIR, Services

PYTHON = sys.executable
MANAGE = [PYTHON, str(BASE_DIR / "manage.py")]


def _env(services: Services) -> dict[str, str]:
    env = services.up()
    env.setdefault("DJANGO_SETTINGS_MODULE", "civil_affairs.settings")
    return env


def _check(cmd: list[str], env: dict[str, str]) -> None:
    subprocess.run(cmd, env=env, check=True, cwd=BASE_DIR)


def _start(cmd: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(cmd, env=env, cwd=BASE_DIR, start_new_session=True)


def _supervise(
    commands: dict[str, list[str]], env: dict[str, str], started: dict[str, subprocess.Popen] | None = None
) -> int:
    """Run the commands side by side (and those already ``started``); when one ends or Ctrl-C comes, stop all."""
    procs = dict(started or {})
    procs.update({name: _start(cmd, env) for name, cmd in commands.items()})
    stopping = False

    def stop(*_args) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    exit_code = 0
    try:
        while not stopping:
            for name, proc in procs.items():
                code = proc.poll()
                if code is not None:
                    print(f"[launcher] {name} exited with {code}; stopping the others", file=sys.stderr)
                    exit_code = code or 1
                    stopping = True
                    break
            time.sleep(0.3)
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for proc in procs.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
    return exit_code


# ``make run DEMO=…``: the demo city's scale (the report's city, a small one, or none).
DEMO_SCALES = {"": "1", "full": "1", "small": "0.05", "none": "0"}


def demo_scale(value: str) -> str:
    value = (value or "").strip().lower()
    if value in DEMO_SCALES:
        return DEMO_SCALES[value]
    try:
        float(value)
    except ValueError:
        raise SystemExit(f"DEMO={value!r}: use full, small, none or a scale such as 0.2") from None
    return value


def run(args: list[str]) -> int:
    started = time.perf_counter()
    scale = demo_scale(os.environ.get("DEMO", ""))
    services = Services()
    env = _env(services)
    env.setdefault("DEBUG", "1")
    env.setdefault("CIVIL_AFFAIRS_DEV", "1")
    addr = os.environ.get("PORTAL_ADDR", "127.0.0.1:8000")
    worker = None
    try:
        _check([*MANAGE, "migrate", "--noinput"], env)
        print(f"[launcher] services up, database migrated ({time.perf_counter() - started:.1f} s)", flush=True)
        # The worker first: the demo city's runs are computed by it, as every run is.
        worker = _start(
            [PYTHON, "-m", "celery", "-A", "civil_affairs", "worker", "-l", "warning", "--concurrency", "2"], env
        )
        _check([*MANAGE, "seed_demo", "--scale", scale], env)
        print(
            f"[launcher] portal on http://{addr}/  ready {time.perf_counter() - started:.0f} s after start"
            "  (Ctrl-C stops the web server, worker, beat and local services)",
            flush=True,
        )
        return _supervise(
            {
                "web": [*MANAGE, "runserver", addr, "--noreload"],
                "beat": [PYTHON, "-m", "celery", "-A", "civil_affairs", "beat", "-l", "info"],
            },
            env,
            started={"worker": worker},
        )
    finally:
        if worker is not None and worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
        services.down()


def celery(kind: str, args: list[str]) -> int:
    services = Services()
    env = _env(services)
    env.setdefault("CIVIL_AFFAIRS_DEV", "1")
    try:
        return _supervise({kind: [PYTHON, "-m", "celery", "-A", "civil_affairs", kind, "-l", "info", *args]}, env)
    finally:
        services.down()


def _parallel(args: list[str]) -> list[str]:
    """pytest-xdist's options for ``make test``: one process per core (``TEST_PROCESSES`` overrides, 0 or 1
    runs in this process). Tests are handed out in collection order (``--dist load``), which keeps
    pytest-django's order in every process: the tests in a rolled-back transaction first, those that
    commit and flush the database (live servers, real workers) last, so no test finds the shipped
    divisions flushed away by another. Arguments that choose otherwise (``-n``, ``-p no:xdist``) are left as given."""
    if any(a == "-n" or a.startswith(("-n", "--numprocesses", "--dist")) for a in args) or "no:xdist" in args:
        return []
    processes = int(os.environ.get("TEST_PROCESSES") or min(os.cpu_count() or 1, 4))
    return ["-n", str(processes), "--dist", "load"] if processes > 1 else []


def test(args: list[str]) -> int:
    services = Services()
    env = _env(services)
    env.setdefault("CIVIL_AFFAIRS_DEV", "1")
    try:
        command = [PYTHON, "-m", "pytest", *_parallel(args), *args]
        return subprocess.run(command, env=env, cwd=BASE_DIR, check=False).returncode
    finally:
        services.down()


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[1] not in {"run", "test", "worker", "beat"}:
        print("usage: python -m civil_affairs.launcher run|test|worker|beat [args...]", file=sys.stderr)
        return 2
    command, rest = argv[1], argv[2:]
    if command == "run":
        return run(rest)
    if command == "test":
        return test(rest)
    return celery(command, rest)


if __name__ == "__main__":
    Path(BASE_DIR / "var").mkdir(exist_ok=True)
    sys.exit(main(sys.argv))

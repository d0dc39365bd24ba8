"""architecture.md: nobody depends on the dashboard. Payouts announce an approved run and the
dashboard subscribes (the folding tests in this folder fail if it does not); no domain app
imports ``dashboard``."""

import ast
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
# The project package wires URLs together (civil_affairs/api.py mounts every app's API).
ALLOWED = {"dashboard", "civil_affairs", "tests", "bench", ".venv", "var"}


def _imports_dashboard(path: Path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "dashboard":
            return True
        if isinstance(node, ast.Import) and any(alias.name.split(".")[0] == "dashboard" for alias in node.names):
            return True
    return False


def test_no_app_imports_the_dashboard():
    offenders = [
        str(path.relative_to(ROOT))
        for path in ROOT.rglob("*.py")
        if path.relative_to(ROOT).parts[0] not in ALLOWED and _imports_dashboard(path)
    ]
    assert offenders == []

"""A pytest plugin loaded first (``-p civil_affairs.testenv`` in pyproject.toml).

It runs before pytest-django configures Django, so a bare ``pytest`` is a development run
like ``make test``: a development secret key, and database connections that do not outlive
a request (live-server threads must not hold the test database open at teardown).
"""

import os

os.environ.setdefault("CIVIL_AFFAIRS_DEV", "1")
os.environ.setdefault("DB_CONN_MAX_AGE", "0")

"""A pytest plugin loaded first (``-p civil_affairs.testenv`` in pyproject.toml).

It runs before pytest-django configures Django, so a bare ``pytest`` is a development run
like ``make test``: a development secret key, and database connections that do not outlive
a request (live-server threads must not hold the test database open at teardown).

Under pytest-xdist (``make test`` runs the suite in one process per core) each worker has
its own test database (pytest-django names it ``test_<name>_gw<n>``) and, set here, its own
Redis database as the Celery broker: the tests that start a real worker purge the queue
first, and one worker's purge must not eat the tasks of another's run.
"""

import os
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

os.environ.setdefault("CIVIL_AFFAIRS_DEV", "1")
os.environ.setdefault("DB_CONN_MAX_AGE", "0")


def broker_for_worker(url: str, worker: str) -> str:
    """``url`` moved to a Redis database of its own for xdist worker ``gw<n>`` (Redis has 16)."""
    n = int(re.sub(r"\D", "", worker) or 0)
    parts = urlsplit(url)
    if parts.scheme == "redis+socket":  # the embedded Redis: the database is ``virtual_host``
        query = dict(parse_qsl(parts.query))
        query["virtual_host"] = str((int(query.get("virtual_host", 0)) + 1 + n) % 16)
        return url.split("?", 1)[0] + "?" + urlencode(query)
    if parts.scheme in {"redis", "rediss"}:
        base = int(parts.path.strip("/") or 0)
        return urlunsplit(parts._replace(path=f"/{(base + 1 + n) % 16}"))
    return url


_worker = os.environ.get("PYTEST_XDIST_WORKER")
if _worker and os.environ.get("CELERY_BROKER_URL"):
    os.environ["CELERY_BROKER_URL"] = broker_for_worker(os.environ["CELERY_BROKER_URL"], _worker)

import os

from celery import Celery
from celery.signals import worker_ready, worker_shutdown

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civil_affairs.settings")

app = Celery("civil_affairs")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
def _start_sweeper(sender=None, **_kwargs) -> None:
    """Every worker says it is alive and restarts jobs left without a sign of life (core/jobs.py): no beat needed."""
    from core import jobs

    jobs.start_worker_sweeper(getattr(sender, "hostname", None) or f"worker@{os.uname().nodename}:{os.getpid()}")


@worker_shutdown.connect
def _stop_sweeper(**_kwargs) -> None:
    from core import jobs

    jobs.stop_worker_sweeper()

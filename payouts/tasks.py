"""Celery entry points of payouts: thin, taking ids, safe to run twice (see ``payouts/engine.py``)."""

from __future__ import annotations

import os
import socket

from celery import shared_task

from payouts import services


@shared_task(name="payouts.compute_run", acks_late=True, reject_on_worker_lost=True)
def compute_run(run_id: int) -> str:
    """Compute one run's lines. A second delivery finds the run taken or done and returns."""
    return services.run_compute(run_id=int(run_id), worker=f"{socket.gethostname()}:{os.getpid()}")


@shared_task(name="payouts.create_monthly_runs")
def create_monthly_runs() -> list[int]:
    """On the configured day: this month's run of every recurring scheme (the existing one if already made)."""
    return [run.pk for run in services.monthly_runs_create()]


@shared_task(name="payouts.restart_stuck_runs")
def restart_stuck_runs() -> list[int]:
    """The sweep of core/jobs.py (every worker runs it on its own; kept for beat schedules that name this task)."""
    return services.stuck_runs_restart()

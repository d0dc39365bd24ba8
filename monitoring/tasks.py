"""Celery entry points of low-income monitoring: thin, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from monitoring import services


@shared_task(name="monitoring.daily_scan")
def daily_scan() -> int:
    """Celery beat, daily: warnings for what only the calendar reveals (a left-behind elderly person whose
    visit is overdue), under the system account; a second run the same day adds nothing."""
    return services.warnings_scan()


@shared_task(name="monitoring.monthly_run", acks_late=True, reject_on_worker_lost=True)
def monthly_run(run_id: int) -> str:
    """One monthly run over the whole city; a second delivery finds it no longer queued and returns."""
    return services.monitoring_run_execute(run_id=int(run_id)).status


@shared_task(name="monitoring.monthly_schedule")
def monthly_schedule() -> int | None:
    """Celery beat, monthly: this month's run under the system account (none while it is still going)."""
    run = services.monitoring_run_scheduled()
    return run.pk if run is not None else None

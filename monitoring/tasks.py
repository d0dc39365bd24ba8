"""Celery entry points of low-income monitoring: thin, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from monitoring import services


@shared_task(name="monitoring.daily_scan")
def daily_scan() -> int:
    """Celery beat, daily: warnings for what only the calendar reveals (a left-behind elderly person whose
    visit is overdue), under the system account; a second run the same day adds nothing."""
    return services.warnings_scan()

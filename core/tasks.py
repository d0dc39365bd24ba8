"""Celery entry points of core: thin."""

from __future__ import annotations

from celery import shared_task

from core import jobs, services


@shared_task(name="core.audit_verify")
def audit_verify() -> bool:
    """Celery beat, nightly: check every audit table's chain; the result is on the auditor's page."""
    return services.audit_trail_check().ok


@shared_task(name="core.sweep_jobs")
def sweep_jobs() -> list[list]:
    """Beat, every minute (every worker also does it on its own): restart the jobs with no sign of life."""
    return [list(item) for item in jobs.sweep()]


@shared_task(name="core.apply_division_changes")
def apply_division_changes() -> list[int]:
    """Beat, daily just after midnight: put in force the division changes whose day has come."""
    return services.division_changes_apply_due()

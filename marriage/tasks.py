"""Celery entry points of the marriage registry: thin, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from marriage import services


@shared_task(name="marriage.lapse_divorce_applications")
def lapse_divorce_applications() -> int:
    """Daily: divorce applications whose parties did not appear in time become lapsed."""
    return services.divorce_applications_lapse()

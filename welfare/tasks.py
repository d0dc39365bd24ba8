"""Celery entry points of welfare: thin, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from welfare import services


@shared_task(name="welfare.nightly_eligibility_check")
def nightly_eligibility_check() -> dict[str, int]:
    """Nightly (django-celery-beat, welfare/migrations): 18th birthdays, and the other rules re-checked.

    Idempotent: a second run the same day changes nothing more.
    """
    result = services.eligibility_nightly_check()
    return {
        "aged_out": result.aged_out,
        "deceased": result.deceased,
        "living_without_dibao": result.living_without_dibao,
        "nursing_grade": result.nursing_grade,
    }

"""Celery entry points of data checking: thin, taking ids, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from datacheck import services


@shared_task(name="datacheck.run_cross_check", acks_late=True, reject_on_worker_lost=True)
def run_cross_check(run_id: int) -> str:
    return services.cross_check_run_execute(run_id=int(run_id)).status


@shared_task(name="datacheck.validate_extract", acks_late=True, reject_on_worker_lost=True)
def validate_extract(extract_id: int) -> str:
    """Check a large uploaded extract's rows (``validating`` → ``previewed`` or ``rejected``)."""
    return services.extract_validate(extract_id=int(extract_id)).status


@shared_task(name="datacheck.monthly_cross_check")
def monthly_cross_check() -> int | None:
    """Celery beat, monthly: a run under the system account (none while another is queued or running)."""
    run = services.cross_check_run_scheduled()
    return run.pk if run is not None else None

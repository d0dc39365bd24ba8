"""Celery entry points of imports: thin, taking ids, safe to run twice (a job in another state is left alone)."""

from __future__ import annotations

from celery import shared_task
from django.utils import translation

from imports import services


@shared_task(name="imports.validate", acks_late=True, reject_on_worker_lost=True)
def validate_import(job_id: int, language: str = "zh-hans") -> str:
    with translation.override(language):
        return services.import_validate(job_id=int(job_id)).status


@shared_task(name="imports.commit", acks_late=True, reject_on_worker_lost=True)
def commit_import(job_id: int, language: str = "zh-hans") -> str:
    with translation.override(language):
        return services.import_write(job_id=int(job_id)).status

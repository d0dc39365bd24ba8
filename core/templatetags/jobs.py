"""``{% waiting_for_worker %}``: on a page showing a job in progress, say so when no worker is alive (core/jobs.py)."""

from __future__ import annotations

from django import template

from core import jobs

register = template.Library()


@register.inclusion_tag("core/_waiting_for_worker.html")
def waiting_for_worker() -> dict:
    return {"no_worker": not jobs.workers_alive()}

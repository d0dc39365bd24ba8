"""Demo payout runs (``manage.py seed_demo``). Idempotent: safe to run again.

This month's run of every recurring scheme, as the schedule would create them, and every
run still queued (the price-linked batches the demo price indices queued) computed here and
now, so the finance pages have something to show without a worker running. Asking again
gives the same runs; computing a computed run does nothing.
"""

from __future__ import annotations

from payouts import services
from payouts.models import PayoutRun, RunStatus


def seed_payouts_demo() -> list[str]:
    report = []
    created = services.monthly_runs_create()
    queued = list(PayoutRun.objects.filter(status=RunStatus.QUEUED).values_list("pk", flat=True))
    computed = [pk for pk in queued if services.run_compute(run_id=pk, worker="seed_demo") == "computed"]
    if computed:
        report.append(f"demo payout runs: {len(computed)} computed ({len(created)} for this month)")
    return report

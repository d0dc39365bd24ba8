"""How monitoring's records read in a history (``core.history``); imported by ``MonitoringConfig.ready``.

A warning's signal is the key that keeps one warning per signal, and its facts are what its reason
is written from: neither is for people (the reason is shown instead, on the warning's page). An
expense's month reads as a month.
"""

from __future__ import annotations

from core import history

history.hide("monitoring.RiskWarning", "signal", "facts")
history.register_display("monitoring.HouseholdExpense", "month", lambda value: str(value or "")[:7])

"""Who may do what in low-income monitoring: rules for ``core.permissions.can``.

Imported by ``MonitoringConfig.ready``. Case staff record a household's expenses; the household's
sub-district handles its warnings.
"""

from __future__ import annotations

from core import permissions
from core.roles import Cap
from monitoring.models import RiskWarning
from people.models import Household

# A household's rigid expenses (medical, education), found out outside any case: case staff.
permissions.register(Household, "record_expense", caps=[Cap.MONITORING_RECORD])

# A warning is handled by the staff of its household's sub-district; once (the machine: open → handled).
permissions.register(RiskWarning, "handle", caps=[Cap.MONITORING_HANDLE])

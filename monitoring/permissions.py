"""Who may do what in low-income monitoring: rules for ``core.permissions.can``.

Imported by ``MonitoringConfig.ready``. Case staff record a household's expenses; the household's
sub-district handles its warnings.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from core import permissions
from core.errors import Conflict, Forbidden
from core.roles import Cap
from core.scoping import CITY_PREFIX_LENGTH, scope_prefix
from monitoring.models import AtRiskFlag, MonitoringRun, RiskWarning
from people.models import Household

# A household's rigid expenses (medical, education), found out outside any case: case staff.
permissions.register(Household, "record_expense", caps=[Cap.MONITORING_RECORD])

# A warning is handled by the staff of its household's sub-district; once (the machine: open → handled).
permissions.register(RiskWarning, "handle", caps=[Cap.MONITORING_HANDLE])


# Others at risk (其他困难人员): case staff flag a household of their area with the reason, and clear the flag.
permissions.register(Household, "flag_at_risk", caps=[Cap.MONITORING_RECORD])


@permissions.rule(AtRiskFlag, "clear", caps=[Cap.MONITORING_RECORD])
def _clear(actor, flag):
    if flag is not None and not flag.open:
        raise Conflict(_("This flag was already cleared."), code="invalid_transition")
    return True


# The monthly run covers the whole city: started (besides Celery beat) by the city's system administrators,
# like a cross-check run (leadership reads it; a read-only role starts nothing).
@permissions.rule(MonitoringRun, "start", caps=[Cap.MONITORING_RUN])
def _start(actor, run):
    prefix = scope_prefix(actor)
    if prefix is None or len(prefix) != CITY_PREFIX_LENGTH:
        raise Forbidden(_("The monthly run covers the whole city: it is started at the city level."))
    return True

"""Who may do what in data checking (信息核对): rules for ``core.permissions.can``.

Imported by ``DatacheckConfig.ready``. The administrator registers sources, loads extracts
and starts cross-check runs; case staff confirm or dismiss the review items of their geography
(the benefits' own services check again what a confirmation changes).
"""

from __future__ import annotations

from core import permissions
from core.roles import Cap
from datacheck.models import CrossCheckRun, DataSource, Extract, ReviewItem

CONFIGURE = [Cap.DATACHECK_CONFIGURE]

permissions.register(DataSource, "create", caps=CONFIGURE)
permissions.register(DataSource, "set_active", caps=CONFIGURE)
permissions.register(Extract, "upload", caps=CONFIGURE)
permissions.register(Extract, "commit", caps=CONFIGURE)
permissions.register(CrossCheckRun, "start", caps=CONFIGURE)
# Open items only: the item's state machine (REVIEW_MACHINE) says so.
permissions.register(ReviewItem, "confirm", caps=[Cap.DATACHECK_REVIEW])
permissions.register(ReviewItem, "dismiss", caps=[Cap.DATACHECK_REVIEW])

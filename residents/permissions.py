"""The staff side's permission rules on online applications (``core.permissions``).

Accepting and declining are a caseworker's (``Cap.RELIEF_ONLINE_ACCEPT``), inside the community's
geography (the sub-district's caseworkers for its communities), while the application waits
(the state machine: 409 otherwise). Reading them: whoever reads relief cases there.
"""

from core import permissions
from core.roles import Cap
from residents.models import OnlineApplication

permissions.register(OnlineApplication, "view", caps=[Cap.RELIEF_VIEW])
permissions.register(OnlineApplication, "accept", caps=[Cap.RELIEF_ONLINE_ACCEPT])
permissions.register(OnlineApplication, "decline", caps=[Cap.RELIEF_ONLINE_ACCEPT])

from residents import documents  # noqa: E402, F401  (its attachments: documents.registry)

"""Who may do what with place names: rules for ``core.permissions.can``.

Imported by ``PlacenamesConfig.ready``. Place-name officers keep the gazetteer and the
unnamed-road inventory and carry a naming application through its checks, expert review and
notice; approval, publication and rejection need ``PLACENAME_APPROVE``. An application's next
steps follow its status (``placenames.services.TRANSITIONS``): the page offers only those.
"""

from __future__ import annotations

from core import permissions
from core.roles import Cap
from placenames.models import ApplicationStatus, BannedWord, NamingApplication, Road, UnnamedRoad

S = ApplicationStatus

# action → (the status it moves the application to, the capability it needs)
APPLICATION_ACTIONS = {
    "check": (S.CHECKED, Cap.PLACENAME_EDIT),
    "refer": (S.EXPERT_REVIEW, Cap.PLACENAME_EDIT),
    "notice": (S.PUBLIC_NOTICE, Cap.PLACENAME_EDIT),
    "approve": (S.APPROVED, Cap.PLACENAME_APPROVE),
    "publish": (S.PUBLISHED, Cap.PLACENAME_APPROVE),
    "reject": (S.REJECTED, Cap.PLACENAME_APPROVE),
    "withdraw": (S.WITHDRAWN, Cap.PLACENAME_EDIT),
}


def _moves_to(target: str):
    def check(actor, application) -> bool:
        if application is not None:
            from placenames.services import _check_transition  # the one map of the moves (409 otherwise)

            _check_transition(application, target)
        return True

    return check


def statuses_at_step_of(user) -> set[str]:
    """The statuses whose next step (not a rejection or a withdrawal) this user may take: the naming queue."""
    from placenames.services import TRANSITIONS

    steps = set()
    for action, (target, _cap) in APPLICATION_ACTIONS.items():
        if action in ("reject", "withdraw") or not permissions.can(user, action, NamingApplication):
            continue
        steps |= {source for source, targets in TRANSITIONS.items() if source and target in targets}
    return steps


for _action, (_target, _cap) in APPLICATION_ACTIONS.items():
    permissions.register(NamingApplication, _action, caps=[_cap], check=_moves_to(_target))
permissions.register(NamingApplication, "create", caps=[Cap.PLACENAME_EDIT])
permissions.register(Road, "create", caps=[Cap.PLACENAME_EDIT])
permissions.register(Road, "edit", caps=[Cap.PLACENAME_EDIT])
permissions.register(UnnamedRoad, "create", caps=[Cap.PLACENAME_EDIT])
permissions.register(UnnamedRoad, "remove", caps=[Cap.PLACENAME_EDIT])
permissions.register(BannedWord, "add", caps=[Cap.PLACENAME_CONFIGURE])
permissions.register(BannedWord, "deactivate", caps=[Cap.PLACENAME_CONFIGURE])

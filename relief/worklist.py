"""Social assistance's kinds of the work queue (``core.worklist``); imported by ``ReliefConfig.ready``.

Each kind is offered only to a role that may act on it (``core.permissions.can``), counts
exactly what its link's list shows (the same selector and filter), and is scoped by that
selector. A new kind (``notices_ending``, ``objections_open``…) is one more function here.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core import worklist
from core.cases import CaseStatus, local_today
from core.permissions import can
from core.roles import Cap, has_cap
from core.scoping import scope_prefix
from relief import selectors
from relief.models import DibaoCase, Power, TekunCase, TemporaryReliefClaim


def _approves(user, model, power: str) -> bool:
    """A district approver approves dibao and tekun; a sub-district approver only where its district delegates it."""
    if not can(user, "approve", model):
        return False
    if has_cap(user, Cap.RELIEF_APPROVE_DISTRICT):
        return True
    return selectors.is_delegated(power, (scope_prefix(user) or "")[:6], local_today())


def _link(name: str, query: str) -> str:
    return f"{reverse(name)}?{query}"


def _in_status(list_of, user, status: str, page: str) -> worklist.Waiting:
    return worklist.Waiting(list_of(user=user, status=status), _link(page, f"status={status}"))


def _in_stage(list_of, user, stage: str, page: str) -> worklist.Waiting:
    """Cases at a step of the procedure (``selectors.stage_q``): the notice ended, ending, an objection."""
    return worklist.Waiting(list_of(user=user, stage=stage), _link(page, f"stage={stage}"))


def _both(user, stage: str) -> worklist.Waiting:
    """Dibao and tekun cases at ``stage``; the link opens the list that has some (dibao first)."""
    dibao = selectors.dibao_case_list(user=user, stage=stage).order_by().count()
    tekun = selectors.tekun_case_list(user=user, stage=stage).order_by().count()
    name = "relief:tekun-list" if tekun and not dibao else "relief:dibao-list"
    return worklist.Waiting(dibao + tekun, _link(name, f"stage={stage}"))


@worklist.kind("dibao_to_review", _("Dibao applications to review"), order=10)
def dibao_to_review(user):
    if not can(user, "review", DibaoCase):
        return None
    return _in_status(selectors.dibao_case_list, user, CaseStatus.SUBMITTED, "relief:dibao-list")


@worklist.kind("dibao_to_approve", _("Dibao applications to approve"), order=11)
def dibao_to_approve(user):
    if not _approves(user, DibaoCase, Power.DIBAO_APPROVAL):
        return None
    return _in_stage(selectors.dibao_case_list, user, "decision_due", "relief:dibao-list")


@worklist.kind("tekun_to_review", _("Tekun applications to review"), order=12)
def tekun_to_review(user):
    if not can(user, "review", TekunCase):
        return None
    return _in_status(selectors.tekun_case_list, user, CaseStatus.SUBMITTED, "relief:tekun-list")


@worklist.kind("tekun_to_approve", _("Tekun applications to approve"), order=13)
def tekun_to_approve(user):
    if not _approves(user, TekunCase, Power.TEKUN_APPROVAL):
        return None
    return _in_stage(selectors.tekun_case_list, user, "decision_due", "relief:tekun-list")


@worklist.kind("claims_to_approve", _("Temporary relief claims to decide"), order=20)
def claims_to_approve(user):
    if not can(user, "approve", TemporaryReliefClaim):
        return None
    return worklist.Waiting(selectors.claims_to_decide(user=user), _link("relief:claim-list", "decide=1"))


@worklist.kind("rechecks_due", _("Periodic reviews due this month or overdue"), order=30)
def rechecks_due(user):
    """Dibao and tekun cases to review again (复核); the link opens the list that has some (dibao first)."""
    if not can(user, "recheck", DibaoCase):
        return None
    dibao = selectors.dibao_case_list(user=user, recheck_due=True).order_by().count()
    tekun = selectors.tekun_case_list(user=user, recheck_due=True).order_by().count()
    name = "relief:tekun-list" if tekun and not dibao else "relief:dibao-list"
    return worklist.Waiting(dibao + tekun, _link(name, "recheck_due=1"))


@worklist.kind("notices_ending", _("Public notices ending in the next 3 days"), order=25)
def notices_ending(user):
    """Whoever decides after the notice, or takes down an objection during it."""
    if not (can(user, "object", DibaoCase) or can(user, "approve", DibaoCase)):
        return None
    return _both(user, "notice_ending")


@worklist.kind("objections_open", _("Objections awaiting a new home investigation"), order=26)
def objections_open(user):
    """The caseworkers who investigate again, and the reviewers who open the new notice."""
    if not (can(user, "investigate", DibaoCase) or can(user, "review", DibaoCase)):
        return None
    return _both(user, "objection")


@worklist.kind("paperwork_overdue", _("Green channel: paperwork overdue"), order=40)
def paperwork_overdue(user):
    if not can(user, "complete_paperwork", TemporaryReliefClaim):
        return None
    return worklist.Waiting(selectors.claim_list(user=user, overdue=True), _link("relief:claim-list", "overdue=1"))

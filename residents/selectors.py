"""Reads of the residents' side: a resident's own applications and their steps; staff's online-application lists."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.cases import OPEN_STATUSES, month_str, timeline_of
from core.errors import NotFound
from core.scoping import scope
from documents.models import Attachment
from residents.models import ApplicationStatus, OnlineApplication, Resident, Scheme

# --- The resident's own ------------------------------------------------------------------------------


def my_applications(*, resident: Resident) -> QuerySet[OnlineApplication]:
    """The resident's applications, newest first. Residents never go through ``scope()``: theirs is by owner."""
    return OnlineApplication.objects.filter(resident=resident).select_related(
        "community", "dibao_case", "tekun_case", "relief_claim"
    )


def my_application(*, resident: Resident, pk) -> OnlineApplication:
    """One of the resident's own applications; anyone else's is "not found" (404), as for a missing one.

    Its case is read when there is one (``application.case``: one query, of the one case table), not
    joined from all three case tables for every read of an application most often not accepted yet
    (the status page a resident polls).
    """
    try:
        return OnlineApplication.objects.filter(resident=resident).select_related("community").get(pk=int(pk))
    except (OnlineApplication.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def my_attachments(application: OnlineApplication) -> QuerySet[Attachment]:
    return Attachment.objects.filter(
        content_type=ContentType.objects.get_for_model(OnlineApplication),
        object_id=application.pk,
        superseded_at__isnull=True,
        removed_at__isnull=True,
    ).order_by("uploaded_at", "pk")


@dataclass(frozen=True)
class Step:
    at: datetime.datetime
    step: str  # in plain words, in the request's language
    note: str = ""


def _day(value) -> str:
    return timezone.localdate(value).isoformat() if isinstance(value, datetime.datetime) else value.isoformat()


# Case steps that read the same whatever the case: the action → the words the applicant reads.
_PLAIN_STEPS = {
    "investigate": gettext_lazy("Home investigation done"),
    "object": gettext_lazy("An objection was raised during the notice; the family's situation is checked again"),
    "refer": gettext_lazy("Passed to the district for its decision"),
    "withdraw": gettext_lazy("Withdrawn"),
    "suspend": gettext_lazy("Payments suspended"),
    "hold": gettext_lazy("Payments suspended"),
    "resume": gettext_lazy("Payments resumed"),
    "terminate": gettext_lazy("Payments ended"),
    "lapse": gettext_lazy("Payments ended"),
}


def _approved_step(application: OnlineApplication, case, event) -> Step:
    if application.kind == Scheme.TEMPORARY_RELIEF:
        return Step(event.at, _("Approved: %(amount)s yuan") % {"amount": f"{case.granted_amount:.2f}"})
    start = month_str(getattr(case, "start_month", None))
    if start:
        return Step(event.at, _("Approved; paid monthly from %(month)s (first payment month)") % {"month": start})
    return Step(event.at, _("Approved"))


def _case_step(application: OnlineApplication, case, event, last_review) -> Step | None:
    """A case event as the resident reads it: only the steps that concern them, notes only where they are
    meant for them (a refusal's reason, which the applicant is told in writing)."""
    action = event.action
    if action in _PLAIN_STEPS:
        return Step(event.at, str(_PLAIN_STEPS[action]))
    if action == "review":
        until = getattr(case, "notice_until", None)
        if until is not None and event.pk == last_review:
            return Step(event.at, _("In public notice in your community until %(day)s") % {"day": until.isoformat()})
        return Step(event.at, _("In public notice in your community"))
    if action == "approve":
        return _approved_step(application, case, event)
    if action in ("reject", "close"):
        return Step(event.at, _("Not approved"), event.note)
    return None


def steps_of(application: OnlineApplication) -> list[Step]:
    """Each step in plain words, oldest first: received, accepted (or not), then the case's own steps
    from its timeline (investigated, in public notice until …, decided, first payment month)."""
    steps: list[Step] = []
    case = application.case
    # One query for both: the application's events and its case's (their actors are never shown).
    events = timeline_of(application, *([case] if case is not None else []), actors=False)
    own_type = ContentType.objects.get_for_model(OnlineApplication).pk
    for event in (e for e in events if e.case_type_id == own_type):
        if event.action == "submit":
            steps.append(Step(event.at, _("Application received")))
        elif event.action == "accept":
            steps.append(Step(event.at, _("Accepted by the sub-district; a decision is due within 30 working days")))
        elif event.action == "decline":
            steps.append(Step(event.at, _("Not accepted"), event.note))
        elif event.action == "withdraw" and case is None:
            steps.append(Step(event.at, _("Withdrawn")))
    if case is not None:
        events = [e for e in events if e.case_type_id != own_type]
        reviews = [e.pk for e in events if e.action == "review"]
        for event in events:
            if event.action == "submit":
                continue
            step = _case_step(application, case, event, reviews[-1] if reviews else None)
            if step is not None:
                steps.append(step)
    return steps


def plain_status(application: OnlineApplication) -> str:
    """The application's status token for the API: ``submitted``, ``accepted``, ``declined``, ``withdrawn``,
    then the case's outcome once decided: ``approved``, ``rejected``."""
    case = application.case
    if application.status == ApplicationStatus.ACCEPTED and case is not None:
        if case.status in ("active", "approved", "suspended", "terminated"):
            return "approved"
        if case.status == "rejected":
            return "rejected"
        if case.status == "withdrawn":
            return "withdrawn"
    return application.status


def status_label(application: OnlineApplication) -> str:
    labels = {
        "submitted": _("Received, waiting to be accepted"),
        "accepted": _("Accepted, being processed"),
        "declined": _("Not accepted"),
        "withdrawn": _("Withdrawn"),
        "approved": _("Approved"),
        "rejected": _("Not approved"),
    }
    return labels[plain_status(application)]


def is_undecided(application: OnlineApplication) -> bool:
    """Whether the resident may still withdraw it: not yet accepted, or accepted and its case not decided."""
    return plain_status(application) in ("submitted", "accepted")


def decision_document(application: OnlineApplication):
    """The case's decision notice (``documents.printing``), when there is one: ``(printable, case)`` or None."""
    from documents import printing

    case = application.case
    if case is None or plain_status(application) not in ("approved", "rejected"):
        return None
    collection = {
        Scheme.DIBAO: "dibao-cases",
        Scheme.TEKUN: "tekun-cases",
        Scheme.TEMPORARY_RELIEF: "temporary-relief-claims",
    }[application.kind]
    printable = printing.get(collection, "decision")
    if printable is None or not printable.is_available(case):
        return None
    return printable, case


# --- Staff ------------------------------------------------------------------------------------------------


def online_application_list(*, user, status: str | None = None) -> QuerySet[OnlineApplication]:
    """Online applications in the user's geography (the community's sub-district), newest first."""
    qs = scope(OnlineApplication.objects.select_related("community", "community__parent"), user)
    if status:
        qs = qs.filter(status=status)
    return qs


def open_case_for(application: OnlineApplication):
    """The open case of the application's scheme the applicant's household already has (a duplicate), or None."""
    from people.models import HouseholdMember, Person
    from relief.models import ClaimStatus, DibaoCase, TekunCase, TemporaryReliefClaim

    person = Person.objects.filter(id_number=application.applicant_id_number).first()
    if person is None:
        return None
    exclude = application.case
    if application.kind == Scheme.TEKUN:
        qs = TekunCase.objects.filter(person=person, status__in=OPEN_STATUSES)
    else:
        membership = HouseholdMember.objects.filter(person=person).first()
        if membership is None:
            return None
        if application.kind == Scheme.DIBAO:
            qs = DibaoCase.objects.filter(household_id=membership.household_id, status__in=OPEN_STATUSES)
        else:
            qs = TemporaryReliefClaim.objects.filter(
                household_id=membership.household_id, status__in=[ClaimStatus.SUBMITTED, ClaimStatus.REFERRED]
            )
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    return qs.first()


def notices_for(*, resident: Resident, community: str = ""):
    """A community's public-notice list (``relief.selectors.public_community_notice_list``, the list staff
    print): the one asked for, or the community of the resident's latest application. ``(code, rows)``."""
    from relief.selectors import public_community_notice_list

    community = str(community or "").strip()
    if not community:
        latest = my_applications(resident=resident).first()
        if latest is None:
            return "", []
        community = latest.community_id
    return community, public_community_notice_list(community=community)

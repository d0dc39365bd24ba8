"""One chain of assistance per household (一户一条救助链): everything the household and its members got, were
found to need, or were checked for, in one timeline, in plain words.

The household is found in the reader's scope first (``people.selectors.household_get``: 404 outside it);
what belongs to it is then read whole — its cases, claims, subsidies, payments, warnings, visits and
data-check hits — so that a caseworker sees at once what the household gets and what it may be
missing, whichever department's record it is. A reader needs ``monitoring.view``.

Payment lines are looked up through their key (month, scheme, beneficiary) for the months runs
exist for, and the failed ones through their own index: the line table is the largest in the
portal and has no index by household.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.translation import gettext as _

from core.cases import CaseEvent, month_str
from people.models import Household, HouseholdMeans, HouseholdMember

FINDINGS_SHOWN = 120  # characters of a visit's findings in the timeline


@dataclass(frozen=True)
class Event:
    at: datetime.date
    order: tuple  # sorts events of one day: (time, kind, id)
    scheme: str  # a stable token: dibao, tekun, temporary_relief, orphan, disability_subsidy, payout:<scheme>, …
    scheme_label: str
    what: str
    amount: Decimal | None = None
    link: str | None = None


def _day(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date()
    return value


def _time(value) -> str:
    return timezone.localtime(value).isoformat() if isinstance(value, datetime.datetime) else ""


def _case_events(model, ids, *, scheme: str, label: str, title, amount_of=None, link_of=None) -> list[Event]:
    """Every step of these cases (``core.cases.CaseEvent``), each as "<case>: <step>"."""
    ids = list(ids)
    if not ids:
        return []
    records = {r.pk: r for r in model.objects.filter(pk__in=ids)}
    events = CaseEvent.objects.filter(case_type=ContentType.objects.get_for_model(model), case_id__in=ids).order_by(
        "at", "id"
    )
    out = []
    for event in events:
        record = records.get(event.case_id)
        if record is None:
            continue
        out.append(
            Event(
                at=_day(event.at),
                order=(_time(event.at), scheme, event.pk),
                scheme=scheme,
                scheme_label=label,
                what=_("%(case)s: %(step)s") % {"case": title(record), "step": event.action_label},
                amount=amount_of(record, event) if amount_of else None,
                link=link_of(record) if link_of else None,
            )
        )
    return out


def _relief(household: Household, members: list[int]) -> list[Event]:
    from django.urls import reverse

    from relief.models import DibaoCase, TekunCase, TemporaryReliefClaim

    def claim_amount(claim, event):
        if event.action == "approve" and getattr(claim, "approved_amount", None) is not None:
            return claim.approved_amount
        return claim.amount

    return [
        *_case_events(
            DibaoCase,
            DibaoCase.objects.filter(household=household).values_list("pk", flat=True),
            scheme="dibao",
            label=_("Dibao"),
            title=lambda c: _("Dibao case %(id)s") % {"id": c.pk},
            link_of=lambda c: reverse("relief:dibao-detail", args=[c.pk]),
        ),
        *_case_events(
            TekunCase,
            TekunCase.objects.filter(person_id__in=members).values_list("pk", flat=True),
            scheme="tekun",
            label=_("Tekun"),
            title=lambda c: _("Tekun case %(id)s") % {"id": c.pk},
            link_of=lambda c: reverse("relief:tekun-detail", args=[c.pk]),
        ),
        *_case_events(
            TemporaryReliefClaim,
            TemporaryReliefClaim.objects.filter(household=household).values_list("pk", flat=True),
            scheme="temporary_relief",
            label=_("Temporary relief"),
            title=lambda c: _("Temporary relief claim %(id)s") % {"id": c.pk},
            amount_of=claim_amount,
            link_of=lambda c: reverse("relief:claim-detail", args=[c.pk]),
        ),
    ]


def _welfare(members: list[int]) -> list[Event]:
    from welfare.models import DisabilitySubsidyCase, OrphanCase

    return [
        *_case_events(
            OrphanCase,
            OrphanCase.objects.filter(person_id__in=members).values_list("pk", flat=True),
            scheme="orphan",
            label=_("Orphan support"),
            title=lambda c: _("Orphan case %(id)s") % {"id": c.pk},
        ),
        *_case_events(
            DisabilitySubsidyCase,
            DisabilitySubsidyCase.objects.filter(person_id__in=members).values_list("pk", flat=True),
            scheme="disability_subsidy",
            label=_("Disability subsidy"),
            title=lambda c: _("%(kind)s, case %(id)s") % {"kind": c.get_kind_display(), "id": c.pk},
        ),
    ]


def _payments(members: list[int]) -> list[Event]:
    from payouts.models import PayoutLine, PayoutRun, PayoutScheme

    if not members:
        return []
    months = sorted(set(PayoutRun.objects.values_list("period", flat=True)))
    schemes = list(PayoutScheme.values)
    live = PayoutLine.objects.filter(period__in=months, scheme__in=schemes, beneficiary_id__in=members).exclude(
        status="failed"
    )
    failed = PayoutLine.objects.filter(status="failed", beneficiary_id__in=members)
    names = dict(HouseholdMember.objects.filter(person_id__in=members).values_list("person_id", "person__name"))
    out = []
    for line in [*live, *failed]:
        label = PayoutScheme(line.scheme).label if line.scheme in PayoutScheme.values else line.scheme
        out.append(
            Event(
                at=_day(line.settled_at) if line.settled_at else line.period,
                order=("", "payout", line.pk),
                scheme=f"payout:{line.scheme}",
                scheme_label=str(label),
                what=_("%(scheme)s for %(month)s to %(name)s: %(status)s")
                % {
                    "scheme": label,
                    "month": month_str(line.period),
                    "name": names.get(line.beneficiary_id, ""),
                    "status": line.get_status_display(),
                }
                + (f" ({line.failure_reason})" if line.status == "failed" and line.failure_reason else ""),
                amount=line.amount,
            )
        )
    return out


def _warnings(household: Household, members: list[int]) -> list[Event]:
    from django.db.models import Q
    from django.urls import reverse

    from monitoring.models import RiskWarning

    out = []
    for w in RiskWarning.objects.filter(Q(household=household) | Q(person_id__in=members)).order_by("id"):
        link = reverse("monitoring:warning-detail", args=[w.pk])
        label = _("Risk warning")
        out.append(
            Event(w.raised_on, (_time(w.created_at), "warning", w.pk), "warning", label, w.reason, w.amount, link)
        )
        if w.handled_on:
            what = _("Warning %(id)s handled: %(outcome)s") % {"id": w.pk, "outcome": w.get_outcome_display()}
            if w.assisted_with():
                what += f" · {w.assisted_with()}"
            out.append(Event(w.handled_on, ("~", "warning", w.pk), "warning", label, what, None, link))
    return out


def _at_risk(household: Household) -> list[Event]:
    from monitoring.models import AtRiskFlag

    out = []
    label = _("Others at risk")
    for flag in (
        AtRiskFlag.objects.filter(household=household).select_related("flagged_by", "cleared_by").order_by("id")
    ):
        what = _("Flagged at risk by %(who)s: %(reason)s") % {"who": flag.flagged_by, "reason": flag.reason}
        out.append(Event(flag.flagged_on, ("", "at_risk", flag.pk), "at_risk", label, what))
        if flag.cleared_on:
            what = _("At-risk flag cleared by %(who)s: %(reason)s") % {
                "who": flag.cleared_by,
                "reason": flag.clear_reason,
            }
            out.append(Event(flag.cleared_on, ("~", "at_risk", flag.pk), "at_risk", label, what))
    return out


def _visits(members: list[int]) -> list[Event]:
    from elderly.models import Visit

    out = []
    for visit in Visit.objects.filter(elder__person_id__in=members).select_related("elder__person").order_by("id"):
        findings = (visit.findings or "").strip()
        if len(findings) > FINDINGS_SHOWN:
            findings = findings[:FINDINGS_SHOWN] + "…"
        out.append(
            Event(
                visit.visited_on,
                ("", "visit", visit.pk),
                "visit",
                _("Visit"),
                _("%(name)s visited by %(visitor)s") % {"name": visit.elder.person.name, "visitor": visit.visitor}
                + (f": {findings}" if findings else ""),
            )
        )
    return out


def _data_checks(members: list[int]) -> list[Event]:
    from datacheck.models import ReviewItem

    out = []
    for item in ReviewItem.objects.filter(person_id__in=members).select_related("source", "person").order_by("id"):
        out.append(
            Event(
                _day(item.created_at),
                (_time(item.created_at), "datacheck", item.pk),
                "datacheck",
                _("Data check"),
                _("%(source)s lists %(name)s (%(status)s)")
                % {"source": item.source, "name": item.person.name, "status": item.get_status_display()},
            )
        )
    return out


def _means_and_expenses(household: Household) -> list[Event]:
    from monitoring.models import HouseholdExpense

    out = []
    for means in HouseholdMeans.objects.filter(household=household).order_by("id"):
        out.append(
            Event(
                means.as_of,
                (_time(means.recorded_at), "means", means.pk),
                "means",
                _("Household income"),
                _("Monthly income found out (%(occasion)s)") % {"occasion": means.get_occasion_display()},
                means.monthly_income,
            )
        )
    for expense in HouseholdExpense.objects.filter(household=household).order_by("id"):
        out.append(
            Event(
                expense.month,
                (_time(expense.recorded_at), "expense", expense.pk),
                "expense",
                _("Household expenses"),
                _("%(kind)s of %(month)s") % {"kind": expense.get_kind_display(), "month": month_str(expense.month)},
                expense.amount,
            )
        )
    return out


def assistance_chain(*, household: Household) -> list[Event]:
    """Every event of the household and its members, newest first. ``household`` is already in the reader's scope."""
    members = list(HouseholdMember.objects.filter(household=household).values_list("person_id", flat=True))
    events = [
        *_relief(household, members),
        *_welfare(members),
        *_payments(members),
        *_warnings(household, members),
        *_at_risk(household),
        *_visits(members),
        *_data_checks(members),
        *_means_and_expenses(household),
    ]
    return sorted(events, key=lambda e: (e.at, e.order), reverse=True)

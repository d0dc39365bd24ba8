"""Every write to welfare. Keyword-only, one transaction, the actor named, capabilities re-checked.

Who does what: caseworkers (and approvers) register orphans and certificates and file
applications; the sub-district reviews (审核); the district approves (审批), suspends,
resumes and terminates; nobody approves what they submitted.

Eligibility is checked when a case is filed, approved and resumed, and kept true
afterwards by the services below, each run when its cause happens, in the cause's
transaction (``core.cases.CONSEQUENCES`` lists them):

* a household's dibao case is suspended or ends → its members' living subsidies are
  suspended from the next month (``living_subsidies_on_dibao_end``);
* a person is recorded as deceased → their orphan allowance and subsidies end from the
  month after the death, their pending applications close, and the children they were
  guardian of get a note (``welfare_on_death``);
* a disability certificate's grade changes → the nursing subsidy is re-checked
  (``certificate_reassess``);
* a child turns 18 → the orphan allowance ends at the end of that month (the nightly
  ``eligibility_nightly_check``, which also re-does the three checks above for anything
  recorded by another path: safe to run any number of times).

Each automatic change is a case event (``hold``, ``lapse``, ``close``,
``eligibility_check``) whose note is the reason; ``selectors.eligibility_changes`` lists
them for the caseworker.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_context
from core.cases import (
    OPEN_STATUSES,
    PENDING_STATUSES,
    ApprovalLevel,
    CaseEvent,
    CaseStatus,
    add_months,
    clean_note,
    current_month,
    local_today,
    month_start,
    month_str,
    open_case,
    parse_month,
    system_actor,
    transition,
)
from core.errors import Conflict, InvalidInput, NotFound
from core.models import Division, DivisionLevel, User
from core.permissions import require_can
from core.scoping import division_in_scope, get_in_scope
from core.services import reveal_record
from people.models import Person
from relief.models import DibaoCase, DibaoMember
from relief.rules import PUBLIC_NOTICE_DAYS, age_on
from welfare import rules, selectors
from welfare.models import (
    Benefit,
    ChildSupervisor,
    DisabilityCertificate,
    DisabilitySubsidyCase,
    DisabilityType,
    Incompatibility,
    OrphanCase,
    OrphanCategory,
    OrphanHold,
    SubsidyHold,
    SubsidyKind,
)

REVIEW_MONTHS = getattr(settings, "WELFARE_REVIEW_MONTHS", 12)
WelfareCase = OrphanCase | DisabilitySubsidyCase


# --- Small helpers ----------------------------------------------------------------------------


def _text(value: str | None, *, field: str, limit: int, required: bool = False, label: str = "") -> str:
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput(_("Please fill in %(label)s.") % {"label": label or field}, field=field)
    if len(value) > limit:
        raise InvalidInput(
            _("At most %(limit)d characters (this has %(count)d).") % {"limit": limit, "count": len(value)},
            field=field,
        )
    return value


def _choice(value, choices, *, field: str):
    if value not in choices.values:
        raise InvalidInput(
            _("Choose one of: %(choices)s.") % {"choices": ", ".join(str(v) for v in choices.values)}, field=field
        )
    return value


def _date(value, *, field: str, not_future: bool = True) -> datetime.date:
    if isinstance(value, datetime.datetime):
        value = value.date()
    if not isinstance(value, datetime.date):
        try:
            value = datetime.date.fromisoformat(str(value or "").strip())
        except ValueError:
            raise InvalidInput(_("Give a date as YYYY-MM-DD."), field=field) from None
    if not_future and value > local_today():
        raise InvalidInput(_("This date is in the future."), field=field)
    return value


def _person_in_scope(actor: User, person: Person | int, *, field: str = "person") -> Person:
    pk = person.pk if isinstance(person, Person) else person
    return get_in_scope(Person.objects.select_related("division"), actor, pk=pk)


def _hold_model(case: WelfareCase):
    return OrphanHold if isinstance(case, OrphanCase) else SubsidyHold


def _division(case: WelfareCase) -> str:
    return case.person.division_id


def _review_date(day: datetime.date) -> datetime.date:
    first = add_months(month_start(day), REVIEW_MONTHS)
    last_day = (add_months(first, 1) - datetime.timedelta(days=1)).day
    return first.replace(day=min(day.day, last_day))


def _benefit_label(case: WelfareCase) -> str:
    if isinstance(case, OrphanCase):
        return str(Benefit.ORPHAN.label)
    return str(Benefit(case.benefit).label)


# --- Eligibility: the rules a case must meet to be filed, approved or resumed ---------------


def _refuse_deceased(person: Person) -> None:
    if person.death_date is not None:
        raise Conflict(
            _("%(name)s is recorded as deceased (%(date)s).")
            % {"name": person.name, "date": person.death_date.isoformat()},
            code="deceased",
        )


def _check_orphan(person: Person) -> None:
    _refuse_deceased(person)
    today = local_today()
    if rules.orphan_age_limit_reached(person.birth_date, today):
        raise Conflict(
            _("%(name)s is %(age)d: the orphans' allowance is for children under 18.")
            % {"name": person.name, "age": age_on(person.birth_date, today)},
            code="over_age",
        )


def _check_living(person: Person):
    _refuse_deceased(person)
    household = selectors.active_dibao_household(person)
    if household is None:
        raise Conflict(
            _(
                "%(name)s is not a member of a household with active dibao: the living subsidy is "
                "for persons with disabilities in dibao households."
            )
            % {"name": person.name},
            code="not_in_dibao",
        )
    return household


def _check_nursing(person: Person, grade: int) -> None:
    _refuse_deceased(person)
    if not rules.nursing_eligible_grade(grade):
        raise Conflict(
            _("The nursing subsidy is for disability grades 1 and 2; this certificate is grade %(grade)d.")
            % {"grade": grade},
            code="grade_too_low",
        )


def check_eligibility(case: WelfareCase) -> None:
    """Refuse (409 with a stable code) unless the case's holder qualifies today."""
    if isinstance(case, OrphanCase):
        _check_orphan(case.person)
    elif case.kind == SubsidyKind.LIVING:
        _check_living(case.person)
    else:
        _check_nursing(case.person, case.certificate.grade)


# --- Who may act (welfare.permissions: the rules the pages ask too) ----------------------------


def _locked_for(model, actor: User, pk, action: str) -> WelfareCase:
    """The case locked for ``action``: the role may take it (403), in the actor's geography (404),
    its state allows it (409), the actor holds the power it needs (403) — ``core.permissions``."""
    require_can(actor, action, model)
    case = _lock(model, actor, pk)
    require_can(actor, action, case)
    return case


def _lock(model, actor: User, pk) -> WelfareCase:
    """The case, inside the actor's geography (else ``NotFound``), locked for this transaction."""
    return get_in_scope(
        model.objects.select_for_update(of=("self",)).select_related("person", *_related(model)), actor, pk=pk
    )


def _related(model) -> tuple[str, ...]:
    return ("certificate",) if model is DisabilitySubsidyCase else ()


# --- The life of a case, shared by orphans and subsidies --------------------------------------


def _review(actor: User, model, pk, note: str) -> WelfareCase:
    case = _locked_for(model, actor, pk, "review")
    transition(case, "review", actor=actor, note=note, changes={"reviewed_by": actor, "reviewed_at": timezone.now()})
    return case


def _previous_end(case: WelfareCase) -> datetime.date | None:
    """The latest month a previous case of the same person (and kind) still pays into."""
    previous = type(case).objects.filter(person=case.person_id, status=CaseStatus.TERMINATED).exclude(pk=case.pk)
    if isinstance(case, DisabilitySubsidyCase):
        previous = previous.filter(kind=case.kind)
    return previous.aggregate(end=Max("end_month"))["end"]


def _approve(actor: User, model, pk, note: str) -> WelfareCase:
    """Approve (审批): active from this month (or when a previous case of the kind stops paying)."""
    case = _locked_for(model, actor, pk, "approve")
    check_eligibility(case)
    today = local_today()
    start = current_month()
    previous_end = _previous_end(case)
    if previous_end is not None and previous_end > start:
        start = previous_end  # never two cases of one kind paying one person in the same month
    selectors.amount_for(case, start)  # refuses (409 no_standard) when no standard is in force
    transition(
        case,
        "approve",
        actor=actor,
        note=note,
        changes={
            "approved_by": actor,
            "approved_at": timezone.now(),
            "approval_level": ApprovalLevel.DISTRICT,
            "start_month": start,
            "end_month": None,
            "notice_until": today + datetime.timedelta(days=PUBLIC_NOTICE_DAYS),
            "last_review_on": today,
            "next_review_on": _review_date(today),
        },
    )
    return case


def _reject(actor: User, model, pk, note: str) -> WelfareCase:
    case = _locked_for(model, actor, pk, "reject")
    transition(case, "reject", actor=actor, note=note)
    return case


def _withdraw(actor: User, model, pk, note: str) -> WelfareCase:
    case = _locked_for(model, actor, pk, "withdraw")
    transition(case, "withdraw", actor=actor, note=note)
    return case


def _hold(case: WelfareCase, from_month: datetime.date, reason: str) -> datetime.date:
    """Open a hold from ``from_month`` (not before the first month paid); returns its first month."""
    if case.start_month is not None and from_month < case.start_month:
        from_month = case.start_month
    _hold_model(case).objects.create(case=case, from_month=from_month, reason=reason[:1000])
    return from_month


def _suspend(actor: User, model, pk, note: str, from_month=None) -> WelfareCase:
    """Suspend: not paid from ``from_month`` (default: next month) until resumed."""
    case = _locked_for(model, actor, pk, "suspend")
    note = clean_note(note)
    first = parse_month(from_month, field="from_month") if from_month else add_months(current_month(), 1)
    if first < current_month():
        raise InvalidInput(_("A suspension takes effect from this month at the earliest."), field="from_month")
    with audit_context(actor, action="suspend"):
        first = _hold(case, first, note)
    transition(case, "suspend", actor=actor, note=note or _("Not paid from %(month)s.") % {"month": month_str(first)})
    return case


def _resume(actor: User, model, pk, note: str) -> WelfareCase:
    """Resume: eligible again (checked), paid again from this month."""
    case = _locked_for(model, actor, pk, "resume")
    check_eligibility(case)
    month = current_month()
    with audit_context(actor, action="resume"):
        for hold in _hold_model(case).objects.select_for_update().filter(case=case, until_month__isnull=True):
            hold.until_month = max(hold.from_month, month)
            hold.save(update_fields=["until_month"])
    transition(case, "resume", actor=actor, note=note)
    return case


def _end_month(case: WelfareCase, end_month) -> datetime.date:
    end = parse_month(end_month, field="end_month") if end_month else add_months(current_month(), 1)
    if case.start_month is not None and end < case.start_month:
        end = case.start_month  # ended before its first month: never paid
    return end


def _terminate(actor: User, model, pk, note: str, end_month=None) -> WelfareCase:
    case = _locked_for(model, actor, pk, "terminate")
    transition(case, "terminate", actor=actor, note=note, changes={"end_month": _end_month(case, end_month)})
    return case


def _recheck(actor: User, model, pk, note: str, changes: dict | None = None) -> WelfareCase:
    """The periodic review (定期复核): the next review date moves on."""
    case = _locked_for(model, actor, pk, "recheck")
    today = local_today()
    transition(
        case,
        "recheck",
        actor=actor,
        note=note,
        changes={"last_review_on": today, "next_review_on": _review_date(today), **(changes or {})},
    )
    return case


# --- Automatic changes (the consequences of a cause elsewhere) --------------------------------


def _auto_end(case: WelfareCase, *, end_month: datetime.date, actor: User, reason: str) -> CaseEvent | None:
    """End an ongoing case from ``end_month`` or close a pending application; nothing for a closed case."""
    if case.status in PENDING_STATUSES:
        return transition(case, "close", actor=actor, note=reason)
    if case.status in (CaseStatus.ACTIVE, CaseStatus.SUSPENDED):
        end = max(end_month, case.start_month) if case.start_month else end_month
        return transition(case, "lapse", actor=actor, note=reason, changes={"end_month": end})
    return None


def _auto_hold(case: WelfareCase, *, from_month: datetime.date, actor: User, reason: str) -> CaseEvent | None:
    """Suspend an active case from ``from_month``; a pending or suspended one gets the reason on its timeline."""
    if case.status == CaseStatus.ACTIVE:
        with audit_context(actor, action="hold"):
            _hold(case, from_month, reason)
        return transition(case, "hold", actor=actor, note=reason)
    if case.status in (*PENDING_STATUSES, CaseStatus.SUSPENDED):
        return transition(case, "eligibility_check", actor=actor, note=reason)
    return None


def living_subsidies_on_dibao_end(
    *, case: DibaoCase, actor: User, from_month: datetime.date | None = None, note: str = ""
) -> list[CaseEvent]:
    """A household's dibao case was suspended or ended: its members' living subsidies stop from the next month.

    Called by relief's dibao services in their transaction (``core.cases.DIBAO_ENDED``).
    ``from_month`` is when the dibao stops paying; the subsidies stop from then, and never
    before next month. A member still in another household with active dibao keeps theirs;
    a member who died is left to the death's own consequences.
    """
    first = add_months(current_month(), 1)
    if from_month is not None and month_start(from_month) > first:
        first = month_start(from_month)
    person_ids = set(case.household.members.values_list("person_id", flat=True)) | set(
        DibaoMember.objects.filter(case=case).values_list("person_id", flat=True)
    )
    subsidies = (
        DisabilitySubsidyCase.objects.select_for_update(of=("self",))
        .select_related("person", "certificate")
        .filter(kind=SubsidyKind.LIVING, status__in=OPEN_STATUSES, person_id__in=person_ids)
        .filter(person__death_date__isnull=True)
        .order_by("id")
    )
    events = []
    status_label = case.status_label()
    for subsidy in subsidies:
        if selectors.active_dibao_household(subsidy.person) is not None:
            continue
        reason = _(
            "The household's dibao case %(dibao)s is now “%(status)s”%(why)s: the living subsidy is "
            "suspended from %(month)s, while %(name)s is in no household with active dibao."
        ) % {
            "dibao": case.pk,
            "status": status_label,
            "why": f" ({note})" if note else "",
            "month": month_str(first),
            "name": subsidy.person.name,
        }
        event = _auto_hold(subsidy, from_month=first, actor=actor, reason=reason)
        if event is not None:
            events.append(event)
    return events


def welfare_on_death(*, person: Person, death_date: datetime.date, actor: User, note: str = "") -> list[CaseEvent]:
    """A person was recorded as deceased: their welfare stops from the month after the death.

    Called by ``people.services.person_record_death`` in its transaction
    (``core.cases.PERSON_DIED``). Children whose registered guardian died get a note on
    their case: someone must see to a new guardian.
    """
    stops = rules.month_after(death_date)
    reason = _("%(name)s died on %(date)s: %(benefit)s is no longer paid from %(month)s.")
    events = []
    for model in (OrphanCase, DisabilitySubsidyCase):
        cases = (
            model.objects.select_for_update(of=("self",))
            .select_related("person", *_related(model))
            .filter(person=person, status__in=OPEN_STATUSES)
            .order_by("id")
        )
        for case in cases:
            text = reason % {
                "name": person.name,
                "date": death_date.isoformat(),
                "benefit": _benefit_label(case),
                "month": month_str(stops),
            }
            event = _auto_end(case, end_month=stops, actor=actor, reason=f"{text} {note}".strip())
            if event is not None:
                events.append(event)
    wards = (
        OrphanCase.objects.select_for_update(of=("self",))
        .select_related("person")
        .filter(guardian_person=person, status__in=OPEN_STATUSES)
        .order_by("id")
    )
    for case in wards:
        text = _("The guardian, %(name)s, died on %(date)s: record who now looks after the child.") % {
            "name": person.name,
            "date": death_date.isoformat(),
        }
        events.append(transition(case, "eligibility_check", actor=actor, note=text))
    return events


def _nursing_recheck(
    certificate: DisabilityCertificate, *, old_grade: int, actor: User, note: str = ""
) -> list[CaseEvent]:
    """A certificate's grade changed: an open nursing subsidy ends (grade 3–4) or continues (1–2), recorded."""
    cases = (
        DisabilitySubsidyCase.objects.select_for_update(of=("self",))
        .select_related("person", "certificate")
        .filter(certificate=certificate, kind=SubsidyKind.NURSING, status__in=OPEN_STATUSES)
        .order_by("id")
    )
    events = []
    new_grade = certificate.grade
    for case in cases:
        case.certificate = certificate
        values = {"old": old_grade, "new": new_grade, "note": f" {note}" if note else ""}
        if rules.nursing_eligible_grade(new_grade):
            reason = (
                _(
                    "Disability grade re-assessed from %(old)d to %(new)d: still eligible for the nursing subsidy; "
                    "the amount follows the new grade.%(note)s"
                )
                % values
            )
            events.append(transition(case, "eligibility_check", actor=actor, note=reason))
            continue
        stops = add_months(current_month(), 1)
        reason = _(
            "Disability grade re-assessed from %(old)d to %(new)d: the nursing subsidy is for grades 1 and 2; "
            "no longer paid from %(month)s.%(note)s"
        ) % {**values, "month": month_str(stops)}
        event = _auto_end(case, end_month=stops, actor=actor, reason=reason)
        if event is not None:
            events.append(event)
    return events


# --- Orphans ----------------------------------------------------------------------------------


@transaction.atomic
def orphan_case_create(
    *,
    actor: User,
    person: Person,
    category: str,
    guardian: str = "",
    guardian_person: Person | None = None,
    guardian_relationship: str = "",
    institution: str = "",
    note: str = "",
) -> OrphanCase:
    """Register an orphan and their allowance application (raised in an institution, or in the community).

    ``guardian`` is the guardian's name; ``guardian_person`` the guardian when registered
    (their name is taken when ``guardian`` is empty). Refusals (409): deceased, 18 or
    older (``over_age``), an open case already (``case_exists``).
    """
    require_can(actor, "create", OrphanCase)
    person = _person_in_scope(actor, person)
    category = _choice(category, OrphanCategory, field="category")
    guardian = _text(guardian, field="guardian", limit=50)
    guardian_relationship = _text(guardian_relationship, field="guardian_relationship", limit=20)
    institution = _text(institution, field="institution", limit=100)
    if guardian_person is not None:
        try:
            guardian_person = _person_in_scope(actor, guardian_person)
        except NotFound:
            raise InvalidInput(_("Person not found."), field="guardian") from None
        if guardian_person.pk == person.pk:
            raise InvalidInput(_("A child cannot be their own guardian."), field="guardian")
        if guardian_person.death_date is not None:
            raise InvalidInput(_("The guardian is recorded as deceased."), field="guardian")
        guardian = guardian or guardian_person.name
    note = clean_note(note)
    _check_orphan(person)
    exists = Conflict(_("This child already has an open orphan case; continue that one instead."), code="case_exists")
    if OrphanCase.objects.filter(person=person, status__in=OPEN_STATUSES).exists():
        raise exists
    try:
        with transaction.atomic(), audit_context(actor):
            case = OrphanCase.objects.create(
                person=person,
                category=category,
                guardian_name=guardian,
                guardian_person=guardian_person,
                guardian_relationship=guardian_relationship,
                institution=institution,
                created_by=actor,
            )
    except IntegrityError:
        raise exists from None
    open_case(case, actor=actor, note=note)
    return case


@transaction.atomic
def orphan_case_update(
    *,
    actor: User,
    case: OrphanCase,
    category: str | None = None,
    guardian: str | None = None,
    guardian_person: Person | None = None,
    guardian_relationship: str | None = None,
    institution: str | None = None,
    note: str = "",
) -> OrphanCase:
    """Record a change of care (a new guardian, a move into or out of an institution).

    The amount follows the category from the month asked on; the change is on the timeline.
    """
    case = _locked_for(OrphanCase, actor, case.pk, "amend")
    changes: dict = {}
    if category is not None:
        changes["category"] = _choice(category, OrphanCategory, field="category")
    if guardian_person is not None:
        try:
            guardian_person = _person_in_scope(actor, guardian_person)
        except NotFound:
            raise InvalidInput(_("Person not found."), field="guardian") from None
        if guardian_person.pk == case.person_id:
            raise InvalidInput(_("A child cannot be their own guardian."), field="guardian")
        changes["guardian_person"] = guardian_person
        changes["guardian_name"] = _text(guardian, field="guardian", limit=50) or guardian_person.name
    elif guardian is not None:
        changes["guardian_name"] = _text(guardian, field="guardian", limit=50)
        changes["guardian_person"] = None
    if guardian_relationship is not None:
        changes["guardian_relationship"] = _text(guardian_relationship, field="guardian_relationship", limit=20)
    if institution is not None:
        changes["institution"] = _text(institution, field="institution", limit=100)
    changed = {k: v for k, v in changes.items() if getattr(case, k) != v}
    if not changed:
        return case
    described = ", ".join(str(OrphanCase._meta.get_field(k).verbose_name) for k in changed)
    text = _("Changed: %(fields)s.") % {"fields": described}
    transition(case, "amend", actor=actor, note=f"{text} {clean_note(note)}".strip(), changes=changed)
    return case


@transaction.atomic
def orphan_case_review(*, actor: User, case: OrphanCase, note: str = "") -> OrphanCase:
    return _review(actor, OrphanCase, case.pk, note)


@transaction.atomic
def orphan_case_approve(*, actor: User, case: OrphanCase, note: str = "") -> OrphanCase:
    return _approve(actor, OrphanCase, case.pk, note)


@transaction.atomic
def orphan_case_reject(*, actor: User, case: OrphanCase, note: str = "") -> OrphanCase:
    return _reject(actor, OrphanCase, case.pk, note)


@transaction.atomic
def orphan_case_withdraw(*, actor: User, case: OrphanCase, note: str = "") -> OrphanCase:
    return _withdraw(actor, OrphanCase, case.pk, note)


@transaction.atomic
def orphan_case_suspend(*, actor: User, case: OrphanCase, note: str = "", from_month=None) -> OrphanCase:
    return _suspend(actor, OrphanCase, case.pk, note, from_month)


@transaction.atomic
def orphan_case_resume(*, actor: User, case: OrphanCase, note: str = "") -> OrphanCase:
    return _resume(actor, OrphanCase, case.pk, note)


@transaction.atomic
def orphan_case_terminate(*, actor: User, case: OrphanCase, note: str = "", end_month=None) -> OrphanCase:
    return _terminate(actor, OrphanCase, case.pk, note, end_month)


@transaction.atomic
def orphan_case_recheck(*, actor: User, case: OrphanCase, note: str = "") -> OrphanCase:
    return _recheck(actor, OrphanCase, case.pk, note)


# --- Disability certificates ------------------------------------------------------------------


def _disability_type(value, *, field: str = "disability_type") -> int:
    if isinstance(value, str) and value.strip().lower() in rules.DISABILITY_TYPE_NAMES:
        return rules.DISABILITY_TYPE_NAMES[value.strip().lower()]
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        number = 0
    if number not in DisabilityType.values:
        raise InvalidInput(_("The disability type is a digit from 1 to 7 (1 vision … 7 multiple)."), field=field)
    return number


def _grade(value, *, field: str = "grade") -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        number = 0
    if not 1 <= number <= 4:
        raise InvalidInput(_("The grade is a digit from 1 (most severe) to 4."), field=field)
    return number


def _parse_certificate(person: Person, number: str, disability_type=None, grade=None) -> rules.CertificateNumber:
    """The validated number, belonging to ``person``, agreeing with the type and grade given (400 otherwise)."""
    try:
        parsed = rules.parse_certificate_number(number)
    except ValidationError as exc:
        raise InvalidInput(exc.messages[0], field="certificate_number") from None
    if parsed.id_number != person.id_number:
        raise InvalidInput(
            _("The certificate number does not begin with %(name)s's ID number.") % {"name": person.name},
            field="certificate_number",
        )
    if disability_type not in (None, "") and _disability_type(disability_type) != parsed.disability_type:
        raise InvalidInput(
            _("The certificate number says disability type %(number)d, but type %(given)d was entered.")
            % {"number": parsed.disability_type, "given": _disability_type(disability_type)},
            field="certificate_number",
        )
    if grade not in (None, "") and _grade(grade) != parsed.grade:
        raise InvalidInput(
            _("The certificate number says grade %(number)d, but grade %(given)d was entered.")
            % {"number": parsed.grade, "given": _grade(grade)},
            field="certificate_number",
        )
    return parsed


def _store_certificate(
    actor: User, person: Person, parsed: rules.CertificateNumber, issued_on=None, note: str = ""
) -> tuple[DisabilityCertificate, list[CaseEvent]]:
    """Register the certificate, or bring the person's certificate up to this number (a re-assessment)."""
    issued = _date(issued_on, field="issued_on") if issued_on else None
    current = DisabilityCertificate.objects.select_for_update().filter(person=person).first()
    if current is None:
        taken = Conflict(_("This certificate number is already registered."), code="duplicate_certificate")
        try:
            with transaction.atomic(), audit_context(actor):
                return (
                    DisabilityCertificate.objects.create(
                        person=person,
                        number=parsed.number,
                        disability_type=parsed.disability_type,
                        grade=parsed.grade,
                        issued_on=issued,
                        created_by=actor,
                    ),
                    [],
                )
        except IntegrityError:
            raise taken from None
    if current.number == parsed.number:
        return current, []
    return _reassess(
        actor, current, disability_type=parsed.disability_type, grade=parsed.grade, issued_on=issued, note=note
    )


def _reassess(
    actor: User, certificate: DisabilityCertificate, *, disability_type: int, grade: int, issued_on, note: str
) -> tuple[DisabilityCertificate, list[CaseEvent]]:
    old_grade = certificate.grade
    certificate.disability_type = disability_type
    certificate.grade = grade
    certificate.number = rules.certificate_number_with(certificate.number, disability_type=disability_type, grade=grade)
    if issued_on is not None:
        certificate.issued_on = issued_on
    with audit_context(actor, action="reassess", note=note[:200]):
        certificate.save(update_fields=["disability_type", "grade", "number", "issued_on", "updated_at"])
    events = _nursing_recheck(certificate, old_grade=old_grade, actor=actor, note=note) if old_grade != grade else []
    return certificate, events


@transaction.atomic
def certificate_register(
    *, actor: User, person: Person, certificate_number: str, disability_type=None, grade=None, issued_on=None
) -> DisabilityCertificate:
    """Register a person's disability certificate (the number must begin with their ID number)."""
    require_can(actor, "create", DisabilityCertificate)
    person = _person_in_scope(actor, person)
    parsed = _parse_certificate(person, certificate_number, disability_type, grade)
    if DisabilityCertificate.objects.filter(person=person).exists():
        raise Conflict(
            _("%(name)s already has a certificate on record: record a re-assessment instead.") % {"name": person.name},
            code="certificate_exists",
        )
    certificate, _events = _store_certificate(actor, person, parsed, issued_on)
    return certificate


@dataclass(frozen=True)
class Reassessment:
    certificate: DisabilityCertificate
    events: list[CaseEvent]


@transaction.atomic
def certificate_reassess(
    *, actor: User, certificate: DisabilityCertificate, disability_type, grade, issued_on=None, note: str = ""
) -> Reassessment:
    """Record a re-assessment (new type or grade: the number's last two digits change); re-check the nursing subsidy."""
    require_can(actor, "reassess", DisabilityCertificate)
    certificate = get_in_scope(
        DisabilityCertificate.objects.select_for_update(of=("self",)).select_related("person"), actor, pk=certificate.pk
    )
    disability_type = _disability_type(disability_type)
    grade = _grade(grade)
    issued = _date(issued_on, field="issued_on") if issued_on else None
    note = clean_note(note)
    if (disability_type, grade) == (certificate.disability_type, certificate.grade) and issued is None:
        return Reassessment(certificate, [])
    certificate, events = _reassess(
        actor, certificate, disability_type=disability_type, grade=grade, issued_on=issued, note=note
    )
    return Reassessment(certificate, events)


# --- Disability subsidies ---------------------------------------------------------------------


@transaction.atomic
def disability_subsidy_create(
    *,
    actor: User,
    person: Person,
    kind: str,
    certificate_number: str,
    disability_type=None,
    grade=None,
    note: str = "",
) -> DisabilitySubsidyCase:
    """Apply for the living or the nursing subsidy with the person's certificate (registered here if new).

    A malformed number, one not beginning with the person's ID number, or one whose type
    or grade disagrees with those entered → 400 ``certificate_number``. Refusals (409):
    deceased, not in a household with active dibao (living: ``not_in_dibao``), grade 3 or
    4 (nursing: ``grade_too_low``), an open case of the kind already (``case_exists``).
    All or nothing: a refusal saves no certificate either.
    """
    require_can(actor, "create", DisabilitySubsidyCase)
    person = _person_in_scope(actor, person)
    kind = _choice(kind, SubsidyKind, field="kind")
    parsed = _parse_certificate(person, certificate_number, disability_type, grade)
    note = clean_note(note)
    household = None
    if kind == SubsidyKind.LIVING:
        household = _check_living(person)
    else:
        _check_nursing(person, parsed.grade)
    exists = Conflict(
        _("%(name)s already has an open %(kind)s case.") % {"name": person.name, "kind": SubsidyKind(kind).label},
        code="case_exists",
    )
    if DisabilitySubsidyCase.objects.filter(person=person, kind=kind, status__in=OPEN_STATUSES).exists():
        raise exists
    certificate, _events = _store_certificate(actor, person, parsed, note=note)
    try:
        with transaction.atomic(), audit_context(actor):
            case = DisabilitySubsidyCase.objects.create(
                person=person, kind=kind, certificate=certificate, household=household, created_by=actor
            )
    except IntegrityError:
        raise exists from None
    open_case(case, actor=actor, note=note)
    return case


@transaction.atomic
def disability_subsidies_apply(
    *,
    actor: User,
    person: Person,
    kinds: list[str],
    certificate_number: str,
    disability_type=None,
    grade=None,
    note: str = "",
) -> list[DisabilitySubsidyCase]:
    """Apply for one or both subsidies with one certificate: all or nothing (the application form)."""
    kinds = list(dict.fromkeys(kinds))
    if not kinds:
        raise InvalidInput(_("Choose the living subsidy, the nursing subsidy, or both."), field="kinds")
    return [
        disability_subsidy_create(
            actor=actor,
            person=person,
            kind=kind,
            certificate_number=certificate_number,
            disability_type=disability_type,
            grade=grade,
            note=note,
        )
        for kind in kinds
    ]


@transaction.atomic
def disability_subsidy_review(*, actor: User, case: DisabilitySubsidyCase, note: str = "") -> DisabilitySubsidyCase:
    return _review(actor, DisabilitySubsidyCase, case.pk, note)


@transaction.atomic
def disability_subsidy_approve(*, actor: User, case: DisabilitySubsidyCase, note: str = "") -> DisabilitySubsidyCase:
    return _approve(actor, DisabilitySubsidyCase, case.pk, note)


@transaction.atomic
def disability_subsidy_reject(*, actor: User, case: DisabilitySubsidyCase, note: str = "") -> DisabilitySubsidyCase:
    return _reject(actor, DisabilitySubsidyCase, case.pk, note)


@transaction.atomic
def disability_subsidy_withdraw(*, actor: User, case: DisabilitySubsidyCase, note: str = "") -> DisabilitySubsidyCase:
    return _withdraw(actor, DisabilitySubsidyCase, case.pk, note)


@transaction.atomic
def disability_subsidy_suspend(
    *, actor: User, case: DisabilitySubsidyCase, note: str = "", from_month=None
) -> DisabilitySubsidyCase:
    return _suspend(actor, DisabilitySubsidyCase, case.pk, note, from_month)


@transaction.atomic
def disability_subsidy_resume(*, actor: User, case: DisabilitySubsidyCase, note: str = "") -> DisabilitySubsidyCase:
    return _resume(actor, DisabilitySubsidyCase, case.pk, note)


@transaction.atomic
def disability_subsidy_terminate(
    *, actor: User, case: DisabilitySubsidyCase, note: str = "", end_month=None
) -> DisabilitySubsidyCase:
    return _terminate(actor, DisabilitySubsidyCase, case.pk, note, end_month)


@transaction.atomic
def disability_subsidy_recheck(*, actor: User, case: DisabilitySubsidyCase, note: str = "") -> DisabilitySubsidyCase:
    return _recheck(actor, DisabilitySubsidyCase, case.pk, note)


# --- The nightly check ------------------------------------------------------------------------


@dataclass(frozen=True)
class NightlyResult:
    aged_out: int
    deceased: int
    living_without_dibao: int
    nursing_grade: int

    @property
    def total(self) -> int:
        return self.aged_out + self.deceased + self.living_without_dibao + self.nursing_grade


def _each_locked(queryset, handler) -> int:
    """Run ``handler`` on each case of ``queryset`` in its own transaction, re-read and locked; count the changes.

    One case's trouble stops no other; a case another process changed meanwhile is
    re-checked by the handler on the locked row (it acts only while the condition holds).
    """
    changed = 0
    for pk in list(queryset.values_list("pk", flat=True).order_by("pk")):
        with transaction.atomic():
            model = queryset.model
            case = (
                model.objects.select_for_update(of=("self",))
                .select_related("person", *_related(model))
                .filter(pk=pk)
                .first()
            )
            if case is not None and handler(case):
                changed += 1
    return changed


def eligibility_nightly_check(*, today: datetime.date | None = None, actor: User | None = None) -> NightlyResult:
    """Keep every open welfare case true to the rules; safe to run any number of times (same result).

    * a child who has turned 18 leaves the orphans' allowance at the end of that month;
    * a holder recorded as deceased by any path: the case ends from the month after death;
    * an active living subsidy whose holder is in no household with active dibao: held from next month;
    * a nursing subsidy whose certificate is now grade 3 or 4: ends from next month.

    Each acts only on a case still open and still in that condition, and its action
    removes the condition, so a second run finds nothing more to do.
    """
    today = today or local_today()
    actor = actor or system_actor()
    latest_birth = rules.latest_birth_date_of_age(rules.ORPHAN_AGE_LIMIT, today)

    def age_out(case: OrphanCase) -> bool:
        if case.status not in OPEN_STATUSES or not rules.orphan_age_limit_reached(case.person.birth_date, today):
            return False
        end = rules.orphan_end_month(case.person.birth_date)
        reason = _("%(name)s turned 18 on %(date)s: the orphans' allowance ends with %(month)s.") % {
            "name": case.person.name,
            "date": rules.birthday_at(case.person.birth_date, rules.ORPHAN_AGE_LIMIT).isoformat(),
            "month": month_str(add_months(end, -1)),
        }
        return _auto_end(case, end_month=end, actor=actor, reason=reason) is not None

    def deceased(case: WelfareCase) -> bool:
        person = case.person
        if case.status not in OPEN_STATUSES or person.death_date is None:
            return False
        stops = rules.month_after(person.death_date)
        reason = _("%(name)s died on %(date)s: %(benefit)s is no longer paid from %(month)s.") % {
            "name": person.name,
            "date": person.death_date.isoformat(),
            "benefit": _benefit_label(case),
            "month": month_str(stops),
        }
        return _auto_end(case, end_month=stops, actor=actor, reason=reason) is not None

    def living(case: DisabilitySubsidyCase) -> bool:
        if case.status != CaseStatus.ACTIVE or selectors.active_dibao_household(case.person) is not None:
            return False
        first = add_months(month_start(today), 1)
        reason = _("%(name)s is in no household with active dibao: the living subsidy is suspended from %(month)s.") % {
            "name": case.person.name,
            "month": month_str(first),
        }
        return _auto_hold(case, from_month=first, actor=actor, reason=reason) is not None

    def nursing(case: DisabilitySubsidyCase) -> bool:
        if case.status not in OPEN_STATUSES or rules.nursing_eligible_grade(case.certificate.grade):
            return False
        stops = add_months(month_start(today), 1)
        reason = _(
            "The certificate is grade %(grade)d: the nursing subsidy is for grades 1 and 2; "
            "no longer paid from %(month)s."
        ) % {"grade": case.certificate.grade, "month": month_str(stops)}
        return _auto_end(case, end_month=stops, actor=actor, reason=reason) is not None

    open_orphans = OrphanCase.objects.filter(status__in=OPEN_STATUSES)
    open_subsidies = DisabilitySubsidyCase.objects.filter(status__in=OPEN_STATUSES)
    dead = Q(person__death_date__isnull=False)
    dead_count = _each_locked(open_orphans.filter(dead), deceased) + _each_locked(open_subsidies.filter(dead), deceased)
    aged = _each_locked(open_orphans.filter(person__birth_date__lte=latest_birth), age_out)
    living_count = _each_locked(
        open_subsidies.filter(kind=SubsidyKind.LIVING, status=CaseStatus.ACTIVE).exclude(selectors.in_active_dibao_q()),
        living,
    )
    nursing_count = _each_locked(
        open_subsidies.filter(kind=SubsidyKind.NURSING, certificate__grade__gt=rules.NURSING_MAX_GRADE), nursing
    )
    return NightlyResult(
        aged_out=aged, deceased=dead_count, living_without_dibao=living_count, nursing_grade=nursing_count
    )


# --- Child supervisors ------------------------------------------------------------------------


@transaction.atomic
def child_supervisor_appoint(
    *, actor: User, subdistrict: Division | str, name: str, phone: str = "", appointed_on=None
) -> ChildSupervisor:
    """Appoint a sub-district's child supervisor (儿童督导员); the current one's term ends the day before."""
    require_can(actor, "appoint", ChildSupervisor)
    code = subdistrict.code if isinstance(subdistrict, Division) else str(subdistrict or "").strip()
    division = Division.objects.filter(code=code, level=DivisionLevel.SUBDISTRICT).first()
    if division is None or not division_in_scope(actor, division.code):
        raise InvalidInput(_("Choose a sub-district inside your area."), field="subdistrict")
    name = _text(name, field="name", limit=50, required=True, label=_("the name"))
    phone = _text(phone, field="phone", limit=20)
    if phone and not (phone.isascii() and phone.replace("-", "").isdigit()):
        raise InvalidInput(_("A phone number has digits (and dashes) only."), field="phone")
    appointed_on = _date(appointed_on or local_today(), field="appointed_on", not_future=False)
    current = ChildSupervisor.objects.select_for_update().filter(subdistrict=division, ended_on__isnull=True).first()
    with audit_context(actor):
        if current is not None:
            if appointed_on <= current.appointed_on:
                raise InvalidInput(
                    _("The current supervisor was appointed on %(date)s: the new one is appointed later.")
                    % {"date": current.appointed_on.isoformat()},
                    field="appointed_on",
                )
            current.ended_on = appointed_on - datetime.timedelta(days=1)
            current.save(update_fields=["ended_on"])
        return ChildSupervisor.objects.create(
            subdistrict=division, name=name, phone=phone, appointed_on=appointed_on, created_by=actor
        )


@transaction.atomic
def child_supervisor_end(*, actor: User, supervisor: ChildSupervisor, ended_on=None) -> ChildSupervisor:
    """End a supervisor's term (the sub-district then has none until the next appointment)."""
    require_can(actor, "end", ChildSupervisor)
    supervisor = get_in_scope(ChildSupervisor.objects.select_for_update(), actor, pk=supervisor.pk)
    if supervisor.ended_on is not None:
        raise Conflict(_("This term has already ended."), code="invalid_transition")
    ended_on = _date(ended_on or local_today(), field="ended_on", not_future=False)
    if ended_on < supervisor.appointed_on:
        raise InvalidInput(_("A term cannot end before the appointment."), field="ended_on")
    supervisor.ended_on = ended_on
    with audit_context(actor):
        supervisor.save(update_fields=["ended_on"])
    return supervisor


@transaction.atomic
def child_supervisor_reveal_phone(*, actor: User, supervisor: ChildSupervisor, reason: str, ip_address=None) -> str:
    """A supervisor's full work phone, for those who contact them; logged with its reason."""
    require_can(actor, "reveal", ChildSupervisor)
    supervisor = get_in_scope(ChildSupervisor.objects.all(), actor, pk=supervisor.pk)
    reveal_record(actor=actor, record=supervisor, field="phone", reason=reason, ip_address=ip_address)
    return supervisor.phone


# --- Configuration: incompatible benefits -----------------------------------------------------


@transaction.atomic
def incompatibility_set(
    *, actor: User | None, benefit_a: str, benefit_b: str, active: bool = True, source: str = ""
) -> Incompatibility:
    """Say whether two benefits may be paid to one person in one month (the cross-check lists who gets both)."""
    if actor is not None:
        require_can(actor, "edit", "welfare.incompatibility")
    a = _choice(benefit_a, Benefit, field="benefit_a")
    b = _choice(benefit_b, Benefit, field="benefit_b")
    if a == b:
        raise InvalidInput(_("Choose two different benefits."), field="benefit_b")
    a, b = sorted((a, b))
    source = _text(source, field="source", limit=200)
    with audit_context(actor):
        rule, created = Incompatibility.objects.select_for_update().get_or_create(
            benefit_a=a, benefit_b=b, defaults={"active": bool(active), "source": source, "created_by": actor}
        )
        if not created:
            rule.active = bool(active)
            if source:
                rule.source = source
            rule.save(update_fields=["active", "source", "updated_at"])
    return rule

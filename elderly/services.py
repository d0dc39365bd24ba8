"""Every write of elderly care: centres and their stages, the left-behind elderly register, care visits.

Each service is keyword-only, runs in one transaction, names its actor, asks the one permission
question (``core.permissions.require_can``) and writes under ``audit_context`` (the history's
actor); a centre's stage moves only through ``core.cases.transition`` by ``CENTRE_MACHINE``.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import cases
from core.audit import audit_context
from core.cases import local_today
from core.errors import Conflict, InvalidInput
from core.models import Division, DivisionLevel, User
from core.permissions import require_can
from core.scoping import division_in_scope, get_in_scope
from elderly.models import (
    STAGE_DATE_FIELD,
    STAGE_ORDER,
    SUBSIDY_CONFIRM_ACCOUNT,
    SUBSIDY_CORRECT_ACCOUNT,
    SUBSIDY_REJECT_ACCOUNT,
    AccountCorrection,
    CentreStage,
    ClosedReason,
    CorrectionStatus,
    ElderlyCentre,
    ElderlyInstitution,
    ElderStatus,
    InstitutionKind,
    InstitutionStatus,
    LeftBehindElder,
    OperatingSubsidy,
    Risk,
    Visit,
    VisitorRole,
)
from people.models import AreaType, Household, Person

ELDERLY_AGE = 60  # 老年人: aged 60 or more (《老年人权益保障法》)


def _text(value: str | None, limit: int, field: str, *, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput(_("This field is required."), field=field)
    if len(value) > limit:
        raise InvalidInput(
            _("At most %(limit)d characters (this has %(count)d).") % {"limit": limit, "count": len(value)},
            field=field,
        )
    return value


def _not_future(day: datetime.date | None, field: str, today: datetime.date) -> datetime.date | None:
    if day is not None and day > today:
        raise InvalidInput(_("The date cannot be in the future."), field=field)
    return day


def _subdistrict_or_error(actor: User, code) -> Division:
    code = code.code if isinstance(code, Division) else str(code or "").strip()
    if not code and len(actor.division_id or "") == 9:
        code = actor.division_id
    subdistrict = (
        Division.objects.filter(code=code, level=DivisionLevel.SUBDISTRICT, active=True).first() if code else None
    )
    if subdistrict is None or not division_in_scope(actor, subdistrict.code):
        raise InvalidInput(_("Choose a sub-district inside your area."), field="subdistrict")
    return subdistrict


def _beds(value: int | None) -> int | None:
    if value is not None and not 0 <= value <= 5000:
        raise InvalidInput(_("Give a number of beds between 0 and 5000."), field="beds")
    return value


# --- Elderly-care centres ------------------------------------------------------------------------


def _stage_dates(stage: str, dates: dict[str, datetime.date | None], today: datetime.date) -> dict:
    """The dates of the stages reached (each optional for a centre recorded late, never in the future,
    never before the stage before it); a date of a stage not reached is refused."""
    reached = STAGE_ORDER[: STAGE_ORDER.index(stage) + 1]
    values = {}
    previous: tuple[str, datetime.date] | None = None
    for s in STAGE_ORDER:
        field = STAGE_DATE_FIELD[s]
        day = dates.get(field)
        if s not in reached:
            if day is not None:
                raise InvalidInput(_("The centre has not reached this stage; leave the date empty."), field=field)
            values[field] = None
            continue
        _not_future(day, field, today)
        if day is not None and previous is not None and day < previous[1]:
            raise InvalidInput(_("This date cannot be before the date of the stage before it."), field=field)
        if day is not None:
            previous = (field, day)
        values[field] = day
    return values


@transaction.atomic
def centre_create(
    *,
    actor: User,
    name: str,
    subdistrict: str | Division | None,
    stage: str = CentreStage.SITE,
    address: str = "",
    operator: str = "",
    beds: int | None = None,
    services: str = "",
    site_chosen_on: datetime.date | None = None,
    operator_contracted_on: datetime.date | None = None,
    built_on: datetime.date | None = None,
    operating_since: datetime.date | None = None,
    today: datetime.date | None = None,
) -> ElderlyCentre:
    """Record a centre at the stage it has reached (a new site, or one already further along)."""
    require_can(actor, "create", ElderlyCentre)
    today = today or local_today()
    if stage not in CentreStage.values:
        raise InvalidInput(_("Choose the stage the centre has reached."), field="stage")
    dates = _stage_dates(
        stage,
        {
            "site_chosen_on": site_chosen_on,
            "operator_contracted_on": operator_contracted_on,
            "built_on": built_on,
            "operating_since": operating_since,
        },
        today,
    )
    if stage == CentreStage.SITE and not dates["site_chosen_on"]:
        dates["site_chosen_on"] = today  # a site chosen now: the day it is recorded
    centre = ElderlyCentre(
        name=_text(name, 100, "name", required=True),
        subdistrict=_subdistrict_or_error(actor, subdistrict),
        status=stage,
        address=_text(address, 200, "address"),
        operator=_text(operator, 100, "operator"),
        beds=_beds(beds),
        services=_text(services, 500, "services"),
        created_by=actor,
        **dates,
    )
    _save_named(actor, centre)
    cases.open_case(centre, actor=actor)
    return centre


def _locked(model, actor: User, record):
    """The record (or its id) read again, locked, inside the actor's scope (404 outside it)."""
    pk = record.pk if isinstance(record, model) else record
    return get_in_scope(model.objects.select_for_update(of=("self",)), actor, pk=pk)


def _save_named(actor: User, record) -> None:
    """Save a centre or an institution; its name taken in its sub-district is a 409."""
    try:
        with transaction.atomic(), audit_context(actor, via="elderly"):
            record.save()
    except IntegrityError:
        raise _name_taken(record.name) from None


def _centre(actor: User, centre: ElderlyCentre | int) -> ElderlyCentre:
    return _locked(ElderlyCentre, actor, centre)


@transaction.atomic
def centre_advance(
    *,
    actor: User,
    centre: ElderlyCentre | int,
    action: str,
    on: datetime.date | None = None,
    operator: str | None = None,
    beds: int | None = None,
    services: str | None = None,
    note: str = "",
    today: datetime.date | None = None,
) -> ElderlyCentre:
    """Move a centre one stage on: ``contract`` (an operator, named), ``complete`` (built), ``open`` (operating).

    The day defaults to today; it may not be in the future nor before the stage before it.
    """
    centre = _centre(actor, centre)
    require_can(actor, action, centre)  # 403 role, 404 geography, 409 a move its stage does not allow
    today = today or local_today()
    on = _not_future(on, "on", today) or today
    target = ElderlyCentre.state_machine.target(action, centre.status)
    previous = centre.stage_date(centre.status)
    if previous is not None and on < previous:
        raise InvalidInput(
            _("This date cannot be before %(day)s, when the centre reached its present stage.")
            % {"day": previous.isoformat()},
            field="on",
        )
    changes: dict = {STAGE_DATE_FIELD[target]: on}
    if target == CentreStage.OPERATOR:
        name = _text(operator if operator is not None else centre.operator, 100, "operator", required=True)
        changes["operator"] = name
    elif operator is not None:
        changes["operator"] = _text(operator, 100, "operator")
    if beds is not None:
        changes["beds"] = _beds(beds)
    if services is not None:
        changes["services"] = _text(services, 500, "services")
    cases.transition(centre, action, actor=actor, note=note, changes=changes)
    return centre


@transaction.atomic
def centre_update(
    *,
    actor: User,
    centre: ElderlyCentre | int,
    name: str | None = None,
    address: str | None = None,
    operator: str | None = None,
    beds: int | None = None,
    services: str | None = None,
) -> ElderlyCentre:
    """Correct a centre's particulars (not its stage: that moves only by its steps)."""
    centre = _centre(actor, centre)
    require_can(actor, "edit", centre)
    if name is not None:
        centre.name = _text(name, 100, "name", required=True)
    if address is not None:
        centre.address = _text(address, 200, "address")
    if operator is not None:
        value = _text(operator, 100, "operator")
        if not value and centre.status != CentreStage.SITE:
            raise InvalidInput(_("A centre past its site stage has an operator."), field="operator")
        centre.operator = value
    if beds is not None:
        centre.beds = _beds(beds)
    if services is not None:
        centre.services = _text(services, 500, "services")
    _save_named(actor, centre)
    return centre


# --- The left-behind elderly register --------------------------------------------------------------


def age_on(person: Person, day: datetime.date) -> int:
    birth = person.birth_date
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


@transaction.atomic
def elder_register(
    *,
    actor: User,
    person: Person | int,
    risk: str = Risk.NORMAL,
    living_situation: str = "",
    family_contact: str = "",
    registered_on: datetime.date | None = None,
    today: datetime.date | None = None,
) -> LeftBehindElder:
    """Put a person on the register: aged 60 or more, alive, a member of a rural household in one's area."""
    require_can(actor, "create", LeftBehindElder)
    today = today or local_today()
    from people import selectors as people_selectors

    pk = person.pk if isinstance(person, Person) else person
    person = get_in_scope(Person.objects.all(), actor, pk=pk)
    if risk not in Risk.values:
        raise InvalidInput(_("Choose the risk level."), field="risk")
    registered_on = _not_future(registered_on, "registered_on", today) or today
    if person.death_date is not None:
        raise Conflict(_("%(name)s has died.") % {"name": person.name}, code="deceased")
    if age_on(person, registered_on) < ELDERLY_AGE:
        raise Conflict(
            _("%(name)s is under %(age)d: the register is for elderly persons.")
            % {"name": person.name, "age": ELDERLY_AGE},
            code="not_elderly",
        )
    household: Household | None = people_selectors.person_household(person=person)
    if household is None:
        raise Conflict(
            _("%(name)s belongs to no household: register the household first.") % {"name": person.name},
            code="no_household",
        )
    if household.area_type != AreaType.RURAL:
        raise Conflict(
            _("%(name)s lives in an urban household: the register is for rural communities.") % {"name": person.name},
            code="not_rural",
        )
    elder = LeftBehindElder(
        person=person,
        household=household,
        community_id=household.community_id,
        risk=risk,
        living_situation=_text(living_situation, 500, "living_situation"),
        family_contact=_text(family_contact, 100, "family_contact"),
        registered_on=registered_on,
        created_by=actor,
    )
    try:
        with transaction.atomic(), audit_context(actor, via="elderly"):
            elder.save()
    except IntegrityError:
        raise Conflict(
            _("%(name)s is already on the register.") % {"name": person.name}, code="already_registered"
        ) from None
    return elder


def _elder(actor: User, elder: LeftBehindElder | int) -> LeftBehindElder:
    pk = elder.pk if isinstance(elder, LeftBehindElder) else elder
    return get_in_scope(LeftBehindElder.objects.select_for_update(of=("self",)).select_related("person"), actor, pk=pk)


@transaction.atomic
def elder_update(
    *,
    actor: User,
    elder: LeftBehindElder | int,
    risk: str | None = None,
    living_situation: str | None = None,
    family_contact: str | None = None,
) -> LeftBehindElder:
    """Change the risk level (which changes how often the person is visited) or the file's notes."""
    elder = _elder(actor, elder)
    require_can(actor, "edit", elder)
    if risk is not None:
        if risk not in Risk.values:
            raise InvalidInput(_("Choose the risk level."), field="risk")
        elder.risk = risk
    if living_situation is not None:
        elder.living_situation = _text(living_situation, 500, "living_situation")
    if family_contact is not None:
        elder.family_contact = _text(family_contact, 100, "family_contact")
    with audit_context(actor, via="elderly"):
        elder.save()
    return elder


@transaction.atomic
def elder_close(
    *,
    actor: User,
    elder: LeftBehindElder | int,
    reason: str,
    on: datetime.date | None = None,
    today: datetime.date | None = None,
) -> LeftBehindElder:
    """Take a person off the register (died, moved, family came home): no more visits are due."""
    elder = _elder(actor, elder)
    require_can(actor, "close", elder)
    today = today or local_today()
    if reason not in ClosedReason.values:
        raise InvalidInput(_("Choose why the person leaves the register."), field="reason")
    on = _not_future(on, "on", today) or today
    if on < elder.registered_on:
        raise InvalidInput(_("This date cannot be before the person was registered."), field="on")
    elder.status = ElderStatus.CLOSED
    elder.closed_on = on
    elder.closed_reason = reason
    with audit_context(actor, via="elderly", action="close"):
        elder.save()
    return elder


@transaction.atomic
def visit_record(
    *,
    actor: User,
    elder: LeftBehindElder | int,
    visited_on: datetime.date,
    visitor: str,
    findings: str,
    visitor_role: str = VisitorRole.SOCIAL_WORKER,
    follow_up: str = "",
    today: datetime.date | None = None,
) -> Visit:
    """Record a care visit; the person's last visit moves to it if it is the newest."""
    elder = _elder(actor, elder)
    require_can(actor, "visit", elder)
    today = today or local_today()
    if visited_on is None:
        raise InvalidInput(_("This field is required."), field="visited_on")
    _not_future(visited_on, "visited_on", today)
    if visitor_role not in VisitorRole.values:
        raise InvalidInput(_("Choose who visited."), field="visitor_role")
    visit = Visit(
        elder=elder,
        visited_on=visited_on,
        visitor=_text(visitor, 50, "visitor", required=True),
        visitor_role=visitor_role,
        findings=_text(findings, 1000, "findings", required=True),
        follow_up=_text(follow_up, 500, "follow_up"),
        recorded_by=actor,
    )
    with audit_context(actor, via="elderly"):
        visit.save()
        if elder.last_visited_on is None or visited_on > elder.last_visited_on:
            elder.last_visited_on = visited_on
            elder.save(update_fields=["last_visited_on", "updated_at"])
    return visit


# --- Elderly-care institutions (养老机构) ------------------------------------------------------------


def _kind(value: str) -> str:
    if value not in InstitutionKind.values:
        raise InvalidInput(
            _("Choose whether the institution is public, publicly built and privately run, or private."), field="kind"
        )
    return value


def _operator_org(value: str | None):
    """The registered social organization with this unified social credit code (a public number), or None."""
    from social_orgs.models import OrgStatus, SocialOrg

    code = (value or "").strip().upper()
    if not code:
        return None
    org = SocialOrg.objects.filter(credit_code=code).first()
    if org is None or org.status != OrgStatus.REGISTERED:
        raise InvalidInput(
            _("No registered social organization has this unified social credit code."), field="operator_credit_code"
        )
    return org


def _institution_fields(
    *, name, kind, address, operator, operator_credit_code, beds, licensed_on, today: datetime.date
) -> dict:
    """The checked particulars (only those given: ``None`` leaves one as it is)."""
    values: dict = {}
    if name is not None:
        values["name"] = _text(name, 100, "name", required=True)
    if kind is not None:
        values["kind"] = _kind(kind)
    if address is not None:
        values["address"] = _text(address, 200, "address")
    if operator_credit_code is not None:
        values["operator_org"] = _operator_org(operator_credit_code)
    if operator is not None:
        values["operator"] = _text(operator, 100, "operator")
    if not values.get("operator", "x") and values.get("operator_org") is not None:
        values["operator"] = values["operator_org"].name  # the organization runs it: its name
    if beds is not None:
        values["beds"] = _beds(beds)
    if licensed_on is not None:
        values["licensed_on"] = _not_future(licensed_on, "licensed_on", today)
    return values


def _name_taken(name: str) -> Conflict:
    return Conflict(_("%(name)s is already recorded in this sub-district.") % {"name": name}, code="name_taken")


@transaction.atomic
def institution_create(
    *,
    actor: User,
    name: str,
    kind: str,
    subdistrict: str | Division | None,
    address: str = "",
    operator: str = "",
    operator_credit_code: str = "",
    beds: int | None = None,
    licensed_on: datetime.date | None = None,
    status: str = InstitutionStatus.OPERATING,
    today: datetime.date | None = None,
) -> ElderlyInstitution:
    """Put an elderly-care institution on the register (public, publicly built and privately run, or private)."""
    require_can(actor, "create", ElderlyInstitution)
    if status not in InstitutionStatus.values:
        raise InvalidInput(_("Choose the institution's status."), field="status")
    fields = _institution_fields(
        name=name,
        kind=kind,
        address=address,
        operator=operator,
        operator_credit_code=operator_credit_code,
        beds=beds,
        licensed_on=licensed_on,
        today=today or local_today(),
    )
    institution = ElderlyInstitution(
        subdistrict=_subdistrict_or_error(actor, subdistrict), status=status, created_by=actor, **fields
    )
    _save_named(actor, institution)
    return institution


def _institution(actor: User, institution: ElderlyInstitution | int) -> ElderlyInstitution:
    return _locked(ElderlyInstitution, actor, institution)


@transaction.atomic
def institution_update(
    *,
    actor: User,
    institution: ElderlyInstitution | int,
    name: str | None = None,
    kind: str | None = None,
    address: str | None = None,
    operator: str | None = None,
    operator_credit_code: str | None = None,
    beds: int | None = None,
    licensed_on: datetime.date | None = None,
    status: str | None = None,
    today: datetime.date | None = None,
) -> ElderlyInstitution:
    """Correct an institution's particulars or record its status (operating, suspended, closed)."""
    institution = _institution(actor, institution)
    require_can(actor, "edit", institution)
    if status is not None and status not in InstitutionStatus.values:
        raise InvalidInput(_("Choose the institution's status."), field="status")
    fields = _institution_fields(
        name=name,
        kind=kind,
        address=address,
        operator=operator,
        operator_credit_code=operator_credit_code,
        beds=beds,
        licensed_on=licensed_on,
        today=today or local_today(),
    )
    if status is not None:
        fields["status"] = status
    for field, value in fields.items():
        setattr(institution, field, value)
    _save_named(actor, institution)
    return institution


# --- Operating subsidies (养老机构运营补贴) ----------------------------------------------------------


@transaction.atomic
def subsidy_create(
    *,
    actor: User,
    centre: ElderlyCentre | int | None = None,
    institution: ElderlyInstitution | int | None = None,
    period,
    amount,
    bank_name: str,
    bank_account: str,
    note: str = "",
) -> OperatingSubsidy:
    """Enter an operating subsidy for a month to one payee, a sub-district centre or an institution of the
    register; it waits for another member of staff's approval.

    Only an operating centre or institution receives one; one per payee and month (a refused one may be
    entered again). The bank account is the payee's, in its name.
    """
    require_can(actor, "create", OperatingSubsidy)
    if (centre is None) == (institution is None):
        raise InvalidInput(_("Choose the one centre or institution the subsidy is paid to."))
    if centre is not None:
        payee = _centre(actor, centre)
        operating = payee.status == CentreStage.OPERATING
    else:
        payee = _institution(actor, institution)
        operating = payee.status == InstitutionStatus.OPERATING
    period = cases.parse_month(period, field="period")
    if not operating:
        raise Conflict(
            _("%(name)s is not operating: operating subsidies go to operating institutions.") % {"name": payee.name},
            code="not_operating",
        )
    try:
        amount = Decimal(str(amount)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise InvalidInput(_("Enter an amount."), field="amount") from None
    if amount <= 0:
        raise InvalidInput(_("The amount must be more than zero."), field="amount")
    account = _account(bank_account, "bank_account")
    try:
        with transaction.atomic(), audit_context(actor):
            return OperatingSubsidy.objects.create(
                centre=payee if centre is not None else None,
                institution=payee if institution is not None else None,
                subdistrict_id=payee.subdistrict_id,
                period=period,
                amount=amount,
                bank_name=_text(bank_name, 60, "bank_name", required=True),
                bank_account=account,
                note=_text(note, 500, "note"),
                entered_by=actor,
            )
    except IntegrityError:
        raise Conflict(
            _("%(name)s already has an operating subsidy for %(month)s.")
            % {"name": payee.name, "month": cases.month_str(period)},
            code="subsidy_exists",
        ) from None


def _account(value: str | None, field: str) -> str:
    account = "".join((value or "").split())
    if not account.isdigit() or not 8 <= len(account) <= 32:
        raise InvalidInput(_("A bank account is 8 to 32 digits."), field=field)
    return account


def _decide(actor: User, subsidy: OperatingSubsidy | int, action: str, note: str) -> OperatingSubsidy:
    pk = subsidy.pk if isinstance(subsidy, OperatingSubsidy) else subsidy
    subsidy = get_in_scope(OperatingSubsidy.objects.select_for_update(of=("self",)), actor, pk=pk)
    require_can(actor, action, subsidy)  # 403 role or one's own entry, 404 geography, 409 decided already
    cases.transition(
        subsidy, action, actor=actor, note=note, changes={"decided_by": actor, "decided_at": timezone.now()}
    )
    return subsidy


@transaction.atomic
def subsidy_approve(*, actor: User, subsidy: OperatingSubsidy | int, note: str = "") -> OperatingSubsidy:
    """Approve a subsidy another member of staff entered: a run of ``elderly_operating`` for its month pays it."""
    return _decide(actor, subsidy, "approve", note)


@transaction.atomic
def subsidy_refuse(*, actor: User, subsidy: OperatingSubsidy | int, note: str = "") -> OperatingSubsidy:
    """Refuse a subsidy another member of staff entered: it is never paid."""
    return _decide(actor, subsidy, "refuse", note)


@transaction.atomic
def subsidy_correct_account(
    *, actor: User, subsidy: OperatingSubsidy | int, bank: str, account: str, reason: str
) -> OperatingSubsidy:
    """Propose a new bank and account for an approved subsidy, with the reason (required).

    Money to a new account takes four eyes (``elderly.permissions``): proposed by one with the power to
    approve or a finance officer, never the one who entered the subsidy; the subsidy keeps its account
    until a finance officer who did not propose it confirms (``account_correction_confirm``). Refused
    (409) for a subsidy not approved, with a proposal already open, or whose payment is in a bank file
    already sent to the bank. The proposal and its reason are in the subsidy's case log (account masked).
    """
    pk = subsidy.pk if isinstance(subsidy, OperatingSubsidy) else subsidy
    subsidy = get_in_scope(OperatingSubsidy.objects.select_for_update(of=("self",)), actor, pk=pk)
    require_can(actor, SUBSIDY_CORRECT_ACCOUNT, subsidy)  # 403 role or own entry, 404 geography, 409 state
    bank = _text(bank, 60, "bank", required=True)
    account = _account(account, "account")
    reason = _text(reason, 500, "reason", required=True)
    if bank == subsidy.bank_name and account == subsidy.bank_account:
        raise InvalidInput(_("This is the account the subsidy is paid to already."), field="account")
    with audit_context(actor, via="elderly", action=SUBSIDY_CORRECT_ACCOUNT):
        correction = AccountCorrection.objects.create(
            subsidy=subsidy, bank_name=bank, bank_account=account, reason=reason, proposed_by=actor
        )
    cases._event(
        subsidy,
        action=SUBSIDY_CORRECT_ACCOUNT,
        from_state=subsidy.status,
        to_state=subsidy.status,
        actor=actor,
        note=_("New account proposed: %(bank)s %(account)s. %(reason)s")
        % {"bank": bank, "account": correction.bank_account_masked, "reason": reason},
    )
    return subsidy


def _open_correction(actor: User, subsidy: OperatingSubsidy | int) -> tuple[OperatingSubsidy, AccountCorrection]:
    pk = subsidy.pk if isinstance(subsidy, OperatingSubsidy) else subsidy
    subsidy = get_in_scope(OperatingSubsidy.objects.select_for_update(of=("self",)), actor, pk=pk)
    correction = (
        AccountCorrection.objects.select_for_update(of=("self",))
        .filter(subsidy=subsidy, status=CorrectionStatus.PROPOSED)
        .first()
    )
    if correction is None:
        raise Conflict(_("No correction of this subsidy's account is waiting for confirmation."), code="no_correction")
    correction.subsidy = subsidy
    return subsidy, correction


@transaction.atomic
def account_correction_confirm(*, actor: User, subsidy: OperatingSubsidy | int, note: str = "") -> OperatingSubsidy:
    """Confirm the open proposal: the subsidy is paid to the new account from now on (a failed payment is
    re-paid to it by a follow-up run, one not yet in a bank file by its run). A finance officer who neither
    proposed it nor entered the subsidy; refused while the payment is in a bank file already sent."""
    subsidy, correction = _open_correction(actor, subsidy)
    require_can(actor, "confirm", correction)  # 403 role, proposer or entrant; 409 sent to the bank
    note = _text(note, 500, "note")
    source = subsidy.status
    subsidy.bank_name = correction.bank_name
    subsidy.bank_account = correction.bank_account
    with audit_context(actor, via="elderly", action=SUBSIDY_CORRECT_ACCOUNT):
        subsidy.save(update_fields=["bank_name", "bank_account"])
        cases.transition(
            correction, "confirm", actor=actor, note=note, changes={"decided_by": actor, "decided_at": timezone.now()}
        )
    cases._event(
        subsidy,
        action=SUBSIDY_CONFIRM_ACCOUNT,
        from_state=source,
        to_state=source,
        actor=actor,
        note=note or correction.reason,
    )
    return subsidy


@transaction.atomic
def account_correction_reject(*, actor: User, subsidy: OperatingSubsidy | int, note: str) -> OperatingSubsidy:
    """Reject the open proposal (the reason is required): the subsidy keeps its account."""
    subsidy, correction = _open_correction(actor, subsidy)
    require_can(actor, "reject", correction)
    note = _text(note, 500, "note", required=True)
    cases.transition(
        correction, "reject", actor=actor, note=note, changes={"decided_by": actor, "decided_at": timezone.now()}
    )
    cases._event(
        subsidy,
        action=SUBSIDY_REJECT_ACCOUNT,
        from_state=subsidy.status,
        to_state=subsidy.status,
        actor=actor,
        note=note,
    )
    return subsidy

"""Every write to the social-organization registry. Keyword-only, one transaction, the actor named."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_context
from core.errors import Conflict, InvalidInput, NotFound
from core.idnumbers import normalize_credit_code
from core.models import Division, DivisionLevel, User
from core.permissions import require_can
from core.scoping import division_in_scope, get_in_scope
from social_orgs.models import (
    AnnualInspection,
    ApprovalBody,
    CaseOutcome,
    CaseSource,
    CaseStatus,
    CaseTransition,
    CommunityCategory,
    CommunityOrg,
    Decoupling,
    DecouplingProgress,
    DecouplingStep,
    EnforcementCase,
    FeeStandard,
    FeeStatus,
    FilingStatus,
    ImportBatch,
    ImportStatus,
    InspectionResult,
    Level,
    OrgStatus,
    OrgType,
    SocialOrg,
    StatusChange,
)

CITY_CODE = "370200"

# The allowed moves of each kind of record: one map each, one function that moves.
ORG_TRANSITIONS: dict[str, frozenset[str]] = {
    "": frozenset({OrgStatus.REGISTERED}),
    OrgStatus.REGISTERED: frozenset({OrgStatus.DEREGISTERED, OrgStatus.REVOKED}),
    OrgStatus.DEREGISTERED: frozenset(),
    OrgStatus.REVOKED: frozenset(),
}
FEE_TRANSITIONS: dict[str, frozenset[str]] = {
    FeeStatus.PROPOSED: frozenset({FeeStatus.APPROVED}),
    FeeStatus.APPROVED: frozenset({FeeStatus.REPEALED}),
    FeeStatus.REPEALED: frozenset(),
}
CASE_TRANSITIONS: dict[str, frozenset[str]] = {
    "": frozenset({CaseStatus.REPORTED}),
    CaseStatus.REPORTED: frozenset({CaseStatus.INVESTIGATING, CaseStatus.DISMISSED}),
    CaseStatus.INVESTIGATING: frozenset({CaseStatus.CONCLUDED, CaseStatus.DISMISSED}),
    CaseStatus.CONCLUDED: frozenset(),
    CaseStatus.DISMISSED: frozenset(),
}


def _refuse_move(label, from_status: str, to_status: str) -> None:
    raise Conflict(
        _("%(what)s cannot move from %(from)s to %(to)s.")
        % {"what": label, "from": from_status or "—", "to": to_status},
        code="invalid_transition",
    )


def _check_move(transitions: dict[str, frozenset[str]], label, from_status: str, to_status: str) -> None:
    if to_status not in transitions.get(from_status or "", frozenset()):
        _refuse_move(label, from_status, to_status)


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


def _text(value, limit: int, field: str, *, required: bool = False) -> str:
    value = str(value or "").strip()
    if required and not value:
        raise InvalidInput(_("This field is required."), field=field)
    if len(value) > limit:
        raise InvalidInput(
            _("At most %(limit)d characters (this has %(count)d).") % {"limit": limit, "count": len(value)},
            field=field,
        )
    return value


def _past_date(value, field: str, today: datetime.date, *, required: bool = True) -> datetime.date | None:
    if value in (None, ""):
        if required:
            raise InvalidInput(_("This field is required."), field=field)
        return None
    if isinstance(value, datetime.datetime):
        value = value.date()
    if not isinstance(value, datetime.date):
        try:
            value = datetime.date.fromisoformat(str(value).strip()[:10])
        except ValueError:
            raise InvalidInput(_("A date is written YYYY-MM-DD."), field=field) from None
    if value > today:
        raise InvalidInput(_("The date cannot be in the future."), field=field)
    if value.year < 1949:
        raise InvalidInput(_("The date is too early."), field=field)
    return value


# --- The registry ----------------------------------------------------------------------------


@dataclass(frozen=True)
class OrgValues:
    """An organization's fields, checked: the one validation the form, the API and the import share."""

    name: str
    credit_code: str
    org_type: str
    level: str
    division: Division
    legal_representative: str
    supervising_unit: str
    founded_on: datetime.date
    address: str
    business_scope: str
    registered_capital: Decimal | None
    is_industry_association: bool


def _authority(actor: User, level: str, division: str | Division | None) -> Division:
    if level == Level.CITY:
        code = CITY_CODE
    else:
        code = division.code if isinstance(division, Division) else str(division or "").strip()
        own = actor.division_id or ""
        if not code and len(own) == 6 and not own.endswith("00"):
            code = own
        if not code:
            raise InvalidInput(_("Choose the district whose bureau registers the organization."), field="division")
    authority = Division.objects.filter(code=code, active=True).first()
    expected = DivisionLevel.CITY if level == Level.CITY else DivisionLevel.DISTRICT
    if authority is None or authority.level != expected:
        raise InvalidInput(_("Choose a district code for a district-level organization."), field="division")
    if not division_in_scope(actor, authority.code):
        field = "level" if level == Level.CITY else "division"
        raise InvalidInput(_("This registering authority is outside your area."), field=field)
    return authority


def clean_org_values(
    *,
    actor: User,
    name,
    credit_code,
    org_type,
    level,
    legal_representative,
    founded_on,
    division=None,
    supervising_unit="",
    address="",
    business_scope="",
    registered_capital=None,
    is_industry_association=False,
    today: datetime.date | None = None,
) -> OrgValues:
    """Check an organization's fields; raise ``InvalidInput`` naming the first bad field."""
    try:
        code = normalize_credit_code(str(credit_code or ""))
    except ValidationError as exc:
        raise InvalidInput(exc.messages[0], field="credit_code") from None
    if org_type not in OrgType.values:
        raise InvalidInput(_("Choose a social group, a social service organization or a foundation."), field="org_type")
    if level not in Level.values:
        raise InvalidInput(_("Choose city or district level."), field="level")
    capital = None
    if registered_capital not in (None, ""):
        try:
            capital = Decimal(str(registered_capital)).quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            raise InvalidInput(_("Enter an amount such as 30000.00."), field="registered_capital") from None
        if capital < 0 or capital >= Decimal("1e12"):
            raise InvalidInput(_("Enter an amount such as 30000.00."), field="registered_capital")
    association = bool(is_industry_association)
    if association and org_type != OrgType.GROUP:
        raise InvalidInput(_("An industry association is a social group."), field="is_industry_association")
    return OrgValues(
        name=_text(name, 100, "name", required=True),
        credit_code=code,
        org_type=org_type,
        level=level,
        division=_authority(actor, level, division),
        legal_representative=_text(legal_representative, 50, "legal_representative", required=True),
        supervising_unit=_text(supervising_unit, 100, "supervising_unit"),
        founded_on=_past_date(founded_on, "founded_on", _today(today)),
        address=_text(address, 200, "address"),
        business_scope=_text(business_scope, 500, "business_scope"),
        registered_capital=capital,
        is_industry_association=association,
    )


def _duplicate_code() -> Conflict:
    return Conflict(
        _("An organization with this unified social credit code is already registered."), code="duplicate_credit_code"
    )


def _record_status(org: SocialOrg, *, from_status: str, to_status: str, on, reason: str, actor: User) -> None:
    StatusChange.objects.create(
        org=org, from_status=from_status, to_status=to_status, on=on, reason=reason[:500], actor=actor
    )


@transaction.atomic
def social_org_register(*, actor: User, values: OrgValues) -> SocialOrg:
    """Register an organization. A credit code already in the registry is refused (409)."""
    require_can(actor, "create", SocialOrg)
    if SocialOrg.objects.filter(credit_code=values.credit_code).exists():
        raise _duplicate_code()
    org = SocialOrg(
        **{k: getattr(values, k) for k in OrgValues.__dataclass_fields__},
        status=OrgStatus.REGISTERED,
        status_since=values.founded_on,
        created_by=actor,
    )
    try:
        with transaction.atomic(), audit_context(actor, via="social_orgs"):
            org.save()
            _record_status(
                org, from_status="", to_status=OrgStatus.REGISTERED, on=values.founded_on, reason="", actor=actor
            )
    except IntegrityError:
        raise _duplicate_code() from None  # a concurrent registration of the same code won
    return org


@transaction.atomic
def social_org_update(*, actor: User, org: SocialOrg | int, values: OrgValues) -> SocialOrg:
    """Correct an organization's particulars. Status changes go through ``social_org_change_status``."""
    require_can(actor, "edit", SocialOrg)
    org = get_in_scope(SocialOrg.objects.select_for_update(), actor, pk=org.pk if isinstance(org, SocialOrg) else org)
    if SocialOrg.objects.filter(credit_code=values.credit_code).exclude(pk=org.pk).exists():
        raise _duplicate_code()
    if org.is_industry_association and not values.is_industry_association and hasattr(org, "decoupling"):
        raise Conflict(_("This association is in the decoupling reform."), code="in_decoupling")
    for field in OrgValues.__dataclass_fields__:
        setattr(org, field, getattr(values, field))
    try:
        with transaction.atomic(), audit_context(actor, via="social_orgs"):
            org.save()
    except IntegrityError:
        raise _duplicate_code() from None
    return org


@transaction.atomic
def social_org_change_status(
    *,
    actor: User,
    org: SocialOrg | int,
    to_status: str,
    on: datetime.date | None = None,
    reason: str = "",
    today: datetime.date | None = None,
) -> SocialOrg:
    """Deregister (注销) or revoke (撤销登记) an organization; recorded in its status history."""
    require_can(actor, "change_status", SocialOrg)
    org = get_in_scope(SocialOrg.objects.select_for_update(), actor, pk=org.pk if isinstance(org, SocialOrg) else org)
    if to_status not in OrgStatus.values:
        raise InvalidInput(_("Unknown status."), field="status")
    _check_move(ORG_TRANSITIONS, _("The organization"), org.status, to_status)
    on = _past_date(on or _today(today), "on", _today(today))
    if on < org.status_since:
        raise InvalidInput(_("The date is before the organization's current status began."), field="on")
    reason = _text(reason, 500, "reason")
    if to_status == OrgStatus.REVOKED and not reason:
        raise InvalidInput(_("Give the grounds for revoking the registration."), field="reason")
    from_status = org.status
    org.status = to_status
    org.status_since = on
    with audit_context(actor, via="social_orgs"):
        org.save(update_fields=["status", "status_since", "updated_at"])
        _record_status(org, from_status=from_status, to_status=to_status, on=on, reason=reason, actor=actor)
    return org


def _org_in_scope(actor: User, org: SocialOrg | int, *, field: str = "org", lock: bool = False) -> SocialOrg:
    qs = SocialOrg.objects.select_for_update() if lock else SocialOrg.objects.all()
    try:
        return get_in_scope(qs, actor, pk=org.pk if isinstance(org, SocialOrg) else org)
    except NotFound:
        raise InvalidInput(_("Organization not found."), field=field) from None


# --- Annual inspection -----------------------------------------------------------------------


@transaction.atomic
def annual_inspection_record(
    *,
    actor: User,
    org: SocialOrg | int,
    year: int,
    result: str,
    concluded_on: datetime.date | None = None,
    submitted_on: datetime.date | None = None,
    note: str = "",
    today: datetime.date | None = None,
) -> tuple[AnnualInspection, bool]:
    """Record (or correct) the result of an organization's annual inspection for a year."""
    require_can(actor, "inspect", SocialOrg)
    today = _today(today)
    org = _org_in_scope(actor, org, lock=True)
    if result not in InspectionResult.values:
        raise InvalidInput(_("Choose the inspection result."), field="result")
    if not org.founded_on.year <= year <= today.year:
        raise InvalidInput(
            _("An inspection covers a year from the organization's founding to last year."), field="year"
        )
    if org.status != OrgStatus.REGISTERED and org.status_since.year <= year:
        raise Conflict(_("The organization was no longer registered that year."), code="not_registered")
    concluded_on = _past_date(concluded_on or today, "concluded_on", today)
    submitted_on = _past_date(submitted_on, "submitted_on", today, required=False)
    if result == InspectionResult.NOT_SUBMITTED and submitted_on:
        raise InvalidInput(_("A report was submitted: choose the result."), field="result")
    if submitted_on and submitted_on > concluded_on:
        raise InvalidInput(_("The report comes before the conclusion."), field="submitted_on")
    with audit_context(actor, via="social_orgs"):
        inspection, created = AnnualInspection.objects.update_or_create(
            org=org,
            year=year,
            defaults={
                "result": result,
                "concluded_on": concluded_on,
                "submitted_on": submitted_on,
                "note": _text(note, 500, "note"),
                "inspector": actor,
            },
        )
    return inspection, created


# --- Fee standards ---------------------------------------------------------------------------


def _association(actor: User, org: SocialOrg | int) -> SocialOrg:
    org = _org_in_scope(actor, org, lock=True)
    if not org.is_industry_association:
        raise Conflict(_("Only an industry association has membership-fee standards here."), code="not_an_association")
    if org.status != OrgStatus.REGISTERED:
        raise Conflict(_("The organization is no longer registered."), code="not_registered")
    return org


@transaction.atomic
def fee_standard_propose(
    *,
    actor: User,
    org: SocialOrg | int,
    member_grade: str,
    amount: Decimal,
    effective_from: datetime.date,
    note: str = "",
) -> FeeStandard:
    require_can(actor, "propose_fee", SocialOrg)
    org = _association(actor, org)
    grade = _text(member_grade, 50, "member_grade", required=True)
    try:
        amount = Decimal(str(amount)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise InvalidInput(_("Enter an amount such as 3000.00."), field="amount") from None
    if amount < 0 or amount >= Decimal("1e10"):
        raise InvalidInput(_("Enter an amount such as 3000.00."), field="amount")
    if effective_from is None:
        raise InvalidInput(_("This field is required."), field="effective_from")
    with audit_context(actor, via="social_orgs"):
        return FeeStandard.objects.create(
            org=org,
            member_grade=grade,
            amount=amount,
            effective_from=effective_from,
            note=_text(note, 500, "note"),
            created_by=actor,
        )


@transaction.atomic
def fee_standard_approve(
    *,
    actor: User,
    fee: FeeStandard | int,
    approval_body: str,
    approved_on: datetime.date,
    votes_for: int,
    votes_present: int,
    today: datetime.date | None = None,
) -> FeeStandard:
    """File the assembly's approval. A fee standard is decided by the (representative) assembly, by two thirds."""
    require_can(actor, "decide", FeeStandard)
    pk = fee.pk if isinstance(fee, FeeStandard) else fee
    fee = get_in_scope(FeeStandard.objects.select_for_update(of=("self",)), actor, pk=pk)
    _check_move(FEE_TRANSITIONS, _("The fee standard"), fee.status, FeeStatus.APPROVED)
    if approval_body not in ApprovalBody.values:
        raise InvalidInput(
            _("A fee standard is approved by the members' (representative) assembly."), field="approval_body"
        )
    approved_on = _past_date(approved_on, "approved_on", _today(today))
    if not votes_present or votes_for is None or votes_for > votes_present:
        raise InvalidInput(_("Give the votes for and the members present."), field="votes_for")
    if votes_for * 3 < votes_present * 2:
        raise Conflict(
            _("%(for)d of %(present)d is less than the two thirds a fee standard needs.")
            % {"for": votes_for, "present": votes_present},
            code="not_enough_votes",
        )
    if FeeStandard.objects.filter(
        org_id=fee.org_id, member_grade=fee.member_grade, effective_from=fee.effective_from, status=FeeStatus.APPROVED
    ).exists():
        raise Conflict(_("An approved standard for this grade and date exists; repeal it first."), code="duplicate")
    fee.status = FeeStatus.APPROVED
    fee.approval_body = approval_body
    fee.approved_on = approved_on
    fee.votes_for = votes_for
    fee.votes_present = votes_present
    with audit_context(actor, via="social_orgs"):
        fee.save()
    return fee


@transaction.atomic
def fee_standard_repeal(
    *, actor: User, fee: FeeStandard | int, on: datetime.date | None = None, today: datetime.date | None = None
) -> FeeStandard:
    require_can(actor, "decide", FeeStandard)
    pk = fee.pk if isinstance(fee, FeeStandard) else fee
    fee = get_in_scope(FeeStandard.objects.select_for_update(of=("self",)), actor, pk=pk)
    _check_move(FEE_TRANSITIONS, _("The fee standard"), fee.status, FeeStatus.REPEALED)
    fee.status = FeeStatus.REPEALED
    fee.repealed_on = _past_date(on or _today(today), "on", _today(today))
    with audit_context(actor, via="social_orgs"):
        fee.save()
    return fee


# --- Decoupling ------------------------------------------------------------------------------


@transaction.atomic
def decoupling_enrol(
    *, actor: User, org: SocialOrg | int, administrative_organ: str, in_scope: bool = True, batch: str = ""
) -> Decoupling:
    """Put an industry association in the decoupling reform, naming the organ it separates from."""
    require_can(actor, "decouple", SocialOrg)
    org = _association(actor, org)
    if Decoupling.objects.filter(org=org).exists():
        raise Conflict(_("This association is already in the decoupling reform."), code="duplicate")
    with audit_context(actor, via="social_orgs"):
        return Decoupling.objects.create(
            org=org,
            administrative_organ=_text(administrative_organ, 100, "administrative_organ", required=True),
            in_scope=in_scope,
            batch=_text(batch, 30, "batch"),
            created_by=actor,
        )


@transaction.atomic
def decoupling_complete_step(
    *,
    actor: User,
    decoupling: Decoupling | int,
    step: str,
    completed_on: datetime.date | None = None,
    note: str = "",
    today: datetime.date | None = None,
) -> Decoupling:
    """Record one of the five separations as done; the decoupling completes with the last of them."""
    require_can(actor, "decouple", SocialOrg)
    pk = decoupling.pk if isinstance(decoupling, Decoupling) else decoupling
    decoupling = get_in_scope(Decoupling.objects.select_for_update(of=("self",)), actor, pk=pk)
    if step not in DecouplingStep.values:
        raise InvalidInput(_("Unknown step."), field="step")
    if DecouplingProgress.objects.filter(decoupling=decoupling, step=step).exists():
        raise Conflict(_("This step is already recorded as done."), code="duplicate")
    completed_on = _past_date(completed_on or _today(today), "completed_on", _today(today))
    with audit_context(actor, via="social_orgs"):
        DecouplingProgress.objects.create(
            decoupling=decoupling,
            step=step,
            completed_on=completed_on,
            note=_text(note, 500, "note"),
            recorded_by=actor,
        )
        dates = list(DecouplingProgress.objects.filter(decoupling=decoupling).values_list("completed_on", flat=True))
        if len(dates) == len(DecouplingStep.values):
            decoupling.completed_on = max(dates)
            decoupling.save(update_fields=["completed_on", "updated_at"])
    return decoupling


# --- Community social organizations ----------------------------------------------------------


@transaction.atomic
def community_org_file(
    *,
    actor: User,
    community: str | Division,
    name: str,
    category: str,
    person_in_charge: str,
    phone: str = "",
    members_count: int = 0,
    filed_on: datetime.date | None = None,
    note: str = "",
    today: datetime.date | None = None,
) -> CommunityOrg:
    """File (备案) a community social organization with its community."""
    require_can(actor, "create", CommunityOrg)
    code = community.code if isinstance(community, Division) else str(community or "")
    division = Division.objects.filter(code=code, level=DivisionLevel.COMMUNITY, active=True).first()
    if division is None or not division_in_scope(actor, division.code):
        raise InvalidInput(_("Choose a community inside your area."), field="community")
    if category not in CommunityCategory.values:
        raise InvalidInput(_("Choose the category."), field="category")
    name = _text(name, 100, "name", required=True)
    phone = (phone or "").replace(" ", "").replace("-", "")
    if phone and (not (phone.isascii() and phone.isdigit()) or len(phone) > 20):
        raise InvalidInput(_("A phone number has digits only."), field="phone")
    if members_count is None or members_count < 0:
        raise InvalidInput(_("Enter the number of members."), field="members_count")
    if CommunityOrg.objects.filter(community=division, name=name, status=FilingStatus.FILED).exists():
        raise Conflict(_("An organization of this name is already filed in the community."), code="duplicate_name")
    try:
        with transaction.atomic(), audit_context(actor, via="social_orgs"):
            return CommunityOrg.objects.create(
                community=division,
                name=name,
                category=category,
                person_in_charge=_text(person_in_charge, 50, "person_in_charge", required=True),
                phone=phone,
                members_count=members_count,
                filed_on=_past_date(filed_on or _today(today), "filed_on", _today(today)),
                note=_text(note, 500, "note"),
                created_by=actor,
            )
    except IntegrityError:
        raise Conflict(
            _("An organization of this name is already filed in the community."), code="duplicate_name"
        ) from None


@transaction.atomic
def community_org_revoke(
    *, actor: User, org: CommunityOrg | int, note: str, today: datetime.date | None = None
) -> CommunityOrg:
    require_can(actor, "revoke", CommunityOrg)
    pk = org.pk if isinstance(org, CommunityOrg) else org
    org = get_in_scope(CommunityOrg.objects.select_for_update(), actor, pk=pk)
    require_can(actor, "revoke", org)  # 409 when already revoked
    org.status = FilingStatus.REVOKED
    org.revoked_on = _today(today)
    org.note = _text(note, 500, "note", required=True)
    with audit_context(actor, via="social_orgs"):
        org.save()
    return org


# --- Enforcement -----------------------------------------------------------------------------


def _case_move(case: EnforcementCase, to_status: str, *, actor: User, note: str) -> None:
    from_status = case.status or ""
    _check_move(CASE_TRANSITIONS, _("The case"), from_status, to_status)
    case.status = to_status
    with audit_context(actor, via="social_orgs"):
        case.save()
        CaseTransition.objects.create(
            case=case, from_status=from_status, to_status=to_status, actor=actor, note=note[:1000]
        )


@transaction.atomic
def enforcement_case_open(
    *,
    actor: User,
    target_name: str,
    source: str,
    summary: str,
    reported_on: datetime.date | None = None,
    division: str | Division | None = None,
    org: SocialOrg | int | None = None,
    today: datetime.date | None = None,
) -> EnforcementCase:
    """Open a case on a report of an illegal organization (or a registered one acting unlawfully)."""
    require_can(actor, "create", EnforcementCase)
    code = division.code if isinstance(division, Division) else str(division or actor.division_id)
    handler = Division.objects.filter(code=code, level__in=[DivisionLevel.CITY, DivisionLevel.DISTRICT]).first()
    if handler is None or not division_in_scope(actor, handler.code):
        raise InvalidInput(_("Choose a bureau inside your area."), field="division")
    if source not in CaseSource.values:
        raise InvalidInput(_("Choose the source of the case."), field="source")
    concerned = _org_in_scope(actor, org) if org else None
    case = EnforcementCase(
        division=handler,
        target_name=_text(target_name, 100, "target_name", required=True),
        org=concerned,
        source=source,
        reported_on=_past_date(reported_on or _today(today), "reported_on", _today(today)),
        summary=_text(summary, 1000, "summary", required=True),
        created_by=actor,
    )
    _case_move(case, CaseStatus.REPORTED, actor=actor, note=case.summary)
    return case


def _locked_case(actor: User, case: EnforcementCase | int) -> EnforcementCase:
    pk = case.pk if isinstance(case, EnforcementCase) else case
    return get_in_scope(EnforcementCase.objects.select_for_update(of=("self",)), actor, pk=pk)


@transaction.atomic
def enforcement_case_investigate(*, actor: User, case: EnforcementCase | int, note: str = "") -> EnforcementCase:
    require_can(actor, "act", EnforcementCase)
    case = _locked_case(actor, case)
    _case_move(case, CaseStatus.INVESTIGATING, actor=actor, note=_text(note, 1000, "note"))
    return case


@transaction.atomic
def enforcement_case_conclude(
    *,
    actor: User,
    case: EnforcementCase | int,
    outcome: str,
    outcome_note: str,
    concluded_on: datetime.date | None = None,
    today: datetime.date | None = None,
) -> EnforcementCase:
    """Conclude with an outcome (banned, ordered to stop, dissolved, transferred, penalised)."""
    require_can(actor, "act", EnforcementCase)
    case = _locked_case(actor, case)
    _check_move(CASE_TRANSITIONS, _("The case"), case.status, CaseStatus.CONCLUDED)
    if outcome not in CaseOutcome.values:
        raise InvalidInput(_("Choose the outcome."), field="outcome")
    case.outcome = outcome
    case.outcome_note = _text(outcome_note, 1000, "outcome_note", required=True)
    case.concluded_on = _past_date(concluded_on or _today(today), "concluded_on", _today(today))
    if case.concluded_on < case.reported_on:
        raise InvalidInput(_("The case concludes after it was reported."), field="concluded_on")
    _case_move(case, CaseStatus.CONCLUDED, actor=actor, note=case.outcome_note)
    return case


@transaction.atomic
def enforcement_case_dismiss(
    *, actor: User, case: EnforcementCase | int, note: str, today: datetime.date | None = None
) -> EnforcementCase:
    """Close a case that turned out not to be a violation."""
    require_can(actor, "act", EnforcementCase)
    case = _locked_case(actor, case)
    note = _text(note, 1000, "note", required=True)
    case.concluded_on = _today(today)
    _case_move(case, CaseStatus.DISMISSED, actor=actor, note=note)
    return case


# --- Spreadsheet import ----------------------------------------------------------------------


@transaction.atomic
def social_org_import_preview(*, actor: User, file_name: str, content: bytes) -> ImportBatch:
    """Read an uploaded registry spreadsheet and try every row without keeping anything: the preview."""
    from import_export.results import RowResult

    from social_orgs.resources import SocialOrgResource, import_errors, read_table

    require_can(actor, "create", ImportBatch)
    dataset = read_table(file_name, content)
    result = SocialOrgResource(actor=actor).import_data(dataset, dry_run=True, use_transactions=True)
    errors = import_errors(result, dataset)
    with audit_context(actor, via="social_orgs.import"):
        return ImportBatch.objects.create(
            division=actor.division,
            file_name=(file_name or "")[:200],
            content=content,
            status=ImportStatus.REJECTED if errors else ImportStatus.PREVIEWED,
            rows=len(dataset),
            to_create=result.totals[RowResult.IMPORT_TYPE_NEW],
            to_update=result.totals[RowResult.IMPORT_TYPE_UPDATE],
            errors=errors,
            created_by=actor,
        )


@transaction.atomic
def social_org_import_commit(*, actor: User, batch: ImportBatch | int) -> ImportBatch:
    """Write a previewed import: every row or, if any row now fails, none (the batch is then rejected)."""
    from import_export.results import RowResult

    from social_orgs.resources import SocialOrgResource, import_errors, read_table

    require_can(actor, "commit", ImportBatch)
    pk = batch.pk if isinstance(batch, ImportBatch) else batch
    batch = get_in_scope(ImportBatch.objects.select_for_update(), actor, pk=pk)
    if batch.status != ImportStatus.PREVIEWED:
        raise Conflict(
            _("Only a previewed import without errors can be written (this one is %(status)s).")
            % {"status": batch.get_status_display()},
            code="invalid_transition",
        )
    dataset = read_table(batch.file_name, bytes(batch.content))
    result = SocialOrgResource(actor=actor).import_data(
        dataset, dry_run=False, use_transactions=True, rollback_on_validation_errors=True
    )
    errors = import_errors(result, dataset)
    if errors:
        batch.status = ImportStatus.REJECTED  # the rows' writes were rolled back with their savepoint
        batch.errors = errors
    else:
        batch.status = ImportStatus.COMMITTED
        batch.to_create = result.totals[RowResult.IMPORT_TYPE_NEW]
        batch.to_update = result.totals[RowResult.IMPORT_TYPE_UPDATE]
        batch.committed_by = actor
        batch.committed_at = timezone.now()
    with audit_context(actor, via="social_orgs.import"):
        batch.save()
    return batch

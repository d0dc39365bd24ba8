"""Every write of the residents' side: codes, sign-in, applications. Keyword-only, one transaction."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import DomainError, InvalidInput
from residents import sms
from residents.auth import token_issue
from residents.models import LoginCode, PhoneLock, Resident, ResidentEvent, ResidentEventKind

PHONE_RE = re.compile(r"^1[3-9][0-9]{9}$")
CODE_LENGTH = 6


class TooManyRequests(DomainError):
    """Over a limit (codes per hour, a locked phone): HTTP 429 ``{"detail"}``."""

    status_code = 429
    default_code = "too_many_requests"
    default_message = gettext_lazy("Too many attempts; try again later.")


class NotSent(DomainError):
    status_code = 503
    default_code = "sms_not_sent"
    default_message = gettext_lazy("The text message could not be sent just now; please try again in a minute.")


def clean_phone(phone) -> str:
    phone = re.sub(r"[\s-]", "", str(phone or ""))
    if phone.startswith("+86"):
        phone = phone[3:]
    if not PHONE_RE.match(phone):
        raise InvalidInput(_("Enter a mobile phone number of 11 digits (it begins with 1)."), field="phone")
    return phone


def _code_hash(phone: str, code: str) -> str:
    return salted_hmac("residents.LoginCode", f"{phone}:{code}", algorithm="sha256").hexdigest()


def _lock_phone(phone: str) -> None:
    """Serialise everything about one phone (codes sent, codes tried) for this transaction."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"residents.phone:{phone}"])


def _event(kind: str, phone: str, ip_address: str | None) -> None:
    ResidentEvent.objects.create(kind=kind, phone=phone, ip_address=ip_address)


def _locked_message(until) -> str:
    minutes = max(1, int((until - timezone.now()).total_seconds() // 60) + 1)
    return _("Too many wrong codes: this phone can sign in again in %(minutes)d minutes.") % {"minutes": minutes}


def _lock_address(ip_address: str) -> None:
    """Serialise the code requests of one client address for this transaction (taken before the phone's)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"residents.address:{ip_address}"])


def code_request(*, phone: str, ip_address: str | None = None) -> None:
    """Send a one-time code to ``phone``: at most ``RESIDENT_CODES_PER_HOUR`` an hour to one phone and
    ``RESIDENT_CODES_PER_ADDRESS_HOUR`` an hour from one client address, any phones (429 beyond either).

    Both limits count in the database, in one transaction with the new code, under PostgreSQL advisory
    locks on the address and on the phone (always in that order), so requests racing each other cannot
    pass a limit together: the phone's counts its codes (``LoginCode``), the address's the codes sent
    to it (``ResidentEvent`` ``code_sent``, which records the address).
    """
    phone = clean_phone(phone)
    now = timezone.now()
    hour_ago = now - timezone.timedelta(hours=1)
    code = "".join(secrets.choice("0123456789") for _i in range(CODE_LENGTH))
    refused = None
    with transaction.atomic():
        if ip_address:
            _lock_address(ip_address)
        _lock_phone(phone)
        sent = LoginCode.objects.filter(phone=phone, created_at__gt=hour_ago).count()
        if sent >= settings.RESIDENT_CODES_PER_HOUR:
            refused = _("At most %(count)d codes an hour can be sent to one phone; please try again later.") % {
                "count": settings.RESIDENT_CODES_PER_HOUR
            }
        elif (
            ip_address
            and ResidentEvent.objects.filter(
                kind=ResidentEventKind.CODE_SENT, ip_address=ip_address, at__gt=hour_ago
            ).count()
            >= settings.RESIDENT_CODES_PER_ADDRESS_HOUR
        ):
            refused = _(
                "Too many codes were asked for from this network in the last hour (at most %(count)d); "
                "please try again later."
            ) % {"count": settings.RESIDENT_CODES_PER_ADDRESS_HOUR}
        if refused is not None:
            _event(ResidentEventKind.CODE_REFUSED, phone, ip_address)
        else:
            LoginCode.objects.create(
                phone=phone,
                code_hash=_code_hash(phone, code),
                created_at=now,
                expires_at=now + timezone.timedelta(minutes=settings.RESIDENT_CODE_MINUTES),
            )
            _event(ResidentEventKind.CODE_SENT, phone, ip_address)
    if refused is not None:
        raise TooManyRequests(refused)
    try:
        sms.gateway().send(phone, code, sms.message_for(code))
    except sms.SmsNotSent:
        raise NotSent() from None


@dataclass(frozen=True)
class SignedIn:
    resident: Resident
    token: str | None


def _verify(phone: str, code: str, ip_address: str | None) -> tuple[Resident | None, str | None]:
    """Check the code under the phone's lock; the failure is committed before it is reported."""
    now = timezone.now()
    with transaction.atomic():
        _lock_phone(phone)
        lock, _created = PhoneLock.objects.get_or_create(phone=phone)
        if lock.locked_until is not None and lock.locked_until > now:
            _event(ResidentEventKind.LOGIN_REFUSED, phone, ip_address)
            return None, _locked_message(lock.locked_until)
        latest = LoginCode.objects.filter(phone=phone, used_at__isnull=True).order_by("-created_at", "-id").first()
        matches = latest is not None and secrets.compare_digest(latest.code_hash, _code_hash(phone, code))
        if matches and latest.expires_at > now:
            latest.used_at = now
            latest.save(update_fields=["used_at"])
            lock.failures, lock.locked_until = 0, None
            lock.save(update_fields=["failures", "locked_until"])
            resident, _created = Resident.objects.get_or_create(phone=phone)
            if not resident.is_active:
                return None, "closed"
            resident.last_login_at = now
            resident.save(update_fields=["last_login_at"])
            _event(ResidentEventKind.LOGIN, phone, ip_address)
            return resident, None
        if matches:
            return None, "expired"
        lock.failures += 1
        _event(ResidentEventKind.WRONG_CODE, phone, ip_address)
        if lock.failures >= settings.RESIDENT_CODE_FAILURE_LIMIT:
            lock.failures = 0
            lock.locked_until = now + timezone.timedelta(minutes=settings.RESIDENT_LOCK_MINUTES)
            _event(ResidentEventKind.LOCKED, phone, ip_address)
        lock.save(update_fields=["failures", "locked_until"])
        if lock.locked_until is not None and lock.locked_until > now:
            return None, "wrong_locked"  # this try is still a wrong code (400); the next ones meet the lock
        return None, "wrong"


def sign_in(*, phone: str, code: str, ip_address: str | None = None, issue_token: bool = True) -> SignedIn:
    """Exchange a phone's one-time code for its resident (made on first sign-in) and, for the API, a token.

    A wrong code counts; ``RESIDENT_CODE_FAILURE_LIMIT`` of them lock the phone for
    ``RESIDENT_LOCK_MINUTES`` (429, even with the right code). An expired code: 400, ask again.
    """
    phone = clean_phone(phone)
    code = str(code or "").strip()
    if not (code.isascii() and code.isdigit() and len(code) == CODE_LENGTH):
        raise InvalidInput(_("Enter the 6-digit code from the text message."), field="code")
    resident, problem = _verify(phone, code, ip_address)
    if problem == "expired":
        raise InvalidInput(_("This code has expired; ask for a new one."), code="code_expired", field="code")
    if problem == "wrong":
        raise InvalidInput(_("The code is not right; check the text message."), code="wrong_code", field="code")
    if problem == "wrong_locked":
        raise InvalidInput(
            _("The code is not right. After %(count)d wrong codes this phone is locked for %(minutes)d minutes.")
            % {"count": settings.RESIDENT_CODE_FAILURE_LIMIT, "minutes": settings.RESIDENT_LOCK_MINUTES},
            code="wrong_code",
            field="code",
        )
    if problem == "closed":
        raise InvalidInput(_("This account is closed."), code="closed", field="phone")
    if problem is not None:
        raise TooManyRequests(problem, code="phone_locked")
    return SignedIn(resident=resident, token=token_issue(resident=resident) if issue_token else None)


# --- Online applications ----------------------------------------------------------------------------

ONLINE_USERNAME = "online"
REASON_MAX = 2000
MEMBERS_MAX = 20


def online_actor():
    """The account what residents write is recorded under (history, case timeline, attachments).

    Like ``core.cases.system_actor``: inactive, no usable password, no role, so no capability;
    the resident's own id goes into the history context beside it.
    """
    from core.models import Division, DivisionLevel, User

    user = User.objects.filter(username=ONLINE_USERNAME).first()
    if user is not None:
        return user
    city = Division.objects.filter(level=DivisionLevel.CITY).order_by("code").first()
    user, created = User.objects.get_or_create(
        username=ONLINE_USERNAME,
        defaults={"role": "", "division": city, "is_active": False, "first_name": "居民网上申请 (online)"},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _resident_context(resident):
    from core.audit import audit_context

    return audit_context(online_actor(), resident=resident.pk, via="residents online")


def _id_number(value, *, field: str) -> str:
    from django.core.exceptions import ValidationError

    from core.idnumbers import parse_id_number

    try:
        return parse_id_number(str(value or "").strip().upper()).number
    except ValidationError as exc:
        raise InvalidInput(exc.messages[0], code="invalid_id_number", field=field) from None


def _plain(value, *, field: str, limit: int, label: str, name: bool = False, required: bool = True) -> str:
    from django.core.exceptions import ValidationError

    from core.textsafety import clean_text

    text = str(value or "").strip()
    if not text:
        if required:
            raise InvalidInput(_("Please fill in %(label)s.") % {"label": label}, field=field)
        return ""
    try:
        text = clean_text(text, name=name)
    except ValidationError as exc:
        raise InvalidInput(exc.messages[0], field=field) from None
    if len(text) > limit:
        raise InvalidInput(
            _("At most %(limit)d characters (this has %(count)d).") % {"limit": limit, "count": len(text)}, field=field
        )
    return text


@dataclass(frozen=True)
class ApplicationInput:
    kind: str
    applicant_id_number: str
    applicant_name: str
    community: str
    address: str
    area_type: str
    members: list  # [{"id_number", "name", "relationship"}]
    monthly_income: object
    reason: str
    amount: object = None
    authorized: bool | None = None  # the signed authorization of the economic-situation check


def authorization_check(authorized) -> None:
    """The applicant's signed authorization of the economic-situation check (核对授权书, domain.md
    "Dibao steps"): refused (``False``: the site's unticked box, or the API's ``false``) → 400 on
    ``authorization``. Not given at all (the API body of api.md names no such key) is not a refusal:
    the application is received with ``authorized_at`` empty and the caseworker has it signed at the
    home investigation, as with a paper application. The one check the form and the API both meet."""
    if authorized is False:
        raise InvalidInput(
            _(
                "The authorization for the economic-situation check is missing: the family's income and property "
                "must be checked, sign the authorization to apply."
            ),
            code="authorization_missing",
            field="authorization",
        )


def _members(rows, applicant_id: str) -> list[dict]:
    from people.models import Relationship

    if not isinstance(rows, list) or not rows:
        raise InvalidInput(_("List everyone in the household, the applicant too."), field="members")
    if len(rows) > MEMBERS_MAX:
        raise InvalidInput(_("At most %(count)d members.") % {"count": MEMBERS_MAX}, field="members")
    members, seen = [], set()
    for index, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            raise InvalidInput(
                _("Member %(n)d: give the ID number, name and relationship.") % {"n": index}, field="members"
            )
        try:
            number = _id_number(row.get("id_number"), field="members")
        except InvalidInput as exc:
            raise InvalidInput(
                _("Member %(n)d: %(problem)s") % {"n": index, "problem": exc.message}, field="members"
            ) from None
        if number in seen:
            raise InvalidInput(_("Member %(n)d is listed twice.") % {"n": index}, field="members")
        seen.add(number)
        name = _plain(row.get("name"), field="members", limit=50, label=_("the member's name"), name=True)
        relationship = str(row.get("relationship") or "").strip()
        if relationship not in Relationship.values:
            raise InvalidInput(
                _("Member %(n)d: choose the relationship to the head of household.") % {"n": index}, field="members"
            )
        members.append({"id_number": number, "name": name, "relationship": relationship})
    if applicant_id not in seen:
        raise InvalidInput(_("List everyone in the household, the applicant too."), field="members")
    if sum(1 for m in members if m["relationship"] == Relationship.HEAD) != 1:
        raise InvalidInput(_("Exactly one member must be the head of household."), field="members")
    return members


def _new_reference(today) -> str:
    return f"WS{today:%Y%m%d}{secrets.randbelow(1_000_000):06d}"


def application_submit(*, resident: Resident, data: ApplicationInput):
    """A resident's application, checked like the window's (ID numbers, plain text), in the community's queue."""
    from django.db import IntegrityError

    from core.cases import local_today, open_case
    from core.errors import Conflict
    from core.models import Division, DivisionLevel
    from core.money import parse_money
    from people.models import AreaType
    from residents.models import ApplicationStatus, OnlineApplication, Scheme

    if data.kind not in Scheme.values:
        raise InvalidInput(_("Choose dibao, tekun or temporary relief."), field="kind")
    applicant_id = _id_number(data.applicant_id_number, field="applicant")
    applicant_name = _plain(
        data.applicant_name, field="applicant", limit=50, label=_("the applicant's name"), name=True
    )
    community = Division.objects.filter(
        code=str(data.community or ""), level=DivisionLevel.COMMUNITY, active=True
    ).first()
    if community is None:
        raise InvalidInput(_("Choose your community."), code="invalid_community", field="community")
    address = _plain(data.address, field="address", limit=200, label=_("the address"))
    if data.area_type not in AreaType.values:
        raise InvalidInput(_("Choose urban or rural."), field="area_type")
    members = _members(data.members, applicant_id)
    income = parse_money(data.monthly_income, field="monthly_income", label=_("The monthly income"))
    reason = _plain(data.reason, field="reason", limit=REASON_MAX, label=_("the reason"))
    amount = None
    if data.kind == Scheme.TEMPORARY_RELIEF:
        if data.amount in (None, ""):
            raise InvalidInput(_("Say how much temporary relief you ask for."), field="amount")
        amount = parse_money(data.amount, field="amount", allow_zero=False, label=_("The amount asked"))
    authorization_check(data.authorized)
    if OnlineApplication.objects.filter(
        applicant_id_number=applicant_id, kind=data.kind, status=ApplicationStatus.SUBMITTED
    ).exists():
        raise Conflict(
            _("An application of this kind for this applicant is already waiting to be accepted."),
            code="already_applied",
        )
    actor = online_actor()
    for _attempt in range(5):
        try:
            with transaction.atomic(), _resident_context(resident):
                application = OnlineApplication.objects.create(
                    reference=_new_reference(local_today()),
                    resident=resident,
                    kind=data.kind,
                    applicant_id_number=applicant_id,
                    applicant_name=applicant_name,
                    community=community,
                    address=address,
                    area_type=data.area_type,
                    members=members,
                    monthly_income=income,
                    reason=reason,
                    amount=amount,
                    authorized_at=timezone.now() if data.authorized else None,
                )
                open_case(application, actor=actor)
                return application
        except IntegrityError:
            continue  # the random reference was taken: another one
    raise Conflict(_("Please submit again."), code="retry")


def _own(resident: Resident, application_id, *, lock: bool = False):
    from core.errors import NotFound
    from residents.models import OnlineApplication

    qs = OnlineApplication.objects.filter(resident=resident)
    if lock:
        qs = qs.select_for_update()
    try:
        return qs.get(pk=int(application_id))
    except (OnlineApplication.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


@transaction.atomic
def application_withdraw(*, resident: Resident, application_id, note: str = ""):
    """The resident withdraws their application while it is not decided (its case too, once accepted)."""
    from core.cases import PENDING_STATUSES, clean_note, transition
    from core.errors import Conflict
    from relief.models import ClaimStatus
    from residents.models import ApplicationStatus

    application = _own(resident, application_id, lock=True)
    note = clean_note(note) or "申请人网上撤回"
    actor = online_actor()
    with _resident_context(resident):
        if application.status == ApplicationStatus.ACCEPTED:
            case = application.case
            case = type(case).objects.select_for_update().get(pk=case.pk)
            pending = case.status in (
                (ClaimStatus.SUBMITTED, ClaimStatus.REFERRED) if application.relief_claim_id else PENDING_STATUSES
            )
            if not pending:
                raise Conflict(_("The application is already decided; it can no longer be withdrawn."), code="decided")
            # The move the window records with relief's *_withdraw services, made for the applicant.
            transition(case, "withdraw", actor=actor, note=note)
        transition(application, "withdraw", actor=actor, note=note)
    return application


def application_attach(*, resident: Resident, application_id, scan, kind: str = "", file_name: str = ""):
    """A photo or scan (already read by ``core.uploads.read_scan``) on the resident's own application."""
    from core.errors import Conflict
    from documents.models import AttachmentKind
    from documents.services import attachment_add_for_owner
    from residents.models import ApplicationStatus

    application = _own(resident, application_id)
    if application.status != ApplicationStatus.SUBMITTED:
        raise Conflict(
            _("Documents can be added only before the application is accepted; bring them to the caseworker."),
            code="not_open",
        )
    kind = kind or AttachmentKind.OTHER
    if kind not in AttachmentKind.values:
        raise InvalidInput(_("Choose what kind of document this is."), field="kind")
    with _resident_context(resident):
        return attachment_add_for_owner(
            uploader=online_actor(), record=application, scan=scan, kind=kind, file_name=file_name
        )


def read_photo(upload):
    """The one upload reader (``core.uploads.read_scan``) with the attachments' limits: PDF, JPEG or PNG."""
    from core.uploads import read_scan
    from documents.services import upload_limits

    return read_scan(upload, limits=upload_limits())


# --- Staff: accept or decline -------------------------------------------------------------------------


def _household_for(actor, application):
    """The applicant's household: matched (the applicant already belongs to one in the actor's area) or
    registered from the application's members (people already registered are reused)."""
    from core.errors import Conflict, NotFound
    from core.scoping import get_in_scope
    from people.models import Household, HouseholdMember, Person
    from people.services import MemberRow, household_register

    person = Person.objects.filter(id_number=application.applicant_id_number).first()
    membership = HouseholdMember.objects.filter(person=person).select_related("household").first() if person else None
    if membership is not None:
        try:
            return get_in_scope(Household.objects.all(), actor, pk=membership.household_id)
        except NotFound:
            raise Conflict(
                _("The applicant's household is registered outside your area; pass the application on."),
                code="outside_area",
            ) from None
    rows = [
        MemberRow(id_number=m["id_number"], name=m["name"], relationship=m["relationship"]) for m in application.members
    ]
    return household_register(
        actor=actor,
        community=application.community,
        address=application.address,
        area_type=application.area_type,
        rows=rows,
    )


def _carry_attachments(actor, application, case) -> int:
    """The resident's photos and scans, copied onto the case (the same reader checks them again)."""
    from django.core.files.base import ContentFile

    from core.uploads import read_scan
    from documents.selectors import attachments_of
    from documents.services import attachment_add, upload_limits
    from documents.storage import attachment_storage

    carried = 0
    for attachment in attachments_of(application, user=actor).order_by("uploaded_at", "pk"):
        with attachment_storage().open(attachment.file.name, "rb") as stored:
            content = stored.read()
        scan = read_scan(ContentFile(content, name=attachment.original_name), limits=upload_limits())
        attachment_add(
            actor=actor,
            record=case,
            scan=scan,
            kind=attachment.kind,
            file_name=attachment.original_name,
            note=f"网上申请 {application.reference}",
        )
        carried += 1
    return carried


@transaction.atomic
def application_accept(
    *, actor, application, care_level: str = "", placement: str = "", claim_kind: str = "", note: str = ""
):
    """Accept an online application: the household and persons created or matched, the case (dibao or
    tekun) or the temporary relief claim opened through relief's own services — the 30-working-day
    clock starts — and the resident's photos carried over. A duplicate (an open case of the scheme)
    is a 409 ``duplicate``; the claim's annual cap check is a 409 ``annual_cap_exceeded``; either way
    nothing is written."""
    from core.audit import audit_context
    from core.cases import clean_note, transition
    from core.errors import Conflict
    from core.permissions import require_can
    from core.scoping import get_in_scope
    from people.models import MeansOccasion, Person
    from people.services import household_means_record
    from relief import services as relief
    from relief.models import CareLevel, ClaimKind, Placement
    from residents import selectors
    from residents.models import OnlineApplication, Scheme

    require_can(actor, "accept", OnlineApplication)
    application = get_in_scope(OnlineApplication.objects.select_for_update(), actor, pk=application.pk)
    require_can(actor, "accept", application)
    note = clean_note(note)
    duplicate = selectors.open_case_for(application)
    if duplicate is not None:
        raise Conflict(
            _("This household already has an open %(scheme)s case (%(status)s); it cannot be accepted twice.")
            % {"scheme": application.get_kind_display(), "status": duplicate.status_label()},
            code="duplicate",
        )
    household = _household_for(actor, application)
    household_means_record(
        actor=actor,
        household=household,
        monthly_income=application.monthly_income,
        occasion=MeansOccasion.ONLINE_APPLICATION,
        note=f"网上申请 {application.reference}",
    )
    opened = f"网上申请 {application.reference}" + (f"：{note}" if note else "")
    changes = {"household": household, "decided_by": actor, "decided_at": timezone.now()}
    if application.kind == Scheme.DIBAO:
        case = relief.dibao_case_create(
            actor=actor, household=household, monthly_income=application.monthly_income, note=opened
        )
        changes["dibao_case"] = case
    elif application.kind == Scheme.TEKUN:
        person = Person.objects.get(id_number=application.applicant_id_number)
        case = relief.tekun_case_create(
            actor=actor,
            person=person,
            care_level=care_level or CareLevel.FULL,
            placement=placement or Placement.HOME,
            area_type=application.area_type,
            note=opened,
        )
        changes["tekun_case"] = case
    else:
        case = relief.temporary_relief_claim_create(
            actor=actor,
            household=household,
            amount=application.amount,
            kind=claim_kind or ClaimKind.EXPENSE,
            reason=application.reason,
            note=opened,
        )
        changes["relief_claim"] = case
    _carry_attachments(actor, application, case)
    with audit_context(actor, action="accept"):
        transition(application, "accept", actor=actor, note=note, changes=changes)
    return application


@transaction.atomic
def application_decline(*, actor, application, note: str = ""):
    """Decline an online application with the reason the resident reads (400 without one)."""
    from core.audit import audit_context
    from core.cases import clean_note, transition
    from core.permissions import require_can
    from core.scoping import get_in_scope
    from residents.models import OnlineApplication

    require_can(actor, "decline", OnlineApplication)
    application = get_in_scope(OnlineApplication.objects.select_for_update(), actor, pk=application.pk)
    require_can(actor, "decline", application)
    note = clean_note(note)
    if not note:
        raise InvalidInput(_("Say why the application is not accepted: the applicant reads it."), field="note")
    with audit_context(actor, action="decline"):
        transition(
            application,
            "decline",
            actor=actor,
            note=note,
            changes={"decline_reason": note, "decided_by": actor, "decided_at": timezone.now()},
        )
    return application

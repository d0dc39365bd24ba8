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


def code_request(*, phone: str, ip_address: str | None = None) -> None:
    """Send a one-time code to ``phone``: at most ``RESIDENT_CODES_PER_HOUR`` an hour (429 beyond).

    The count and the new code are one transaction under a PostgreSQL advisory lock on the
    phone, so requests racing each other cannot pass the limit together.
    """
    phone = clean_phone(phone)
    now = timezone.now()
    code = "".join(secrets.choice("0123456789") for _i in range(CODE_LENGTH))
    with transaction.atomic():
        _lock_phone(phone)
        sent = LoginCode.objects.filter(phone=phone, created_at__gt=now - timezone.timedelta(hours=1)).count()
        if sent >= settings.RESIDENT_CODES_PER_HOUR:
            refused = True
            _event(ResidentEventKind.CODE_REFUSED, phone, ip_address)
        else:
            refused = False
            LoginCode.objects.create(
                phone=phone,
                code_hash=_code_hash(phone, code),
                created_at=now,
                expires_at=now + timezone.timedelta(minutes=settings.RESIDENT_CODE_MINUTES),
            )
            _event(ResidentEventKind.CODE_SENT, phone, ip_address)
    if refused:
        raise TooManyRequests(
            _("At most %(count)d codes an hour can be sent to one phone; please try again later.")
            % {"count": settings.RESIDENT_CODES_PER_HOUR}
        )
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

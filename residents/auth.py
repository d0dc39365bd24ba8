"""How a resident is recognised: an API token or the resident site's session. Nothing here is staff's.

For another app's resident endpoints (the marriage bookings build on this):

* API views: ``authentication_classes = RESIDENT_AUTHENTICATION`` and
  ``permission_classes = [IsResident]`` (or subclass ``residents.apis.ResidentAPIView`` /
  ``ResidentViewSetMixin``); ``request.user`` is then a ``residents.models.Resident``.
  A staff token or a staff session there is a 401; a resident token anywhere else is a 401
  (knox does not know it), and no ``Resident`` holds a role, so no capability.
* Pages: decorate the view with ``@resident_required`` (``residents.views``); the resident is
  ``request.resident``. ``resident_login(request, resident)`` / ``resident_logout(request)``
  start and end the resident site's session (its own session keys; a session that also holds a
  staff login is never a resident's).
* Tokens: ``token_issue(resident=…)`` → the token, shown once (only its SHA-256 digest is kept),
  ending after ``RESIDENT_TOKEN_MINUTES``.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from hmac import compare_digest

from django.conf import settings
from django.contrib.auth import SESSION_KEY as STAFF_SESSION_KEY
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from rest_framework import authentication, exceptions, permissions

from residents.models import Resident, ResidentToken

TOKEN_KEYWORD = "Token"  # noqa: S105 - the header keyword, not a secret
SESSION_RESIDENT = "_resident_id"
SESSION_STARTED = "_resident_started"
SESSION_SEEN = "_resident_seen"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_issue(*, resident: Resident) -> str:
    token = secrets.token_urlsafe(32)
    ResidentToken.objects.create(
        digest=_digest(token),
        resident=resident,
        expires_at=timezone.now() + timezone.timedelta(minutes=settings.RESIDENT_TOKEN_MINUTES),
    )
    return token


class ResidentTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Token <token>`` with a resident's token (never a staff one)."""

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != TOKEN_KEYWORD.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header."))
        try:
            token = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        row = ResidentToken.objects.select_related("resident").filter(digest=_digest(token)).first()
        if row is None or not compare_digest(row.digest, _digest(token)):
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if row.expires_at <= timezone.now():
            row.delete()
            raise exceptions.AuthenticationFailed(_("This token has ended; sign in again."))
        if not row.resident.is_active:
            raise exceptions.AuthenticationFailed(_("This account is closed."))
        return row.resident, row

    def authenticate_header(self, request):
        return TOKEN_KEYWORD


def session_resident(request) -> Resident | None:
    """The resident signed in to the resident site in this session, or ``None``.

    Short sessions: ``RESIDENT_SESSION_IDLE_MINUTES`` without a request (the last request as
    recorded at most every ``SESSION_RENEW_SECONDS``), or
    ``RESIDENT_SESSION_ABSOLUTE_MINUTES`` after signing in, end it. A session that holds a staff
    login is never a resident's.
    """
    session = getattr(request, "session", None)
    if session is None or SESSION_RESIDENT not in session:
        return None
    now = time.time()
    started, seen = session.get(SESSION_STARTED, 0), session.get(SESSION_SEEN, 0)
    if (
        STAFF_SESSION_KEY in session
        or now - started > settings.RESIDENT_SESSION_ABSOLUTE_MINUTES * 60
        or now - seen > settings.RESIDENT_SESSION_IDLE_MINUTES * 60
    ):
        resident_logout(request)
        return None
    resident = Resident.objects.filter(pk=session[SESSION_RESIDENT], is_active=True).first()
    if resident is None:
        resident_logout(request)
        return None
    if now - seen >= settings.SESSION_RENEW_SECONDS:
        # Written only when a minute old (core.middleware.SessionMiddleware's granularity): a page that
        # is read again and again (the status page polled) does not write the session each time. The
        # idle timeout then counts from up to that much before the last request: earlier, never later.
        session[SESSION_SEEN] = int(now)
    return resident


def resident_login(request, resident: Resident) -> None:
    """Start the resident site's session: a fresh session (nothing of an earlier one is kept)."""
    request.session.flush()
    request.session[SESSION_RESIDENT] = resident.pk
    request.session[SESSION_STARTED] = request.session[SESSION_SEEN] = int(time.time())
    from django.middleware.csrf import rotate_token

    rotate_token(request)


def resident_logout(request) -> None:
    request.session.flush()


class ResidentSessionAuthentication(authentication.SessionAuthentication):
    """The resident site's session, for its own fetch() calls: CSRF enforced like DRF's session auth."""

    def authenticate(self, request):
        resident = session_resident(request._request)
        if resident is None:
            return None
        self.enforce_csrf(request)
        return resident, None


RESIDENT_AUTHENTICATION = [ResidentTokenAuthentication, ResidentSessionAuthentication]


class IsResident(permissions.BasePermission):
    """Only a resident (a ``Resident``, authenticated by the classes above) passes."""

    def has_permission(self, request, view) -> bool:
        if not (isinstance(request.user, Resident) and request.user.is_active):
            return False
        resident_history_context(request.user)
        return True


def resident_history_context(resident: Resident) -> None:
    """Every write of this request is the resident's in the history: ``resident=<id>`` and no staff user.

    DRF's ``request.user = resident`` makes pghistory's middleware record the resident's *id* as the
    context's staff ``user`` (it reads any model's pk), which would name the staff account of that
    id as the writer; this sets it back to none, the resident beside it (``residents.history``).
    """
    import pghistory

    pghistory.context(user=None, resident=resident.pk)


class ResidentTokenScheme(OpenApiAuthenticationExtension):
    target_class = ResidentTokenAuthentication
    name = "residentTokenAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(header_name="Authorization", token_prefix=TOKEN_KEYWORD)


class ResidentSessionScheme(OpenApiAuthenticationExtension):
    target_class = ResidentSessionAuthentication
    name = "residentSessionAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME}

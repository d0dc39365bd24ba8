"""Login throttling (django-axes, configured here) and the security log's signal receivers.

Lockout rule (settings ``AXES_*`` and ``PORTAL_ADDRESS_FAILURE_LIMIT``):
- per account: ``AXES_FAILURE_LIMIT`` failed logins within the cool-off window lock that
  account, from every address, until the cool-off has passed;
- per client address: ``PORTAL_ADDRESS_FAILURE_LIMIT`` failures from one address, whatever
  the accounts (password spraying), lock that address.
The address limit is higher than the account limit, so one account locked out from an
office's address does not lock out a colleague at the same address.

axes counts failures for each lockout parameter and compares them with one limit; the handler
below scales the per-address count by the ratio of the two limits, which gives each parameter
its own limit without changing anything else in axes.
"""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import signals as auth_signals
from django.db.models import Sum
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from core.models import SecurityEventKind


def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return _("Too many failed logins: this account or address is locked for %(minutes)d minutes.") % {
        "minutes": minutes
    }


class PortalAxesHandler(AxesDatabaseHandler):
    """axes' database handler with a separate limit per account and per client address."""

    def get_failures(self, request, credentials=None) -> int:
        account_limit = settings.AXES_FAILURE_LIMIT
        address_limit = settings.PORTAL_ADDRESS_FAILURE_LIMIT
        by_account, by_address = self.get_user_attempts(request, credentials)  # AXES_LOCKOUT_PARAMETERS order
        account = by_account.aggregate(n=Sum("failures_since_start"))["n"] or 0
        address = by_address.aggregate(n=Sum("failures_since_start"))["n"] or 0
        return max(account, address * account_limit // address_limit)

    def reset_user_attempts(self, request, credentials=None) -> int:
        """A successful login clears that account's failures only: an attacker holding one
        account must not wipe the address's count of failures against other accounts."""
        username = get_client_username(request, credentials)
        if not username:
            return 0
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return count


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """What a locked-out client sees: 429 ``{"detail"}`` on the API, the login page otherwise."""
    message = lockout_message()
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=429)
    from django.contrib.auth.forms import AuthenticationForm

    form = AuthenticationForm(request)
    return render(request, "registration/login.html", {"form": form, "lockout": message}, status=429)


def _ip(request) -> str | None:
    if request is None:
        return None
    return getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR")


def _path(request) -> str:
    return (getattr(request, "path", "") or "")[:200]


def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    from core.services import security_event_record

    username = (credentials or {}).get("username") or ""
    # axes marks a request it refused before any password was checked (the lock was already on);
    # the request that sets the lock off carries its failure count.
    refused = bool(
        request is not None
        and getattr(request, "axes_locked_out", False)
        and getattr(request, "axes_failures_since_start", None) is None
    )
    security_event_record(
        kind=SecurityEventKind.LOGIN_REFUSED if refused else SecurityEventKind.LOGIN_FAILED,
        username=str(username)[:150],
        ip_address=_ip(request),
        path=_path(request),
    )


def on_locked_out(sender, request=None, username=None, ip_address=None, **kwargs) -> None:
    from core.services import security_event_record

    if request is not None and getattr(request, "axes_failures_since_start", None) is None:
        return  # an attempt during a lock already in force: logged as a refused login
    security_event_record(
        kind=SecurityEventKind.LOCKED_OUT,
        username=str(username or "")[:150],
        ip_address=ip_address or _ip(request),
        path=_path(request),
        detail=_("cool-off %(minutes)d minutes") % {"minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)},
    )


def on_logged_in(sender, request, user, **kwargs) -> None:
    from core.middleware import mark_session_start
    from core.services import security_event_record

    if request is not None and hasattr(request, "session"):
        mark_session_start(request)
    security_event_record(
        kind=SecurityEventKind.LOGIN,
        username=user.get_username(),
        user=user,
        ip_address=_ip(request),
        path=_path(request),
    )


def on_logged_out(sender, request, user, **kwargs) -> None:
    from core.services import security_event_record

    if user is None:
        return
    security_event_record(
        kind=SecurityEventKind.LOGOUT,
        username=user.get_username(),
        user=user,
        ip_address=_ip(request),
        path=_path(request),
    )


def connect() -> None:
    auth_signals.user_login_failed.connect(on_login_failed, dispatch_uid="core.security.login_failed")
    auth_signals.user_logged_in.connect(on_logged_in, dispatch_uid="core.security.logged_in")
    auth_signals.user_logged_out.connect(on_logged_out, dispatch_uid="core.security.logged_out")
    user_locked_out.connect(on_locked_out, dispatch_uid="core.security.locked_out")


class PortalAxesBackend(AxesStandaloneBackend):
    """axes' gate before the password check. An ``authenticate()`` without a request (a shell,
    a management command, the test client's ``login``) has no client to throttle: it passes."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or behind ``PROXY_COUNT`` trusted reverse proxies the
    address the outermost of them saw (counted from the right of X-Forwarded-For, which the
    client cannot forge past its own proxy)."""
    count = settings.PROXY_COUNT
    if count > 0:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR")

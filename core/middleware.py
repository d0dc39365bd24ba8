import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve, reverse

from core.errors import DomainError


class DomainErrorMiddleware:
    """A domain error that escapes a browser view becomes the page its status means."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DomainError) or request.path.startswith("/api/"):
            return None
        if exception.status_code == 404:
            raise Http404 from exception
        if exception.status_code == 403:
            raise PermissionDenied from exception
        return render(request, "core/error.html", {"message": exception.message}, status=exception.status_code)


SESSION_STARTED_KEY = "_portal_session_started"
SESSION_RENEWED_KEY = "_portal_session_renewed"


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's session middleware, renewing an unchanged session at most every ``SESSION_RENEW_SECONDS``.

    The idle timeout is the session's expiry (``SESSION_COOKIE_AGE``) counted from its last save.
    Django's ``SESSION_SAVE_EVERY_REQUEST`` writes the session row (an ``UPDATE`` and a ``COMMIT``)
    on every request, a page that only reads included; a resident polling the status page wrote it
    every few seconds. Here a session nobody changed is saved, and its expiry renewed, only when its
    last save is ``SESSION_RENEW_SECONDS`` or more ago (the time of the save kept in the session).
    So a session ends between ``SESSION_COOKIE_AGE - SESSION_RENEW_SECONDS`` and ``SESSION_COOKIE_AGE``
    after its last request: never later than before, at most that much earlier. A changed session is
    saved at once, as Django does.
    """

    def process_response(self, request, response):
        session = getattr(request, "session", None)
        if session is not None and response.status_code < 500 and self._renew(session):
            session[SESSION_RENEWED_KEY] = int(time.time())
        return super().process_response(request, response)

    @staticmethod
    def _renew(session) -> bool:
        if session.modified:
            return not session.is_empty()  # saved anyway: the time of this save goes with it
        if session.session_key is None:
            return False  # no cookie: nothing to renew (a new session starts only when written)
        renewed = session.get(SESSION_RENEWED_KEY)  # loads the session: an unknown or ended key becomes None
        if session.session_key is None or session.is_empty():
            return False
        return renewed is None or time.time() - renewed >= settings.SESSION_RENEW_SECONDS


def mark_session_start(request) -> None:
    """Called at login (core.security): the absolute lifetime counts from here."""
    request.session[SESSION_STARTED_KEY] = int(time.time())


class SessionLifetimeMiddleware:
    """Ends a browser session ``SESSION_ABSOLUTE_HOURS`` after its login, however active it was.

    The idle timeout is the session's expiry (``SESSION_COOKIE_AGE`` renewed by ``SessionMiddleware``
    above at most every ``SESSION_RENEW_SECONDS``); this adds the upper bound the idle timeout lacks.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            started = request.session.get(SESSION_STARTED_KEY)
            limit = settings.SESSION_ABSOLUTE_SECONDS
            if started is None or time.time() - started > limit:
                from core.models import SecurityEventKind
                from core.services import security_event_record

                security_event_record(
                    kind=SecurityEventKind.SESSION_EXPIRED,
                    username=user.get_username(),
                    user=user,
                    ip_address=request.META.get("REMOTE_ADDR"),
                    path=request.path[:200],
                )
                logout(request)
        return self.get_response(request)


class PasswordChangeRequiredMiddleware:
    """A browser session whose account must change its password sees only the change page.

    Demo accounts and accounts an administrator created or reset carry ``must_change_password``.
    Pages redirect to the change form; the API (session-authenticated) answers 403 ``{"detail"}``.
    Token-authenticated API calls never reach this point with a user (DRF authenticates in the
    view), and the token endpoint itself refuses such accounts (``core.apis.TokenView``).
    """

    ALLOWED_NAMES = {"password-change", "logout", "login", "set_language"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "must_change_password", False):
            if not self._allowed(request):
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": str(password_change_required_message())}, status=403)
                return redirect_to_login(request.get_full_path(), reverse("password-change"), "next")
        return self.get_response(request)

    def _allowed(self, request) -> bool:
        if request.path.startswith(settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/static/"):
            return True
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return False
        return match.url_name in self.ALLOWED_NAMES


def password_change_required_message():
    from django.utils.translation import gettext

    return gettext("You must change your password before you go on.")


class SecurityHeadersMiddleware:
    """Headers Django does not set itself: a Permissions-Policy that turns off device access, and
    no caching of signed-in pages and API answers (they carry personal data)."""

    PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", self.PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or request.META.get("HTTP_AUTHORIZATION"):
            response["Cache-Control"] = "no-store, private"
        return response


class RequestSizeLimitMiddleware:
    """Refuses an oversized request body before anything reads it: 413, ``{"detail"}`` on the API
    (an oversized file upload there is bad input of its field: 400 ``{"file": […]}``, as api.md
    says of imports); and a NUL character in the path or query string: 400.

    Django checks ``DATA_UPLOAD_MAX_MEMORY_SIZE`` only when ``request.body``/``POST`` is read;
    DRF's parsers read the stream themselves and would not. Bodies up to
    ``DATA_UPLOAD_MAX_MEMORY_SIZE`` are accepted, multipart uploads up to ``MAX_UPLOAD_SIZE``
    (an import may refuse a smaller file itself, with its own 400).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not self._refused(request):  # nearly every request: no language negotiated, nothing translated
            return self.get_response(request)
        from django.utils import translation

        # Before LocaleMiddleware (nothing may read the body first): the refusal is said in the
        # language the request asks for (Accept-Language, the language cookie) all the same.
        with translation.override(translation.get_language_from_request(request)):
            refusal = self._refusal(request)
        return refusal if refusal is not None else self.get_response(request)

    @staticmethod
    def _length(request) -> int:
        try:
            return int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return 0

    @staticmethod
    def _has_nul(request) -> bool:
        return "\x00" in request.path or any("\x00" in v for values in request.GET.lists() for v in values[1])

    @staticmethod
    def _limit(request) -> int:
        multipart = request.META.get("CONTENT_TYPE", "").startswith("multipart/")
        return settings.MAX_UPLOAD_SIZE if multipart else settings.DATA_UPLOAD_MAX_MEMORY_SIZE

    def _refused(self, request) -> bool:
        return self._has_nul(request) or self._length(request) > self._limit(request)

    def _refusal(self, request):
        length = self._length(request)
        if self._has_nul(request):
            # PostgreSQL cannot hold a NUL in text: a search for one would fail inside the query.
            from django.utils.translation import gettext

            message = gettext("The request contains a NUL character.")
            if request.path.startswith("/api/"):
                return JsonResponse({"non_field_errors": [message]}, status=400)
            from django.http import HttpResponseBadRequest

            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        multipart = request.META.get("CONTENT_TYPE", "").startswith("multipart/")
        limit = self._limit(request)
        if length > limit:
            from django.utils.translation import gettext

            message = gettext("The request is too large (at most %(mb)d MB).") % {"mb": limit // (1024 * 1024)}
            if request.path.startswith("/api/"):
                if multipart:
                    return JsonResponse({"file": [message]}, status=400)
                return JsonResponse({"detail": message}, status=413)
            from django.http import HttpResponse

            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return None


class BrowserMethodsMiddleware:
    """Browser pages take GET, HEAD and POST (HTML forms know no other); anything else is a 405.

    One rule for every app's pages instead of a decorator on each view; the REST API and the
    admin keep their own method handling.
    """

    ALLOWED = ("GET", "HEAD", "POST", "OPTIONS")
    OWN_METHOD_HANDLING = ("/api/", "/admin/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in self.ALLOWED and not request.path.startswith(self.OWN_METHOD_HANDLING):
            from django.http import HttpResponseNotAllowed

            return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
        return self.get_response(request)


class ReadOnlyRolesMiddleware:
    """Read-only roles (leadership, auditors) change nothing through the browser: any unsafe
    method on a page is refused here, in one place, whatever a view would have done with it.

    Signing out, switching the language and changing one's own password stay open. The REST API
    authenticates tokens inside DRF, after middleware; there ``CapabilityPermission`` and the
    services refuse (a test walks every route for both).
    """

    SAFE = ("GET", "HEAD", "OPTIONS", "TRACE")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.core.exceptions import PermissionDenied
        from django.urls import reverse

        from core.roles import READ_ONLY_ROLES

        user = getattr(request, "user", None)
        if (
            request.method not in self.SAFE
            and user is not None
            and user.is_authenticated
            and getattr(user, "role", None) in READ_ONLY_ROLES
            and not request.path.startswith(("/api/", "/admin/"))  # each refuses in its own way
            and request.path not in {reverse("logout"), reverse("set_language"), reverse("password-change")}
        ):
            raise PermissionDenied
        return self.get_response(request)


class SearchByPostMiddleware:
    """Searches are posted, so an ID number typed into a search box never reaches a URL (the web
    server's access log keeps every URL, issue 22 §14).

    A search form (``role="search"``, ``method="post"``, a hidden ``_search=1``) posts its fields;
    they are kept in the session under a short random token and the browser goes to the same page
    with ``?qt=TOKEN``. A GET with ``?qt=`` reads them back into ``request.GET``, so every list
    reads its filters as before; links made from the query (pages, export) carry the token, not
    the values (``request.search_hidden``). A plain ``?q=`` still works for a bookmark or a client.
    """

    SESSION_KEY = "search_queries"
    KEEP = 20
    SKIP = ("/api/", "/admin/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(self.SKIP) or not hasattr(request, "session"):
            return self.get_response(request)
        if request.method == "POST" and request.POST.get("_search") == "1":
            return self._store(request)
        token = request.GET.get("qt") if request.method in ("GET", "HEAD") else None
        if token:
            self._restore(request, token)
        return self.get_response(request)

    def _store(self, request):
        import secrets

        from django.http import HttpResponseRedirect
        from django.middleware.csrf import CsrfViewMiddleware

        refused = CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {})
        if refused is not None:
            return refused
        values = [
            (key, value)
            for key, items in request.POST.lists()
            if key not in ("csrfmiddlewaretoken", "_search", "qt")
            for value in items
            if value != ""
        ]
        token = secrets.token_urlsafe(9)
        stored = dict(request.session.get(self.SESSION_KEY, {}))
        stored[token] = values
        request.session[self.SESSION_KEY] = dict(list(stored.items())[-self.KEEP :])
        response = HttpResponseRedirect(f"{request.path}?qt={token}")
        response.status_code = 303
        return response

    def _restore(self, request, token: str) -> None:
        from django.http import QueryDict

        values = request.session.get(self.SESSION_KEY, {}).get(token)
        if values is None:
            return
        hidden = {key for key, _value in values}
        query = QueryDict(mutable=True)
        for key, value in values:
            query.appendlist(key, value)
        for key, items in request.GET.lists():
            if key not in hidden:
                query.setlist(key, items)
        query._mutable = False
        request.GET = query
        request.search_hidden = hidden

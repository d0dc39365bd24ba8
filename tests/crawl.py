"""Walk the portal's pages as one user, through Django's test client: every link and every form it offers.

``crawl(client)`` starts at the home page, follows each same-site link it finds (a few
instances of each kind of page: URL name and query keys), and submits each POST form it
finds with the values the page put in it, inside a savepoint that is rolled back (nothing
the walk does stays). It returns what it saw: every page, and every offer that answered 403 or
whose submission the service refused as forbidden (the button should not have been shown).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

from django.contrib.messages import constants, get_messages
from django.db import transaction
from django.urls import Resolver404, resolve

# Not pages of the portal (or not a button a user takes on one): left out of the walk.
SKIP_PREFIXES = ("/logout/", "/i18n/", "/static/", "/admin/", "/api/schema/", "/media/")
SKIP_FORM_ACTIONS = ("/logout/", "/i18n/")


@dataclass
class Form:
    action: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    enctype: str = ""


class _PageParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._select_value: str | None = None
        self._select_first: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = Form(
                action=a.get("action") or "", method=(a.get("method") or "get").lower(), enctype=a.get("enctype") or ""
            )
            self.forms.append(self._form)
        elif self._form is not None and tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._form.fields.append((a["name"], a.get("value") or "on"))
            elif kind not in ("submit", "button", "file", "image", "reset"):
                self._form.fields.append((a["name"], a.get("value") or _filler(kind, a)))
        elif self._form is not None and tag == "select" and a.get("name"):
            self._select, self._select_value, self._select_first = a["name"], None, None
        elif self._select is not None and tag == "option":
            value = a.get("value", "")
            if self._select_first is None:
                self._select_first = value
            if "selected" in a:
                self._select_value = value
        elif self._form is not None and tag == "textarea" and a.get("name"):
            self._textarea, self._text = a["name"], []

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "select" and self._select is not None and self._form is not None:
            value = self._select_value if self._select_value is not None else self._select_first or ""
            self._form.fields.append((self._select, value))
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            self._form.fields.append((self._textarea, "".join(self._text) or FILLER_TEXT))
            self._textarea = None
        elif tag == "form":
            self._form = None


FILLER_TEXT = "核对说明"  # what the walk writes into an empty text box (a note, a reason) so the service is reached


def _filler(kind: str, attrs: dict) -> str:
    """A plausible value for an empty input, so that a form with a required note reaches its service."""
    if kind == "date":
        from core.cases import local_today

        return local_today().isoformat()
    if kind in ("text", "search", "") and not attrs.get("pattern"):
        return (
            FILLER_TEXT
            if attrs.get("required") is not None or (attrs.get("name") or "").endswith(("note", "reason"))
            else ""
        )
    return ""


def parse(html: str) -> _PageParser:
    parser = _PageParser()
    parser.feed(html)
    return parser


@dataclass
class Offer:
    page: str  # where it was offered
    target: str  # the link or the form's action
    method: str
    status: int
    detail: str = ""


@dataclass
class Walk:
    pages: dict[str, str] = field(default_factory=dict)  # path → html
    forbidden: list[Offer] = field(default_factory=list)
    errors: list[Offer] = field(default_factory=list)  # 500s
    posted: int = 0


def _kind(path: str) -> tuple:
    parts = urlsplit(path)
    try:
        match = resolve(parts.path)
    except Resolver404:
        return ("?", parts.path)
    keys = tuple(sorted({k for k, _v in parse_qsl(parts.query, keep_blank_values=True) if k != "page"}))
    return (match.view_name, keys)


def _same_site(href: str, base: str) -> str | None:
    if href.startswith(("mailto:", "tel:", "javascript:", "#")):
        return None
    url = urljoin(base, href)
    parts = urlsplit(url)
    if parts.netloc not in ("", "testserver"):
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    if parts.path.startswith(SKIP_PREFIXES) or "export=" in parts.query:
        return None
    return path


def _forbidden_messages(response, recorded: list[str]) -> list[str]:
    request = getattr(response, "wsgi_request", None)
    if request is None:
        return []
    found = []
    for message in get_messages(request):
        if message.level == constants.ERROR and str(message) in recorded:
            found.append(str(message))
    return found


def crawl(client, *, start: str = "/", per_kind: int = 2, limit: int = 400, post: bool = True) -> Walk:
    """Visit what ``client``'s user is offered, from ``start``; see the module docstring."""
    from core import errors

    recorded: list[str] = []
    original_init = errors.Forbidden.__init__

    def recording_init(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        recorded.append(str(self.message))

    walk = Walk()
    client.raise_request_exception = False  # a 500 is a finding of the walk, not the end of it
    seen_kinds: dict[tuple, int] = {}
    queue: deque[tuple[str, str]] = deque([(start, "")])
    queued = {start}
    posted_forms: set[tuple] = set()
    errors.Forbidden.__init__ = recording_init
    try:
        while queue and len(walk.pages) < limit:
            path, referrer = queue.popleft()
            kind = _kind(path)
            if seen_kinds.get(kind, 0) >= per_kind:
                continue
            seen_kinds[kind] = seen_kinds.get(kind, 0) + 1
            response = client.get(path)
            if response.status_code == 403:
                walk.forbidden.append(Offer(referrer, path, "get", 403))
                continue
            if response.status_code >= 500:
                walk.errors.append(Offer(referrer, path, "get", response.status_code))
                continue
            if response.status_code in (301, 302) or "text/html" not in response.get("Content-Type", ""):
                continue
            html = response.content.decode()
            walk.pages[path] = html
            page = parse(html)
            for href in page.links:
                target = _same_site(href, path)
                if target and target not in queued:
                    queued.add(target)
                    queue.append((target, path))
            if post:
                _submit_forms(client, walk, path, page.forms, posted=posted_forms, recorded=recorded)
    finally:
        errors.Forbidden.__init__ = original_init
    return walk


def _submit_forms(client, walk: Walk, path: str, forms: list[Form], *, posted: set, recorded: list[str]) -> None:
    """Submit each POST form of the page once per kind, inside a savepoint rolled back."""
    for form in forms:
        if form.method != "post":
            continue
        action = _same_site(form.action or path, path)
        if not action or action.startswith(SKIP_FORM_ACTIONS):
            continue
        form_kind = (_kind(action), tuple(sorted(name for name, _v in form.fields)))
        if form_kind in posted:
            continue
        posted.add(form_kind)
        recorded.clear()
        with transaction.atomic():
            response = client.post(action, dict(_multi(form.fields)))
            transaction.set_rollback(True)
        walk.posted += 1
        refused = _forbidden_messages(response, recorded)
        if response.status_code == 403 or refused:
            walk.forbidden.append(Offer(path, action, "post", response.status_code, "; ".join(refused)))
        elif response.status_code >= 500:
            walk.errors.append(Offer(path, action, "post", response.status_code))


def _multi(fields: list[tuple[str, str]]) -> dict[str, list[str]]:
    data: dict[str, list[str]] = {}
    for name, value in fields:
        data.setdefault(name, []).append(value)
    return data

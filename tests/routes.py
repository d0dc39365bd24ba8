"""Every route of the URLconf, DRF's router included, as concrete paths to request.

Used by the tests that must hold for every page and endpoint, today's and those added later:
read-only roles refused every unsafe method, the auditor refused everything but the logs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

RESIDENT_PREFIXES = ("/public/", "/api/v1/public/")

# A value for each path parameter: an id the test's world may hold, or a plain token.
DEFAULT_ARG = "1"
_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")
_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")


@dataclass(frozen=True)
class Route:
    path: str  # with parameters filled
    name: str  # namespace:name, or "" when unnamed
    callback: object
    params: tuple[str, ...]

    @property
    def is_api(self) -> bool:
        return self.path.startswith("/api/")

    @property
    def is_residents(self) -> bool:
        """The residents' site and API (issue 19): not staff's; tests/residents/test_separation.py walks
        every one of them with staff credentials (401) and every staff route with a resident's token."""
        return self.path.startswith(RESIDENT_PREFIXES)


def _regex_to_path(regex: str, values: dict[str, str]) -> tuple[str, list[str]]:
    params = []

    def fill(match):
        params.append(match.group(1))
        return values.get(match.group(1), DEFAULT_ARG)

    text = _GROUP.sub(fill, regex)
    text = text.lstrip("^").rstrip("$").replace("\\.", ".").replace("\\Z", "")
    # Optional format suffix groups of DRF routers: (?P<format>…) already filled; drop leftovers.
    text = re.sub(r"\(\?:?[^)]*\)\??", "", text)
    return text.replace("\\", ""), params


def _pattern_to_path(pattern, values: dict[str, str]) -> tuple[str, list[str]] | None:
    if isinstance(pattern, RoutePattern):
        params = []

        def fill(match):
            params.append(match.group(2))
            return values.get(match.group(2), DEFAULT_ARG)

        return _CONVERTER.sub(fill, str(pattern)), params
    if isinstance(pattern, RegexPattern):
        return _regex_to_path(pattern.regex.pattern, values)
    return None


def all_routes(values: dict[str, str] | None = None) -> list[Route]:
    """Every URL pattern as a request path; ``values`` fills named parameters (default ``1``)."""
    values = values or {}
    found: dict[str, Route] = {}

    def walk(patterns, prefix: str, namespace: str, params: list[str]):
        for entry in patterns:
            converted = _pattern_to_path(entry.pattern, values)
            if converted is None:
                continue
            piece, names = converted
            if isinstance(entry, URLResolver):
                ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry.url_patterns, prefix + piece, ns, params + names)
            elif isinstance(entry, URLPattern):
                if "format" in names:
                    continue  # DRF's ".json" suffix variants: the same view
                path = "/" + (prefix + piece).lstrip("/")
                name = f"{namespace}{entry.name}" if entry.name else ""
                found.setdefault(path, Route(path, name, entry.callback, tuple(params + names)))

    walk(get_resolver().url_patterns, "", "", [])
    return sorted(found.values(), key=lambda r: r.path)


def view_class(route: Route):
    """The class behind a route's callback (DRF and Django class-based views), or None."""
    callback = route.callback
    return getattr(callback, "cls", None) or getattr(callback, "view_class", None)

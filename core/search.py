"""Search: one box in the header, one matching for every list's filter box, one registry of searchers.

**Matching** (``fragment_q``): a fragment anywhere in a name — 建国 finds 李建国 and 欧阳建国,
海洋 finds 青岛市海洋经济促进会 — answered by an index, whatever its length:

* every name column searched this way has a GIN index on its characters,
  ``string_to_array(lower(column), NULL)`` (``Chars``; 李建国 → {李, 建, 国}): built-in
  functions only, so nothing depends on the server's locale or on a function of ours;
* a fragment of one character is one of those keys, answered from the index alone;
* a longer one: the index gives the rows holding each of its characters (a Chinese name
  holds few, so this is already narrow), then ``LIKE '%…%'`` keeps those where they stand together.

Why not pg_trgm for names: a pattern shorter than three characters has no trigram, so
``LIKE '%建国%'`` cannot use a trigram index at all (1–2 characters are most Chinese name
searches), and whether pg_trgm splits Chinese into trigrams depends on the server's
``lc_ctype``. Why not an index of one- and two-character pieces (pg_bigm's way) built by a SQL
function: evaluating such a function on a row costs tens of microseconds, and the planner
evaluates it row by row whenever it walks an ordered index looking for the first matches
(measured: half a second for one organization search); the character array is a built-in
expression of a fraction of a microsecond. pg_trgm (created in ``core/migrations/0005``) indexes
the longer free text, where fragments are long: addresses. The last 4–6 characters of an ID
number are found through a B-tree index on ``reverse(id_number)`` (``id_number_tail_q``).
bench/search.py measures all of these against the bare ``LIKE`` in the same run.

**Searchers**: each app contributes what it can find (people, households, organizations,
roads, marriages…) in ``<app>/search.py``, imported from its ``AppConfig.ready``::

    from core import search

    @search.searcher("road", _("Roads"), order=50)
    def roads(user, q, limit):
        found = selectors.road_list(user=user, q=q)[:limit]   # scoped; its q matches by fragment_filter
        return search.results("road", found, title=lambda r: r.name, subtitle=lambda r: r.district.name,
                              url_name="placenames:road-detail")

A searcher goes through its app's scoped selector (outside the user's geography nothing is
found) and masks personal numbers in what it returns. ``search_for(user, q)`` asks every
searcher and returns the results grouped by type, as ``GET /api/v1/search/?q=`` and the
header's search page show them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Func, Q
from django.db.models.functions import Reverse
from django.utils.functional import Promise

MAX_QUERY = 50
ID_TAIL = re.compile(r"^\d{3,5}[\dXx]$")  # the last 4–6 characters of an ID number


class Chars(Func):
    """``string_to_array(lower(column), NULL)``: the characters of a name, lower-cased (see the docstring)."""

    template = "string_to_array(lower(%(expressions)s), NULL)"
    output_field = ArrayField(models.TextField())


def chars_index(column: str, *, name: str):
    """The GIN index a model declares on a searched name column (``Meta.indexes``)."""
    from django.contrib.postgres.indexes import GinIndex

    return GinIndex(Chars(column), name=name)


def clean_query(q: str | None) -> str:
    return re.sub(r"\s+", " ", str(q or "")).strip()[:MAX_QUERY]


def pieces(q: str) -> list[str]:
    """The index keys a fragment needs: its distinct characters, lower-cased (spaces left out)."""
    return sorted({c for c in q.lower() if not c.isspace()})


def fragment_q(field: str, q: str) -> Q:
    """Rows whose ``field`` contains ``q`` anywhere, through the field's character index (case-insensitive).

    The queryset must carry the alias ``with_chars`` adds (``fragment_filter`` does both).
    """
    q = clean_query(q)
    if not q:
        return Q()
    condition = Q(**{f"_chars_{field.replace('__', '_')}__contains": pieces(q)})
    if len(q) > 1:
        condition &= Q(**{f"{field}__icontains": q})
    return condition


def with_chars(qs, *fields: str):
    """``qs`` able to filter by ``fragment_q`` on ``fields`` (the expression the index is built on)."""
    return qs.alias(**{f"_chars_{f.replace('__', '_')}": Chars(f) for f in fields})


def fragment_filter(qs, field: str, q: str):
    """``qs`` narrowed to rows whose ``field`` contains the fragment ``q`` (the lists' filter boxes use this)."""
    q = clean_query(q)
    if not q:
        return qs
    return with_chars(qs, field).filter(fragment_q(field, q))


def looks_like_id_tail(q: str) -> bool:
    return bool(ID_TAIL.match(q))


def id_number_tail_q(field: str, q: str) -> Q:
    """Rows whose ID number ends with ``q`` (4–6 characters), through the index on ``reverse(field)``."""
    return Q(**{f"_rev_{field.replace('__', '_')}__startswith": q.upper()[::-1]})


def with_reversed(qs, field: str):
    return qs.alias(**{f"_rev_{field.replace('__', '_')}": Reverse(field)})


def id_tail_filter(qs, field: str, q: str):
    return with_reversed(qs, field).filter(id_number_tail_q(field, q))


# --- The registry -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    type: str  # person | household | social_org | community_org | road | marriage | …
    id: int
    title: str
    subtitle: str
    link: str


def results(type_: str, records, *, title, subtitle, url_name: str) -> list[Result]:
    """``Result``s of ``type_`` for ``records`` (scoped and limited): ``title(r)``, ``subtitle(r)``, its page."""
    from django.urls import reverse

    return [Result(type_, r.pk, title(r), subtitle(r), reverse(url_name, args=[r.pk])) for r in records]


@dataclass(frozen=True)
class Searcher:
    type: str
    label: str | Promise
    find: Callable[..., list[Result]]
    order: int


_SEARCHERS: dict[str, Searcher] = {}


def searcher(type_: str, label: str | Promise, *, order: int = 100) -> Callable:
    """Register the decorated ``find(user, q, limit) -> list[Result]`` for results of ``type_``."""

    def decorate(find):
        _SEARCHERS[type_] = Searcher(type=type_, label=label, find=find, order=order)
        return find

    return decorate


@dataclass(frozen=True)
class Group:
    type: str
    label: str
    results: list[Result]


def search_for(user, q: str, *, limit: int = 10) -> list[Group]:
    """Every searcher's results for ``q`` (scoped to ``user``), grouped by type in the registry's order."""
    q = clean_query(q)
    if not q or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    groups = []
    for entry in sorted(_SEARCHERS.values(), key=lambda s: (s.order, s.type)):
        results = entry.find(user, q, limit)
        if results:
            groups.append(Group(type=entry.type, label=str(entry.label), results=list(results)[:limit]))
    return groups


def registered_types() -> list[str]:
    return [s.type for s in sorted(_SEARCHERS.values(), key=lambda s: (s.order, s.type))]

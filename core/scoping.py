"""Geographic scoping: the one function that narrows what a user may see.

Every list, detail, form choice, export and API queryset goes through ``scope()``. A model
says where its geography lives with ``scope_field`` (a path to a foreign key to
``core.Division``) and, optionally, which capability widens a user's view to the whole city
(``scope_citywide_cap``, e.g. registrars looking people up anywhere in the city).

Division codes nest by prefix (city 3702…, district 370202, sub-district 370202001,
community 370202001001), so a user's geography is a code prefix, and the filter is a
range on the division column: ``code >= '370202' AND code < '370203'``, which a B-tree
index answers under any collation.

Outside the scope is "not found": ``get_in_scope`` raises ``NotFound`` exactly as for a
record that does not exist.

Records with no geography go through ``scope()`` too, so that every list has passed through
it: a model with ``scope_field = None`` is the same for everyone who holds its
``scope_view_cap`` (None: every signed-in user, e.g. the divisions, public reference data).
Third-party models (pghistory's events) are declared with ``declare_unscoped``.

``scope()`` marks the queryset it returns (``is_scoped``); the mark survives filtering,
ordering and slicing. ``tests/core/test_scoping_meta.py`` walks every API view and every
browser list and fails on a queryset without the mark.
"""

from __future__ import annotations

from django.db.models import Model, Q, QuerySet

from core.errors import NotFound
from core.roles import Cap, has_cap

CITY_PREFIX_LENGTH = 4  # 370200 → every code in the city begins with 3702


def scope_prefix(user, *, citywide_cap: Cap | None = None) -> str | None:
    """The division-code prefix of what ``user`` may see, or ``None`` for nothing."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    division_id = getattr(user, "division_id", None)
    if not division_id:
        return None
    if citywide_cap is not None and has_cap(user, citywide_cap):
        return division_id[:CITY_PREFIX_LENGTH]
    if len(division_id) == 6 and division_id.endswith("00"):
        return division_id[:CITY_PREFIX_LENGTH]  # the city itself (370200)
    return division_id


def _prefix_q(field: str, prefix: str) -> Q:
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": upper})


SCOPED_HINT = "core.scoping.scoped"


def _mark(qs: QuerySet) -> QuerySet:
    qs = qs._chain()
    qs._hints = {**qs._hints, SCOPED_HINT: True}  # a new dict: the unscoped original stays unmarked
    return qs


def is_scoped(qs: QuerySet) -> bool:
    """Whether ``qs`` came out of ``scope()`` (for the meta-test and for assertions)."""
    return bool(getattr(qs, "_hints", {}).get(SCOPED_HINT))


def declare_unscoped(model, *, view_cap: Cap | None) -> None:
    """Declare a model without geography (a third-party one): visible whole to holders of ``view_cap``."""
    model.scope_field = None
    model.scope_view_cap = view_cap


def _reach(model, user) -> str | None:
    """What of ``model`` the user may see: ``None`` nothing, ``""`` all of it, else a division-code prefix."""
    if not hasattr(model, "scope_field"):
        raise TypeError(f"{model.__name__} declares no scope_field: it cannot be scoped.")
    view_cap = getattr(model, "scope_view_cap", None)
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if view_cap is not None and not has_cap(user, view_cap):
        return None
    if model.scope_field is None:
        return ""  # no geography: the same for everyone allowed to see it
    prefix = scope_prefix(user, citywide_cap=getattr(model, "scope_citywide_cap", None))
    if prefix is not None and len(prefix) == CITY_PREFIX_LENGTH:
        # The whole city: every division in the database is in it, so a filter would only
        # cost a scan of the index (a million rows for the people list).
        return ""
    return prefix


def scope(qs: QuerySet, user) -> QuerySet:
    """Narrow ``qs`` to the records ``user`` may see."""
    reach = _reach(qs.model, user)
    if reach is None:
        return _mark(qs.none())
    if reach == "":
        return _mark(qs)
    return _mark(qs.filter(_prefix_q(qs.model.scope_field, reach)))


def sees_all(model, user) -> bool:
    """Whether ``scope()`` leaves every row of ``model`` to ``user``: figures kept for the whole city are theirs."""
    return _reach(model, user) == ""


def division_code_of(record: Model) -> str | None:
    """The division code ``record``'s ``scope_field`` leads to (``household__community``: the community's)."""
    path = type(record).scope_field
    if path is None:
        return None
    *hops, last = path.split("__")
    obj = record
    for hop in hops:
        obj = getattr(obj, hop, None)
        if obj is None:
            return None
    return getattr(obj, f"{last}_id", None)


def record_in_scope(user, record: Model) -> bool:
    """Whether one record already loaded lies inside what ``scope()`` would give ``user`` (no query for most)."""
    reach = _reach(type(record), user)
    if reach is None:
        return False
    if reach == "":
        return True
    code = division_code_of(record)
    return bool(code) and str(code).startswith(reach)


def get_in_scope(qs: QuerySet, user, **lookup) -> Model:
    """One record inside the user's scope, or ``NotFound`` (the same as for a missing one)."""
    try:
        return scope(qs, user).get(**lookup)
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def division_in_scope(user, division_code: str, *, citywide_cap: Cap | None = None) -> bool:
    """Whether a division (and so what is recorded under it) lies in the user's geography."""
    prefix = scope_prefix(user, citywide_cap=citywide_cap)
    return bool(prefix is not None and division_code and str(division_code).startswith(prefix))


def divisions_in_scope(user, level) -> list:
    """The active divisions of ``level`` inside the user's geography, by code: a page's choice of district."""
    from core.models import Division

    prefix = scope_prefix(user)
    if prefix is None:
        return []
    return list(Division.objects.filter(level=level, active=True, code__startswith=prefix).order_by("code"))

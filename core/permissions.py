"""The one permission question: may this user take this action (on this record)?

    can(actor, action, record=None) -> bool
    require_can(actor, action, record=None) -> None     # raises what the API answers

A page asks ``can`` (in Python, through ``allowed_actions(actor, record)``, or in a template
with ``{% load permissions %}{% can "approve" case as may_approve %}``) to decide which
buttons it shows; the service asks ``require_can`` before it acts. Both read the same rule,
so a page never offers a button the service then refuses for who the user is.

A rule combines, in this order (the order the services have always refused in):

1. **capability** — the actor holds one of the rule's capabilities (``core.roles``), else
   ``Forbidden`` (403);
2. **geography** — the record lies inside the actor's scope (``core.scoping``), else
   ``NotFound`` (404: existence is not leaked);
3. **state** — when the record's model has a ``state_machine`` that knows the action, the
   record's state allows it (``core.cases``), else ``Conflict(code="invalid_transition")``
   (409); automatic moves are never a user's;
4. **the rule's own check** — level and approval power, not one's own submission, "the person
   is alive"…: it returns ``False`` (a plain 403) or raises ``Forbidden``/``Conflict`` with
   the reason the user reads.

``record`` is a model instance, or — for actions not on one record ("create", "export", a
list's bulk action) — the model class or a dotted subject name (``"people.person"``,
``"payouts.month"``). Asked of a class, only the capability and the check (called with
``record=None``) apply: "may this user ever do this".

Registering a rule (each domain app declares its own, in ``<app>/permissions.py``, imported
from its ``AppConfig.ready``; core knows no domain)::

    from core import permissions
    from core.roles import Cap

    permissions.register(DibaoCase, "review", caps=[Cap.RELIEF_REVIEW])

    @permissions.rule(DibaoCase, "approve", caps=[Cap.RELIEF_APPROVE_DISTRICT, Cap.RELIEF_APPROVE_SUBDISTRICT])
    def _approve(actor, case):  # case is None when asked of the class
        return case is None or case.created_by_id != actor.pk

An action nobody registered is a programming error (``UnknownAction``), not a silent "no".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Model

from core.errors import Conflict, DomainError, Forbidden, NotFound
from core.roles import Cap, capabilities_of

Check = Callable[[object, object], bool | None]


class UnknownAction(LookupError):
    """``can`` was asked about an action no app registered for this subject."""


@dataclass(frozen=True)
class Rule:
    subject: str
    action: str
    caps: frozenset[Cap]  # any one of them suffices; empty: every signed-in, active user
    check: Check | None = None
    state_action: str | None = None  # the machine's action this rule moves the record by (default: ``action``)
    scoped: bool = True  # the record must lie in the actor's geography


_RULES: dict[tuple[str, str], Rule] = {}


def subject_of(record) -> str:
    """``"relief.dibaocase"`` for a DibaoCase instance or class; a string is its own subject."""
    if isinstance(record, str):
        return record
    meta = getattr(record, "_meta", None)
    if meta is None:
        raise TypeError(f"Not a model, a model instance or a subject name: {record!r}")
    return meta.label_lower


def register(
    subject,
    action: str,
    *,
    caps: Iterable[Cap] = (),
    check: Check | None = None,
    state_action: str | None = None,
    scoped: bool = True,
) -> Rule:
    """Declare who may take ``action`` on ``subject`` (a model, or a dotted name). Idempotent per key."""
    key = (subject_of(subject), action)
    rule_ = Rule(
        subject=key[0],
        action=action,
        caps=frozenset(caps),
        check=check,
        state_action=state_action,
        scoped=scoped,
    )
    _RULES[key] = rule_
    return rule_


def rule(subject, action: str, **kwargs) -> Callable[[Check], Check]:
    """Decorator form of ``register``: the decorated function is the rule's own check."""

    def decorate(check: Check) -> Check:
        register(subject, action, check=check, **kwargs)
        return check

    return decorate


def rule_for(action: str, record) -> Rule:
    key = (subject_of(record), action)
    try:
        return _RULES[key]
    except KeyError:
        raise UnknownAction(f"No permission rule for {key[1]!r} on {key[0]!r}.") from None


def registered_actions(record) -> list[str]:
    """Every action some app declared for this record's subject, in registration order."""
    subject = subject_of(record)
    return [action for (s, action) in _RULES if s == subject]


def _is_instance(record) -> bool:
    return isinstance(record, Model)


def _decide(actor, action: str, record) -> None:
    """Raise the refusal the API answers, or return: the one implementation behind both questions."""
    from core.scoping import record_in_scope

    rule_ = rule_for(action, record)
    held = capabilities_of(actor)
    if not held:
        raise Forbidden()
    if rule_.caps and not (rule_.caps & held):
        raise Forbidden()
    instance = record if _is_instance(record) else None
    if instance is not None:
        if rule_.scoped and hasattr(type(instance), "scope_field") and not record_in_scope(actor, instance):
            raise NotFound()
        machine = getattr(type(instance), "state_machine", None)
        move = rule_.state_action or action
        if machine is not None and move in machine.transitions:
            transition = machine.transitions[move]
            if transition.automatic:
                raise Forbidden()
            machine.target(move, instance.status)  # Conflict(invalid_transition) when the state forbids it
    if rule_.check is not None and rule_.check(actor, instance) is False:
        raise Forbidden()


def can(actor, action: str, record=None) -> bool:
    """Whether ``actor`` may take ``action`` (on ``record``): what decides whether a button is shown."""
    try:
        _decide(actor, action, record)
    except DomainError:
        return False
    return True


def require_can(actor, action: str, record=None) -> None:
    """``Forbidden`` (403), ``NotFound`` (404) or ``Conflict`` (409) unless ``can`` says yes: services call it."""
    _decide(actor, action, record)


def allowed_actions(actor, record, actions: Iterable[str] | None = None) -> list[str]:
    """The actions ``actor`` may take on ``record`` now, in the order given (default: as registered).

    A record page lists these as its buttons; an action registered for the subject but not
    possible in the record's state, outside the actor's power, or not the actor's role's,
    is left out.
    """
    candidates = list(actions) if actions is not None else registered_actions(record)
    return [a for a in candidates if can(actor, a, record)]


def refusal(actor, action: str, record=None) -> DomainError | None:
    """Why ``actor`` may not take ``action`` (the error ``require_can`` would raise), or ``None``."""
    try:
        _decide(actor, action, record)
    except DomainError as exc:
        return exc
    return None


__all__ = [
    "Conflict",
    "Forbidden",
    "NotFound",
    "Rule",
    "UnknownAction",
    "allowed_actions",
    "can",
    "refusal",
    "register",
    "registered_actions",
    "require_can",
    "rule",
    "rule_for",
]

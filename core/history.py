"""History people can read (变更记录): one renderer for every record page, the auditor's log and the API.

The raw history is django-pghistory's (``core.audit``: a trigger writes an event for every
insert, update and delete of a tracked row, with the acting user). This module turns events
into what a person reads — one compact row per change:

    2020-04-03 10:12 · 李建国 · 修改 · 低保案件 · 状态: 已审核 → 有效; 审批人: — → 王芳

* who: the actor's name (``User.__str__``: the full name), "系统" for the nightly checks, or
  "数据库直接修改" for a statement run in the database outside the portal (core.auditchain);
* the operation as 新建 / 修改 / 删除 (``Row.action``; the machine's step, such as 审批, beside
  it when a state machine moved the record: ``Row.step``);
* the record type by its verbose name, and the record by its name (李建国, 家庭户：王芳);
* each changed field by its verbose label, its values displayed: choice labels (已批准, not
  ``approved``), linked records by name (李建国, not ``approved_by_id: 3``), dates in ISO,
  yes/no, money as written, ID numbers, bank accounts and phones masked; internal columns
  (ids, timestamps kept by the database, computation state) are left out.

``rows_for(*records, page=…)`` gives the rows of records and of the rows that refer to them (a
household's members), newest first; ``rows_from_events(events)`` renders any page of events
(the auditor's log); ``GET <collection>/{id}/history/`` (``core.drf.HistoryMixin``) serves the
same rows as ``{"at", "actor", "action", "changes": [{"field", "label", "old", "new"}]}``.

**A new model** needs nothing here: track it with ``@pghistory.track()`` and give its fields
verbose names (and choices); its history then reads like every other. A field whose value needs
more than its choices or its linked record's name registers a display function:
``history.register_display("payouts.PayoutRun", "error", fn)``; a field nobody should read in the
history is hidden with ``history.hide("app.Model", "field")``.

**Writers who are not staff accounts** (a resident online) are recorded in the history context
under a key of their own, their id the value (``audit_context(None, resident=pk)``); the app that
owns them registers how they read (``register_context_actor("resident", names_of)``,
``names_of(ids) → {str(id): "居民 138****1234 (网上)"}``, one call a page). Such a writer is the
row's actor, before any account in the context: never an id, a token or a placeholder account.

**Sentences for what the system writes** (``sentence(text)``): notes written by machines
(``schedule``, ``seed_demo``, ``csv 1a2b3c…``, ``bank file csv (2 lines)``, the shipped
standards' source texts) are matched by patterns the owning app registers
(``register_sentence(regex, fn)``) and read as sentences in the user's language.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.apps import apps
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.idnumbers import mask_id_number, mask_phone, mask_tail

ACTIONS = {"insert": gettext_lazy("Created"), "update": gettext_lazy("Changed"), "delete": gettext_lazy("Deleted")}
EMPTY = "—"
# The context core.auditchain's _pgh_attach_context() gives a change made outside the portal's sessions.
DATABASE_ACTOR = "database"

# Never shown: identifiers, pghistory's own columns, secrets.
_ALWAYS_HIDDEN = {"id", "password", "pgh_id", "pgh_created_at", "pgh_label", "pgh_obj", "pgh_obj_id", "pgh_context"}
_MASKS: dict[str, Callable[[str], str]] = {
    "id_number": mask_id_number,
    "bank_account": mask_tail,
    "phone": mask_phone,
    "failed_account_digest": lambda v: EMPTY,
}
_DISPLAYS: dict[tuple[str, str], Callable[[object], str]] = {}
_HIDDEN: set[tuple[str, str]] = set()
_SENTENCES: list[tuple[re.Pattern, Callable[[re.Match], str]]] = []
_CONTEXT_ACTORS: dict[str, Callable[[set], dict[str, str]]] = {}


def register_display(model_label: str, field_name: str, display: Callable[[object], str]) -> None:
    """Show ``field_name`` of ``model_label`` (``"app.Model"``) through ``display(raw value)``."""
    _DISPLAYS[(model_label.lower(), field_name)] = display


def hide(model_label: str, *field_names: str) -> None:
    """Leave these fields of ``model_label`` out of every history."""
    for name in field_names:
        _HIDDEN.add((model_label.lower(), name))


def register_context_actor(key: str, names_of: Callable[[set], dict[str, str]]) -> None:
    """A writer recorded in the history context as ``{key: id}`` (not a staff account) reads as
    ``names_of({id, …})[str(id)]``; an id ``names_of`` does not name reads as ``names_of``'s ``""`` entry."""
    _CONTEXT_ACTORS[key] = names_of


def _context_actor_names(contexts: Iterable[dict]) -> dict[str, dict[str, str]]:
    """For a page of contexts: {key: {str(id): name}} of the registered non-staff writers, one call a key."""
    wanted: dict[str, set] = defaultdict(set)
    for context in contexts:
        for key in _CONTEXT_ACTORS:
            if context.get(key) not in (None, ""):
                wanted[key].add(str(context[key]))
    return {key: _CONTEXT_ACTORS[key](ids) for key, ids in wanted.items()}


def _context_actor(context: dict, names: dict[str, dict[str, str]]) -> str:
    for key in _CONTEXT_ACTORS:
        value = context.get(key)
        if value not in (None, ""):
            known = names.get(key, {})
            return known.get(str(value)) or known.get("") or _("(removed)")
    return ""


def register_sentence(pattern: str, render: Callable[[re.Match], str]) -> None:
    """A note the system writes in a fixed form (matched whole) and the sentence a person reads for it."""
    _SENTENCES.append((re.compile(pattern), render))


def sentence(text: str | None) -> str:
    """``text`` as a person reads it: the sentence of the first pattern it matches, else itself."""
    text = (text or "").strip()
    for pattern, render in _SENTENCES:
        match = pattern.fullmatch(text)
        if match:
            return str(render(match))
    return text


@dataclass(frozen=True)
class Change:
    field: str  # the field's name (for machines; never shown)
    label: str  # what a person reads: the field's verbose name
    old: str
    new: str


@dataclass(frozen=True)
class Row:
    at: datetime.datetime
    actor: str
    kind: str  # insert | update | delete
    action: str  # 新建 / 修改 / 删除
    record_type: str
    record: str
    changes: list[Change] = field(default_factory=list)
    step: str = ""  # the state machine's step that made the change (审批), when one did
    via: str = ""  # 网页 / 接口 / 系统


# --- Values -----------------------------------------------------------------------------------


def _model_of(label: str):
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _fields_by_attname(model) -> dict[str, models.Field]:
    return {f.attname: f for f in model._meta.concrete_fields}


def _shown(model, attname: str, fld: models.Field | None) -> bool:
    label = model._meta.label_lower
    if attname in _ALWAYS_HIDDEN or (label, attname) in _HIDDEN or fld is None:
        return False
    if (label, attname) in _DISPLAYS:
        return True
    if fld.primary_key or not fld.editable or getattr(fld, "auto_now", False) or getattr(fld, "auto_now_add", False):
        return False
    return True


def _moment(value) -> str:
    moment = parse_datetime(str(value)) if not isinstance(value, datetime.datetime) else value
    if moment is None:
        return str(value)
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.strftime("%Y-%m-%d %H:%M")


def _day(value) -> str:
    day = parse_date(str(value)[:10])
    return day.isoformat() if day else str(value)


def _decimal(value, fld: models.DecimalField) -> str:
    """An amount as the pages write it (600.00, not the 600.0 the event's JSON keeps)."""
    try:
        return f"{Decimal(str(value)):.{fld.decimal_places}f}"
    except InvalidOperation:
        return str(value)


def _choice(value, fld: models.Field) -> str | None:
    """The label of a choice (or of each choice in an array of them); ``None`` for a field without choices."""
    if fld.choices:
        return str(dict(fld.flatchoices).get(value, value))
    base = getattr(fld, "base_field", None)
    if base is not None and base.choices and isinstance(value, list):
        inner = dict(base.flatchoices)
        return "、".join(str(inner.get(v, v)) for v in value) or EMPTY
    return None


def _plain(value, fld: models.Field) -> str:
    if value is None or value == "":
        return EMPTY
    if isinstance(fld, models.BooleanField):
        return _("Yes") if value else _("No")
    label = _choice(value, fld)
    if label is None and isinstance(fld, models.DateTimeField):
        label = _moment(value)
    elif label is None and isinstance(fld, models.DateField):
        label = _day(value)
    elif label is None and isinstance(fld, models.DecimalField):
        label = _decimal(value, fld)
    elif label is None and (isinstance(fld, models.JSONField) or isinstance(value, dict | list)):
        label = _("(details updated)")
    if label is None and isinstance(value, str):
        label = sentence(value)  # a note the system wrote in a fixed form reads as a sentence
    return str(value) if label is None else label


class _Names:
    """Names of the records the rows link to, fetched in one query per model for a whole page."""

    def __init__(self):
        self.wanted: dict[type, set] = defaultdict(set)
        self.names: dict[tuple[type, str], str] = {}

    def want(self, model, pk) -> None:
        if pk not in (None, ""):
            self.wanted[model].add(pk)

    def load(self) -> None:
        for model, pks in self.wanted.items():
            qs = model._base_manager.filter(pk__in=list(pks))
            if hasattr(model, "head"):  # a household is named after its head
                qs = qs.select_related("head")
            for obj in qs:
                self.names[(model, str(obj.pk))] = _name_of(obj)
        self.wanted.clear()

    def name(self, model, pk) -> str:
        if pk in (None, ""):
            return EMPTY
        return self.names.get((model, str(pk))) or _("(removed)")


def _name_of(obj) -> str:
    """A record's name as people know it (the ID number never: ``__str__`` of people is the name)."""
    text = str(obj)
    number = getattr(obj, "id_number", None)
    if number and number in text:
        text = text.replace(number, mask_id_number(number))
    return text


# An ID number inside any other value (a JSON list of members, a note): masked all the same.
_ID_NUMBER_IN_TEXT = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")


def _mask_for(attname: str) -> Callable[[str], str] | None:
    """The mask of a field by its name or its name's ending (``applicant_id_number``, ``party_a_id_number``)."""
    for key, mask in _MASKS.items():
        if attname == key or attname.endswith(f"_{key}"):
            return mask
    return None


def _value(model, attname: str, fld: models.Field, value, names: _Names) -> str:
    label = model._meta.label_lower
    if (label, attname) in _DISPLAYS:
        return str(_DISPLAYS[(label, attname)](value)) if value not in (None, "") else EMPTY
    mask = _mask_for(attname)
    if mask and value not in (None, ""):
        return mask(str(value))
    if fld.is_relation and fld.many_to_one:
        return names.name(fld.related_model, value)
    return _ID_NUMBER_IN_TEXT.sub(lambda m: mask_id_number(m.group()), _plain(value, fld))


# --- Events into rows ---------------------------------------------------------------------------


def _diff(event) -> dict[str, tuple]:
    if event.pgh_label == "update" and event.pgh_diff:
        return {k: tuple(v) for k, v in event.pgh_diff.items()}
    data = event.pgh_data or {}
    if event.pgh_label == "delete":
        return {k: (v, None) for k, v in data.items()}
    return {k: (None, v) for k, v in data.items()}


def _via(context: dict) -> str:
    url = context.get("url") or ""
    if url.startswith("/api/"):
        return _("API")
    if url:
        return _("Portal page")
    if context.get("actor") == DATABASE_ACTOR or any(context.get(key) not in (None, "") for key in _CONTEXT_ACTORS):
        return ""
    return _("System") if not context.get("user") else ""


def _actor(user, context: dict, context_names: dict[str, dict[str, str]] | None = None) -> str:
    """Who: a registered non-staff writer (a resident); the account; a statement run in the database
    outside the portal; else the system."""
    writer = _context_actor(context, context_names or {})
    if writer:
        return writer
    if user:
        return str(user)
    if context.get("actor") == DATABASE_ACTOR:
        return _("Changed directly in the database")
    return _("System")


actor_name = _actor  # who, as every history says it (other logs written by triggers: payout line status changes)


def _step(model, context: dict) -> str:
    action = context.get("action")
    machine = getattr(model, "state_machine", None) if model is not None else None
    if not action or machine is None or action not in machine.transitions:
        return ""
    return machine.action_label(action)


def rows_from_events(events: Iterable) -> list[Row]:
    """The rows of a page of ``MiddlewareEvents`` (with ``user`` selected), in the order given."""
    events = list(events)
    names = _Names()
    records: dict[type, set] = defaultdict(set)
    prepared = []
    for event in events:
        model = _model_of(event.pgh_obj_model)
        fields = _fields_by_attname(model) if model is not None else {}
        diff = _diff(event)
        shown = [(a, fields.get(a), pair) for a, pair in diff.items() if model and _shown(model, a, fields.get(a))]
        for _attname, fld, (old, new) in shown:
            if fld.is_relation and fld.many_to_one:
                names.want(fld.related_model, old)
                names.want(fld.related_model, new)
        if model is not None and event.pgh_obj_id:
            records[model].add(event.pgh_obj_id)
        prepared.append((event, model, shown))
    for model, pks in records.items():
        for pk in pks:
            names.want(model, pk)
    names.load()
    context_names = _context_actor_names(event.pgh_context or {} for event, _model, _shown in prepared)
    rows = []
    for event, model, shown in prepared:
        context = event.pgh_context or {}
        changes = [
            Change(
                field=attname.removesuffix("_id") if fld.is_relation else attname,
                label=capfirst(str(fld.verbose_name)),
                old=_value(model, attname, fld, old, names),
                new=_value(model, attname, fld, new, names),
            )
            for attname, fld, (old, new) in shown
        ]
        if event.pgh_label == "insert":
            changes = [c for c in changes if c.new != EMPTY]
        user = getattr(event, "user", None)
        rows.append(
            Row(
                at=event.pgh_created_at,
                actor=_actor(user, context, context_names),
                kind=event.pgh_label if event.pgh_label in ACTIONS else "update",
                action=str(ACTIONS.get(event.pgh_label, ACTIONS["update"])),
                record_type=capfirst(str(model._meta.verbose_name)) if model is not None else _("Record"),
                record=names.name(model, event.pgh_obj_id) if model is not None else "",
                changes=changes,
                step=_step(model, context),
                via=_via(context),
            )
        )
    return rows


def events_for(*records: models.Model):
    """The history events of ``records`` and of the rows that refer to them, newest first."""
    from pghistory.models import MiddlewareEvents

    return MiddlewareEvents.objects.references(*records).select_related("user").order_by("-pgh_created_at", "-pgh_id")


def rows_for(*records: models.Model, limit: int = 200) -> list[Row]:
    """A record page's 变更记录: the newest ``limit`` rows."""
    return rows_from_events(events_for(*records)[:limit])


def tracked_models() -> list[tuple[str, str]]:
    """(``app.Model``, its name) for every model with history, sorted by name: the auditor's list of record types."""
    import pghistory.models

    found = {}
    for model in apps.get_models():
        if issubclass(model, pghistory.models.Event) and not model._meta.abstract:
            tracked = getattr(model, "pgh_tracked_model", None)
            if tracked is not None:
                found[tracked._meta.label] = capfirst(str(tracked._meta.verbose_name))
    return sorted(found.items(), key=lambda item: item[1])


def as_api(row: Row) -> dict:
    """``GET …/history/``'s shape (api.md): displayed values only, no column names or tokens in what is read."""
    return {
        "at": row.at.isoformat(),
        "actor": row.actor,
        "action": row.action,
        "kind": row.kind,
        "step": row.step,
        "record_type": row.record_type,
        "record": row.record,
        "changes": [{"field": c.field, "label": c.label, "old": c.old, "new": c.new} for c in row.changes],
    }


# --- The reveal log (who looked at a full number, and why) ----------------------------------------


@dataclass(frozen=True)
class RevealRow:
    at: datetime.datetime
    actor: str
    record_type: str
    record: str
    field: str
    reason: str
    ip_address: str


def reveal_rows(reveals: Iterable) -> list[RevealRow]:
    """The reveal log as people read it: the record's type and name, the field's label, the reason as a sentence."""
    reveals = list(reveals)
    names = _Names()
    models_of = {}
    for reveal in reveals:
        model = models_of.setdefault(reveal.model, _model_of(reveal.model))
        if model is not None:
            names.want(model, reveal.object_id)
    names.load()
    rows = []
    for reveal in reveals:
        model = models_of.get(reveal.model)
        label = reveal.field
        if model is not None:
            fields = {f.name: f for f in model._meta.get_fields() if hasattr(f, "verbose_name")}
            fld = fields.get(reveal.field)
            if fld is None and reveal.field == "bank_account":
                label = _("Bank account")
            elif fld is not None:
                label = capfirst(str(fld.verbose_name))
        rows.append(
            RevealRow(
                at=reveal.at,
                actor=str(reveal.actor) if reveal.actor_id else _("System"),
                record_type=capfirst(str(model._meta.verbose_name)) if model is not None else _("Record"),
                record=names.name(model, reveal.object_id) if model is not None else "",
                field=label,
                reason=sentence(reveal.reason),
                ip_address=reveal.ip_address or "",
            )
        )
    return rows

"""The case machinery every benefit shares (relief, welfare): states, moves, the timeline.

* ``StateMachine``: an explicit map of allowed moves, ``action → (from states, to state)``.
  Nothing moves a case but ``transition()``, which refuses a move the map does not allow
  with ``Conflict(code="invalid_transition")``, changes the row with a compare-and-set
  ``UPDATE … WHERE status = <the state it was read in>`` (so two people acting at once
  cannot both move it) and writes a ``CaseEvent`` (who, when, action, from, to, note)
  in the same transaction.
* ``BenefitCase``: the abstract model of a means-tested benefit's case (dibao, tekun,
  orphans, disability subsidies): application → review → approval → active, suspension,
  resumption, termination; 7-day public notice and periodic review dates.
* Benefit months: a month is the ``date`` of its first day; the API writes ``"YYYY-MM"``.
* Automatic moves (``Transition.automatic``): what a case undergoes because something
  happened elsewhere (the recipient died, the household's dibao ended, a child turned 18,
  a disability grade changed). Nobody chooses them on a page; the services that react to
  the cause take them, with the reason as the event's note, under the acting user (or
  ``system_actor()`` for the nightly checks).
* Consequences across apps (``CONSEQUENCES``, ``run_consequences``): the one list of which
  service reacts to which cause. The service where the cause happens calls
  ``run_consequences`` in its own transaction: explicit, in order, no signals.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass

import pgtrigger
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from core.errors import Conflict, InvalidInput

NOTE_MAX_LENGTH = 1000

# --- Benefit months ---------------------------------------------------------------------------

_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


def local_today() -> datetime.date:
    """Today in the bureau's time zone (Asia/Shanghai)."""
    return timezone.localdate()


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def current_month() -> datetime.date:
    return month_start(local_today())


def add_months(month: datetime.date, n: int) -> datetime.date:
    index = month.year * 12 + (month.month - 1) + n
    return datetime.date(index // 12, index % 12 + 1, 1)


def month_str(month: datetime.date | None) -> str | None:
    return None if month is None else f"{month.year:04d}-{month.month:02d}"


def parse_month(value, *, field: str = "month") -> datetime.date:
    """``"2020-04"`` → ``date(2020, 4, 1)``, or ``InvalidInput`` naming ``field``."""
    if isinstance(value, datetime.date):
        return month_start(value)
    match = _MONTH_RE.match(str(value or "").strip())
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1900:
        raise InvalidInput(gettext("Give the month as YYYY-MM, e.g. 2020-04."), field=field)
    return datetime.date(int(match.group(1)), int(match.group(2)), 1)


# --- State machines ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str | None  # None: the case stays in its state (an event on the timeline only)
    label: str | Promise
    automatic: bool = False  # taken by a service reacting to a cause, never offered to a user


class StateMachine:
    """The allowed moves of one kind of case."""

    def __init__(
        self,
        transitions: Iterable[Transition],
        *,
        initial: str,
        labels: dict[str, str | Promise],
        event_labels: dict[str, str | Promise] | None = None,
    ):
        self.transitions = {t.action: t for t in transitions}
        self.initial = initial
        self.state_labels = labels
        # Events a case's log records that are no move of the map (its own service writes them): their labels.
        self.event_labels = dict(event_labels or {})

    def allowed_actions(self, state: str) -> list[str]:
        """The moves a user may choose from ``state`` (automatic ones are not offered)."""
        return [a for a, t in self.transitions.items() if state in t.sources and not t.automatic]

    def automatic_actions(self) -> list[str]:
        return [a for a, t in self.transitions.items() if t.automatic]

    def can(self, action: str, state: str) -> bool:
        t = self.transitions.get(action)
        return t is not None and state in t.sources

    def target(self, action: str, state: str) -> str:
        """The state ``action`` leads to from ``state``; ``Conflict`` when the map forbids it."""
        t = self.transitions.get(action)
        if t is None or state not in t.sources:
            raise Conflict(
                gettext("“%(action)s” is not possible while the case is “%(state)s”.")
                % {"action": self.action_label(action), "state": self.state_label(state)},
                code="invalid_transition",
            )
        return state if t.target is None else t.target

    def action_label(self, action: str) -> str:
        t = self.transitions.get(action)
        if t is not None:
            return str(t.label)
        if action in self.event_labels:
            return str(self.event_labels[action])
        return str(OPEN_LABEL) if action == OPEN_ACTION else action

    def state_label(self, state: str) -> str:
        return str(self.state_labels.get(state, state))


OPEN_ACTION = "submit"
OPEN_LABEL = _("Submitted")


class CaseStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    REVIEWED = "reviewed", _("Reviewed by the sub-district")
    PUBLIC_NOTICE = "public_notice", _("In public notice")
    ACTIVE = "active", pgettext_lazy("case status", "Active")
    SUSPENDED = "suspended", _("Suspended")
    TERMINATED = "terminated", _("Terminated")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_STATUSES = (
    CaseStatus.SUBMITTED,
    CaseStatus.REVIEWED,
    CaseStatus.PUBLIC_NOTICE,
    CaseStatus.ACTIVE,
    CaseStatus.SUSPENDED,
)
PENDING_STATUSES = (CaseStatus.SUBMITTED, CaseStatus.REVIEWED, CaseStatus.PUBLIC_NOTICE)

_S = CaseStatus
BENEFIT_CASE_MACHINE = StateMachine(
    [
        Transition("investigate", frozenset({_S.SUBMITTED}), None, _("Home investigation recorded")),
        Transition("review", frozenset({_S.SUBMITTED}), _S.REVIEWED, _("Reviewed")),
        Transition("approve", frozenset({_S.REVIEWED}), _S.ACTIVE, _("Approved")),
        Transition("reject", frozenset({_S.SUBMITTED, _S.REVIEWED}), _S.REJECTED, _("Rejected")),
        Transition("withdraw", frozenset({_S.SUBMITTED, _S.REVIEWED}), _S.WITHDRAWN, _("Withdrawn")),
        Transition("suspend", frozenset({_S.ACTIVE}), _S.SUSPENDED, _("Suspended")),
        Transition("resume", frozenset({_S.SUSPENDED}), _S.ACTIVE, _("Resumed")),
        Transition("terminate", frozenset({_S.ACTIVE, _S.SUSPENDED}), _S.TERMINATED, _("Terminated")),
        Transition("recheck", frozenset({_S.ACTIVE, _S.SUSPENDED}), None, _("Periodic review")),
        # Automatic: the consequence of a change elsewhere; the note says which and from when.
        Transition("hold", frozenset({_S.ACTIVE}), _S.SUSPENDED, _("Suspended: eligibility lost"), automatic=True),
        Transition(
            "lapse", frozenset({_S.ACTIVE, _S.SUSPENDED}), _S.TERMINATED, _("Ended: eligibility lost"), automatic=True
        ),
        Transition(
            "close",
            frozenset({_S.SUBMITTED, _S.REVIEWED}),
            _S.REJECTED,
            _("Closed: no longer eligible"),
            automatic=True,
        ),
        Transition("eligibility_check", frozenset(OPEN_STATUSES), None, _("Eligibility re-checked"), automatic=True),
    ],
    initial=_S.SUBMITTED,
    labels=dict(CaseStatus.choices),
)
AUTOMATIC_ACTIONS = tuple(BENEFIT_CASE_MACHINE.automatic_actions())

# The procedure of the regulations (dibao: 《最低生活保障审核确认办法》; tekun: 《特困人员认定办法》):
# home investigation → the sub-district's initial opinion (review) opens a 7-day public notice
# in the community → an objection during the notice sends the case back for a new
# investigation and a new notice → the decision once the notice has ended.
NOTICED_CASE_MACHINE = StateMachine(
    [
        Transition("investigate", frozenset({_S.SUBMITTED}), None, _("Home investigation recorded")),
        Transition("review", frozenset({_S.SUBMITTED}), _S.PUBLIC_NOTICE, _("Initial opinion: public notice opened")),
        Transition("object", frozenset({_S.PUBLIC_NOTICE}), _S.SUBMITTED, _("Objection raised during the notice")),
        Transition("approve", frozenset({_S.PUBLIC_NOTICE}), _S.ACTIVE, _("Approved")),
        Transition("reject", frozenset({_S.SUBMITTED, _S.PUBLIC_NOTICE}), _S.REJECTED, _("Rejected")),
        Transition("withdraw", frozenset({_S.SUBMITTED, _S.PUBLIC_NOTICE}), _S.WITHDRAWN, _("Withdrawn")),
        *(
            t
            for t in BENEFIT_CASE_MACHINE.transitions.values()
            if t.action not in {"investigate", "review", "approve", "reject", "withdraw", "close"}
        ),
        Transition(
            "close",
            frozenset({_S.SUBMITTED, _S.PUBLIC_NOTICE}),
            _S.REJECTED,
            _("Closed: no longer eligible"),
            automatic=True,
        ),
    ],
    initial=_S.SUBMITTED,
    labels=dict(CaseStatus.choices),
)

# From acceptance to decision: 30 working days (民发〔2021〕57号). Working days are Monday to
# Friday; the State Council's yearly holiday calendar is not loaded, so public holidays count as
# working days and the clock errs on the early side.
DECISION_WORKING_DAYS = 30


def add_working_days(day: datetime.date, n: int) -> datetime.date:
    """The ``n``-th working day (Monday–Friday) after ``day``."""
    while day.weekday() >= 5:  # from a weekend: the same as from the Friday before
        day -= datetime.timedelta(days=1)
    weeks, rest = divmod(n, 5)
    day = day + datetime.timedelta(weeks=weeks)
    while rest:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5:
            rest -= 1
    return day


def accepted_before_for_overdue(today: datetime.date, n: int = DECISION_WORKING_DAYS) -> datetime.date:
    """The first acceptance day whose decision is not yet overdue on ``today``: earlier ones are past the clock."""
    day = today - datetime.timedelta(days=n * 7 // 5 + 7)
    while add_working_days(day, n) < today:
        day += datetime.timedelta(days=1)
    return day


def work_queue_indexes(prefix: str) -> list[models.Index]:
    """The small partial indexes a benefit case's kinds of the work queue count from (``core.worklist``):
    the applications waiting for a step, and the periodic reviews by date. A few hundred rows each
    where the table holds a hundred thousand cases."""
    return [
        models.Index(fields=["status"], condition=models.Q(status__in=PENDING_STATUSES), name=f"{prefix}_pending"),
        models.Index(
            fields=["next_review_on"],
            condition=models.Q(status__in=[CaseStatus.ACTIVE, CaseStatus.SUSPENDED]),
            name=f"{prefix}_recheck_due",
        ),
    ]


class ApprovalLevel(models.TextChoices):
    SUBDISTRICT = "subdistrict", _("Sub-district")
    DISTRICT = "district", _("District")


# --- The timeline -----------------------------------------------------------------------------


class CaseEvent(models.Model):
    """One step of a case: who did what, when, from which state to which, and why.

    Append-only (the database refuses UPDATE and DELETE); written by ``transition()`` and
    ``open_case()`` in the transaction that makes the change.
    """

    case_type = models.ForeignKey(ContentType, verbose_name=_("case type"), on_delete=models.PROTECT, related_name="+")
    case_id = models.PositiveBigIntegerField(_("case"))
    action = models.CharField(_("action"), max_length=32)
    from_state = models.CharField(_("from"), max_length=16, blank=True)
    to_state = models.CharField(_("to"), max_length=16)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        app_label = "core"
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case_type", "case_id", "at"], name="caseevent_case_at")]
        triggers = [pgtrigger.Protect(name="caseevent_append_only", operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.action} {self.from_state}→{self.to_state}"

    def _machine(self) -> StateMachine | None:
        model = self.case_type.model_class()
        return getattr(model, "state_machine", None)

    @property
    def action_label(self) -> str:
        machine = self._machine()
        return machine.action_label(self.action) if machine else self.action

    @property
    def from_label(self) -> str:
        machine = self._machine()
        return machine.state_label(self.from_state) if machine and self.from_state else self.from_state

    @property
    def to_label(self) -> str:
        machine = self._machine()
        return machine.state_label(self.to_state) if machine else self.to_state


def clean_note(note: str | None) -> str:
    note = (note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise InvalidInput(
            gettext("At most %(limit)d characters (this has %(count)d).")
            % {"limit": NOTE_MAX_LENGTH, "count": len(note)},
            field="note",
        )
    return note


def _event(case: models.Model, *, action: str, from_state: str, to_state: str, actor, note: str) -> CaseEvent:
    return CaseEvent.objects.create(
        case_type=ContentType.objects.get_for_model(type(case)),
        case_id=case.pk,
        action=action,
        from_state=from_state,
        to_state=to_state,
        actor=actor,
        note=note,
    )


@transaction.atomic
def open_case(case: models.Model, *, actor, note: str = "") -> CaseEvent:
    """The first event of a case just saved in its machine's initial state."""
    return _event(case, action=OPEN_ACTION, from_state="", to_state=case.status, actor=actor, note=clean_note(note))


@transaction.atomic
def transition(case: models.Model, action: str, *, actor, note: str = "", changes: dict | None = None) -> CaseEvent:
    """Move ``case`` by ``action`` (its model's ``state_machine`` decides), set ``changes``, log the event.

    The row changes only if it is still in the state ``case`` was read in; otherwise
    someone else moved it first and this is a ``Conflict`` too. Capability and geography
    checks are the calling service's: this function knows only the map.
    """
    from core.audit import audit_context

    model = type(case)
    machine: StateMachine = model.state_machine
    note = clean_note(note)
    source = case.status
    target = machine.target(action, source)
    fields = {"status": target, **(changes or {})}
    if any(f.name == "updated_at" for f in model._meta.concrete_fields):
        fields.setdefault("updated_at", timezone.now())
    with audit_context(actor, action=action):
        moved = model._default_manager.filter(pk=case.pk, status=source).update(**fields)
    if moved != 1:
        raise Conflict(
            gettext("Someone else changed this case a moment ago; reload it and try again."),
            code="invalid_transition",
        )
    for name, value in fields.items():
        setattr(case, name, value)
    return _event(case, action=action, from_state=source, to_state=target, actor=actor, note=note)


SYSTEM_USERNAME = "system"


def system_actor():
    """The account automatic changes with no user behind them are recorded under (nightly checks).

    It cannot sign in (inactive, no usable password) and holds no role, so no capability.
    """
    from core.models import Division, DivisionLevel, User

    user = User.objects.filter(username=SYSTEM_USERNAME).first()
    if user is not None:
        return user
    city = Division.objects.filter(level=DivisionLevel.CITY).order_by("code").first()
    if city is None:
        raise RuntimeError("The divisions are not loaded (manage.py load_divisions).")
    user, created = User.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={"role": "", "division": city, "is_active": False, "first_name": "系统自动核查 (automatic)"},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


# --- Consequences across apps -----------------------------------------------------------------

PERSON_DIED = "person_died"  # kwargs: person, death_date, actor, note
DIBAO_ENDED = "dibao_ended"  # kwargs: case (a DibaoCase just suspended or ended), from_month, actor, note
EXTRACT_COMMITTED = "extract_committed"  # kwargs: extract (a data-source extract just committed), actor
PAYMENTS_RETURNED = "payments_returned"  # kwargs: run (a payout run whose bank returns were just recorded), actor
APPLICATION_REFUSED = "application_refused"  # kwargs: case (a DibaoCase or TekunCase just rejected), actor

# Which services react to which cause, in the order they run. Each takes the cause's keyword
# arguments and returns the case events it wrote. Kept as dotted paths so that core depends
# on no app, and so that this list is the one place to read what follows from what.
CONSEQUENCES: dict[str, tuple[str, ...]] = {
    PERSON_DIED: ("relief.services.relief_on_death", "welfare.services.welfare_on_death"),
    DIBAO_ENDED: ("welfare.services.living_subsidies_on_dibao_end",),
    EXTRACT_COMMITTED: ("monitoring.services.warnings_from_extract",),
    PAYMENTS_RETURNED: ("monitoring.services.warnings_from_payment_failures",),
    APPLICATION_REFUSED: ("monitoring.services.warning_on_refusal",),
}


def run_consequences(cause: str, **kwargs) -> list[CaseEvent]:
    """Run every service that reacts to ``cause`` in the caller's transaction; the events they wrote."""
    events: list[CaseEvent] = []
    for path in CONSEQUENCES.get(cause, ()):
        events.extend(import_string(path)(**kwargs) or ())
    return events


def timeline_of(*records: models.Model, actors: bool = True) -> list[CaseEvent]:
    """The events of a case (or of several records, in one query), oldest first, with their actors.

    ``actors=False`` leaves the actor and the record type unjoined, for a reader who is never told
    who did what (a resident's steps read only ``action``, ``at``, ``note`` and ``case_type_id``).
    """
    if not records:
        return []
    condition = Q()
    for record in records:
        condition |= Q(case_type=ContentType.objects.get_for_model(type(record)), case_id=record.pk)
    events = CaseEvent.objects.filter(condition)
    if actors:
        events = events.select_related("actor", "case_type")
    return list(events.order_by("at", "id"))


# --- The abstract benefit case ----------------------------------------------------------------


class BenefitCase(models.Model):
    """What every monthly benefit case has: state, who submitted, reviewed and approved it, when it pays.

    ``start_month`` is the first month paid, ``end_month`` the first month no longer paid
    (set on termination). ``notice_until`` ends the 7-day public notice (公示) that the
    sub-district's review opens (cases on ``NOTICED_CASE_MACHINE``); ``next_review_on`` is the periodic review date.
    """

    state_machine = BENEFIT_CASE_MACHINE

    status = models.CharField(_("status"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.SUBMITTED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approval_level = models.CharField(_("approved at level"), max_length=12, choices=ApprovalLevel.choices, blank=True)
    start_month = models.DateField(_("first month paid"), null=True, blank=True)
    end_month = models.DateField(_("first month no longer paid"), null=True, blank=True)
    notice_until = models.DateField(_("public notice until"), null=True, blank=True)
    last_review_on = models.DateField(_("last periodic review"), null=True, blank=True)
    next_review_on = models.DateField(_("next periodic review"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def in_public_notice(self) -> bool:
        return (
            self.status == CaseStatus.PUBLIC_NOTICE
            and self.notice_until is not None
            and local_today() <= self.notice_until
        )

    @property
    def is_pending(self) -> bool:
        """An application still waiting for its decision."""
        return self.status in PENDING_STATUSES

    @property
    def accepted_on(self) -> datetime.date | None:
        return timezone.localdate(self.created_at) if self.created_at else None

    @property
    def decision_due(self) -> datetime.date | None:
        """The last day of the 30-working-day clock from acceptance to decision."""
        accepted = self.accepted_on
        return add_working_days(accepted, DECISION_WORKING_DAYS) if accepted else None

    @property
    def decision_overdue(self) -> bool:
        due = self.decision_due
        return self.status in PENDING_STATUSES and due is not None and local_today() > due

    @property
    def review_overdue(self) -> bool:
        return (
            self.status in (CaseStatus.ACTIVE, CaseStatus.SUSPENDED)
            and self.next_review_on is not None
            and self.next_review_on < local_today()
        )

    def allowed_actions(self) -> list[str]:
        return self.state_machine.allowed_actions(self.status)

    def status_label(self) -> str:
        return self.state_machine.state_label(self.status)

"""Payout runs and their lines: what the database itself guarantees about paying people.

* One run per scheme and month (``sequence`` 0), and numbered follow-up runs after it that
  re-pay failed lines (``sequence`` 1, 2, …): ``UNIQUE (scheme, period, sequence)``. A run
  is created with ``INSERT … ON CONFLICT DO NOTHING`` against that constraint, so asking
  twice gives the run that exists.
* Never two live lines for one beneficiary, scheme and month: ``UNIQUE (period,
  scheme, beneficiary)`` over every line that has not failed (so also one line per beneficiary
  in a run). A failed line may be re-paid once by a follow-up run; nothing else can pay a
  person twice for a month, whatever runs or workers do.
* Lines are written set-based by the engine (``payouts/engine.py``); they carry no history
  trigger (millions a month): a line is written once, and its later changes (paid,
  failed) come from a logged bank-return import (``ReturnImport``). Runs are history-tracked,
  and every move of a run is a ``RunEvent`` written in the same transaction.
"""

from __future__ import annotations

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.cases import StateMachine, Transition
from core.models import Division
from core.roles import Cap
from people.models import Household, Person

MONEY = {"max_digits": 14, "decimal_places": 2}
LINE_MONEY = {"max_digits": 12, "decimal_places": 2}
CITY_CODE = "370200"


class PayoutScheme(models.TextChoices):
    DIBAO = "dibao", _("Dibao (minimum living allowance)")
    TEKUN = "tekun", _("Tekun (extreme-poverty support)")
    ORPHAN = "orphan", _("Orphans' basic living allowance")
    DISABILITY_LIVING = "disability_living", _("Living subsidy for poor persons with disabilities")
    DISABILITY_NURSING = "disability_nursing", _("Nursing subsidy for severe disabilities")
    PRICE_SUBSIDY = "price_subsidy", _("Price-linked temporary subsidy")
    TEMPORARY_RELIEF = "temporary_relief", _("Temporary relief")
    ELDERLY_OPERATING = "elderly_operating", _("Operating subsidies to elderly-care institutions")


# Schemes paid once per case (a temporary-relief claim), not once per beneficiary and month: two
# claims of one household in a month are two lines. Their "never paid twice" key is the case.
PER_CASE_SCHEMES = (PayoutScheme.TEMPORARY_RELIEF, PayoutScheme.ELDERLY_OPERATING)
# Schemes whose payee is an institution, not a person: their lines have no beneficiary and no household;
# the scheme tells the bank file whom it pays (``payees``). Their "never paid twice" key is the case too.
INSTITUTION_SCHEMES = (PayoutScheme.ELDERLY_OPERATING,)


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    COMPUTING = "computing", _("Computing")
    COMPUTED = "computed", _("Computed, awaiting approval")
    APPROVED = "approved", pgettext_lazy("payout run", "Approved")
    EXPORTED = "exported", _("Bank file exported")
    RECONCILED = "reconciled", _("Reconciled with the bank")
    FAILED = "failed", pgettext_lazy("payout run", "Failed")


class RunOrigin(models.TextChoices):
    MANUAL = "manual", _("Started by hand")
    SCHEDULE = "schedule", _("Monthly schedule")
    PRICE_INDEX = "price_index", _("Triggering price index")
    FOLLOW_UP = "follow_up", _("Follow-up of failed lines")


class LineStatus(models.TextChoices):
    PENDING = "pending", _("To be paid")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Payment failed")


REQUEST_ACTION = "request"

_R = RunStatus
RUN_MACHINE = StateMachine(
    [
        Transition("start", frozenset({_R.QUEUED}), _R.COMPUTING, _("Computation started")),
        Transition("resume", frozenset({_R.COMPUTING}), None, _("Computation resumed after an interruption")),
        Transition("finish", frozenset({_R.COMPUTING}), _R.COMPUTED, _("Computed")),
        Transition("fail", frozenset({_R.QUEUED, _R.COMPUTING}), _R.FAILED, _("Failed")),
        Transition("restart", frozenset({_R.QUEUED, _R.COMPUTING, _R.FAILED}), _R.QUEUED, _("Restarted")),
        Transition("recompute", frozenset({_R.COMPUTED}), _R.QUEUED, _("Sent back to be computed again")),
        Transition("approve", frozenset({_R.COMPUTED}), _R.APPROVED, pgettext_lazy("payout action", "Approved")),
        Transition("export", frozenset({_R.APPROVED, _R.EXPORTED}), _R.EXPORTED, _("Bank file exported")),
        Transition("record_returns", frozenset({_R.EXPORTED}), None, _("Bank returns recorded")),
        Transition("reconcile", frozenset({_R.EXPORTED}), _R.RECONCILED, _("Reconciled")),
    ],
    initial=_R.QUEUED,
    labels=dict(RunStatus.choices),
)


class SnapshotField(models.JSONField):
    """A JSON record kept exactly as written: PostgreSQL ``json`` (text), not ``jsonb``.

    A line's snapshot is written once, read whole and never queried into; ``json`` keeps
    its amounts as written (``880.00``) and costs a fifth of ``jsonb`` to build in bulk.
    """

    def db_type(self, connection) -> str:
        return "json"

    def from_db_value(self, value, expression, connection):
        if isinstance(value, dict | list):  # psycopg2 already parsed the json type
            return value
        return super().from_db_value(value, expression, connection)


def default_division() -> str:
    return CITY_CODE


@pghistory.track(
    fields=[
        "status",
        "line_count",
        "total_amount",
        "approved_by",
        "approved_at",
        "exported_by",
        "exported_at",
        "reconciled_at",
        "error",
    ],
    model_name="PayoutRunHistory",
)
class PayoutRun(models.Model):
    """One scheme's payment for one month (or a follow-up re-paying that month's failed lines)."""

    scope_field = "division"
    scope_view_cap = Cap.PAYOUT_VIEW
    state_machine = RUN_MACHINE

    scheme = models.CharField(_("scheme"), max_length=24, choices=PayoutScheme.choices)
    period = models.DateField(_("month"))
    sequence = models.PositiveSmallIntegerField(
        _("sequence"), default=0, help_text=_("0 for the month's run; 1, 2, … for follow-ups re-paying failed lines.")
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("follow-up of"),
        on_delete=models.PROTECT,
        related_name="follow_ups",
        null=True,
        blank=True,
    )
    origin = models.CharField(_("origin"), max_length=12, choices=RunOrigin.choices, default=RunOrigin.MANUAL)
    division = models.ForeignKey(
        Division,
        verbose_name=_("paying division"),
        on_delete=models.PROTECT,
        related_name="+",
        default=default_division,
        db_index=False,
    )
    status = models.CharField(_("status"), max_length=12, choices=RunStatus.choices, default=RunStatus.QUEUED)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text=_("Empty when the schedule or a price index started it."),
    )
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Computation: the frozen plan (rates, passes and id ranges), where it has got to, who holds it.
    plan = models.JSONField(_("plan"), null=True, blank=True, editable=False)
    pass_index = models.PositiveSmallIntegerField(_("pass"), default=0, editable=False)
    cursor = models.BigIntegerField(_("cursor"), null=True, blank=True, editable=False)
    chunks_total = models.PositiveIntegerField(_("chunks"), default=0, editable=False)
    chunks_done = models.PositiveIntegerField(_("chunks done"), default=0, editable=False)
    computing_started_at = models.DateTimeField(_("computation started at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)
    worker = models.CharField(_("worker"), max_length=120, blank=True)
    error = models.TextField(_("error"), blank=True)
    # Control totals: kept up to date chunk by chunk, checked against the lines at the end,
    # frozen at approval, checked again on every export.
    line_count = models.PositiveIntegerField(_("lines"), default=0)
    total_amount = models.DecimalField(_("total"), default=0, **MONEY)
    skipped_count = models.PositiveIntegerField(
        _("selected but already paid"),
        default=0,
        help_text=_("Beneficiaries a case selected who already have a line for this scheme and month."),
    )
    approved_line_count = models.PositiveIntegerField(_("lines approved"), null=True, blank=True)
    approved_total = models.DecimalField(_("total approved"), null=True, blank=True, **MONEY)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    exported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("exported by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    exported_at = models.DateTimeField(_("exported at"), null=True, blank=True)
    reconciled_at = models.DateTimeField(_("reconciled at"), null=True, blank=True)
    summary = models.JSONField(_("review summary"), null=True, blank=True, editable=False)
    # The id range of the run's lines, recorded when it is computed: reads of one run start at its
    # first line whatever index the planner prefers (a run's lines sit together).
    first_line_id = models.BigIntegerField(null=True, blank=True, editable=False)
    last_line_id = models.BigIntegerField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("payout run")
        verbose_name_plural = _("payout runs")
        ordering = ["-period", "scheme", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "period", "sequence"], name="payout_run_one_per_scheme_month"),
            models.CheckConstraint(condition=Q(period__day=1), name="payout_run_period_first_day"),
            models.CheckConstraint(
                condition=Q(sequence=0, parent__isnull=True) | Q(sequence__gt=0, parent__isnull=False),
                name="payout_run_follow_up_has_parent",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["approved", "exported", "reconciled"])
                | Q(approved_by__isnull=False, approved_line_count__isnull=False),
                name="payout_run_approved_has_approver",
            ),
        ]
        indexes = [models.Index(fields=["status", "-period"], name="payout_run_status_period")]

    def __str__(self) -> str:
        label = f"{self.get_scheme_display()} {self.period:%Y-%m}"
        if self.sequence:
            label += " " + str(_("follow-up %(n)d") % {"n": self.sequence})
        return label

    @property
    def reference(self) -> str:
        """The batch reference the bank file carries and its return must quote."""
        return f"PR{self.pk:08d}"

    @property
    def progress(self) -> int:
        """Percent computed (0–100)."""
        if self.status in (RunStatus.QUEUED,):
            return 0
        if self.status not in (RunStatus.COMPUTING, RunStatus.FAILED):
            return 100
        if not self.chunks_total:
            return 0
        return min(100, int(self.chunks_done * 100 / self.chunks_total))

    def status_label(self) -> str:
        return self.state_machine.state_label(self.status)


# The names of the "never paid twice" keys (the engine recognises a conflict by them).
LIVE_LINE_KEY = "payout_line_once_per_scheme_month"
LIVE_CASE_KEY = "payout_line_once_per_case"
LIVE_SUBSIDY_KEY = "payout_line_once_per_institution_subsidy"
LIVE_KEYS = frozenset({LIVE_LINE_KEY, LIVE_CASE_KEY, LIVE_SUBSIDY_KEY})


def conflict_target(scheme: str) -> str:
    """The ``ON CONFLICT`` target of a scheme's "never paid twice" key (the index's own predicate)."""
    if scheme in INSTITUTION_SCHEMES:
        return "(source_id) WHERE scheme = 'elderly_operating' AND status <> 'failed'"
    if scheme in PER_CASE_SCHEMES:
        return "(source_id) WHERE scheme = 'temporary_relief' AND status <> 'failed'"
    return "(period, scheme, beneficiary_id) WHERE status <> 'failed' AND scheme <> 'temporary_relief'"


class PayoutLine(models.Model):
    """One payment to one beneficiary in one run, with the facts that produced its amount.

    ``beneficiary`` is the payee (the household head for dibao, the person otherwise);
    ``household`` the household whose bank account receives it; ``source_id`` the case it
    comes from (its table follows from the scheme, or ``snapshot["group"]`` for the price
    subsidy); ``division`` the beneficiary's community (the line's geography).
    """

    scope_field = "division"
    scope_view_cap = Cap.PAYOUT_VIEW

    run = models.ForeignKey(
        PayoutRun,
        verbose_name=_("run"),
        on_delete=models.CASCADE,
        related_name="lines",
        db_index=False,
        db_constraint=False,
    )
    scheme = models.CharField(_("scheme"), max_length=24, choices=PayoutScheme.choices)
    period = models.DateField(_("month"))
    # References are kept by Django (CASCADE from the run, PROTECT for people, households and
    # divisions), not by a trigger per row: the engine writes millions of lines from joins on those
    # very rows inside the run's own chunk transactions, and a foreign-key check per line would
    # cost as much as writing the line. Runs are never deleted (their events are append-only).
    beneficiary = models.ForeignKey(
        Person,
        verbose_name=_("beneficiary"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        db_index=False,
        db_constraint=False,
        help_text=_("Empty when the payee is an institution."),
    )
    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        db_index=False,
        db_constraint=False,
    )
    source_id = models.BigIntegerField(_("case"))
    division = models.ForeignKey(
        Division,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    amount = models.DecimalField(_("amount"), **LINE_MONEY)
    status = models.CharField(_("status"), max_length=8, choices=LineStatus.choices, default=LineStatus.PENDING)
    snapshot = SnapshotField(_("how the amount was made"))
    replaces = models.ForeignKey(
        "self",
        verbose_name=_("re-pays"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        db_index=False,
        db_constraint=False,
    )
    failure_reason = models.CharField(_("reason for failure"), max_length=200, blank=True, db_default="")
    failed_account_digest = models.CharField(max_length=64, blank=True, editable=False, db_default="")
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("payout line")
        verbose_name_plural = _("payout lines")
        constraints = [
            # Never paid twice: one line per beneficiary, scheme and month that has not failed (a
            # failed one may be re-paid once, by a follow-up run). Month first: a month's runs
            # then write into the month's own end of the key, whose pages stay in memory however
            # many years of lines the table holds; with the beneficiary first, every month's
            # millions of lines land next to each beneficiary's earlier months, all over a key
            # that grows by a month's lines every month (bench/RESULTS.md, fifth session). Every
            # lookup by the key gives all three columns.
            models.UniqueConstraint(
                fields=["period", "scheme", "beneficiary"],
                condition=~Q(status="failed") & ~Q(scheme="temporary_relief"),
                name=LIVE_LINE_KEY,
            ),
            # A temporary-relief claim is paid once, whatever month or run pays it (a failed line may be
            # re-paid once by a follow-up run, as above); a claim paid in cash at the window is never
            # selected (its claim row says so, and the selection locks the claims it pays).
            models.UniqueConstraint(
                fields=["source_id"],
                condition=Q(scheme="temporary_relief") & ~Q(status="failed"),
                name=LIVE_CASE_KEY,
            ),
            # An institution's operating subsidy is paid once, like a temporary-relief claim: the key is the subsidy.
            models.UniqueConstraint(
                fields=["source_id"],
                condition=Q(scheme="elderly_operating") & ~Q(status="failed"),
                name=LIVE_SUBSIDY_KEY,
            ),
            # Only an institution's scheme pays a line without a person.
            models.CheckConstraint(
                condition=Q(beneficiary__isnull=False) | Q(scheme__in=[str(s) for s in INSTITUTION_SCHEMES]),
                name="payout_line_payee_is_a_person_or_an_institution",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payout_line_amount_positive"),
            models.CheckConstraint(
                condition=~Q(status="failed") | ~Q(failure_reason=""), name="payout_line_failure_has_reason"
            ),
        ]
        indexes = [
            models.Index(fields=["run", "id"], name="payout_line_run"),
            # Only the few failed lines are indexed by status (follow-ups and the failed-lines list read them).
            models.Index(fields=["run"], name="payout_line_failed", condition=Q(status="failed")),
            models.Index(fields=["replaces"], name="payout_line_replaces", condition=Q(replaces__isnull=False)),
            # Whether a claim has a line at all (paid, to be paid or failed): the temporary-relief selection.
            models.Index(fields=["source_id"], name="payout_line_claim", condition=Q(scheme="temporary_relief")),
        ]
        # Money already computed is history (domain.md): once written, a line's beneficiary, household,
        # amount, month, scheme, run and case cannot be changed by any statement, and its status moves
        # only along its path (to be paid → paid or failed); every status change is a
        # ``LineStatusEvent``. Both are plain SQL triggers (``payouts/migrations/0007_line_status_events.py``), not
        # pgtrigger's: those can be skipped by anyone with ``SET pgtrigger.ignore``; these cannot, by
        # the application's role or the owner. A correction is a new line in a follow-up run.

    def __str__(self) -> str:
        return f"{self.run_id}/{self.beneficiary_id} {self.amount}"


class RunEvent(models.Model):
    """One move of a run: who (empty for the system: schedule, worker), when, from, to, why.

    Append-only: the database refuses UPDATE and DELETE.
    """

    run = models.ForeignKey(PayoutRun, verbose_name=_("run"), on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=20)
    from_state = models.CharField(_("from"), max_length=12, blank=True)
    to_state = models.CharField(_("to"), max_length=12)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+", null=True
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("payout run event")
        verbose_name_plural = _("payout run events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["run", "at"], name="payout_event_run_at")]
        triggers = [pgtrigger.Protect(name="payout_event_append_only", operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.action} {self.from_state}→{self.to_state}"

    @property
    def action_label(self) -> str:
        return RUN_MACHINE.action_label(self.action) if self.action != REQUEST_ACTION else str(_("Requested"))

    @property
    def to_label(self) -> str:
        return RUN_MACHINE.state_label(self.to_state)


class FileFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"


class BankExport(models.Model):
    """Every bank file produced (the one place full bank accounts leave the portal): who, when, what."""

    run = models.ForeignKey(PayoutRun, verbose_name=_("run"), on_delete=models.PROTECT, related_name="exports")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    file_format = models.CharField(_("format"), max_length=4, choices=FileFormat.choices)
    line_count = models.PositiveIntegerField(_("lines"))
    total_amount = models.DecimalField(_("total"), **MONEY)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("bank file export")
        verbose_name_plural = _("bank file exports")
        ordering = ["-at"]
        triggers = [pgtrigger.Protect(name="bank_export_append_only", operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.run_id} {self.file_format} {self.at:%Y-%m-%d %H:%M}"


class ImportOutcome(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    REFUSED = "refused", _("Refused, nothing changed")


class ReturnImport(models.Model):
    """A bank return file offered for a run: accepted as a whole, or refused as a whole with its errors."""

    run = models.ForeignKey(PayoutRun, verbose_name=_("run"), on_delete=models.PROTECT, related_name="return_imports")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    filename = models.CharField(_("file"), max_length=200)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    outcome = models.CharField(_("outcome"), max_length=10, choices=ImportOutcome.choices)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    paid = models.PositiveIntegerField(_("paid"), default=0)
    failed = models.PositiveIntegerField(_("failed"), default=0)
    unchanged = models.PositiveIntegerField(_("already recorded"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)

    class Meta:
        verbose_name = _("bank return import")
        verbose_name_plural = _("bank return imports")
        ordering = ["-at"]
        triggers = [pgtrigger.Protect(name="return_import_append_only", operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.run_id} {self.filename} {self.outcome}"


class LineActorKind(models.TextChoices):
    USER = "user", _("A user of the portal")
    SYSTEM = "system", _("The portal itself")
    DATABASE = "database", _("Changed directly in the database")


class LineStatusEvent(models.Model):
    """One status change of one payout line (paid, failed): from, to, when, who, which run and return file.

    Written by the database, never by code: a statement-level trigger on the lines
    (``payout_line_status_events``, migration 0007) inserts one row per changed line, set-based,
    whatever statement changed them (the bank-return import, a raw ``UPDATE`` in psql). The actor
    comes from the pghistory context (the user; the portal without one; "database" for a session
    outside the portal), the time from the application's clock (``payouts.services.stamp``) or,
    outside the portal, the database's. Append-only and hash-chained (``core.auditchain``); the
    application's role may not even insert here (only the trigger's owner-defined function does).
    """

    line = models.ForeignKey(
        PayoutLine,
        verbose_name=_("payout line"),
        on_delete=models.DO_NOTHING,
        related_name="status_events",
        db_constraint=False,
        db_index=False,
    )
    run = models.ForeignKey(
        PayoutRun,
        verbose_name=_("run"),
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    return_import = models.ForeignKey(
        ReturnImport,
        verbose_name=_("bank return file"),
        on_delete=models.DO_NOTHING,
        related_name="line_events",
        null=True,
        blank=True,
        db_constraint=False,
        db_index=False,
    )
    from_status = models.CharField(_("from"), max_length=8, choices=LineStatus.choices)
    to_status = models.CharField(_("to"), max_length=8, choices=LineStatus.choices)
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.DO_NOTHING,
        related_name="+",
        null=True,
        blank=True,
        db_constraint=False,
    )
    actor_kind = models.CharField(_("changed by"), max_length=8, choices=LineActorKind.choices)
    context = models.ForeignKey(
        "pghistory.Context",
        verbose_name=_("context"),
        on_delete=models.DO_NOTHING,
        related_name="+",
        null=True,
        blank=True,
        db_constraint=False,
        db_index=False,
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("payout line status change")
        verbose_name_plural = _("payout line status changes")
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["line", "id"], name="payout_line_event_line"),
            models.Index(
                fields=["return_import"], name="payout_line_event_import", condition=Q(return_import__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.line_id} {self.from_status}→{self.to_status}"

"""Data checking (信息核对): other departments' data, matched against who receives what.

* ``DataSource``: a department's data item (deaths, vehicles, real estate, …), matched by
  ID number, and what a hit means (``effect``).
* ``Extract`` and ``ExtractRow``: one month's data of a source, loaded all or nothing. A
  previewed extract's rows are staged; only a committed extract is checked against.
* ``CrossCheckRun``: one pass of every ongoing beneficiary against the latest committed
  extract of each active source (set-based SQL, ``datacheck/engine.py``).
* ``ReviewItem``: one hit, for the beneficiary's sub-district to confirm (the benefits are
  suspended or ended through their own services) or dismiss with a reason. One item per
  extract and person: the database refuses a second (a run is idempotent).
"""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.cases import StateMachine, Transition
from core.idnumbers import mask_id_number
from core.models import Division
from core.roles import Cap
from people.models import Person


class Effect(models.TextChoices):
    DEATH = "death", _("Death record: benefits end from the month after the death")
    REVIEW = "review", _("Caseworker review: the benefits are suspended or ended if confirmed")
    RISK = "risk", _("Risk signal: a warning for the household's sub-district (low-income monitoring)")


# Sources whose hits are about benefits paid in error (cross-check runs); a risk source raises warnings instead.
BENEFIT_EFFECTS = (Effect.DEATH, Effect.REVIEW)


class MatchingKey(models.TextChoices):
    ID_NUMBER = "id_number", _("Resident ID number")


@pghistory.track()
class DataSource(models.Model):
    """One department's data item, registered by an administrator."""

    scope_field = None  # reference data of the bureau: the same for everyone who may see it
    scope_view_cap = Cap.DATACHECK_VIEW

    department = models.CharField(_("department"), max_length=100)
    item = models.CharField(_("data item"), max_length=100)
    matching_key = models.CharField(
        _("matching key"), max_length=16, choices=MatchingKey.choices, default=MatchingKey.ID_NUMBER
    )
    effect = models.CharField(_("what a hit means"), max_length=8, choices=Effect.choices)
    active = models.BooleanField(_("checked in cross-check runs"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("registered by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("data source")
        verbose_name_plural = _("data sources")
        ordering = ["department", "item"]
        constraints = [
            models.UniqueConstraint(fields=["department", "item"], name="datasource_unique_item"),
            models.CheckConstraint(condition=Q(effect__in=["death", "review", "risk"]), name="datasource_effect_known"),
        ]

    def __str__(self) -> str:
        return f"{self.department} · {self.item}"


class ExtractStatus(models.TextChoices):
    VALIDATING = "validating", _("Being checked")
    PREVIEWED = "previewed", _("Previewed")
    REJECTED = "rejected", _("Rejected")
    COMMITTED = "committed", _("Committed")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), exclude=["content", "heartbeat_at"])
class Extract(models.Model):
    """One upload of a source's data. Rejected: no rows kept. Previewed: rows staged. Committed: checked.

    A large file is kept in ``content`` while Celery checks it (``validating``); it is dropped
    once its rows are staged or the file rejected.
    """

    scope_field = None
    scope_view_cap = Cap.DATACHECK_VIEW

    source = models.ForeignKey(
        DataSource, verbose_name=_("data source"), on_delete=models.PROTECT, related_name="extracts"
    )
    file_name = models.CharField(_("file"), max_length=200)
    status = models.CharField(_("status"), max_length=12, choices=ExtractStatus.choices)
    content = models.BinaryField(_("file content"), null=True, blank=True)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("committed by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    committed_at = models.DateTimeField(_("committed at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)  # core/jobs.py

    class Meta:
        verbose_name = _("extract")
        verbose_name_plural = _("extracts")
        ordering = ["-uploaded_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="committed") | Q(committed_at__isnull=False), name="extract_committed_has_time"
            ),
        ]
        indexes = [models.Index(fields=["source", "status", "-committed_at"], name="extract_latest")]

    def __str__(self) -> str:
        return f"{self.source} · {self.file_name}"


class ExtractRow(models.Model):
    """One line of an extract (loaded with COPY, never one save per row)."""

    extract = models.ForeignKey(Extract, on_delete=models.CASCADE, related_name="+", db_index=False)
    line = models.PositiveIntegerField(_("line"))
    id_number = models.CharField(_("ID number"), max_length=18)
    event_date = models.DateField(_("date"), null=True, blank=True)
    detail = models.CharField(_("detail"), max_length=200, blank=True)
    # A risk extract's (low-income monitoring): what happened, and what it cost where the source says.
    kind = models.CharField(_("kind"), max_length=40, blank=True, default="")
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("extract row")
        verbose_name_plural = _("extract rows")
        indexes = [models.Index(fields=["extract", "id_number"], name="extractrow_extract_idnumber")]

    def __str__(self) -> str:
        return f"{self.line}: {mask_id_number(self.id_number)}"


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class CrossCheckRun(models.Model):
    """One pass of every ongoing beneficiary against the latest committed extract of each active source."""

    scope_field = None
    scope_view_cap = Cap.DATACHECK_VIEW

    status = models.CharField(_("status"), max_length=8, choices=RunStatus.choices, default=RunStatus.QUEUED)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("started by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    extracts = models.JSONField(_("extracts checked"), default=list, blank=True)
    sources_total = models.PositiveIntegerField(_("sources to check"), default=0)
    sources_done = models.PositiveIntegerField(_("sources checked"), default=0)
    beneficiaries = models.PositiveIntegerField(_("beneficiaries checked"), default=0)
    items_created = models.PositiveIntegerField(_("new review items"), default=0)
    error = models.TextField(_("error"), blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)  # core/jobs.py

    class Meta:
        verbose_name = _("cross-check run")
        verbose_name_plural = _("cross-check runs")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return _("Cross-check run %(id)s") % {"id": self.pk}

    @property
    def progress(self) -> int:
        if self.status == RunStatus.DONE:
            return 100
        if not self.sources_total:
            return 0
        return min(99, self.sources_done * 100 // self.sources_total)


class ItemStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CONFIRMED = "confirmed", _("Confirmed")
    DISMISSED = "dismissed", _("Dismissed")


REVIEW_MACHINE = StateMachine(
    [
        Transition("confirm", frozenset({ItemStatus.OPEN}), ItemStatus.CONFIRMED, _("Confirmed")),
        Transition("dismiss", frozenset({ItemStatus.OPEN}), ItemStatus.DISMISSED, _("Dismissed")),
    ],
    initial=ItemStatus.OPEN,
    labels=dict(ItemStatus.choices),
)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class ReviewItem(models.Model):
    """A hit: ``person`` receives ``benefits`` and appears in ``extract`` of ``source``.

    ``division`` is the beneficiary's sub-district (whose staff review it); ``benefits`` is
    the list of ongoing benefits found by the run, ``[{"benefit", "case"}]``.
    """

    scope_field = "division"
    division_follow = {"division": Q(status="open")}  # open hits go to the new sub-district
    scope_view_cap = Cap.DATACHECK_ITEMS
    state_machine = REVIEW_MACHINE

    run = models.ForeignKey(
        CrossCheckRun, verbose_name=_("run"), on_delete=models.PROTECT, related_name="items", null=True, blank=True
    )
    source = models.ForeignKey(DataSource, verbose_name=_("data source"), on_delete=models.PROTECT, related_name="+")
    extract = models.ForeignKey(Extract, verbose_name=_("extract"), on_delete=models.PROTECT, related_name="+")
    row_line = models.PositiveIntegerField(_("line in the extract"))
    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+")
    division = models.ForeignKey(Division, verbose_name=_("sub-district"), on_delete=models.PROTECT, related_name="+")
    benefits = models.JSONField(_("benefits affected"), default=list)
    event_date = models.DateField(_("date in the extract"), null=True, blank=True)
    detail = models.CharField(_("detail in the extract"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ItemStatus.choices, default=ItemStatus.OPEN)
    note = models.TextField(_("note"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("found at"), auto_now_add=True)

    class Meta:
        verbose_name = _("review item")
        verbose_name_plural = _("review items")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["extract", "person"], name="reviewitem_once_per_extract_and_person"),
            models.CheckConstraint(
                condition=Q(status__in=["open", "confirmed", "dismissed"]), name="reviewitem_status_known"
            ),
        ]
        indexes = [
            models.Index(fields=["division", "status"], name="reviewitem_division_status"),
            models.Index(fields=["person", "source"], name="reviewitem_person_source"),
        ]

    def __str__(self) -> str:
        return _("Review item %(id)s") % {"id": self.pk}

    def allowed_actions(self) -> list[str]:
        return self.state_machine.allowed_actions(self.status)

    def status_label(self) -> str:
        return self.state_machine.state_label(self.status)


# --- Poverty-registered households (建档立卡贫困户) ----------------------------------------------


@pghistory.track()
class PovertyHousehold(models.Model):
    """A household on the poverty-alleviation office's register (建档立卡), from its extract.

    Loaded through ``imports/`` (kind ``poverty_households``): one row per household, named by
    its head's ID number (a second extract updates the row). The portal's own household is
    found by that number when the coverage check runs (``selectors.poverty_households``), so a
    household registered after the extract is matched without loading it again. ``community``
    is the extract's community: whose staff follow the household up.
    """

    scope_field = "community"
    division_follow = ("community",)
    scope_view_cap = Cap.DATACHECK_ITEMS

    head_id_number = models.CharField(_("head's ID number"), max_length=18, unique=True)
    head_name = models.CharField(_("head of household"), max_length=50)
    community = models.ForeignKey(
        Division, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    members = models.PositiveSmallIntegerField(_("household members"))
    registered_year = models.PositiveSmallIntegerField(_("year registered"))
    lifted = models.BooleanField(_("lifted out of poverty"), default=False)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("imported by"), on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField(_("imported at"), auto_now=True)

    class Meta:
        verbose_name = _("poverty-registered household")
        verbose_name_plural = _("poverty-registered households")
        indexes = [models.Index(fields=["community", "id"], name="povertyhh_community")]
        constraints = [
            models.CheckConstraint(
                condition=Q(head_id_number__regex=r"^[0-9]{17}[0-9X]$"), name="povertyhh_id_number_format"
            ),
            models.CheckConstraint(condition=Q(members__gte=1), name="povertyhh_members_at_least_one"),
        ]

    def __str__(self) -> str:
        return _("Poverty-registered household of %(name)s") % {"name": self.head_name}

    @property
    def head_id_number_masked(self) -> str:
        return mask_id_number(self.head_id_number)

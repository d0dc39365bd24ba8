"""Bulk imports: an uploaded spreadsheet, its preview report, and its all-or-nothing commit."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import Division
from core.roles import Cap


class ImportKind(models.TextChoices):
    HOUSEHOLDS = "households", _("Households and members")
    DIBAO = "dibao", _("Existing dibao cases")
    TEKUN = "tekun", _("Existing tekun cases")
    ORPHAN = "orphan", _("Existing orphans' allowance cases")
    DISABILITY_LIVING = "disability_living", _("Existing living subsidies for people with disabilities")
    DISABILITY_NURSING = "disability_nursing", _("Existing nursing subsidies for people with severe disabilities")
    VOLUNTEERS = "volunteers", _("Registered volunteers per district (volunteer platform)")
    POVERTY_HOUSEHOLDS = "poverty_households", _("Poverty-registered households (poverty-alleviation office)")
    HOUSEHOLD_FINANCES = "household_finances", _("Household income and expenses (no case needed)")


class ImportStatus(models.TextChoices):
    VALIDATING = "validating", _("Checking the rows")
    PREVIEWED = "previewed", _("Ready to write")
    REJECTED = "rejected", _("Rows with errors: nothing can be written")
    COMMITTING = "committing", _("Writing")
    COMMITTED = "committed", _("Written")
    FAILED = "failed", _("Failed: nothing was written")


class ImportJob(models.Model):
    """One uploaded file of one kind. The file is kept with the job until it is written or refused.

    ``errors`` is the report: ``[{"row": spreadsheet line, "field", "message"}]``; ``summary``
    adds the kind's own counts (households to create, …).
    """

    scope_field = "division"
    division_follow = ()
    scope_view_cap = Cap.IMPORT_DATA

    kind = models.CharField(_("kind"), max_length=20, choices=ImportKind.choices)
    status = models.CharField(_("status"), max_length=12, choices=ImportStatus.choices)
    division = models.ForeignKey(
        Division, verbose_name=_("uploaded in"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    file_name = models.CharField(_("file"), max_length=200)
    file_size = models.PositiveIntegerField(_("file size"), default=0)
    content = models.BinaryField(_("content"), null=True, blank=True)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    to_create = models.PositiveIntegerField(_("to create"), default=0)
    to_update = models.PositiveIntegerField(_("to update"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    failure = models.TextField(_("why it failed"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)  # core/jobs.py
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    committed_at = models.DateTimeField(_("written at"), null=True, blank=True)
    seconds = models.FloatField(_("seconds taken"), null=True, blank=True)
    plan = models.BinaryField(_("checked rows"), null=True, blank=True)  # the preview's rows, for the commit

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        indexes = [models.Index(fields=["division", "-id"], name="importjob_division_recent")]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="importjob_progress_percent"),
        ]

    def __str__(self) -> str:
        return self.file_name

    @property
    def is_running(self) -> bool:
        return self.status in (ImportStatus.VALIDATING, ImportStatus.COMMITTING)

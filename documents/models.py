"""Attachments: the evidence a case carries (ID cards, household register, income proofs…)."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from documents.storage import attachment_storage


class AttachmentKind(models.TextChoices):
    ID_CARD = "id_card", _("ID card")
    HOUSEHOLD_REGISTER = "household_register", _("Household register")
    INCOME_PROOF = "income_proof", _("Income proof")
    AUTHORIZATION = "authorization", _("Authorization")
    HOME_VISIT = "home_visit", _("Home visit")
    OTHER = "other", _("Other")


@pghistory.track()
class Attachment(models.Model):
    """One stored file attached to one record (a case, claim, registration or application).

    A replaced file is kept: the new one points at it (``replaces``) and it is marked superseded.
    A removed one (only before its case is decided) is marked removed and its bytes deleted.
    """

    # Visible exactly where its record is: every read finds the record first, scoped
    # (documents.selectors), so the attachment itself carries no geography of its own.
    scope_field = None
    scope_view_cap = None

    content_type = models.ForeignKey(ContentType, verbose_name=_("record type"), on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField(_("record"))
    record = GenericForeignKey("content_type", "object_id")
    kind = models.CharField(_("kind"), max_length=24, choices=AttachmentKind.choices)
    file = models.FileField(_("file"), storage=attachment_storage, max_length=200)
    thumbnail = models.FileField(_("thumbnail"), storage=attachment_storage, max_length=200, blank=True)
    original_name = models.CharField(_("file name"), max_length=200)
    media_type = models.CharField(_("file type"), max_length=40)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("checksum"), max_length=64)
    width = models.PositiveIntegerField(_("width"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    replaces = models.OneToOneField(
        "self",
        verbose_name=_("replaces"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
    )
    superseded_at = models.DateTimeField(_("replaced at"), null=True, blank=True)
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("removed by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["-uploaded_at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="attachment_record")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.original_name}"

    @property
    def is_current(self) -> bool:
        return self.superseded_at is None and self.removed_at is None

    @property
    def is_image(self) -> bool:
        return self.media_type.startswith("image/")

"""Writes of attachments: add, replace, remove, and the logged download."""

from __future__ import annotations

import hashlib
from pathlib import PurePath

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_context
from core.cases import clean_note
from core.errors import Conflict, InvalidInput
from core.idnumbers import mask_id_number
from core.logmask import ID_NUMBER
from core.models import RevealLog
from core.permissions import require_can
from core.uploads import Limits, Scan, thumbnail
from documents import history as document_history
from documents.models import Attachment, AttachmentKind
from documents.storage import attachment_storage, new_name


def upload_limits() -> Limits:
    from django.conf import settings

    # The multipart body is capped at MAX_UPLOAD_SIZE (core.middleware); the file a little below it.
    return Limits(max_bytes=settings.MAX_UPLOAD_SIZE - 64 * 1024)


def _clean_name(name: str, extension: str) -> str:
    """The uploader's file name, kept for people to read: no path, no control characters, our extension."""
    stem = PurePath((name or "").replace("\\", "/")).stem
    stem = "".join(ch for ch in stem if ch.isprintable() and ch not in '<>:"/\\|?*').strip(" .")[:150]
    stem = ID_NUMBER.sub(lambda m: mask_id_number(m.group(0)), stem)  # a scan named by its owner's number
    return f"{stem or 'scan'}.{extension}"


def _store(scan: Scan) -> tuple[str, str]:
    """Save the file (and an image's thumbnail) in the attachment storage; their storage names."""
    storage = attachment_storage()
    name = storage.save(new_name(scan.extension), ContentFile(scan.content))
    thumb_name = ""
    small = thumbnail(scan)
    if small is not None:
        thumb_name = storage.save(new_name("jpg", folder="thumbnails"), ContentFile(small))
    return name, thumb_name


def _discard(*names: str) -> None:
    storage = attachment_storage()
    for name in names:
        if name:
            storage.delete(name)


def _create(
    *, actor, record: Model, scan: Scan, kind: str, file_name: str, note: str, name: str, thumb_name: str, replaces=None
) -> Attachment:
    return Attachment.objects.create(
        content_type=ContentType.objects.get_for_model(type(record)),
        object_id=record.pk,
        kind=kind,
        file=name,
        thumbnail=thumb_name,
        original_name=_clean_name(file_name, scan.extension),
        media_type=scan.media_type,
        size=len(scan.content),
        sha256=hashlib.sha256(scan.content).hexdigest(),
        width=scan.width,
        height=scan.height,
        note=note,
        uploaded_by=actor,
        replaces=replaces,
    )


def attachment_add(*, actor, record: Model, scan: Scan, kind: str, file_name: str = "", note: str = "") -> Attachment:
    """Attach a scan (already read by ``core.uploads.read_scan``) to ``record``."""
    require_can(actor, "attach", record)
    return _add(actor=actor, record=record, scan=scan, kind=kind, file_name=file_name, note=note)


def attachment_add_for_owner(
    *, uploader, record: Model, scan: Scan, kind: str, file_name: str = "", note: str = ""
) -> Attachment:
    """Attach a scan for someone who is not staff: a resident to their own online application
    (``residents.services``). The caller has checked that ``record`` is theirs and may still take
    files; ``uploader`` is the account the upload is recorded under (``residents``' online account)."""
    return _add(actor=uploader, record=record, scan=scan, kind=kind, file_name=file_name, note=note)


def _add(*, actor, record: Model, scan: Scan, kind: str, file_name: str, note: str) -> Attachment:
    note = clean_note(note)[:200]
    if kind not in AttachmentKind.values:
        raise InvalidInput(_("Choose what kind of document this is."), field="kind")
    name, thumb_name = _store(scan)
    try:
        with transaction.atomic(), audit_context(actor, action="attach"):
            return _create(
                actor=actor,
                record=record,
                scan=scan,
                kind=kind,
                file_name=file_name,
                note=note,
                name=name,
                thumb_name=thumb_name,
            )
    except BaseException:
        _discard(name, thumb_name)
        raise


def attachment_replace(
    *, actor, attachment: Attachment, record: Model, scan: Scan, file_name: str = "", note: str = ""
):
    """A new file in place of ``attachment`` (same kind); the old one is kept, marked replaced, in its history."""
    require_can(actor, "attach", record)
    note = clean_note(note)[:200]
    name, thumb_name = _store(scan)
    try:
        with transaction.atomic(), audit_context(actor, action="replace_attachment"):
            old = Attachment.objects.select_for_update().get(pk=attachment.pk)
            if not old.is_current:
                raise Conflict(_("This file was already replaced or removed."), code="not_current")
            old.superseded_at = timezone.now()
            old.save(update_fields=["superseded_at"])
            return _create(
                actor=actor,
                record=record,
                scan=scan,
                kind=old.kind,
                file_name=file_name,
                note=note,
                name=name,
                thumb_name=thumb_name,
                replaces=old,
            )
    except BaseException:
        _discard(name, thumb_name)
        raise


@transaction.atomic
def attachment_remove(*, actor, attachment: Attachment, record: Model) -> Attachment:
    """Remove a file attached by mistake, before the case is decided (409 ``case_decided`` after)."""
    require_can(actor, "remove_attachment", record)
    old = Attachment.objects.select_for_update().get(pk=attachment.pk)
    if not old.is_current:
        raise Conflict(_("This file was already replaced or removed."), code="not_current")
    with audit_context(actor, action="remove_attachment"):
        old.removed_at = timezone.now()
        old.removed_by = actor
        old.save(update_fields=["removed_at", "removed_by"])
    names = [old.file.name, old.thumbnail.name]
    transaction.on_commit(lambda: _discard(*names))
    return old


def attachment_download(
    *, actor, attachment: Attachment, record: Model, ip_address: str | None = None, thumbnail: bool = False
):
    """The stored file (opened for reading), the download logged like a reveal of a full number."""
    require_can(actor, "attachments", record)
    RevealLog.objects.create(
        actor=actor,
        model="documents.Attachment",
        object_id=str(attachment.pk),
        field="thumbnail" if thumbnail else "file",
        reason="download thumbnail" if thumbnail else document_history.DOWNLOAD_REASON,
        ip_address=ip_address,
    )
    stored = attachment.thumbnail if thumbnail else attachment.file
    return attachment_storage().open(stored.name, "rb")  # the configured backend, read now (settings may change)


@transaction.atomic
def document_produce(*, actor, record: Model, printable, ip_address: str | None = None):
    """The ``Document`` a record prints (``documents.printing``); the full numbers it carries are logged."""
    require_can(actor, "print_document", record)
    if not printable.is_available(record):
        raise Conflict(_("This document does not exist yet for this record."), code="document_not_available")
    document = printable.build(record, actor=actor)
    for model, object_id, field in document.reveals:
        RevealLog.objects.create(
            actor=actor,
            model=model,
            object_id=str(object_id),
            field=field,
            reason=f"print {printable.name}",
            ip_address=ip_address,
        )
    return document

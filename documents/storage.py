"""Where attachment files live: a Django storage backend, never a path served to the web.

``STORAGES["attachments"]`` in the settings (local files under ``ATTACHMENTS_ROOT``, outside
``STATIC_ROOT`` and ``MEDIA_ROOT``, with no ``base_url``: nothing links to a file directly; each
is sent by ``documents.apis`` after its case's scope is checked). Point it at S3-compatible object
storage for several web servers as the README says; nothing else changes.
"""

from __future__ import annotations

import uuid

from django.core.files.storage import storages
from django.utils import timezone


def attachment_storage():
    return storages["attachments"]


def new_name(extension: str, *, folder: str = "scans") -> str:
    """A fresh name that says nothing about the file's owner or content: ``scans/2020/04/<uuid>.pdf``."""
    today = timezone.localdate()
    return f"{folder}/{today:%Y/%m}/{uuid.uuid4().hex}.{extension}"

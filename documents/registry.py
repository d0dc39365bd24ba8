"""Which records take attachments: every case collection gets ``attachments/`` through one call.

A domain app declares each of its case, claim, registration or application models once, in its
``AppConfig.ready`` (``<app>/documents.py``)::

    from documents.registry import register_attachable

    register_attachable(
        DibaoCase,
        collection="dibao-cases",             # the API collection: dibao-cases/{id}/attachments/
        view_caps=[Cap.RELIEF_VIEW],          # who may list and download (inside their geography)
        attach_caps=[Cap.RELIEF_APPLY],       # who may upload, replace and remove
        decided=lambda case: case.status not in PENDING_STATUSES,  # no removal once decided
        page="relief:dibao-detail",           # the record's page (its list of attachments)
    )

The call registers the permission rules (``core.permissions``: ``attachments``, ``attach``,
``remove_attachment`` on the model), so the buttons and the services ask the same question, and
``documents.apis.attachment_urls()`` gives the collection its routes, and the record's page
shows the attachments panel (``core.panels``) with ``{% load panels %}{% panels "relief.dibaocase" case %}``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from core import permissions
from core.errors import Conflict
from core.roles import Cap


@dataclass(frozen=True)
class Attachable:
    model: type[Model]
    collection: str
    view_caps: frozenset[Cap]
    attach_caps: frozenset[Cap]
    decided: Callable[[Model], bool]
    page: str | None = None  # URL name of the record's page, taking its pk

    @property
    def label(self) -> str:
        return self.model._meta.label_lower


_BY_LABEL: dict[str, Attachable] = {}
_BY_COLLECTION: dict[str, Attachable] = {}

DECIDED_MESSAGE = _("The case is decided: its attachments are kept as they are (replace a file instead).")


def register_attachable(
    model: type[Model],
    *,
    collection: str,
    view_caps: Iterable[Cap],
    attach_caps: Iterable[Cap],
    decided: Callable[[Model], bool],
    page: str | None = None,
) -> Attachable:
    """Declare that ``model``'s records take attachments (see the module's docstring)."""
    entry = Attachable(model, collection, frozenset(view_caps), frozenset(attach_caps), decided, page)
    _BY_LABEL[entry.label] = entry
    _BY_COLLECTION[collection] = entry
    permissions.register(model, "attachments", caps=entry.view_caps)
    permissions.register(model, "attach", caps=entry.attach_caps)

    def _removable(actor, record):
        if record is not None and entry.decided(record):
            raise Conflict(DECIDED_MESSAGE, code="case_decided")
        return True

    permissions.register(model, "remove_attachment", caps=entry.attach_caps, check=_removable)
    from documents.panels import register_panel

    register_panel(entry)  # the record's page lists them: {% panels "<app>.<model>" record %}
    return entry


def for_label(label: str) -> Attachable | None:
    return _BY_LABEL.get(label.lower())


def for_record(record: Model) -> Attachable:
    entry = _BY_LABEL.get(type(record)._meta.label_lower)
    if entry is None:
        raise LookupError(f"{type(record).__name__} takes no attachments (register_attachable was not called).")
    return entry


def for_collection(collection: str) -> Attachable | None:
    return _BY_COLLECTION.get(collection)


def registered() -> list[Attachable]:
    return list(_BY_COLLECTION.values())

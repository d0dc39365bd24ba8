"""The attachments panel every registered record's page shows (``core.panels``), one template for all."""

from __future__ import annotations

from core import panels
from core.permissions import can
from documents import registry
from documents.models import AttachmentKind

TEMPLATE = "documents/_attachments.html"


def _context(request, record):
    from documents import services
    from documents.selectors import attachments_of, predecessors

    if not can(request.user, "attachments", record):
        return None
    entry = registry.for_record(record)
    attachments = list(attachments_of(record, user=request.user))
    return {
        "attachments": [(a, predecessors(a)) for a in attachments],
        "collection": entry.collection,
        "may_attach": can(request.user, "attach", record),
        "may_remove": can(request.user, "remove_attachment", record),
        "kinds": AttachmentKind.choices,
        "max_mb": services.upload_limits().max_bytes // (1024 * 1024),
    }


def register_panel(entry: registry.Attachable) -> None:
    panels.panel(entry.label, TEMPLATE, order=80)(_context)


PRINT_TEMPLATE = "documents/_print.html"


def _print_context(request, record):
    from documents import printing

    if not can(request.user, "print_document", record):
        return None
    documents = [p for p in printing.for_model(type(record)) if p.is_available(record)]
    if not documents:
        return None
    return {"printables": documents}


def register_print_panel(model) -> None:
    panels.panel(model._meta.label_lower, PRINT_TEMPLATE, order=70)(_print_context)

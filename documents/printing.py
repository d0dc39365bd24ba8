"""Which documents each record prints: ``GET <collection>/{id}/documents/<name>.pdf`` and its A4 page.

A domain app declares a printed document beside its attachables, in ``<app>/documents.py``::

    from documents.printing import register_document

    @register_document(DibaoCase, "approval-form", collection="dibao-cases", label=_("Approval form"))
    def dibao_approval_form(case, *, actor) -> Document:
        return Document(title="最低生活保障审批表", blocks=[…], …)

``label`` names the button on the record's page; ``available(record)`` (optional) says when the
document exists (a decision notice only once decided). Who may print it: whoever may see the
record (``print_document`` in ``core.permissions``, the collection's view capabilities).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Model

from core import permissions
from core.roles import Cap


@dataclass(frozen=True)
class Printable:
    model: type[Model]
    name: str  # approval-form, decision, certificate…
    collection: str
    label: str
    build: Callable  # (record, *, actor) -> Document
    available: Callable[[Model], bool] | None = None

    def is_available(self, record) -> bool:
        return self.available is None or bool(self.available(record))


_DOCUMENTS: dict[tuple[str, str], Printable] = {}


def register_document(
    model: type[Model],
    name: str,
    *,
    collection: str,
    label,
    view_caps: Iterable[Cap],
    available: Callable[[Model], bool] | None = None,
) -> Callable:
    def decorate(build: Callable) -> Callable:
        _DOCUMENTS[(collection, name)] = Printable(model, name, collection, label, build, available)
        permissions.register(model, "print_document", caps=frozenset(view_caps))
        from documents.panels import register_print_panel

        register_print_panel(model)
        return build

    return decorate


def get(collection: str, name: str) -> Printable | None:
    return _DOCUMENTS.get((collection, name))


def for_model(model: type[Model]) -> list[Printable]:
    return [p for p in _DOCUMENTS.values() if p.model is model]


def registered() -> list[Printable]:
    return list(_DOCUMENTS.values())


# --- Documents of a community (the public-notice list) ------------------------------------------

_COMMUNITY_DOCUMENTS: dict[str, Callable] = {}


def register_community_document(name: str) -> Callable:
    """``build(community: Division, *, actor) -> Document`` for ``public-notices/{community}/document.pdf``."""

    def decorate(build: Callable) -> Callable:
        _COMMUNITY_DOCUMENTS[name] = build
        return build

    return decorate


def community_document(name: str) -> Callable | None:
    return _COMMUNITY_DOCUMENTS.get(name)

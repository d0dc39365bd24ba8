"""Browser views of printed documents: the A4 print view and the PDF of a record's document, and
the community's public-notice list (both rendered from one description by ``documents.render``)."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from core.errors import NotFound
from core.permissions import require_can
from core.scoping import get_in_scope
from core.security import client_ip
from documents import printing, registry, services
from documents.render import render_html, render_pdf
from documents.views import _found, _page_of


def _printable(collection: str, name: str):
    printable = printing.get(collection, name)
    if printable is None:
        raise Http404
    return printable


def _print_record(request, collection, pk):
    entry_model = next((p.model for p in printing.registered() if p.collection == collection), None)
    if entry_model is None:
        raise Http404
    require_can(request.user, "print_document", entry_model)
    return _found(get_in_scope, qs=entry_model._default_manager.all(), user=request.user, pk=pk)


def pdf_response(document) -> HttpResponse:
    """The PDF, shown in the browser's viewer (inline) under the document's own file name."""
    response = HttpResponse(render_pdf(document), content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(document.file_name + '.pdf')}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def print_page(request, collection: str, pk: int, name: str):
    printable = _printable(collection, name)
    record = _print_record(request, collection, pk)
    document = services.document_produce(
        actor=request.user, record=record, printable=printable, ip_address=client_ip(request)
    )
    return render_html(
        request,
        document,
        pdf_url=reverse("documents:print-pdf", args=[collection, pk, name]),
        back_url=_page_of(record) if registry.for_label(record._meta.label_lower) else "",
    )


@login_required
@require_GET
def print_pdf(request, collection: str, pk: int, name: str):
    printable = _printable(collection, name)
    record = _print_record(request, collection, pk)
    document = services.document_produce(
        actor=request.user, record=record, printable=printable, ip_address=client_ip(request)
    )
    return pdf_response(document)


def community_document(request, community: str, name: str):
    """A community's document (the public-notice list), built for the user (its selector scopes it)."""
    from core.models import Division

    build = printing.community_document(name)
    if build is None:
        raise NotFound()
    division = Division.objects.filter(code=community).first()
    if division is None:
        raise NotFound()
    return build(division, actor=request.user)


@login_required
@require_GET
def public_notice_page(request, community: str):
    document = _found(community_document, request=request, community=community, name="public-notice")
    return render_html(request, document, pdf_url=reverse("documents:public-notice-pdf", args=[community]))


@login_required
@require_GET
def public_notice_pdf(request, community: str):
    return pdf_response(_found(community_document, request=request, community=community, name="public-notice"))

"""The attachments API: ``<collection>/{id}/attachments/`` for every registered collection, and
``attachments/{id}/`` (the file), ``…/thumbnail/``, ``…/replace/``."""

from __future__ import annotations

from django.http import FileResponse
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from core.security import client_ip
from core.uploads import read_scan
from documents import registry, selectors, services
from documents.serializers import AttachmentInputSerializer, AttachmentReplaceSerializer, AttachmentSerializer


class _AnyAccept(DefaultContentNegotiation):
    """A file is sent whatever the client says it accepts (``Accept: application/pdf`` must not be a 406)."""

    def select_renderer(self, request, renderers, format_suffix=None):
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except Exception:  # noqa: BLE001 - NotAcceptable: answer in JSON (errors) or with the file itself
            return (renderers[0], renderers[0].media_type)


def _valid(serializer_class, data):
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class RecordAttachmentsView(GenericAPIView):
    """``GET``: the record's attachments (current files; each lists the ones it replaced). ``POST``: attach a scan."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]
    serializer_class = AttachmentSerializer
    collection = ""

    def _record(self):
        return selectors.record_get(user=self.request.user, collection=self.collection, pk=self.kwargs["pk"])

    def get_queryset(self):
        return selectors.attachments_in_scope(user=self.request.user, collection=self.collection, pk=self.kwargs["pk"])

    def get(self, request, *args, **kwargs):
        record = self._record()  # 403 for the role, 404 outside the geography, before anything is listed
        page = self.paginate_queryset(selectors.attachments_of(record, user=request.user))
        return self.get_paginated_response(AttachmentSerializer(page, many=True).data)

    @extend_schema(request={"multipart/form-data": AttachmentInputSerializer}, responses={201: AttachmentSerializer})
    def post(self, request, *args, **kwargs):
        record = self._record()
        values = _valid(AttachmentInputSerializer, request.data)
        scan = read_scan(values["file"], limits=services.upload_limits())
        attachment = services.attachment_add(
            actor=request.user,
            record=record,
            scan=scan,
            kind=values["kind"],
            file_name=values["file"].name,
            note=values.get("note", ""),
        )
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)


def _file_response(handle, *, media_type: str, file_name: str | None) -> FileResponse:
    response = FileResponse(
        handle, content_type=media_type, as_attachment=file_name is not None, filename=file_name or ""
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


class AttachmentView(GenericAPIView):
    """``GET``: the file itself, as a download (``Content-Disposition: attachment``), logged.
    ``DELETE``: remove a file attached by mistake, before the case is decided."""

    permission_classes = [IsAuthenticated]
    content_negotiation_class = _AnyAccept
    serializer_class = AttachmentSerializer

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    def get(self, request, pk):
        attachment, record = selectors.attachment_get(user=request.user, pk=pk)
        handle = services.attachment_download(
            actor=request.user, attachment=attachment, record=record, ip_address=client_ip(request)
        )
        return _file_response(handle, media_type=attachment.media_type, file_name=attachment.original_name)

    @extend_schema(responses={204: None})
    def delete(self, request, pk):
        attachment, record = selectors.attachment_get(user=request.user, pk=pk)
        services.attachment_remove(actor=request.user, attachment=attachment, record=record)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AttachmentThumbnailView(GenericAPIView):
    """``GET``: a small JPEG of an image attachment, shown inline on the case page (logged too)."""

    permission_classes = [IsAuthenticated]
    content_negotiation_class = _AnyAccept
    serializer_class = AttachmentSerializer

    @extend_schema(responses={(200, "image/jpeg"): bytes})
    def get(self, request, pk):
        attachment, record = selectors.attachment_get(user=request.user, pk=pk)
        if not attachment.thumbnail:
            from core.errors import NotFound

            raise NotFound()
        handle = services.attachment_download(
            actor=request.user, attachment=attachment, record=record, ip_address=client_ip(request), thumbnail=True
        )
        return _file_response(handle, media_type="image/jpeg", file_name=None)


class AttachmentReplaceView(GenericAPIView):
    """``POST``: a new file in place of this one; the old file is kept in the new one's ``replaces``."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]
    serializer_class = AttachmentSerializer

    @extend_schema(request={"multipart/form-data": AttachmentReplaceSerializer}, responses={201: AttachmentSerializer})
    def post(self, request, pk):
        attachment, record = selectors.attachment_get(user=request.user, pk=pk)
        values = _valid(AttachmentReplaceSerializer, request.data)
        scan = read_scan(values["file"], limits=services.upload_limits())
        new = services.attachment_replace(
            actor=request.user,
            attachment=attachment,
            record=record,
            scan=scan,
            file_name=values["file"].name,
            note=values.get("note", ""),
        )
        return Response(AttachmentSerializer(new).data, status=status.HTTP_201_CREATED)


class RecordDocumentView(GenericAPIView):
    """``GET``: the printed document as a PDF (Chinese text, selectable), e.g. ``approval-form.pdf``."""

    permission_classes = [IsAuthenticated]
    content_negotiation_class = _AnyAccept
    serializer_class = AttachmentSerializer
    collection = ""

    @extend_schema(responses={(200, "application/pdf"): bytes})
    def get(self, request, pk, name):
        from core.errors import NotFound
        from core.permissions import require_can
        from core.scoping import get_in_scope
        from documents import printing
        from documents.printviews import pdf_response

        printable = printing.get(self.collection, name)
        if printable is None:
            raise NotFound()
        require_can(request.user, "print_document", printable.model)
        record = get_in_scope(printable.model._default_manager.all(), request.user, pk=pk)
        document = services.document_produce(
            actor=request.user, record=record, printable=printable, ip_address=client_ip(request)
        )
        return pdf_response(document)


class PublicNoticeDocumentView(GenericAPIView):
    """``GET public-notices/{community}/document.pdf``: the community's public-notice list as a PDF."""

    permission_classes = [IsAuthenticated]
    content_negotiation_class = _AnyAccept
    serializer_class = AttachmentSerializer

    @extend_schema(responses={(200, "application/pdf"): bytes})
    def get(self, request, community):
        from documents.printviews import community_document, pdf_response

        return pdf_response(community_document(request, community, "public-notice"))


def _view_for(entry: registry.Attachable) -> type[RecordAttachmentsView]:
    """A view class of the collection's own (its name in the OpenAPI schema: ``DibaoCaseAttachmentsView``)."""
    name = f"{entry.model.__name__}AttachmentsView"
    return type(
        name, (RecordAttachmentsView,), {"collection": entry.collection, "__doc__": RecordAttachmentsView.__doc__}
    )


def attachment_urls() -> list:
    """The API routes: one ``attachments/`` per registered collection, the attachment's own, and
    ``documents/<name>.pdf`` for every collection that prints documents (``documents.printing``)."""
    routes = [
        path("attachments/<int:pk>/", AttachmentView.as_view(), name="attachment-detail"),
        path("attachments/<int:pk>/thumbnail/", AttachmentThumbnailView.as_view(), name="attachment-thumbnail"),
        path("attachments/<int:pk>/replace/", AttachmentReplaceView.as_view(), name="attachment-replace"),
    ]
    from documents import printing

    routes.append(
        path(
            "public-notices/<str:community>/document.pdf", PublicNoticeDocumentView.as_view(), name="public-notice-pdf"
        )
    )
    for collection in sorted({p.collection for p in printing.registered()}):
        model = next(p.model for p in printing.registered() if p.collection == collection)
        view = type(f"{model.__name__}DocumentView", (RecordDocumentView,), {"collection": collection})
        routes.append(
            path(f"{collection}/<int:pk>/documents/<slug:name>.pdf", view.as_view(), name=f"{collection}-document")
        )
    for entry in registry.registered():
        routes.append(
            path(
                f"{entry.collection}/<int:pk>/attachments/",
                _view_for(entry).as_view(),
                name=f"{entry.collection}-attachments",
            )
        )
    return routes

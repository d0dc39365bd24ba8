"""The payouts REST API (api.md): thin views over selectors and services."""

from __future__ import annotations

import json
import os

from django.http import FileResponse
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, renderers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from core.apis import HistoryMixin
from core.cases import parse_month
from core.drf import CapabilityPermission
from core.errors import InvalidInput
from core.parsers import DepthLimitedJSONParser
from core.roles import Cap
from payouts import selectors, services
from payouts.models import ImportOutcome
from payouts.serializers import (
    ExportRequestSerializer,
    PayoutLineSerializer,
    PayoutRunDetailSerializer,
    PayoutRunSerializer,
    ReturnImportSerializer,
    ReturnUploadSerializer,
    RunNoteSerializer,
    RunRequestSerializer,
)


def _valid(serializer_class, data):
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _noop(queryset, name, value):  # applied by the selector
    return queryset


class RunFilter(filters.FilterSet):
    scheme = filters.CharFilter(method=_noop)
    status = filters.CharFilter(method=_noop)
    period = filters.CharFilter(method=_noop, help_text="YYYY-MM")


class _FileRenderer(renderers.BaseRenderer):
    """Lets a client that asks for the file's media type through content negotiation; errors render as JSON."""

    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes | bytearray):
            return data
        return json.dumps(data, ensure_ascii=False).encode()


class CsvRenderer(_FileRenderer):
    media_type = "text/csv"
    format = "csv"


class XlsxRenderer(_FileRenderer):
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    format = "xlsx"


def _client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


class PayoutRunViewSet(HistoryMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Payout runs: one per scheme and month, computed in Celery, approved by a second person, paid by bank file."""

    permission_classes = [IsAuthenticated, CapabilityPermission]
    filterset_class = RunFilter
    required_caps = {
        "list": Cap.PAYOUT_VIEW,
        "retrieve": Cap.PAYOUT_VIEW,
        "lines": Cap.PAYOUT_VIEW,
        "create": Cap.PAYOUT_START,
        "restart": Cap.PAYOUT_START,
        "recompute": Cap.PAYOUT_START,
        "follow_up": Cap.PAYOUT_START,
        "approve": Cap.PAYOUT_APPROVE,
        "export": Cap.PAYOUT_BANK_FILES,
        "import_returns": Cap.PAYOUT_BANK_FILES,
    }

    def get_serializer_class(self):
        return PayoutRunDetailSerializer if self.action == "retrieve" else PayoutRunSerializer

    def get_queryset(self):
        params = self.request.query_params
        period = params.get("period", "")
        if period:
            period = parse_month(period, field="period")
        return selectors.run_list(
            user=self.request.user, scheme=params.get("scheme", ""), status=params.get("status", ""), period=period
        )

    def get_object(self):
        return selectors.run_get(user=self.request.user, pk=self.kwargs["pk"])

    def _respond(self, run, *, code=status.HTTP_200_OK):
        run = selectors.run_get(user=self.request.user, pk=run.pk)
        return Response(PayoutRunDetailSerializer(run, context=self.get_serializer_context()).data, status=code)

    @extend_schema(
        request=RunRequestSerializer,
        responses={202: PayoutRunSerializer, 200: PayoutRunSerializer},
        description="Queue the run of a scheme for a month (202), or get the one that exists (200).",
    )
    def create(self, request):
        values = _valid(RunRequestSerializer, request.data)
        run, created = services.run_request(actor=request.user, scheme=values["scheme"], period=values["period"])
        run = selectors.run_get(user=request.user, pk=run.pk)  # the answer, new or repeated, is scoped
        code = status.HTTP_202_ACCEPTED if created else status.HTTP_200_OK
        return Response(PayoutRunSerializer(run, context=self.get_serializer_context()).data, status=code)

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, description="pending | paid | failed"),
            OpenApiParameter("division", str, description="a division code: its lines only"),
        ],
        responses={200: PayoutLineSerializer(many=True)},
    )
    @action(detail=True, methods=["get"])
    def lines(self, request, pk=None):
        """The run's lines, paginated: beneficiary, household, amount, status and how the amount was made."""
        run = self.get_object()
        params = request.query_params
        narrowed = {"status": params.get("status", ""), "division": params.get("division", "")}
        lines = selectors.line_list(user=request.user, run=run, **narrowed)
        self.known_count = selectors.line_list_count(user=request.user, run=run, **narrowed)
        page = self.paginate_queryset(lines.only("id"))
        return self.get_paginated_response(PayoutLineSerializer(selectors.lines_page(page), many=True).data)

    @extend_schema(request=RunNoteSerializer, responses={200: PayoutRunDetailSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve a computed run: a finance officer who did not start it (403 for the starter)."""
        values = _valid(RunNoteSerializer, request.data)
        run = services.run_approve(actor=request.user, run=self.get_object(), note=values["note"])
        return self._respond(run)

    @extend_schema(
        request=ExportRequestSerializer,
        parameters=[OpenApiParameter("file_format", str, description="csv (default) | xlsx")],
        responses={200: OpenApiResponse(OpenApiTypes.BINARY, description="the bank's payment file")},
    )
    @action(
        detail=True,
        methods=["post"],
        renderer_classes=[renderers.JSONRenderer, CsvRenderer, XlsxRenderer],
    )
    def export(self, request, pk=None):
        """The bank's payment file (CSV or XLSX) of an approved run; the run becomes "exported". Logged."""
        values = _valid(ExportRequestSerializer, request.data)
        file_format = request.query_params.get("file_format") or values["format"]
        exported = services.run_export(
            actor=request.user, run=self.get_object(), file_format=file_format, ip_address=_client_ip(request)
        )
        response = FileResponse(
            open(exported.path, "rb"),  # FileResponse closes it
            as_attachment=True,
            filename=exported.filename,
            content_type=exported.content_type,
        )
        response["X-Line-Count"] = str(exported.line_count)
        response["X-Total-Amount"] = f"{exported.total:.2f}"
        response["Cache-Control"] = "no-store"
        _unlink_on_close(response, exported.path)
        return response

    @extend_schema(
        request={"multipart/form-data": ReturnUploadSerializer},
        responses={200: ReturnImportSerializer, 400: ReturnImportSerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="import-returns",
        parser_classes=[MultiPartParser, FormParser],
    )
    def import_returns(self, request, pk=None):
        """The bank's return file (multipart ``file``): all rows apply, or none (400 with a per-row report)."""
        upload = request.FILES.get("file")
        if upload is None:
            raise InvalidInput(_("Attach the bank's return file as “file”."), field="file")
        record = services.run_import_returns(
            actor=request.user, run=self.get_object(), filename=upload.name, content=upload.read()
        )
        body = ReturnImportSerializer(record).data
        if record.outcome == ImportOutcome.REFUSED:
            return Response(
                {"file": [_refusal_message(record)], "errors": body["errors"], "import": body},
                status=status.HTTP_400_BAD_REQUEST,
            )
        run = selectors.run_get(user=request.user, pk=record.run_id)
        return Response({"import": body, "run": PayoutRunSerializer(run).data})

    @extend_schema(request=RunNoteSerializer, responses={200: PayoutRunDetailSerializer})
    @action(detail=True, methods=["post"], parser_classes=[DepthLimitedJSONParser, FormParser, MultiPartParser])
    def restart(self, request, pk=None):
        """Queue a failed run, or one stuck past its time, again (it resumes where it was)."""
        values = _valid(RunNoteSerializer, request.data)
        return self._respond(services.run_restart(actor=request.user, run=self.get_object(), note=values["note"]))

    @extend_schema(request=RunNoteSerializer, responses={200: PayoutRunDetailSerializer})
    @action(detail=True, methods=["post"])
    def recompute(self, request, pk=None):
        """Discard a computed (unapproved) or failed run's lines and compute it again with today's data."""
        values = _valid(RunNoteSerializer, request.data)
        return self._respond(services.run_recompute(actor=request.user, run=self.get_object(), note=values["note"]))

    @extend_schema(request=RunNoteSerializer, responses={202: PayoutRunSerializer})
    @action(detail=True, methods=["post"], url_path="follow-up")
    def follow_up(self, request, pk=None):
        """A follow-up run re-paying this month's failed lines whose bank account has been corrected."""
        values = _valid(RunNoteSerializer, request.data)
        run = services.follow_up_request(actor=request.user, run=self.get_object(), note=values["note"])
        return Response(PayoutRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


def _refusal_message(record) -> str:
    return _("The return file was refused (%(n)d problems); nothing was changed.") % {"n": len(record.errors)}


def _unlink_on_close(response, path: str) -> None:
    closer = response.close

    def close():
        closer()
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass

    response.close = close

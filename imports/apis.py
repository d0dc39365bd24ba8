"""Imports over REST (api.md "Imports and cross-checks")."""

from __future__ import annotations

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from core.drf import CapabilityPermission, SelectorFilterSet
from core.parsers import DepthLimitedJSONParser
from core.roles import Cap
from core.uploads import read_upload
from imports import selectors, services
from imports.kinds import limits
from imports.models import ImportJob, ImportKind, ImportStatus
from imports.serializers import (
    ImportJobAcceptedSerializer,
    ImportJobListSerializer,
    ImportJobSerializer,
    ImportJobUploadSerializer,
)


class ImportFilter(SelectorFilterSet):
    kind = filters.ChoiceFilter(choices=ImportKind.choices, method="noop")
    status = filters.ChoiceFilter(choices=ImportStatus.choices, method="noop")

    class Meta:
        model = ImportJob
        fields = ["kind", "status"]


class ImportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Spreadsheet imports: upload (202) → preview report → commit, all or nothing."""

    permission_classes = [IsAuthenticated, CapabilityPermission]
    required_caps = {
        "list": Cap.IMPORT_DATA,
        "retrieve": Cap.IMPORT_DATA,
        "create": Cap.IMPORT_DATA,
        "commit": Cap.IMPORT_DATA,
    }
    filterset_class = ImportFilter

    parser_classes = [MultiPartParser, FormParser, DepthLimitedJSONParser]

    def get_serializer_class(self):
        return ImportJobListSerializer if self.action == "list" else ImportJobSerializer

    def get_queryset(self):
        p = self.request.query_params
        return selectors.import_list(user=self.request.user, kind=p.get("kind", ""), status=p.get("status", ""))

    def get_object(self):
        return selectors.import_get(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(
        request={"multipart/form-data": ImportJobUploadSerializer}, responses={202: ImportJobAcceptedSerializer}
    )
    def create(self, request):
        data = ImportJobUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        job = services.import_upload(
            actor=request.user,
            kind=data.validated_data["kind"],
            file_name=upload.name,
            content=read_upload(upload, limits=limits()),
        )
        return Response({"id": job.pk, "status": job.status}, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={200: ImportJobSerializer, 202: ImportJobSerializer})
    @action(detail=True, methods=["post"])
    def commit(self, request, pk=None):
        job = services.import_commit(actor=request.user, job=self.get_object())
        job = selectors.import_get(user=request.user, pk=job.pk)
        body = ImportJobSerializer(job).data
        if job.status == ImportStatus.FAILED:  # checked again at commit and refused: nothing written
            return Response({**body, "detail": job.failure, "code": "import_failed"}, status=status.HTTP_409_CONFLICT)
        code = status.HTTP_202_ACCEPTED if job.status == ImportStatus.COMMITTING else status.HTTP_200_OK
        return Response(body, status=code)

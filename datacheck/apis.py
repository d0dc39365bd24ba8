"""The data-checking REST API (api.md "Imports and cross-checks"): thin views over selectors and services."""

from __future__ import annotations

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from core.apis import HistoryMixin
from core.drf import CapabilityPermission, DivisionCodeFilter, SelectorFilterSet
from core.parsers import DepthLimitedJSONParser
from core.roles import Cap
from core.scoping import get_in_scope
from core.uploads import read_upload
from datacheck import selectors, services
from datacheck.extracts import LIMITS
from datacheck.models import DataSource, Extract, ItemStatus, PovertyHousehold, ReviewItem
from datacheck.serializers import (
    CoverageGapSerializer,
    CrossCheckRunSerializer,
    DataSourceInputSerializer,
    DataSourceSerializer,
    ExtractSerializer,
    ExtractUploadSerializer,
    PovertyHouseholdSerializer,
    ReviewConfirmSerializer,
    ReviewItemSerializer,
    ReviewNoteSerializer,
)
from people.models import Person


def _valid(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class DataSourceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Other departments' data items (an administrator registers them) and their monthly extracts."""

    serializer_class = DataSourceSerializer
    permission_classes = [IsAuthenticated, CapabilityPermission]
    parser_classes = [DepthLimitedJSONParser, MultiPartParser, FormParser]
    required_caps = {
        "list": Cap.DATACHECK_VIEW,
        "retrieve": Cap.DATACHECK_VIEW,
        "create": Cap.DATACHECK_CONFIGURE,
        "extracts": Cap.DATACHECK_VIEW,
    }

    def get_queryset(self):
        return selectors.sources(user=self.request.user)

    def get_object(self):
        return get_in_scope(DataSource.objects.all(), self.request.user, pk=self.kwargs["pk"])

    @extend_schema(request=DataSourceInputSerializer, responses={201: DataSourceSerializer})
    def create(self, request):
        source = services.data_source_register(actor=request.user, **_valid(DataSourceInputSerializer, request.data))
        return Response(DataSourceSerializer(source).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["post"],
        request={"multipart/form-data": ExtractUploadSerializer},
        responses={202: ExtractSerializer},
        description="Upload an extract: checked at once; a previewed one is committed with extracts/{id}/commit/.",
    )
    @extend_schema(methods=["get"], responses={200: ExtractSerializer(many=True)})
    @action(detail=True, methods=["get", "post"])
    def extracts(self, request, pk=None):
        source = self.get_object()
        if request.method == "GET":
            page = self.paginate_queryset(selectors.extracts(user=request.user, source=source))
            return self.get_paginated_response(ExtractSerializer(page, many=True).data)
        from core.roles import require

        require(request.user, Cap.DATACHECK_CONFIGURE)
        upload = _valid(ExtractUploadSerializer, request.data)["file"]
        content = read_upload(upload, limits=LIMITS)
        extract = services.extract_upload(actor=request.user, source=source, file_name=upload.name, content=content)
        return Response(ExtractSerializer(extract).data, status=status.HTTP_202_ACCEPTED)


class ExtractViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Extracts: their preview report (every bad row with its line), and the commit of a good one."""

    serializer_class = ExtractSerializer
    permission_classes = [IsAuthenticated, CapabilityPermission]
    required_caps = {"list": Cap.DATACHECK_VIEW, "retrieve": Cap.DATACHECK_VIEW, "commit": Cap.DATACHECK_CONFIGURE}

    def get_queryset(self):
        return selectors.extracts(user=self.request.user)

    def get_object(self):
        return get_in_scope(Extract.objects.defer("content"), self.request.user, pk=self.kwargs["pk"])

    @extend_schema(request=None, responses={200: ExtractSerializer})
    @action(detail=True, methods=["post"])
    def commit(self, request, pk=None):
        extract = services.extract_commit(actor=request.user, extract=self.get_object())
        return Response(ExtractSerializer(extract).data)


class CrossCheckRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Cross-check runs: every ongoing beneficiary against the latest extract of each source (Celery)."""

    serializer_class = CrossCheckRunSerializer
    permission_classes = [IsAuthenticated, CapabilityPermission]
    required_caps = {"list": Cap.DATACHECK_VIEW, "retrieve": Cap.DATACHECK_VIEW, "create": Cap.DATACHECK_CONFIGURE}

    def get_queryset(self):
        return selectors.runs(user=self.request.user)

    def get_object(self):
        return selectors.run_get(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(request=None, responses={202: CrossCheckRunSerializer})
    def create(self, request):
        run = services.cross_check_run_start(actor=request.user)
        run = selectors.run_get(user=request.user, pk=run.pk)
        return Response(CrossCheckRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class ReviewItemViewSet(HistoryMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Hits for the beneficiary's sub-district: confirm (the benefits' services act) or dismiss with a reason."""

    serializer_class = ReviewItemSerializer
    permission_classes = [IsAuthenticated, CapabilityPermission]
    required_caps = {
        "list": Cap.DATACHECK_ITEMS,
        "retrieve": Cap.DATACHECK_ITEMS,
        "confirm": Cap.DATACHECK_REVIEW,
        "dismiss": Cap.DATACHECK_REVIEW,
    }

    class Filter(SelectorFilterSet):
        status = filters.ChoiceFilter(choices=ItemStatus.choices, method="noop")
        division = DivisionCodeFilter(method="noop")
        source = filters.NumberFilter(method="noop")

        class Meta:
            model = ReviewItem
            fields = ["status", "division", "source"]

    filterset_class = Filter

    def get_queryset(self):
        p = self.request.query_params
        return selectors.review_items(
            user=self.request.user,
            status=p.get("status", "") if p.get("status", "") in ItemStatus.values else "",
            division=p.get("division", ""),
            source=p.get("source", ""),
        )

    def get_object(self):
        return get_in_scope(
            ReviewItem.objects.select_related("source", "person", "division"), self.request.user, pk=self.kwargs["pk"]
        )

    def _respond(self, item):
        return Response(ReviewItemSerializer(self.get_object_for(item.pk)).data)

    def get_object_for(self, pk):
        return get_in_scope(ReviewItem.objects.select_related("source", "person"), self.request.user, pk=pk)

    @extend_schema(request=ReviewConfirmSerializer, responses={200: ReviewItemSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """Confirm: a death ends the benefits from the month after it; other sources suspend (or end) them."""
        values = _valid(ReviewConfirmSerializer, request.data)
        item = services.review_item_confirm(actor=request.user, item=self.get_object(), **values)
        return self._respond(item)

    @extend_schema(request=ReviewNoteSerializer, responses={200: ReviewItemSerializer})
    @action(detail=True, methods=["post"])
    def dismiss(self, request, pk=None):
        """Dismiss with the reason (``note``, required)."""
        values = _valid(ReviewNoteSerializer, request.data)
        item = services.review_item_dismiss(actor=request.user, item=self.get_object(), **values)
        return self._respond(item)


class CoverageGapViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """错保漏保: people who appear to qualify for a disability subsidy they do not receive (``?gap=living|nursing``)."""

    serializer_class = CoverageGapSerializer
    permission_classes = [IsAuthenticated, CapabilityPermission]
    required_caps = {"list": Cap.DATACHECK_ITEMS}

    class Filter(SelectorFilterSet):
        gap = filters.ChoiceFilter(choices=[("living", "living"), ("nursing", "nursing")], method="noop")

        class Meta:
            model = Person  # the selector filters
            fields = ["gap"]

    filterset_class = Filter

    def get_queryset(self):
        gap = self.request.query_params.get("gap", "")
        return selectors.coverage_gaps(user=self.request.user, gap=gap if gap in ("living", "nursing") else "")


class PovertyHouseholdViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """建档立卡贫困户 and the coverage check: ``?covered=false`` lists those with no active dibao or tekun."""

    serializer_class = PovertyHouseholdSerializer
    permission_classes = [IsAuthenticated, CapabilityPermission]
    required_caps = {"list": Cap.DATACHECK_ITEMS}

    class Filter(SelectorFilterSet):
        covered = filters.ChoiceFilter(choices=[("true", "true"), ("false", "false")], method="noop")

        class Meta:
            model = PovertyHousehold  # the selector filters
            fields = ["covered"]

    filterset_class = Filter

    def get_queryset(self):
        covered = {"true": True, "false": False}.get(self.request.query_params.get("covered", ""))
        return selectors.poverty_households(user=self.request.user, covered=covered)

"""The social-organization REST API."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from core.apis import HistoryMixin
from core.drf import CapabilityPermission, DivisionCodeFilter, SelectorFilterSet, validated
from core.roles import Cap
from social_orgs import selectors, services
from social_orgs.models import (
    AnnualInspection,
    CaseStatus,
    CommunityCategory,
    CommunityOrg,
    EnforcementCase,
    FeeStandard,
    FeeStatus,
    FilingStatus,
    ImportStatus,
    InspectionResult,
    Level,
    OrgStatus,
    OrgType,
    SocialOrg,
)
from social_orgs.resources import export_workbook, read_upload
from social_orgs.serializers import (
    CaseInputSerializer,
    CaseSerializer,
    CommunityOrgInputSerializer,
    CommunityOrgSerializer,
    ConcludeInputSerializer,
    DecouplingInputSerializer,
    DecouplingSerializer,
    FeeApproveSerializer,
    FeeInputSerializer,
    FeeSerializer,
    ImportSerializer,
    ImportUploadSerializer,
    InspectionInputSerializer,
    InspectionSerializer,
    NoteInputSerializer,
    OrgDetailSerializer,
    OrgInputSerializer,
    OrgSerializer,
    StatusInputSerializer,
    StepInputSerializer,
)

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class OrgFilter(SelectorFilterSet):
    q = filters.CharFilter(method="noop", label="name prefix or credit code")
    credit_code = filters.CharFilter(method="noop")
    org_type = filters.ChoiceFilter(choices=OrgType.choices, method="noop")
    level = filters.ChoiceFilter(choices=Level.choices, method="noop")
    status = filters.ChoiceFilter(choices=OrgStatus.choices, method="noop")
    division = DivisionCodeFilter(method="noop")
    is_industry_association = filters.BooleanFilter(method="noop")

    class Meta:
        model = SocialOrg
        fields = ["q", "credit_code", "org_type", "level", "status", "division", "is_industry_association"]


def _bool_param(value: str | None) -> bool | None:
    if value is None or value == "":
        return None
    return value.lower() in {"1", "true", "yes"}


class SocialOrgViewSet(HistoryMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The registry of social groups, social service organizations and foundations."""

    permission_classes = [IsAuthenticated, CapabilityPermission]
    filterset_class = OrgFilter
    required_caps = {
        "list": Cap.SOCIALORG_VIEW,
        "retrieve": Cap.SOCIALORG_VIEW,
        "create": Cap.SOCIALORG_EDIT,
        "update": Cap.SOCIALORG_EDIT,
        "deregister": Cap.SOCIALORG_EDIT,
        "revoke": Cap.SOCIALORG_EDIT,
        "export": Cap.SOCIALORG_VIEW,
    }

    def get_serializer_class(self):
        return OrgSerializer if self.action == "list" else OrgDetailSerializer

    def get_queryset(self):
        p = self.request.query_params
        return selectors.org_list(
            user=self.request.user,
            q=p.get("q", ""),
            credit_code=p.get("credit_code", ""),
            org_type=p.get("org_type", ""),
            level=p.get("level", ""),
            status=p.get("status", ""),
            division=p.get("division", ""),
            is_industry_association=_bool_param(p.get("is_industry_association")),
        )

    def get_object(self):
        return selectors.org_get(user=self.request.user, pk=self.kwargs["pk"])

    def _detail(self, org, code=status.HTTP_200_OK):
        return Response(OrgDetailSerializer(selectors.org_get(user=self.request.user, pk=org.pk)).data, status=code)

    @extend_schema(request=OrgInputSerializer, responses={201: OrgDetailSerializer})
    def create(self, request):
        data = OrgInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = services.clean_org_values(actor=request.user, **data.validated_data)
        return self._detail(services.social_org_register(actor=request.user, values=values), status.HTTP_201_CREATED)

    @extend_schema(request=OrgInputSerializer, responses={200: OrgDetailSerializer})
    def update(self, request, pk=None):
        org = self.get_object()
        data = OrgInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = services.clean_org_values(actor=request.user, **data.validated_data)
        return self._detail(services.social_org_update(actor=request.user, org=org, values=values))

    @extend_schema(request=StatusInputSerializer, responses={200: OrgDetailSerializer})
    @action(detail=True, methods=["post"])
    def deregister(self, request, pk=None):
        """Deregistration (注销登记)."""
        return self._change_status(request, OrgStatus.DEREGISTERED)

    @extend_schema(request=StatusInputSerializer, responses={200: OrgDetailSerializer})
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        """Revocation of the registration (撤销登记), with its grounds."""
        return self._change_status(request, OrgStatus.REVOKED)

    def _change_status(self, request, to_status):
        data = StatusInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        org = services.social_org_change_status(
            actor=request.user,
            org=self.get_object(),
            to_status=to_status,
            on=values["on"],
            reason=values["reason"] or values["note"],
        )
        return self._detail(org)

    @extend_schema(responses={(200, XLSX_TYPE): OpenApiTypes.BINARY})
    @action(detail=False, methods=["get"], pagination_class=None)
    def export(self, request):
        """The registry (as filtered) as an Excel workbook."""
        content = export_workbook(self.filter_queryset(self.get_queryset()), actor=request.user)
        response = HttpResponse(content, content_type=XLSX_TYPE)
        stamp = timezone.localdate().strftime("%Y%m%d")
        response["Content-Disposition"] = f'attachment; filename="social-orgs-{stamp}.xlsx"'
        return response


class ImportViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Registry spreadsheets: upload → preview with each row's errors → commit, all or nothing."""

    serializer_class = ImportSerializer
    permission_classes = [IsAuthenticated, CapabilityPermission]
    parser_classes = [MultiPartParser, FormParser]
    required_caps = {"create": Cap.SOCIALORG_EDIT, "retrieve": Cap.SOCIALORG_EDIT, "commit": Cap.SOCIALORG_EDIT}

    def get_queryset(self):
        return selectors.import_list(user=self.request.user)

    def get_object(self):
        return selectors.import_get(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(request={"multipart/form-data": ImportUploadSerializer}, responses={201: ImportSerializer})
    def create(self, request):
        values = validated(ImportUploadSerializer, request.data)
        upload = values["file"]
        batch = services.social_org_import_preview(
            actor=request.user, file_name=upload.name, content=read_upload(upload)
        )
        return Response(ImportSerializer(batch).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: ImportSerializer, 409: ImportSerializer})
    @action(detail=True, methods=["post"])
    def commit(self, request, pk=None):
        batch = services.social_org_import_commit(actor=request.user, batch=self.get_object())
        code = status.HTTP_200_OK if batch.status == ImportStatus.COMMITTED else status.HTTP_409_CONFLICT
        return Response(ImportSerializer(batch).data, status=code)


class InspectionViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Annual inspections (年检/年报): one result per organization and year."""

    serializer_class = InspectionSerializer
    permission_classes = [IsAuthenticated, CapabilityPermission]
    required_caps = {"list": Cap.SOCIALORG_VIEW, "create": Cap.SOCIALORG_EDIT}

    class Filter(SelectorFilterSet):
        org = filters.NumberFilter(method="noop")
        year = filters.NumberFilter(method="noop")
        result = filters.ChoiceFilter(choices=InspectionResult.choices, method="noop")

        class Meta:
            model = AnnualInspection
            fields = ["org", "year", "result"]

    filterset_class = Filter

    def get_queryset(self):
        p = self.request.query_params
        return selectors.inspection_list(
            user=self.request.user, org=p.get("org", ""), year=p.get("year", ""), result=p.get("result", "")
        )

    @extend_schema(request=InspectionInputSerializer, responses={201: InspectionSerializer, 200: InspectionSerializer})
    def create(self, request):
        """Record (201) or correct (200) the result for an organization's year."""
        values = validated(InspectionInputSerializer, request.data)
        inspection, created = services.annual_inspection_record(actor=request.user, **values)
        return Response(
            InspectionSerializer(inspection).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


class FeeStandardViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Membership-fee standards of industry associations: proposed → approved → repealed."""

    serializer_class = FeeSerializer
    permission_classes = [IsAuthenticated, CapabilityPermission]
    required_caps = {
        "list": Cap.SOCIALORG_VIEW,
        "retrieve": Cap.SOCIALORG_VIEW,
        "create": Cap.SOCIALORG_EDIT,
        "approve": Cap.SOCIALORG_EDIT,
        "repeal": Cap.SOCIALORG_EDIT,
    }

    class Filter(SelectorFilterSet):
        org = filters.NumberFilter(method="noop")
        status = filters.ChoiceFilter(choices=FeeStatus.choices, method="noop")

        class Meta:
            model = FeeStandard
            fields = ["org", "status"]

    filterset_class = Filter

    def get_queryset(self):
        p = self.request.query_params
        return selectors.fee_list(user=self.request.user, org=p.get("org", ""), status=p.get("status", ""))

    def get_object(self):
        return selectors.fee_get(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(request=FeeInputSerializer, responses={201: FeeSerializer})
    def create(self, request):
        values = validated(FeeInputSerializer, request.data)
        fee = services.fee_standard_propose(actor=request.user, **values)
        return Response(FeeSerializer(fee).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=FeeApproveSerializer, responses={200: FeeSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """File the members' assembly approval (two thirds of those present)."""
        values = validated(FeeApproveSerializer, request.data)
        fee = services.fee_standard_approve(actor=request.user, fee=self.get_object(), **values)
        return Response(FeeSerializer(fee).data)

    @extend_schema(request=StatusInputSerializer, responses={200: FeeSerializer})
    @action(detail=True, methods=["post"])
    def repeal(self, request, pk=None):
        values = validated(StatusInputSerializer, request.data)
        fee = services.fee_standard_repeal(actor=request.user, fee=self.get_object(), on=values["on"])
        return Response(FeeSerializer(fee).data)


class DecouplingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The decoupling reform (脱钩), per association, and its progress over the associations in scope."""

    serializer_class = DecouplingSerializer
    permission_classes = [IsAuthenticated, CapabilityPermission]
    required_caps = {
        "list": Cap.SOCIALORG_VIEW,
        "retrieve": Cap.SOCIALORG_VIEW,
        "create": Cap.SOCIALORG_EDIT,
        "complete_step": Cap.SOCIALORG_EDIT,
        "progress": Cap.SOCIALORG_VIEW,
    }

    def get_queryset(self):
        p = self.request.query_params
        return selectors.decoupling_list(
            user=self.request.user,
            completed=_bool_param(p.get("completed")),
            in_scope=_bool_param(p.get("in_scope")),
        ).prefetch_related("steps")

    def get_object(self):
        return selectors.decoupling_get(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(request=DecouplingInputSerializer, responses={201: DecouplingSerializer})
    def create(self, request):
        values = validated(DecouplingInputSerializer, request.data)
        decoupling = services.decoupling_enrol(actor=request.user, **values)
        return Response(DecouplingSerializer(decoupling).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=StepInputSerializer, responses={200: DecouplingSerializer})
    @action(detail=True, methods=["post"], url_path="complete-step")
    def complete_step(self, request, pk=None):
        values = validated(StepInputSerializer, request.data)
        decoupling = services.decoupling_complete_step(actor=request.user, decoupling=self.get_object(), **values)
        return Response(DecouplingSerializer(decoupling).data)

    @action(detail=False, methods=["get"], pagination_class=None)
    def progress(self, request):
        """Done, under way and not started, over the 289 associations in the reform's scope."""
        return Response(selectors.decoupling_progress(user=request.user))


class CommunityOrgViewSet(HistoryMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Community social organizations filed (备案) with their community."""

    serializer_class = CommunityOrgSerializer
    permission_classes = [IsAuthenticated, CapabilityPermission]
    required_caps = {
        "list": Cap.SOCIALORG_VIEW,
        "retrieve": Cap.SOCIALORG_VIEW,
        "create": Cap.SOCIALORG_EDIT,
        "revoke": Cap.SOCIALORG_EDIT,
    }

    class Filter(SelectorFilterSet):
        community = DivisionCodeFilter(method="noop")
        category = filters.ChoiceFilter(choices=CommunityCategory.choices, method="noop")
        status = filters.ChoiceFilter(choices=FilingStatus.choices, method="noop")
        q = filters.CharFilter(method="noop")

        class Meta:
            model = CommunityOrg
            fields = ["community", "category", "status", "q"]

    filterset_class = Filter

    def get_queryset(self):
        p = self.request.query_params
        return selectors.community_org_list(
            user=self.request.user,
            community=p.get("community", ""),
            category=p.get("category", ""),
            status=p.get("status", ""),
            q=p.get("q", ""),
        )

    def get_object(self):
        return selectors.community_org_get(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(request=CommunityOrgInputSerializer, responses={201: CommunityOrgSerializer})
    def create(self, request):
        values = validated(CommunityOrgInputSerializer, request.data)
        org = services.community_org_file(actor=request.user, **values)
        return Response(CommunityOrgSerializer(org).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=NoteInputSerializer, responses={200: CommunityOrgSerializer})
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        values = validated(NoteInputSerializer, request.data)
        org = services.community_org_revoke(actor=request.user, org=self.get_object(), note=values["note"])
        return Response(CommunityOrgSerializer(org).data)


class EnforcementCaseViewSet(HistoryMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Cases against illegal organizations: reported → investigating → concluded (or dismissed)."""

    serializer_class = CaseSerializer
    permission_classes = [IsAuthenticated, CapabilityPermission]
    required_caps = {
        "list": Cap.SOCIALORG_VIEW,
        "retrieve": Cap.SOCIALORG_VIEW,
        "create": Cap.SOCIALORG_EDIT,
        "investigate": Cap.SOCIALORG_EDIT,
        "conclude": Cap.SOCIALORG_EDIT,
        "dismiss": Cap.SOCIALORG_EDIT,
    }

    class Filter(SelectorFilterSet):
        status = filters.ChoiceFilter(choices=CaseStatus.choices, method="noop")
        division = DivisionCodeFilter(method="noop")
        q = filters.CharFilter(method="noop")

        class Meta:
            model = EnforcementCase
            fields = ["status", "division", "q"]

    filterset_class = Filter

    def get_queryset(self):
        p = self.request.query_params
        return selectors.enforcement_list(
            user=self.request.user, status=p.get("status", ""), division=p.get("division", ""), q=p.get("q", "")
        )

    def get_object(self):
        return selectors.enforcement_get(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(request=CaseInputSerializer, responses={201: CaseSerializer})
    def create(self, request):
        values = validated(CaseInputSerializer, request.data)
        case = services.enforcement_case_open(actor=request.user, **values)
        return Response(CaseSerializer(case).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=NoteInputSerializer, responses={200: CaseSerializer})
    @action(detail=True, methods=["post"])
    def investigate(self, request, pk=None):
        values = validated(NoteInputSerializer, request.data)
        case = services.enforcement_case_investigate(actor=request.user, case=self.get_object(), note=values["note"])
        return Response(CaseSerializer(case).data)

    @extend_schema(request=ConcludeInputSerializer, responses={200: CaseSerializer})
    @action(detail=True, methods=["post"])
    def conclude(self, request, pk=None):
        values = validated(ConcludeInputSerializer, request.data)
        case = services.enforcement_case_conclude(actor=request.user, case=self.get_object(), **values)
        return Response(CaseSerializer(case).data)

    @extend_schema(request=NoteInputSerializer, responses={200: CaseSerializer})
    @action(detail=True, methods=["post"])
    def dismiss(self, request, pk=None):
        values = validated(NoteInputSerializer, request.data)
        case = services.enforcement_case_dismiss(actor=request.user, case=self.get_object(), note=values["note"])
        return Response(CaseSerializer(case).data)

"""Staff's ``online-applications/``: residents' applications in the caseworker's geography, accepted or declined."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from core.apis import HistoryMixin
from core.drf import CapabilityPermission
from core.idnumbers import mask_id_number
from core.roles import Cap
from residents import selectors, services
from residents.models import ApplicationStatus


class OnlineMemberSerializer(serializers.Serializer):
    name = serializers.CharField()
    id_number_masked = serializers.CharField()
    relationship = serializers.CharField()
    relationship_label = serializers.CharField()


class OnlineApplicationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    status = serializers.CharField(help_text="submitted | accepted | declined | withdrawn")
    status_label = serializers.CharField(source="get_status_display")
    submitted_at = serializers.DateTimeField()
    community = serializers.CharField(source="community_id")
    community_name = serializers.CharField(source="community.name")
    applicant_name = serializers.CharField()
    applicant_id_number_masked = serializers.SerializerMethodField()
    address = serializers.CharField()
    area_type = serializers.CharField()
    members = serializers.SerializerMethodField()
    monthly_income = serializers.DecimalField(max_digits=12, decimal_places=2)
    reason = serializers.CharField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    authorized_at = serializers.DateTimeField(allow_null=True)
    duplicate = serializers.SerializerMethodField(help_text="the household's open case of the scheme, if any")
    household = serializers.IntegerField(source="household_id", allow_null=True)
    case = serializers.SerializerMethodField(help_text="the case (or claim) it became, once accepted")
    decline_reason = serializers.CharField()

    def get_applicant_id_number_masked(self, application) -> str:
        return mask_id_number(application.applicant_id_number)

    @extend_schema_field(OnlineMemberSerializer(many=True))
    def get_members(self, application) -> list:
        from people.models import Relationship

        labels = dict(Relationship.choices)
        return [
            {
                "name": m["name"],
                "id_number_masked": mask_id_number(m["id_number"]),
                "relationship": m["relationship"],
                "relationship_label": str(labels.get(m["relationship"], "")),
            }
            for m in application.members
        ]

    def get_duplicate(self, application) -> dict | None:
        if application.status != ApplicationStatus.SUBMITTED:
            return None
        case = selectors.open_case_for(application)
        if case is None:
            return None
        return {"id": case.pk, "status": case.status, "status_label": case.status_label()}

    def get_case(self, application) -> int | None:
        case = application.case
        return case.pk if case is not None else None


class OnlineAcceptSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=1000)
    care_level = serializers.CharField(required=False, allow_blank=True, help_text="tekun: full | partial | none")
    placement = serializers.CharField(required=False, allow_blank=True, help_text="tekun: institution | home")
    claim_kind = serializers.CharField(required=False, allow_blank=True, help_text="temporary relief: urgent | expense")


class OnlineDeclineSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=1000, help_text="required: the reason")


class OnlineApplicationViewSet(HistoryMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Residents' online applications in the user's geography (a community's sub-district); ``accept`` and
    ``decline`` are a caseworker's."""

    permission_classes = [IsAuthenticated, CapabilityPermission]
    serializer_class = OnlineApplicationSerializer
    filter_backends: list = []
    required_caps = {
        "list": Cap.RELIEF_VIEW,
        "retrieve": Cap.RELIEF_VIEW,
        "accept": Cap.RELIEF_ONLINE_ACCEPT,
        "decline": Cap.RELIEF_ONLINE_ACCEPT,
    }

    @extend_schema(
        parameters=[OpenApiParameter("status", str, description="submitted | accepted | declined | withdrawn")]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        status = self.request.query_params.get("status", "")
        return selectors.online_application_list(
            user=self.request.user, status=status if status in ApplicationStatus.values else None
        )

    def get_object(self):
        from core.scoping import get_in_scope
        from residents.models import OnlineApplication

        return get_in_scope(OnlineApplication.objects.all(), self.request.user, pk=self.kwargs["pk"])

    def _respond(self, pk):
        from core.scoping import get_in_scope
        from residents.models import OnlineApplication

        return Response(
            OnlineApplicationSerializer(get_in_scope(OnlineApplication.objects.all(), self.request.user, pk=pk)).data
        )

    @extend_schema(request=OnlineAcceptSerializer, responses={200: OnlineApplicationSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """Accept: the household and persons created or matched, the case opened (the 30-working-day clock
        starts), the photos carried over. 409 ``duplicate`` for an open case of the scheme, 409
        ``annual_cap_exceeded`` for a temporary relief claim above the household's remaining cap."""
        data = OnlineAcceptSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.application_accept(actor=request.user, application=self.get_object(), **data.validated_data)
        return self._respond(pk)

    @extend_schema(request=OnlineDeclineSerializer, responses={200: OnlineApplicationSerializer})
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        """Decline with the reason the resident reads (``note``, required: 400 without)."""
        data = OnlineDeclineSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.application_decline(actor=request.user, application=self.get_object(), **data.validated_data)
        return self._respond(pk)

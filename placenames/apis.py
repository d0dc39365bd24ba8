"""The place-name REST API: the gazetteer (roads/), unnamed roads, naming applications, banned words."""

from __future__ import annotations

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from core.apis import HistoryMixin
from core.drf import CapabilityPermission, DivisionCodeFilter, SelectorFilterSet, validated
from core.roles import Cap
from placenames import selectors, services
from placenames.models import (
    ApplicationStatus,
    NamingApplication,
    Road,
    RoadStatus,
    RoadType,
    UnnamedRoad,
    UnnamedRoadStatus,
)
from placenames.naming import warning_messages
from placenames.serializers import (
    ApplicationInputSerializer,
    ApplicationSerializer,
    ApproveInputSerializer,
    BannedWordSerializer,
    NoteSerializer,
    NoticeInputSerializer,
    RoadCreatedSerializer,
    RoadInputSerializer,
    RoadSerializer,
    RoadUpdateSerializer,
    UnnamedRoadInputSerializer,
    UnnamedRoadSerializer,
)


class RoadFilter(SelectorFilterSet):
    q = filters.CharFilter(method="noop", label="name prefix or pinyin")
    district = DivisionCodeFilter(method="noop")
    road_type = filters.ChoiceFilter(choices=RoadType.choices, method="noop")
    status = filters.ChoiceFilter(choices=RoadStatus.choices, method="noop")

    class Meta:
        model = Road
        fields = ["q", "district", "road_type", "status"]


class RoadViewSet(HistoryMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The gazetteer of named roads. A new entry whose name is taken is refused (409 ``name_taken``)."""

    serializer_class = RoadSerializer
    permission_classes = [IsAuthenticated, CapabilityPermission]
    filterset_class = RoadFilter
    required_caps = {
        "list": Cap.PLACENAME_VIEW,
        "retrieve": Cap.PLACENAME_VIEW,
        "create": Cap.PLACENAME_EDIT,
        "partial_update": Cap.PLACENAME_EDIT,
    }

    def get_queryset(self):
        p = self.request.query_params
        return selectors.road_list(
            user=self.request.user,
            q=p.get("q", ""),
            district=p.get("district", ""),
            road_type=p.get("road_type", ""),
            status=p.get("status", ""),
        )

    def get_object(self):
        return selectors.road_get(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(request=RoadInputSerializer, responses={201: RoadCreatedSerializer})
    def create(self, request):
        values = validated(RoadInputSerializer, request.data)
        road, warnings = services.road_create(actor=request.user, **values)
        body = RoadSerializer(selectors.road_get(user=request.user, pk=road.pk)).data
        body["warnings"] = warning_messages(warnings)
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=RoadUpdateSerializer, responses={200: RoadSerializer})
    def partial_update(self, request, pk=None):
        values = validated(RoadUpdateSerializer, request.data)
        road = services.road_update(actor=request.user, road=self.get_object(), **values)
        return Response(RoadSerializer(selectors.road_get(user=request.user, pk=road.pk)).data)


class UnnamedRoadFilter(SelectorFilterSet):
    district = DivisionCodeFilter(method="noop")
    status = filters.ChoiceFilter(choices=UnnamedRoadStatus.choices, method="noop")
    q = filters.CharFilter(method="noop", label="words in the location")

    class Meta:
        model = UnnamedRoad
        fields = ["district", "status", "q"]


class UnnamedRoadViewSet(HistoryMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The inventory of roads found without a name."""

    serializer_class = UnnamedRoadSerializer
    permission_classes = [IsAuthenticated, CapabilityPermission]
    filterset_class = UnnamedRoadFilter
    required_caps = {
        "list": Cap.PLACENAME_VIEW,
        "retrieve": Cap.PLACENAME_VIEW,
        "create": Cap.PLACENAME_EDIT,
        "remove": Cap.PLACENAME_EDIT,
    }

    def get_queryset(self):
        p = self.request.query_params
        return selectors.unnamed_road_list(
            user=self.request.user, district=p.get("district", ""), status=p.get("status", ""), q=p.get("q", "")
        )

    def get_object(self):
        return selectors.unnamed_road_get(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(request=UnnamedRoadInputSerializer, responses={201: UnnamedRoadSerializer})
    def create(self, request):
        values = validated(UnnamedRoadInputSerializer, request.data)
        road = services.unnamed_road_create(actor=request.user, **values)
        return Response(UnnamedRoadSerializer(road).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=NoteSerializer, responses={200: UnnamedRoadSerializer})
    @action(detail=True, methods=["post"])
    def remove(self, request, pk=None):
        """Close an entry that no longer needs a name."""
        values = validated(NoteSerializer, request.data)
        road = services.unnamed_road_remove(actor=request.user, road=self.get_object(), note=values["note"])
        return Response(UnnamedRoadSerializer(road).data)


class ApplicationFilter(SelectorFilterSet):
    district = DivisionCodeFilter(method="noop")
    status = filters.ChoiceFilter(choices=ApplicationStatus.choices, method="noop")
    q = filters.CharFilter(method="noop", label="part of the proposed name")

    class Meta:
        model = NamingApplication
        fields = ["district", "status", "q"]


class NamingApplicationViewSet(HistoryMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Naming applications: proposed → checked → expert_review → public_notice → approved → published."""

    serializer_class = ApplicationSerializer
    permission_classes = [IsAuthenticated, CapabilityPermission]
    filterset_class = ApplicationFilter
    required_caps = {
        "list": Cap.PLACENAME_VIEW,
        "retrieve": Cap.PLACENAME_VIEW,
        "create": Cap.PLACENAME_EDIT,
        "check": Cap.PLACENAME_EDIT,
        "refer": Cap.PLACENAME_EDIT,
        "notice": Cap.PLACENAME_EDIT,
        "approve": Cap.PLACENAME_APPROVE,
        "publish": Cap.PLACENAME_APPROVE,
        "reject": Cap.PLACENAME_APPROVE,
        "withdraw": Cap.PLACENAME_EDIT,
    }

    def get_queryset(self):
        p = self.request.query_params
        return selectors.application_list(
            user=self.request.user, district=p.get("district", ""), status=p.get("status", ""), q=p.get("q", "")
        )

    def get_object(self):
        return selectors.application_get(user=self.request.user, pk=self.kwargs["pk"])

    def _respond(self, application, code=status.HTTP_200_OK):
        application = selectors.application_get(user=self.request.user, pk=application.pk)
        return Response(ApplicationSerializer(application).data, status=code)

    @extend_schema(request=ApplicationInputSerializer, responses={201: ApplicationSerializer})
    def create(self, request):
        values = validated(ApplicationInputSerializer, request.data)
        application = services.application_create(actor=request.user, **values)
        return self._respond(application, status.HTTP_201_CREATED)

    def _note(self, request) -> str:
        values = validated(NoteSerializer, request.data)
        return values["note"]

    @extend_schema(request=NoteSerializer, responses={200: ApplicationSerializer})
    @action(detail=True, methods=["post"])
    def check(self, request, pk=None):
        """Run the name checks again: proposed → checked."""
        note = self._note(request)
        return self._respond(services.application_check(actor=request.user, application=self.get_object(), note=note))

    @extend_schema(request=NoteSerializer, responses={200: ApplicationSerializer})
    @action(detail=True, methods=["post"])
    def refer(self, request, pk=None):
        """Refer to the expert panel: checked → expert_review."""
        note = self._note(request)
        application = services.application_refer_to_experts(
            actor=request.user, application=self.get_object(), note=note
        )
        return self._respond(application)

    @extend_schema(request=NoticeInputSerializer, responses={200: ApplicationSerializer})
    @action(detail=True, methods=["post"])
    def notice(self, request, pk=None):
        """Record the experts' opinion and post the public notice: expert_review → public_notice."""
        values = validated(NoticeInputSerializer, request.data)
        application = services.application_start_notice(actor=request.user, application=self.get_object(), **values)
        return self._respond(application)

    @extend_schema(request=ApproveInputSerializer, responses={200: ApplicationSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve after the public notice has ended: public_notice → approved."""
        values = validated(ApproveInputSerializer, request.data)
        application = services.application_approve(actor=request.user, application=self.get_object(), **values)
        return self._respond(application)

    @extend_schema(request=NoteSerializer, responses={200: ApplicationSerializer})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Publish: the road enters the gazetteer and its unnamed-road entry is closed."""
        note = self._note(request)
        return self._respond(services.application_publish(actor=request.user, application=self.get_object(), note=note))

    @extend_schema(request=NoteSerializer, responses={200: ApplicationSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        note = self._note(request)
        return self._respond(services.application_reject(actor=request.user, application=self.get_object(), note=note))

    @extend_schema(request=NoteSerializer, responses={200: ApplicationSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        note = self._note(request)
        return self._respond(
            services.application_withdraw(actor=request.user, application=self.get_object(), note=note)
        )


class BannedWordViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Words no new road name may contain."""

    serializer_class = BannedWordSerializer
    permission_classes = [IsAuthenticated, CapabilityPermission]
    pagination_class = None
    lookup_value_regex = r"[0-9]+"
    required_caps = {
        "list": Cap.PLACENAME_VIEW,
        "create": Cap.PLACENAME_CONFIGURE,
        "deactivate": Cap.PLACENAME_CONFIGURE,
    }

    def get_queryset(self):
        return selectors.banned_words(user=self.request.user)

    @extend_schema(request=BannedWordSerializer, responses={201: BannedWordSerializer})
    def create(self, request):
        values = validated(BannedWordSerializer, request.data)
        word = services.banned_word_add(actor=request.user, word=values["word"], reason=values.get("reason", ""))
        return Response(BannedWordSerializer(word).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: BannedWordSerializer})
    @action(detail=True, methods=["post"])
    def deactivate(self, request, pk=None):
        word = services.banned_word_deactivate(actor=request.user, word=int(pk))
        return Response(BannedWordSerializer(word).data)

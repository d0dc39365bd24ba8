from __future__ import annotations

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from core.apis import HistoryMixin
from core.drf import CapabilityPermission, DivisionCodeFilter, SelectorFilterSet
from core.permissions import require_can
from core.roles import Cap
from marriage.selectors import marital_status_of
from marriage.serializers import MaritalStatusSerializer
from people import selectors, services
from people.models import AreaType, Household, Person
from people.serializers import (
    HouseholdDetailSerializer,
    HouseholdInputSerializer,
    HouseholdSerializer,
    HouseholdUpdateSerializer,
    MeansInputSerializer,
    MeansSerializer,
    PersonInputSerializer,
    PersonSerializer,
    PersonUpdateSerializer,
    RevealInputSerializer,
    RevealSerializer,
)


class PersonFilter(SelectorFilterSet):
    q = filters.CharFilter(method="noop", label="name prefix or exact ID number")
    id_number = filters.CharFilter(method="noop")
    community = DivisionCodeFilter(method="noop")
    division = DivisionCodeFilter(method="noop")
    sex = filters.CharFilter()

    class Meta:
        model = Person
        fields = ["q", "id_number", "community", "division", "sex"]


class PersonViewSet(HistoryMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = PersonSerializer
    permission_classes = [IsAuthenticated, CapabilityPermission]
    filterset_class = PersonFilter
    required_caps = {
        "list": Cap.PEOPLE_VIEW,
        "retrieve": Cap.PEOPLE_VIEW,
        "create": Cap.PEOPLE_EDIT,
        "partial_update": Cap.PEOPLE_EDIT,
        "reveal": Cap.PEOPLE_REVEAL,
        "marital_status": Cap.PEOPLE_VIEW,
    }

    def get_queryset(self):
        params = self.request.query_params
        return selectors.person_list(
            user=self.request.user,
            q=params.get("q", ""),
            id_number=params.get("id_number", ""),
            community=params.get("community", ""),
            division=params.get("division", ""),
        )

    def get_object(self):
        return selectors.person_get(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(request=PersonInputSerializer, responses={201: PersonSerializer})
    def create(self, request):
        data = PersonInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        person = services.person_create(actor=request.user, **data.validated_data)
        return Response(PersonSerializer(person).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PersonUpdateSerializer, responses={200: PersonSerializer})
    def partial_update(self, request, pk=None):
        data = PersonUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        person = services.person_update(actor=request.user, person=self.get_object(), **data.validated_data)
        return Response(PersonSerializer(person).data)

    @extend_schema(request=RevealInputSerializer, responses={200: RevealSerializer})
    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None):
        data = RevealInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        number = services.person_reveal_id_number(
            actor=request.user,
            person=self.get_object(),
            reason=data.validated_data["reason"],
            ip_address=request.META.get("REMOTE_ADDR"),
        )
        return Response({"id_number": number})

    @extend_schema(responses={200: MaritalStatusSerializer})
    @action(detail=True, methods=["get"], url_path="marital-status")
    def marital_status(self, request, pk=None):
        """The person's marital status, as it follows from the marriage register."""
        status_ = marital_status_of(person=self.get_object(), user=request.user)
        return Response(MaritalStatusSerializer(status_).data)


class HouseholdFilter(SelectorFilterSet):
    q = filters.CharFilter(method="noop", label="head's name prefix or a member's exact ID number")
    community = DivisionCodeFilter(method="noop")
    area_type = filters.ChoiceFilter(choices=AreaType.choices, method="noop")

    class Meta:
        model = Household
        fields = ["q", "community", "area_type"]


class HouseholdViewSet(HistoryMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated, CapabilityPermission]
    filterset_class = HouseholdFilter
    required_caps = {
        "list": Cap.PEOPLE_VIEW,
        "retrieve": Cap.PEOPLE_VIEW,
        "create": Cap.HOUSEHOLD_EDIT,
        "partial_update": Cap.HOUSEHOLD_EDIT,
        "means": Cap.RELIEF_VIEW,  # recording: the service asks for ``record_means`` (case staff)
    }

    def get_serializer_class(self):
        return HouseholdDetailSerializer if self.action != "list" else HouseholdSerializer

    def get_queryset(self):
        params = self.request.query_params
        return selectors.household_list(
            user=self.request.user,
            q=params.get("q", ""),
            community=params.get("community", ""),
            area_type=params.get("area_type", ""),
        )

    def get_object(self):
        return selectors.household_get(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(request=HouseholdInputSerializer, responses={201: HouseholdDetailSerializer})
    def create(self, request):
        data = HouseholdInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        people = selectors.people_by_ids(
            user=request.user, ids=[values["head"], *(m["person"] for m in values["members"])]
        )
        household = services.household_create(
            actor=request.user,
            community=values["community"],
            address=values["address"],
            area_type=values["area_type"],
            head=people[values["head"]],
            members=[
                services.MemberSpec(person=people[m["person"]], relationship=m["relationship"])
                for m in values["members"]
            ],
            bank_name=values["bank_name"],
            bank_account=values["bank_account"],
        )
        household = selectors.household_get(user=request.user, pk=household.pk)
        return Response(HouseholdDetailSerializer(household).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=HouseholdUpdateSerializer, responses={200: HouseholdDetailSerializer})
    def partial_update(self, request, pk=None):
        data = HouseholdUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.household_update(actor=request.user, household=self.get_object(), **data.validated_data)
        return Response(HouseholdDetailSerializer(selectors.household_get(user=request.user, pk=pk)).data)

    @extend_schema(methods=["get"], responses={200: MeansSerializer(many=True)})
    @extend_schema(methods=["post"], request=MeansInputSerializer, responses={201: MeansSerializer})
    @action(detail=True, methods=["get", "post"])
    def means(self, request, pk=None):
        """The household's total monthly income as found out, newest first (the first is the household's);
        ``POST`` records it outside any case (a visit, an earlier refused application…)."""
        household = self.get_object()
        if request.method == "GET":
            page = self.paginate_queryset(selectors.household_means(user=request.user, household=household))
            return self.get_paginated_response(MeansSerializer(page, many=True).data)
        require_can(request.user, "record_means", household)  # a role that records nothing: 403 before any 400
        data = MeansInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        record = services.household_means_record(actor=request.user, household=household, **data.validated_data)
        return Response(MeansSerializer(record).data, status=status.HTTP_201_CREATED)

"""The elderly-care REST API: ``elderly-centres/`` (with ``summary/`` and the stage steps) and
``left-behind-elderly/`` (with ``{id}/visits/``, ``?overdue=true``)."""

from __future__ import annotations

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from core.apis import HistoryMixin
from core.drf import CapabilityPermission, SelectorFilterSet, validated
from core.roles import Cap
from elderly import selectors, services
from elderly.models import CentreStage, ElderlyCentre, ElderStatus, LeftBehindElder, Risk
from elderly.serializers import (
    CentreInputSerializer,
    CentreSerializer,
    CentreStepSerializer,
    CentreSummarySerializer,
    CentreUpdateSerializer,
    ElderCloseSerializer,
    ElderInputSerializer,
    ElderSerializer,
    ElderUpdateSerializer,
    SubsidyAccountSerializer,
    SubsidyDecisionSerializer,
    SubsidyInputSerializer,
    SubsidySerializer,
    VisitInputSerializer,
    VisitSerializer,
)

TRUE = {"1", "true", "yes", "on"}


class CentreFilter(SelectorFilterSet):
    q = filters.CharFilter(method="noop", label="a keyword of the name")
    subdistrict = filters.CharFilter(method="noop")
    division = filters.CharFilter(method="noop", label="a division code: its centres")
    stage = filters.ChoiceFilter(choices=CentreStage.choices, method="noop")

    class Meta:
        model = ElderlyCentre
        fields = ["q", "subdistrict", "division", "stage"]


class ElderlyCentreViewSet(HistoryMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Sub-district elderly-care centres: site → operator → built → operating (``contract``, ``complete``, ``open``)."""

    serializer_class = CentreSerializer
    permission_classes = [IsAuthenticated, CapabilityPermission]
    filterset_class = CentreFilter
    required_caps = {
        "list": Cap.ELDERLY_VIEW,
        "retrieve": Cap.ELDERLY_VIEW,
        "summary": Cap.ELDERLY_VIEW,
        "create": Cap.ELDERLY_CENTRE_EDIT,
        "partial_update": Cap.ELDERLY_CENTRE_EDIT,
        "contract": Cap.ELDERLY_CENTRE_EDIT,
        "complete": Cap.ELDERLY_CENTRE_EDIT,
        "open": Cap.ELDERLY_CENTRE_EDIT,
    }

    def get_queryset(self):
        p = self.request.query_params
        return selectors.centre_list(
            user=self.request.user,
            q=p.get("q", ""),
            subdistrict=p.get("subdistrict", ""),
            division=p.get("division", ""),
            stage=p.get("stage", ""),
        )

    def get_object(self):
        return selectors.centre_get(user=self.request.user, pk=self.kwargs["pk"])

    def _respond(self, centre, code=status.HTTP_200_OK):
        return Response(CentreSerializer(selectors.centre_get(user=self.request.user, pk=centre.pk)).data, status=code)

    @extend_schema(request=CentreInputSerializer, responses={201: CentreSerializer})
    def create(self, request):
        data = validated(CentreInputSerializer, request.data)
        centre = services.centre_create(actor=request.user, **data)
        return self._respond(centre, status.HTTP_201_CREATED)

    @extend_schema(request=CentreUpdateSerializer, responses={200: CentreSerializer})
    def partial_update(self, request, pk=None):
        data = validated(CentreUpdateSerializer, request.data)
        centre = services.centre_update(actor=request.user, centre=self.get_object(), **data)
        return self._respond(centre)

    @extend_schema(responses={200: CentreSummarySerializer})
    @action(detail=False, methods=["get"])
    def summary(self, request):
        """Centres by present stage, and ``reached``: how many have reached each stage (further ones included)."""
        division = request.query_params.get("division", "")
        return Response(selectors.centre_summary(user=request.user, division=division))

    def _step(self, request, action_name: str):
        data = validated(CentreStepSerializer, request.data)
        centre = services.centre_advance(actor=request.user, centre=self.get_object(), action=action_name, **data)
        return self._respond(centre)

    @extend_schema(request=CentreStepSerializer, responses={200: CentreSerializer})
    @action(detail=True, methods=["post"])
    def contract(self, request, pk=None):
        """An operator contracted (needs ``operator``): site → operator."""
        return self._step(request, "contract")

    @extend_schema(request=CentreStepSerializer, responses={200: CentreSerializer})
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """Construction completed: operator → built."""
        return self._step(request, "complete")

    @extend_schema(request=CentreStepSerializer, responses={200: CentreSerializer})
    @action(detail=True, methods=["post"])
    def open(self, request, pk=None):
        """Opened to the public: built → operating."""
        return self._step(request, "open")


class ElderFilter(SelectorFilterSet):
    q = filters.CharFilter(method="noop", label="a fragment of the name or the last 4–6 characters of the ID number")
    community = filters.CharFilter(method="noop", label="a division code: persons registered under it")
    risk = filters.ChoiceFilter(choices=Risk.choices, method="noop")
    status = filters.ChoiceFilter(choices=ElderStatus.choices, method="noop")
    overdue = filters.BooleanFilter(method="noop", label="not visited within 30 days (high risk) or 90 days")

    class Meta:
        model = LeftBehindElder
        fields = ["q", "community", "risk", "status", "overdue"]


class LeftBehindElderViewSet(HistoryMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The rural left-behind elderly register and its care visits."""

    serializer_class = ElderSerializer
    permission_classes = [IsAuthenticated, CapabilityPermission]
    filterset_class = ElderFilter
    required_caps = {
        "list": Cap.ELDERLY_VIEW,
        "retrieve": Cap.ELDERLY_VIEW,
        "create": Cap.LEFT_BEHIND_EDIT,
        "partial_update": Cap.LEFT_BEHIND_EDIT,
        "close": Cap.LEFT_BEHIND_EDIT,
        "visits": (Cap.ELDERLY_VIEW,),
    }

    def get_queryset(self):
        p = self.request.query_params
        return selectors.elder_list(
            user=self.request.user,
            q=p.get("q", ""),
            community=p.get("community", ""),
            risk=p.get("risk", ""),
            status=p.get("status", ""),
            overdue=p.get("overdue", "").lower() in TRUE,
        )

    def get_object(self):
        return selectors.elder_get(user=self.request.user, pk=self.kwargs["pk"])

    def _respond(self, elder, code=status.HTTP_200_OK):
        return Response(ElderSerializer(selectors.elder_get(user=self.request.user, pk=elder.pk)).data, status=code)

    @extend_schema(request=ElderInputSerializer, responses={201: ElderSerializer})
    def create(self, request):
        data = validated(ElderInputSerializer, request.data)
        elder = services.elder_register(actor=request.user, **data)
        return self._respond(elder, status.HTTP_201_CREATED)

    @extend_schema(request=ElderUpdateSerializer, responses={200: ElderSerializer})
    def partial_update(self, request, pk=None):
        data = validated(ElderUpdateSerializer, request.data)
        elder = services.elder_update(actor=request.user, elder=self.get_object(), **data)
        return self._respond(elder)

    @extend_schema(request=ElderCloseSerializer, responses={200: ElderSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Take the person off the register (died, moved, family returned)."""
        data = validated(ElderCloseSerializer, request.data)
        elder = services.elder_close(actor=request.user, elder=self.get_object(), **data)
        return self._respond(elder)

    @extend_schema(methods=["get"], responses={200: VisitSerializer(many=True)})
    @extend_schema(methods=["post"], request=VisitInputSerializer, responses={201: VisitSerializer})
    @action(detail=True, methods=["get", "post"])
    def visits(self, request, pk=None):
        """The person's care visits, newest first; POST records one (``visited_on``, ``visitor``, ``findings``)."""
        elder = self.get_object()
        if request.method == "POST":
            data = validated(VisitInputSerializer, request.data)
            visit = services.visit_record(actor=request.user, elder=elder, **data)
            return Response(VisitSerializer(visit).data, status=status.HTTP_201_CREATED)
        page = self.paginate_queryset(selectors.visit_list(user=request.user, elder=elder))
        return self.get_paginated_response(VisitSerializer(page, many=True).data)


class OperatingSubsidyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Operating subsidies to elderly-care institutions: entered (``POST``), then ``approve`` or ``refuse`` by
    another member of staff with the power to approve; approved ones are paid by a run of ``elderly_operating``."""

    serializer_class = SubsidySerializer
    permission_classes = [IsAuthenticated, CapabilityPermission]
    required_caps = {
        "list": Cap.ELDERLY_VIEW,
        "retrieve": Cap.ELDERLY_VIEW,
        "create": Cap.ELDERLY_SUBSIDY_ENTER,
        "approve": Cap.ELDERLY_SUBSIDY_APPROVE,
        "refuse": Cap.ELDERLY_SUBSIDY_APPROVE,
        "correct_account": Cap.ELDERLY_SUBSIDY_APPROVE,
    }

    def get_queryset(self):
        p = self.request.query_params
        return selectors.subsidy_list(
            user=self.request.user, status=p.get("status", ""), to_approve=p.get("to_approve", "").lower() in TRUE
        )

    def get_object(self):
        return selectors.subsidy_get(user=self.request.user, pk=self.kwargs["pk"])

    def _respond(self, subsidy, code=status.HTTP_200_OK):
        return Response(
            SubsidySerializer(selectors.subsidy_get(user=self.request.user, pk=subsidy.pk)).data, status=code
        )

    @extend_schema(request=SubsidyInputSerializer, responses={201: SubsidySerializer})
    def create(self, request):
        data = validated(SubsidyInputSerializer, request.data)
        subsidy = services.subsidy_create(actor=request.user, **data)
        return self._respond(subsidy, status.HTTP_201_CREATED)

    @extend_schema(request=SubsidyDecisionSerializer, responses={200: SubsidySerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        data = validated(SubsidyDecisionSerializer, request.data)
        return self._respond(services.subsidy_approve(actor=request.user, subsidy=self.get_object(), **data))

    @extend_schema(request=SubsidyDecisionSerializer, responses={200: SubsidySerializer})
    @action(detail=True, methods=["post"])
    def refuse(self, request, pk=None):
        data = validated(SubsidyDecisionSerializer, request.data)
        return self._respond(services.subsidy_refuse(actor=request.user, subsidy=self.get_object(), **data))

    @extend_schema(request=SubsidyAccountSerializer, responses={200: SubsidySerializer})
    @action(detail=True, methods=["post"], url_path="correct-account")
    def correct_account(self, request, pk=None):
        """Correct the bank and account of an approved subsidy (``bank``, ``account``, ``reason``): one with the
        power to approve who did not enter it; a failed payment is re-paid to it by a follow-up run."""
        data = validated(SubsidyAccountSerializer, request.data)
        return self._respond(services.subsidy_correct_account(actor=request.user, subsidy=self.get_object(), **data))

"""The elderly-care REST API: ``elderly-centres/`` (with ``summary/`` and the stage steps),
``elderly-institutions/`` (the register of elderly-care institutions), ``left-behind-elderly/`` (with
``{id}/visits/``, ``?overdue=true``) and ``elderly-subsidies/`` (operating subsidies to either)."""

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
from elderly.models import (
    CentreStage,
    ElderlyCentre,
    ElderlyInstitution,
    ElderStatus,
    InstitutionKind,
    InstitutionStatus,
    LeftBehindElder,
    OperatingSubsidy,
    Risk,
    SubsidyStatus,
)
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
    InstitutionInputSerializer,
    InstitutionSerializer,
    InstitutionUpdateSerializer,
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


class InstitutionFilter(SelectorFilterSet):
    q = filters.CharFilter(method="noop", label="a keyword of the name")
    subdistrict = filters.CharFilter(method="noop")
    division = filters.CharFilter(method="noop", label="a division code: its institutions")
    kind = filters.ChoiceFilter(choices=InstitutionKind.choices, method="noop")
    status = filters.ChoiceFilter(choices=InstitutionStatus.choices, method="noop")

    class Meta:
        model = ElderlyInstitution
        fields = ["q", "subdistrict", "division", "kind", "status"]


class ElderlyInstitutionViewSet(
    HistoryMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The register of elderly-care institutions (养老机构): public, publicly built and privately run, or private;
    an operating one may receive operating subsidies (``elderly-subsidies/`` with ``institution``)."""

    serializer_class = InstitutionSerializer
    permission_classes = [IsAuthenticated, CapabilityPermission]
    filterset_class = InstitutionFilter
    required_caps = {
        "list": Cap.ELDERLY_VIEW,
        "retrieve": Cap.ELDERLY_VIEW,
        "create": Cap.ELDERLY_CENTRE_EDIT,
        "partial_update": Cap.ELDERLY_CENTRE_EDIT,
    }

    def get_queryset(self):
        p = self.request.query_params
        return selectors.institution_list(
            user=self.request.user,
            **{k: p.get(k, "") for k in ("q", "subdistrict", "division", "kind", "status")},
        )

    def get_object(self):
        return selectors.institution_get(user=self.request.user, pk=self.kwargs["pk"])

    def _respond(self, institution, code=status.HTTP_200_OK):
        data = InstitutionSerializer(selectors.institution_get(user=self.request.user, pk=institution.pk)).data
        return Response(data, status=code)

    @extend_schema(request=InstitutionInputSerializer, responses={201: InstitutionSerializer})
    def create(self, request):
        data = validated(InstitutionInputSerializer, request.data)
        return self._respond(services.institution_create(actor=request.user, **data), status.HTTP_201_CREATED)

    @extend_schema(request=InstitutionUpdateSerializer, responses={200: InstitutionSerializer})
    def partial_update(self, request, pk=None):
        data = validated(InstitutionUpdateSerializer, request.data)
        return self._respond(services.institution_update(actor=request.user, institution=self.get_object(), **data))


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


class SubsidyFilter(SelectorFilterSet):
    status = filters.ChoiceFilter(choices=SubsidyStatus.choices, method="noop")
    to_approve = filters.BooleanFilter(method="noop", label="waiting for this user's approval")
    to_confirm = filters.BooleanFilter(
        method="noop", label="an account correction waiting for this user's confirmation"
    )

    class Meta:
        model = OperatingSubsidy
        fields = ["status", "to_approve", "to_confirm"]


class OperatingSubsidyViewSet(HistoryMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Operating subsidies to elderly-care institutions: entered (``POST``), then ``approve`` or ``refuse`` by
    another member of staff with the power to approve; approved ones are paid by a run of ``elderly_operating``."""

    serializer_class = SubsidySerializer
    permission_classes = [IsAuthenticated, CapabilityPermission]
    filterset_class = SubsidyFilter
    required_caps = {
        "list": Cap.ELDERLY_SUBSIDY_VIEW,
        "retrieve": Cap.ELDERLY_SUBSIDY_VIEW,
        "create": Cap.ELDERLY_SUBSIDY_ENTER,
        "approve": Cap.ELDERLY_SUBSIDY_APPROVE,
        "refuse": Cap.ELDERLY_SUBSIDY_APPROVE,
        "correct_account": (Cap.ELDERLY_SUBSIDY_APPROVE, Cap.ELDERLY_ACCOUNT_CONFIRM),
        "confirm_account": Cap.ELDERLY_ACCOUNT_CONFIRM,
        "reject_account": Cap.ELDERLY_ACCOUNT_CONFIRM,
    }

    def get_queryset(self):
        p = self.request.query_params
        return selectors.subsidy_list(
            user=self.request.user,
            status=p.get("status", ""),
            to_approve=p.get("to_approve", "").lower() in TRUE,
            to_confirm=p.get("to_confirm", "").lower() in TRUE,
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
        """Propose a new bank and account for an approved subsidy (``bank``, ``account``, ``reason``): one with the
        power to approve or a finance officer, not who entered it. The subsidy keeps its account until another
        finance officer confirms (``confirm-account/``); shown meanwhile as ``pending_correction``. 409
        ``bank_file_sent`` while its payment is in a bank file already sent to the bank."""
        data = validated(SubsidyAccountSerializer, request.data)
        return self._respond(services.subsidy_correct_account(actor=request.user, subsidy=self.get_object(), **data))

    @extend_schema(request=SubsidyDecisionSerializer, responses={200: SubsidySerializer})
    @action(detail=True, methods=["post"], url_path="confirm-account")
    def confirm_account(self, request, pk=None):
        """Confirm the proposed account (a finance officer who neither proposed it nor entered the subsidy): the
        subsidy is paid to it from now on; a failed payment is re-paid to it by a follow-up run."""
        data = validated(SubsidyDecisionSerializer, request.data)
        return self._respond(services.account_correction_confirm(actor=request.user, subsidy=self.get_object(), **data))

    @extend_schema(request=SubsidyDecisionSerializer, responses={200: SubsidySerializer})
    @action(detail=True, methods=["post"], url_path="reject-account")
    def reject_account(self, request, pk=None):
        """Reject the proposed account (``note``: the reason, required); the subsidy keeps its account."""
        data = validated(SubsidyDecisionSerializer, request.data)
        return self._respond(services.account_correction_reject(actor=request.user, subsidy=self.get_object(), **data))

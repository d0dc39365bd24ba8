"""The low-income monitoring REST API (api.md "Low-income monitoring"): thin views over selectors and services."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from core.apis import HistoryMixin
from core.cases import current_month, parse_month
from core.drf import CapabilityPermission, SelectorFilterSet
from core.errors import InvalidInput
from core.permissions import require_can
from core.roles import Cap
from monitoring import chain, selectors, services
from monitoring.models import HouseholdExpense, MonitoringRun, RiskWarning, WarningKind, WarningStatus
from monitoring.serializers import (
    TIER_HELP,
    AssistanceChainSerializer,
    AtRiskFlagInputSerializer,
    AtRiskFlagSerializer,
    ExpenseInputSerializer,
    ExpenseSerializer,
    LowIncomePersonSerializer,
    MonitoringRunInputSerializer,
    MonitoringRunSerializer,
    ReasonInputSerializer,
    WarningHandleSerializer,
    WarningSerializer,
    WarningSummarySerializer,
)
from people.models import Household, Person
from people.selectors import household_get


def _month(params):
    value = params.get("month", "")
    return parse_month(value, field="month") if value else current_month()


def _tier(params) -> str:
    tier = params.get("tier", "")
    if tier and tier not in selectors.TIERS:
        raise InvalidInput(_("Choose one of: %(choices)s.") % {"choices": ", ".join(selectors.TIERS)}, field="tier")
    return tier


class LowIncomeFilter(SelectorFilterSet):
    tier = filters.ChoiceFilter(choices=[(t, t) for t in selectors.TIERS], method="noop", help_text=TIER_HELP)
    month = filters.CharFilter(method="noop", help_text='"YYYY-MM"; default: the current month')
    q = filters.CharFilter(method="noop", help_text="a fragment of the name, or the ID number's last 4–6 characters")

    class Meta:
        model = Person
        fields = ["tier", "month", "q"]


class LowIncomeViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """``GET low-income/?tier=dibao|tekun|marginal|expenditure``: persons of the low-income population, scoped."""

    serializer_class = LowIncomePersonSerializer
    permission_classes = [IsAuthenticated, CapabilityPermission]
    filterset_class = LowIncomeFilter
    required_caps = {"list": Cap.MONITORING_VIEW}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Person.objects.none()
        params = self.request.query_params
        return selectors.low_income_list(
            user=self.request.user, tier=_tier(params), month=_month(params), q=params.get("q", "")
        )

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        facts = selectors.low_income_facts(user=request.user, persons=page, month=_month(request.query_params))
        return self.get_paginated_response(LowIncomePersonSerializer(page, many=True, context={"facts": facts}).data)


class HouseholdExpenseViewSet(viewsets.GenericViewSet):
    """``GET|POST households/{id}/expenses/``: a household's expenses by month, recorded outside any case."""

    serializer_class = ExpenseSerializer
    permission_classes = [IsAuthenticated, CapabilityPermission]
    required_caps = {"list": Cap.MONITORING_VIEW, "create": Cap.MONITORING_RECORD}

    def _household(self):
        return household_get(user=self.request.user, pk=self.kwargs["pk"])

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return HouseholdExpense.objects.none()
        return selectors.household_expenses(user=self.request.user, household=self.kwargs["pk"])

    @extend_schema(responses={200: ExpenseSerializer(many=True)})
    def list(self, request, pk=None):
        self._household()  # outside the user's area: 404, like the household
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ExpenseSerializer(page, many=True).data)

    @extend_schema(request=ExpenseInputSerializer, responses={201: ExpenseSerializer})
    def create(self, request, pk=None):
        household = self._household()
        require_can(request.user, "record_expense", household)  # a role that records nothing: 403 before any 400
        data = ExpenseInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        expense = services.household_expense_record(actor=request.user, household=household, **data.validated_data)
        return Response(ExpenseSerializer(expense).data, status=status.HTTP_201_CREATED)


class WarningFilter(SelectorFilterSet):
    status = filters.ChoiceFilter(choices=WarningStatus.choices, method="noop")
    kind = filters.ChoiceFilter(choices=WarningKind.choices, method="noop")
    household = filters.NumberFilter(method="noop")

    class Meta:
        model = RiskWarning
        fields = ["status", "kind", "household"]


class WarningViewSet(HistoryMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """``GET warnings/?status=open``, ``GET warnings/{id}/``, ``POST warnings/{id}/handle/``: risk warnings, scoped."""

    serializer_class = WarningSerializer
    permission_classes = [IsAuthenticated, CapabilityPermission]
    filterset_class = WarningFilter
    required_caps = {
        "list": Cap.MONITORING_VIEW,
        "retrieve": Cap.MONITORING_VIEW,
        "handle": Cap.MONITORING_VIEW,
        "summary": Cap.MONITORING_VIEW,
    }

    def get_queryset(self):
        params = self.request.query_params
        status_ = params.get("status", "")
        if status_ and status_ not in WarningStatus.values:
            raise InvalidInput(
                _("Choose one of: %(choices)s.") % {"choices": ", ".join(WarningStatus.values)}, field="status"
            )
        household = params.get("household", "")
        if household and not household.isdigit():
            raise InvalidInput(_("Give the household's number."), field="household")
        return selectors.warning_list(
            user=self.request.user, status=status_, kind=params.get("kind", ""), household=household or None
        )

    def get_object(self):
        return selectors.warning_get(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(responses={200: WarningSummarySerializer})
    @action(detail=False, methods=["get"])
    def summary(self, request):
        """Warnings by the next division level down (``?division=CODE``, default one's own): open, overdue,
        handled on time and late."""
        return Response(
            WarningSummarySerializer(
                selectors.warning_summary(user=request.user, division=request.query_params.get("division", ""))
            ).data
        )

    @extend_schema(request=WarningHandleSerializer, responses={200: WarningSerializer})
    @action(detail=True, methods=["post"])
    def handle(self, request, pk=None):
        warning = self.get_object()
        require_can(request.user, "handle", warning)  # 403 role, 409 handled: before any 400
        data = WarningHandleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.warning_handle(actor=request.user, warning=warning, **data.validated_data)
        return Response(WarningSerializer(selectors.warning_get(user=request.user, pk=warning.pk)).data)


class AssistanceChainViewSet(viewsets.GenericViewSet):
    """``GET households/{id}/assistance-chain/``: every case, claim, subsidy, payment, warning, visit and data-check
    hit of the household and its members, newest first (一户一条救助链)."""

    serializer_class = AssistanceChainSerializer
    permission_classes = [IsAuthenticated, CapabilityPermission]
    required_caps = {"retrieve": Cap.MONITORING_VIEW}

    @extend_schema(responses={200: AssistanceChainSerializer})
    def retrieve(self, request, pk=None):
        household = household_get(user=request.user, pk=pk)
        body = {
            "household": household.pk,
            "tiers": selectors.household_tiers(user=request.user, household=household),
            "events": chain.assistance_chain(household=household),
        }
        return Response(AssistanceChainSerializer(body).data)


class MonitoringRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """``monitoring-runs/``: the monthly runs over the whole city (Celery); ``POST`` queues one (city staff)."""

    serializer_class = MonitoringRunSerializer
    permission_classes = [IsAuthenticated, CapabilityPermission]
    READERS = (Cap.MONITORING_VIEW, Cap.MONITORING_RUN)
    required_caps = {"list": READERS, "retrieve": READERS, "create": Cap.MONITORING_RUN}

    def get_queryset(self):
        return selectors.run_list(user=self.request.user)

    def get_object(self):
        return selectors.run_get(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(request=MonitoringRunInputSerializer, responses={202: MonitoringRunSerializer})
    def create(self, request):
        require_can(request.user, "start", MonitoringRun)  # 403 before any 400
        data = MonitoringRunInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        run = services.monitoring_run_start(actor=request.user, month=data.validated_data.get("month") or None)
        return Response(
            MonitoringRunSerializer(run, context={"request": request}).data, status=status.HTTP_202_ACCEPTED
        )


class AtRiskFlagViewSet(HistoryMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """``at-risk-flags/``: households a caseworker flagged at risk (其他困难人员), with the reason; scoped.
    ``POST`` ``{"household", "reason"}`` flags one; ``POST at-risk-flags/{id}/clear/`` ``{"reason"}`` clears it."""

    serializer_class = AtRiskFlagSerializer
    permission_classes = [IsAuthenticated, CapabilityPermission]
    required_caps = {
        "list": Cap.MONITORING_VIEW,
        "retrieve": Cap.MONITORING_VIEW,
        "create": Cap.MONITORING_VIEW,
        "clear": Cap.MONITORING_VIEW,
    }

    def get_queryset(self):
        household = self.request.query_params.get("household", "")
        if household and not household.isdigit():
            raise InvalidInput(_("Give the household's number."), field="household")
        return selectors.at_risk_flags(user=self.request.user, household=household or None)

    def get_object(self):
        return selectors.at_risk_flag_get(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(request=AtRiskFlagInputSerializer, responses={201: AtRiskFlagSerializer})
    def create(self, request):
        require_can(request.user, "flag_at_risk", Household)  # 403 before any 400
        data = AtRiskFlagInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        household = household_get(user=request.user, pk=data.validated_data["household"])
        flag = services.at_risk_flag(actor=request.user, household=household, reason=data.validated_data["reason"])
        return Response(AtRiskFlagSerializer(flag).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReasonInputSerializer, responses={200: AtRiskFlagSerializer})
    @action(detail=True, methods=["post"])
    def clear(self, request, pk=None):
        flag = self.get_object()
        require_can(request.user, "clear", flag)  # 403 role, 409 cleared: before any 400
        data = ReasonInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        flag = services.at_risk_clear(actor=request.user, flag=flag, reason=data.validated_data["reason"])
        return Response(AtRiskFlagSerializer(flag).data)

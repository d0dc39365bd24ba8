"""The social assistance REST API (api.md): thin views over selectors and services."""

from __future__ import annotations

from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from core.apis import CaseViewSet, HistoryMixin, case_action
from core.cases import CaseStatus, current_month, local_today, parse_month
from core.drf import CapabilityPermission, DivisionCodeFilter
from core.errors import Forbidden, NotFound
from core.roles import Cap, has_cap
from core.scoping import get_in_scope, scope
from people.models import AreaType, Household, Person
from relief import selectors, services
from relief.models import ClaimKind, ClaimStatus, PriceIndex, PriceSubsidyRule, Scheme
from relief.serializers import (
    ApplicableQuerySerializer,
    ClaimApproveSerializer,
    ClaimBulkApproveSerializer,
    ClaimDetailSerializer,
    ClaimInputSerializer,
    ClaimPayCashSerializer,
    ClaimSerializer,
    DibaoAllowanceSerializer,
    DibaoCaseDetailSerializer,
    DibaoCaseInputSerializer,
    DibaoCaseSerializer,
    DibaoRecheckInputSerializer,
    InvestigationInputSerializer,
    PriceDecisionSerializer,
    PriceIndexInputSerializer,
    PriceRuleInputSerializer,
    PriceRuleSerializer,
    PublicNoticeQuerySerializer,
    PublicNoticeRowSerializer,
    ReliefNoteSerializer,
    ReliefTerminateSerializer,
    ReliefUsageQuerySerializer,
    StandardInputSerializer,
    StandardSerializer,
    SubsidySummarySerializer,
    TekunAllowanceSerializer,
    TekunCaseDetailSerializer,
    TekunCaseInputSerializer,
    TekunCaseSerializer,
    TekunRecheckSerializer,
    UsageSerializer,
)


def _noop(queryset, name, value):  # filters are applied by the selector
    return queryset


def _valid(serializer_class, data):
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


MONTH_PARAM = OpenApiParameter("month", str, description="YYYY-MM (default: this month)")


# --- Standards --------------------------------------------------------------------------------


class StandardFilter(filters.FilterSet):
    scheme = filters.ChoiceFilter(choices=Scheme.choices, method=_noop)
    area_type = filters.ChoiceFilter(choices=AreaType.choices, method=_noop)
    division = DivisionCodeFilter(method=_noop)


class StandardViewSet(HistoryMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Standards with effective dates. Everyone signed in reads them; administrators add entries."""

    serializer_class = StandardSerializer
    permission_classes = [IsAuthenticated, CapabilityPermission]
    filterset_class = StandardFilter
    required_caps = {"list": None, "retrieve": None, "applicable": None, "create": Cap.STANDARDS_EDIT}

    def get_queryset(self):
        params = self.request.query_params
        return selectors.standard_list(
            user=self.request.user,
            scheme=params.get("scheme", ""),
            area_type=params.get("area_type", ""),
            division=params.get("division", ""),
        )

    @extend_schema(request=StandardInputSerializer, responses={201: StandardSerializer})
    def create(self, request):
        values = _valid(StandardInputSerializer, request.data)
        standard = services.standard_create(
            actor=request.user,
            scheme=values["scheme"],
            area_type=values.get("area_type") or "",
            division=values.get("division") or None,
            effective_from=values["effective_from"],
            amount=values["amount"],
            source=values["source"],
        )
        return Response(StandardSerializer(standard).data, status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[ApplicableQuerySerializer], responses={200: StandardSerializer})
    @action(detail=False, methods=["get"])
    def applicable(self, request):
        """The entry that applies to a scheme on a date (or month), for an area and division."""
        values = _valid(ApplicableQuerySerializer, request.query_params)
        on = values.get("date") or (parse_month(values["month"]) if values.get("month") else local_today())
        entry = selectors.standard_for(
            values["scheme"], on, area_type=values.get("area_type"), division=values.get("division")
        )
        if entry is None:
            raise NotFound()
        return Response(StandardSerializer(entry).data)


class PriceRuleViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The price-linkage rules (thresholds, index, floor, covered groups) with their effective dates."""

    serializer_class = PriceRuleSerializer
    permission_classes = [IsAuthenticated, CapabilityPermission]
    required_caps = {"list": (Cap.RELIEF_VIEW, Cap.STANDARDS_EDIT, Cap.PAYOUT_VIEW), "create": Cap.STANDARDS_EDIT}
    queryset = PriceSubsidyRule.objects.none()  # for the schema

    def get_queryset(self):
        return scope(PriceSubsidyRule.objects.order_by("-effective_from"), self.request.user)

    filter_backends = []

    @extend_schema(request=PriceRuleInputSerializer, responses={201: PriceRuleSerializer})
    def create(self, request):
        values = _valid(PriceRuleInputSerializer, request.data)
        rule = services.price_rule_create(actor=request.user, **values)
        return Response(PriceRuleSerializer(rule).data, status=status.HTTP_201_CREATED)


# --- Cases: what dibao and tekun share --------------------------------------------------------


class _CaseViewSet(CaseViewSet):
    required_caps = {
        "list": Cap.RELIEF_VIEW,
        "retrieve": Cap.RELIEF_VIEW,
        "create": Cap.RELIEF_APPLY,
        "allowance": Cap.RELIEF_VIEW,
        "review": Cap.RELIEF_REVIEW,
        "approve": Cap.RELIEF_VIEW,  # the service decides the approving level (403 otherwise)
        "reject": Cap.RELIEF_VIEW,
        "withdraw": Cap.RELIEF_APPLY,
        "suspend": Cap.RELIEF_VIEW,
        "resume": Cap.RELIEF_VIEW,
        "terminate": Cap.RELIEF_VIEW,
        "recheck": Cap.RELIEF_VIEW,
        "investigate": Cap.RELIEF_APPLY,
        "object": Cap.RELIEF_VIEW,  # the rule names who may (core.permissions)
    }

    review = case_action("review", ReliefNoteSerializer, "The sub-district's review (审核).")
    approve = case_action(
        "approve",
        ReliefNoteSerializer,
        "Approve (审批): the district, or the sub-district where its district delegates the power.",
    )
    reject = case_action(
        "reject", ReliefNoteSerializer, "Refuse, with the reason told in writing (``note`` required: 400 without)."
    )
    object = case_action(
        "object",
        ReliefNoteSerializer,
        "An objection raised during the public notice (``note`` required): back to ``submitted``.",
    )
    investigate = case_action(
        "investigate",
        InvestigationInputSerializer,
        "Record the home investigation (入户调查) of a submitted application.",
        convert=lambda values: {
            "investigation": services.InvestigationSpec(
                on=values["date"], investigators=values["investigators"], findings=values["findings"]
            )
        },
    )
    withdraw = case_action("withdraw", ReliefNoteSerializer)
    suspend = case_action("suspend", ReliefNoteSerializer)
    resume = case_action("resume", ReliefNoteSerializer)
    terminate = case_action(
        "terminate",
        ReliefTerminateSerializer,
        "End the case; it pays no more from ``end_month`` (default: next month).",
    )


def _stage_param(params) -> str:
    stage = params.get("stage", "")
    return stage if stage in selectors.STAGES else ""


def _month_param(request):
    value = request.query_params.get("month")
    return parse_month(value, field="month") if value else current_month()


class DibaoCaseFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=CaseStatus.choices, method=_noop)
    household = filters.NumberFilter(method=_noop)
    division = DivisionCodeFilter(method=_noop)
    q = filters.CharFilter(method=_noop, label="head's name prefix")
    stage = filters.ChoiceFilter(choices=[(v, v) for v in selectors.STAGES], method=_noop)
    overdue = filters.BooleanFilter(method=_noop, label="past the 30-working-day clock")


class DibaoCaseViewSet(_CaseViewSet):
    """Dibao (minimum living allowance) cases, per household."""

    filterset_class = DibaoCaseFilter
    list_serializer = DibaoCaseSerializer
    detail_serializer = DibaoCaseDetailSerializer
    case_services = {
        "investigate": services.dibao_case_investigate,
        "review": services.dibao_case_review,
        "object": services.dibao_case_object,
        "approve": services.dibao_case_approve,
        "reject": services.dibao_case_reject,
        "withdraw": services.dibao_case_withdraw,
        "suspend": services.dibao_case_suspend,
        "resume": services.dibao_case_resume,
        "terminate": services.dibao_case_terminate,
    }

    def get_queryset(self):
        params = self.request.query_params
        return selectors.dibao_case_list(
            user=self.request.user,
            status=params.get("status", ""),
            household=params.get("household", "") if (params.get("household") or "").isdigit() else "",
            division=params.get("division", ""),
            q=params.get("q", ""),
            stage=_stage_param(params),
            overdue=params.get("overdue") in ("1", "true", "True"),
        )

    def get_object_by_pk(self, pk):
        return selectors.dibao_case_get(user=self.request.user, pk=pk)

    @extend_schema(request=DibaoCaseInputSerializer, responses={201: DibaoCaseDetailSerializer})
    def create(self, request):
        values = _valid(DibaoCaseInputSerializer, request.data)
        household = get_in_scope(Household.objects.all(), request.user, pk=values["household"])
        investigation = values.get("investigation")
        case = services.dibao_case_create(
            actor=request.user,
            household=household,
            monthly_income=values.get("monthly_income"),
            incomes=[
                services.IncomeSpec(person_id=i.get("person"), source=i["source"], amount=i["amount"])
                for i in values["incomes"]
            ],
            disabled=set(values["disabled"]),
            investigation=services.InvestigationSpec(
                on=investigation["date"],
                investigators=investigation["investigators"],
                findings=investigation["findings"],
            )
            if investigation
            else None,
            income_irregular=values["income_irregular"],
            note=values["note"],
        )
        return self._respond(case.pk, created=True)

    @extend_schema(parameters=[MONTH_PARAM], responses={200: DibaoAllowanceSerializer})
    @action(detail=True, methods=["get"])
    def allowance(self, request, pk=None):
        """The allowance the rule in force in ``month`` gives (any month: standards change with no re-approval)."""
        case = self.get_object()
        month = _month_param(request)
        return Response(DibaoAllowanceSerializer.build(case, selectors.dibao_allowance(case, month)))

    @extend_schema(request=DibaoRecheckInputSerializer)
    @action(detail=True, methods=["post"])
    def recheck(self, request, pk=None):
        """Periodic review (定期复核): confirm or update the income; the next review date moves on."""
        values = _valid(DibaoRecheckInputSerializer, request.data)
        case = self.get_object()
        services.dibao_case_recheck(
            actor=request.user,
            case=case,
            note=values["note"],
            monthly_income=values.get("monthly_income"),
            income_irregular=values.get("income_irregular"),
            incomes=[
                services.IncomeSpec(person_id=i.get("person"), source=i["source"], amount=i["amount"])
                for i in values["incomes"]
            ],
        )
        return self._respond(case.pk)


class TekunCaseFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=CaseStatus.choices, method=_noop)
    person = filters.NumberFilter(method=_noop)
    division = DivisionCodeFilter(method=_noop)
    q = filters.CharFilter(method=_noop, label="name prefix")
    stage = filters.ChoiceFilter(choices=[(v, v) for v in selectors.STAGES], method=_noop)
    overdue = filters.BooleanFilter(method=_noop, label="past the 30-working-day clock")


class TekunCaseViewSet(_CaseViewSet):
    """Tekun (extreme-poverty support) cases, per person."""

    filterset_class = TekunCaseFilter
    list_serializer = TekunCaseSerializer
    detail_serializer = TekunCaseDetailSerializer
    case_services = {
        "investigate": services.tekun_case_investigate,
        "review": services.tekun_case_review,
        "object": services.tekun_case_object,
        "approve": services.tekun_case_approve,
        "reject": services.tekun_case_reject,
        "withdraw": services.tekun_case_withdraw,
        "suspend": services.tekun_case_suspend,
        "resume": services.tekun_case_resume,
        "terminate": services.tekun_case_terminate,
        "recheck": services.tekun_case_recheck,
    }

    def get_queryset(self):
        params = self.request.query_params
        return selectors.tekun_case_list(
            user=self.request.user,
            status=params.get("status", ""),
            person=params.get("person", "") if (params.get("person") or "").isdigit() else "",
            division=params.get("division", ""),
            q=params.get("q", ""),
            stage=_stage_param(params),
            overdue=params.get("overdue") in ("1", "true", "True"),
        )

    def get_object_by_pk(self, pk):
        return selectors.tekun_case_get(user=self.request.user, pk=pk)

    @extend_schema(request=TekunCaseInputSerializer, responses={201: TekunCaseDetailSerializer})
    def create(self, request):
        values = _valid(TekunCaseInputSerializer, request.data)
        person = get_in_scope(Person.objects.all(), request.user, pk=values.pop("person"))
        case = services.tekun_case_create(actor=request.user, person=person, **values)
        return self._respond(case.pk, created=True)

    @extend_schema(parameters=[MONTH_PARAM], responses={200: TekunAllowanceSerializer})
    @action(detail=True, methods=["get"])
    def allowance(self, request, pk=None):
        case = self.get_object()
        month = _month_param(request)
        return Response(TekunAllowanceSerializer.build(case, selectors.tekun_allowance(case, month)))

    recheck = case_action(
        "recheck", TekunRecheckSerializer, "Periodic review; the self-care level or placement may change."
    )


# --- Temporary relief -------------------------------------------------------------------------


class ClaimFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=ClaimStatus.choices, method=_noop)
    kind = filters.ChoiceFilter(choices=ClaimKind.choices, method=_noop)
    household = filters.NumberFilter(method=_noop)
    division = DivisionCodeFilter(method=_noop)
    green_channel = filters.BooleanFilter(method=_noop)
    overdue = filters.BooleanFilter(method=_noop, label="green-channel paperwork overdue")


def _bool_param(value: str | None) -> bool | None:
    if value is None or value == "":
        return None
    return value.lower() in {"1", "true", "yes", "on"}


class TemporaryReliefClaimViewSet(
    HistoryMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Temporary relief claims: tiered approval, the household's annual cap, the green channel."""

    permission_classes = [IsAuthenticated, CapabilityPermission]
    filterset_class = ClaimFilter
    required_caps = {
        "list": Cap.RELIEF_VIEW,
        "retrieve": Cap.RELIEF_VIEW,
        "create": Cap.RELIEF_APPLY,
        "approve": Cap.RELIEF_VIEW,  # the service checks the level and the threshold (403)
        "approve_many": Cap.RELIEF_DECIDE,
        "refer": Cap.RELIEF_VIEW,  # the rule: a sub-district approver, a claim above its power
        "reject": Cap.RELIEF_VIEW,
        "withdraw": Cap.RELIEF_APPLY,
        "complete_paperwork": Cap.RELIEF_APPLY,
        "pay_cash": Cap.RELIEF_APPLY,
    }

    def get_serializer_class(self):
        return ClaimSerializer if self.action == "list" else ClaimDetailSerializer

    def get_queryset(self):
        params = self.request.query_params
        return selectors.claim_list(
            user=self.request.user,
            status=params.get("status", ""),
            kind=params.get("kind", ""),
            household=params.get("household", "") if (params.get("household") or "").isdigit() else "",
            division=params.get("division", ""),
            overdue=bool(_bool_param(params.get("overdue"))),
            green_channel=_bool_param(params.get("green_channel")),
        )

    def get_object(self):
        return selectors.claim_get(user=self.request.user, pk=self.kwargs["pk"])

    def _respond(self, pk, *, created: bool = False):
        claim = selectors.claim_get(user=self.request.user, pk=pk)
        return Response(
            ClaimDetailSerializer(claim).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )

    @extend_schema(request=ClaimInputSerializer, responses={201: ClaimDetailSerializer})
    def create(self, request):
        values = _valid(ClaimInputSerializer, request.data)
        household = get_in_scope(Household.objects.all(), request.user, pk=values.pop("household"))
        claim = services.temporary_relief_claim_create(actor=request.user, household=household, **values)
        return self._respond(claim.pk, created=True)

    def _act(self, request, service, input_serializer=ReliefNoteSerializer):
        values = _valid(input_serializer, request.data)
        claim = self.get_object()
        service(actor=request.user, claim=claim, **values)
        return self._respond(claim.pk)

    @extend_schema(request=ClaimApproveSerializer, responses={200: ClaimDetailSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve: a sub-district up to its district's small-claim threshold (403 above), a district any amount.

        ``amount`` (optional, ≤ the amount asked, with the reason in ``note`` when less) is what is paid
        and counted against the cap. Past the household's annual cap → 409 ``annual_cap_exceeded``.
        """
        return self._act(request, services.temporary_relief_claim_approve, ClaimApproveSerializer)

    @extend_schema(request=ReliefNoteSerializer, responses={200: ClaimDetailSerializer})
    @action(detail=True, methods=["post"])
    def refer(self, request, pk=None):
        """A sub-district approver refers a claim above its power to the district (``referred``)."""
        return self._act(request, services.temporary_relief_claim_refer)

    @extend_schema(request=ReliefNoteSerializer, responses={200: ClaimDetailSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._act(request, services.temporary_relief_claim_reject)

    @extend_schema(request=ReliefNoteSerializer, responses={200: ClaimDetailSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._act(request, services.temporary_relief_claim_withdraw)

    @extend_schema(request=ReliefNoteSerializer, responses={200: ClaimDetailSerializer})
    @action(detail=True, methods=["post"], url_path="complete-paperwork")
    def complete_paperwork(self, request, pk=None):
        """A green-channel claim's paperwork is complete."""
        return self._act(request, services.temporary_relief_claim_complete_paperwork)

    @extend_schema(request=ClaimPayCashSerializer, responses={200: ClaimDetailSerializer})
    @action(detail=True, methods=["post"], url_path="pay-cash")
    def pay_cash(self, request, pk=None):
        """Paid in cash at the window (an emergency), ``recipient`` named on the receipt
        (``documents/cash-receipt.pdf``); never also by bank: 409 ``paid_by_bank`` once a run has the claim,
        409 ``already_paid`` the second time, 409 ``invalid_transition`` before approval."""
        return self._act(request, services.temporary_relief_claim_pay_cash, ClaimPayCashSerializer)

    @extend_schema(request=ClaimBulkApproveSerializer)
    @action(detail=False, methods=["post"], url_path="approve-many")
    def approve_many(self, request):
        """Approve many claims at once; each gets its own result (approved, or why not)."""
        values = _valid(ClaimBulkApproveSerializer, request.data)
        outcomes = services.temporary_relief_claims_approve_many(
            actor=request.user, claim_ids=values["claims"], note=values["note"]
        )
        return Response(
            {"results": [{"id": o.claim_id, "approved": o.approved, "message": o.message} for o in outcomes]}
        )


class HouseholdReliefUsageView(GenericAPIView):
    """``GET households/{id}/relief-usage/?year=YYYY`` → the year's temporary-relief cap, used and remaining."""

    permission_classes = [IsAuthenticated]
    serializer_class = UsageSerializer

    @extend_schema(parameters=[ReliefUsageQuerySerializer], responses={200: UsageSerializer})
    def get(self, request, pk: int):
        household = get_in_scope(Household.objects.all(), request.user, pk=pk)
        if not has_cap(request.user, Cap.RELIEF_VIEW):
            raise Forbidden()
        values = _valid(ReliefUsageQuerySerializer, request.query_params)
        year = values.get("year") or local_today().year
        return Response(UsageSerializer.build(selectors.relief_usage(household=household, year=year)))


class PublicNoticeView(GenericAPIView):
    """``GET public-notices/?community=CODE``: the community's dibao and tekun cases in their 7-day public
    notice, then those approved (the standing list): the name as notices show it, the number of
    members and the monthly amount, nothing else (公示)."""

    permission_classes = [IsAuthenticated]
    serializer_class = PublicNoticeRowSerializer
    filter_backends = []  # one required parameter, validated by PublicNoticeQuerySerializer; rows are not a queryset

    @extend_schema(parameters=[PublicNoticeQuerySerializer], responses={200: PublicNoticeRowSerializer(many=True)})
    def get(self, request):
        if not has_cap(request.user, Cap.RELIEF_VIEW):
            raise Forbidden()
        values = _valid(PublicNoticeQuerySerializer, request.query_params)
        rows = selectors.community_notice_list(user=request.user, community=values["community"])
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(PublicNoticeRowSerializer(page, many=True).data)


# --- Price indices ----------------------------------------------------------------------------


class PriceIndexViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Monthly price indices and whether each month triggers the price-linked subsidy."""

    permission_classes = [IsAuthenticated, CapabilityPermission]
    serializer_class = PriceDecisionSerializer
    filter_backends = []
    # Who works with the indices: case staff, whoever enters them, finance paying the subsidy.
    _readers = (Cap.RELIEF_VIEW, Cap.PRICE_INDEX_EDIT, Cap.PAYOUT_VIEW)
    required_caps = {"list": _readers, "retrieve": _readers, "subsidy": Cap.RELIEF_VIEW, "create": Cap.PRICE_INDEX_EDIT}
    lookup_value_regex = r"[0-9]+|[0-9]{4}-[0-9]{2}"

    def get_queryset(self):
        return scope(PriceIndex.objects.order_by("-month"), self.request.user)

    @extend_schema(
        parameters=[
            OpenApiParameter("month", str, description="YYYY-MM"),
            OpenApiParameter("triggered", bool),
        ]
    )
    def list(self, request):
        month = request.query_params.get("month")
        decisions = selectors.price_index_list(
            month=parse_month(month) if month else "",
            triggered=_bool_param(request.query_params.get("triggered")),
        )
        page = self.paginate_queryset(decisions)
        return self.get_paginated_response(PriceDecisionSerializer(page, many=True).data)

    def get_object(self):
        key = self.kwargs["pk"]
        if "-" in key:
            index = selectors.price_index_for_month(parse_month(key))
        else:
            index = PriceIndex.objects.filter(pk=key).first()
        if index is None:
            raise NotFound()
        return selectors.price_decision(index)

    def retrieve(self, request, pk=None):
        return Response(PriceDecisionSerializer(self.get_object()).data)

    @extend_schema(request=PriceIndexInputSerializer, responses={201: PriceDecisionSerializer})
    def create(self, request):
        values = _valid(PriceIndexInputSerializer, request.data)
        index = services.price_index_record(actor=request.user, **values)
        return Response(PriceDecisionSerializer(selectors.price_decision(index)).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: SubsidySummarySerializer})
    @action(detail=True, methods=["get"])
    def subsidy(self, request, pk=None):
        """Who the month's price-linked subsidy covers and how much (paid by a ``price_subsidy`` payout run)."""
        return Response(SubsidySummarySerializer.build(selectors.price_subsidy_summary(self.get_object())))

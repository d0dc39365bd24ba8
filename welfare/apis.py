"""The welfare REST API (api.md "Welfare"): thin views over selectors and services."""

from __future__ import annotations

from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from core.apis import CaseViewSet, HistoryMixin, case_action
from core.cases import CaseStatus, current_month, parse_month
from core.drf import CapabilityPermission, DivisionCodeFilter
from core.errors import Forbidden, InvalidInput, NotFound
from core.roles import Cap, has_cap
from core.scoping import get_in_scope, scope
from people.models import Person
from relief.serializers import ReliefNoteSerializer
from welfare import selectors, services
from welfare.models import Benefit, ChildSupervisor, OrphanCategory, SubsidyKind
from welfare.serializers import (
    CertificateInputSerializer,
    CertificateSerializer,
    CrossCheckSerializer,
    DisabilitySubsidyDetailSerializer,
    DisabilitySubsidyInputSerializer,
    DisabilitySubsidySerializer,
    EligibilityChangeSerializer,
    OrphanAmendSerializer,
    OrphanCaseDetailSerializer,
    OrphanCaseSerializer,
    OrphanInputSerializer,
    ReassessInputSerializer,
    SupervisorEndSerializer,
    SupervisorInputSerializer,
    SupervisorPhoneSerializer,
    SupervisorRevealSerializer,
    SupervisorSerializer,
    WelfareAllowanceSerializer,
    WelfareSuspendSerializer,
    WelfareTerminateSerializer,
)

MONTH_PARAM = OpenApiParameter("month", str, description="YYYY-MM (default: this month)")


def _noop(queryset, name, value):  # filters are applied by the selector
    return queryset


def _valid(serializer_class, data):
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _month_param(request):
    value = request.query_params.get("month")
    return parse_month(value, field="month") if value else current_month()


def _digits(value: str | None) -> str:
    return value if (value or "").isdigit() else ""


def _guardian_kwargs(request, guardian: dict | None) -> dict:
    """``{"name", "person"}`` from the guardian field → the service's ``guardian`` and ``guardian_person``."""
    if guardian is None:
        return {}
    person = None
    if guardian["person"] is not None:
        try:
            person = get_in_scope(Person.objects.all(), request.user, pk=guardian["person"])
        except NotFound:
            raise InvalidInput("Person not found.", field="guardian") from None
    return {"guardian": guardian["name"], "guardian_person": person}


class _WelfareCaseViewSet(CaseViewSet):
    """What orphan and disability-subsidy cases share: list, detail, the actions of the case machine."""

    required_caps = {
        "list": Cap.WELFARE_VIEW,
        "retrieve": Cap.WELFARE_VIEW,
        "create": Cap.WELFARE_APPLY,
        "allowance": Cap.WELFARE_VIEW,
        "review": Cap.WELFARE_REVIEW,
        "approve": Cap.WELFARE_VIEW,  # the service decides who approves (403 otherwise)
        "reject": Cap.WELFARE_VIEW,
        "withdraw": Cap.WELFARE_APPLY,
        "suspend": Cap.WELFARE_VIEW,
        "resume": Cap.WELFARE_VIEW,
        "terminate": Cap.WELFARE_VIEW,
        "recheck": Cap.WELFARE_VIEW,
        "amend": Cap.WELFARE_APPLY,
    }

    review = case_action("review", ReliefNoteSerializer, "The sub-district's review (审核).")
    approve = case_action(
        "approve",
        ReliefNoteSerializer,
        "Approve (审批, the district): eligibility is checked again; active from this month.",
    )
    reject = case_action("reject", ReliefNoteSerializer)
    withdraw = case_action("withdraw", ReliefNoteSerializer)
    suspend = case_action(
        "suspend",
        WelfareSuspendSerializer,
        "Suspend: not paid from ``from_month`` (default: next month) until resumed.",
        convert=lambda values: {"note": values["note"], "from_month": values["from_month"] or None},
    )
    resume = case_action(
        "resume", ReliefNoteSerializer, "Resume: eligibility is checked again; paid again from this month."
    )
    terminate = case_action(
        "terminate",
        WelfareTerminateSerializer,
        "End the case; it pays no more from ``end_month`` (default: next month).",
        convert=lambda values: {"note": values["note"], "end_month": values["end_month"] or None},
    )
    recheck = case_action("recheck", ReliefNoteSerializer, "The periodic review (定期复核).")

    @extend_schema(parameters=[MONTH_PARAM], responses={200: WelfareAllowanceSerializer})
    @action(detail=True, methods=["get"])
    def allowance(self, request, pk=None):
        """The amount the standard in force in ``month`` gives, and whether the case pays that month."""
        case = self.get_object()
        return Response(WelfareAllowanceSerializer.build(case, selectors.amount_for(case, _month_param(request))))


class OrphanFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=CaseStatus.choices, method=_noop)
    category = filters.ChoiceFilter(choices=OrphanCategory.choices, method=_noop)
    person = filters.NumberFilter(method=_noop)
    division = DivisionCodeFilter(method=_noop)
    q = filters.CharFilter(method=_noop, label="name prefix")


class OrphanCaseViewSet(_WelfareCaseViewSet):
    """Orphans' basic living allowance cases (孤儿基本生活费)."""

    filterset_class = OrphanFilter
    list_serializer = OrphanCaseSerializer
    detail_serializer = OrphanCaseDetailSerializer
    case_services = {
        "review": services.orphan_case_review,
        "approve": services.orphan_case_approve,
        "reject": services.orphan_case_reject,
        "withdraw": services.orphan_case_withdraw,
        "suspend": services.orphan_case_suspend,
        "resume": services.orphan_case_resume,
        "terminate": services.orphan_case_terminate,
        "recheck": services.orphan_case_recheck,
    }

    def get_queryset(self):
        params = self.request.query_params
        return selectors.orphan_case_list(
            user=self.request.user,
            status=params.get("status", ""),
            category=params.get("category", ""),
            person=_digits(params.get("person")),
            division=params.get("division", ""),
            q=params.get("q", ""),
        )

    def get_object_by_pk(self, pk):
        return selectors.orphan_case_get(user=self.request.user, pk=pk)

    @extend_schema(request=OrphanInputSerializer, responses={201: OrphanCaseDetailSerializer})
    def create(self, request):
        """Register an orphan and the allowance application. 18 or older → 409 ``over_age``."""
        values = _valid(OrphanInputSerializer, request.data)
        person = get_in_scope(Person.objects.all(), request.user, pk=values["person"])
        case = services.orphan_case_create(
            actor=request.user,
            person=person,
            category=values["category"],
            guardian_relationship=values["guardian_relationship"],
            institution=values["institution"],
            note=values["note"],
            **_guardian_kwargs(request, values["guardian"]),
        )
        return self._respond(case.pk, created=True)

    @extend_schema(request=OrphanAmendSerializer)
    @action(detail=True, methods=["post"])
    def amend(self, request, pk=None):
        """Record a change of care: category, guardian, institution."""
        values = _valid(OrphanAmendSerializer, request.data)
        case = self.get_object()
        guardian = values.pop("guardian", None) if "guardian" in values else None
        kwargs = _guardian_kwargs(request, guardian) if guardian is not None else {}
        services.orphan_case_update(actor=request.user, case=case, **values, **kwargs)
        return self._respond(case.pk)


class SubsidyFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=SubsidyKind.choices, method=_noop)
    status = filters.ChoiceFilter(choices=CaseStatus.choices, method=_noop)
    person = filters.NumberFilter(method=_noop)
    division = DivisionCodeFilter(method=_noop)
    q = filters.CharFilter(method=_noop, label="name prefix")


class DisabilitySubsidyViewSet(_WelfareCaseViewSet):
    """The two disability subsidies (残疾人两项补贴): ``living`` and ``nursing``."""

    filterset_class = SubsidyFilter
    list_serializer = DisabilitySubsidySerializer
    detail_serializer = DisabilitySubsidyDetailSerializer
    case_services = {
        "review": services.disability_subsidy_review,
        "approve": services.disability_subsidy_approve,
        "reject": services.disability_subsidy_reject,
        "withdraw": services.disability_subsidy_withdraw,
        "suspend": services.disability_subsidy_suspend,
        "resume": services.disability_subsidy_resume,
        "terminate": services.disability_subsidy_terminate,
        "recheck": services.disability_subsidy_recheck,
    }

    def get_queryset(self):
        params = self.request.query_params
        return selectors.subsidy_case_list(
            user=self.request.user,
            kind=params.get("kind", ""),
            status=params.get("status", ""),
            person=_digits(params.get("person")),
            division=params.get("division", ""),
            q=params.get("q", ""),
        )

    def get_object_by_pk(self, pk):
        return selectors.subsidy_case_get(user=self.request.user, pk=pk)

    @extend_schema(request=DisabilitySubsidyInputSerializer, responses={201: DisabilitySubsidyDetailSerializer})
    def create(self, request):
        """Apply with the certificate. Malformed number → 400; ``not_in_dibao``, ``grade_too_low``,
        ``case_exists``, ``deceased`` → 409; nothing saved on a refusal."""
        values = _valid(DisabilitySubsidyInputSerializer, request.data)
        person = get_in_scope(Person.objects.all(), request.user, pk=values.pop("person"))
        case = services.disability_subsidy_create(actor=request.user, person=person, **values)
        return self._respond(case.pk, created=True)


class CertificateFilter(filters.FilterSet):
    grade = filters.NumberFilter(method=_noop)
    disability_type = filters.NumberFilter(method=_noop)


class DisabilityCertificateViewSet(
    HistoryMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Disability certificates (numbers masked); a re-assessment re-checks the nursing subsidy."""

    permission_classes = [IsAuthenticated, CapabilityPermission]
    serializer_class = CertificateSerializer
    filterset_class = CertificateFilter
    required_caps = {
        "list": Cap.WELFARE_VIEW,
        "retrieve": Cap.WELFARE_VIEW,
        "create": Cap.WELFARE_APPLY,
        "reassess": Cap.WELFARE_APPLY,
    }

    def get_queryset(self):
        params = self.request.query_params
        return selectors.certificate_list(
            user=self.request.user, grade=params.get("grade", ""), disability_type=params.get("disability_type", "")
        )

    def get_object(self):
        return selectors.certificate_get(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(request=CertificateInputSerializer, responses={201: CertificateSerializer})
    def create(self, request):
        values = _valid(CertificateInputSerializer, request.data)
        person = get_in_scope(Person.objects.all(), request.user, pk=values.pop("person"))
        certificate = services.certificate_register(actor=request.user, person=person, **values)
        return Response(CertificateSerializer(certificate).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReassessInputSerializer, responses={200: CertificateSerializer})
    @action(detail=True, methods=["post"])
    def reassess(self, request, pk=None):
        """A new type or grade; an open nursing subsidy ends from next month below grade 2."""
        values = _valid(ReassessInputSerializer, request.data)
        result = services.certificate_reassess(actor=request.user, certificate=self.get_object(), **values)
        return Response(CertificateSerializer(result.certificate).data)


class ChildSupervisorViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Child supervisors (儿童督导员) of the sub-districts, current and former."""

    permission_classes = [IsAuthenticated, CapabilityPermission]
    serializer_class = SupervisorSerializer
    filter_backends = []
    required_caps = {
        "list": Cap.WELFARE_VIEW,
        "retrieve": Cap.WELFARE_VIEW,
        "create": Cap.CHILD_SUPERVISOR_EDIT,
        "end": Cap.CHILD_SUPERVISOR_EDIT,
        "reveal": (Cap.WELFARE_APPLY, Cap.CHILD_SUPERVISOR_EDIT),
    }

    def get_queryset(self):
        qs = scope(ChildSupervisor.objects.select_related("subdistrict"), self.request.user)
        subdistrict = _digits(self.request.query_params.get("subdistrict"))
        if subdistrict:
            qs = qs.filter(subdistrict_id=subdistrict)
        if self.request.query_params.get("current") in ("1", "true"):
            qs = qs.filter(ended_on__isnull=True)
        return qs.order_by("subdistrict_id", "-appointed_on", "-id")

    def get_object(self):
        return selectors.supervisor_get(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(
        parameters=[OpenApiParameter("subdistrict", str), OpenApiParameter("current", bool)],
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=SupervisorInputSerializer, responses={201: SupervisorSerializer})
    def create(self, request):
        """Appoint a sub-district's supervisor (the current one's term ends the day before)."""
        values = _valid(SupervisorInputSerializer, request.data)
        supervisor = services.child_supervisor_appoint(actor=request.user, **values)
        return Response(SupervisorSerializer(supervisor).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=SupervisorEndSerializer, responses={200: SupervisorSerializer})
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        values = _valid(SupervisorEndSerializer, request.data)
        supervisor = services.child_supervisor_end(actor=request.user, supervisor=self.get_object(), **values)
        return Response(SupervisorSerializer(supervisor).data)

    @extend_schema(request=SupervisorRevealSerializer, responses={200: SupervisorPhoneSerializer})
    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None):
        """The full work phone, with a reason (logged like every reveal)."""
        values = _valid(SupervisorRevealSerializer, request.data)
        phone = services.child_supervisor_reveal_phone(
            actor=request.user,
            supervisor=self.get_object(),
            reason=values["reason"],
            ip_address=request.META.get("REMOTE_ADDR"),
        )
        return Response({"phone": phone})


class EligibilityChangeViewSet(viewsets.GenericViewSet):
    """The automatic changes of cases in the user's geography: what changed, why, from when."""

    permission_classes = [IsAuthenticated, CapabilityPermission]
    serializer_class = EligibilityChangeSerializer
    filter_backends = []
    required_caps = {"list": Cap.WELFARE_VIEW}

    @extend_schema(
        parameters=[
            OpenApiParameter("benefit", str, description=" | ".join(Benefit.values)),
            OpenApiParameter("action", str, description="hold | lapse | close | eligibility_check"),
        ]
    )
    def list(self, request):
        params = request.query_params
        changes = selectors.eligibility_changes(
            user=request.user, benefit=params.get("benefit", ""), action=params.get("action", "")
        )
        page = self.paginate_queryset(changes)
        return self.get_paginated_response(EligibilityChangeSerializer(page, many=True).data)


class CrossCheckView(GenericAPIView):
    """``GET welfare-cross-check/?month=YYYY-MM``: deceased recipients, duplicates, living subsidy without
    dibao, incompatible benefits, in the user's geography."""

    permission_classes = [IsAuthenticated]
    serializer_class = CrossCheckSerializer

    @extend_schema(parameters=[MONTH_PARAM], responses={200: CrossCheckSerializer})
    def get(self, request):
        if not has_cap(request.user, Cap.WELFARE_VIEW):
            raise Forbidden()
        report = selectors.cross_check(user=request.user, month=_month_param(request))
        return Response(CrossCheckSerializer(report).data)

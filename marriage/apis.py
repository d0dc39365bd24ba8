"""The marriage registry's REST API: registrations (marriage, divorce, reissue), offices, appointments."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from core.apis import HistoryMixin
from core.drf import CapabilityPermission, SelectorFilterSet, validated
from core.errors import InvalidInput, NotFound
from core.roles import Cap
from core.scoping import scope
from marriage import selectors, services
from marriage.models import (
    Appointment,
    AppointmentStatus,
    HouseholdChange,
    Kind,
    Office,
    Registration,
    ReviewStatus,
    Status,
)
from marriage.serializers import (
    AppointmentInputSerializer,
    AppointmentSerializer,
    CancelInputSerializer,
    CapacityInputSerializer,
    HouseholdChangeSerializer,
    OfficeDaySerializer,
    OfficeSerializer,
    OfficeUpdateSerializer,
    OnlineAppointmentInputSerializer,
    OnlineAppointmentSerializer,
    PublicOfficeSerializer,
    RegisterDivorceInputSerializer,
    RegistrationInputSerializer,
    RegistrationSerializer,
    ReissueInputSerializer,
    RevertInputSerializer,
    ReviewInputSerializer,
    StatisticsRowSerializer,
    WithdrawInputSerializer,
)
from people import selectors as people_selectors
from residents.apis import ResidentViewSetMixin


class RegistrationFilter(SelectorFilterSet):
    kind = filters.ChoiceFilter(choices=Kind.choices, method="noop")
    status = filters.ChoiceFilter(choices=Status.choices, method="noop")
    office = filters.CharFilter(method="noop")
    review_status = filters.ChoiceFilter(choices=ReviewStatus.choices, method="noop")
    person = filters.NumberFilter(method="noop", label="either party (person id)")
    q = filters.CharFilter(method="noop", label="a party's ID number or name prefix, or a certificate number")

    class Meta:
        model = Registration
        fields = ["kind", "status", "office", "review_status", "person", "q"]


def _person_or_field_error(user, pk: int, field: str):
    try:
        return people_selectors.person_get(user=user, pk=pk)
    except NotFound:
        raise InvalidInput(_("Person not found."), field=field) from None


def _month(value: str, field: str) -> datetime.date:
    try:
        return datetime.datetime.strptime(value, "%Y-%m").date()  # noqa: DTZ007 - a calendar month, no time
    except (TypeError, ValueError):
        raise InvalidInput(_("A month is written YYYY-MM."), field=field) from None


class RegistrationViewSet(HistoryMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The marriage register. Registrars work city-wide; acts at the counter are done at their own office."""

    serializer_class = RegistrationSerializer
    permission_classes = [IsAuthenticated, CapabilityPermission]
    filterset_class = RegistrationFilter
    required_caps = {
        "list": Cap.MARRIAGE_VIEW,
        "retrieve": Cap.MARRIAGE_VIEW,
        "create": Cap.MARRIAGE_REGISTER,
        "register": Cap.MARRIAGE_REGISTER,
        "withdraw": Cap.MARRIAGE_REGISTER,
        "reissue": Cap.MARRIAGE_REGISTER,
        "review": Cap.MARRIAGE_REVIEW,
        "statistics": Cap.MARRIAGE_STATS,
    }

    def get_queryset(self):
        params = self.request.query_params
        return selectors.registration_list(
            user=self.request.user,
            kind=params.get("kind", ""),
            status=params.get("status", ""),
            office=params.get("office", ""),
            review_status=params.get("review_status", ""),
            person=params.get("person", ""),
            q=params.get("q", ""),
        )

    def get_object(self):
        return selectors.registration_get(user=self.request.user, pk=self.kwargs["pk"])

    def _respond(self, registration, code=status.HTTP_200_OK):
        registration = selectors.registration_get(user=self.request.user, pk=registration.pk)
        return Response(RegistrationSerializer(registration).data, status=code)

    @extend_schema(request=RegistrationInputSerializer, responses={201: RegistrationSerializer})
    def create(self, request):
        data = RegistrationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        party_a = _person_or_field_error(request.user, values["party_a"], "party_a")
        party_b = _person_or_field_error(request.user, values["party_b"], "party_b")
        register = services.marriage_register if values["kind"] == Kind.MARRIAGE else services.divorce_apply
        registration = register(
            actor=request.user,
            party_a=party_a,
            party_b=party_b,
            office=values["office"],
            applied_on=values["applied_on"],
            declarations_signed=values["declarations_signed"],
            note=values["note"],
        )
        return self._respond(registration, status.HTTP_201_CREATED)

    @extend_schema(request=RegisterDivorceInputSerializer, responses={200: RegistrationSerializer})
    @action(detail=True, methods=["post"])
    def register(self, request, pk=None):
        """Complete a divorce application after its cooling-off period."""
        values = validated(RegisterDivorceInputSerializer, request.data)
        registration = services.divorce_register(actor=request.user, registration=self.get_object(), **values)
        return self._respond(registration)

    @extend_schema(request=WithdrawInputSerializer, responses={200: RegistrationSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Either party withdraws a divorce application within the cooling-off period."""
        values = validated(WithdrawInputSerializer, request.data)
        registration = services.divorce_withdraw(actor=request.user, registration=self.get_object(), **values)
        return self._respond(registration)

    @extend_schema(request=ReviewInputSerializer, responses={200: RegistrationSerializer})
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """Quality review: pass, or fail with the reason."""
        values = validated(ReviewInputSerializer, request.data)
        registration = services.registration_review(
            actor=request.user,
            registration=self.get_object(),
            passed=values["result"] == "pass",
            reason=values["reason"],
        )
        return self._respond(registration)

    @extend_schema(request=ReissueInputSerializer, responses={201: RegistrationSerializer})
    @action(detail=True, methods=["post"])
    def reissue(self, request, pk=None):
        """Reissue the certificate of this marriage or divorce to one of the parties (a new record)."""
        values = validated(ReissueInputSerializer, request.data)
        reissue = services.certificate_reissue(actor=request.user, registration=self.get_object(), **values)
        return self._respond(reissue, status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[
            OpenApiParameter("from", str, description="first month, YYYY-MM"),
            OpenApiParameter("to", str, description="last month, YYYY-MM"),
            OpenApiParameter("office", str, description="district code of one office"),
        ],
        responses=inline_serializer(
            "MarriageStatistics",
            {
                "from": serializers.CharField(),
                "to": serializers.CharField(),
                "rows": StatisticsRowSerializer(many=True),
            },
        ),
    )
    @action(detail=False, methods=["get"], filterset_class=None, pagination_class=None)
    def statistics(self, request):
        """Registrations per office and month, with the quality review's results."""
        today = timezone.localdate()
        month_to = _month(request.query_params.get("to") or today.strftime("%Y-%m"), "to")
        month_from = _month(request.query_params.get("from") or f"{month_to.year}-01", "from")
        if month_from > month_to:
            raise InvalidInput(_("The first month comes after the last."), field="from")
        rows = selectors.statistics(
            user=request.user, month_from=month_from, month_to=month_to, office=request.query_params.get("office", "")
        )
        return Response(
            {
                "from": month_from.strftime("%Y-%m"),
                "to": month_to.strftime("%Y-%m"),
                "rows": StatisticsRowSerializer(rows, many=True).data,
            }
        )


class OfficeViewSet(viewsets.GenericViewSet):
    """Registry offices, one per district (identified by the district code), with their daily capacity."""

    serializer_class = OfficeSerializer
    permission_classes = [IsAuthenticated, CapabilityPermission]
    pagination_class = None
    lookup_value_regex = r"[0-9]{6}"
    required_caps = {
        "list": Cap.MARRIAGE_APPOINTMENTS,
        "retrieve": Cap.MARRIAGE_APPOINTMENTS,
        "partial_update": Cap.MARRIAGE_APPOINTMENTS,
        "capacity": Cap.MARRIAGE_APPOINTMENTS,
    }

    def get_queryset(self):
        # The configured offices the user may see; ``list`` adds the districts' defaults for
        # offices not configured yet (``selectors.offices``, the same geography).
        return scope(Office.objects.all(), self.request.user)

    def list(self, request):
        return Response(OfficeSerializer(selectors.offices(user=request.user), many=True).data)

    def retrieve(self, request, pk=None):
        office = selectors.office_get(user=request.user, code=pk)
        days = selectors.day_loads(office=office, start=timezone.localdate())
        body = OfficeSerializer(office).data
        body["days"] = [{**d, "date": d["date"].isoformat()} for d in days]
        return Response(body)

    @extend_schema(request=OfficeUpdateSerializer, responses={200: OfficeSerializer})
    def partial_update(self, request, pk=None):
        selectors.office_get(user=request.user, code=pk)
        values = validated(OfficeUpdateSerializer, request.data)
        office = services.office_update(actor=request.user, office=pk, **values)
        return Response(OfficeSerializer(office).data)

    @extend_schema(request=CapacityInputSerializer, responses={200: CapacityInputSerializer})
    @action(detail=True, methods=["post"])
    def capacity(self, request, pk=None):
        """Set one day's capacity (0 closes the office that day)."""
        selectors.office_get(user=request.user, code=pk)
        values = validated(CapacityInputSerializer, request.data)
        override = services.capacity_override_set(actor=request.user, office=pk, **values)
        return Response({"date": override.date, "capacity": override.capacity, "reason": override.reason})


class AppointmentFilter(SelectorFilterSet):
    office = filters.CharFilter(method="noop")
    date = filters.DateFilter(method="noop")
    status = filters.ChoiceFilter(choices=AppointmentStatus.choices, method="noop")
    kind = filters.ChoiceFilter(choices=Kind.choices, method="noop")

    class Meta:
        model = Appointment
        fields = ["office", "date", "status", "kind"]


class AppointmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = AppointmentSerializer
    permission_classes = [IsAuthenticated, CapabilityPermission]
    filterset_class = AppointmentFilter
    required_caps = {
        "list": Cap.MARRIAGE_APPOINTMENTS,
        "retrieve": Cap.MARRIAGE_APPOINTMENTS,
        "create": Cap.MARRIAGE_APPOINTMENTS,
        "cancel": Cap.MARRIAGE_APPOINTMENTS,
    }

    def get_queryset(self):
        params = self.request.query_params
        day = params.get("date") or None
        try:
            day = datetime.date.fromisoformat(day) if day else None
        except ValueError:
            raise InvalidInput(_("A date is written YYYY-MM-DD."), field="date") from None
        return selectors.appointment_list(
            user=self.request.user,
            office=params.get("office", ""),
            date=day,
            status=params.get("status", ""),
            kind=params.get("kind", ""),
        )

    def get_object(self):
        return selectors.appointment_get(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(request=AppointmentInputSerializer, responses={201: AppointmentSerializer})
    def create(self, request):
        values = validated(AppointmentInputSerializer, request.data)
        appointment = services.appointment_book(actor=request.user, **values)
        return Response(AppointmentSerializer(appointment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CancelInputSerializer, responses={200: AppointmentSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        values = validated(CancelInputSerializer, request.data)
        appointment = services.appointment_cancel(
            actor=request.user, appointment=self.get_object(), reason=values["reason"]
        )
        return Response(AppointmentSerializer(appointment).data)


class HouseholdChangeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Household updates made by marriages and divorces; an officer may revert one."""

    serializer_class = HouseholdChangeSerializer
    permission_classes = [IsAuthenticated, CapabilityPermission]
    required_caps = {
        "list": Cap.MARRIAGE_HOUSEHOLD_REVERT,
        "retrieve": Cap.MARRIAGE_HOUSEHOLD_REVERT,
        "revert": Cap.MARRIAGE_HOUSEHOLD_REVERT,
    }

    class Filter(SelectorFilterSet):
        status = filters.CharFilter(method="noop")

        class Meta:
            model = HouseholdChange
            fields = ["status"]

    filterset_class = Filter

    def get_queryset(self):
        return selectors.household_change_list(
            user=self.request.user, status=self.request.query_params.get("status", "")
        )

    def get_object(self):
        return selectors.household_change_get(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(request=RevertInputSerializer, responses={200: HouseholdChangeSerializer})
    @action(detail=True, methods=["post"])
    def revert(self, request, pk=None):
        values = validated(RevertInputSerializer, request.data)
        change = services.household_change_revert(actor=request.user, change=self.get_object(), reason=values["reason"])
        return Response(HouseholdChangeSerializer(change).data)


# --- Residents online (/api/v1/public/, registered on civil_affairs.api.public_router) ---------


class PublicOfficeViewSet(ResidentViewSetMixin, viewsets.GenericViewSet):
    """The city's registry offices as residents choose among them (全城通办), with the places left each day."""

    serializer_class = PublicOfficeSerializer
    pagination_class = None
    lookup_value_regex = r"[0-9]{6}"

    def get_queryset(self):
        return Office.objects.none()  # offices come from selectors.public_offices (defaults included)

    def list(self, request):
        return Response(PublicOfficeSerializer(selectors.public_offices(), many=True).data)

    @extend_schema(
        parameters=[OpenApiParameter("from", str, description="first day shown, YYYY-MM-DD (default today)")],
        responses=inline_serializer(
            "PublicOfficeDays",
            {
                "code": serializers.CharField(),
                "name": serializers.CharField(),
                "address": serializers.CharField(),
                "days": OfficeDaySerializer(many=True),
            },
        ),
    )
    def retrieve(self, request, pk=None):
        office = selectors.public_office_get(code=pk)
        start = _date_param(request.query_params.get("from"), "from") or timezone.localdate()
        body = PublicOfficeSerializer(office).data
        body["days"] = OfficeDaySerializer(selectors.online_day_loads(office=office, start=start), many=True).data
        return Response(body)


class OnlineAppointmentViewSet(
    ResidentViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """A resident's marriage and divorce bookings: their own only (another's is 404)."""

    serializer_class = OnlineAppointmentSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no resident
            return Appointment.objects.none()
        return selectors.online_appointment_list(resident=self.request.user)

    def get_object(self):
        return selectors.online_appointment_get(resident=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(request=OnlineAppointmentInputSerializer, responses={201: OnlineAppointmentSerializer})
    def create(self, request):
        values = validated(OnlineAppointmentInputSerializer, request.data)
        appointment = services.online_appointment_book(resident=request.user, **values)
        return Response(OnlineAppointmentSerializer(appointment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CancelInputSerializer, responses={200: OnlineAppointmentSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        values = validated(CancelInputSerializer, request.data)
        appointment = services.online_appointment_cancel(
            resident=request.user, appointment=self.get_object(), reason=values["reason"]
        )
        return Response(OnlineAppointmentSerializer(appointment).data)


def _date_param(value: str | None, field: str) -> datetime.date | None:
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(_("A date is written YYYY-MM-DD."), field=field) from None

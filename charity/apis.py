"""The charity REST API: ``donations/`` with ``{id}/uses/`` and the public ``disclosure/`` list."""

from __future__ import annotations

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from charity import selectors, services
from charity.models import Donation, DonationKind
from charity.serializers import (
    DisclosureSerializer,
    DonationInputSerializer,
    DonationSerializer,
    UseInputSerializer,
    UseSerializer,
)
from core.apis import HistoryMixin
from core.drf import CapabilityPermission, SelectorFilterSet
from core.roles import Cap


class DonationFilter(SelectorFilterSet):
    q = filters.CharFilter(method="noop", label="a fragment of the donor's, custodian's or organization's name")
    kind = filters.ChoiceFilter(choices=DonationKind.choices, method="noop")
    recipient_org = filters.NumberFilter(method="noop")
    division = filters.CharFilter(method="noop")

    class Meta:
        model = Donation
        fields = ["q", "kind", "recipient_org", "division"]


class DonationViewSet(HistoryMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Donations received by social organizations and charities, and each use made of them."""

    serializer_class = DonationSerializer
    permission_classes = [IsAuthenticated, CapabilityPermission]
    filterset_class = DonationFilter
    lookup_value_regex = r"[0-9]+"
    required_caps = {
        "list": Cap.CHARITY_VIEW,
        "retrieve": Cap.CHARITY_VIEW,
        "create": Cap.CHARITY_EDIT,
        "uses": Cap.CHARITY_VIEW,
        "disclosure": None,  # the public list: every signed-in user
    }

    def get_queryset(self):
        p = self.request.query_params
        if self.action == "disclosure":
            return selectors.disclosure_list(
                user=self.request.user,
                kind=p.get("kind", ""),
                recipient_org=p.get("recipient_org", ""),
                year=p.get("year", ""),
            )
        return selectors.donation_list(
            user=self.request.user,
            q=p.get("q", ""),
            kind=p.get("kind", ""),
            recipient_org=p.get("recipient_org", ""),
            division=p.get("division", ""),
        )

    def get_object(self):
        return selectors.donation_get(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(request=DonationInputSerializer, responses={201: DonationSerializer})
    def create(self, request):
        data = DonationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        donation = services.donation_record(actor=request.user, **data.validated_data)
        body = DonationSerializer(selectors.donation_get(user=request.user, pk=donation.pk)).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["get"], responses={200: UseSerializer(many=True)})
    @extend_schema(methods=["post"], request=UseInputSerializer, responses={201: UseSerializer})
    @action(detail=True, methods=["get", "post"])
    def uses(self, request, pk=None):
        """The donation's uses; POST records one. More than is left → 409 ``exceeds_donation``."""
        donation = self.get_object()
        if request.method == "POST":
            data = UseInputSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            use = services.use_record(actor=request.user, donation=donation, **data.validated_data)
            return Response(UseSerializer(use).data, status=status.HTTP_201_CREATED)
        page = self.paginate_queryset(selectors.use_list(user=request.user, donation=donation))
        return self.get_paginated_response(UseSerializer(page, many=True).data)

    @extend_schema(responses={200: DisclosureSerializer(many=True)})
    @action(detail=False, methods=["get"])
    def disclosure(self, request):
        """The public list of donations and their uses (donors' names; no phone or personal number)."""
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(DisclosureSerializer(page, many=True).data)

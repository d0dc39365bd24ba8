"""``GET /api/v1/dashboard/summary/``: the bureau's figures for a range of months and a division (api.md)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from dashboard import selectors

_FIGURES = {
    "households": serializers.IntegerField(),
    "persons": serializers.IntegerField(),
    "amount": serializers.CharField(),
}
SUMMARY_SCHEMA = inline_serializer(
    "DashboardSummary",
    {
        "from": serializers.CharField(),
        "to": serializers.CharField(),
        "division": serializers.CharField(),
        "division_name": serializers.CharField(),
        "schemes": serializers.DictField(
            child=inline_serializer(
                "DashboardScheme",
                {
                    **_FIGURES,
                    "by_month": inline_serializer(
                        "DashboardMonth", {"month": serializers.CharField(), **_FIGURES}, many=True
                    ),
                    "by_division": inline_serializer(
                        "DashboardDivision",
                        {"code": serializers.CharField(), "name": serializers.CharField(), **_FIGURES},
                        many=True,
                    ),
                },
            )
        ),
        "temporary_relief": inline_serializer(
            "DashboardTemporaryRelief",
            {
                "households": serializers.IntegerField(),
                "claims": serializers.IntegerField(),
                "amount": serializers.CharField(),
            },
        ),
        "price_subsidy": inline_serializer(
            "DashboardPriceSubsidy",
            {
                "triggers": serializers.IntegerField(),
                "persons": serializers.IntegerField(),
                "amount": serializers.CharField(),
            },
        ),
        "marriage": inline_serializer(
            "DashboardMarriage", {"marriages": serializers.IntegerField(), "divorces": serializers.IntegerField()}
        ),
        "social_orgs": inline_serializer(
            "DashboardSocialOrgs",
            {"registered": serializers.IntegerField(), "community_filed": serializers.IntegerField()},
        ),
        "roads_named": serializers.IntegerField(),
        "vagrant_relief": inline_serializer(
            "DashboardVagrantRelief", {"helped": serializers.IntegerField(), "reunited": serializers.IntegerField()}
        ),
        "series": serializers.DictField(),
    },
)


class DashboardSummaryView(APIView):
    """The figures of one division (default: the user's own) for the months ``from``–``to``."""

    permission_classes = [IsAuthenticated]
    http_method_names = ["get", "head", "options"]

    @extend_schema(
        parameters=[
            OpenApiParameter("from", str, description="YYYY-MM (default: January of the last month's year)"),
            OpenApiParameter("to", str, description="YYYY-MM (default: this month)"),
            OpenApiParameter("division", str, description="division code (default: the user's own)"),
        ],
        responses={200: SUMMARY_SCHEMA},
    )
    def get(self, request):
        params = request.query_params
        query = selectors.summary_query(
            request.user, start=params.get("from"), end=params.get("to"), division=params.get("division")
        )
        return Response(selectors.summary(query))

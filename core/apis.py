"""The divisions API: public reference data."""

from __future__ import annotations

from django_filters import rest_framework as filters
from rest_framework import serializers, viewsets

from core.models import Division, DivisionLevel


class DivisionSerializer(serializers.ModelSerializer):
    parent = serializers.CharField(source="parent_id", allow_null=True, read_only=True)

    class Meta:
        model = Division
        fields = ["code", "name", "level", "kind", "parent", "active"]


class DivisionFilter(filters.FilterSet):
    level = filters.ChoiceFilter(choices=DivisionLevel.choices)
    parent = filters.CharFilter(field_name="parent_id")
    active = filters.BooleanFilter()

    class Meta:
        model = Division
        fields = ["level", "parent", "active"]


class DivisionViewSet(viewsets.ReadOnlyModelViewSet):
    """Administrative divisions: public reference data (GB/T 2260), the same for every user."""

    queryset = Division.objects.all().order_by("code")
    serializer_class = DivisionSerializer
    filterset_class = DivisionFilter
    lookup_field = "code"

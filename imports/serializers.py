from __future__ import annotations

from rest_framework import serializers

from imports.models import ImportJob, ImportKind


class ImportUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ImportKind.choices)
    file = serializers.FileField(allow_empty_file=True)


class ImportJobSerializer(serializers.ModelSerializer):
    """api.md: ``{"id", "kind", "status", "rows", "to_create", "to_update", "errors", "progress"}`` and more."""

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "kind",
            "status",
            "rows",
            "to_create",
            "to_update",
            "errors",
            "progress",
            "error_count",
            "summary",
            "failure",
            "file_name",
            "created_at",
            "committed_at",
        ]
        read_only_fields = fields


class ImportJobListSerializer(serializers.ModelSerializer):
    class Meta:
        model = ImportJob
        fields = [
            "id",
            "kind",
            "status",
            "rows",
            "to_create",
            "to_update",
            "error_count",
            "progress",
            "file_name",
            "created_at",
            "committed_at",
        ]
        read_only_fields = fields


class ImportAcceptedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()

from __future__ import annotations

from rest_framework import serializers

from imports.models import ImportJob, ImportKind


class ImportJobUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ImportKind.choices)
    file = serializers.FileField(allow_empty_file=True)


class ImportJobListSerializer(serializers.ModelSerializer):
    """A job in a list: what it is and how far it got, without its error report and summary (they can be long)."""

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


class ImportJobSerializer(ImportJobListSerializer):
    """api.md: ``{"id", "kind", "status", "rows", "to_create", "to_update", "errors", "progress"}`` and more."""

    class Meta(ImportJobListSerializer.Meta):
        fields = [*ImportJobListSerializer.Meta.fields, "errors", "summary", "failure"]
        read_only_fields = fields


class ImportJobAcceptedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()

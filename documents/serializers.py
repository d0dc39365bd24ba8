from __future__ import annotations

from django.urls import reverse
from rest_framework import serializers

from documents.models import Attachment, AttachmentKind


class AttachmentInputSerializer(serializers.Serializer):
    reject_unknown_fields = True

    file = serializers.FileField(help_text="PDF, JPEG or PNG (recognised by content), at most MAX_UPLOAD_MB")
    kind = serializers.ChoiceField(choices=AttachmentKind.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)


class AttachmentReplaceSerializer(serializers.Serializer):
    reject_unknown_fields = True

    file = serializers.FileField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)


class PastFileSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="original_name")
    uploaded_at = serializers.DateTimeField()
    uploaded_by = serializers.CharField()
    replaced_at = serializers.DateTimeField(source="superseded_at")
    url = serializers.SerializerMethodField()

    def get_url(self, obj) -> str:
        return reverse("attachment-detail", args=[obj.pk])


class AttachmentSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", help_text="the kind as people read it")
    name = serializers.CharField(source="original_name")
    uploaded_by = serializers.CharField(help_text="who uploaded it (their name)")
    url = serializers.SerializerMethodField(help_text="GET: the file, as a download (logged)")
    thumbnail_url = serializers.SerializerMethodField(help_text="a small JPEG of an image; null for a PDF")
    replaces = serializers.SerializerMethodField(help_text="the files this one replaced, newest first")

    class Meta:
        model = Attachment
        fields = [
            "id",
            "kind",
            "kind_display",
            "name",
            "media_type",
            "size",
            "width",
            "height",
            "note",
            "uploaded_by",
            "uploaded_at",
            "url",
            "thumbnail_url",
            "replaces",
        ]

    def get_url(self, obj) -> str:
        return reverse("attachment-detail", args=[obj.pk])

    def get_thumbnail_url(self, obj) -> str | None:
        return reverse("attachment-thumbnail", args=[obj.pk]) if obj.thumbnail else None

    def get_replaces(self, obj) -> list[dict]:
        from documents.selectors import predecessors

        return PastFileSerializer(predecessors(obj), many=True).data

from __future__ import annotations

from rest_framework import serializers

from placenames.models import BannedWord, NamingApplication, Road, RoadType, UnnamedRoad
from placenames.naming import warning_messages


class RoadInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=40)
    district = serializers.CharField(max_length=6, required=False, allow_blank=True, default="")
    road_type = serializers.ChoiceField(choices=RoadType.choices, default=RoadType.ROAD)
    start_point = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    end_point = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    length_m = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    approved_on = serializers.DateField(required=False, allow_null=True, default=None)
    meaning = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class RoadUpdateSerializer(serializers.Serializer):
    road_type = serializers.ChoiceField(choices=RoadType.choices, required=False)
    start_point = serializers.CharField(max_length=100, required=False, allow_blank=True)
    end_point = serializers.CharField(max_length=100, required=False, allow_blank=True)
    length_m = serializers.IntegerField(min_value=1, required=False)
    meaning = serializers.CharField(max_length=500, required=False, allow_blank=True)


class RoadSerializer(serializers.ModelSerializer):
    road_type = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    district = serializers.CharField(source="district_id", read_only=True)
    district_name = serializers.CharField(source="district.name", read_only=True)

    class Meta:
        model = Road
        fields = [
            "id",
            "name",
            "pinyin",
            "district",
            "district_name",
            "road_type",
            "start_point",
            "end_point",
            "length_m",
            "approved_on",
            "meaning",
            "status",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class RoadCreatedSerializer(RoadSerializer):
    warnings = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta(RoadSerializer.Meta):
        fields = [*RoadSerializer.Meta.fields, "warnings"]
        read_only_fields = fields


class UnnamedRoadInputSerializer(serializers.Serializer):
    location = serializers.CharField(max_length=200)
    district = serializers.CharField(max_length=6, required=False, allow_blank=True, default="")
    subdistrict = serializers.CharField(max_length=9, required=False, allow_blank=True, default="")
    found_on = serializers.DateField(required=False, allow_null=True, default=None)
    length_m = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    description = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class UnnamedRoadSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True)
    district = serializers.CharField(source="district_id", read_only=True)
    subdistrict = serializers.CharField(source="subdistrict_id", read_only=True, allow_null=True)
    named_as = serializers.IntegerField(source="named_as_id", read_only=True, allow_null=True)

    class Meta:
        model = UnnamedRoad
        fields = [
            "id",
            "location",
            "district",
            "subdistrict",
            "found_on",
            "length_m",
            "description",
            "status",
            "named_as",
            "closed_on",
            "created_at",
        ]
        read_only_fields = fields


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class ApplicationInputSerializer(serializers.Serializer):
    proposed_name = serializers.CharField(max_length=40)
    district = serializers.CharField(max_length=6, required=False, allow_blank=True, default="")
    road_type = serializers.ChoiceField(choices=RoadType.choices, default=RoadType.ROAD)
    unnamed_road = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    start_point = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    end_point = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    length_m = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    meaning = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    applicant = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class NoticeInputSerializer(serializers.Serializer):
    expert_opinion = serializers.CharField(max_length=1000)
    notice_from = serializers.DateField(required=False, allow_null=True, default=None)


class ApproveInputSerializer(serializers.Serializer):
    approval_document = serializers.CharField(max_length=100)
    objections = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    approved_on = serializers.DateField(required=False, allow_null=True, default=None)


class ApplicationSerializer(serializers.ModelSerializer):
    road_type = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    district = serializers.CharField(source="district_id", read_only=True)
    unnamed_road = serializers.IntegerField(source="unnamed_road_id", read_only=True, allow_null=True)
    road = serializers.IntegerField(source="road_id", read_only=True, allow_null=True)
    warnings = serializers.SerializerMethodField()

    class Meta:
        model = NamingApplication
        fields = [
            "id",
            "proposed_name",
            "pinyin",
            "district",
            "road_type",
            "unnamed_road",
            "start_point",
            "end_point",
            "length_m",
            "meaning",
            "applicant",
            "status",
            "warnings",
            "expert_opinion",
            "notice_from",
            "notice_until",
            "objections",
            "approval_document",
            "approved_on",
            "road",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_warnings(self, obj) -> list[str]:
        return warning_messages(obj.warnings)


class BannedWordSerializer(serializers.ModelSerializer):
    class Meta:
        model = BannedWord
        fields = ["id", "word", "reason", "active", "created_at"]
        read_only_fields = ["id", "active", "created_at"]
        extra_kwargs = {"word": {"validators": []}}  # a duplicate is the service's 409

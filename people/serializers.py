from __future__ import annotations

from rest_framework import serializers

from core.models import Division
from people.models import AreaType, Household, HouseholdMeans, HouseholdMember, MeansOccasion, Person, Relationship


class PersonInputSerializer(serializers.Serializer):
    reject_unknown_fields = True  # api.md gives these inputs in full
    id_number = serializers.CharField(max_length=30)
    name = serializers.CharField(max_length=50)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")


class PersonUpdateSerializer(serializers.Serializer):
    reject_unknown_fields = True  # api.md gives these inputs in full
    name = serializers.CharField(max_length=50, required=False)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)


class PersonSerializer(serializers.ModelSerializer):
    id_number_masked = serializers.CharField(read_only=True)
    phone_masked = serializers.CharField(read_only=True)
    division = serializers.CharField(source="division_id", read_only=True)

    class Meta:
        model = Person
        fields = [
            "id",
            "name",
            "id_number_masked",
            "sex",
            "birth_date",
            "death_date",
            "phone_masked",
            "division",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class RevealInputSerializer(serializers.Serializer):
    # Required, like the browser form's: the service refuses a blank one (400 on ``reason``).
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class RevealSerializer(serializers.Serializer):
    id_number = serializers.CharField()


class MemberInputSerializer(serializers.Serializer):
    reject_unknown_fields = True  # api.md gives these inputs in full
    person = serializers.IntegerField(min_value=1)
    relationship = serializers.ChoiceField(choices=Relationship.choices)


class HouseholdInputSerializer(serializers.Serializer):
    reject_unknown_fields = True  # api.md gives these inputs in full
    community = serializers.CharField(max_length=12)
    address = serializers.CharField(max_length=200)
    area_type = serializers.ChoiceField(choices=AreaType.choices)
    head = serializers.IntegerField(min_value=1)
    members = MemberInputSerializer(many=True, allow_empty=False)
    bank_name = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    bank_account = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")


class HouseholdUpdateSerializer(serializers.Serializer):
    reject_unknown_fields = True  # api.md gives these inputs in full
    address = serializers.CharField(max_length=200, required=False)
    area_type = serializers.ChoiceField(choices=AreaType.choices, required=False)
    bank_name = serializers.CharField(max_length=60, required=False, allow_blank=True)
    bank_account = serializers.CharField(max_length=32, required=False, allow_blank=True)


class MemberSerializer(serializers.ModelSerializer):
    person = serializers.IntegerField(source="person_id", read_only=True)
    name = serializers.CharField(source="person.name", read_only=True)
    id_number_masked = serializers.CharField(source="person.id_number_masked", read_only=True)

    class Meta:
        model = HouseholdMember
        fields = ["person", "name", "id_number_masked", "relationship"]
        read_only_fields = fields


class HouseholdSerializer(serializers.ModelSerializer):
    community = serializers.CharField(source="community_id", read_only=True)
    community_name = serializers.SerializerMethodField()
    head = serializers.IntegerField(source="head_id", read_only=True)
    head_name = serializers.CharField(source="head.name", read_only=True)
    members_count = serializers.IntegerField(read_only=True)
    bank_account_masked = serializers.CharField(read_only=True)

    class Meta:
        model = Household
        fields = [
            "id",
            "community",
            "community_name",
            "address",
            "area_type",
            "head",
            "head_name",
            "members_count",
            "bank_name",
            "bank_account_masked",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_community_name(self, obj: Household) -> str:
        division: Division = obj.community
        return division.name


class HouseholdDetailSerializer(HouseholdSerializer):
    members = MemberSerializer(many=True, read_only=True)

    class Meta(HouseholdSerializer.Meta):
        fields = [*HouseholdSerializer.Meta.fields, "members"]
        read_only_fields = fields


class MeansInputSerializer(serializers.Serializer):
    """api.md: ``{"monthly_income", "as_of"?}``; ``occasion`` and ``note`` say where it was found out."""

    reject_unknown_fields = True

    monthly_income = serializers.CharField(max_length=20, help_text='the household\'s total, e.g. "1850.00"')
    as_of = serializers.DateField(required=False, allow_null=True, default=None, help_text="default: today")
    occasion = serializers.ChoiceField(choices=MeansOccasion.choices, required=False, default=MeansOccasion.VISIT)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class MeansSerializer(serializers.ModelSerializer):
    household = serializers.IntegerField(source="household_id", read_only=True)
    monthly_income = serializers.DecimalField(max_digits=12, decimal_places=2, coerce_to_string=True)
    occasion_label = serializers.CharField(source="get_occasion_display", read_only=True)
    recorded_by = serializers.CharField(source="recorded_by.__str__", read_only=True)

    class Meta:
        model = HouseholdMeans
        fields = [
            "id",
            "household",
            "monthly_income",
            "as_of",
            "occasion",
            "occasion_label",
            "note",
            "recorded_by",
            "recorded_at",
        ]
        read_only_fields = fields

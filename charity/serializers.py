from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from charity.models import Donation, DonationKind, DonationUse, DonorType
from core.idnumbers import mask_phone
from core.money import money_str


@extend_schema_field(OpenApiTypes.STR)
class MoneyField(serializers.Field):
    """api.md's money, out: a string with two decimals (``"1234.50"``)."""

    def to_representation(self, value):
        return money_str(value)


class DonationInputSerializer(serializers.Serializer):
    reject_unknown_fields = False
    donor = serializers.CharField(max_length=100)
    donor_type = serializers.ChoiceField(choices=DonorType.choices, default=DonorType.PERSON)
    donor_phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    anonymous = serializers.BooleanField(required=False, default=False)
    recipient_org = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=DonationKind.choices)
    amount = serializers.CharField(max_length=20, required=False, allow_null=True, default=None, help_text='"10000.00"')
    items = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    quantity = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    unit = serializers.CharField(max_length=10, required=False, allow_blank=True, default="")
    custodian = serializers.CharField(max_length=100)
    received_on = serializers.DateField()
    purpose = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class UseInputSerializer(serializers.Serializer):
    used_on = serializers.DateField()
    purpose = serializers.CharField(max_length=500)
    amount = serializers.CharField(max_length=20, required=False, allow_null=True, default=None, help_text='"300.00"')
    quantity = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    beneficiary = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class UseSerializer(serializers.ModelSerializer):
    donation = serializers.IntegerField(source="donation_id", read_only=True)
    amount = MoneyField(read_only=True)
    recorded_by = serializers.CharField(source="recorded_by.__str__", read_only=True)

    class Meta:
        model = DonationUse
        fields = ["id", "donation", "used_on", "purpose", "beneficiary", "amount", "quantity", "recorded_by"]
        read_only_fields = fields


class DonationSerializer(serializers.ModelSerializer):
    recipient_org = serializers.IntegerField(source="recipient_org_id", read_only=True)
    recipient_org_name = serializers.CharField(source="recipient_org.name", read_only=True)
    division = serializers.CharField(source="division_id", read_only=True)
    donor_phone_masked = serializers.SerializerMethodField()
    amount = MoneyField(read_only=True)
    used_amount = MoneyField(read_only=True)
    remaining_amount = MoneyField(read_only=True)
    remaining_quantity = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Donation
        fields = [
            "id",
            "donor",
            "donor_type",
            "donor_phone_masked",
            "anonymous",
            "recipient_org",
            "recipient_org_name",
            "division",
            "kind",
            "amount",
            "items",
            "quantity",
            "unit",
            "custodian",
            "received_on",
            "purpose",
            "used_amount",
            "used_quantity",
            "remaining_amount",
            "remaining_quantity",
            "created_at",
        ]
        read_only_fields = fields

    def get_donor_phone_masked(self, obj) -> str:
        return mask_phone(obj.phone) if obj.phone else ""


class DisclosedUseSerializer(serializers.ModelSerializer):
    amount = MoneyField(read_only=True)

    class Meta:
        model = DonationUse
        fields = ["used_on", "purpose", "amount", "quantity"]
        read_only_fields = fields


class DisclosureSerializer(serializers.ModelSerializer):
    """One line of the public list: no phone, no personal number; an anonymous donor is not named."""

    donor = serializers.SerializerMethodField()
    recipient_org = serializers.CharField(source="recipient_org.name", read_only=True)
    amount = MoneyField(read_only=True)
    used_amount = MoneyField(read_only=True)
    remaining_amount = MoneyField(read_only=True)
    uses = DisclosedUseSerializer(many=True, read_only=True)

    class Meta:
        model = Donation
        fields = [
            "id",
            "donor",
            "recipient_org",
            "kind",
            "amount",
            "items",
            "quantity",
            "unit",
            "custodian",
            "received_on",
            "purpose",
            "used_amount",
            "used_quantity",
            "remaining_amount",
            "uses",
        ]
        read_only_fields = fields

    def get_donor(self, obj) -> str:
        from django.utils.translation import gettext

        return gettext("Anonymous donor") if obj.anonymous else obj.donor

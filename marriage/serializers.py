from __future__ import annotations

from rest_framework import serializers

from marriage.models import BOOKABLE_KINDS, Appointment, HouseholdChange, Kind, Office, Registration


class RegistrationInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=BOOKABLE_KINDS)
    party_a = serializers.IntegerField(min_value=1)
    party_b = serializers.IntegerField(min_value=1)
    office = serializers.CharField(
        max_length=6, required=False, allow_blank=True, default="", help_text="district code of the registering office"
    )
    applied_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="day of the application (default today)"
    )
    declarations_signed = serializers.BooleanField(
        default=True, help_text="both parties signed the declarations (声明书) in person at the counter"
    )
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class RegisterDivorceInputSerializer(serializers.Serializer):
    on = serializers.DateField(required=False, allow_null=True, default=None)
    both_present = serializers.BooleanField(default=True, help_text="both parties appeared in person")
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class WithdrawInputSerializer(serializers.Serializer):
    party = serializers.IntegerField(min_value=1, help_text="the party who withdraws")
    on = serializers.DateField(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ReviewInputSerializer(serializers.Serializer):
    result = serializers.ChoiceField(choices=[("pass", "pass"), ("fail", "fail")])
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ReissueInputSerializer(serializers.Serializer):
    party = serializers.IntegerField(min_value=1, help_text="the party the certificate is reissued to")
    office = serializers.CharField(max_length=6, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class RegistrationSerializer(serializers.ModelSerializer):
    """Choice fields are plain strings here (their values are the model's); enums are documented on input."""

    kind = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    end_reason = serializers.CharField(read_only=True)
    review_status = serializers.CharField(read_only=True)
    party_a = serializers.IntegerField(source="party_a_id", read_only=True)
    party_b = serializers.IntegerField(source="party_b_id", read_only=True)
    party_a_name = serializers.CharField(source="party_a.name", read_only=True)
    party_b_name = serializers.CharField(source="party_b.name", read_only=True)
    office = serializers.CharField(source="office_id", read_only=True)
    marriage = serializers.IntegerField(source="marriage_id", read_only=True, allow_null=True)
    original = serializers.IntegerField(source="original_id", read_only=True, allow_null=True)
    withdrawn_by = serializers.IntegerField(source="withdrawn_by_id", read_only=True, allow_null=True)
    registrar = serializers.CharField(source="registrar.username", read_only=True)
    reviewed_by = serializers.CharField(source="reviewed_by.username", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Registration
        fields = [
            "id",
            "kind",
            "status",
            "party_a",
            "party_a_name",
            "party_b",
            "party_b_name",
            "office",
            "applied_on",
            "registered_on",
            "cooling_off_until",
            "appear_by",
            "certificate_number",
            "marriage",
            "original",
            "ended_on",
            "end_reason",
            "declarations_signed",
            "withdrawn_by",
            "note",
            "registrar",
            "review_status",
            "review_reason",
            "reviewed_by",
            "reviewed_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class MaritalStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["unmarried", "married", "divorced", "widowed"])
    since = serializers.DateField(allow_null=True)
    spouse = serializers.SerializerMethodField()
    marriage = serializers.SerializerMethodField()
    divorce_pending = serializers.SerializerMethodField()

    def get_spouse(self, obj) -> int | None:
        return obj.spouse.pk if obj.spouse else None

    def get_marriage(self, obj) -> int | None:
        return obj.marriage.pk if obj.marriage else None

    def get_divorce_pending(self, obj) -> int | None:
        return obj.divorce_pending.pk if obj.divorce_pending else None


class StatisticsRowSerializer(serializers.Serializer):
    office = serializers.CharField()
    office_name = serializers.CharField()
    month = serializers.CharField()
    marriages = serializers.IntegerField()
    divorces = serializers.IntegerField()
    reissues = serializers.IntegerField()
    divorce_applications = serializers.IntegerField()
    withdrawn = serializers.IntegerField()
    lapsed = serializers.IntegerField()
    review_passed = serializers.IntegerField()
    review_failed = serializers.IntegerField()
    review_pending = serializers.IntegerField()
    pass_rate = serializers.FloatField(allow_null=True)


class OfficeSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="pk", read_only=True)

    class Meta:
        model = Office
        fields = ["code", "name", "address", "daily_capacity", "open_weekends"]
        read_only_fields = ["code"]


class OfficeUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=60, required=False)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    daily_capacity = serializers.IntegerField(min_value=0, max_value=1000, required=False)
    open_weekends = serializers.BooleanField(required=False)


class CapacityInputSerializer(serializers.Serializer):
    date = serializers.DateField()
    capacity = serializers.IntegerField(min_value=0, max_value=1000)
    reason = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class AppointmentInputSerializer(serializers.Serializer):
    office = serializers.CharField(max_length=6, required=False, allow_blank=True, default="")
    date = serializers.DateField()
    kind = serializers.ChoiceField(choices=Kind.choices)
    name_a = serializers.CharField(max_length=50)
    name_b = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=30)


class CancelInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class AppointmentSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    office = serializers.CharField(source="office_id", read_only=True)
    phone_masked = serializers.CharField(read_only=True)
    party_a_id_number_masked = serializers.CharField(read_only=True)
    party_b_id_number_masked = serializers.CharField(read_only=True)
    booked_online = serializers.BooleanField(read_only=True, help_text="booked by a resident on the public site")

    class Meta:
        model = Appointment
        fields = [
            "id",
            "office",
            "date",
            "kind",
            "name_a",
            "name_b",
            "party_a_id_number_masked",
            "party_b_id_number_masked",
            "phone_masked",
            "booked_online",
            "status",
            "created_at",
            "cancelled_at",
            "cancel_reason",
        ]
        read_only_fields = fields


class OnlineAppointmentInputSerializer(serializers.Serializer):
    office = serializers.CharField(max_length=6, help_text="district code of the registry office (any in the city)")
    date = serializers.DateField()
    kind = serializers.ChoiceField(choices=BOOKABLE_KINDS)
    party_a_id_number = serializers.CharField(max_length=30)
    party_b_id_number = serializers.CharField(max_length=30)
    name_a = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    name_b = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")


class OnlineAppointmentSerializer(serializers.ModelSerializer):
    """A resident's own booking: what they booked, the office's name and address, the numbers masked."""

    kind = serializers.CharField(read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status = serializers.CharField(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    office = serializers.CharField(source="office_id", read_only=True)
    office_name = serializers.CharField(source="office.name", read_only=True)
    office_address = serializers.CharField(source="office.address", read_only=True)
    party_a_id_number_masked = serializers.CharField(read_only=True)
    party_b_id_number_masked = serializers.CharField(read_only=True)

    class Meta:
        model = Appointment
        fields = [
            "id",
            "office",
            "office_name",
            "office_address",
            "date",
            "kind",
            "kind_label",
            "name_a",
            "name_b",
            "party_a_id_number_masked",
            "party_b_id_number_masked",
            "status",
            "status_label",
            "created_at",
            "cancelled_at",
        ]
        read_only_fields = fields


class OfficeDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    capacity = serializers.IntegerField()
    booked = serializers.IntegerField()
    free = serializers.IntegerField(help_text="places left")


class PublicOfficeSerializer(serializers.ModelSerializer):
    """A registry office as residents see it: name, address and the places left on each day."""

    code = serializers.CharField(source="pk", read_only=True)

    class Meta:
        model = Office
        fields = ["code", "name", "address"]
        read_only_fields = fields


class HouseholdChangeSerializer(serializers.ModelSerializer):
    old_relationship = serializers.CharField(read_only=True)
    new_relationship = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    registration = serializers.IntegerField(source="registration_id", read_only=True)
    household = serializers.IntegerField(source="household_id", read_only=True)
    person = serializers.IntegerField(source="person_id", read_only=True)

    class Meta:
        model = HouseholdChange
        fields = [
            "id",
            "registration",
            "household",
            "person",
            "old_relationship",
            "new_relationship",
            "status",
            "created_at",
            "reverted_at",
            "revert_reason",
        ]
        read_only_fields = fields


class RevertInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)

"""REST shapes of low-income monitoring (api.md "Low-income monitoring"). ID numbers only ever masked."""

from __future__ import annotations

from rest_framework import serializers

from core.cases import month_str
from core.money import money_str
from monitoring.models import ExpenseKind, HouseholdExpense

TIER_HELP = "dibao | tekun | marginal (低保边缘) | expenditure (支出型困难)"


class ExpenseInputSerializer(serializers.Serializer):
    """api.md: ``{"kind": "medical"|"education"|"other", "month", "amount"}``."""

    reject_unknown_fields = True

    kind = serializers.CharField(max_length=20, help_text="medical | education | other")
    month = serializers.CharField(max_length=10, help_text='"YYYY-MM"')
    amount = serializers.CharField(max_length=20, help_text='e.g. "1200.00"')
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ExpenseSerializer(serializers.ModelSerializer):
    household = serializers.IntegerField(source="household_id", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    month = serializers.SerializerMethodField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, coerce_to_string=True)
    recorded_by = serializers.CharField(source="recorded_by.__str__", read_only=True)

    class Meta:
        model = HouseholdExpense
        fields = ["id", "household", "kind", "kind_label", "month", "amount", "note", "recorded_by", "recorded_at"]
        read_only_fields = fields

    def get_month(self, obj) -> str:
        return month_str(obj.month)


class LowIncomePersonSerializer(serializers.Serializer):
    """A person of the low-income population, with why: their tiers and their household's figures."""

    id = serializers.IntegerField(source="pk")
    person = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    id_number_masked = serializers.CharField()
    division = serializers.CharField(source="division_id")
    household = serializers.SerializerMethodField()
    tiers = serializers.SerializerMethodField(help_text=TIER_HELP)
    members = serializers.SerializerMethodField()
    monthly_income = serializers.SerializerMethodField(help_text="the household's latest recorded income")
    per_capita_income = serializers.SerializerMethodField()
    rigid_expenses = serializers.SerializerMethodField(help_text="medical and education expenses of the month")
    per_capita_after_expenses = serializers.SerializerMethodField()
    standard = serializers.SerializerMethodField(help_text="the dibao standard in force for the household's area")

    def _facts(self, obj):
        return self.context["facts"].get(obj.pk)

    def _fig(self, obj):
        facts = self._facts(obj)
        return facts.figures if facts is not None else None

    def get_household(self, obj) -> int | None:
        facts = self._facts(obj)
        return facts.household_id if facts else None

    def get_tiers(self, obj) -> list[str]:
        facts = self._facts(obj)
        return facts.tiers if facts else []

    def get_members(self, obj) -> int | None:
        fig = self._fig(obj)
        return fig.members if fig else None

    def get_monthly_income(self, obj) -> str | None:
        fig = self._fig(obj)
        return money_str(fig.income) if fig else None

    def get_per_capita_income(self, obj) -> str | None:
        fig = self._fig(obj)
        return money_str(fig.per_capita) if fig else None

    def get_rigid_expenses(self, obj) -> str | None:
        fig = self._fig(obj)
        return money_str(fig.rigid) if fig else None

    def get_per_capita_after_expenses(self, obj) -> str | None:
        fig = self._fig(obj)
        return money_str(fig.per_capita_after_expenses) if fig else None

    def get_standard(self, obj) -> str | None:
        fig = self._fig(obj)
        return money_str(fig.standard) if fig else None


__all__ = ["ExpenseInputSerializer", "ExpenseKind", "ExpenseSerializer", "LowIncomePersonSerializer"]

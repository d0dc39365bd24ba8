from __future__ import annotations

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import Q
from django.db.models.functions import Reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.idnumbers import mask_id_number, mask_phone, mask_tail
from core.models import Division
from core.roles import Cap
from core.search import chars_index

MONEY = {"max_digits": 12, "decimal_places": 2}


class Sex(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class AreaType(models.TextChoices):
    URBAN = "urban", _("Urban")
    RURAL = "rural", _("Rural")


class Relationship(models.TextChoices):
    HEAD = "head", _("Head of household")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    GRANDPARENT = "grandparent", _("Grandparent")
    GRANDCHILD = "grandchild", _("Grandchild")
    SIBLING = "sibling", _("Sibling")
    OTHER = "other", _("Other")


# Statement-level history (one INSERT … SELECT per statement over its transition tables, not a
# trigger per row): the household import writes these three tables set-based, and history must
# come from the triggers whatever the statement, never skipped (issue 22 §8: the application's
# role cannot ``SET pgtrigger.ignore`` its way past them any more, core.auditchain).
@pghistory.track(level=pghistory.Statement)
class Person(models.Model):
    """A resident. Sex and birth date come from the ID number.

    ``division`` is the person's geography: their household's community, or, for someone
    in no household, the division of the staff member who registered them.
    """

    scope_field = "division"
    division_follow = ("division",)  # a person moves with their community (domain.md "Geography")
    scope_view_cap = Cap.PEOPLE_VIEW
    scope_citywide_cap = Cap.PEOPLE_CITYWIDE

    id_number = models.CharField(_("ID number"), max_length=18, unique=True)
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    sex = models.CharField(_("sex"), max_length=6, choices=Sex.choices)
    birth_date = models.DateField(_("birth date"))
    death_date = models.DateField(_("date of death"), null=True, blank=True)
    division = models.ForeignKey(
        Division, verbose_name=_("division"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("registered by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        indexes = [
            # name prefix search ("张" finds every Zhang) at a million persons
            models.Index(fields=["name"], name="person_name_prefix", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["division", "-id"], name="person_division_recent"),
            # a fragment anywhere in the name (建国 finds 李建国), one character or more (core.search)
            chars_index("name", name="person_name_chars"),
            # the last 4–6 characters of the ID number (core.search.id_number_tail_q)
            models.Index(OpClass(Reverse("id_number"), name="text_pattern_ops"), name="person_id_number_tail"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(id_number__regex=r"^[0-9]{17}[0-9X]$"), name="person_id_number_format"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)


@pghistory.track(level=pghistory.Statement)
class Household(models.Model):
    """A household (户): members, address and community, urban or rural, bank account."""

    scope_field = "community"
    division_follow = ("community",)
    scope_view_cap = Cap.PEOPLE_VIEW

    community = models.ForeignKey(
        Division, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    address = models.CharField(_("address"), max_length=200)
    area_type = models.CharField(_("urban or rural"), max_length=5, choices=AreaType.choices)
    head = models.ForeignKey(Person, verbose_name=_("head"), on_delete=models.PROTECT, related_name="+")
    bank_name = models.CharField(_("bank"), max_length=60, blank=True)
    bank_account = models.CharField(_("bank account"), max_length=32, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("registered by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        indexes = [
            models.Index(fields=["community", "-id"], name="household_community_recent"),
            # a fragment of the address (演示路12号): trigrams (core.search)
            GinIndex(fields=["address"], opclasses=["gin_trgm_ops"], name="household_address_trgm"),
        ]

    def __str__(self) -> str:
        return _("Household of %(name)s") % {"name": self.head.name}

    @property
    def bank_account_masked(self) -> str:
        return mask_tail(self.bank_account)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent(), level=pghistory.Statement)
class HouseholdMember(models.Model):
    scope_field = "household__community"
    scope_view_cap = Cap.PEOPLE_VIEW

    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.CASCADE, related_name="members"
    )
    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="memberships")
    relationship = models.CharField(_("relationship to head"), max_length=12, choices=Relationship.choices)

    class Meta:
        verbose_name = _("household member")
        verbose_name_plural = _("household members")
        constraints = [
            # A person lives in one household at a time.
            models.UniqueConstraint(fields=["person"], name="member_one_household_per_person"),
            # A household has exactly one head (at most one here; services ensure at least one).
            models.UniqueConstraint(
                fields=["household"], condition=Q(relationship="head"), name="member_one_head_per_household"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_relationship_display()})"


class MeansOccasion(models.TextChoices):
    """Where a household's income was found out (家庭经济状况的来源)."""

    VISIT = "visit", _("Home visit")
    APPLICATION = "application", _("Dibao application")
    REFUSED_APPLICATION = "refused_application", _("Earlier refused application")
    ONLINE_APPLICATION = "online_application", _("Online application")
    RECHECK = "recheck", _("Periodic review")
    IMPORT = "import", _("Import")
    OTHER = "other", _("Other")


@pghistory.track(pghistory.InsertEvent())
class HouseholdMeans(models.Model):
    """A household's total monthly income as found out on a day (家庭经济状况), in a case or outside one.

    The latest (``as_of``, then the order recorded) is the household's. Append-only: a correction
    is a new record (the database refuses UPDATE and DELETE). Other apps record means through
    ``people.services.household_means_record`` (a dibao application, an online application, a
    visit during monitoring) and read them through ``people.selectors``.
    """

    scope_field = "household__community"
    scope_view_cap = Cap.RELIEF_VIEW  # a household's economic situation: social-assistance staff

    household = models.ForeignKey(Household, verbose_name=_("household"), on_delete=models.PROTECT, related_name="+")
    monthly_income = models.DecimalField(_("household monthly income"), **MONEY)
    as_of = models.DateField(_("as of"))
    occasion = models.CharField(
        _("found out at"), max_length=20, choices=MeansOccasion.choices, default=MeansOccasion.VISIT
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("household means")
        verbose_name_plural = _("household means")
        ordering = ["-as_of", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(monthly_income__gte=0), name="means_income_not_negative"),
        ]
        indexes = [models.Index(fields=["household", "-as_of", "-id"], name="means_household_latest")]
        triggers = [pgtrigger.Protect(name="householdmeans_append_only", operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self) -> str:
        return _("%(income)s a month, as of %(day)s") % {"income": self.monthly_income, "day": self.as_of.isoformat()}

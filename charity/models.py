"""Charity (慈善): donations by donor, recipient organization and custodian, each use recorded against
its donation, the public disclosure of both (《慈善法》); and the registered volunteers per district.

A donation's uses never exceed it: ``used_amount`` / ``used_quantity`` are the running totals its
uses keep, and the database refuses a total above what was given (check constraints), so two uses
recorded at once cannot both pass (``charity.services.use_record`` also locks the donation row).
Uses are append-only: a mistake is corrected by a note, never by rewriting what was disclosed.
"""

from __future__ import annotations

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.models import Division
from core.roles import Cap

MONEY = {"max_digits": 14, "decimal_places": 2}


class DonationKind(models.TextChoices):
    MONEY = "money", _("Money")
    GOODS = "goods", _("Goods")


class DonorType(models.TextChoices):
    PERSON = "person", _("Individual")
    ORGANIZATION = "organization", _("Organization or company")


@pghistory.track()
class Donation(models.Model):
    """One donation received by a social organization or charity: who gave what, who keeps it, for what."""

    scope_field = "division"
    scope_view_cap = Cap.CHARITY_VIEW

    donor = models.CharField(_("donor"), max_length=100)
    donor_type = models.CharField(_("donor type"), max_length=12, choices=DonorType.choices, default=DonorType.PERSON)
    phone = models.CharField(_("donor's phone"), max_length=20, blank=True)  # masked like every phone
    anonymous = models.BooleanField(_("name withheld from the public list"), default=False)
    recipient_org = models.ForeignKey(
        "social_orgs.SocialOrg", verbose_name=_("recipient organization"), on_delete=models.PROTECT, related_name="+"
    )
    division = models.ForeignKey(
        Division, verbose_name=_("registering authority"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    kind = models.CharField(_("money or goods"), max_length=5, choices=DonationKind.choices)
    amount = models.DecimalField(_("amount (CNY)"), null=True, blank=True, **MONEY)
    items = models.CharField(_("goods"), max_length=500, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"), null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=10, blank=True)
    custodian = models.CharField(_("custodian"), max_length=100)
    received_on = models.DateField(_("received on"))
    purpose = models.CharField(_("purpose"), max_length=500, blank=True)
    used_amount = models.DecimalField(_("amount used (CNY)"), default=0, **MONEY)
    used_quantity = models.PositiveIntegerField(_("quantity used"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("donation")
        verbose_name_plural = _("donations")
        indexes = [
            models.Index(fields=["division", "-received_on"], name="donation_division_received"),
            models.Index(fields=["recipient_org", "-received_on"], name="donation_org_received"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=DonationKind.values), name="donation_kind_known"),
            models.CheckConstraint(
                condition=~Q(kind="money") | Q(amount__gt=0, items="", quantity__isnull=True),
                name="donation_money_has_amount",
            ),
            models.CheckConstraint(condition=~Q(kind="goods") | ~Q(items=""), name="donation_goods_has_items"),
            models.CheckConstraint(condition=Q(amount__isnull=True) | Q(amount__gt=0), name="donation_amount_positive"),
            models.CheckConstraint(condition=Q(used_amount__gte=0), name="donation_used_not_negative"),
            models.CheckConstraint(
                condition=Q(amount__isnull=True, used_amount=0) | Q(used_amount__lte=F("amount")),
                name="donation_uses_within_amount",
            ),
            models.CheckConstraint(
                condition=Q(quantity__isnull=True, used_quantity=0) | Q(used_quantity__lte=F("quantity")),
                name="donation_uses_within_quantity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.donor} → {self.recipient_org}"

    @property
    def remaining_amount(self):
        return None if self.amount is None else self.amount - self.used_amount

    @property
    def remaining_quantity(self):
        return None if self.quantity is None else self.quantity - self.used_quantity


class PublicDonation(Donation):
    """The same rows as the public disclosure reads them: the list every signed-in user may see."""

    scope_field = None
    scope_view_cap = None

    class Meta:
        proxy = True
        verbose_name = _("disclosed donation")
        verbose_name_plural = _("disclosed donations")


class DonationUse(models.Model):
    """One use of a donation (拨付/使用): when, for what, how much of it. Append-only."""

    scope_field = "donation__division"
    scope_view_cap = Cap.CHARITY_VIEW

    donation = models.ForeignKey(Donation, verbose_name=_("donation"), on_delete=models.PROTECT, related_name="uses")
    used_on = models.DateField(_("used on"))
    purpose = models.CharField(_("purpose"), max_length=500)
    beneficiary = models.CharField(_("given to"), max_length=200, blank=True)
    amount = models.DecimalField(_("amount (CNY)"), null=True, blank=True, **MONEY)
    quantity = models.PositiveIntegerField(_("quantity"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("use of a donation")
        verbose_name_plural = _("uses of donations")
        ordering = ["used_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gt=0), name="donationuse_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(quantity__isnull=True) | Q(quantity__gt=0), name="donationuse_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=False) | Q(quantity__isnull=False) | ~Q(purpose=""),
                name="donationuse_says_what",
            ),
        ]
        triggers = [pgtrigger.Protect(name="donationuse_append_only", operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.used_on} {self.purpose}"


@pghistory.track()
class VolunteerCount(models.Model):
    """Registered volunteers in a district on a date, from the volunteer platform's periodic extract."""

    scope_field = "district"
    scope_view_cap = Cap.DASHBOARD_VIEW

    district = models.ForeignKey(Division, verbose_name=_("district"), on_delete=models.PROTECT, related_name="+")
    as_of = models.DateField(_("as of"))
    registered = models.PositiveIntegerField(_("registered volunteers"))
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("imported by"), on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField(_("imported at"), auto_now=True)

    class Meta:
        verbose_name = _("volunteer count")
        verbose_name_plural = _("volunteer counts")
        constraints = [models.UniqueConstraint(fields=["district", "as_of"], name="volunteercount_one_per_day")]

    def __str__(self) -> str:
        return f"{self.district_id} {self.as_of}: {self.registered}"

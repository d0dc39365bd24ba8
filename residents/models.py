"""Residents (居民): the public-service site's own accounts, kept apart from staff.

A resident is **not** a ``core.User``. Staff accounts carry a role and a division, and every
capability (``core.roles``), every scope (``core.scoping``), the admin site and the knox tokens
hang off ``core.User``; a ``Resident`` has none of those attributes, lives in its own table, signs
in with its own session key and its own tokens (``residents.auth``). Nothing that grants a staff
permission can name a resident, so no staff permission can ever be reached from a resident's
session or token (a resident token on a staff endpoint is a 401: knox does not know it).

What a resident writes (an online application) is recorded in the audit history under the
inactive ``online`` account (``residents.services.online_actor``), with the resident's id in the
history context, never as a staff user id.
"""

from __future__ import annotations

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.cases import StateMachine, Transition
from core.models import Division
from core.roles import Cap
from people.models import AreaType, Household
from relief.models import DibaoCase, TekunCase, TemporaryReliefClaim


class Resident(models.Model):
    """A resident who signed in with a phone number and a one-time code."""

    # Residents see only their own records (``residents.selectors``), never through scope().
    scope_field = None
    scope_view_cap = "residents.none"  # no staff role holds it: staff lists never show residents

    phone = models.CharField(_("phone"), max_length=11, unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    last_login_at = models.DateTimeField(_("last signed in"), null=True, blank=True)

    # What code that asks "who is this?" of a request's user reads (DRF's IsAuthenticated…).
    is_authenticated = True
    is_anonymous = False
    is_resident = True

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")

    def __str__(self) -> str:
        from core.idnumbers import mask_phone

        return mask_phone(self.phone)


class LoginCode(models.Model):
    """A one-time code sent to a phone: only its keyed hash is kept; it expires; it is used once."""

    phone = models.CharField(_("phone"), max_length=11)
    code_hash = models.CharField(_("code (hashed)"), max_length=64)
    created_at = models.DateTimeField(_("sent at"))
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("one-time code")
        verbose_name_plural = _("one-time codes")
        indexes = [models.Index(fields=["phone", "created_at"], name="logincode_phone_at")]

    def __str__(self) -> str:
        from core.idnumbers import mask_phone

        return f"{mask_phone(self.phone)} {self.created_at:%Y-%m-%d %H:%M}"


class PhoneLock(models.Model):
    """Wrong codes typed for a phone since its last success, and the lock five of them set."""

    phone = models.CharField(_("phone"), max_length=11, primary_key=True)
    failures = models.PositiveSmallIntegerField(_("wrong codes"), default=0)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)

    class Meta:
        verbose_name = _("phone lock")
        verbose_name_plural = _("phone locks")

    def __str__(self) -> str:
        from core.idnumbers import mask_phone

        return mask_phone(self.phone)


class ResidentToken(models.Model):
    """An API token of a resident: its SHA-256 digest only (the token is 32 random bytes), expiring."""

    digest = models.CharField(_("digest"), max_length=64, unique=True)
    resident = models.ForeignKey(Resident, verbose_name=_("resident"), on_delete=models.CASCADE, related_name="tokens")
    created_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), db_index=True)

    class Meta:
        verbose_name = _("resident token")
        verbose_name_plural = _("resident tokens")

    def __str__(self) -> str:
        return f"{self.resident} {self.expires_at:%Y-%m-%d %H:%M}"


class ResidentEventKind(models.TextChoices):
    CODE_SENT = "code_sent", _("Code sent")
    CODE_REFUSED = "code_refused", _("Code refused: too many this hour")
    LOGIN = "login", _("Signed in")
    WRONG_CODE = "wrong_code", _("Wrong code")
    LOCKED = "locked", _("Phone locked after wrong codes")
    LOGIN_REFUSED = "login_refused", _("Sign-in refused: phone locked")
    DOCUMENT = "document", _("Decision document downloaded")


class ResidentEvent(models.Model):
    """The residents' security log (append-only): codes sent and refused, sign-ins, wrong codes, locks."""

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    kind = models.CharField(_("event"), max_length=16, choices=ResidentEventKind.choices)
    phone = models.CharField(_("phone"), max_length=11)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("resident security event")
        verbose_name_plural = _("resident security log")
        ordering = ["-at", "-id"]
        triggers = [pgtrigger.Protect(name="residentevent_append_only", operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self) -> str:
        from core.idnumbers import mask_phone

        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.kind} {mask_phone(self.phone)}"


# --- Online applications (网上申请) ----------------------------------------------------------------


class Scheme(models.TextChoices):
    DIBAO = "dibao", _("Minimum living allowance (dibao)")
    TEKUN = "tekun", _("Extreme-poverty support (tekun)")
    TEMPORARY_RELIEF = "temporary_relief", _("Temporary relief")


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Received, waiting to be accepted")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Not accepted")
    WITHDRAWN = "withdrawn", _("Withdrawn")


APPLICATION_MACHINE = StateMachine(
    [
        Transition("accept", frozenset({ApplicationStatus.SUBMITTED}), ApplicationStatus.ACCEPTED, _("Accepted")),
        Transition("decline", frozenset({ApplicationStatus.SUBMITTED}), ApplicationStatus.DECLINED, _("Not accepted")),
        Transition(
            "withdraw",
            frozenset({ApplicationStatus.SUBMITTED, ApplicationStatus.ACCEPTED}),
            ApplicationStatus.WITHDRAWN,
            _("Withdrawn by the applicant"),
        ),
    ],
    initial=ApplicationStatus.SUBMITTED,
    labels=dict(ApplicationStatus.choices),
)


@pghistory.track()
class OnlineApplication(models.Model):
    """A resident's application for dibao, tekun or temporary relief, as submitted online.

    Staff see it in the community's geography (``scope_field``); the resident sees only their own
    (``residents.selectors``). Accepted, it points at the case it became (one of the three).
    """

    scope_field = "community"
    scope_view_cap = Cap.RELIEF_VIEW
    division_follow = {"community": Q(status="submitted")}  # waiting to be accepted: the new community's staff
    state_machine = APPLICATION_MACHINE

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    resident = models.ForeignKey(
        Resident, verbose_name=_("resident"), on_delete=models.PROTECT, related_name="applications"
    )
    kind = models.CharField(_("scheme"), max_length=20, choices=Scheme.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED
    )
    applicant_id_number = models.CharField(_("applicant's ID number"), max_length=18)
    applicant_name = models.CharField(pgettext_lazy("person", "applicant"), max_length=50)
    community = models.ForeignKey(Division, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+")
    address = models.CharField(_("address"), max_length=200)
    area_type = models.CharField(_("urban or rural"), max_length=8, choices=AreaType.choices)
    members = models.JSONField(_("members"), default=list)  # [{"id_number", "name", "relationship"}]
    monthly_income = models.DecimalField(_("household monthly income"), max_digits=12, decimal_places=2)
    reason = models.TextField(_("reason"))
    amount = models.DecimalField(_("amount asked"), max_digits=12, decimal_places=2, null=True, blank=True)
    authorized_at = models.DateTimeField(
        _("economic-situation check authorized at"),
        null=True,
        blank=True,
        help_text=_("When the applicant signed the authorization to check the family's economic situation."),
    )
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    dibao_case = models.OneToOneField(
        DibaoCase, verbose_name=_("dibao case"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    tekun_case = models.OneToOneField(
        TekunCase, verbose_name=_("tekun case"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    relief_claim = models.OneToOneField(
        TemporaryReliefClaim,
        verbose_name=_("temporary relief claim"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted or declined by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("accepted or declined at"), null=True, blank=True)
    decline_reason = models.TextField(_("reason for not accepting"), blank=True)

    class Meta:
        verbose_name = _("online application")
        verbose_name_plural = _("online applications")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["community", "status"], name="onlineapp_community_status"),
            models.Index(fields=["resident", "submitted_at"], name="onlineapp_resident"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="temporary_relief", amount__isnull=False) | ~models.Q(kind="temporary_relief"),
                name="onlineapp_relief_has_amount",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="declined") | ~models.Q(decline_reason=""),
                name="onlineapp_declined_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.get_kind_display()}"

    @property
    def case(self):
        return self.dibao_case or self.tekun_case or self.relief_claim

    def status_label(self) -> str:
        return self.state_machine.state_label(self.status)

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

import pgtrigger
from django.db import models
from django.utils.translation import gettext_lazy as _


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

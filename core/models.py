from __future__ import annotations

import pghistory
import pgtrigger
from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken

from core.roles import Cap, Role

# Division codes are compared by prefix (a sub-district's code begins with its district's).
# The "C" collation lets the primary-key B-tree answer ``LIKE '370202%'`` directly, and
# Django carries the collation to every foreign key that points here.
CODE_COLLATION = "C"


class DivisionLevel(models.TextChoices):
    CITY = "city", _("City")
    DISTRICT = "district", _("District")
    SUBDISTRICT = "subdistrict", _("Sub-district")
    COMMUNITY = "community", _("Community")


class DivisionKind(models.TextChoices):
    CITY = "city", _("City")
    DISTRICT = "district", _("District")  # 区
    COUNTY_CITY = "county_city", _("County-level city")  # 县级市
    SUBDISTRICT = "subdistrict", _("Sub-district")  # 街道
    TOWN = "town", _("Town")  # 镇
    COMMUNITY = "community", _("Community")  # 社区
    VILLAGE = "village", _("Village")  # 村


CODE_LENGTH = {
    DivisionLevel.CITY: 6,
    DivisionLevel.DISTRICT: 6,
    DivisionLevel.SUBDISTRICT: 9,
    DivisionLevel.COMMUNITY: 12,
}


@pghistory.track()
class Division(models.Model):
    """An administrative division (GB/T 2260 and the statistical codes below it).

    A division that changes (a town becomes a sub-district, a rename) keeps its row; the
    change is kept in its history. One that is abolished is marked inactive, with the
    division that took it over in ``successor``: records made under it stay valid.
    """

    scope_field = None  # public reference data (GB/T 2260): the same for every signed-in user

    code = models.CharField(_("code"), max_length=12, primary_key=True, db_collation=CODE_COLLATION)
    name = models.CharField(_("name"), max_length=60)
    level = models.CharField(_("level"), max_length=12, choices=DivisionLevel.choices)
    kind = models.CharField(_("kind"), max_length=12, choices=DivisionKind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    active = models.BooleanField(_("active"), default=True)
    successor = models.ForeignKey(
        "self", verbose_name=_("successor"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    demo_name = models.BooleanField(
        _("demo name"), default=False, help_text=_("The name is invented for demonstration, not the real one.")
    )

    class Meta:
        verbose_name = _("division")
        verbose_name_plural = _("divisions")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level="city", code__regex=r"^[0-9]{6}$")
                | models.Q(level="district", code__regex=r"^[0-9]{6}$")
                | models.Q(level="subdistrict", code__regex=r"^[0-9]{9}$")
                | models.Q(level="community", code__regex=r"^[0-9]{12}$"),
                name="division_code_length_matches_level",
            ),
        ]
        indexes = [models.Index(fields=["level", "parent"], name="division_level_parent")]

    def __str__(self) -> str:
        return self.name

    @property
    def full_name(self) -> str:
        parts = []
        node: Division | None = self
        while node is not None and node.level != DivisionLevel.CITY:
            parts.append(node.name)
            node = node.parent
        return " ".join(reversed(parts))


class DivisionChangeKind(models.TextChoices):
    TOWN_TO_SUBDISTRICT = "town_to_subdistrict", _("A town becomes a sub-district")  # 撤镇设街道
    MOVE_COMMUNITIES = "move_communities", _("Communities move to another sub-district")


class DivisionChangeStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    APPLIED = "applied", _("In force")


@pghistory.track()
class DivisionChange(models.Model):
    """A change of the divisions entered once by an administrator, in force from ``effective_on``.

    Applied (``core.services.division_change_apply``) on its effective date: a division whose code
    changes gets a new row under its new parent, the old row is marked inactive with the new one as
    its ``successor``, and what is *current* follows the new code (the models that say so with
    ``division_follow``: people, households, open warnings…); what is *history* keeps the code it
    was written under (payout lines, the dashboard's months, case events). ``mapping`` records the
    codes moved, ``[[old, new], …]``. ``staff_follow``: staff accounts of a changed division move
    with it (they keep their access); otherwise they stay on the old, inactive division and lose it.
    """

    scope_field = None  # the city's divisions: administrators enter and read them
    scope_view_cap = Cap.DIVISIONS_CHANGE

    kind = models.CharField(_("kind of change"), max_length=24, choices=DivisionChangeKind.choices)
    effective_on = models.DateField(_("in force from"))
    status = models.CharField(
        _("status"), max_length=10, choices=DivisionChangeStatus.choices, default=DivisionChangeStatus.SCHEDULED
    )
    division = models.ForeignKey(
        Division,
        verbose_name=_("town"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text=_("The town that becomes a sub-district."),
    )
    new_code = models.CharField(_("new code"), max_length=12, blank=True, db_collation=CODE_COLLATION)
    new_name = models.CharField(_("new name"), max_length=60, blank=True)
    target = models.ForeignKey(
        Division,
        verbose_name=_("new sub-district"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text=_("The sub-district the communities move to."),
    )
    communities = ArrayField(models.CharField(max_length=12), verbose_name=_("communities"), default=list, blank=True)
    staff_follow = models.BooleanField(
        _("staff keep their access"),
        default=True,
        help_text=_("Staff of a changed division move with it; otherwise they lose access to it."),
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    mapping = models.JSONField(_("codes moved"), default=list, blank=True, editable=False)
    created_by = models.ForeignKey(
        "core.User", verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)

    class Meta:
        verbose_name = _("division change")
        verbose_name_plural = _("division changes")
        ordering = ["-effective_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="town_to_subdistrict", division__isnull=False)
                | models.Q(kind="move_communities", target__isnull=False),
                name="division_change_has_its_subject",
            ),
        ]
        indexes = [models.Index(fields=["status", "effective_on"], name="division_change_due")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.effective_on:%Y-%m-%d}"


class StaffManager(UserManager):
    def get_queryset(self):
        return super().get_queryset().select_related("division")


@pghistory.track(exclude=["password", "last_login"])
class User(AbstractUser):
    """A member of staff: one role and one division each.

    Staff accounts are listed to those who grant roles (administrator, security officer), by
    the division the account belongs to (both roles work city-wide).
    """

    scope_field = "division"
    scope_view_cap = Cap.ROLES_GRANT

    role = models.CharField(_("role"), max_length=24, choices=Role.choices)
    division = models.ForeignKey(Division, verbose_name=_("division"), on_delete=models.PROTECT, related_name="staff")
    must_change_password = models.BooleanField(_("must change password"), default=False)
    # Raised when a lockout is lifted: with the password, the role and the account's status it
    # makes the credentials fingerprint that every session and API token of the account holds.
    auth_epoch = models.PositiveIntegerField(_("credentials generation"), default=0, editable=False)

    objects = StaffManager()

    REQUIRED_FIELDS = ["email"]

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff members")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    # The admin site's permissions are capabilities (core.adminaccess); nobody is a superuser.
    def has_perm(self, perm, obj=None) -> bool:
        from core.adminaccess import has_admin_perm

        return self.is_active and has_admin_perm(self, perm)

    def has_perms(self, perm_list, obj=None) -> bool:
        return all(self.has_perm(perm, obj) for perm in perm_list)

    def has_module_perms(self, app_label) -> bool:
        from core.adminaccess import has_admin_module_perms

        return self.is_active and has_admin_module_perms(self, app_label)

    def _get_session_auth_hash(self, secret=None):
        """Django keeps this in each session and refuses a session whose hash no longer matches;
        the API's tokens keep it too (``core.tokens``). Django hashes the password alone; here a
        change of role, a deactivation and a lifted lockout also end every session and token."""
        from django.utils.crypto import salted_hmac

        credentials = f"{self.password}|{self.role}|{int(self.is_active)}|{self.auth_epoch}"
        return salted_hmac("core.User.credentials", credentials, secret=secret, algorithm="sha256").hexdigest()


class ApiToken(AbstractAuthToken):
    """An API token (django-rest-knox: only its hash is stored, it expires after ``REST_KNOX``'s
    ``TOKEN_TTL``), with the account's credentials fingerprint when it was issued: a password
    change, a role change, a deactivation or a lifted lockout ends it (``core.tokens``)."""

    fingerprint = models.CharField(_("credentials fingerprint"), max_length=64)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")


class RevealLog(models.Model):
    """Every look at a full ID number or bank account: who, whose, which field, why, when.

    Append-only: the database refuses UPDATE and DELETE (a trigger, ``pgtrigger.Protect``).
    """

    scope_field = None  # not geographic: auditors read all of it
    scope_view_cap = Cap.AUDIT_VIEW

    actor = models.ForeignKey(User, verbose_name=_("actor"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    model = models.CharField(_("record type"), max_length=60)
    object_id = models.CharField(_("record"), max_length=40)
    field = models.CharField(_("field"), max_length=40)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("reveal log entry")
        verbose_name_plural = _("reveal log")
        indexes = [models.Index(fields=["model", "object_id"], name="reveallog_record")]
        triggers = [pgtrigger.Protect(name="reveallog_append_only", operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.actor} {self.model}#{self.object_id}.{self.field}"


class SecurityEventKind(models.TextChoices):
    LOGIN = "login", _("Logged in")
    LOGOUT = "logout", _("Logged out")
    LOGIN_FAILED = "login_failed", _("Failed login")
    LOCKED_OUT = "locked_out", _("Locked out after repeated failures")
    LOGIN_REFUSED = "login_refused", _("Login refused: locked out")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    PASSWORD_SET = "password_set", _("Password set for the account by someone else")
    ROLE_CHANGED = "role_changed", _("Role changed")
    ROLE_CHANGE_REFUSED = "role_change_refused", _("Role change refused")
    SESSION_EXPIRED = "session_expired", _("Session ended: absolute lifetime reached")
    UNLOCKED = "unlocked", _("Lockout lifted by a security officer")
    AUDIT_VERIFIED = "audit_verified", _("Audit trail checked: intact")
    AUDIT_BROKEN = "audit_broken", _("Audit trail checked: tampering found")


class SecurityEvent(models.Model):
    """The security log: logins, failures, lockouts, password and role changes.

    Append-only like the reveal log: the database refuses UPDATE and DELETE. ``username`` is
    what was typed (a failed login may name no account); ``user`` the account when known.
    """

    scope_field = None
    scope_view_cap = Cap.SECURITY_LOG_VIEW

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    kind = models.CharField(_("event"), max_length=24, choices=SecurityEventKind.choices)
    username = models.CharField(_("username"), max_length=150, blank=True)
    user = models.ForeignKey(
        User, verbose_name=_("account"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(
        User, verbose_name=_("actor"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    path = models.CharField(_("path"), max_length=200, blank=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("security log entry")
        verbose_name_plural = _("security log")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["username", "at"], name="securityevent_username"),
            models.Index(fields=["kind", "at"], name="securityevent_kind"),
        ]
        triggers = [pgtrigger.Protect(name="securityevent_append_only", operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.kind} {self.username}"


class AuditSeal(models.Model):
    """One link of an audit table's chain: the rows one transaction added to it (core/auditchain.py).

    Written only by the database (the chain's commit-time trigger, as the owner); append-only.
    """

    scope_field = None
    scope_view_cap = Cap.AUDIT_VIEW

    table_name = models.CharField(_("table"), max_length=63)
    seq = models.BigIntegerField(_("link"))
    batch = models.UUIDField(_("batch"))
    row_count = models.BigIntegerField(_("rows"))
    digest = models.CharField(_("digest"), max_length=64)
    columns = ArrayField(models.TextField(), verbose_name=_("columns"))
    hash = models.CharField(_("hash"), max_length=64)
    at = models.DateTimeField(_("sealed at"))

    class Meta:
        verbose_name = _("audit chain link")
        verbose_name_plural = _("audit chain links")
        constraints = [models.UniqueConstraint(fields=["table_name", "seq"], name="auditseal_table_seq")]
        indexes = [models.Index(fields=["table_name", "batch"], name="auditseal_table_batch")]

    def __str__(self) -> str:
        return f"{self.table_name} #{self.seq}"


class AuditChainHead(models.Model):
    """The last link of each audit table's chain (updated only by the sealing trigger)."""

    table_name = models.CharField(_("table"), max_length=63, primary_key=True)
    seq = models.BigIntegerField(_("link"))
    hash = models.CharField(_("hash"), max_length=64)

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain heads")

    def __str__(self) -> str:
        return f"{self.table_name} #{self.seq}"


class AuditCheck(models.Model):
    """One run of ``audit_verify``: what it checked and what it found. Append-only and chained itself."""

    scope_field = None
    scope_view_cap = Cap.AUDIT_VIEW

    at = models.DateTimeField(_("checked at"), auto_now_add=True, db_index=True)
    ok = models.BooleanField(_("intact"))
    tables = models.IntegerField(_("tables"))
    rows = models.BigIntegerField(_("rows"))
    links = models.BigIntegerField(_("links"))
    findings = models.JSONField(_("findings"), default=list)
    heads = models.JSONField(_("chain heads"), default=dict)

    class Meta:
        verbose_name = _("audit trail check")
        verbose_name_plural = _("audit trail checks")
        ordering = ["-at", "-id"]
        triggers = [pgtrigger.Protect(name="auditcheck_append_only", operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {'ok' if self.ok else 'broken'}"


class WorkerBeat(models.Model):
    """A Celery worker's sign of life (``core.jobs``): it rewrites its row every sweep and removes it on stopping."""

    name = models.CharField(_("worker"), max_length=200, unique=True)
    seen_at = models.DateTimeField(_("last seen"))
    expires_at = models.DateTimeField(_("counts as alive until"))

    class Meta:
        verbose_name = _("worker sign of life")
        verbose_name_plural = _("worker signs of life")

    def __str__(self) -> str:
        return self.name


# The case timeline shared by relief and welfare lives in core/cases.py; imported here so
# Django registers it with the core app.
from core.cases import CaseEvent  # noqa: E402, F401

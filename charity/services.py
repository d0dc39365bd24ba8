"""Every write of charity: donations, their uses, and the volunteer counts of the platform's extract."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from charity.models import Donation, DonationKind, DonationUse, DonorType
from core.audit import audit_context
from core.cases import local_today
from core.errors import Conflict, InvalidInput
from core.idnumbers import mask_phone
from core.models import User
from core.money import money_str, parse_money
from core.permissions import require_can
from core.scoping import get_in_scope


def _text(value: str | None, limit: int, field: str, *, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput(_("This field is required."), field=field)
    if len(value) > limit:
        raise InvalidInput(
            _("At most %(limit)d characters (this has %(count)d).") % {"limit": limit, "count": len(value)},
            field=field,
        )
    return value


def _day(value: datetime.date | None, field: str, today: datetime.date) -> datetime.date:
    if value is None:
        raise InvalidInput(_("This field is required."), field=field)
    if value > today:
        raise InvalidInput(_("The date cannot be in the future."), field=field)
    return value


def _phone(value: str) -> str:
    value = (value or "").strip().replace(" ", "").replace("-", "")
    if value and not (value.isdigit() and 7 <= len(value) <= 15):
        raise InvalidInput(_("Give a phone number of digits only."), field="donor_phone")
    return value


@transaction.atomic
def donation_record(
    *,
    actor: User,
    donor: str,
    recipient_org,
    kind: str,
    custodian: str,
    received_on: datetime.date | None,
    amount=None,
    items: str = "",
    quantity: int | None = None,
    unit: str = "",
    purpose: str = "",
    donor_type: str = DonorType.PERSON,
    donor_phone: str = "",
    anonymous: bool = False,
    today: datetime.date | None = None,
) -> Donation:
    """Record a donation received by a registered social organization (money: an amount; goods: the items,
    with a quantity and/or a value when known, against which their uses are then counted)."""
    require_can(actor, "create", Donation)
    from social_orgs.models import OrgStatus, SocialOrg

    today = today or local_today()
    pk = recipient_org.pk if isinstance(recipient_org, SocialOrg) else recipient_org
    try:
        org = get_in_scope(SocialOrg.objects.all(), actor, pk=pk)
    except Exception:  # noqa: BLE001 - not found or outside the area: the same field error
        raise InvalidInput(_("Choose a registered organization inside your area."), field="recipient_org") from None
    if org.status != OrgStatus.REGISTERED:
        raise Conflict(
            _("%(name)s is no longer registered and cannot receive donations.") % {"name": org.name},
            code="org_not_registered",
        )
    if kind not in DonationKind.values:
        raise InvalidInput(_("Choose money or goods."), field="kind")
    if donor_type not in DonorType.values:
        raise InvalidInput(_("Choose who the donor is."), field="donor_type")
    value = None if amount in (None, "") else parse_money(amount, field="amount", allow_zero=False)
    items = _text(items, 500, "items")
    if kind == DonationKind.MONEY:
        if value is None:
            raise InvalidInput(_("Give the amount of money donated."), field="amount")
        if items or quantity is not None:
            raise InvalidInput(_("A donation of money lists no goods."), field="items")
    else:
        if not items:
            raise InvalidInput(_("Describe the goods donated."), field="items")
        if quantity is not None and quantity < 1:
            raise InvalidInput(_("Give a quantity of at least 1."), field="quantity")
    donation = Donation(
        donor=_text(donor, 100, "donor", required=True),
        donor_type=donor_type,
        phone=_phone(donor_phone),
        anonymous=bool(anonymous),
        recipient_org=org,
        division_id=org.division_id,
        kind=kind,
        amount=value,
        items=items,
        quantity=quantity if kind == DonationKind.GOODS else None,
        unit=_text(unit, 10, "unit") if kind == DonationKind.GOODS else "",
        custodian=_text(custodian, 100, "custodian", required=True),
        received_on=_day(received_on, "received_on", today),
        purpose=_text(purpose, 500, "purpose"),
        created_by=actor,
    )
    with audit_context(actor, via="charity"):
        donation.save()
    return donation


def _over(donation: Donation, *, amount: Decimal | None, quantity: int | None) -> Conflict:
    if amount is not None:
        message = _("Only %(left)s of this donation is left; %(asked)s cannot be used.") % {
            "left": money_str(donation.remaining_amount),
            "asked": money_str(amount),
        }
    else:
        message = _("Only %(left)d of these goods are left; %(asked)d cannot be used.") % {
            "left": donation.remaining_quantity,
            "asked": quantity,
        }
    return Conflict(message, code="exceeds_donation")


@transaction.atomic
def use_record(
    *,
    actor: User,
    donation: Donation | int,
    used_on: datetime.date | None,
    purpose: str,
    amount=None,
    quantity: int | None = None,
    beneficiary: str = "",
    today: datetime.date | None = None,
) -> DonationUse:
    """Record a use of a donation. Never more than was given: 409 ``exceeds_donation``, nothing written.

    The donation row is locked for the check and the running total is raised in the same
    statement the check constraint guards, so two uses recorded at once cannot both pass.
    """
    pk = donation.pk if isinstance(donation, Donation) else donation
    donation = get_in_scope(Donation.objects.select_for_update(), actor, pk=pk)
    require_can(actor, "use", donation)
    today = today or local_today()
    used_on = _day(used_on, "used_on", today)
    if used_on < donation.received_on:
        raise InvalidInput(_("A donation cannot be used before it was received."), field="used_on")
    value = None if amount in (None, "") else parse_money(amount, field="amount", allow_zero=False)
    if donation.amount is None and value is not None:
        raise InvalidInput(_("These goods were given without a value; give the quantity used."), field="amount")
    if donation.kind == DonationKind.MONEY and value is None:
        raise InvalidInput(_("Give the amount used."), field="amount")
    if donation.quantity is not None and quantity is None and value is None:
        raise InvalidInput(_("Give the quantity used."), field="quantity")
    if quantity is not None and (donation.quantity is None or quantity < 1):
        raise InvalidInput(_("Give the quantity only for goods counted when received."), field="quantity")
    if value is not None and value > donation.remaining_amount:
        raise _over(donation, amount=value, quantity=None)
    if quantity is not None and quantity > donation.remaining_quantity:
        raise _over(donation, amount=None, quantity=quantity)
    use = DonationUse(
        donation=donation,
        used_on=used_on,
        purpose=_text(purpose, 500, "purpose", required=True),
        beneficiary=_text(beneficiary, 200, "beneficiary"),
        amount=value,
        quantity=quantity,
        recorded_by=actor,
    )
    try:
        with transaction.atomic(), audit_context(actor, via="charity"):
            use.save()
            Donation.objects.filter(pk=donation.pk).update(
                used_amount=F("used_amount") + (value or 0), used_quantity=F("used_quantity") + (quantity or 0)
            )
    except IntegrityError:  # the constraint decided: another use took what was left
        donation.refresh_from_db()
        raise _over(donation, amount=value, quantity=quantity) from None
    donation.refresh_from_db()
    return use


def masked_phone(donation: Donation) -> str:
    return mask_phone(donation.phone) if donation.phone else ""

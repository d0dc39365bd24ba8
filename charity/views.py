"""Browser pages of charity: donations and their uses, the public disclosure, the volunteer counts."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from charity import selectors, services
from charity.forms import DonationForm, UseForm
from charity.models import Donation, DonationKind
from core import permissions
from core.errors import DomainError
from core.exports import export_response, wants_export
from core.history import rows_for
from core.pages import require_cap
from core.pagination import paginate
from core.roles import Cap, has_cap

PAGE_SIZE = 25

DONATION_COLUMNS = [
    (gettext_lazy("Received on"), lambda d: d.received_on),
    (gettext_lazy("Donor"), lambda d: d.donor),
    (gettext_lazy("Recipient organization"), lambda d: d.recipient_org.name),
    (gettext_lazy("Money or goods"), lambda d: d.get_kind_display()),
    (gettext_lazy("Amount (CNY)"), lambda d: d.amount),
    (gettext_lazy("Goods"), lambda d: d.items),
    (gettext_lazy("Quantity"), lambda d: d.quantity),
    (gettext_lazy("Custodian"), lambda d: d.custodian),
    (gettext_lazy("Purpose"), lambda d: d.purpose),
    (gettext_lazy("Amount used (CNY)"), lambda d: d.used_amount),
    (gettext_lazy("Quantity used"), lambda d: d.used_quantity if d.quantity is not None else None),
]


def _orgs_for(user):
    from social_orgs.selectors import org_list

    return org_list(user=user, status="registered").order_by("name")[:500]


@login_required
def donation_list(request):
    require_cap(request, Cap.CHARITY_VIEW)
    filters = {k: request.GET.get(k, "").strip() for k in ("q", "kind")}
    donations = selectors.donation_list(user=request.user, **filters)
    if wants_export(request):
        return export_response(request, donations, DONATION_COLUMNS, name="donations", title=_("Donations"))
    return render(
        request,
        "charity/donation_list.html",
        {
            "page": paginate(request, donations),
            "filters": filters,
            "kinds": DonationKind.choices,
            "can_create": permissions.can(request.user, "create", Donation),
        },
    )


@login_required
def donation_create(request):
    require_cap(request, Cap.CHARITY_EDIT)
    form = DonationForm(request.POST or None, orgs=_orgs_for(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            donation = services.donation_record(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            messages.success(request, _("The donation is recorded."))
            return redirect("charity:donation-detail", pk=donation.pk)
    return render(request, "charity/form.html", {"form": form, "title": _("Record a donation")})


@login_required
def donation_detail(request, pk: int):
    require_cap(request, Cap.CHARITY_VIEW)
    donation = selectors.donation_get(user=request.user, pk=pk)
    return render(
        request,
        "charity/donation_detail.html",
        {
            "donation": donation,
            "phone": services.masked_phone(donation),
            "uses": selectors.use_list(user=request.user, donation=donation),
            "use_form": UseForm() if permissions.can(request.user, "use", donation) else None,
            "history": rows_for(donation),
        },
    )


@login_required
@require_POST
def use_create(request, pk: int):
    require_cap(request, Cap.CHARITY_EDIT)
    donation = selectors.donation_get(user=request.user, pk=pk)
    form = UseForm(request.POST)
    if form.is_valid():
        try:
            services.use_record(actor=request.user, donation=donation, **form.cleaned_data)
        except DomainError as exc:
            if exc.status_code == 403:
                raise
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("The use is recorded."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("charity:donation-detail", pk=pk)


@login_required
def disclosure(request):
    """The public list, as the bureau publishes it (every signed-in user may read it)."""
    kind = request.GET.get("kind", "").strip()
    donations = selectors.disclosure_list(user=request.user, kind=kind)
    return render(
        request,
        "charity/disclosure.html",
        {
            "page": paginate(request, donations),
            "kind": kind,
            "kinds": DonationKind.choices,
            "show_donations": has_cap(request.user, Cap.CHARITY_VIEW),
        },
    )


@login_required
def volunteers(request):
    require_cap(request, Cap.DASHBOARD_VIEW)
    counts = list(selectors.volunteer_counts(user=request.user))
    return render(
        request,
        "charity/volunteers.html",
        {
            "counts": counts,
            "total": sum(c.registered for c in counts),
            "can_import": has_cap(request.user, Cap.IMPORT_DATA),
        },
    )

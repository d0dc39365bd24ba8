"""Marriage and divorce registrations in the header's search (``core.search``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from core import search
from marriage import selectors


def _subtitle(r) -> str:
    return " · ".join(
        filter(None, [r.office.name, (r.registered_on or r.applied_on).isoformat(), r.certificate_number])
    )


@search.searcher("marriage", gettext_lazy("Marriage registrations"), order=40)
def registrations(user, q: str, limit: int) -> list[search.Result]:
    """A fragment of either party's name, an ID number (or its end), or a certificate number."""
    return search.results(
        "marriage",
        selectors.registration_list(user=user, q=q)[:limit],
        title=lambda r: f"{r.get_kind_display()} · {r.party_a.name} · {r.party_b.name}",
        subtitle=_subtitle,
        url_name="marriage:registration-detail",
    )

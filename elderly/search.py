"""Elderly-care centres in the header's search (``core.search``): a keyword of the centre's name."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from core import search
from elderly import selectors


@search.searcher("elderly_centre", gettext_lazy("Elderly-care centres"), order=40)
def elderly_centres(user, q: str, limit: int) -> list[search.Result]:
    return search.results(
        "elderly_centre",
        selectors.centre_list(user=user, q=q)[:limit],
        title=lambda c: c.name,
        subtitle=lambda c: f"{c.subdistrict.name} · {c.get_status_display()}",
        url_name="elderly:centre-detail",
    )

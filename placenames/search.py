"""Roads in the header's search (``core.search``); imported by ``PlacenamesConfig.ready``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from core import search
from placenames import selectors


@search.searcher("road", gettext_lazy("Roads"), order=50)
def roads(user, q: str, limit: int) -> list[search.Result]:
    """A keyword of the road's name (or its pinyin)."""
    return search.results(
        "road",
        selectors.road_list(user=user, q=q)[:limit],
        title=lambda r: r.name,
        subtitle=lambda r: f"{r.district.name} · {r.get_road_type_display()}",
        url_name="placenames:road-detail",
    )

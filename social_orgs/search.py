"""Social organizations and community organizations in the header's search (``core.search``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from core import search
from social_orgs import selectors


@search.searcher("social_org", gettext_lazy("Social organizations"), order=30)
def social_orgs(user, q: str, limit: int) -> list[search.Result]:
    """A keyword of the name (海洋 finds 青岛市海洋经济促进会) or the credit code (not personal: shown whole)."""
    return search.results(
        "social_org",
        selectors.org_list(user=user, q=q)[:limit],
        title=lambda o: o.name,
        subtitle=lambda o: f"{o.get_org_type_display()} · {o.get_status_display()} · {o.credit_code}",
        url_name="social_orgs:org-detail",
    )


@search.searcher("community_org", gettext_lazy("Community organizations"), order=31)
def community_orgs(user, q: str, limit: int) -> list[search.Result]:
    return search.results(
        "community_org",
        selectors.community_org_list(user=user, q=q)[:limit],
        title=lambda o: o.name,
        subtitle=lambda o: " · ".join(
            filter(None, [o.community.parent.name if o.community.parent_id else "", o.community.name])
        ),
        url_name="social_orgs:community-detail",
    )

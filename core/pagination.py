"""Pagination for browser lists over very large tables.

An exact ``COUNT(*)`` over a million rows costs more than the page itself. Lists count up
to ``CAP`` rows (``SELECT count(*) FROM (… LIMIT CAP + 1)``); past that the page says
"more than 10,000" and the last-page link goes away. Narrow the search to page further.
"""

from __future__ import annotations

from functools import cached_property

from django.core.paginator import Paginator
from django.db.models import QuerySet

CAP = 10_000


class CappedPaginator(Paginator):
    cap = CAP

    @cached_property
    def count(self) -> int:
        head = self.object_list[: self.cap + 1]
        # A queryset counts in SQL (``LIMIT cap + 1``); a list a page has already built, by its length.
        return head.count() if isinstance(head, QuerySet) else len(head)

    @property
    def capped(self) -> bool:
        return self.count > self.cap


def paginate(request, queryset, per_page: int = 25):
    return CappedPaginator(queryset, per_page).get_page(request.GET.get("page"))

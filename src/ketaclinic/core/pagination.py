"""Page-number pagination shared by pages and the API, with a capped count (at most two queries).

Counting every matching row on every page is what made registry-scale lists slow: a
`COUNT(*)` visits all of them. `paginate` instead counts at most `COUNT_CAP` rows (or up to
the page asked for, if further), which an index answers as fast as the page itself, and
says whether that count is the whole list:

- `counted` / `count_is_exact`: the number of rows counted; exact when `count_is_exact`,
  otherwise a lower bound ("1,000+": there are more).
- `counted_pages`: the pages those rows fill (plus one when there are more), so "Next"
  is right on every page.
- `count_text`: what a page shows, e.g. "25" or "1,000+".

`count` and `pages` keep their old meaning (the exact totals) for lists that still read
them: they cost a full count only when the list is longer than the cap, and only if read.
A list at registry scale shows `count_text` instead.
"""

from dataclasses import dataclass, field
from math import ceil

PER_PAGE = 25
# Counting stops here: beyond it a page says "1,000+" instead of an exact total.
COUNT_CAP = 1000
# The highest page number read: far past any real list (2.5 million rows at 25 a page), and an
# offset every database holds. A higher number shows the last page, like any page past the end.
MAX_PAGE = 100_000


@dataclass
class PageOf:
    items: list
    page: int
    per_page: int
    counted: int
    count_is_exact: bool
    queryset: object = field(default=None, repr=False)
    _count: int | None = field(default=None, repr=False)

    @property
    def counted_pages(self) -> int:
        """Pages known to exist: all of them when the count is exact, else a lower bound."""
        known = self.counted if self.count_is_exact else self.counted + 1
        return max(1, ceil(known / self.per_page))

    @property
    def count_text(self) -> str:
        return f"{self.counted:,}" if self.count_is_exact else f"{self.counted:,}+"

    @property
    def count(self) -> int:
        """The exact number of rows: a full count when there are more than the cap."""
        if self._count is None:
            self._count = self.counted if self.count_is_exact else self.queryset.count()
        return self._count

    @property
    def pages(self) -> int:
        """The exact number of pages (see `count`)."""
        return max(1, ceil(self.count / self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.counted_pages


def page_number(value) -> int:
    """The page asked for: a whole number from 1 to MAX_PAGE (a higher one is MAX_PAGE, which
    shows the last page), anything else is the first page."""
    try:
        number = int(str(value).strip()) if value not in (None, "") else 1
    except ValueError:
        return 1
    return min(max(1, number), MAX_PAGE)


def paginate(queryset, page, per_page: int = PER_PAGE, *, count_cap: int = COUNT_CAP) -> PageOf:
    """One page of `queryset` and a count of at most `count_cap` rows (or up to this page).

    The page is read first: a page that is not full and not past the end is the last one, so
    its rows give the exact count and no count is run (one query: most searches by MRN, date
    of birth or a full name). A full page is followed by the capped count. A page past the end
    shows the last page, as before.
    """
    number = page_number(page)
    offset = (number - 1) * per_page
    items = list(queryset[offset : offset + per_page])
    if len(items) < per_page and (items or number == 1):
        return PageOf(
            items=items,
            page=number,
            per_page=per_page,
            counted=offset + len(items),
            count_is_exact=True,
            queryset=queryset,
        )
    # Count far enough to know that this page exists and whether another follows it.
    limit = max(count_cap, number * per_page)
    counted = queryset.order_by()[: limit + 1].count()
    exact = counted <= limit
    counted = min(counted, limit)
    if exact and number > max(1, ceil(counted / per_page)):  # past the end: the last page
        number = max(1, ceil(counted / per_page))
        offset = (number - 1) * per_page
        items = list(queryset[offset : offset + per_page])
    return PageOf(
        items=items,
        page=number,
        per_page=per_page,
        counted=counted,
        count_is_exact=exact,
        queryset=queryset,
    )

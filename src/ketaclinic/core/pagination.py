"""Page-number pagination shared by pages and the API (two queries: count and slice)."""

from dataclasses import dataclass

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator

PER_PAGE = 25


@dataclass
class PageOf:
    items: list
    count: int
    page: int
    pages: int
    per_page: int

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def paginate(queryset, page, per_page: int = PER_PAGE) -> PageOf:
    paginator = Paginator(queryset, per_page)
    try:
        current = paginator.page(page or 1)
    except PageNotAnInteger:
        current = paginator.page(1)
    except EmptyPage:
        current = paginator.page(paginator.num_pages)
    return PageOf(
        items=list(current.object_list),
        count=paginator.count,
        page=current.number,
        pages=paginator.num_pages,
        per_page=per_page,
    )

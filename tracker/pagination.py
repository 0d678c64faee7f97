"""Paging for lists that are not a Flask-SQLAlchemy query (search results, bench floors)."""


class PageNavigation:
    """What the templates' pagination macro reads besides `page` and `pages`,
    as Flask-SQLAlchemy's Pagination names it."""

    page: int
    pages: int

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1

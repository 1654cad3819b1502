"""Pagination that stands still as the site grows.

Most sites number their pages from the newest item, so one new item shifts every item of every
page and the whole listing must be written again: publishing gets slower as the site grows.
Here archive pages are numbered from the oldest item: item number ``seq`` of a listing (its
column or its unit, counted in the order of first publication) is always on page
``(seq - 1) // size + 1``. A new item changes only the last page (and, when it opens a new page,
the one before, whose "newer" link now has somewhere to go). The listing's front page shows
the newest items and links into the archive.

A retracted item leaves a gap on its page rather than pulling every later item back by one,
and a reinstated item returns to the place it had.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Link:
    label: str
    page: int | None  # None: the front page
    rel: str = ""  # "prev" / "next" for the browser, "" for the plain page numbers
    current: bool = False


@dataclass(frozen=True)
class Paging:
    size: int

    def page_of(self, seq: int) -> int:
        return (seq - 1) // self.size + 1

    def seq_range(self, page: int) -> tuple[int, int]:
        """The first and last ``seq`` that page ``page`` holds."""
        return (page - 1) * self.size + 1, page * self.size

    def pages(self, last_seq: int) -> int:
        """How many archive pages a listing whose highest number is ``last_seq`` has."""
        return self.page_of(last_seq) if last_seq > 0 else 0

    def touched_by_new(self, seq: int) -> list[int]:
        """The archive pages to write when item ``seq`` is new: its own page and, when it is the
        first item of a new page, the two pages before it (their pagers now name the new page)."""
        page = self.page_of(seq)
        if seq != self.seq_range(page)[0]:
            return [page]
        return [n for n in (page - 2, page - 1, page) if n >= 1]

    def archive_links(self, page: int, last_page: int) -> list[Link]:
        """The pager of archive page ``page``, newest first: the front page, the newer page, the
        numbers close by, the older page and the first. Only pages within two of the end name
        ``last_page``, so a new page changes the pagers of a bounded number of pages."""
        links = [Link("最新", None),
                 Link("上一页", page + 1 if page < last_page else None, rel="prev")]
        for n in range(min(last_page, page + 2), max(1, page - 2) - 1, -1):
            links.append(Link(str(n), n, current=n == page))
        if page > 1:
            links.append(Link("下一页", page - 1, rel="next"))
            links.append(Link("最早", 1))
        return links

    def front_links(self, last_page: int, oldest_shown: int | None, window: int = 5) -> list[Link]:
        """The pager of the front page: the way on to the items just older than the ones it
        shows, the newest archive pages, and the first."""
        if last_page == 0:
            return []
        links = []
        if oldest_shown is not None and oldest_shown > 1:
            links.append(Link("下一页", self.page_of(oldest_shown - 1), rel="next"))
        newest = list(range(last_page, max(0, last_page - window), -1))
        links.extend(Link(str(n), n) for n in newest)
        if 1 not in newest:
            links.append(Link("最早", 1))
        return links

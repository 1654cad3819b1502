"""Pagination that stands still as the site grows.

Most sites number their pages from the newest item, so one new item shifts every item of every
page and the whole listing must be written again: publishing gets slower as the site grows.
Here archive pages are numbered from the oldest item: item number ``seq`` of a listing (its
column or its unit, numbered in the order of first publication) is always on page
``(seq - 1) // size + 1``. A new item changes its own page only, and when it opens a new page,
the pagers of the few pages nearest the end.

The front page shows the two newest pages together (between ``size + 1`` and ``2 * size``
items), and its "next" link leads to the page after them, so a reader going back in time
never sees an item twice.

A retracted item leaves a gap on its page rather than pulling every later item back by one,
and a reinstated item returns to the place it had.
"""

from __future__ import annotations

from dataclasses import dataclass

FRONT_PAGES = 2  # the newest pages, shown together on the front page
WINDOW = 2  # page numbers shown on either side of the current one


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

    def front_first_seq(self, last_page: int) -> int:
        """The lowest ``seq`` the front page shows."""
        return self.seq_range(max(1, last_page - FRONT_PAGES + 1))[0]

    @staticmethod
    def archived(last_page: int) -> int:
        """The highest page number whose items are not on the front page."""
        return max(0, last_page - FRONT_PAGES)

    def touched_by_new(self, seq: int) -> list[int]:
        """The archive pages to write when item ``seq`` is new: its own page and, when it opens
        a new page, the pages whose pager the new page changes (those nearest the end)."""
        page = self.page_of(seq)
        if seq != self.seq_range(page)[0]:
            return [page]
        reach = FRONT_PAGES + WINDOW  # the pagers that name the pages near the end
        return list(range(max(1, page - reach), page + 1))

    def archive_links(self, page: int, last_page: int) -> list[Link]:
        """The pager of archive page ``page``, newest first: the front page, the newer page,
        the numbers close by, the older page and the first. Numbers go only to pages not shown
        on the front page; the pages that are go to the front page instead."""
        archived = self.archived(last_page)
        newer = page + 1 if page + 1 <= archived else None
        links = [Link("最新", None), Link("上一页", newer, rel="prev")]
        for n in range(min(archived, page + WINDOW), max(1, page - WINDOW) - 1, -1):
            links.append(Link(str(n), n, current=n == page))
        if page > archived:  # one of the pages the front page also shows
            links.insert(2, Link(str(page), page, current=True))
        if page > 1:
            links.append(Link("下一页", page - 1, rel="next"))
            links.append(Link("最早", 1))
        return links

    def front_links(self, last_page: int, window: int = 5) -> list[Link]:
        """The pager of the front page: on to the newest page it does not show, the newest
        numbers, and the first page."""
        archived = self.archived(last_page)
        if archived == 0:
            return []  # the front page shows everything
        links = [Link("下一页", archived, rel="next")]
        numbers = list(range(archived, max(0, archived - window), -1))
        links.extend(Link(str(n), n) for n in numbers)
        if 1 not in numbers:
            links.append(Link("最早", 1))
        return links

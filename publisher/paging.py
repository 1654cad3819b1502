"""Pagination that stands still as the site grows.

Most sites number their pages from the newest item, so one new item shifts every item of every
page and the whole listing must be written again: publishing gets slower as the site grows.
Here archive pages are numbered from the oldest item: item number ``seq`` of a listing (its
column or its unit, numbered in the order of first publication) is always on page
``(seq - 1) // size + 1``. A new item changes its own page only, and when it opens a new page,
the pagers of the few pages nearest the end.

The front page shows the two newest pages together (between ``size + 1`` and ``2 * size``
items), and its "next" link leads to the page after them, so a reader going back in time
never sees an item twice. Those two newest pages are written as pages of their own only once
newer items push them off the front page.

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
        """The highest page number whose items are not on the front page: archive pages 1 to
        this exist, the newer ones are shown by the front page only."""
        return max(0, last_page - FRONT_PAGES)

    def touched_by_new(self, seq: int) -> list[int]:
        """The pages to write when item ``seq`` is new (those not on the front page, see
        :meth:`archived`): its own page and, when it opens a new page, the page that leaves the
        front page and the pages whose pager names the pages near the end."""
        page = self.page_of(seq)
        if seq != self.seq_range(page)[0]:
            return [page]
        reach = FRONT_PAGES + WINDOW
        return list(range(max(1, page - reach), page + 1))

    def archive_links(self, page: int, last_page: int) -> list[Link]:
        """The pager of archive page ``page``, newest first: the front page, the newer page, the
        numbers close by, the older page and the first."""
        archived = self.archived(last_page)
        newer = page + 1 if page + 1 <= archived else None  # else the front page shows it
        links = [Link("最新", None), Link("上一页", newer, rel="prev")]
        for n in range(min(archived, page + WINDOW), max(1, page - WINDOW) - 1, -1):
            links.append(Link(str(n), n, current=n == page))
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

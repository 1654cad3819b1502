"""Archive pages numbered from the oldest item stand still as the listing grows."""

from __future__ import annotations

from publisher.paging import FRONT_PAGES, Link, Paging


def test_an_item_stays_on_the_page_its_number_puts_it_on() -> None:
    paging = Paging(20)
    assert [paging.page_of(seq) for seq in (1, 20, 21, 40, 41)] == [1, 1, 2, 2, 3]
    assert paging.seq_range(3) == (41, 60)
    assert paging.pages(0) == 0 and paging.pages(41) == 3


def test_a_new_item_touches_its_own_page_only_unless_it_opens_one() -> None:
    paging = Paging(20)
    assert paging.touched_by_new(45) == [3]
    assert paging.touched_by_new(1) == [1]
    assert paging.touched_by_new(121) == [3, 4, 5, 6, 7]


def test_every_page_a_new_page_changes_or_pushes_off_the_front_is_written() -> None:
    paging = Paging(3)
    for last_page in range(1, 40):
        new_page = last_page + 1
        before, after = paging.archived(last_page), paging.archived(new_page)
        changed = {page for page in range(1, after + 1)
                   if page > before or
                   paging.archive_links(page, last_page) != paging.archive_links(page, new_page)}
        assert changed <= set(paging.touched_by_new(paging.seq_range(new_page)[0])), last_page


def test_the_number_of_pages_written_does_not_depend_on_the_listing_length() -> None:
    paging = Paging(20)
    written = {len(paging.touched_by_new(seq)) for seq in range(1, 100_000, 7)}
    assert max(written) <= 5


def test_the_front_page_shows_the_two_newest_pages_and_leads_on_to_the_third() -> None:
    paging = Paging(20)
    assert paging.front_first_seq(1) == 1
    assert paging.front_first_seq(2) == 1
    assert paging.front_first_seq(7) == 101  # pages 6 and 7
    assert paging.front_links(2) == []  # everything is on the front page
    links = paging.front_links(12)
    assert links[0] == Link("下一页", 12 - FRONT_PAGES, rel="next")
    assert [link.page for link in links[1:]] == [10, 9, 8, 7, 6, 1]
    assert links[-1].label == "最早"


def test_an_archive_page_links_newer_older_and_both_ends() -> None:
    paging = Paging(20)
    links = paging.archive_links(5, last_page=12)
    assert [(link.label, link.page) for link in links] == [
        ("最新", None), ("上一页", 6), ("7", 7), ("6", 6), ("5", 5), ("4", 4), ("3", 3),
        ("下一页", 4), ("最早", 1)]
    assert [link.current for link in links if link.page == 5 and link.label == "5"] == [True]


def test_the_newest_archive_page_sends_readers_newer_to_the_front_page() -> None:
    paging = Paging(20)
    newest = paging.archive_links(10, last_page=12)
    assert newest[1] == Link("上一页", None, rel="prev")
    assert [link.page for link in newest[2:5]] == [10, 9, 8]  # nothing newer than 10 numbered
    first = paging.archive_links(1, last_page=3)
    assert [link.label for link in first] == ["最新", "上一页", "1"]

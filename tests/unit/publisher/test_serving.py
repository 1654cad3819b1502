"""How a request path becomes a store key, and how revalidation and caching are decided."""

from __future__ import annotations

from publisher import addresses
from publisher.serving import (
    IMMUTABLE_CACHE,
    PAGE_CACHE,
    PHOTO_CACHE,
    cache_control,
    etag_matches,
    site_key,
)


def test_a_folder_is_its_index_and_no_path_escapes_or_reaches_hidden_files() -> None:
    assert site_key("") == "index.html"
    assert site_key("columns/work/") == "columns/work/index.html"
    assert site_key("articles/7.html") == "articles/7.html"
    for bad in ("../secret", "articles/../../x", "photos/.tmp-abc", ".env", "a//b", "./x"):
        assert site_key(bad) is None, bad


def test_if_none_match_uses_the_weak_comparison_and_lists() -> None:
    assert etag_matches('"abc"', '"abc"')
    assert etag_matches('W/"abc"', '"abc"')
    assert etag_matches('"x", "abc"', '"abc"')
    assert etag_matches("*", '"abc"')
    assert not etag_matches('"abcd"', '"abc"')
    assert not etag_matches(None, '"abc"')


def test_pages_are_cached_briefly_and_content_named_objects_for_a_year() -> None:
    assert cache_control("articles/7.html") == PAGE_CACHE
    assert cache_control("feed.atom") == PAGE_CACHE
    assert cache_control("photos/7/abc-0-web.jpg") == PHOTO_CACHE
    assert cache_control(addresses.asset("site", "0123456789ab", ".css")) == IMMUTABLE_CACHE


def test_every_kind_of_object_has_its_content_type() -> None:
    assert addresses.content_type("index.html") == "text/html; charset=utf-8"
    assert addresses.content_type("feed.atom") == "application/atom+xml; charset=utf-8"
    assert addresses.content_type("sitemap.xml") == "application/xml; charset=utf-8"
    assert addresses.content_type("assets/site-1.css") == "text/css; charset=utf-8"
    assert addresses.content_type("photos/1/a-0-web.jpg") == "image/jpeg"
    assert addresses.root_of("columns/work/index.html") == "../../"

"""Where everything lives in the site store, and what type each object is served as.

Keys are also the pages' addresses below the site root. Pages link to each other with relative
links, so the same objects work under ``/site/`` of the API and at the root of a web server
that serves the bucket directly.
"""

from __future__ import annotations

import posixpath

HOME = "index.html"
NOT_FOUND = "404.html"
UNITS = "units/index.html"
SITE_FEED = "feed.atom"
SITEMAP = "sitemap.xml"
SITEMAP_PAGES = "sitemaps/pages.xml"
ROBOTS = "robots.txt"

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".jpg": "image/jpeg",
    ".svg": "image/svg+xml",
}


def article(submission_id: int) -> str:
    return f"articles/{submission_id}.html"


def column(column_id: str, page: int | None = None) -> str:
    """The column's front page (the newest items), or one of its numbered archive pages."""
    return f"columns/{column_id}/index.html" if page is None else \
        f"columns/{column_id}/page-{page}.html"


def column_feed(column_id: str) -> str:
    return f"columns/{column_id}/feed.atom"


def unit(slug: str, page: int | None = None) -> str:
    return f"units/{slug}/index.html" if page is None else f"units/{slug}/page-{page}.html"


def survey_results(survey_id: int) -> str:
    return f"surveys/{survey_id}.html"


def sitemap_block(block: int) -> str:
    return f"sitemaps/articles-{block}.xml"


def photo(submission_id: int, tag: str, index: int, size: str) -> str:
    """A derivative's key. ``tag`` differs for every publication of the item, so a key is
    written once and never changes: it can be cached for long, and taking down one publication
    never deletes the photos of the next."""
    return f"photos/{submission_id}/{tag}-{index}-{size}.jpg"


def asset(stem: str, digest: str, suffix: str) -> str:
    """A stylesheet named by its content: a new one never replaces what old pages link to."""
    return f"assets/{stem}-{digest}{suffix}"


def content_type(key: str) -> str | None:
    return CONTENT_TYPES.get(posixpath.splitext(key)[1].lower())


def root_of(key: str) -> str:
    """The relative way from the page at ``key`` back to the site root: ``""`` or ``"../../"``."""
    return "../" * key.count("/")


def is_immutable(key: str) -> bool:
    """Objects whose key changes whenever their content does."""
    return key.startswith("assets/")

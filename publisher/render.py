"""Rendering the portal's pages, feeds and sitemaps from plain data (no database, no store).

Every page links to the others relatively (see :mod:`publisher.addresses`); feeds, sitemaps and
canonical links are absolute, from the site's public address.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from publisher import addresses
from publisher.paging import Link
from services import sanitise
from services.columns import Column, Columns
from services.sanitise import clean_text, summary

UNIT_KIND_NAMES = {"county": "县（市、区）", "enterprise": "重点企业", "department": "委内部门"}
# the columns of documents, forms and notices (信息公开), after the news columns
DOC_COLUMNS = (("documents", "文件公开"), ("forms", "表格下载"), ("notices", "会议通知"),
               ("features", "专题"))


def body_html(body: str) -> Markup:
    """The article body as safe HTML: the kernel's sanitiser, the one screening reads through."""
    return Markup(sanitise.body_html(body))


@dataclass(frozen=True)
class PhotoView:
    web: str
    thumb: str
    width: int
    height: int
    thumb_width: int
    thumb_height: int
    caption: str = ""

    @classmethod
    def of(cls, photo: dict[str, Any]) -> PhotoView:
        return cls(web=photo["web"], thumb=photo["thumb"], width=photo["width"],
                   height=photo["height"], thumb_width=photo["thumb_width"],
                   thumb_height=photo["thumb_height"],
                   caption=clean_text(photo.get("caption") or ""))


@dataclass(frozen=True)
class UnitView:
    slug: str
    name: str
    kind: str = ""
    site_url: str | None = None

    @property
    def path(self) -> str:
        return addresses.unit(self.slug)

    @property
    def kind_name(self) -> str:
        return UNIT_KIND_NAMES.get(self.kind, "")


@dataclass(frozen=True)
class ItemView:
    """One published item as the templates see it."""

    id: int
    title: str
    column: str
    kind: str
    unit: UnitView
    informant_name: str
    published_at: dt.datetime
    updated_at: dt.datetime
    timezone: str
    body: str = ""
    photos: Sequence[PhotoView] = field(default_factory=tuple)
    column_name: str = ""  # the configured column's name

    @property
    def path(self) -> str:
        return addresses.article(self.id)

    @property
    def local(self) -> dt.datetime:
        return self.published_at.astimezone(ZoneInfo(self.timezone))

    @property
    def date(self) -> str:
        return self.local.strftime("%Y-%m-%d")

    @property
    def date_time(self) -> str:
        return self.local.strftime("%Y-%m-%d %H:%M")

    @property
    def iso(self) -> str:
        return self.local.isoformat(timespec="seconds")

    @property
    def updated_iso(self) -> str:
        return self.updated_at.astimezone(ZoneInfo(self.timezone)).isoformat(timespec="seconds")

    @property
    def cover(self) -> PhotoView | None:
        return self.photos[0] if self.photos else None

    @property
    def summary(self) -> str:
        return summary(self.body) or (self.cover.caption if self.cover else "")

    @property
    def body_html(self) -> Markup:
        return body_html(self.body)


@dataclass(frozen=True)
class Listing:
    """A column or a unit, as a listing of items with a front page and archive pages."""

    kind: str  # "column" or "unit"
    key: str  # the column id or the unit slug
    title: str
    description: str = ""
    unit: UnitView | None = None
    column: Column | None = None  # a column's listing: the column

    def page(self, page: int | None = None) -> str:
        if self.kind == "column":
            return addresses.column(self.key, page)
        return addresses.unit(self.key, page)

    @property
    def feed(self) -> str | None:
        return addresses.column_feed(self.key) if self.kind == "column" else None

    @property
    def gallery(self) -> bool:
        """Shown as pictures rather than a list."""
        return self.column is not None and self.column.gallery

    @property
    def art(self) -> bool:
        """Art works are shown whole, never cropped."""
        return self.column is not None and self.column.whole


@dataclass(frozen=True)
class HomeBlock:
    column: Column
    items: Sequence[ItemView]


class Renderer:
    def __init__(self, site_title: str, site_url: str, footer: Any = None, *,
                 columns: Columns) -> None:
        self.site_title = site_title
        self.columns = columns  # every page's navigation
        self.site_url = site_url  # absolute, ends in "/"
        self.env = Environment(loader=PackageLoader("publisher", "templates"),
                               autoescape=select_autoescape(["html", "xml"]),
                               undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
        self.env.globals.update(site_title=site_title, site_url=site_url, columns=self.columns,
                                footer=footer, doc_columns=DOC_COLUMNS)
        self._css = self._source("site.css").encode("utf-8")
        self.stylesheet_key = addresses.asset(
            "site", hashlib.sha256(self._css).hexdigest()[:12], ".css")

    def _source(self, name: str) -> str:
        loader = self.env.loader
        assert loader is not None
        source, _, _ = loader.get_source(self.env, name)
        return source

    def _page(self, template: str, key: str, root: str | None = None,
              canonical: str | None = None, **context: Any) -> bytes:
        root = addresses.root_of(key) if root is None else root
        canonical = canonical or self.site_url + key.removesuffix("index.html")
        page = self.env.get_template(template).render(
            key=key, root=root, stylesheet=root + self.stylesheet_key, canonical=canonical,
            **context)
        return clean_text(page).encode("utf-8")

    def page(self, template: str, key: str, **context: Any) -> bytes:
        """Any page of the site from ``template``, at ``key`` (for pages other modules own)."""
        return self._page(template, key, **context)

    def stylesheet(self) -> bytes:
        return self._css

    def article(self, item: ItemView, column: Column, older: ItemView | None,
                newer: ItemView | None) -> bytes:
        return self._page("article.html", item.path, item=item, column=column, older=older,
                          newer=newer)

    def listing(self, listing: Listing, items: Sequence[ItemView], links: Sequence[Link],
                page: int | None = None, **extra: Any) -> bytes:
        return self._page("listing.html", listing.page(page), listing=listing, items=items,
                          links=links, page=page, **extra)

    def home(self, lead: ItemView | None, blocks: Sequence[HomeBlock],
             photos: Sequence[ItemView], unit_sites: Sequence[tuple[str, Sequence[UnitView]]],
             **extra: Any) -> bytes:
        return self._page("home.html", addresses.HOME, lead=lead, blocks=blocks, photos=photos,
                          unit_sites=unit_sites, **extra)

    def units(self, groups: Sequence[tuple[str, Sequence[UnitView]]]) -> bytes:
        return self._page("units.html", addresses.UNITS, groups=groups)

    def survey_results(self, key: str, results: dict[str, Any], published: str) -> bytes:
        return self._page("survey_results.html", key, r=results, published=published)

    def letter(self, key: str, **context: Any) -> bytes:
        """A letter of the mailbox and its answer (信箱公开), already cleared of personal data."""
        return self._page("letter.html", key, **context)

    def mailbox(self, key: str, **context: Any) -> bytes:
        return self._page("mailbox.html", key, **context)

    def not_found(self, site_path: str) -> bytes:
        """The 404 page is served at any depth, so it links from the site's absolute path."""
        return self._page("404.html", addresses.NOT_FOUND, root=site_path)

    def feed(self, key: str, title: str, page: str, items: Sequence[ItemView],
             updated: dt.datetime) -> bytes:
        return self._xml("feed.xml", key=key, title=title, page=page, items=items,
                         updated=updated.isoformat(timespec="seconds"))

    def sitemap(self, urls: Sequence[tuple[str, str | None]]) -> bytes:
        """``urls``: (key below the site root, last modification date or None)."""
        return self._xml("sitemap.xml", urls=urls)

    def sitemap_index(self, sitemaps: Sequence[tuple[str, str | None]]) -> bytes:
        return self._xml("sitemap-index.xml", sitemaps=sitemaps)

    def robots(self) -> bytes:
        return f"User-agent: *\nAllow: /\nSitemap: {self.site_url}{addresses.SITEMAP}\n".encode()

    def _xml(self, template: str, **context: Any) -> bytes:
        return clean_text(self.env.get_template(template).render(**context)).encode("utf-8")

"""Writing single pages into the site store, each from what the database says inside the caller's
transaction: an article, a listing's front or archive page, a feed, a sitemap file, the units
page, the home page, and the fixed pages every other page links to.

Which pages to write, and in what order, is :mod:`publisher.site`'s business.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.orm import Session

from publisher import addresses, queries
from publisher.footer import footer_of
from publisher.models import PublishedItem, SitemapBlock
from publisher.paging import Paging
from publisher.render import HomeBlock, ItemView, Listing, PhotoView, Renderer, UnitView
from publisher.writes import ConcurrentWrites
from services.columns import Columns
from services.db import utcnow
from services.identity import Unit, unit_names
from services.sanitise import clean_text
from services.settings import Settings
from services.storage import ObjectStore

HOME_ITEMS = 8  # newest items of each column on the home page
PHOTO_STRIP = 8  # photos in the home page's strip
UNIT_SITE_GROUPS = (("county", "县（市、区）经信局网站"), ("enterprise", "重点企业网站"))
EMPTY_FEED_UPDATED = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
UNIT_GROUPS = (("county", "县（市、区）"), ("enterprise", "重点企业"), ("department", "委内部门"))


@dataclass
class Rendering:
    """What one operation wrote and removed, in order (for logs and tests)."""

    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


class Pages:
    def __init__(self, store: ObjectStore, settings: Settings, columns: Columns) -> None:
        self.store = store
        self.settings = settings
        self.columns = columns
        self.paging = Paging(settings.page_size)
        self.writes = ConcurrentWrites(settings.site_write_threads)
        self._renderer: Renderer | None = None
        # pages other parts of the publisher own that every page links to (the columns of
        # documents, the site map, the features): written with the skeleton, by these
        self.extras: list[Callable[[Session, Rendering], None]] = []
        self.extra_keys: list[str] = []
        self.rebuild_extras: list[Callable[[Session, Rendering], None]] = []  # their own pages
        self.on_new_unit: list[Callable[[Session, Rendering], None]] = []
        # more for the home page and for a listing's page (the features' blocks)
        self.home_extras: list[Callable[[Session], dict[str, Any]]] = []
        self.listing_extras: list[Callable[[Session, Listing], dict[str, Any]]] = []
        # pages elsewhere that list a unit's items (its feature page): told of every change
        self.on_item_changed: list[Callable[[Session, PublishedItem, Rendering], None]] = []

    @property
    def renderer(self) -> Renderer:
        # built on first use: the public address may be settled only once the server listens
        if self._renderer is None:
            self._renderer = Renderer(self.settings.site_title, self.settings.portal_url,
                                      footer_of(self.settings), columns=self.columns)
        return self._renderer

    # --- the store ---------------------------------------------------------------------------

    def put(self, key: str, data: bytes, done: Rendering) -> None:
        self.writes.run(self.store.put_bytes, key, data,
                        addresses.content_type(key) or "application/octet-stream")
        done.written.append(key)

    def delete(self, key: str, done: Rendering) -> None:
        self.store.delete(key)
        done.removed.append(key)

    def exists(self, key: str) -> bool:
        try:
            self.store.stat(key)
        except FileNotFoundError:
            return False
        return True

    # --- views ---------------------------------------------------------------------------------

    @staticmethod
    def units(session: Session) -> dict[str, Unit]:
        return unit_names(session)

    @staticmethod
    def unit_view(slug: str, units: dict[str, Unit]) -> UnitView:
        unit = units.get(slug)
        if unit is None:
            return UnitView(slug=slug, name=slug)
        return UnitView(slug=unit.slug, name=unit.name, kind=unit.kind, site_url=unit.site_url)

    def view(self, item: PublishedItem, units: dict[str, Unit]) -> ItemView:
        return ItemView(
            id=item.submission_id, title=clean_text(item.title), column=item.column,
            kind=item.kind, unit=self.unit_view(item.unit_slug, units),
            informant_name=clean_text(item.informant_name), published_at=item.published_at,
            updated_at=item.updated_at, timezone=self.settings.timezone, body=item.body,
            photos=tuple(PhotoView.of(p) for p in item.photos),
            column_name=self.columns.name_of(item.column))

    def views(self, items: Iterable[PublishedItem], units: dict[str, Unit]) -> list[ItemView]:
        return [self.view(i, units) for i in items]

    def column_listing(self, column_id: str) -> Listing:
        column = self.columns[column_id]
        return Listing("column", column.id, column.name, column.description, column=column)

    def unit_listing(self, slug: str, units: dict[str, Unit]) -> Listing:
        unit = self.unit_view(slug, units)
        return Listing("unit", slug, unit.name, unit=unit)

    # --- pages ---------------------------------------------------------------------------------

    def article(self, session: Session, item: PublishedItem, units: dict[str, Unit],
                done: Rendering) -> None:
        older, newer = queries.neighbours(session, item)
        page = self.renderer.article(
            self.view(item, units), self.columns[item.column],
            self.view(older, units) if older else None, self.view(newer, units) if newer else None)
        self.put(addresses.article(item.submission_id), page, done)

    def front(self, session: Session, listing: Listing, units: dict[str, Unit],
              done: Rendering) -> None:
        """The listing's front page: its two newest archive pages together."""
        last_page = self.paging.pages(queries.last_seq(session, listing))
        items = queries.in_range(session, listing, self.paging.front_first_seq(last_page), None)
        extra: dict[str, Any] = {}
        for hook in self.listing_extras:
            extra.update(hook(session, listing))
        self.put(listing.page(), self.renderer.listing(
            listing, self.views(items, units), self.paging.front_links(last_page), **extra), done)

    def placeholder(self, listing: Listing, done: Rendering) -> None:
        """The listing's front page with nothing on it yet: written before the first article
        that links to it, and written again, whole, once that article is there."""
        self.put(listing.page(), self.renderer.listing(listing, [], []), done)

    def archives(self, session: Session, listing: Listing, pages: Iterable[int],
                 units: dict[str, Unit], done: Rendering) -> None:
        """Archive pages of ``listing``; pages the front page still shows are not written."""
        last_page = self.paging.pages(queries.last_seq(session, listing))
        for page in pages:
            if page > self.paging.archived(last_page):
                continue
            first, last = self.paging.seq_range(page)
            items = queries.in_range(session, listing, first, last)
            links = self.paging.archive_links(page, last_page)
            self.put(listing.page(page), self.renderer.listing(
                listing, self.views(items, units), links, page), done)

    def column_feed(self, session: Session, column_id: str, units: dict[str, Unit],
                    done: Rendering) -> None:
        listing = self.column_listing(column_id)
        items = queries.newest(session, listing, self.settings.feed_entries)
        title = f"{listing.title} - {self.settings.site_title}"
        self._feed(addresses.column_feed(column_id), title, listing.page(), items, units, done)

    def site_feed(self, session: Session, units: dict[str, Unit], done: Rendering) -> None:
        items = queries.latest(session, self.settings.feed_entries)
        self._feed(addresses.SITE_FEED, self.settings.site_title, addresses.HOME, items, units,
                   done)

    def _feed(self, key: str, title: str, page: str, items: Sequence[PublishedItem],
              units: dict[str, Unit], done: Rendering) -> None:
        # an empty feed has not changed in any way a reader can see: it keeps one fixed date,
        # so that writing it again (or rebuilding the site) gives the same feed
        updated = max((i.updated_at for i in items), default=EMPTY_FEED_UPDATED)
        self.put(key, self.renderer.feed(key, title, page, self.views(items, units), updated),
                 done)

    def sitemap_block(self, session: Session, submission_id: int, done: Rendering) -> None:
        """The sitemap file of the block that holds ``submission_id``, then the index."""
        self.sitemap_blocks(session, [submission_id], done)

    def sitemap_blocks(self, session: Session, submission_ids: Iterable[int],
                       done: Rendering) -> None:
        """The sitemap files of the blocks that hold ``submission_ids``, then the index once; a
        block left empty is dropped from the index before its file goes."""
        emptied = []
        for block in sorted({i // queries.SITEMAP_BLOCK for i in submission_ids}):
            rows = queries.sitemap_block(session, block)
            record = session.get(SitemapBlock, block)
            if record is None:
                record = SitemapBlock(block=block, urls=0)
                session.add(record)
            record.urls = len(rows)
            record.lastmod = max((updated for _, updated in rows), default=utcnow())
            session.flush()
            if rows:
                urls = [(addresses.article(i), updated.date().isoformat()) for i, updated in rows]
                self.put(addresses.sitemap_block(block), self.renderer.sitemap(urls), done)
            else:
                emptied.append(block)
        self.sitemap_index(session, done)
        for block in emptied:
            self.delete(addresses.sitemap_block(block), done)

    def sitemap_index(self, session: Session, done: Rendering) -> None:
        blocks = session.scalars(sa.select(SitemapBlock).where(SitemapBlock.urls > 0)
                                 .order_by(SitemapBlock.block)).all()
        entries: list[tuple[str, str | None]] = [(addresses.SITEMAP_PAGES, None)]
        entries += [(addresses.sitemap_block(b.block), b.lastmod.date().isoformat())
                    for b in blocks]
        self.put(addresses.SITEMAP, self.renderer.sitemap_index(entries), done)

    def sitemap_pages(self, session: Session, done: Rendering) -> None:
        keys = [addresses.HOME, addresses.UNITS]
        keys += [addresses.column(c.id) for c in self.columns]
        keys += [addresses.unit(u.slug) for u in queries.units_with_pages(session)]
        urls = [(k.removesuffix("index.html"), None) for k in keys]
        self.put(addresses.SITEMAP_PAGES, self.renderer.sitemap(urls), done)

    def units_index(self, session: Session, done: Rendering) -> None:
        with_pages = {u.slug: u for u in queries.units_with_pages(session)}
        groups = [(label, [self.unit_view(slug, with_pages) for slug, u in with_pages.items()
                           if u.kind == kind]) for kind, label in UNIT_GROUPS]
        self.put(addresses.UNITS, self.renderer.units([g for g in groups if g[1]]), done)

    def home(self, session: Session, units: dict[str, Unit], done: Rendering) -> None:
        lead = queries.lead(session)
        blocks = [HomeBlock(c, self.views(queries.newest(session, self.column_listing(c.id),
                                                         HOME_ITEMS), units))
                  for c in self.columns]
        photos = self.views(queries.latest(session, PHOTO_STRIP, with_photos=True), units)
        sites = []
        for kind, label in UNIT_SITE_GROUPS:
            linked = sorted((u for u in units.values() if u.kind == kind and u.site_url),
                            key=lambda u: u.slug)
            if linked:
                sites.append((label, [self.unit_view(u.slug, units) for u in linked]))
        extra: dict[str, Any] = {}
        for hook in self.home_extras:
            extra.update(hook(session))
        page = self.renderer.home(self.view(lead, units) if lead else None, blocks, photos, sites,
                                  **extra)
        self.put(addresses.HOME, page, done)

    # --- what every page links to ----------------------------------------------------------------

    def fixed_files(self, done: Rendering) -> None:
        """The stylesheet, robots.txt and the 404 page (which links from the site's path, as it
        is served at any depth)."""
        self.put(self.renderer.stylesheet_key, self.renderer.stylesheet(), done)
        self.put(addresses.ROBOTS, self.renderer.robots(), done)
        site_path = urlsplit(self.settings.portal_url).path or "/"
        self.put(addresses.NOT_FOUND, self.renderer.not_found(site_path), done)

    def skeleton_missing(self) -> bool:
        # a column added to the columns file has no front page yet: the skeleton writes it
        fixed = (addresses.HOME, addresses.NOT_FOUND, self.renderer.stylesheet_key,
                 *self.extra_keys, *(addresses.column(c.id) for c in self.columns))
        return not all(self.exists(key) for key in fixed)

    def skeleton(self, session: Session, done: Rendering) -> None:
        """Every page other pages link to: the fixed files, the column fronts and feeds, the
        units page, the site feed, the sitemaps and the home page (last)."""
        units = self.units(session)
        self.fixed_files(done)
        self.units_index(session, done)
        for extra in self.extras:
            extra(session, done)
        for column in self.columns:
            self.front(session, self.column_listing(column.id), units, done)
            self.column_feed(session, column.id, units, done)
        self.site_feed(session, units, done)
        self.sitemap_pages(session, done)
        self.sitemap_index(session, done)
        self.home(session, units, done)

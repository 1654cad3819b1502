"""Writing the portal into the site store, a bounded number of pages at a time.

What a reader can rely on:

- every object is written whole (the stores replace objects atomically);
- a page is written before any page links to it, and unlinked everywhere before it is removed:
  on publishing, the photos, then the article, then its neighbours, then the listings, feeds
  and sitemaps, and the home page last; on taking down, the other way round;
- every writer first locks the one :class:`SiteLock` row and reads what it renders inside that
  lock, so two publisher processes never write a page from two different views of the site.

Publishing one item writes its article, the articles next to it in its column, one or two
archive pages and the front page of its column and of its unit, two feeds, one sitemap block,
the sitemap index and the home page: the same handful of pages whether the site holds a hundred
items or a million (see :mod:`publisher.paging`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.orm import Session

from publisher import addresses, queries
from publisher.derivatives import Sizes, UnusablePhoto, make_derivatives
from publisher.models import ItemState, PublishedItem, SiteLock, SitemapBlock
from publisher.paging import Paging
from publisher.render import (
    HomeBlock,
    ItemView,
    Listing,
    PhotoView,
    Renderer,
    UnitView,
    clean_text,
)
from services.columns import BY_ID, COLUMNS
from services.context import Context
from services.db import Database, utcnow
from services.identity import Unit, unit_names
from services.settings import Settings

log = logging.getLogger(__name__)

HOME_ITEMS = 8  # newest items of each column on the home page
PHOTO_STRIP = 8  # photos in the home page's strip
UNIT_SITE_GROUPS = (("county", "县（市、区）经信局网站"), ("enterprise", "重点企业网站"))
UNIT_GROUPS = (("county", "县（市、区）"), ("enterprise", "重点企业"), ("department", "委内部门"))


def site_url(settings: Settings) -> str:
    """The site's public address, ending in ``/``."""
    return settings.portal_url


@dataclass
class Rendering:
    """What one operation wrote and removed, in order (for logs and tests)."""

    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


class Site:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.store = ctx.site
        self.settings = ctx.settings
        self.paging = Paging(ctx.settings.page_size)
        self.sizes = Sizes(web=ctx.settings.web_photo_width, thumb=ctx.settings.thumb_photo_width)
        self._renderer: Renderer | None = None
        self._skeleton_ready = False

    @property
    def renderer(self) -> Renderer:
        # built on first use: the public address may be settled only once the server listens
        if self._renderer is None:
            self._renderer = Renderer(self.settings.site_title, site_url(self.settings))
        return self._renderer

    # --- store -------------------------------------------------------------------------------

    def _put(self, key: str, data: bytes, done: Rendering | None = None) -> None:
        self.store.put_bytes(key, data, addresses.content_type(key) or "application/octet-stream")
        if done is not None:
            done.written.append(key)

    def _delete(self, key: str, done: Rendering | None = None) -> None:
        self.store.delete(key)
        if done is not None:
            done.removed.append(key)

    def _exists(self, key: str) -> bool:
        try:
            self.store.stat(key)
        except FileNotFoundError:
            return False
        return True

    # --- photos (before the transaction: slow, idempotent) -----------------------------------

    def write_photos(self, submission_id: int, tag: str, photos: Iterable[dict[str, Any]]
                     ) -> list[dict[str, Any]]:
        """Derive and store the web size and thumbnail of each photo; return what the pages
        need. A photo that cannot be decoded is left out (and logged): retrying cannot help."""
        written = []
        for index, photo in enumerate(photos):
            original = self.ctx.uploads.get_bytes(photo["key"])
            try:
                web, thumb = make_derivatives(original, self.sizes, self.settings.photo_formats)
            except UnusablePhoto:
                log.exception("submission %s: photo %s left out", submission_id, index)
                continue
            web_key = addresses.photo(submission_id, tag, index, "web")
            thumb_key = addresses.photo(submission_id, tag, index, "thumb")
            self._put(web_key, web.data)
            self._put(thumb_key, thumb.data)
            written.append({"key": photo["key"], "caption": clean_text(photo.get("caption") or ""),
                            "web": web_key, "thumb": thumb_key, "width": web.width,
                            "height": web.height, "thumb_width": thumb.width,
                            "thumb_height": thumb.height})
        return written

    def remove_photos(self, photos: Iterable[dict[str, Any]], done: Rendering | None = None,
                      keep: Iterable[dict[str, Any]] = ()) -> None:
        kept = {p[size] for p in keep for size in ("web", "thumb")}
        for photo in photos:
            for size in ("web", "thumb"):
                if photo.get(size) and photo[size] not in kept:
                    self._delete(photo[size], done)

    # --- the lock and the views ----------------------------------------------------------------

    def lock(self, session: Session) -> None:
        """Take the site lock for the rest of ``session``'s transaction."""
        row = session.get(SiteLock, 1, with_for_update=True)
        if row is None:  # the migration inserts it; a database made otherwise gets it here
            row = SiteLock(id=1, renders=0)
            session.add(row)
        row.renders += 1
        session.flush()

    def _units(self, session: Session) -> dict[str, Unit]:
        return unit_names(session)

    def _unit_view(self, slug: str, units: dict[str, Unit]) -> UnitView:
        unit = units.get(slug)
        if unit is None:
            return UnitView(slug=slug, name=slug)
        return UnitView(slug=unit.slug, name=unit.name, kind=unit.kind, site_url=unit.site_url)

    def view(self, item: PublishedItem, units: dict[str, Unit]) -> ItemView:
        return ItemView(
            id=item.submission_id, title=clean_text(item.title), column=item.column,
            kind=item.kind, unit=self._unit_view(item.unit_slug, units),
            informant_name=clean_text(item.informant_name), published_at=item.published_at,
            updated_at=item.updated_at, timezone=self.settings.timezone, body=item.body,
            photos=tuple(PhotoView.of(p) for p in item.photos), seq=item.column_seq)

    def _views(self, items: Iterable[PublishedItem], units: dict[str, Unit]) -> list[ItemView]:
        return [self.view(i, units) for i in items]

    @staticmethod
    def column_listing(column_id: str) -> Listing:
        column = BY_ID[column_id]
        return Listing("column", column.id, column.name, column.description)

    def unit_listing(self, slug: str, units: dict[str, Unit]) -> Listing:
        unit = self._unit_view(slug, units)
        return Listing("unit", slug, unit.name, unit=unit)

    # --- single pages --------------------------------------------------------------------------

    def _article(self, session: Session, item: PublishedItem, units: dict[str, Unit],
                 done: Rendering) -> None:
        older, newer = queries.neighbours(session, item)
        page = self.renderer.article(
            self.view(item, units), BY_ID[item.column],
            self.view(older, units) if older else None, self.view(newer, units) if newer else None)
        self._put(addresses.article(item.submission_id), page, done)

    def _front(self, session: Session, listing: Listing, units: dict[str, Unit],
               done: Rendering, *, without: int | None = None) -> None:
        """The listing's front page: its two newest archive pages together. ``without`` leaves
        out one item and the pager (a unit's page written before its first article exists, so
        that the article can link to it)."""
        last_page = self.paging.pages(queries.last_seq(session, listing))
        items = [i for i in queries.in_range(session, listing,
                                             self.paging.front_first_seq(last_page), None)
                 if i.submission_id != without]
        links = [] if without is not None else self.paging.front_links(last_page)
        self._put(listing.page(), self.renderer.listing(listing, self._views(items, units),
                                                        links), done)

    def _archives(self, session: Session, listing: Listing, pages: Iterable[int],
                  units: dict[str, Unit], done: Rendering) -> None:
        """Archive pages of ``listing``; pages the front page still shows are not written."""
        last_page = self.paging.pages(queries.last_seq(session, listing))
        for page in pages:
            if page > self.paging.archived(last_page):
                continue
            first, last = self.paging.seq_range(page)
            items = queries.in_range(session, listing, first, last)
            links = self.paging.archive_links(page, last_page)
            self._put(listing.page(page), self.renderer.listing(
                listing, self._views(items, units), links, page), done)

    def _column_feed(self, session: Session, column_id: str, units: dict[str, Unit],
                     done: Rendering) -> None:
        listing = self.column_listing(column_id)
        items = queries.newest(session, listing, self.settings.feed_entries)
        title = f"{listing.title} - {self.settings.site_title}"
        self._feed(addresses.column_feed(column_id), title, listing.page(), items, units, done)

    def _site_feed(self, session: Session, units: dict[str, Unit], done: Rendering) -> None:
        items = queries.latest(session, self.settings.feed_entries)
        self._feed(addresses.SITE_FEED, self.settings.site_title, addresses.HOME, items, units,
                   done)

    def _feed(self, key: str, title: str, page: str, items: Sequence[PublishedItem],
              units: dict[str, Unit], done: Rendering) -> None:
        views = self._views(items, units)
        updated = max((i.updated_at for i in items), default=utcnow())
        self._put(key, self.renderer.feed(key, title, page, views, updated), done)

    def _sitemap_block(self, session: Session, submission_id: int, done: Rendering) -> None:
        """The sitemap file of the block that holds ``submission_id``, then the index; a block
        left empty is dropped from the index before its file goes."""
        block = submission_id // queries.SITEMAP_BLOCK
        rows = queries.sitemap_block(session, block)
        record = session.get(SitemapBlock, block)
        if record is None:
            record = SitemapBlock(block=block, urls=0)
            session.add(record)
        record.urls = len(rows)
        record.lastmod = max((updated for _, updated in rows), default=utcnow())
        session.flush()
        if rows:
            urls = [(addresses.article(i), self._date(updated)) for i, updated in rows]
            self._put(addresses.sitemap_block(block), self.renderer.sitemap(urls), done)
            self._sitemap_index(session, done)
        else:
            self._sitemap_index(session, done)
            self._delete(addresses.sitemap_block(block), done)

    def _sitemap_index(self, session: Session, done: Rendering) -> None:
        blocks = session.scalars(sa.select(SitemapBlock).where(SitemapBlock.urls > 0)
                                 .order_by(SitemapBlock.block)).all()
        entries: list[tuple[str, str | None]] = [(addresses.SITEMAP_PAGES, None)]
        entries += [(addresses.sitemap_block(b.block), self._date(b.lastmod)) for b in blocks]
        self._put(addresses.SITEMAP, self.renderer.sitemap_index(entries), done)

    def _sitemap_pages(self, session: Session, done: Rendering) -> None:
        keys = [addresses.HOME, addresses.UNITS]
        keys += [addresses.column(c.id) for c in COLUMNS]
        keys += [addresses.unit(u.slug) for u in queries.units_with_pages(session)]
        urls = [(k.removesuffix("index.html"), None) for k in keys]
        self._put(addresses.SITEMAP_PAGES, self.renderer.sitemap(urls), done)

    def _date(self, moment: Any) -> str:
        return str(moment.date().isoformat())

    def _units_index(self, session: Session, done: Rendering) -> None:
        with_pages = queries.units_with_pages(session)
        groups = [(label, [self._unit_view(u.slug, {u.slug: u}) for u in with_pages
                           if u.kind == kind]) for kind, label in UNIT_GROUPS]
        self._put(addresses.UNITS, self.renderer.units([g for g in groups if g[1]]), done)

    def _home(self, session: Session, units: dict[str, Unit], done: Rendering) -> None:
        lead = queries.lead(session)
        blocks = [HomeBlock(c, self._views(queries.newest(session, self.column_listing(c.id),
                                                          HOME_ITEMS), units))
                  for c in COLUMNS]
        photos = self._views(queries.latest(session, PHOTO_STRIP, with_photos=True), units)
        sites = []
        for kind, label in UNIT_SITE_GROUPS:
            linked = sorted((u for u in units.values() if u.kind == kind and u.site_url),
                            key=lambda u: u.slug)
            if linked:
                sites.append((label, [self._unit_view(u.slug, units) for u in linked]))
        page = self.renderer.home(self.view(lead, units) if lead else None, blocks, photos, sites)
        self._put(addresses.HOME, page, done)

    # --- the pages every other page links to ----------------------------------------------------

    def ensure_skeleton(self, session: Session, done: Rendering | None = None) -> Rendering:
        """Write the pages every page links to (home, column fronts, feeds, the units page,
        sitemaps, 404, the stylesheet) if any is missing; the caller holds the lock. A new
        stylesheet (a new release) is missing by its name, so the fixed pages follow it."""
        done = done or Rendering()
        if self._skeleton_ready:
            return done
        fixed = (addresses.HOME, addresses.NOT_FOUND, self.renderer.stylesheet_key)
        if not all(self._exists(key) for key in fixed):
            self.write_skeleton(session, done)
        self._skeleton_ready = True
        return done

    def write_skeleton(self, session: Session, done: Rendering) -> None:
        units = self._units(session)
        self._put(self.renderer.stylesheet_key, self.renderer.stylesheet(), done)
        self._put(addresses.ROBOTS, self.renderer.robots(), done)
        self._put(addresses.NOT_FOUND, self.renderer.not_found(self._site_path()), done)
        self._units_index(session, done)
        for column in COLUMNS:
            self._front(session, self.column_listing(column.id), units, done)
            self._column_feed(session, column.id, units, done)
        self._site_feed(session, units, done)
        self._sitemap_pages(session, done)
        self._sitemap_index(session, done)
        self._home(session, units, done)

    def _site_path(self) -> str:
        return urlsplit(site_url(self.settings)).path or "/"

    # --- publishing, taking down, the lead ------------------------------------------------------

    def publish(self, session: Session, item: PublishedItem, *, new: bool,
                replaced_photos: Sequence[dict[str, Any]] = ()) -> Rendering:
        """Write ``item`` (already flushed as published, numbered) and every page that lists it.
        ``new``: first publication (its archive pages may be new); else a reinstatement."""
        done = self.ensure_skeleton(session)
        units = self._units(session)
        column, unit = self.column_listing(item.column), self.unit_listing(item.unit_slug, units)
        unit_is_new = not self._exists(unit.page())
        if unit_is_new:  # the article links to its unit's page: that page comes first
            self._front(session, unit, units, done, without=item.submission_id)

        self._article(session, item, units, done)
        for neighbour in queries.neighbours(session, item):
            if neighbour is not None:
                self._article(session, neighbour, units, done)

        for listing, seq in ((column, item.column_seq), (unit, item.unit_seq)):
            pages = self.paging.touched_by_new(seq) if new else [self.paging.page_of(seq)]
            self._archives(session, listing, pages, units, done)
            self._front(session, listing, units, done)
        self._column_feed(session, item.column, units, done)
        if unit_is_new:
            self._units_index(session, done)
            self._sitemap_pages(session, done)
        self._site_feed(session, units, done)
        self._sitemap_block(session, item.submission_id, done)
        self._home(session, units, done)
        self.remove_photos(replaced_photos, done, keep=item.photos)  # nothing shows them now
        return done

    def take_down(self, session: Session, item: PublishedItem) -> Rendering:
        """Unlist ``item`` (no longer published) everywhere, then remove its page and photos."""
        done = self.ensure_skeleton(session)
        units = self._units(session)
        for neighbour in queries.neighbours(session, item):
            if neighbour is not None:
                self._article(session, neighbour, units, done)
        column, unit = self.column_listing(item.column), self.unit_listing(item.unit_slug, units)
        for listing, seq in ((column, item.column_seq), (unit, item.unit_seq)):
            self._archives(session, listing, [self.paging.page_of(seq)], units, done)
            self._front(session, listing, units, done)
        self._column_feed(session, item.column, units, done)
        self._site_feed(session, units, done)
        self._sitemap_block(session, item.submission_id, done)
        self._home(session, units, done)
        self._delete(addresses.article(item.submission_id), done)
        self.remove_photos(item.photos, done)
        return done

    def show_lead(self, session: Session) -> Rendering:
        done = self.ensure_skeleton(session)
        self._home(session, self._units(session), done)
        return done

    # --- everything, from scratch -------------------------------------------------------------

    def rebuild(self, db: Database, batch: int = 200) -> Rendering:
        """Write every page again from the database, and remove pages and photos of items no
        longer on the site. Articles go in batches, each in its own short transaction under the
        lock, so publishing goes on meanwhile; then the listings; the home page last."""
        done = Rendering()
        with db.transaction() as session:
            self.lock(session)
            self._put(self.renderer.stylesheet_key, self.renderer.stylesheet(), done)
            self._put(addresses.NOT_FOUND, self.renderer.not_found(self._site_path()), done)
            self._put(addresses.ROBOTS, self.renderer.robots(), done)
            units = self._units(session)
            for slug in (u.slug for u in queries.units_with_pages(session)):
                # first, so that no article links to a unit page that is not there yet
                if not self._exists(addresses.unit(slug)):
                    self._front(session, self.unit_listing(slug, units), units, done, without=-1)
        after = -1
        while True:
            with db.transaction() as session:
                self.lock(session)
                units = self._units(session)
                items = session.scalars(
                    sa.select(PublishedItem).where(PublishedItem.submission_id > after,
                                                   PublishedItem.state == ItemState.PUBLISHED)
                    .order_by(PublishedItem.submission_id).limit(batch)).all()
                for item in items:
                    self._article(session, item, units, done)
            if not items:
                break
            after = items[-1].submission_id
        with db.session() as session:
            units = self._units(session)
            listings = [self.column_listing(c.id) for c in COLUMNS]
            listings += [self.unit_listing(u.slug, units)
                         for u in queries.units_with_pages(session)]
        for listing in listings:  # one listing at a time, each seen whole
            with db.transaction() as session:
                self.lock(session)
                units = self._units(session)
                archived = self.paging.archived(
                    self.paging.pages(queries.last_seq(session, listing)))
                self._archives(session, listing, range(1, archived + 1), units, done)
                self._front(session, listing, units, done)
        with db.transaction() as session:
            self.lock(session)
            units = self._units(session)
            for column in COLUMNS:
                self._column_feed(session, column.id, units, done)
            self._units_index(session, done)
            self._site_feed(session, units, done)
            self._rebuild_sitemaps(session, done)
            self._home(session, units, done)
        self._sweep(db, done)
        self._skeleton_ready = True
        return done

    def _rebuild_sitemaps(self, session: Session, done: Rendering) -> None:
        blocks = {i // queries.SITEMAP_BLOCK for i in session.scalars(
            sa.select(PublishedItem.submission_id).where(
                PublishedItem.state == ItemState.PUBLISHED))}
        blocks |= set(session.scalars(sa.select(SitemapBlock.block)))
        self._sitemap_pages(session, done)
        for block in sorted(blocks):
            self._sitemap_block(session, block * queries.SITEMAP_BLOCK, done)
        self._sitemap_index(session, done)

    def _sweep(self, db: Database, done: Rendering) -> None:
        """Remove article pages and photos that nothing on the site refers to any more (left by
        a crash between writing and committing, or by a publication that failed for good).

        Article pages are written under the lock, which the sweep holds, so an unreferenced one
        is a leftover. Photos are written before their transaction takes the lock: only those
        older than an hour are taken for leftovers."""
        with db.transaction() as session:
            self.lock(session)
            items = session.execute(sa.select(PublishedItem.submission_id, PublishedItem.state,
                                              PublishedItem.photos)).all()
            live_pages = {addresses.article(i) for i, state, _ in items
                          if state == ItemState.PUBLISHED}
            live_photos = {p[size] for _, state, photos in items if state == ItemState.PUBLISHED
                           for p in photos for size in ("web", "thumb")}
            for key in list(self.store.list("articles/")):
                if key not in live_pages:
                    self._delete(key, done)
            cutoff = utcnow() - dt.timedelta(hours=1)
            for key in list(self.store.list("photos/")):
                if key not in live_photos:
                    with contextlib.suppress(FileNotFoundError):  # gone meanwhile: fine
                        if self.store.stat(key).modified < cutoff:
                            self._delete(key, done)

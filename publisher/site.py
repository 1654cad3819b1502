"""Publishing into the site store, a bounded number of pages at a time.

What a reader can rely on:

- every object is written whole (the stores replace objects atomically);
- a page is written before any page links to it, and unlinked everywhere before it is removed:
  on publishing, the photos, then the article, then its neighbours, then the listings, feeds
  and sitemaps, and the home page last; on taking down, the other way round;
- every writer first locks the one :class:`SiteLock` row and reads what it renders inside that
  lock, so two publisher processes never write a page from two different views of the site.

Publishing one item writes its article, the articles next to it in its column, the front page
(and now and then an archive page) of its column and of its unit, two feeds, one sitemap block,
the sitemap index and the home page: the same dozen pages whether the site holds a hundred
items or a million (see :mod:`publisher.paging`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy.orm import Session

from publisher import addresses, queries
from publisher.derivatives import Sizes, UnusablePhoto, make_derivatives
from publisher.models import PublishedItem, SiteLock
from publisher.pages import Pages, Rendering
from services.context import Context
from services.contracts.submissions import PhotoRef
from services.sanitise import clean_text

log = logging.getLogger(__name__)


class Site:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.pages = Pages(ctx.site, ctx.settings)
        self.sizes = Sizes(web=ctx.settings.web_photo_width, thumb=ctx.settings.thumb_photo_width)
        self._skeleton_ready = False
        # the other parts of the portal (documents, features, the site map) hook their pages in,
        # so that every Site, a rebuild's too, writes the whole portal; imported here because
        # they build on this module
        from publisher.govsite import hook_in

        hook_in(self)

    # --- photos (before the transaction: slow, idempotent) -----------------------------------

    def write_photos(self, submission_id: int, tag: str, photos: Iterable[PhotoRef]
                     ) -> list[dict[str, Any]]:
        """Derive and store the web size and thumbnail of each photo; return what the pages
        need. A photo that cannot be decoded is left out (and logged): retrying cannot help."""
        written = []
        for index, photo in enumerate(photos):
            keys = {size: addresses.photo(submission_id, tag, index, size)
                    for size in ("web", "thumb")}
            try:
                sizes = self._derive(photo.key, keys["web"], keys["thumb"])
            except UnusablePhoto:
                log.exception("submission %s: photo %s left out", submission_id, index)
                continue
            written.append({"key": photo.key, "caption": clean_text(photo.caption),
                            "web": keys["web"], "thumb": keys["thumb"], **sizes})
        return written

    def restore_photo(self, photo: dict[str, Any], done: Rendering) -> None:
        """Derive a published photo again, under the names it has, if either is missing."""
        if all(self.pages.exists(photo[size]) for size in ("web", "thumb")):
            return
        self._derive(photo["key"], photo["web"], photo["thumb"])
        done.written += [photo["web"], photo["thumb"]]

    def _derive(self, original: str, web_key: str, thumb_key: str) -> dict[str, int]:
        web, thumb = make_derivatives(self.ctx.uploads.get_bytes(original), self.sizes,
                                      self.ctx.settings.photo_formats)
        self.ctx.site.put_bytes(web_key, web.data, "image/jpeg")
        self.ctx.site.put_bytes(thumb_key, thumb.data, "image/jpeg")
        return {"width": web.width, "height": web.height, "thumb_width": thumb.width,
                "thumb_height": thumb.height}

    def remove_photos(self, photos: Iterable[dict[str, Any]], done: Rendering | None = None,
                      keep: Iterable[dict[str, Any]] = ()) -> None:
        done = done if done is not None else Rendering()
        kept = {p[size] for p in keep for size in ("web", "thumb")}
        for photo in photos:
            for size in ("web", "thumb"):
                if photo.get(size) and photo[size] not in kept:
                    self.pages.delete(photo[size], done)

    # --- the lock ------------------------------------------------------------------------------

    def lock(self, session: Session) -> None:
        """Take the site lock for the rest of ``session``'s transaction."""
        row = session.get(SiteLock, 1, with_for_update=True)
        if row is None:  # the migration inserts it; a database made otherwise gets it here
            row = SiteLock(id=1, renders=0)
            session.add(row)
        row.renders += 1
        session.flush()

    def ensure_skeleton(self, session: Session, done: Rendering | None = None) -> Rendering:
        """Write the pages every page links to if any is missing; the caller holds the lock.
        A new stylesheet (a new release) is missing by its name, so the fixed pages follow."""
        done = done if done is not None else Rendering()
        if not self._skeleton_ready:
            if self.pages.skeleton_missing():
                self.pages.skeleton(session, done)
            self._skeleton_ready = True
        return done

    # --- publishing, taking down, the lead ----------------------------------------------------

    def publish(self, session: Session, item: PublishedItem, *, new: bool,
                replaced_photos: Sequence[dict[str, Any]] = ()) -> Rendering:
        """Write ``item`` (already flushed as published, numbered) and every page that lists it.
        ``new``: its first publication (it may open archive pages); else a reinstatement."""
        pages = self.pages
        done = self.ensure_skeleton(session)
        units = pages.units(session)
        column, unit = pages.column_listing(item.column), pages.unit_listing(item.unit_slug, units)
        unit_is_new = not pages.exists(unit.page())
        if unit_is_new:  # the article links to its unit's page: that page comes first
            pages.placeholder(unit, done)

        pages.article(session, item, units, done)
        for neighbour in queries.neighbours(session, item):
            if neighbour is not None:
                pages.article(session, neighbour, units, done)

        for listing, seq in ((column, item.column_seq), (unit, item.unit_seq)):
            touched = pages.paging.touched_by_new(seq) if new else [pages.paging.page_of(seq)]
            pages.archives(session, listing, touched, units, done)
            pages.front(session, listing, units, done)
        pages.column_feed(session, item.column, units, done)
        if unit_is_new:
            pages.units_index(session, done)
            pages.sitemap_pages(session, done)
            for hook in pages.on_new_unit:  # the HTML site map lists the units
                hook(session, done)
        pages.site_feed(session, units, done)
        pages.sitemap_block(session, item.submission_id, done)
        for on_change in pages.on_item_changed:
            on_change(session, item, done)
        pages.home(session, units, done)
        self.remove_photos(replaced_photos, done, keep=item.photos)  # nothing shows them now
        return done

    def take_down(self, session: Session, item: PublishedItem) -> Rendering:
        """Unlist ``item`` (no longer published) everywhere, then remove its page and photos."""
        pages = self.pages
        done = self.ensure_skeleton(session)
        units = pages.units(session)
        for neighbour in queries.neighbours(session, item):
            if neighbour is not None:
                pages.article(session, neighbour, units, done)
        column, unit = pages.column_listing(item.column), pages.unit_listing(item.unit_slug, units)
        for listing, seq in ((column, item.column_seq), (unit, item.unit_seq)):
            pages.archives(session, listing, [pages.paging.page_of(seq)], units, done)
            pages.front(session, listing, units, done)
        pages.column_feed(session, item.column, units, done)
        pages.site_feed(session, units, done)
        pages.sitemap_block(session, item.submission_id, done)
        for on_change in pages.on_item_changed:  # unlisted there too before the page goes
            on_change(session, item, done)
        pages.home(session, units, done)
        pages.delete(addresses.article(item.submission_id), done)
        self.remove_photos(item.photos, done)
        return done

    def show_lead(self, session: Session) -> Rendering:
        done = self.ensure_skeleton(session)
        self.pages.home(session, self.pages.units(session), done)
        return done

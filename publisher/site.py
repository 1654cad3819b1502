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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
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
        self.pages = Pages(ctx.site, ctx.settings, ctx.columns)
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
        """Take the site lock for the rest of ``session``'s transaction (once: the handlers of
        a batch share its transaction)."""
        if session.info.get(LOCKED):
            return
        session.info[LOCKED] = True
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
    #
    # The handlers of one transaction (a batch of approvals, say) only say what changed; the
    # pages are written once, at its end, by :meth:`flush`: each item's own page once, and the
    # pages items share (listings, feeds, sitemaps, the home page) once for the whole batch.

    def changes(self, session: Session) -> Changes:
        """What the handlers of ``session``'s transaction have asked of the site so far."""
        changes: Changes = session.info.setdefault(CHANGES, Changes())
        return changes

    def publish(self, session: Session, item: PublishedItem, *, new: bool,
                replaced_photos: Sequence[dict[str, Any]] = ()) -> None:
        """``item`` (already flushed as published, numbered) goes on the site with the pages
        that list it. ``new``: its first publication (it may open archive pages); else a
        reinstatement."""
        changes = self.changes(session)
        follows = new and changes.newest.get(item.column)
        changes.placed[item.submission_id] = item
        changes.removed.pop(item.submission_id, None)  # taken down and back in one batch
        if new:
            changes.newest[item.column] = item.column_seq
        if not follows:  # else its older neighbour is the batch's last new item, written anyway
            changes.around(session, item)
        for listing, seq in ((("column", item.column), item.column_seq),
                             (("unit", item.unit_slug), item.unit_seq)):
            pages = self.pages.paging.touched_by_new(seq) if new else [
                self.pages.paging.page_of(seq)]
            changes.listings.setdefault(listing, set()).update(pages)
        changes.feeds.add(item.column)
        changes.blocks.add(item.submission_id)
        changes.changed.setdefault(item.unit_slug, item)
        changes.replaced.append((replaced_photos, item))
        changes.home = True

    def take_down(self, session: Session, item: PublishedItem) -> None:
        """Unlist ``item`` (no longer published) everywhere, then remove its page and photos."""
        changes = self.changes(session)
        changes.placed.pop(item.submission_id, None)
        changes.newest.pop(item.column, None)  # the next new item looks for its neighbours
        changes.around(session, item)
        for listing, seq in ((("column", item.column), item.column_seq),
                             (("unit", item.unit_slug), item.unit_seq)):
            changes.listings.setdefault(listing, set()).add(self.pages.paging.page_of(seq))
        changes.feeds.add(item.column)
        changes.blocks.add(item.submission_id)
        changes.changed.setdefault(item.unit_slug, item)
        changes.removed[item.submission_id] = item
        changes.home = True

    def show_lead(self, session: Session) -> None:
        self.changes(session).home = True

    def flush(self, session: Session) -> Rendering:
        """Write what this transaction's handlers asked for, each page once, in an order in
        which no page a reader can reach links to one not yet written: the unit pages new items
        link to, the items' own pages (oldest first: only the newest item already on the site
        links to them, and it is written after them), the items next to them, the listings,
        feeds and sitemaps, and the home page last; then what is gone."""
        changes: Changes | None = session.info.pop(CHANGES, None)
        done = Rendering()
        if changes is None or changes.empty:
            return done
        pages = self.pages
        self.ensure_skeleton(session, done)
        with pages.writes.together() as settle:  # side by side, settled between the groups
            self._write(session, changes, done, settle)
        for item in changes.removed.values():
            pages.delete(addresses.article(item.submission_id), done)
            self.remove_photos(item.photos, done)
        for replaced, item in changes.replaced:  # nothing shows these now
            self.remove_photos(replaced, done, keep=item.photos)
        return done

    def _write(self, session: Session, changes: Changes, done: Rendering,
               settle: Callable[[], None]) -> None:
        pages = self.pages
        units = pages.units(session)
        listings = {key: (pages.column_listing(key[1]) if key[0] == "column"
                          else pages.unit_listing(key[1], units)) for key in changes.listings}
        new_units = [listing for key, listing in listings.items()
                     if key[0] == "unit" and not pages.exists(listing.page())]
        for listing in new_units:  # the articles link to their unit's page: it comes first
            pages.placeholder(listing, done)
        settle()

        on_site = [i for i in changes.placed.values() if i.on_site]
        for item in sorted(on_site, key=lambda i: (i.column_seq, i.submission_id)):
            pages.article(session, item, units, done)
        written = {i.submission_id for i in on_site}
        for neighbour in _by_id(session, changes.neighbours - written - set(changes.removed)):
            if neighbour.on_site:
                pages.article(session, neighbour, units, done)
        settle()  # the items' pages are on the site before anything links to them

        for key, listing in listings.items():
            pages.archives(session, listing, sorted(changes.listings[key]), units, done)
            pages.front(session, listing, units, done)
        for column in sorted(changes.feeds):
            pages.column_feed(session, column, units, done)
        if new_units:
            pages.units_index(session, done)
            pages.sitemap_pages(session, done)
            for hook in pages.on_new_unit:  # the HTML site map lists the units
                hook(session, done)
        pages.site_feed(session, units, done)
        pages.sitemap_blocks(session, changes.blocks, done)
        for item in changes.changed.values():  # each unit's other pages once
            for on_change in pages.on_item_changed:
                on_change(session, item, done)
        settle()
        if changes.home:
            pages.home(session, units, done)


CHANGES = "baosong.site.changes"
LOCKED = "baosong.site.locked"


@dataclass
class Changes:
    """What one transaction's handlers asked of the site (see :meth:`Site.flush`)."""

    placed: dict[int, PublishedItem] = field(default_factory=dict)  # on the site now, in order
    removed: dict[int, PublishedItem] = field(default_factory=dict)  # taken down
    neighbours: set[int] = field(default_factory=set)  # items whose next or previous changed
    listings: dict[tuple[str, str], set[int]] = field(default_factory=dict)  # archive pages
    feeds: set[str] = field(default_factory=set)  # columns whose feed lists something else now
    blocks: set[int] = field(default_factory=set)  # items whose sitemap block changed
    changed: dict[str, PublishedItem] = field(default_factory=dict)  # an item of each unit
    newest: dict[str, int] = field(default_factory=dict)  # the last new item's number, by column
    replaced: list[tuple[Sequence[dict[str, Any]], PublishedItem]] = field(default_factory=list)
    home: bool = False

    @property
    def empty(self) -> bool:
        return not (self.placed or self.removed or self.listings or self.home)

    def around(self, session: Session, item: PublishedItem) -> None:
        """The items next to ``item`` in its column link to it (or past it) now."""
        for neighbour in queries.neighbours(session, item):
            if neighbour is not None:
                self.neighbours.add(neighbour.submission_id)


def _by_id(session: Session, ids: Iterable[int]) -> list[PublishedItem]:
    wanted = sorted(ids)
    if not wanted:
        return []
    return list(session.scalars(sa.select(PublishedItem)
                                .where(PublishedItem.submission_id.in_(wanted))
                                .order_by(PublishedItem.submission_id)))

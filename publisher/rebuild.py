"""The whole site written again from the database (``baosong site rebuild``): after a change of
templates, a lost bucket, or to clear what a failed publication left behind.

It is also the naive way to publish, the one the incremental publisher is measured against.
Work goes in short transactions, each under the site lock, so that publishing goes on
meanwhile: first any missing photo (derived again from its original), the unit pages articles
link to, then the articles in batches, then each listing, then the feeds, sitemaps and the home
page, and last the sweep.
"""

from __future__ import annotations

import contextlib
import datetime as dt

import sqlalchemy as sa

from publisher import addresses, queries
from publisher.models import ItemState, PublishedItem, SitemapBlock
from publisher.pages import Rendering
from publisher.site import Site
from services.db import Database, utcnow

LEFTOVER_AGE = dt.timedelta(hours=1)  # younger unreferenced photos may be a publication underway


def rebuild(site: Site, db: Database, batch: int = 200) -> Rendering:
    pages = site.pages
    done = Rendering()
    _restore_photos(site, db, done, batch)
    with db.transaction() as session:
        site.lock(session)
        pages.fixed_files(done)
        units = pages.units(session)
        for unit in queries.units_with_pages(session):
            if not pages.exists(addresses.unit(unit.slug)):  # before any article links to it
                pages.placeholder(pages.unit_listing(unit.slug, units), done)
    after = -1
    while True:
        with db.transaction() as session:
            site.lock(session)
            units = pages.units(session)
            items = session.scalars(
                sa.select(PublishedItem).where(PublishedItem.submission_id > after,
                                               PublishedItem.state == ItemState.PUBLISHED)
                .order_by(PublishedItem.submission_id).limit(batch)).all()
            for item in items:
                pages.article(session, item, units, done)
        if not items:
            break
        after = items[-1].submission_id
    with db.session() as session:
        units = pages.units(session)
        listings = [pages.column_listing(c.id) for c in pages.columns]
        listings += [pages.unit_listing(u.slug, units) for u in queries.units_with_pages(session)]
    for listing in listings:  # one listing at a time, each seen whole
        with db.transaction() as session:
            site.lock(session)
            units = pages.units(session)
            archived = pages.paging.archived(
                pages.paging.pages(queries.last_seq(session, listing)))
            pages.archives(session, listing, range(1, archived + 1), units, done)
            pages.front(session, listing, units, done)
    with db.transaction() as session:
        site.lock(session)
        units = pages.units(session)
        for column in pages.columns:
            pages.column_feed(session, column.id, units, done)
        pages.units_index(session, done)
        for extra in (*pages.rebuild_extras, *pages.extras):  # documents, features, site map
            extra(session, done)
        pages.site_feed(session, units, done)
        _sitemaps(site, session, done)
        pages.home(session, units, done)
    _sweep(site, db, done)
    return done


def _restore_photos(site: Site, db: Database, done: Rendering, batch: int) -> None:
    """Photos of published items that are missing (a lost bucket) are derived again from the
    originals, under the same names; outside the lock, as publishing derives them."""
    after = -1
    while True:
        with db.session() as session:
            rows = session.execute(
                sa.select(PublishedItem.submission_id, PublishedItem.photos)
                .where(PublishedItem.submission_id > after,
                       PublishedItem.state == ItemState.PUBLISHED,
                       PublishedItem.photo_count > 0)
                .order_by(PublishedItem.submission_id).limit(batch)).all()
        if not rows:
            return
        for _, photos in rows:
            for photo in photos:
                site.restore_photo(photo, done)
        after = rows[-1][0]


def _sitemaps(site: Site, session: sa.orm.Session, done: Rendering) -> None:
    blocks = {i // queries.SITEMAP_BLOCK for i in session.scalars(
        sa.select(PublishedItem.submission_id).where(PublishedItem.state == ItemState.PUBLISHED))}
    blocks |= set(session.scalars(sa.select(SitemapBlock.block)))
    site.pages.sitemap_pages(session, done)
    site.pages.sitemap_blocks(session, [block * queries.SITEMAP_BLOCK for block in blocks], done)


def _sweep(site: Site, db: Database, done: Rendering) -> None:
    """Remove article pages and photos that nothing on the site refers to any more (left by a
    crash between writing and committing, or by a publication that failed for good).

    Article pages are written under the lock, which the sweep holds, so an unreferenced one is a
    leftover. Photos are written before their transaction takes the lock: only those older than
    an hour are taken for leftovers."""
    store = site.ctx.site
    with db.transaction() as session:
        site.lock(session)
        items = session.execute(sa.select(PublishedItem.submission_id, PublishedItem.state,
                                          PublishedItem.photos)).all()
        live_pages = {addresses.article(i) for i, state, _ in items
                      if state == ItemState.PUBLISHED}
        live_photos = {p[size] for _, state, photos in items if state == ItemState.PUBLISHED
                       for p in photos for size in ("web", "thumb")}
        for key in list(store.list("articles/")):
            if key not in live_pages:
                site.pages.delete(key, done)
        cutoff = utcnow() - LEFTOVER_AGE
        for key in list(store.list("photos/")):
            if key not in live_photos:
                with contextlib.suppress(FileNotFoundError):  # gone meanwhile: fine
                    if store.stat(key).modified < cutoff:
                        site.pages.delete(key, done)

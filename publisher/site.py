"""Writing the portal into the site store: photos, article pages, then the indexes.

Order matters to a reader: an item's photos and page are written before any index links to
them, and an index is rewritten only after the pages it lists exist.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from publisher.derivatives import make_derivatives
from publisher.models import PublishedItem, SiteLock
from publisher.render import ItemView, Renderer, article_path, column_path
from services.columns import BY_ID, COLUMNS
from services.context import Context
from services.identity import Unit, unit_names

HTML = "text/html; charset=utf-8"
HOME_ITEMS = 8
PHOTO_STRIP = 8


def photo_keys(submission_id: int, index: int) -> tuple[str, str]:
    base = f"photos/{submission_id}/{index}"
    return f"{base}-web.jpg", f"{base}-thumb.jpg"


class Site:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.store = ctx.site
        self.settings = ctx.settings
        self.renderer = Renderer(ctx.settings.site_title)

    # --- items ----------------------------------------------------------------------------

    def write_photos(self, submission_id: int, photos: Iterable[dict[str, Any]]) -> \
            list[dict[str, Any]]:
        """Derive and store web-size photos; return what the pages need to show them."""
        written = []
        for index, photo in enumerate(photos):
            web, thumb = make_derivatives(
                self.ctx.uploads.get_bytes(photo["key"]), self.settings.web_photo_width,
                self.settings.thumb_photo_width, self.settings.photo_formats)
            web_key, thumb_key = photo_keys(submission_id, index)
            self.store.put_bytes(web_key, web.data, "image/jpeg")
            self.store.put_bytes(thumb_key, thumb.data, "image/jpeg")
            written.append({"web": web_key, "thumb": thumb_key, "width": web.width,
                            "height": web.height, "thumb_width": thumb.width,
                            "caption": photo.get("caption", "")})
        return written

    def view(self, item: PublishedItem, units: dict[str, Unit]) -> ItemView:
        unit = units.get(item.unit_slug)
        return ItemView(id=item.submission_id, title=item.title, column=item.column,
                        unit_name=unit.name if unit else item.unit_slug,
                        informant_name=item.informant_name, published_at=item.published_at,
                        timezone=self.settings.timezone, body=item.body, photos=item.photos)

    def write_article(self, session: Session, item: PublishedItem) -> None:
        page = self.renderer.article(self.view(item, unit_names(session)), BY_ID[item.column])
        self.store.put_bytes(article_path(item.submission_id), page, HTML)

    def remove_article(self, item: PublishedItem) -> None:
        self.store.delete(article_path(item.submission_id))
        for photo in item.photos:
            self.store.delete(photo["web"])
            self.store.delete(photo["thumb"])

    # --- indexes --------------------------------------------------------------------------

    def _published(self, session: Session) -> sa.Select[PublishedItem]:
        return (sa.select(PublishedItem).where(PublishedItem.state == "published")
                .order_by(PublishedItem.published_at.desc(), PublishedItem.submission_id.desc()))

    def render_indexes(self, session: Session, columns: Iterable[str]) -> None:
        """Rewrite the given columns' pages and the home page, one renderer at a time."""
        lock = session.get(SiteLock, 1, with_for_update=True)
        if lock is None:
            lock = SiteLock(id=1, renders=0)
            session.add(lock)
        lock.renders += 1
        session.flush()
        units = unit_names(session)
        self.store.put_bytes("assets/site.css", self.renderer.stylesheet(), "text/css")
        missing = {c.id for c in COLUMNS if not self._exists(column_path(c.id))}
        for column_id in sorted(set(columns) | missing):  # no column link may lead nowhere
            self._render_column(session, column_id, units)
        self._render_home(session, units)

    def _exists(self, key: str) -> bool:
        try:
            self.store.stat(key)
        except FileNotFoundError:
            return False
        return True

    def _render_column(self, session: Session, column_id: str, units: dict[str, Unit]) -> None:
        column = BY_ID[column_id]
        items = session.scalars(self._published(session).where(
            PublishedItem.column == column_id)).all()
        size = self.settings.page_size
        pages = max(1, math.ceil(len(items) / size))
        for page in range(1, pages + 1):
            views = [self.view(i, units) for i in items[(page - 1) * size: page * size]]
            self.store.put_bytes(column_path(column_id, page),
                                 self.renderer.column(column, views, page, pages), HTML)
        # pages past the new end would otherwise live on with stale links
        page = pages + 1
        while self._exists(column_path(column_id, page)):
            self.store.delete(column_path(column_id, page))
            page += 1

    def _render_home(self, session: Session, units: dict[str, Unit]) -> None:
        lead_item = session.scalars(self._published(session).where(
            PublishedItem.lead.is_(True))).first()
        blocks = []
        for column in COLUMNS:
            items = session.scalars(self._published(session).where(
                PublishedItem.column == column.id).limit(HOME_ITEMS)).all()
            blocks.append({"column": column, "entries": [self.view(i, units) for i in items]})
        photo_items = [
            self.view(i, units) for i in session.scalars(self._published(session).limit(200))
            if i.photos
        ][:PHOTO_STRIP]
        linked = sorted((u for u in units.values() if u.site_url), key=lambda u: u.slug)
        page = self.renderer.home(self.view(lead_item, units) if lead_item else None, blocks,
                                  photo_items, linked)
        self.store.put_bytes("index.html", page, HTML)

"""Importing a year's list and writing its pages: the list, a page per enterprise (its
citation, figures, website, and what it published on the portal), the index of every list, and
the home page's block. A list imported again replaces the old one on the site: pages of ranks
that are gone are removed, after nothing links to them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from publisher import addresses
from publisher.features.models import FeatureEntry
from publisher.features.sheet import Row
from publisher.models import ItemState, PublishedItem
from publisher.pages import Rendering
from publisher.render import Listing
from publisher.site import Site
from services import outbox
from services.context import Context
from services.contracts.enterprises import FeatureListed, ListedEnterprise
from services.identity import Unit

LISTS = {"top50": "工业五十强", "contributors": "突出贡献企业"}  # titled 2025年度…
INDEX = "columns/features/index.html"
ENTERPRISE_ITEMS = 20  # newest published items on an enterprise's feature page
HOME_ENTRIES = 10


def list_page(name: str, year: int) -> str:
    return f"features/{name}-{year}.html"


def entry_page(name: str, year: int, rank: int) -> str:
    return f"features/{name}-{year}/{rank}.html"


def title_of(name: str, year: int) -> str:
    return f"{year}年度{LISTS[name]}"


def _match_unit(row: Row, units: Sequence[Unit]) -> str | None:
    by_slug = {u.slug: u for u in units}
    by_name = {u.name: u for u in units}
    for candidate in (row.unit, row.name):
        if candidate in by_slug:
            return by_slug[candidate].slug
    unit = by_name.get(row.name)
    return unit.slug if unit else None


class FeaturePages:
    def __init__(self, ctx: Context, site: Site) -> None:
        self.ctx = ctx
        self.site = site

    @property
    def renderer(self) -> Any:
        return self.site.pages.renderer

    def _put(self, key: str, template: str, done: Rendering, **context: Any) -> None:
        self.site.pages.put(key, self.renderer.page(template, key, **context), done)

    # --- queries -------------------------------------------------------------------------

    @staticmethod
    def lists(session: Session) -> list[tuple[str, int, int]]:
        """(list, year, number of entries), newest year first."""
        rows = session.execute(sa.select(FeatureEntry.series, FeatureEntry.year, sa.func.count())
                               .group_by(FeatureEntry.series, FeatureEntry.year)).all()
        return sorted(((n, y, c) for n, y, c in rows), key=lambda r: (-r[1], r[0]))

    @staticmethod
    def entries(session: Session, name: str, year: int) -> Sequence[FeatureEntry]:
        return session.scalars(sa.select(FeatureEntry).where(
            FeatureEntry.series == name, FeatureEntry.year == year)
            .order_by(FeatureEntry.rank)).all()

    @staticmethod
    def entries_of_unit(session: Session, slug: str) -> Sequence[FeatureEntry]:
        return session.scalars(sa.select(FeatureEntry).where(FeatureEntry.unit_slug == slug)
                               .order_by(FeatureEntry.year.desc(), FeatureEntry.series)).all()

    # --- pages ---------------------------------------------------------------------------

    def index(self, session: Session, done: Rendering) -> None:
        lists = [{"title": title_of(n, y), "path": list_page(n, y), "count": c}
                 for n, y, c in self.lists(session)]
        self._put(INDEX, "feature_index.html", done, lists=lists)

    def _entry(self, session: Session, entry: FeatureEntry, units: dict[str, Unit],
               done: Rendering) -> None:
        pages = self.site.pages
        unit = units.get(entry.unit_slug) if entry.unit_slug else None
        items = culture = []
        if unit is not None:
            query = (sa.select(PublishedItem).where(PublishedItem.unit_slug == unit.slug,
                                                    PublishedItem.state == ItemState.PUBLISHED)
                     .order_by(PublishedItem.published_at.desc()))
            # its works: the items in the columns of art works shown whole (企业文化)
            art = [c.id for c in self.ctx.columns if c.whole]
            items = pages.views(session.scalars(
                query.where(PublishedItem.column.not_in(art)).limit(ENTERPRISE_ITEMS)), units)
            culture = pages.views(session.scalars(
                query.where(PublishedItem.column.in_(art)).limit(ENTERPRISE_ITEMS)), units)
        unit_path = addresses.unit(unit.slug) if unit is not None and pages.exists(
            addresses.unit(unit.slug)) else None
        self._put(entry_page(entry.series, entry.year, entry.rank), "feature_enterprise.html",
                  done, entry=entry, list_title=title_of(entry.series, entry.year),
                  list_path=list_page(entry.series, entry.year), unit_path=unit_path,
                  website=entry.website or (unit.site_url if unit and unit.site_url else ""),
                  items=items, culture=culture)

    def write_list(self, session: Session, name: str, year: int, done: Rendering) -> None:
        units = self.site.pages.units(session)
        entries = self.entries(session, name, year)
        for entry in entries:  # the enterprises' pages before the list that links them
            self._entry(session, entry, units, done)
        self._put(list_page(name, year), "feature_list.html", done,
                  title=title_of(name, year), entries=entries,
                  headings=[label for label, _ in entries[0].figures] if entries else [],
                  entry_page=entry_page)

    def every_page(self, session: Session, done: Rendering) -> None:
        for name, year, _ in self.lists(session):
            self.write_list(session, name, year, done)

    def home_block(self, session: Session) -> dict[str, Any]:
        lists = self.lists(session)
        blocks = []
        for name in LISTS:
            newest = next(((n, y) for n, y, _ in lists if n == name), None)
            if newest is not None:
                entries = self.entries(session, *newest)[:HOME_ENTRIES]
                blocks.append({"title": title_of(*newest), "path": list_page(*newest),
                               "entries": [(e.rank, e.name, entry_page(e.series, e.year, e.rank))
                                           for e in entries]})
        return {"features": blocks}

    def item_changed(self, session: Session, item: PublishedItem, done: Rendering) -> None:
        """A featured unit's item came or went: its feature pages list its items."""
        entries = self.entries_of_unit(session, item.unit_slug)
        if entries:
            units = self.site.pages.units(session)
            for entry in entries:
                self._entry(session, entry, units, done)

    def unit_block(self, session: Session, listing: Listing) -> dict[str, Any]:
        if listing.kind != "unit":
            return {}
        return {"featured": [(title_of(e.series, e.year), e.rank,
                              entry_page(e.series, e.year, e.rank))
                             for e in self.entries_of_unit(session, listing.key)]}

    # --- importing -------------------------------------------------------------------------

    def import_list(self, session: Session, name: str, year: int, rows: Sequence[Row]
                    ) -> Rendering:
        """Replace the year's list with ``rows`` and write its pages; the caller holds no lock
        yet: this takes the site lock first."""
        site = self.site
        site.lock(session)
        done = site.ensure_skeleton(session)
        old_ranks = {e.rank for e in self.entries(session, name, year)}
        session.execute(sa.delete(FeatureEntry).where(FeatureEntry.series == name,
                                                      FeatureEntry.year == year))
        units = session.scalars(sa.select(Unit)).all()
        for row in rows:
            session.add(FeatureEntry(series=name, year=year, rank=row.rank, name=row.name,
                                     unit_slug=_match_unit(row, units),
                                     figures=[list(f) for f in row.figures],
                                     citation=row.citation, website=row.website))
        session.flush()
        listed = self.entries(session, name, year)
        # scoring keeps which enterprises the list names, for the review's 企业 column
        outbox.emit(session, FeatureListed(
            series=name, title=title_of(name, year), year=year,
            entries=[ListedEnterprise(rank=e.rank, name=e.name, unit=e.unit_slug)
                     for e in listed]).event(f"{name}-{year}"))
        self.write_list(session, name, year, done)
        self.index(session, done)
        site.pages.home(session, site.pages.units(session), done)
        for slug in {e.unit_slug for e in self.entries(session, name, year) if e.unit_slug}:
            if site.pages.exists(addresses.unit(slug)):  # the unit's page names its feature
                site.pages.front(session, site.pages.unit_listing(slug, site.pages.units(session)),
                                 site.pages.units(session), done)
        for rank in old_ranks - {r.rank for r in rows}:  # nothing links to these now
            site.pages.delete(entry_page(name, year, rank), done)
        return done

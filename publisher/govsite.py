"""What a government site carries beyond its columns: an HTML site map (网站地图) that the
footer links to, and the pages' hooks for the parts of the publisher that own other columns."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from publisher import addresses, guide, queries
from publisher.documents import addresses as doc_addresses
from publisher.documents.publishing import DocumentPages
from publisher.features.pages import INDEX as FEATURES_INDEX
from publisher.features.pages import FeaturePages
from publisher.letters.handlers import INDEX as letters_index
from publisher.letters.handlers import LetterPublishing
from publisher.pages import Pages, Rendering
from publisher.search.articles import reindex as search_reindex
from services.context import Context

if TYPE_CHECKING:
    from publisher.site import Site

SITE_MAP = "sitemap.html"


def write_site_map(pages: Pages, session: Session, done: Rendering) -> None:
    news = [(addresses.column(c.id), c.name) for c in pages.columns]
    docs = [(doc_addresses.column(kind), doc_addresses.COLUMN_NAMES[name])
            for kind, name in doc_addresses.KIND_COLUMNS.items()]
    units = [(addresses.unit(u.slug), u.name) for u in queries.units_with_pages(session)]
    groups = [("新闻栏目", news), ("信息公开与办事服务", docs),
              ("专题", [(FEATURES_INDEX, "重点企业专题（工业五十强、年度突出贡献企业）")]),
              ("报送须知", [(guide.GUIDE, "报送须知（栏目、任务与积分办法）")]),
              ("报送单位", [(addresses.UNITS, "全部报送单位"), *units])]
    pages.put(SITE_MAP, pages.renderer.page("sitemap.html", SITE_MAP, groups=groups), done)


def hook_in(site: Site) -> None:
    """The columns of documents, the features and the site map: written with the skeleton
    and on a rebuild; the features' blocks on the home and unit pages and their pages kept in
    step with the items they list."""
    ctx, pages = site.ctx, site.pages
    doc_pages = DocumentPages(ctx, site)
    feature_pages = FeaturePages(ctx, site)
    site_map = functools.partial(write_site_map, pages)
    write_guide = guide.writer(pages, ctx.settings.rules_path)
    letters = LetterPublishing(ctx)
    pages.extras += [doc_pages.columns, feature_pages.index, site_map, write_guide,
                     letters.write_index]
    pages.extra_keys += [SITE_MAP, FEATURES_INDEX, doc_addresses.column("document"), guide.GUIDE,
                         letters_index]
    pages.rebuild_extras += [doc_pages.every_page, feature_pages.every_page, letters.every_page,
                             functools.partial(search_reindex, ctx.columns)]
    pages.on_new_unit.append(site_map)
    pages.home_extras.append(feature_pages.home_block)
    pages.listing_extras.append(feature_pages.unit_block)
    pages.on_item_changed.append(feature_pages.item_changed)


def portal(ctx: Context) -> Site:
    """The whole portal (a Site hooks every part in)."""
    from publisher.site import Site

    return Site(ctx)

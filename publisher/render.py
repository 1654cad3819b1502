"""Rendering the portal's pages from plain data (no database, no store).

Links are relative, so the same files work under ``/site/`` of the API and at the root of a web
server that serves the site bucket directly.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import nh3
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from services.columns import COLUMNS, Column

ALLOWED_TAGS = {"p", "br", "strong", "em", "b", "i", "u", "ul", "ol", "li", "h2", "h3", "h4",
                "blockquote", "table", "thead", "tbody", "tr", "th", "td"}
_LOOKS_LIKE_HTML = re.compile(r"<\s*(p|br|strong|em|b|i|u|ul|ol|li|h[1-6]|blockquote|table|div)"
                              r"\b", re.IGNORECASE)


def body_html(body: str) -> Markup:
    """The article body as safe HTML: sanitised if it is HTML, paragraphs if it is plain text."""
    if _LOOKS_LIKE_HTML.search(body):
        return Markup(nh3.clean(body, tags=ALLOWED_TAGS, attributes={}))
    paragraphs = [p.strip() for p in re.split(r"\n+", body) if p.strip()]
    return Markup("".join(f"<p>{escape(p)}</p>" for p in paragraphs))


def article_path(submission_id: int) -> str:
    return f"articles/{submission_id}.html"


def column_path(column: str, page: int = 1) -> str:
    return f"columns/{column}/index.html" if page == 1 else f"columns/{column}/page-{page}.html"


@dataclass
class ItemView:
    """One published item as the templates see it."""

    id: int
    title: str
    column: str
    unit_name: str
    informant_name: str
    published_at: dt.datetime
    timezone: str
    body: str = ""
    photos: list[dict[str, Any]] = field(default_factory=list)

    @property
    def path(self) -> str:
        return article_path(self.id)

    @property
    def date(self) -> str:
        return self.published_at.astimezone(ZoneInfo(self.timezone)).strftime("%Y-%m-%d")

    @property
    def body_html(self) -> Markup:
        return body_html(self.body)


class Renderer:
    def __init__(self, site_title: str) -> None:
        self.site_title = site_title
        self.env = Environment(loader=PackageLoader("publisher", "templates"),
                               autoescape=select_autoescape(["html"]), trim_blocks=True)

    def _render(self, template: str, depth: int, **context: Any) -> bytes:
        page = self.env.get_template(template).render(
            site_title=self.site_title, columns=COLUMNS, root="../" * depth, **context)
        return page.encode("utf-8")

    def article(self, item: ItemView, column: Column) -> bytes:
        return self._render("article.html", 1, item=item, column=column)

    def column(self, column: Column, items: Sequence[ItemView], page: int, pages: int) -> bytes:
        return self._render("column.html", 2, column=column, items=items, page=page, pages=pages)

    def home(self, lead: ItemView | None, blocks: Sequence[dict[str, Any]],
             photos: Sequence[ItemView], units: Sequence[Any]) -> bytes:
        return self._render("home.html", 0, lead=lead, blocks=blocks, photos=photos, units=units)

    def stylesheet(self) -> bytes:
        loader = self.env.loader
        assert loader is not None
        source, _, _ = loader.get_source(self.env, "site.css")
        return source.encode("utf-8")

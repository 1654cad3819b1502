"""The publisher's consumer of letters: a consented, approved answer becomes a Q&A page in the
信箱公开 column; a retraction takes it off. The column's index is written again each time.

The page is written from ``LetterPublication``, whose text moderation already cleared of the
writer's personal data; a letter without consent carries no publication and is never written.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from publisher.footer import footer_of
from publisher.letters.models import LetterPage
from publisher.render import Renderer
from services import outbox
from services.clock import office_date, utcnow
from services.context import Context
from services.contracts import letters as c
from services.events import Event
from services.inbox import Subscription

HTML = "text/html; charset=utf-8"
PREFIX = "mailbox/"
INDEX = f"{PREFIX}index.html"


class LetterPublishing:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.zone = ZoneInfo(ctx.settings.timezone)
        self._renderer: Renderer | None = None

    @property
    def renderer(self) -> Renderer:
        # built on first use: the public address may be settled only once the server listens
        if self._renderer is None:
            self._renderer = Renderer(self.ctx.settings.site_title, self.ctx.settings.portal_url,
                                      footer_of(self.ctx.settings), columns=self.ctx.columns)
        return self._renderer

    def write_index(self, session: Session, done: object = None) -> None:
        pages = session.scalars(sa.select(LetterPage).where(LetterPage.live.is_(True))
                                .order_by(LetterPage.replied_on.desc(),
                                          LetterPage.letter_id.desc())).all()
        self.ctx.site.put_bytes(INDEX, self.renderer.mailbox(INDEX, pages=pages,
                                                             labels=c.TYPE_LABELS), HTML)

    def _write_page(self, page: LetterPage) -> None:
        html = self.renderer.letter(
            f"{PREFIX}{page.code}.html", page=page, type_label=c.TYPE_LABELS[page.type],
            received=office_date(page.received_at.astimezone(self.zone).date()),
            replied=office_date(page.replied_on))
        self.ctx.site.put_bytes(f"{PREFIX}{page.code}.html", html, HTML)

    def every_page(self, session: Session, done: object = None) -> None:
        """Every letter on the site and the index again (a rebuild: a changed template or
        columns file shows on these pages too)."""
        for page in session.scalars(sa.select(LetterPage).where(LetterPage.live.is_(True))):
            self._write_page(page)
        self.write_index(session)

    def ensure_index(self) -> None:
        """The column is linked from every page: it is there before its first letter."""
        try:
            self.ctx.site.stat(INDEX)
        except FileNotFoundError:
            with self.ctx.db.session() as session:
                self.write_index(session)

    def replied(self, session: Session, event: Event) -> None:
        p = c.LetterReplied.of(event)
        if p.publication is None:
            return  # no consent: never on the site
        page = session.get(LetterPage, p.letter, with_for_update=True)
        key = f"{PREFIX}{p.code}.html"
        url = f"{self.ctx.settings.portal_url}{key}"
        if page is None:
            page = LetterPage(letter_id=p.letter, code=p.code, type=p.type,
                              received_at=p.received_at, url=url)
            session.add(page)
        pub = p.publication
        page.subject, page.body, page.reply = pub.subject, pub.body, pub.reply
        page.unit_name, page.enterprise = pub.unit_name, pub.enterprise
        page.replied_on = event.time.astimezone(self.zone).date()
        page.live, page.updated_at = True, utcnow()
        session.flush()
        self._write_page(page)
        self.write_index(session)
        outbox.emit(session, c.LetterPublished(letter=p.letter, code=p.code, type=p.type,
                                               received_at=p.received_at, url=url)
                    .event(event.subject))

    def retracted(self, session: Session, event: Event) -> None:
        p = c.LetterRetracted.of(event)
        page = session.get(LetterPage, p.letter, with_for_update=True)
        if page is None or not page.live:
            return
        page.live, page.updated_at = False, utcnow()
        session.flush()
        self.ctx.site.delete(f"{PREFIX}{page.code}.html")
        self.write_index(session)


def subscription(publishing: LetterPublishing) -> Subscription:
    return Subscription(consumer="publisher-letters", handlers={
        c.LetterReplied.TYPE: publishing.replied, c.LetterRetracted.TYPE: publishing.retracted})

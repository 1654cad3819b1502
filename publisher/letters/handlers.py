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

    def _page(self, session: Session, p: c.LetterRef) -> LetterPage:
        """The letter's row, made (not live, no text yet) if this is the first event of it."""
        page = session.get(LetterPage, p.letter, with_for_update=True)
        if page is None:
            url = f"{self.ctx.settings.portal_url}{PREFIX}{p.code}.html"
            page = LetterPage(letter_id=p.letter, code=p.code, type=p.type,
                              received_at=p.received_at, subject="", body="", reply="",
                              unit_name="", replied_on=p.received_at.astimezone(self.zone).date(),
                              live=False, url=url)
            session.add(page)
        return page

    def replied(self, session: Session, event: Event) -> None:
        """The answer goes on the site, unless a newer one is there already (this one came
        late) or the letter was taken off after it: processes relaying the outbox side by side
        may deliver the retraction first."""
        p = c.LetterReplied.of(event)
        if p.publication is None:
            return  # no consent: never on the site
        page = self._page(session, p)
        if page.replied_at is not None and event.time <= page.replied_at:
            return
        pub = p.publication
        page.subject, page.body, page.reply = pub.subject, pub.body, pub.reply
        page.unit_name, page.enterprise = pub.unit_name, pub.enterprise
        page.replied_on = event.time.astimezone(self.zone).date()
        page.replied_at, page.updated_at = event.time, utcnow()
        page.live = page.retracted_at is None or event.time > page.retracted_at
        session.flush()
        if not page.live:
            return
        self._write_page(page)
        self.write_index(session)
        outbox.emit(session, c.LetterPublished(letter=p.letter, code=p.code, type=p.type,
                                               received_at=p.received_at, url=page.url)
                    .event(event.subject))

    def retracted(self, session: Session, event: Event) -> None:
        """Off the site, unless it was answered again after this retraction; a retraction that
        comes before the answer it takes off is kept for it."""
        p = c.LetterRetracted.of(event)
        page = self._page(session, p)
        page.retracted_at = max(page.retracted_at or event.time, event.time)
        if not page.live or (page.replied_at is not None and page.replied_at > page.retracted_at):
            return
        page.live, page.updated_at = False, utcnow()
        session.flush()
        self.ctx.site.delete(f"{PREFIX}{page.code}.html")
        self.write_index(session)


def subscription(publishing: LetterPublishing) -> Subscription:
    return Subscription(consumer="publisher-letters", handlers={
        c.LetterReplied.TYPE: publishing.replied, c.LetterRetracted.TYPE: publishing.retracted})

"""Keeps the writer's view of each letter as moderation and the publisher report.

Events may arrive out of order, so a status, and the deadline, question and answer that go with
it, are taken only from an event at least as new as the one that set the current status; the
address on the site follows the newest publication or retraction; the history is kept in the
order things happened.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from ingest.letters.models import Letter, LetterStatus
from services.contracts import letters as c
from services.contracts.letters import RATING_LABELS
from services.events import Event
from services.inbox import Handler, Subscription

Apply = Callable[[Letter, Event], str | None]  # returns the line for the writer's history


def _newest(letter: Letter, event: Event) -> bool:
    return event.time >= letter.status_at


def _status(letter: Letter, event: Event, status: LetterStatus) -> None:
    if _newest(letter, event):
        letter.status = status
        letter.status_at = event.time


def _assigned(letter: Letter, event: Event) -> str | None:
    p = c.LetterAssigned.of(event)
    if _newest(letter, event):
        letter.due = p.due
    _status(letter, event, LetterStatus.ASSIGNED)
    return f"已转交办理单位，应于 {p.due.month}月{p.due.day}日前答复"


def _declined(letter: Letter, event: Event) -> str | None:
    p = c.LetterDeclined.of(event)
    _status(letter, event, LetterStatus.DECLINED)
    return f"不予受理：{p.reason}"


def _sent_back(letter: Letter, event: Event) -> str | None:
    c.LetterSentBack.of(event)
    if _newest(letter, event):
        letter.due = None
    _status(letter, event, LetterStatus.RECEIVED)
    return "正在重新确定办理单位"


def _paused(letter: Letter, event: Event) -> str | None:
    p = c.LetterPaused.of(event)
    if _newest(letter, event):
        letter.question = p.question
    _status(letter, event, LetterStatus.PAUSED)
    return "办理单位请您补充材料（办理时限暂停计算）"


def _resumed(letter: Letter, event: Event) -> str | None:
    p = c.LetterResumed.of(event)
    if _newest(letter, event):
        letter.due = p.due
    _status(letter, event, LetterStatus.ASSIGNED)
    return f"继续办理，应于 {p.due.month}月{p.due.day}日前答复"


def _extended(letter: Letter, event: Event) -> str | None:
    p = c.LetterExtended.of(event)
    if _newest(letter, event):  # (no later assignment or send-back has set another)
        letter.due = p.due
    return f"办理时限延长至 {p.due.month}月{p.due.day}日"


def _answered(letter: Letter, event: Event) -> str | None:
    c.LetterAnswered.of(event)
    _status(letter, event, LetterStatus.ANSWERED)
    return None  # the centre's review is internal


def _replied(letter: Letter, event: Event) -> str | None:
    p = c.LetterReplied.of(event)
    if _newest(letter, event):
        letter.reply = p.reply
        letter.rating = None  # a new answer (after 发回重办) is rated afresh
        letter.rated_at = None
    _status(letter, event, LetterStatus.REPLIED)
    return "已答复"


def _reopened(letter: Letter, event: Event) -> str | None:
    p = c.LetterReopened.of(event)
    if _newest(letter, event):
        letter.due = p.due
    _status(letter, event, LetterStatus.ASSIGNED)
    return f"已发回办理单位重新办理，应于 {p.due.month}月{p.due.day}日前答复"


def _closed(letter: Letter, event: Event) -> str | None:
    p = c.LetterClosed.of(event)
    if letter.rating is None:
        letter.rating = p.rating
    _status(letter, event, LetterStatus.CLOSED)
    return (f"已办结（逾期未评价，视为{RATING_LABELS[p.rating]}）" if p.by_default
            else "已办结")


def _address(letter: Letter, event: Event, url: str | None) -> None:
    if letter.url_at is None or event.time >= letter.url_at:
        letter.url, letter.url_at = url, event.time


def _published(letter: Letter, event: Event) -> str | None:
    _address(letter, event, c.LetterPublished.of(event).url)
    return "已在网站“信箱公开”栏目公开（个人信息已隐去）"


def _retracted(letter: Letter, event: Event) -> str | None:
    c.LetterRetracted.of(event)
    _address(letter, event, None)
    return "已从网站撤下"


APPLY: dict[str, Apply] = {
    c.LetterAssigned.TYPE: _assigned, c.LetterDeclined.TYPE: _declined,
    c.LetterSentBack.TYPE: _sent_back, c.LetterPaused.TYPE: _paused,
    c.LetterResumed.TYPE: _resumed, c.LetterExtended.TYPE: _extended,
    c.LetterAnswered.TYPE: _answered, c.LetterReplied.TYPE: _replied,
    c.LetterReopened.TYPE: _reopened, c.LetterClosed.TYPE: _closed,
    c.LetterPublished.TYPE: _published, c.LetterRetracted.TYPE: _retracted,
}


def _handler(apply: Apply) -> Handler:
    def handle(session: Session, event: Event) -> None:
        letter = session.get(Letter, event.data.get("letter"), with_for_update=True)
        if letter is None:
            return
        line = apply(letter, event)
        if line:
            entries = [*letter.history, {"at": event.time.isoformat(), "what": line}]
            letter.history = sorted(entries, key=lambda e: str(e.get("at", "")))

    return handle


def subscription() -> Subscription:
    return Subscription(consumer="ingest-letters",
                        handlers={t: _handler(a) for t, a in APPLY.items()})

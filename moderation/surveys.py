"""Screening the text answers of survey ballots with the same lexicon and contact patterns as
submissions. Nothing is stopped (a ballot is counted whatever its words): a text that matches
is held back from everyone but admins, and ``survey.texts_screened`` tells scoring which."""

from __future__ import annotations

from sqlalchemy.orm import Session

from moderation.lexicon import Lexicon
from moderation.text import verdict
from services import outbox
from services.contracts.surveys import BallotCast, HeldText, TextsScreened
from services.events import Event
from services.inbox import Handler, Prepared, Subscription


def held_texts(lexicon: Lexicon, ballot: BallotCast) -> list[HeldText]:
    screener = lexicon.screener()
    held = []
    for unit, answers in ballot.answers.items():
        for question in ballot.text_questions:
            text = answers.get(question)
            if not isinstance(text, str) or not text:
                continue
            findings = [f.to_dict() for f in screener.screen_field(question, text)]
            state = verdict(findings)
            if state != "approved":
                held.append(HeldText(unit=unit, question=question,
                                     verdict=state,  # type: ignore[arg-type]
                                     categories=sorted({str(f["category"])
                                                        for f in findings})))
    return held


def subscription(lexicon: Lexicon) -> Subscription:
    def prepare(event: Event) -> Handler:
        ballot = BallotCast.of(event)
        held = held_texts(lexicon, ballot) if ballot.text_questions else []

        def record(session: Session, event: Event) -> None:
            if not ballot.text_questions:
                return
            outbox.emit(session, TextsScreened(survey=ballot.survey, ballot=ballot.ballot,
                                               held=held).event(event.subject))

        return record

    return Subscription(consumer="moderation-surveys",
                        handlers={BallotCast.TYPE: Prepared(prepare)})

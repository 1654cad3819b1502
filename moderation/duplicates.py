"""Duplicates: an article or a photo sent again, by the same unit or another, found by its
fingerprint and marked as a duplicate of the first with the distance.

Fingerprints live in moderation's own table, one row per article text and per photo, with the
whole 64-bit value (indexed, for exact matches) and its four 16-bit bands (each indexed, for near
matches: see ``fingerprints``). A lookup reads a handful of index entries however large the
archive grows, then counts the exact distance for the few candidates.

What makes an item a duplicate (what scoring reads as ``duplicate_of``): an article whose text
is a near copy of an earlier one, or a photo item with a photo that is a near copy of an earlier
photo. An article that only reuses a photo gets a finding for the moderator but stays an article
of its own. Earlier items of the same revision chain (a returned item sent again) and rejected
items do not count. Checks and inserts are serialised (a PostgreSQL advisory lock; SQLite
writes one transaction at a time anyway), so two copies screened at once cannot both be first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from moderation import fingerprints as fp
from moderation.models import Review, ReviewState
from services.db import Base, UTCDateTime, utcnow

TEXT, PHOTO = "text", "photo"
_LOCK_KEY = 0x62616F736F6E6701  # "baosong" + 1: the advisory lock of duplicate checks


class Fingerprint(Base):
    __tablename__ = "fingerprints"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    submission_id: Mapped[int] = mapped_column(index=True)
    lineage: Mapped[int]  # the first submission of its revision chain
    kind: Mapped[str] = mapped_column(sa.String(8))  # "text" or "photo"
    part: Mapped[int] = mapped_column(default=0)  # the photo's index (0 for the text)
    value: Mapped[int] = mapped_column(sa.BigInteger)  # signed 64-bit view of the fingerprint
    band0: Mapped[int]
    band1: Mapped[int]
    band2: Mapped[int]
    band3: Mapped[int]
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        sa.Index("ix_fingerprints_kind_value", "kind", "value"),
        sa.Index("ix_fingerprints_kind_band0", "kind", "band0"),
        sa.Index("ix_fingerprints_kind_band1", "kind", "band1"),
        sa.Index("ix_fingerprints_kind_band2", "kind", "band2"),
        sa.Index("ix_fingerprints_kind_band3", "kind", "band3"),
    )


class TextBand(Base):
    """One MinHash band key of an article's text (``fingerprints.minhash_bands``): a text that
    shares enough keys with an earlier one is a near copy even when SimHash says no."""
    __tablename__ = "text_bands"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    submission_id: Mapped[int] = mapped_column(index=True)
    lineage: Mapped[int]
    key: Mapped[int] = mapped_column(sa.BigInteger, index=True)


@dataclass(frozen=True)
class Print:
    kind: str
    part: int
    value: int  # unsigned 64-bit
    bands: tuple[int, ...] = ()  # MinHash band keys (texts only)


@dataclass(frozen=True)
class Match:
    kind: str
    part: int  # which part of the new item
    submission: int  # the earlier item
    earlier_part: int
    distance: int
    shared_bands: int = 0  # > 0 when MinHash found it and SimHash did not


def _serialise(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"),
                        {"key": fp.to_signed(_LOCK_KEY)})


def lineage_of(session: Session, submission_id: int, revision_of: int | None) -> int:
    """The first submission of the revision chain ``submission_id`` belongs to."""
    root, seen = submission_id, set()
    current = revision_of
    while current is not None and current not in seen:
        seen.add(current)
        root = current
        review = session.get(Review, current)
        current = review.content.get("revision_of") if review is not None else None
    return root


def _band_columns() -> list[sa.orm.InstrumentedAttribute[int]]:
    return [Fingerprint.band0, Fingerprint.band1, Fingerprint.band2, Fingerprint.band3]


def _candidates(session: Session, new: Print, lineage: int, max_distance: int) -> \
        Sequence[tuple[int, int, int]]:
    """(submission, part, value) of earlier fingerprints that may be within ``max_distance``."""
    signed = fp.to_signed(new.value)
    counted = (sa.select(Fingerprint.submission_id, Fingerprint.part, Fingerprint.value)
               .join(Review, Review.submission_id == Fingerprint.submission_id)
               .where(Fingerprint.kind == new.kind, Fingerprint.lineage != lineage,
                      Review.state != ReviewState.REJECTED))
    exact = session.execute(counted.where(Fingerprint.value == signed)).all()
    if exact:
        return [tuple(row) for row in exact]  # type: ignore[misc]
    radius = fp.band_radius(max_distance)
    # one look-up a band, each on its own index, put together: written as one OR of the four
    # bands, SQLite used the (kind, band) index for the kind alone and read every fingerprint
    # of the kind, a cost that grew with every item ever screened (4 ms at 3,000, inside the
    # write transaction)
    near = sa.union(*(
        counted.where(column.in_(sa.bindparam(
            f"near_{index}", list(fp.near_band_values(band, radius)), expanding=True,
            literal_execute=True)))  # our own integers, written inline: no parameter each
        for index, (column, band) in enumerate(
            zip(_band_columns(), fp.bands(new.value), strict=True))))
    return [tuple(row) for row in session.execute(near).all()]  # type: ignore[misc]


def _band_match(session: Session, new: Print, lineage: int, min_bands: int) -> Match | None:
    """The earliest counted text sharing at least ``min_bands`` MinHash band keys with ``new``."""
    if not new.bands:
        return None
    shared = sa.func.count(TextBand.id)
    rows = session.execute(
        sa.select(TextBand.submission_id, shared)
        .join(Review, Review.submission_id == TextBand.submission_id)
        .where(TextBand.key.in_(list(new.bands)), TextBand.lineage != lineage,
               Review.state != ReviewState.REJECTED)
        .group_by(TextBand.submission_id).having(shared >= min_bands)
        .order_by(TextBand.submission_id).limit(1)).all()
    if not rows:
        return None
    submission, count = rows[0]
    earlier = session.scalar(sa.select(Fingerprint.value).where(
        Fingerprint.submission_id == submission, Fingerprint.kind == TEXT).limit(1))
    dist = fp.distance(new.value, fp.from_signed(earlier)) if earlier is not None else fp.BITS
    return Match(TEXT, new.part, submission, 0, dist, shared_bands=int(count))


def check_and_record(session: Session, submission_id: int, lineage: int,
                     prints: Iterable[Print], max_distance: dict[str, int],
                     min_bands: int = fp.LSH_BANDS // 4) -> list[Match]:
    """Find each fingerprint's first near copy among earlier items, then store the prints.
    A text SimHash finds no copy of is looked up by its MinHash bands too."""
    _serialise(session)
    prints = list(prints)
    matches = []
    for new in prints:
        limit = max_distance[new.kind]
        found = [(submission, part, fp.distance(new.value, fp.from_signed(value)))
                 for submission, part, value in _candidates(session, new, lineage, limit)]
        found = [f for f in found if f[2] <= limit]
        if found:
            submission, part, dist = min(found, key=lambda f: (f[0], f[2], f[1]))
            matches.append(Match(new.kind, new.part, submission, part, dist))
        elif (band_match := _band_match(session, new, lineage, min_bands)) is not None:
            matches.append(band_match)
    # rows, not ORM objects: an article's 32 band keys would cost a unit of work each
    fingerprints = []
    keys = []
    for new in prints:
        b0, b1, b2, b3 = fp.bands(new.value)
        fingerprints.append({"submission_id": submission_id, "lineage": lineage,
                             "kind": new.kind, "part": new.part,
                             "value": fp.to_signed(new.value),
                             "band0": b0, "band1": b1, "band2": b2, "band3": b3})
        keys += [{"submission_id": submission_id, "lineage": lineage, "key": key}
                 for key in new.bands]
    if fingerprints:
        session.execute(sa.insert(Fingerprint), fingerprints)
    if keys:
        session.execute(sa.insert(TextBand), keys)
    return matches


def duplicate_findings(matches: Iterable[Match], titles: dict[int, str],
                       filenames: list[str]) -> list[dict[str, Any]]:
    """One finding per part sent again, for the moderator (never blocking: a person decides)."""
    out: list[dict[str, Any]] = []
    for match in matches:
        earlier = f"稿件 #{match.submission}"
        if titles.get(match.submission):
            earlier += f"《{titles[match.submission]}》"
        common = {"category": "duplicate", "action": "flag",
                  "duplicate_of": match.submission, "duplicate_distance": match.distance}
        if match.kind == TEXT:
            how = (f"MinHash {match.shared_bands}/{fp.LSH_BANDS} 段相同" if match.shared_bands
                   else f"SimHash 相差 {match.distance} 位")
            out.append({
                "rule": "duplicate:text", "entry": "minhash" if match.shared_bands else "simhash",
                "field": "body", **common,
                "message": f"正文与{earlier}相同或几乎相同（{how}）"})
        else:
            name = filenames[match.part] if match.part < len(filenames) else ""
            out.append({
                "rule": "duplicate:photo", "entry": "phash", "field": "photos",
                "photo": match.part, "filename": name, "duplicate_photo": match.earlier_part,
                **common,
                "message": f"照片 {name} 与{earlier}的第 {match.earlier_part + 1} 张照片相同或几乎"
                           f"相同（感知哈希相差 {match.distance} 位）"})
    return out


def item_duplicate(kind: str, findings: Sequence[dict[str, Any]]) -> tuple[int, int] | None:
    """(duplicate_of, distance) when the item as a whole is a copy of an earlier one: its text
    is, or (for a photo item) one of its photos is; the earliest such item counts."""
    text = [f for f in findings if f.get("rule") == "duplicate:text"]
    if text:
        return int(text[0]["duplicate_of"]), int(text[0]["duplicate_distance"])
    if kind != "photo":
        return None
    photos = [f for f in findings if f.get("rule") == "duplicate:photo"]
    if not photos:
        return None
    first = min(photos, key=lambda f: (f["duplicate_of"], f["duplicate_distance"]))
    return int(first["duplicate_of"]), int(first["duplicate_distance"])

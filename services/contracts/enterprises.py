"""What the publisher tells scoring about enterprises for the year-end review: how often each
published item was read on a day, and which enterprises a featured list (工业五十强 / 突出贡献
企业) names. Neither names a reader: a read total is a number per item per day."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, ClassVar

from pydantic import Field

from services.contracts.payload import Contract, Payload

Day = Annotated[dt.date, Field(strict=False)]  # an ISO date on the wire


class ItemRead(Payload):
    """The day's read total of one item so far: a later total of the same day replaces an
    earlier one, so a total delivered twice or late counts once."""

    TYPE: ClassVar[str] = "item.read"

    item: int  # the submission id
    unit: str
    column: str
    day: Day
    reads: int = Field(ge=0)


class ListedEnterprise(Contract):
    rank: int
    name: str
    unit: str | None = None  # the unit it was matched to, if any


class FeatureListed(Payload):
    """A year's list as imported; importing the list again replaces it."""

    TYPE: ClassVar[str] = "feature.listed"

    series: str  # top50, contributors
    title: str  # 2025年度工业五十强
    year: int
    entries: list[ListedEnterprise] = Field(default_factory=list)

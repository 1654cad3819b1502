"""The base of every event payload, and the registry from event type to payload type."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, ClassVar, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    SerializerFunctionWrapHandler,
    ValidationError,
    model_serializer,
)

from services.events import Event, InvalidEvent

_REGISTRY: dict[str, type[Payload]] = {}


def _aware(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        raise ValueError("a time on the wire carries its zone")
    return value


# A time as the wire carries it: ISO 8601 with its offset, written as ``isoformat()`` writes it
# (pydantic's own JSON form would turn +00:00 into Z, which is not what other systems read).
Timestamp = Annotated[dt.datetime, Field(strict=False), AfterValidator(_aware),
                      PlainSerializer(lambda value: value.isoformat(), return_type=str)]

# A JSON object whose inside belongs to the component that wrote it (a screening finding, say).
JsonObject = dict[str, Any]


class Contract(BaseModel):
    """A frozen part of a payload: strict types (no "7" for 7), unknown fields ignored so that
    a producer may add a field before every consumer knows it."""

    model_config = ConfigDict(frozen=True, extra="ignore", strict=True)

    # The order of the keys on the wire, where it is not the order of the fields (a payload
    # that shares its first fields with others but was sent in another order before).
    WIRE_ORDER: ClassVar[tuple[str, ...]] = ()

    @model_serializer(mode="wrap")
    def _in_wire_order(self, dump: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = dump(self)
        if not self.WIRE_ORDER:
            return data
        first = {k: data[k] for k in self.WIRE_ORDER if k in data}
        return first | {k: v for k, v in data.items() if k not in first}


class Payload(Contract):
    """The ``data`` of one event type: frozen, validated when read, dumped as JSON types."""

    TYPE: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        event_type = cls.__dict__.get("TYPE")
        if event_type:
            if event_type in _REGISTRY and _REGISTRY[event_type].__qualname__ != cls.__qualname__:
                raise TypeError(f"two payload types for {event_type}: "
                                f"{_REGISTRY[event_type].__qualname__} and {cls.__qualname__}")
            _REGISTRY[event_type] = cls

    def to_data(self) -> dict[str, Any]:
        """The event's ``data`` as it goes on the wire."""
        return self.model_dump(mode="json")

    def event(self, subject: str = "") -> Event:
        if not self.TYPE:
            raise TypeError(f"{type(self).__qualname__} names no event type")
        return Event(type=self.TYPE, subject=subject, data=self.to_data())

    @classmethod
    def of(cls, event: Event) -> Self:
        """The payload of ``event``, which must be of this type (InvalidEvent if it is not)."""
        if cls.TYPE and event.type != cls.TYPE:
            raise InvalidEvent(f"{event.type} is not {cls.TYPE}")
        return cls.from_data(event.data)

    @classmethod
    def from_data(cls, data: Any) -> Self:
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise InvalidEvent(f"{cls.TYPE or cls.__qualname__}: {exc}") from exc


def payload_type(event_type: str) -> type[Payload] | None:
    """The payload type registered for ``event_type`` (None for a type nobody declared)."""
    return _REGISTRY.get(event_type)


def registered_types() -> dict[str, type[Payload]]:
    return dict(_REGISTRY)


def read(event: Event) -> Payload:
    """The payload of ``event``, of the type its event type declares (InvalidEvent if none is
    declared, or if the data does not fit it)."""
    declared = _REGISTRY.get(event.type)
    if declared is None:
        raise InvalidEvent(f"no payload type is declared for {event.type}")
    return declared.from_data(event.data)


def check(event: Event) -> None:
    """Raise InvalidEvent unless the event's data fits the payload type of its event type (an
    event type nobody declared is left to its handlers)."""
    declared = _REGISTRY.get(event.type)
    if declared is not None:
        declared.from_data(event.data)

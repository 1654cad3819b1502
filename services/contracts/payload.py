"""The base of every event payload, and the registry from event type to payload type."""

from __future__ import annotations

from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, ValidationError

from services.events import Event, InvalidEvent

_REGISTRY: dict[str, type[Payload]] = {}


class Payload(BaseModel):
    """The ``data`` of one event type: frozen, validated when read, dumped as JSON types."""

    # Unknown fields are ignored when read, so that a producer may add a field before every
    # consumer knows it; a field that is missing or of the wrong type makes the event invalid.
    model_config = ConfigDict(frozen=True, extra="ignore")

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

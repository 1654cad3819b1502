"""Event contracts: one frozen payload type per event type, in pure modules (no database,
broker or web framework), so that pure logic and every component read the same names.

An event's wire format is the CloudEvents envelope of ``services.events`` with the payload's
fields as its ``data``; a payload is validated when an event is read (``services.inbox``
checks it before any handler runs), and an event whose data does not fit its type is an
``InvalidEvent``: dead-lettered at once, never retried.

Declare a payload by subclassing ``Payload`` with a ``TYPE``; it registers itself::

    class LetterReceived(Payload):
        TYPE: ClassVar[str] = "letter.received"
        letter: LetterId
        ...

and build or read one with ``payload.event(subject)`` and ``LetterReceived.of(event)``.

The modules here: ``submissions`` (a submission from its upload to the site and the ledger),
``scoring`` (``score.changed``), ``topics`` (``topic.created``), ``letters`` (the public
mailbox, 公共信箱), ``enterprises`` (read totals and featured lists for the review).
"""

from services.contracts import enterprises, letters, scoring, submissions, topics
from services.contracts.payload import Payload, check, payload_type, read, registered_types

__all__ = ["Payload", "check", "enterprises", "letters", "payload_type", "read", "registered_types",
           "scoring", "submissions", "topics"]

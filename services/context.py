"""What every component is handed at start: settings, the database and the two object stores."""

from __future__ import annotations

from dataclasses import dataclass

from services.db import Database
from services.settings import Settings
from services.storage import ObjectStore


@dataclass
class Context:
    settings: Settings
    db: Database
    uploads: ObjectStore  # what informants sent: private
    site: ObjectStore  # the published portal: public

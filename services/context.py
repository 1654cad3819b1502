"""What every component is handed at start: settings, the database, the two object stores and
the configured columns."""

from __future__ import annotations

from dataclasses import dataclass, field

from services.columns import Columns, load
from services.db import Database
from services.settings import Settings
from services.storage import ObjectStore


@dataclass
class Context:
    settings: Settings
    db: Database
    uploads: ObjectStore  # what informants sent: private
    site: ObjectStore  # the published portal: public
    columns: Columns = field(default_factory=load)  # read once at start (Settings.columns)

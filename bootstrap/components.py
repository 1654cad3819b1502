"""Every component, its commands and its tables, and the context they are built on."""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa

import ingest.component
import moderation.cli
import moderation.component
import moderation.letters.cli
import publisher.cli
import publisher.component
import publisher.features.cli
import scoring.cli
import scoring.component
from services import columns, migrate
from services.component import Component
from services.context import Context
from services.db import Base, Database
from services.settings import Settings
from services.storage import ObjectStore
from services.storage.folder import FolderStore

if TYPE_CHECKING:
    import typer

COMPONENTS = (ingest.component, moderation.component, publisher.component, scoring.component)

COMMANDS: dict[str, typer.Typer] = {"scores": scoring.cli.app, "lexicon": moderation.cli.app,
                                    "site": publisher.cli.app,
                                    "features": publisher.features.cli.app,
                                    "letters": moderation.letters.cli.app}


def metadata() -> sa.MetaData:
    """Every table of every component (their models are imported with the components)."""
    import ingest.documents.models
    import ingest.letters.models
    import ingest.models
    import ingest.surveys.models
    import ingest.topics  # noqa: F401
    import moderation.documents.models
    import moderation.duplicates
    import moderation.letters.models
    import moderation.lexicon
    import moderation.models
    import moderation.reasons  # noqa: F401
    import publisher.documents.models
    import publisher.features.models
    import publisher.letters.models
    import publisher.links.models
    import publisher.models
    import publisher.reads
    import publisher.search.models  # noqa: F401
    import scoring.letters.models
    import scoring.models
    import scoring.review.enterprise_facts
    import scoring.surveys.models  # noqa: F401
    import services.audit
    import services.bus.local
    import services.identity
    import services.inbox
    import services.outbox
    import services.web_session.store  # noqa: F401

    return Base.metadata


def _stores(settings: Settings) -> tuple[ObjectStore, ObjectStore]:
    if settings.embedded_store:
        root = settings.data_dir / "objects"
        return FolderStore(root / settings.uploads_bucket), FolderStore(root / settings.site_bucket)
    from services.storage.minio import MinioStore, make_client

    client = make_client(settings.s3_endpoint, settings.s3_access_key, settings.s3_secret_key,
                         secure=settings.s3_secure, region=settings.s3_region)
    return MinioStore(client, settings.uploads_bucket), MinioStore(client, settings.site_bucket)


def build_context(settings: Settings) -> Context:
    """Settings, database and stores, connected to nothing yet (``baosong check`` must run with
    the database away)."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    uploads, site = _stores(settings)
    return Context(settings=settings, db=Database(settings.database_url), uploads=uploads,
                   site=site, columns=columns.load(settings.columns_path))


def prepare(ctx: Context) -> None:
    """Schema up to date, buckets there: what every process needs before it serves."""
    migrate.upgrade(ctx.settings.database_url, metadata())
    _columns_in_use(ctx)
    ctx.uploads.ensure()
    ctx.site.ensure()


def build_components(ctx: Context) -> list[Component]:
    return [module.build(ctx) for module in COMPONENTS]


def _columns_in_use(ctx: Context) -> None:
    """A column that items are in may not leave the columns file: refuse to start instead."""
    from ingest.models import Submission
    from publisher.models import PublishedItem

    with ctx.db.session() as session:
        used = set(session.scalars(sa.select(PublishedItem.column).distinct()))
        used |= set(session.scalars(sa.select(Submission.column).distinct()))
    columns.check_in_use(ctx.columns, used)

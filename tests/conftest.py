"""Fixtures. Real PostgreSQL, RabbitMQ and an S3 server are required: when one cannot be
reached the tests that need it fail (they never skip), so a green run has used them all."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from services.settings import Settings
from tests.support import Pipeline, postgres_database, rabbitmq_vhost, s3_server


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "var", _env_file=None)  # type: ignore[call-arg]


@pytest.fixture
def pg_url() -> Iterator[str]:
    with postgres_database() as url:
        yield url


@pytest.fixture(scope="session")
def amqp_url() -> Iterator[str]:
    with rabbitmq_vhost() as url:
        yield url


@pytest.fixture
def amqp_settings(amqp_url: str, tmp_path: Path) -> Settings:
    """Settings on the test vhost, with an exchange and queues of this test's own."""
    tag = uuid.uuid4().hex[:8]
    return Settings(data_dir=tmp_path / "var", broker_url=amqp_url,  # type: ignore[call-arg]
                    exchange=f"baosong.events.{tag}", queue_prefix=f"baosong-{tag}",
                    _env_file=None)


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    with s3_server() as endpoint:
        yield endpoint


@pytest.fixture
def pipeline(settings: Settings) -> Iterator[Pipeline]:
    p = Pipeline(settings)
    yield p
    p.close()


@dataclass
class City:
    """A small city: two counties, an enterprise, a department, their people."""

    pipeline: Pipeline
    informant: str  # 青山县
    informant2: str  # 临江区
    enterprise: str  # 华远机械
    moderator: str
    admin: str


@pytest.fixture
def city(pipeline: Pipeline) -> City:
    p = pipeline
    p.unit("qingshan", "青山县经济和信息化局", "county", "http://qingshan.example.gov.cn")
    p.unit("linjiang", "临江区经济和信息化局", "county")
    p.unit("huayuan", "华远机械股份有限公司", "enterprise")
    p.unit("office", "市经信委办公室", "department")
    return City(
        pipeline=p,
        informant=p.user("王晓明", unit="qingshan"),
        informant2=p.user("李娜", unit="linjiang"),
        enterprise=p.user("陈静", unit="huayuan"),
        moderator=p.user("周敏", role="moderator"),
        admin=p.user("孙伟", role="admin"),
    )

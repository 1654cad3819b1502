"""The deployment files agree with the code (no Docker engine runs here to try them)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import typer
import yaml

from entrypoints.cli import cli
from services.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text())
DOCKERFILE = (ROOT / "deploy" / "Dockerfile").read_text()


def _baosong_services() -> dict[str, dict[str, object]]:
    return {name: svc for name, svc in COMPOSE["services"].items()
            if svc.get("image") == "baosong:latest"}


def test_compose_runs_every_component_with_two_moderation_workers() -> None:
    commands = {name: svc["command"] for name, svc in _baosong_services().items()}
    assert {tuple(c) for c in commands.values()} >= {
        ("baosong", "api"), ("baosong", "worker"), ("baosong", "publisher"),
        ("baosong", "scoring"), ("baosong", "beat"), ("baosong", "migrate")}
    assert COMPOSE["services"]["worker"]["deploy"]["replicas"] == 2
    assert {"postgres", "rabbitmq", "s3", "web"} <= set(COMPOSE["services"])


def test_the_object_store_is_a_maintained_s3_server_the_app_and_nginx_reach() -> None:
    """MinIO's community edition is no longer maintained: SeaweedFS serves S3 (the app keeps its
    MinIO client, which speaks S3 to it), and its identities let the app in with the compose
    file's keys and anyone read the site bucket (nginx serves it)."""
    import json

    s3 = COMPOSE["services"]["s3"]
    assert s3["image"].startswith("chrislusf/seaweedfs:") and "minio" not in str(s3).lower()
    assert "server" in s3["command"] and "-s3" in s3["command"]
    port = next(a for a in s3["command"] if a.startswith("-s3.port=")).split("=")[1]
    env = COMPOSE["x-baosong"]["environment"]
    assert env["BAOSONG_S3_ENDPOINT"] == f"http://s3:{port}"
    assert COMPOSE["services"]["web"]["environment"]["BAOSONG_SITE_UPSTREAM"] == f"s3:{port}"
    [config_arg] = [a for a in s3["command"] if a.startswith("-s3.config=")]
    [mount] = [v for v in s3["volumes"] if v.endswith(f":{config_arg.split('=')[1]}:ro")]
    identities = json.loads((ROOT / "deploy" / mount.split(":")[0]).read_text())["identities"]
    keys = {(c["accessKey"], c["secretKey"]) for i in identities for c in i.get("credentials", [])}
    assert (env["BAOSONG_S3_ACCESS_KEY"], env["BAOSONG_S3_SECRET_KEY"]) in keys
    anonymous = next(i for i in identities if i["name"] == "anonymous")
    site_bucket = COMPOSE["services"]["web"]["environment"]["BAOSONG_SITE_BUCKET"]
    assert anonymous["actions"] == [f"Read:{site_bucket}"]  # the uploads stay private
    assert all("minio" not in str(svc.get("image", "")) for svc in COMPOSE["services"].values())


def test_the_queues_are_quorum_queues_with_a_delivery_limit() -> None:
    env = COMPOSE["x-baosong"]["environment"]
    assert env["BAOSONG_QUEUE_TYPE"] == "quorum" and int(env["BAOSONG_DELIVERY_LIMIT"]) >= 1


def test_nginx_gets_every_variable_its_template_uses() -> None:
    import re

    template = (ROOT / "deploy" / "nginx" / "baosong.conf.template").read_text()
    used = set(re.findall(r"\$\{(BAOSONG_[A-Z_]+)\}", template))
    assert used and used <= set(COMPOSE["services"]["web"]["environment"])
    mount = COMPOSE["services"]["web"]["volumes"][0].split(":")[0]
    assert (ROOT / "deploy" / mount).resolve() == (ROOT / "deploy/nginx/baosong.conf.template")


def test_every_long_running_service_has_a_health_check() -> None:
    for name, svc in COMPOSE["services"].items():
        if name == "migrate":  # a one-shot job
            continue
        assert "test" in svc["healthcheck"], name


def test_compose_settings_and_commands_exist_in_the_code() -> None:
    fields = {f"BAOSONG_{name.upper()}" for name in Settings.model_fields}
    commands = set(typer.main.get_command(cli).commands)  # type: ignore[attr-defined]
    for name, svc in _baosong_services().items():
        assert set(svc["environment"]) <= fields, name
        assert svc["command"][1] in commands, name


def test_the_image_holds_every_package_the_project_ships() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    for pattern in pyproject["tool"]["setuptools"]["packages"]["find"]["include"]:
        package = pattern.rstrip("*")
        assert f"COPY {package} ./{package}" in DOCKERFILE, package


def test_prometheus_scrapes_every_process_and_grafana_loads_the_dashboard() -> None:
    config = yaml.safe_load((ROOT / "deploy" / "prometheus" / "prometheus.yml").read_text())
    port = str(COMPOSE["x-baosong"]["environment"]["BAOSONG_METRICS_PORT"])
    targets = set()
    for job in config["scrape_configs"]:
        for static in job.get("static_configs", ()):
            targets |= set(static["targets"])
        for dns in job.get("dns_sd_configs", ()):
            targets |= {f"{name}:{dns['port']}" for name in dns["names"]}
    assert "api:8000" in targets  # the API's own port
    for name in ("worker", "publisher", "scoring"):
        assert f"{name}:{port}" in targets, name
    mounts = [volume.split(":") for volume in COMPOSE["services"]["prometheus"]["volumes"]]
    assert ["./prometheus/prometheus.yml", "/etc/prometheus/prometheus.yml", "ro"] in mounts
    grafana = [volume.split(":") for volume in COMPOSE["services"]["grafana"]["volumes"]]
    for source, *_ in grafana:
        assert not source.startswith(".") or (ROOT / "deploy" / source).exists(), source
    assert any(source == "./grafana/baosong.json" for source, *_ in grafana)

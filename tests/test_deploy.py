"""deploy/compose.yaml is read here without Docker (the test machines have no Docker daemon): the
services are there, every API and worker gets the database, broker and S3 settings, what it builds
or runs exists, and every `TALKTRACK_*` variable it sets is a real setting."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
COMPOSE = REPO / "deploy" / "compose.yaml"
APIS = ("api1", "api2")
WORKERS = ("worker",)


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    compose = yaml.safe_load(COMPOSE.read_text())  # PyYAML resolves the `<<:` merge keys and aliases
    return dict(compose["services"])


def test_every_part_of_the_recipe_is_there(services: dict[str, Any]) -> None:
    assert set(services) == {*APIS, *WORKERS, "postgres", "redis", "minio", "minio-bucket", "migrate", "proxy"}
    for name in ("postgres", "redis", "minio", *APIS, *WORKERS):
        assert services[name]["healthcheck"]["test"], name
    for name in ("migrate", "minio-bucket"):  # one-shot steps the APIs and workers wait for
        assert services[name]["restart"] == "no"
        for app in (*APIS, *WORKERS):
            assert services[app]["depends_on"][name] == {"condition": "service_completed_successfully"}


def test_apis_and_workers_share_postgres_redis_and_s3(services: dict[str, Any]) -> None:
    for name in (*APIS, *WORKERS, "migrate"):
        env = services[name]["environment"]
        assert env["TALKTRACK_DATABASE_URL"].startswith("postgresql://talktrack:")
        assert env["TALKTRACK_DATABASE_URL"].endswith("@postgres:5432/talktrack")
        assert env["TALKTRACK_BROKER_URL"] == "redis://redis:6379/0"
        assert env["TALKTRACK_STORAGE_URL"] == "s3://talktrack/audio"
        assert env["AWS_ENDPOINT_URL"] == "http://minio:9000"
        assert env["AWS_ACCESS_KEY_ID"] == services["minio"]["environment"]["MINIO_ROOT_USER"]
        assert env["AWS_SECRET_ACCESS_KEY"] == services["minio"]["environment"]["MINIO_ROOT_PASSWORD"]
        assert env["AWS_DEFAULT_REGION"]
        assert env["TALKTRACK_SECRET_KEY"].startswith("${TALKTRACK_SECRET_KEY:?")  # one key everywhere
    assert "mb --ignore-existing store/talktrack" in services["minio-bucket"]["command"][0]
    for name in APIS:
        assert services[name]["command"][0] == "serve"
    for name in WORKERS:
        assert services[name]["command"][0] == "worker"
    assert services["worker"]["deploy"]["replicas"] == 2
    caddyfile = yaml.safe_load(COMPOSE.read_text())["configs"]["caddyfile"]["content"]
    assert "reverse_proxy api1:8000 api2:8000" in caddyfile


def test_images_are_built_from_this_repository(services: dict[str, Any]) -> None:
    for name in (*APIS, *WORKERS, "migrate"):
        build = services[name]["build"]
        assert (COMPOSE.parent / build["context"] / build["dockerfile"]).resolve() == REPO / "Dockerfile"
    dockerfile = (REPO / "Dockerfile").read_text()
    assert 'ENTRYPOINT ["talktrack"]' in dockerfile  # commands above are `talktrack` subcommands
    for name in ("postgres", "redis", "minio", "minio-bucket", "proxy"):
        assert ":" in services[name]["image"], name


def test_every_talktrack_variable_is_a_setting(services: dict[str, Any]) -> None:
    from service.core.config import Settings

    known = {f"TALKTRACK_{name.upper()}" for name in Settings.model_fields}
    used = {k for name in (*APIS, *WORKERS) for k in services[name]["environment"] if k.startswith("TALKTRACK_")}
    assert used <= known, used - known

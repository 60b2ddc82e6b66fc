"""docker-compose.yml: valid for the compose spec, and the rules the spec cannot express."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from producers.models import TOPICS
from producers.settings import Settings
from tests.stack.conftest import require
from tests.stack.stack_files import (
    COMPOSE,
    ROOT,
    compose,
    compose_variables,
    documented_variables,
    required_secrets,
    venv_tool,
)

SERVICES: dict[str, Any] = compose()["services"]
ONE_SHOT = "service_completed_successfully"
PINNED_TAG = re.compile(r":v?\d+(\.\d+)*(-[a-z0-9.]+)?$")
# An image version is a variable with a pinned default: `repo:${NAME_VERSION:-v1.2.3}`.
VERSION_VARIABLE = re.compile(r":\$\{(?P<name>[A-Z_]+_VERSION):-(?P<default>[^}]+)\}$")


def _image_default(image: str) -> str:
    """The image reference `make up` pulls when `.env` sets no version."""
    match = VERSION_VARIABLE.search(image)
    return image[: match.start()] + ":" + match["default"] if match else image


def _schema_check(path: Path) -> subprocess.CompletedProcess[str]:
    tool = venv_tool("check-jsonschema")
    require(tool is not None, "check-jsonschema is not installed (pip install -e '.[dev]')")
    assert tool is not None
    return subprocess.run(
        [tool, "--builtin-schema", "vendor.compose-spec", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_compose_file_matches_the_compose_spec() -> None:
    result = _schema_check(COMPOSE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_schema_check_catches_a_broken_file(tmp_path: Path) -> None:
    broken = compose()
    broken["services"]["dbt"]["depends_on"]["topics"]["condition"] = "whenever"
    path = tmp_path / "docker-compose.yml"
    path.write_text(yaml.safe_dump(broken), encoding="utf-8")
    assert _schema_check(path).returncode != 0


def _compose_command() -> list[str]:
    """Docker Compose v2: the docker plugin, else a standalone binary (PATH or .cache/bin)."""
    docker = shutil.which("docker")
    if (
        docker
        and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0
    ):
        return [docker, "compose"]
    standalone = shutil.which("docker-compose") or ROOT / ".cache" / "bin" / "docker-compose"
    require(Path(standalone).exists(), "Docker Compose v2 is not installed")
    return [str(standalone)]


def _compose_config(
    path: Path, secrets: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`compose config` resolves variables, anchors and references; it needs no engine."""
    environment = {key: value for key, value in os.environ.items() if key not in _variables()}
    return subprocess.run(
        [*_compose_command(), "--file", str(path), "config", "--quiet"],
        capture_output=True,
        text=True,
        check=False,
        env={**environment, **(required_secrets() if secrets is None else secrets)},
    )


def _variables() -> set[str]:
    return compose_variables(COMPOSE.read_text(encoding="utf-8"))


def test_docker_compose_accepts_the_file_with_defaults_and_therequired_secrets() -> None:
    result = _compose_config(COMPOSE)
    assert result.returncode == 0, result.stderr


def test_docker_compose_refuses_to_start_without_the_secrets() -> None:
    secrets = required_secrets()
    assert set(secrets) == {
        "RISINGWAVE_ROOT_PASSWORD",
        "CASE_SERVICE_DB_PASSWORD",
        "DECISION_SERVICE_DB_PASSWORD",
        "GRAFANA_ADMIN_PASSWORD",
        "GRAFANA_DB_PASSWORD",
    }
    for name in secrets:
        result = _compose_config(COMPOSE, {key: v for key, v in secrets.items() if key != name})
        assert result.returncode != 0
        assert f"set {name} in .env" in result.stderr


def test_docker_compose_catches_what_the_schema_cannot(tmp_path: Path) -> None:
    broken = compose()
    broken["services"]["grafana"]["depends_on"]["dbt_job"] = {"condition": ONE_SHOT}
    for spec in broken["services"].values():
        if "build" in spec:  # build contexts must exist, wherever the copy lives
            spec["build"]["context"] = str(ROOT / spec["build"]["context"])
    path = tmp_path / "docker-compose.yml"
    path.write_text(yaml.safe_dump(broken), encoding="utf-8")
    assert _schema_check(path).returncode == 0
    result = _compose_config(path)
    assert result.returncode != 0
    assert "dbt_job" in result.stderr


def test_project_is_named() -> None:
    assert compose()["name"] == "fraud-pipeline"


def _dependencies() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (service, target, options)
        for service, spec in SERVICES.items()
        for target, options in spec.get("depends_on", {}).items()
    ]


def test_every_dependency_exists_and_has_a_condition() -> None:
    for service, target, options in _dependencies():
        assert target in SERVICES, f"{service} depends on unknown service {target}"
        assert options.get("condition"), f"{service} -> {target} has no condition"


def _one_shots() -> set[str]:
    return {name for name, spec in SERVICES.items() if spec.get("restart") == "no"}


# Long-running services without a healthcheck (their minimal images need not ship wget or curl),
# each with the `make validate` check that covers it instead.
UNCHECKED = {"redpanda-console": "Redpanda Console answers"}


def test_every_service_is_health_checked_or_an_awaited_one_shot() -> None:
    awaited = {target for _, target, options in _dependencies() if options["condition"] == ONE_SHOT}
    for name, spec in SERVICES.items():
        if name in _one_shots():
            assert "healthcheck" not in spec, f"one-shot {name} needs no healthcheck"
            assert name in awaited, f"nobody waits for one-shot {name} to finish"
        elif name in UNCHECKED:
            assert "healthcheck" not in spec, f"{name}: see UNCHECKED"
        else:
            assert spec.get("healthcheck", {}).get("test"), f"{name} has no healthcheck"


def test_dependencies_wait_for_health_or_completion() -> None:
    for service, target, options in _dependencies():
        expected = ONE_SHOT if target in _one_shots() else "service_healthy"
        if target in UNCHECKED:
            expected = "service_started"
        assert options["condition"] == expected, f"{service} -> {target}"


def test_unchecked_services_are_checked_by_validate() -> None:
    script = (ROOT / "scripts" / "check_pipeline.sh").read_text(encoding="utf-8")
    for name, check in UNCHECKED.items():
        assert f'check "{check}"' in script, f"make validate does not check {name}"


def test_images_are_pinned_to_versions_in_variables() -> None:
    for name, spec in SERVICES.items():
        if "image" in spec:
            assert VERSION_VARIABLE.search(spec["image"]), f"{name}: version not in a variable"
            default = _image_default(spec["image"])
            assert PINNED_TAG.search(default), f"{name}: {default} is not pinned"
        else:
            assert "build" in spec, f"{name} has neither image nor build"


def test_env_example_and_the_architecture_doc_give_the_pinned_versions() -> None:
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    architecture = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    for spec in SERVICES.values():
        if match := VERSION_VARIABLE.search(spec.get("image", "")):
            assert f"\n{match['name']}={match['default']}\n" in example, match["name"]
            reference = _image_default(spec["image"]).removeprefix("docker.redpanda.com/")
            assert f"`{reference}`" in architecture, reference


def _dockerfiles() -> dict[str, Path]:
    return {
        name: ROOT / spec["build"]["context"] / spec["build"]["dockerfile"]
        for name, spec in SERVICES.items()
        if "build" in spec
    }


@pytest.mark.parametrize("service", sorted(_dockerfiles()))
def test_built_images_are_pinned_and_run_as_non_root(service: str) -> None:
    dockerfile = _dockerfiles()[service]
    lines = [line.strip() for line in dockerfile.read_text(encoding="utf-8").splitlines()]
    bases = [line.split()[1] for line in lines if line.upper().startswith("FROM ")]
    assert bases, f"{dockerfile}: no FROM"
    for base in bases:
        assert re.search(r":\d+(\.\d+)+", base), f"{dockerfile}: {base} is not pinned"
    users = [line.split()[1] for line in lines if line.upper().startswith("USER ")]
    assert users, f"{dockerfile}: runs as root"
    assert users[-1] not in {"root", "0"}, f"{dockerfile}: last USER is root"
    entrypoint = next(line for line in lines if line.upper().startswith("ENTRYPOINT"))
    assert entrypoint.split(maxsplit=1)[1].startswith("["), "entrypoint must be exec form"


def test_host_ports_are_loopback_only() -> None:
    for name, spec in SERVICES.items():
        for port in spec.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), f"{name} publishes {port} on all interfaces"


def test_every_variable_is_documented_in_env_example() -> None:
    undocumented = compose_variables(COMPOSE.read_text(encoding="utf-8")) - documented_variables()
    assert not undocumented, f"add to .env.example: {sorted(undocumented)}"


def test_every_variable_has_a_default() -> None:
    text = COMPOSE.read_text(encoding="utf-8").replace("$$", "")
    bare = re.findall(r"\$\{([A-Z_][A-Z0-9_]*)\}", text)
    assert not bare, f"these need a default so .env stays optional: {bare}"


def test_memory_hungry_services_are_capped() -> None:
    for name in ("redpanda", "risingwave"):
        assert SERVICES[name].get("mem_limit"), f"{name} has no memory limit"


def test_producer_environment_is_the_producer_settings() -> None:
    passed = set(SERVICES["producer"]["environment"])
    settings = {name.upper() for name in Settings.model_fields}
    assert passed <= settings, f"not producer settings: {sorted(passed - settings)}"
    assert SERVICES["producer"]["environment"]["KAFKA_BOOTSTRAP_SERVERS"] == "redpanda:9092"
    # A live stack runs on the wall clock, whatever `.env` says.
    assert SERVICES["producer"]["environment"]["START_TIME"] == ""


def test_dbt_job_and_topics_read_the_producers_settings_from_the_same_env() -> None:
    """The structuring threshold (dbt) and the topic sizes (topics) are the producer's settings."""
    for name, setting in [("dbt", "STRUCTURING_THRESHOLD"), ("topics", "TOPIC_PARTITIONS")]:
        assert SERVICES[name]["env_file"] == SERVICES["producer"]["env_file"], name
        assert setting not in SERVICES[name]["environment"], f"{name}: {setting} comes from .env"


def test_topic_initialiser_creates_every_topic() -> None:
    script = (ROOT / "scripts" / "create_topics.sh").read_text(encoding="utf-8")
    listed = set(re.search(r'TOPICS="([^"]*)"', script).group(1).split())  # type: ignore[union-attr]
    assert set(TOPICS) | {"fraud_cases", "transactions.flagged", "fraud_cases.dlq"} <= listed


def test_bind_mounts_are_relabelled_for_selinux_and_stay_read_only() -> None:
    """`:z` lets an SELinux host (Fedora, RHEL) share the files with the containers."""
    result = subprocess.run(
        [*_compose_command(), "--file", str(COMPOSE), "config", "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
        env={
            **{key: value for key, value in os.environ.items() if key not in _variables()},
            **required_secrets(),
        },
    )
    assert result.returncode == 0, result.stderr
    services = json.loads(result.stdout)["services"]
    binds = [
        (name, mount)
        for name, spec in services.items()
        for mount in spec.get("volumes", [])
        if mount["type"] == "bind"
    ]
    assert binds
    for name, mount in binds:
        assert mount.get("bind", {}).get("selinux") == "z", f"{name}: {mount['target']}"
        # No container writes into the repository: every bind mount keeps its `:ro`.
        assert mount.get("read_only") is True, f"{name}: {mount['target']} lost :ro"

"""Grafana provisioning files carry the keys Grafana 12 reads, and agree with compose."""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any

from grafana.dashboards.sql_query import DATASOURCE_TYPE, DATASOURCE_UID
from tests.stack.stack_files import (
    DASHBOARD_PROVIDER,
    DATASOURCES,
    ROOT,
    compose,
    load_yaml,
)

GRAFANA: dict[str, Any] = compose()["services"]["grafana"]


def _mounts() -> dict[str, str]:
    """Container path -> host path (relative to the repository) of Grafana's bind mounts."""
    mounts = {}
    for volume in GRAFANA["volumes"]:
        source, target, *_ = volume.split(":")
        if source.startswith("./"):
            mounts[target] = source[2:]
    return mounts


def _host_path(container_path: str) -> str:
    """Map a path inside the Grafana container back to the repository file it mounts."""
    for target, source in _mounts().items():
        if container_path == target or container_path.startswith(target + "/"):
            return source + container_path[len(target) :]
    raise AssertionError(f"{container_path} is not mounted from the repository")


def _datasource() -> dict[str, Any]:
    document = load_yaml(DATASOURCES)
    assert document["apiVersion"] == 1
    (datasource,) = document["datasources"]
    return datasource


def test_provisioning_directories_are_mounted_read_only() -> None:
    for volume in GRAFANA["volumes"]:
        if volume.startswith("./"):
            assert "ro" in volume.rsplit(":", 1)[1].split(","), volume
    assert set(_mounts()) == {
        "/etc/grafana/provisioning/datasources",
        "/etc/grafana/provisioning/dashboards",
    }
    assert _host_path("/etc/grafana/provisioning/datasources/risingwave.yml") == str(
        DATASOURCES.relative_to(ROOT)
    )


def test_datasource_is_the_one_the_dashboard_uses() -> None:
    datasource = _datasource()
    assert datasource["uid"] == DATASOURCE_UID
    assert datasource["type"] == DATASOURCE_TYPE
    assert datasource["access"] == "proxy"


def test_datasource_points_at_risingwave_in_compose() -> None:
    host, port = _datasource()["url"].split(":")
    assert "://" not in _datasource()["url"], "Grafana's PostgreSQL url is host:port"
    assert host in compose()["services"]
    assert f"127.0.0.1:{port}:{port}" in compose()["services"][host]["ports"]


def test_database_lives_in_json_data() -> None:
    datasource = _datasource()
    # Grafana 12 ignores the top-level keys (no default database, no password).
    assert "database" not in datasource
    assert "password" not in datasource
    assert datasource["jsonData"]["database"] == "dev"
    assert datasource["jsonData"]["sslmode"] == "disable"


def test_credentials_are_the_select_only_user_from_the_environment() -> None:
    datasource = _datasource()
    user_var = re.fullmatch(r"\$\{?(\w+)\}?", datasource["user"])
    password_var = re.fullmatch(r"\$\{?(\w+)\}?", datasource["secureJsonData"]["password"])
    assert user_var and password_var, "credentials must come from the environment"
    environment = GRAFANA["environment"]
    assert {user_var.group(1), password_var.group(1)} <= set(environment)
    # The dbt job creates exactly this user with this password.
    dbt_environment = compose()["services"]["dbt"]["environment"]
    for name in (user_var.group(1), password_var.group(1)):
        assert environment[name] == dbt_environment[name]
    # Never the superuser: Grafana does not sandbox SQL.
    assert "root" not in environment[user_var.group(1)]


def test_admin_password_has_no_default_and_anonymous_access_is_off() -> None:
    environment = GRAFANA["environment"]
    for name in ("GRAFANA_ADMIN_PASSWORD", "GRAFANA_DB_PASSWORD"):
        variable = "GF_SECURITY_ADMIN_PASSWORD" if name == "GRAFANA_ADMIN_PASSWORD" else name
        assert environment[variable] == f"${{{name}:?set {name} in .env}}", "required, no default"
    assert environment["GF_AUTH_ANONYMOUS_ENABLED"] == "false"


def test_dashboard_provider_loads_the_generated_json() -> None:
    document = load_yaml(DASHBOARD_PROVIDER)
    assert document["apiVersion"] == 1
    (provider,) = document["providers"]
    assert provider["type"] == "file"
    assert provider["allowUiUpdates"] is False
    folder = ROOT / _host_path(provider["options"]["path"])
    assert (folder / "fraud-operations-centre.json").is_file()


def test_home_dashboard_is_the_operations_centre() -> None:
    home = GRAFANA["environment"]["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]
    assert PurePosixPath(home).name == "fraud-operations-centre.json"
    assert (ROOT / _host_path(home)).is_file()

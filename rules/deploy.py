"""Shadow, promote and rollback of rule sets on a running database (RisingWave, or PostgreSQL).

Promote rebuilds only the views whose compiled SQL differs between the live and the new rule
set, and every view built on them (`dbt run --full-refresh --select m+`), then records the change
in rule_history and publishes the version in rules/active. Shadow builds the candidate's signal
views under `shadow_` names beside the live ones (macros/rule_sets.sql).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg2
from psycopg2.extensions import connection as Connection

from offline.dbt import dbt_args, invoke
from rules import history, store
from rules.dbt import SHADOW_SELECTION, compiled_models
from rules.history import RuleChange
from rules.schema import RuleSet, RuleSetError


@dataclass(frozen=True)
class Target:
    """Where views are (re)built: a dbt target name, its connection, and extra --vars."""

    name: str
    dsn: str
    dbt_env: dict[str, str]
    # Vars every run on this target adds (a replay widens retention_hours, say).
    extra_vars: dict[str, Any] = field(default_factory=dict)

    def connect(self) -> Connection:
        return psycopg2.connect(self.dsn)

    @property
    def is_risingwave(self) -> bool:
        return self.name == "risingwave"


def risingwave_target(env: Mapping[str, str] | None = None) -> Target:
    """The stack's RisingWave as the host sees it (the defaults of fraud_detection/profiles.yml)."""
    env = os.environ if env is None else env
    host, port = env.get("RW_HOST", "localhost"), env.get("RW_PORT", "4566")
    user, database = env.get("RW_USER", "root"), env.get("RW_DATABASE", "dev")
    password = env.get("RW_PASSWORD", "")
    dsn = f"host={host} port={port} user={user} dbname={database} connect_timeout=5"
    if password:
        dsn += f" password={password}"
    dbt_env = {"RW_HOST": host, "RW_PORT": port, "RW_USER": user, "RW_DATABASE": database}
    if password:
        dbt_env["RW_PASSWORD"] = password
    return Target("risingwave", dsn, dbt_env)


Runner = Callable[[list[str], Mapping[str, str]], None]


@dataclass
class Deployer:
    """Runs the dbt commands of a rule change on `target` (`runner` runs dbt in this process; the
    argument lists come from shadow_args and rebuild_args, which tests check offline)."""

    target: Target
    # Scratch space for dbt's target directories (compiled SQL of each step).
    work_dir: Path
    rules_dir: Path = store.RULES_DIR
    runner: Runner = invoke

    def vars_for(self, rule_set: RuleSet, **extra: Any) -> dict[str, Any]:
        return {**store.dbt_vars(rule_set), **self.target.extra_vars, **extra}

    def compile(self, rule_set: RuleSet, name: str) -> dict[str, str]:
        """Model -> compiled SQL of every live model with `rule_set` (offline, no database)."""
        target_dir = self.work_dir / f"compile-{name}"
        args = dbt_args(
            "compile",
            target=self.target.name,
            variables=self.vars_for(rule_set),
            target_dir=target_dir,
            offline=True,
        )
        invoke(args, self.target.dbt_env)
        return compiled_models(target_dir)

    def affected_models(self, live: RuleSet, new: RuleSet) -> list[str]:
        """Models whose compiled SQL differs between `live` and `new` (dependants come by `+`)."""
        before, after = self.compile(live, "live"), self.compile(new, "new")
        return sorted(name for name in after if before.get(name) != after[name])

    def rebuild_args(self, rule_set: RuleSet, models: list[str]) -> list[str]:
        return dbt_args(
            "run",
            target=self.target.name,
            variables=self.vars_for(rule_set),
            target_dir=self.work_dir / "run",
            select=[f"{model}+" for model in models],
            full_refresh=True,
        )

    def shadow_args(self, candidate: RuleSet) -> list[str]:
        return dbt_args(
            "run",
            target=self.target.name,
            variables=self.vars_for(candidate, rule_set_role="shadow"),
            target_dir=self.work_dir / "shadow",
            select=list(SHADOW_SELECTION),
            full_refresh=True,
        )

    def shadow(self, candidate: RuleSet) -> None:
        """The candidate's signal views (shadow_mv_*) and mv_shadow_vs_live, rebuilt."""
        self.runner(self.shadow_args(candidate), self.target.dbt_env)
        self._grant_reader()

    def promote(self, version: str, *, by: str, reason: str) -> RuleChange:
        live = store.load(store.active_version(self.rules_dir), self.rules_dir)
        new = store.load(version, self.rules_dir)
        if new.version == live.version:
            raise RuleSetError(f"V: {version} is already the active rule set")
        return self._change("promote", live, new, by=by, reason=reason)

    def rollback(self, *, by: str, reason: str) -> RuleChange:
        live = store.load(store.active_version(self.rules_dir), self.rules_dir)
        previous = history.rollback_target(self._history())
        if previous is None:
            raise RuleSetError("rollback: the rule history holds no promote to undo")
        return self._change(
            "rollback", live, store.load(previous, self.rules_dir), by=by, reason=reason
        )

    def _change(
        self, action: str, live: RuleSet, new: RuleSet, *, by: str, reason: str
    ) -> RuleChange:
        if not reason.strip():
            raise RuleSetError("WHY: a rule change needs a reason (WHY=...)")
        past = self._history()
        if past and past[-1].to_version != live.version:
            raise RuleSetError(
                f"rules/active names {live.version} but the rule history says"
                f" {past[-1].to_version} is live: set rules/active to {past[-1].to_version}"
            )
        models = self.affected_models(live, new)
        if models:
            self.runner(self.rebuild_args(new, models), self.target.dbt_env)
            self._grant_reader()
        changed_at = datetime.now(UTC)
        change = RuleChange(
            change_id=f"{changed_at:%Y%m%dT%H%M%S.%fZ}-{action}-{new.version}",
            changed_at=changed_at,
            action=action,
            from_version=live.version,
            to_version=new.version,
            changed_by=by,
            reason=reason.strip(),
            rebuilt_models=",".join(models),
        )
        if not models:  # no dbt run created the table: do it here
            self._ensure_history(new)
        conn = self.target.connect()
        try:
            history.record(conn, change, flush=self.target.is_risingwave)
        finally:
            conn.close()
        store.set_active_version(new.version, self.rules_dir)
        return change

    def _history(self) -> list[RuleChange]:
        conn = self.target.connect()
        try:
            return history.changes(conn)
        finally:
            conn.close()

    def _ensure_history(self, rule_set: RuleSet) -> None:
        """Create rule_history when missing (what the on-run-start hook of a dbt run does)."""
        args = dbt_args(
            "run-operation",
            target=self.target.name,
            variables=self.vars_for(rule_set),
            target_dir=self.work_dir / "operation",
        )
        self.runner([*args, "ensure_rule_history"], self.target.dbt_env)

    def _grant_reader(self) -> None:
        """Grafana's SELECT-only user and the case service may read the views just created
        (scripts/grant_reader.sql, scripts/grant_case_service.sql)."""
        if not self.target.is_risingwave:
            return
        reader = os.environ.get("GRAFANA_DB_USER", "grafana_reader")
        # The case service reads the rebuilt views too (scripts/grant_case_service.sql).
        case_service = os.environ.get("CASE_SERVICE_DB_USER", "case_service")
        conn = self.target.connect()
        try:
            with conn.cursor() as cursor:
                for user in (reader, case_service):
                    cursor.execute(
                        f'grant select on all materialized views in schema public to "{user}"'
                    )
            conn.commit()
        finally:
            conn.close()

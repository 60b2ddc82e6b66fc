"""One decision: the account's state within the budget, the checks, the model, publication.

The response is the decision record itself (also the `decisions` message): outcome, score,
reasons in words, the rule-set and model versions, the time it took, and whether it is degraded
(the account's state was not read, the fallback policy decided).
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

import numpy as np
import orjson
import psycopg2

from decisions import checks, db
from decisions.checks import Reason
from decisions.features import feature_record
from decisions.ledger import Ledger, fingerprint
from decisions.settings import DecisionSettings
from decisions.state import AccountState, lookup
from producers.models import Transaction, rfc3339
from rules.schema import RuleSet
from scoring.features import vectorize
from scoring.model import Model
from scoring.score import calibrated, contributions, reasons_text, top_reasons
from scoring.trees import FastTrees

log = logging.getLogger("decisions")


class Sender(Protocol):
    async def publish(self, messages: list[tuple[str, str, bytes]], timeout_s: float) -> bool: ...


@dataclass
class Stats:
    outcomes: dict[str, int] = field(default_factory=lambda: dict.fromkeys(checks.OUTCOMES, 0))
    degraded: int = 0
    replayed: int = 0
    rejected: int = 0
    overloaded: int = 0
    unpublished: int = 0
    elapsed_ms: list[float] = field(default_factory=list)

    def summary(self) -> str:
        times = np.array(self.elapsed_ms) if self.elapsed_ms else np.zeros(1)
        line = (
            "decisions: "
            + " ".join(f"{name}={count}" for name, count in self.outcomes.items())
            + f" degraded={self.degraded} replayed={self.replayed} rejected={self.rejected}"
            f" overloaded={self.overloaded} unpublished={self.unpublished}"
            f" p50_ms={np.percentile(times, 50):.1f} p99_ms={np.percentile(times, 99):.1f}"
        )
        self.elapsed_ms.clear()
        return line


class DecisionService:
    def __init__(
        self,
        settings: DecisionSettings,
        rule_set: RuleSet,
        model: Model,
        pool: db.Pool,
        sender: Sender | None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.settings = settings
        self.rule_set = rule_set
        self.model = model
        self.pool = pool
        self.sender = sender
        self.clock = clock
        self.ledger = Ledger(settings.idempotency_entries)
        self.stats = Stats()
        self._budget_s = settings.lookup_budget_ms / 1000
        self._history = checks.history_span(rule_set.rules)
        self._hard_limit_s = settings.db_connect_timeout_s
        self._stragglers: set[asyncio.Future[AccountState]] = set()
        # One thread: XGBoost's pool costs tens of milliseconds per single-row call on a busy
        # machine, a single thread a fraction of one. (Its explanations still run there.)
        model.booster.set_param({"nthread": 1})
        # One row's score without XGBoost's per-call overhead (a tenth of a decision's CPU).
        self._trees = FastTrees(model.booster) if FastTrees.supports(model.booster) else None
        self._calibration = model.calibration

    async def decide(self, request: Transaction, client: str) -> tuple[bytes, bool]:
        """The event's decision (its JSON body) and whether it is a replay of an earlier one."""
        started = time.perf_counter()
        payload = request.payload()
        future, mine = self.ledger.begin(request.event_id, fingerprint(payload))
        if not mine:
            self.stats.replayed += 1
            return await asyncio.shield(future), True
        try:
            body = orjson.dumps(await self._decide(request, payload, client, started))
        except BaseException as error:
            self.ledger.abandon(request.event_id, error)
            raise
        self.ledger.finish(request.event_id, body)
        return body, False

    async def _decide(
        self, request: Transaction, payload: bytes, client: str, started: float
    ) -> dict[str, Any]:
        state, degraded = await self._account_state(request)
        thresholds = self.rule_set.decisions
        reasons: list[Reason] = []
        if state is not None:
            reasons += checks.account_reasons(state, thresholds)
        reasons += checks.request_reasons(request, state, self.rule_set.rules, thresholds)
        # Without the account's state most features are missing, which the model never saw in
        # training: a degraded decision rests on the request checks and the fallback policy.
        matrix = vectorize([feature_record(request, state)]) if state is not None else None
        model_score = self._score(matrix) if matrix is not None else None
        model_reasons: list[dict[str, Any]] = []
        if matrix is not None and model_score is not None:
            version = self.model.version
            because = None
            # Only a score that acts is explained: the contributions cost a second model pass.
            if checks.model_reason(model_score, thresholds, version) is not None:
                explained = top_reasons(contributions(self.model, matrix)[0])
                model_reasons = [{"feature": name, "contribution": v} for name, v in explained]
                because = reasons_text(explained)
            model_reason = checks.model_reason(model_score, thresholds, version, because)
            if model_reason is not None:
                reasons.append(model_reason)
        if degraded is not None:
            action: checks.Outcome = "decline" if self.settings.fallback == "closed" else "approve"
            reasons.append(
                Reason(
                    "degraded",
                    action,
                    f"account state unavailable ({degraded}); fail-{self.settings.fallback}",
                )
            )
        outcome = checks.outcome_of(reasons)
        risk_score = float(state.risk["risk_score"]) if state and state.risk else 0.0
        decision: dict[str, Any] = {
            "event_id": request.event_id,
            "account_id": request.account_id,
            "customer_id": request.customer_id,
            "outcome": outcome,
            # Noisy-or of the account's risk and this payment's model score, as the risk view
            # combines signals: 0..1, never below either.
            "score": round(1 - (1 - risk_score) * (1 - (model_score or 0.0)), 6),
            "risk_score": round(risk_score, 6),
            "risk_level": state.risk["risk_level"] if state and state.risk else None,
            "model_score": None if model_score is None else round(model_score, 6),
            # The features that raised an acting model score most (log-odds), strongest first.
            "model_reasons": model_reasons,
            "reasons": [reason.as_dict() for reason in reasons],
            "reason_codes": ",".join(dict.fromkeys(reason.code for reason in reasons)),
            "open_case_id": state.open_case["case_id"] if state and state.open_case else None,
            "recent_signals": [
                {
                    "signal_type": row["signal_type"],
                    "detected_at": rfc3339(row["detected_at"]),
                    "reason": row["reason"],
                }
                for row in (state.signals if state else [])
            ],
            "degraded": degraded is not None,
            "rules_version": self.rule_set.version,
            "model_version": self.model.version,
            "client": client,
            "amount": float(request.amount),
            "event_time": rfc3339(request.event_time),
            "decided_at": rfc3339(self.clock()),
        }
        decision["elapsed_ms"] = round((time.perf_counter() - started) * 1000, 3)
        decision["published"] = await self._publish(request, payload, decision)
        self.stats.outcomes[outcome] += 1
        self.stats.degraded += decision["degraded"]
        self.stats.elapsed_ms.append(decision["elapsed_ms"])
        return decision

    async def _account_state(self, request: Transaction) -> tuple[AccountState | None, str | None]:
        """The state, or None and why not, within the lookup budget.

        A lookup past the budget is not cancelled at once: it finishes in the background and
        gives its connection back, so a burst of slow answers does not close the pool's
        connections and make every next request pay a reconnect. Only past the connect
        timeout (a stalled database) is it cancelled and its connection closed.
        """
        task = asyncio.ensure_future(self._lookup(request))
        # asyncio.wait leaves the task running at the timeout (no shield, no extra task).
        done, _ = await asyncio.wait((task,), timeout=self._budget_s)
        if not done:
            self._stragglers.add(task)
            task.add_done_callback(self._straggler_done)
            handle = asyncio.get_running_loop().call_later(self._hard_limit_s, task.cancel)
            task.add_done_callback(lambda _: handle.cancel())
            return None, f"lookups exceeded {self.settings.lookup_budget_ms:g} ms"
        try:
            return task.result(), None
        except (db.DatabaseUnavailable, psycopg2.Error) as error:
            text = str(error).strip().splitlines()[0] if str(error).strip() else "database error"
            return None, text

    def _straggler_done(self, task: asyncio.Future[AccountState]) -> None:
        self._stragglers.discard(task)
        if not task.cancelled():
            task.exception()  # retrieved: a late failure is not worth a warning per request

    async def _lookup(self, request: Transaction) -> AccountState:
        conn = await self.pool.acquire()
        healthy = False
        try:
            state = await lookup(
                conn,
                account_id=request.account_id,
                customer_id=request.customer_id,
                event_id=request.event_id,
                event_time=request.event_time,
                history=self._history,
                recent_signals=self.settings.recent_signals,
            )
            healthy = True
            return state
        finally:
            self.pool.release(conn, healthy=healthy)

    def _score(self, matrix: np.ndarray) -> float:
        if self._trees is None:
            raw = np.asarray(self.model.booster.inplace_predict(matrix), dtype=np.float64)
        else:
            raw = np.array([self._trees.probability(matrix[0])])
        probability = float(calibrated(self._calibration, raw)[0])
        return probability if math.isfinite(probability) else 0.0

    async def _publish(
        self, request: Transaction, payload: bytes, decision: dict[str, Any]
    ) -> bool:
        if self.sender is None:
            return False
        # The stream sees the payment as authorised: a declined one is published declined.
        status = "declined" if decision["outcome"] == "decline" else request.status
        transaction = (
            payload
            if status == request.status
            else request.model_copy(update={"status": status}).payload()
        )
        message = {key: value for key, value in decision.items() if key != "recent_signals"}
        message["reasons"] = [reason["text"] for reason in decision["reasons"]]
        try:
            acknowledged = await self.sender.publish(
                [
                    (self.settings.transactions_topic, request.account_id, transaction),
                    (self.settings.decisions_topic, request.account_id, orjson.dumps(message)),
                ],
                self.settings.publish_timeout_ms / 1000,
            )
        except Exception as error:  # PublishError: the decision stands, the count shows it
            log.warning("publication failed for %s: %s", request.event_id, error)
            acknowledged = False
        if not acknowledged:
            self.stats.unpublished += 1
        return acknowledged

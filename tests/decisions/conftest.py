"""The decision service on the replayed PostgreSQL, served by uvicorn on loopback."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from decisions.security import hash_key

if TYPE_CHECKING:
    from backtest.replay import ReplayResult
    from decisions.settings import DecisionSettings
    from tests.support.served import Served

# Fixed test keys: only their hashes go into the settings, as in production.
KEYS = {
    "switch": ("decide", "dsk_switch-test-key"),
    "auditor": ("read", "dsk_auditor-test-key"),
    "ops": ("decide+read", "dsk_ops-test-key"),
}
KEY_SETTING = ",".join(
    f"{client}:{scopes}:{hash_key(key)}" for client, (scopes, key) in KEYS.items()
)
DECIDED_AT = datetime(2026, 1, 1, tzinfo=UTC)


def auth(client: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {KEYS[client][1]}"}


_serial = itertools.count()


def transaction(
    customer: dict[str, Any], at: datetime, *, amount: Decimal | None = None, **fields: Any
) -> dict[str, Any]:
    """An ordinary payment of `customer` (a int_customers row): at home, a registered device,
    point of sale, half the typical spend, unless `fields` say otherwise."""
    devices = customer["registered_device_ids"] or []
    body: dict[str, Any] = {
        "event_id": f"dec-test-{next(_serial):06d}",
        "event_time": at.isoformat(),
        "customer_id": customer["customer_id"],
        "account_id": customer["primary_account_id"],
        "card_token": "tok_" + "ab" * 8,
        "card_last4": "4242",
        "amount": str(
            amount
            if amount is not None
            else (Decimal(customer["typical_spend"]) / 2).quantize(Decimal("0.01"))
        ),
        "currency": "AUD",
        "merchant_id": "M000001",
        "merchant_name": "Corner Grocer",
        "merchant_category": "grocery",
        "channel": "pos",
        "device_id": devices[0] if devices else None,
        "latitude": float(customer["home_latitude"]),
        "longitude": float(customer["home_longitude"]),
        "city": customer["home_city"],
        "country": customer["home_country"],
        "status": "approved",
        # A payee only on transfers (producers' schema); a card payment names none.
        "counterparty_id": None,
    }
    body.update(fields)
    return body


def rows(replay: ReplayResult, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    conn = replay.database.connect()
    try:
        with conn.cursor() as cursor:
            cursor.execute(sql, params)
            names = [column.name for column in cursor.description or ()]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        conn.close()


@pytest.fixture
def decision_settings(fraud_replay: ReplayResult, registry_dir: Path) -> DecisionSettings:
    from decisions.settings import DecisionSettings

    return DecisionSettings(
        _env_file=None,
        database_url=fraud_replay.database.dsn,
        api_keys=KEY_SETTING,
        registry_dir=registry_dir,
        publish=False,
        # Generous: these tests assert what is decided, the benchmark measures how fast.
        lookup_budget_ms=2000,
    )


@pytest.fixture
def serve(decision_settings: DecisionSettings) -> Callable[..., AbstractContextManager[Served]]:
    """Serve a service built from the settings (with `overrides`) on a real port."""
    from decisions.app import create_app
    from decisions.runtime import build_service
    from decisions.security import KeyBook
    from tests.support.served import Served

    @contextmanager
    def serving(**overrides: object) -> Iterator[Served]:
        # Validated again, as the environment would be.
        settings = type(decision_settings)(
            _env_file=None,
            **{**dict(decision_settings), **overrides},
        )
        service = build_service(settings)
        service.clock = lambda: DECIDED_AT
        try:
            with Served(create_app(service, KeyBook(settings.api_keys))) as served:
                served.service = service  # type: ignore[attr-defined]
                yield served
        finally:
            if service.sender is not None:
                service.sender.close()  # type: ignore[attr-defined]

    return serving


@pytest.fixture(scope="session")
def customers(fraud_replay: ReplayResult) -> list[dict[str, Any]]:
    return rows(fraud_replay, "select * from int_customers order by customer_id")

import os
import uuid
from importlib.util import find_spec
from typing import get_args

import pytest

from producers.settings import Settings

# Every value KAFKA_CLIENT allows: a client added there is tested here too.
CLIENTS: tuple[str, ...] = get_args(Settings.model_fields["kafka_client"].annotation)


@pytest.fixture
def topic_suffix() -> str:
    """Topics of this test only: the session's broker is shared by every test."""
    return f"-{uuid.uuid4().hex[:12]}"


@pytest.fixture(params=CLIENTS)
def kafka_client(request: pytest.FixtureRequest) -> str:
    """Each KAFKA_CLIENT in turn. confluent-kafka is the `load` extra, which `make install`
    installs: without it the test skips, except under CI=true: it fails."""
    client: str = request.param
    if client == "confluent-kafka" and find_spec("confluent_kafka") is None:
        reason = "confluent-kafka is not installed (pip install -e '.[load]')"
        if os.environ.get("CI") == "true":
            pytest.fail(f"prerequisite missing under CI: {reason}")
        pytest.skip(reason)
    return client

import uuid

import pytest


@pytest.fixture
def topic_suffix() -> str:
    """Topics of this test only: the session's broker is shared by every test."""
    return f"-{uuid.uuid4().hex[:12]}"

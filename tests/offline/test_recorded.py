"""Recorded NDJSON in the producer's form and in rpk's: the same messages; bad records counted."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from pathlib import Path

import pytest

from offline import recorded
from offline.load import records_as_messages
from producers import jsonl
from producers.generator import generate
from producers.models import Record
from tests.rules.rpk import rpk_lines
from tests.support.replay import replay_settings

START = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def records() -> list[Record]:
    return list(itertools.islice(generate(replay_settings(0.1), start=START), 2000))


def _millis(moment: datetime) -> datetime:
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def _producer_file(tmp_path: Path, records: list[Record]) -> Path:
    path = tmp_path / "producer.ndjson"
    path.write_bytes(b"".join(jsonl.line(record) for record in records))
    return path


@pytest.mark.parametrize("compact", [True, False], ids=["rpk one line", "rpk pretty"])
def test_producer_and_rpk_files_give_the_same_messages(
    tmp_path: Path, records: list[Record], compact: bool
) -> None:
    producer = _producer_file(tmp_path, records)
    rpk = tmp_path / "rpk.json"
    rpk.write_text(rpk_lines(records, compact=compact), encoding="utf-8")
    expected = list(records_as_messages(records))
    for path in (producer, rpk):
        messages = list(recorded.messages(path))
        # Both forms carry milliseconds, as a Kafka timestamp does.
        assert [(m.topic, m.timestamp) for m in messages] == [
            (m.topic, _millis(m.timestamp)) for m in expected
        ]
        # The payload bytes may differ in spacing; the decoded payloads may not.
        assert [recorded.json.loads(m.value or b"null") for m in messages] == [
            recorded.json.loads(m.value or b"null") for m in expected
        ]
        stats = recorded.scan(path)
        assert (stats.records, stats.loaded, sum(stats.bad.values())) == (2000, 2000, 0)
        assert (stats.first, stats.last) == (
            _millis(min(r.timestamp for r in records)),
            _millis(max(r.timestamp for r in records)),
        )


BAD_LINES = [
    ("this is not json", "not JSON"),
    ("[1, 2, 3]", "not a JSON object"),
    ('{"value": {"a": 1}, "timestamp": 1}', "no topic"),
    (
        '{"topic": "payments", "value": "{}", "timestamp": 1764590400000}',
        "unknown topic 'payments'",
    ),
    ('{"topic": "transactions", "timestamp": 1764590400000}', "no value"),
    ('{"topic": "transactions", "value": 7, "timestamp": 1764590400000}', "value is neither"),
    ('{"topic": "transactions", "value": "{}", "timestamp": "yesterday"}', "no valid timestamp"),
    ('{"topic": "transactions", "value": "{}", "timestamp": "2026-11-22T12:00:00"}', "no valid"),
    ('{"topic": "transactions", "value": {"a": 1}', "not JSON"),
]


def test_bad_records_are_counted_by_reason_with_their_line(
    tmp_path: Path, records: list[Record]
) -> None:
    good = [jsonl.line(record).decode().rstrip("\n") for record in records[:10]]
    lines = [good[0], *(line for line, _ in BAD_LINES), *good[1:], ""]
    path = tmp_path / "mixed.ndjson"
    path.write_text("\n".join(lines), encoding="utf-8")
    stats = recorded.scan(path)
    assert (stats.records, stats.loaded) == (10 + len(BAD_LINES), 10)
    assert sum(stats.bad.values()) == len(BAD_LINES)
    for (_, reason), example in zip(BAD_LINES[: recorded.EXAMPLES], stats.examples, strict=True):
        assert reason in example
    assert stats.examples[0].startswith("line 2: ")
    assert len(list(recorded.messages(path))) == 10
    assert "9 bad (" in recorded.summary(stats)
    assert stats.as_json()["bad_records"] == len(BAD_LINES)


def test_a_file_without_one_usable_record_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "junk.ndjson"
    path.write_text("junk\n[]\n", encoding="utf-8")
    with pytest.raises(recorded.RecordedInputError, match=r"record in .*\(2 read, all bad"):
        recorded.scan(path)
    with pytest.raises(recorded.RecordedInputError, match="INPUT: no such file"):
        recorded.scan(tmp_path / "missing.ndjson")

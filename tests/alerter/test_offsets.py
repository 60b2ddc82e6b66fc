from kafka.structs import OffsetAndMetadata, TopicPartition

from alerter.offsets import OffsetTracker

P0 = TopicPartition("fraud_cases", 0)
P1 = TopicPartition("fraud_cases", 1)


def positions(tracker: OffsetTracker) -> dict[TopicPartition, int]:
    return {partition: meta.offset for partition, meta in tracker.committable().items()}


def test_only_a_contiguous_settled_prefix_is_committable() -> None:
    tracker = OffsetTracker()
    first = tracker.add(P0, 10, 2)
    second = tracker.add(P0, 11, 1)
    tracker.add(P0, 12, 0)
    second[0]()
    assert positions(tracker) == {}  # offset 10 still waits for one destination
    first[0]()
    assert positions(tracker) == {}
    first[1]()
    assert positions(tracker) == {P0: 13}
    assert positions(tracker) == {}  # nothing new since


def test_partitions_advance_independently() -> None:
    tracker = OffsetTracker()
    [blocked] = tracker.add(P0, 0, 1)
    tracker.add(P1, 5, 0)
    assert positions(tracker) == {P1: 6}
    blocked()
    assert tracker.committable() == {P0: OffsetAndMetadata(1, "", -1)}


def test_a_refetched_offset_is_recognised() -> None:
    tracker = OffsetTracker()
    [settle] = tracker.add(P0, 3, 1)
    assert tracker.seen(P0, 3)
    settle()
    tracker.committable()
    assert tracker.seen(P0, 2)
    assert not tracker.seen(P0, 4)
    assert tracker.pending() == 0


def test_only_retained_partitions_stay_tracked() -> None:
    tracker = OffsetTracker()
    [lost] = tracker.add(P0, 0, 1)
    [kept] = tracker.add(P1, 7, 1)
    tracker.retain([P1])
    lost()
    kept()
    assert positions(tracker) == {P1: 8}
    assert not tracker.seen(P0, 0)
    assert tracker.seen(P1, 7)

from backtest.__main__ import table


def test_a_table_aligns_its_columns() -> None:
    text = table(
        [{"signal": "velocity", "recall": 1.0}, {"signal": "cnp", "recall": None}],
        ["signal", "recall"],
    )
    assert text.splitlines() == ["signal    recall", "velocity  1.0   ", "cnp       -     "]


def test_an_empty_table_is_its_header() -> None:
    # A FRAUD_RATE=0 replay has no cases and no risky accounts to list.
    assert table([], ["case_id", "severity"]) == "case_id  severity"

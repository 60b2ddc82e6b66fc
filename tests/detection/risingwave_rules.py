"""Offline checks of SQL against RisingWave v2.8.5's creation-time rules (each names its source).

Each rule returns the problems it finds in one statement; `check` runs them all. The statement is
parsed with sqlglot's `risingwave` dialect, and anything it can only keep as an opaque
`exp.Command` fails: a syntax gate must not wave through what it did not understand.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import sqlglot
from sqlglot import exp

Rule = Callable[[exp.Expr], Iterator[str]]

_INTERVAL_UNITS_S = {
    "second": 1,
    "minute": 60,
    "hour": 3600,
    "day": 86400,
}
# Clauses NOW() may appear in for a streaming query.
_NOW_CLAUSES = (exp.Where, exp.Having, exp.From)


def parse(sql: str) -> exp.Expr:
    """One statement, or ValueError when sqlglot cannot parse it or keeps it as a Command."""
    try:
        statements = [item for item in sqlglot.parse(sql, read="risingwave") if item is not None]
    except sqlglot.errors.ParseError as error:
        raise ValueError(f"does not parse: {str(error).splitlines()[0]}") from error
    if len(statements) != 1:
        raise ValueError(f"expected one statement, found {len(statements)}")
    (statement,) = statements
    commands = [node for node in statement.walk() if isinstance(node, exp.Command)]
    if commands:
        raise ValueError(f"unparsed clause (exp.Command): {commands[0].sql()[:80]!r}")
    return statement


def _output_name(projection: exp.Expr) -> str | None:
    if isinstance(projection, exp.Alias):
        return projection.alias
    if isinstance(projection, exp.Column):
        return projection.name
    return None


def aliases_explicit_and_unique(statement: exp.Expr) -> Iterator[str]:
    """Every select-list expression is a column or aliased; output names are unique."""
    for select in statement.find_all(exp.Select):
        seen: set[str] = set()
        for projection in select.expressions:
            if isinstance(projection, exp.Star):
                continue
            name = _output_name(projection)
            if name is None:
                yield f"select-list expression without alias: {projection.sql()[:60]!r}"
                continue
            if name.lower() in seen:
                yield f"column name {name!r} specified more than once"
            seen.add(name.lower())


def _in_allowed_clause(node: exp.Expr) -> bool:
    parent = node.parent
    while parent is not None and not isinstance(parent, exp.Select):
        if isinstance(parent, _NOW_CLAUSES):
            return True
        if isinstance(parent, exp.Join) and parent.args.get("on") is node:
            return True
        node, parent = parent, parent.parent
    return False


def now_only_in_filters(statement: exp.Expr) -> Iterator[str]:
    """NOW() only in WHERE, HAVING, ON or FROM."""
    for now in statement.find_all(exp.CurrentTimestamp):
        if not _in_allowed_clause(now):
            yield "NOW() outside WHERE/HAVING/ON/FROM"


def over_partitioned(statement: exp.Expr) -> Iterator[str]:
    """Every window function has a PARTITION BY."""
    for window in statement.find_all(exp.Window):
        if window.args.get("over") and not window.args.get("partition_by"):
            yield f"window function without PARTITION BY: {window.sql()[:60]!r}"


def range_frame_one_order_column(statement: exp.Expr) -> Iterator[str]:
    """A RANGE frame orders by exactly one column (RW binder: "there should be exactly one
    ordering column for `RANGE` frame", src/frontend/src/binder/expr/function/window.rs)."""
    for window in statement.find_all(exp.Window):
        spec, order = window.args.get("spec"), window.args.get("order")
        is_range = spec is not None and str(spec.args.get("kind", "")).lower() == "range"
        if is_range and (order is None or len(order.expressions) != 1):
            yield f"RANGE frame without exactly one ORDER BY column: {window.sql()[:60]!r}"


def lag_lead_two_args(statement: exp.Expr) -> Iterator[str]:
    """lag/lead take no default argument and only a constant integer offset."""
    for function in statement.find_all(exp.Lag, exp.Lead):
        if function.args.get("default") is not None:
            yield f"{function.key} with a default argument: {function.sql()[:60]!r}"
        offset = function.args.get("offset")
        if offset is not None and not (isinstance(offset, exp.Literal) and offset.is_int):
            yield f"{function.key} with a non-constant offset: {function.sql()[:60]!r}"


def _interval_seconds(node: exp.Expr) -> float | None:
    if not isinstance(node, exp.Interval):
        return None
    text = node.this.name if node.this is not None else ""
    unit = node.unit.name if node.unit is not None else ""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*", f"{text} {unit}".lower())
    if match is None:
        return None
    singular = match.group(2).rstrip("s")
    if singular not in _INTERVAL_UNITS_S:
        return None
    return float(match.group(1)) * _INTERVAL_UNITS_S[singular]


def hop_size_multiple_of_slide(statement: exp.Expr) -> Iterator[str]:
    """HOP(rel, col, slide, size): constant intervals, size an exact multiple of slide."""
    for function in statement.find_all(exp.Anonymous):
        if function.name.lower() != "hop":
            continue
        arguments = function.expressions
        if len(arguments) < 4:
            yield f"HOP needs (relation, column, slide, size): {function.sql()[:60]!r}"
            continue
        slide, size = _interval_seconds(arguments[2]), _interval_seconds(arguments[3])
        if slide is None or size is None or slide <= 0:
            yield f"HOP slide and size must be constant positive intervals: {function.sql()[:60]!r}"
        elif size % slide:
            yield f"HOP size is not a multiple of its slide: {function.sql()[:60]!r}"


def _has_equality(condition: exp.Expr) -> bool:
    """An `a = b` between two columns, at the top level of an AND chain."""
    if isinstance(condition, exp.Paren):
        return _has_equality(condition.this)
    if isinstance(condition, exp.And):
        return _has_equality(condition.left) or _has_equality(condition.right)
    return (
        isinstance(condition, exp.EQ)
        and bool(list(condition.left.find_all(exp.Column)))
        and bool(list(condition.right.find_all(exp.Column)))
    )


def joins_have_equality(statement: exp.Expr) -> Iterator[str]:
    """Every join has an equality condition (no streaming nested-loop join)."""
    for join in statement.find_all(exp.Join):
        if join.args.get("using"):
            continue
        condition = join.args.get("on")
        if condition is None or not _has_equality(condition):
            yield f"join without an equality condition: {join.sql()[:60]!r}"


RULES: tuple[Rule, ...] = (
    aliases_explicit_and_unique,
    now_only_in_filters,
    over_partitioned,
    range_frame_one_order_column,
    lag_lead_two_args,
    hop_size_multiple_of_slide,
    joins_have_equality,
)


# CREATE SINK ... INTO a table (RisingWave's sink into table; e2e_test/sink/sink_into_table), which
# sqlglot does not know: the shell is matched here and the query inside is checked like any other.
_SINK_INTO = re.compile(
    r"^\s*create sink (?:if not exists )?\S+ into (?P<table>\S+) as\s+(?P<query>.+?)"
    r"\s+with \((?P<options>[^()]*)\)\s*$",
    re.DOTALL | re.IGNORECASE,
)
# Deletes must not reach the log: an append-only sink that drops them (stream_sink.rs).
_APPEND_ONLY_OPTIONS = {"type": "append-only", "force_append_only": "true"}


def sink_into(sql: str) -> tuple[str, str, dict[str, str]] | None:
    """(target table, query, options) of a CREATE SINK ... INTO statement, else None."""
    match = _SINK_INTO.match(sql)
    if match is None:
        return None
    options = {
        key.strip().lower(): value.strip().strip("'")
        for key, value in (item.split("=", 1) for item in match["options"].split(","))
    }
    return match["table"], match["query"], options


def check(sql: str) -> list[str]:
    """Every problem in one statement (empty when it passes)."""
    into = sink_into(sql)
    if into is not None:
        _, sql, options = into
        if options != _APPEND_ONLY_OPTIONS:
            return [f"sink into a table must be {_APPEND_ONLY_OPTIONS}, got {options}"]
    try:
        statement = parse(sql)
    except ValueError as error:
        return [str(error)]
    return [problem for rule in RULES for problem in rule(statement)]

"""`python -m rules.vars [VERSION]`: a rule set (default: the active one) as dbt --vars JSON.

Light on purpose (pydantic and PyYAML only): the stack's dbt job runs it in the dbt image.
"""

from __future__ import annotations

import json
import sys

from rules import store
from rules.schema import RuleSetError


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    try:
        rule_set = store.load(args[0] if args else store.active_version())
        # Unsorted: the risk view's columns and reason codes follow risk_weights' order, as in
        # the backtest (sorted keys gave the live stack other reason codes).
        print(json.dumps(store.dbt_vars(rule_set)))
    except RuleSetError as error:
        print(error, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Write the dashboard JSON Grafana provisions, or check that the committed file is current.

python -m grafana.dashboards            # regenerate
python -m grafana.dashboards --check    # exit 1 if the committed JSON differs
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models.dashboard import Dashboard

from common import cli
from grafana.dashboards import fraud_operations, rule_changes

PROVISIONING = Path(__file__).resolve().parents[1] / "provisioning"
OUTPUT = PROVISIONING / "dashboards" / "fraud-operations-centre.json"
# Further dashboards, written next to OUTPUT.
OTHERS = {"rule-changes.json": rule_changes.build}


def render(build: Callable[[], Dashboard] = fraud_operations.build) -> str:
    """Sorted keys and a fixed indent: the same code always gives the same bytes."""
    return json.dumps(build(), cls=JSONEncoder, sort_keys=True, indent=2) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = cli.parser("python -m grafana.dashboards", __doc__)
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    parser.add_argument("--output", type=Path, default=OUTPUT, help="where the JSON goes")
    args = parser.parse_args(argv)
    outputs = {args.output: render()}
    outputs |= {args.output.with_name(name): render(build) for name, build in OTHERS.items()}
    if args.check:
        stale = [
            path
            for path, text in outputs.items()
            if not path.exists() or path.read_text(encoding="utf-8") != text
        ]
        for path in stale:
            print(f"{path} is stale: run `make dashboards`", file=sys.stderr)
        if stale:
            return 1
        print(f"{', '.join(map(str, outputs))} up to date")
        return 0
    for path, text in outputs.items():
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

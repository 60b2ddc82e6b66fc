"""Write the dashboard JSON Grafana provisions, or check that the committed file is current.

python -m grafana.dashboards            # regenerate
python -m grafana.dashboards --check    # exit 1 if the committed JSON differs
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from grafana_foundation_sdk.cog.encoder import JSONEncoder

from grafana.dashboards import fraud_operations

PROVISIONING = Path(__file__).resolve().parents[1] / "provisioning"
OUTPUT = PROVISIONING / "dashboards" / "fraud-operations-centre.json"


def render() -> str:
    """Sorted keys and a fixed indent: the same code always gives the same bytes."""
    return json.dumps(fraud_operations.build(), cls=JSONEncoder, sort_keys=True, indent=2) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grafana.dashboards", description=__doc__)
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    parser.add_argument("--output", type=Path, default=OUTPUT, help="where the JSON goes")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        if not args.output.exists() or args.output.read_text(encoding="utf-8") != text:
            print(f"{args.output} is stale: run `make dashboards`", file=sys.stderr)
            return 1
        print(f"{args.output} is up to date")
        return 0
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

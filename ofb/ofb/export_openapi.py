"""Writes `ofb/openapi.json` from the app: `python -m ofb.export_openapi [--check] [PATH]`.

The document is the contract the Rust side is tested against, so it is checked in, and a test
fails when it is stale. Output is stable: sorted keys, two-space indent, trailing newline.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from ofb.app import create_app
from ofb.settings import Argon2Params, Settings

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "openapi.json"
REFRESH_COMMAND = "target/ofb-venv/bin/python -m ofb.export_openapi"


def document() -> str:
    """The OpenAPI document as it is written to disk."""
    with tempfile.TemporaryDirectory(prefix="ofb-openapi-") as tmp:
        app = create_app(Settings(db_path=Path(tmp) / "ofb.db", argon2=Argon2Params.cheap()))
        try:
            return json.dumps(app.openapi(), sort_keys=True, indent=2, ensure_ascii=False) + "\n"
        finally:
            app.state.runtime.db.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ofb.export_openapi", description=__doc__)
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_PATH)
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale instead of writing it")
    args = parser.parse_args(argv)
    text = document()
    current = args.path.read_text() if args.path.exists() else None
    if args.check:
        if current != text:
            print(f"{args.path} is stale; refresh it with: {REFRESH_COMMAND}", file=sys.stderr)
            return 1
        return 0
    if current != text:
        args.path.write_text(text)
        print(f"wrote {args.path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""JSON Schema snapshots of every event's data, committed next to the code.

``python -m towngrid_contracts.snapshot`` rewrites ``schemas/<event_type>.json`` for every
event in the catalogue, but refuses (exit 1) when a change is breaking by
:mod:`towngrid_contracts.compat`, unless given ``--allow-breaking``. ``--check`` writes
nothing and exits 1 if any snapshot is missing, stale or orphaned.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from towngrid_contracts.catalogue import ALL_EVENTS
from towngrid_contracts.compat import breaking_changes
from towngrid_contracts.envelope import EventData

SCHEMAS_DIR = Path(__file__).parent / "schemas"
REFRESH_COMMAND = "uv run python -m towngrid_contracts.snapshot"


def schema_of(model: type[EventData]) -> dict[str, Any]:
    """The model's validation JSON Schema plus its ``x-towngrid`` metadata."""
    schema = model.model_json_schema(mode="validation")
    schema["x-towngrid"] = {
        "event_type": model.event_type,
        "event_version": model.event_version,
        "topic": model.topic,
        "producer": model.producer,
    }
    return schema


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def snapshot_path(event_type: str, directory: Path = SCHEMAS_DIR) -> Path:
    return directory / f"{event_type}.json"


def load_snapshot(event_type: str, directory: Path = SCHEMAS_DIR) -> dict[str, Any] | None:
    path = snapshot_path(event_type, directory)
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def plan(directory: Path = SCHEMAS_DIR) -> tuple[dict[Path, str], list[Path], list[str]]:
    """What a refresh would do: (files to write, orphan files to delete, breaking changes)."""
    writes: dict[Path, str] = {}
    breaking: list[str] = []
    for model in ALL_EVENTS:
        new = schema_of(model)
        old = load_snapshot(model.event_type, directory)
        if old is not None:
            breaking += [f"{model.event_type}: {p}" for p in breaking_changes(old, new)]
        path = snapshot_path(model.event_type, directory)
        if old != new or not path.exists() or path.read_text(encoding="utf-8") != render(new):
            writes[path] = render(new)
    known = {snapshot_path(model.event_type, directory) for model in ALL_EVENTS}
    orphans = sorted(p for p in directory.glob("*.json") if p not in known)
    breaking += [f"{p.stem}: event removed from the catalogue" for p in orphans]
    return writes, orphans, breaking


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m towngrid_contracts.snapshot")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if stale")
    parser.add_argument("--allow-breaking", action="store_true",
                        help="write even if a change is breaking (only for a new major)")
    parser.add_argument("--dir", type=Path, default=SCHEMAS_DIR, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    args.dir.mkdir(parents=True, exist_ok=True)
    writes, orphans, breaking = plan(args.dir)
    for problem in breaking:
        print(f"BREAKING {problem}", file=sys.stderr)
    if args.check:
        for path in [*writes, *orphans]:
            print(f"stale: {path.name}", file=sys.stderr)
        return 1 if writes or orphans else 0
    if breaking and not args.allow_breaking:
        print("refusing to refresh snapshots over breaking changes", file=sys.stderr)
        return 1
    for path, text in writes.items():
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.name}")
    for path in orphans:
        path.unlink()
        print(f"removed {path.name}")
    print(f"{len(ALL_EVENTS)} snapshots, {len(writes)} written, {len(orphans)} removed")
    return 0


if __name__ == "__main__":
    sys.exit(main())

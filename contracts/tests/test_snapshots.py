"""The committed JSON Schema snapshots against the current models.

A breaking difference (see towngrid_contracts.compat) fails with a BREAKING message: within a
major version only new optional fields are allowed. Any other difference fails too, asking for
a refresh, so the committed snapshots always describe the code.
"""

from __future__ import annotations

import json

import pytest

from towngrid_contracts import ALL_EVENTS, EVENT_TYPES
from towngrid_contracts.compat import breaking_changes
from towngrid_contracts.snapshot import (
    REFRESH_COMMAND,
    SCHEMAS_DIR,
    load_snapshot,
    main,
    schema_of,
)


@pytest.mark.parametrize("model", ALL_EVENTS, ids=lambda m: m.event_type)
def test_snapshot_is_compatible_and_current(model) -> None:
    old = load_snapshot(model.event_type)
    assert old is not None, f"no snapshot for {model.event_type}: run `{REFRESH_COMMAND}`"
    new = schema_of(model)
    problems = breaking_changes(old, new)
    assert not problems, (
        f"BREAKING change to {model.event_type} (only new optional fields are allowed within "
        "a major version; a breaking change needs a new event type on a new major topic):\n  "
        + "\n  ".join(problems)
    )
    assert old == new, (
        f"snapshot of {model.event_type} out of date (compatible change): "
        f"run `{REFRESH_COMMAND}` and commit the result"
    )


def test_no_snapshot_without_an_event() -> None:
    orphans = sorted(p.stem for p in SCHEMAS_DIR.glob("*.json") if p.stem not in EVENT_TYPES)
    assert not orphans, f"BREAKING: events removed from the catalogue: {orphans}"


def test_snapshot_command_writes_checks_and_refuses_breaking(tmp_path, capsys) -> None:
    assert main(["--dir", str(tmp_path), "--check"]) == 1
    assert main(["--dir", str(tmp_path)]) == 0
    assert main(["--dir", str(tmp_path), "--check"]) == 0
    assert len(list(tmp_path.glob("*.json"))) == len(ALL_EVENTS)

    # Pretend the committed snapshot had a field the model has since lost.
    path = tmp_path / "delivery.order.placed.json"
    old = json.loads(path.read_text())
    old["properties"]["legacy_code"] = {"type": "string"}
    path.write_text(json.dumps(old))
    capsys.readouterr()
    assert main(["--dir", str(tmp_path)]) == 1
    assert "legacy_code: field removed" in capsys.readouterr().err
    assert "legacy_code" in path.read_text()  # refused: nothing written

    assert main(["--dir", str(tmp_path), "--allow-breaking"]) == 0
    assert "legacy_code" not in path.read_text()

    (tmp_path / "delivery.order.teleported.json").write_text("{}")
    assert main(["--dir", str(tmp_path)]) == 1
    assert main(["--dir", str(tmp_path), "--allow-breaking"]) == 0
    assert not (tmp_path / "delivery.order.teleported.json").exists()

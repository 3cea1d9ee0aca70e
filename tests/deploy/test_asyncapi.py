"""The AsyncAPI documents other county systems subscribe with: generated from the code,
committed, current, and valid for the AsyncAPI project's own parser."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from towngrid_contracts.catalogue import TOPICS
from towngrid_devstack.asyncapi import (committed_path, consumed_event_types, document, kafka_access_path, render,
                                        render_kafka_access)
from towngrid_kafka_admin.access import committed as committed_access
from towngrid_devstack.services import SERVICES

ROOT = Path(__file__).resolve().parents[2]
CHECKER = ROOT / "tools" / "asyncapi-check"


def validate(*files: Path) -> subprocess.CompletedProcess[str]:
    node = shutil.which("node")
    assert node, "node is needed (make test's bootstrap checks it)"
    assert (CHECKER / "node_modules" / "@asyncapi" / "parser").is_dir(), "run scripts/bootstrap.sh (npm ci)"
    return subprocess.run([node, "validate.mjs", *map(str, files)], cwd=CHECKER, capture_output=True, text=True,
                          timeout=120)


@pytest.mark.parametrize("service", SERVICES)
def test_committed_document_is_current(service: str) -> None:
    committed = committed_path(service, ROOT).read_text()
    assert committed == render(service), (
        f"services/{service}/asyncapi.json is out of date: run `uv run towngrid-asyncapi .` and commit it"
    )


@pytest.mark.parametrize("service", SERVICES)
def test_document_says_what_the_service_sends_and_receives(service: str) -> None:
    doc = document(service)
    sent = {doc["channels"][op["channel"]["$ref"].split("/")[-1]]["address"]
            for op in doc["operations"].values() if op["action"] == "send"}
    assert sent == {t for t in TOPICS if t.startswith(f"{service}.")}
    received = {m["$ref"].split("/")[-1] for op in doc["operations"].values() if op["action"] == "receive"
                for m in op["messages"]}
    names = {doc["components"]["messages"][n]["name"] for n in received}
    assert names == set(consumed_event_types(service))


def test_documents_are_valid_asyncapi_3(tmp_path: Path) -> None:
    result = validate(*(committed_path(s, ROOT) for s in SERVICES))
    assert result.returncode == 0, result.stdout + result.stderr
    reports = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["version"] for r in reports] == ["3.0.0"] * len(SERVICES)


def test_the_parser_would_catch_a_broken_document(tmp_path: Path) -> None:
    broken = document("permits")
    first = next(iter(broken["operations"].values()))
    first["channel"] = {"$ref": "#/channels/no_such_channel"}
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken))
    result = validate(path)
    assert result.returncode == 1 and "no_such_channel" in result.stdout


def test_subscribers_guide_is_current() -> None:
    from towngrid_devstack import subscribing

    assert subscribing.path(ROOT).read_text() == subscribing.render(), (
        "docs/subscribing.md is out of date: run `make asyncapi` and commit it"
    )
    for topic in TOPICS:
        assert f"`{topic}`" in subscribing.render()


def test_committed_kafka_access_is_current() -> None:
    """The broker's ACLs come from tools/kafka-admin/src/towngrid_kafka_admin/kafka_access.json: what every worker
    built from the code publishes and consumes."""
    committed = kafka_access_path().read_text()
    assert committed == render_kafka_access(), (
        "tools/kafka-admin/src/towngrid_kafka_admin/kafka_access.json is out of date: run `uv run towngrid-asyncapi .` and commit it"
    )


@pytest.mark.parametrize("service", SERVICES)
def test_kafka_access_matches_the_document(service: str) -> None:
    """A service may write what its AsyncAPI document sends and read what it receives."""
    doc = document(service)
    by_action: dict[str, set[str]] = {"send": set(), "receive": set()}
    for op in doc["operations"].values():
        by_action[op["action"]].add(doc["channels"][op["channel"]["$ref"].split("/")[-1]]["address"])
    access = next(a for a in committed_access() if a.principal == service)
    assert set(access.produces) == by_action["send"]
    assert set(access.consumes) == by_action["receive"]

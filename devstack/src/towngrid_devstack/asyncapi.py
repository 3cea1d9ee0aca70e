"""AsyncAPI 3 documents generated from the code: what a service publishes (its topics in the
contracts catalogue) and what it consumes (the event types its worker handles).

Other county systems subscribe with these. ``towngrid-asyncapi`` writes one document per
service; a test fails when a committed document differs from the generated one.
"""

from __future__ import annotations

import functools
import importlib
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any, Literal

from pydantic import create_model
from pydantic.json_schema import models_json_schema

from towngrid_contracts.catalogue import EVENT_TYPES, TOPICS, events_on
from towngrid_contracts.envelope import Envelope, EventData

from .config import StackConfig
from .services import SERVICES, LocalSecrets, service_environment

REF = "#/components/schemas/{model}"


def consumed_event_types(service: str) -> list[str]:
    """The event types the service's worker handles: its worker is built (not started) with
    the local stack's settings, and asked."""
    return sorted(build_worker(service).towngrid_consumes)


def kafka_accesses() -> list:
    """Each service's Kafka access (what its worker publishes and consumes) and the county
    subscriber's (every topic of the catalogue, read only): the broker's ACLs."""
    from towngrid_kafka_admin.access import service_access, subscriber_access

    return [*(service_access(s, **build_worker(s).towngrid_topics) for s in SERVICES), subscriber_access(TOPICS)]


def render_kafka_access() -> str:
    from towngrid_kafka_admin.access import render as render_access

    return render_access(kafka_accesses())


def kafka_access_path() -> Path:
    from towngrid_kafka_admin import access

    return Path(access.__file__).with_name(access.ACCESS_FILE)


@functools.cache
def build_worker(service: str) -> Any:
    """The service's worker app, built (not started) with the local stack's settings."""
    config = StackConfig(profile="asyncapi", data_dir=tempfile.gettempdir())
    secrets = LocalSecrets(auth_jwt_secret="a" * 48, id_hash_key="b" * 48)
    environment = service_environment(service, config, secrets, SERVICES[service])
    settings_class = _settings_class(service)
    saved = dict(os.environ)
    os.environ.update(environment)
    try:
        settings = settings_class()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    stream = importlib.import_module(f"{service}.entrypoints.stream")
    return getattr(stream, f"create_{service}_worker")(settings)


def _settings_class(service: str) -> type:
    config = importlib.import_module(f"{service}.config")
    return next(v for k, v in vars(config).items() if k.lower() == f"{service}settings")


def message_model(model: type[EventData]) -> type[Envelope]:
    return create_model(
        f"{model.__name__}Message",
        __base__=Envelope,
        __doc__=(model.__doc__ or model.__name__).strip(),
        event_type=(Literal[model.event_type], ...),  # type: ignore[valid-type]
        producer=(Literal[model.producer], ...),  # type: ignore[valid-type]
        data=(model, ...),
    )


def document(service: str) -> dict[str, Any]:
    published = [t for t in TOPICS if t.startswith(f"{service}.")]
    consumed = consumed_event_types(service)
    models = {m.event_type: m for t in published for m in events_on(t)} | {e: EVENT_TYPES[e] for e in consumed}
    messages_of = {et: message_model(m) for et, m in sorted(models.items())}
    _, schema = models_json_schema([(m, "validation") for m in messages_of.values()], ref_template=REF)
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for event_type, model in sorted(models.items()):
        name = model.__name__
        messages[name] = {
            "name": event_type,
            "title": name,
            "summary": (model.__doc__ or name).strip().splitlines()[0],
            "contentType": "application/json",
            "payload": {"$ref": REF.format(model=messages_of[event_type].__name__)},
            "bindings": {"kafka": {"key": {"type": "string", "description": "the aggregate id"}}},
        }
        channel = channels.setdefault(_channel_id(model.topic), {
            "address": model.topic,
            "description": f"Keyed by the aggregate id; dead letters of a consumer go to {model.topic}.dlq.",
            "messages": {},
        })
        channel["messages"][name] = {"$ref": f"#/components/messages/{name}"}
        action = "send" if model.topic in published else "receive"
        op = operations.setdefault(f"{action}_{_channel_id(model.topic)}", {
            "action": action,
            "channel": {"$ref": f"#/channels/{_channel_id(model.topic)}"},
            "messages": [],
        })
        if action == "receive":
            op.setdefault("bindings", {"kafka": {"groupId": {"type": "string", "enum": [service]}}})
        op["messages"].append({"$ref": f"#/channels/{_channel_id(model.topic)}/messages/{name}"})
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": f"towngrid {service}",
            "version": "1.0.0",
            "description": f"Events the {service} service publishes (send) and consumes (receive). "
                           "Every message is a JSON envelope; `data` depends on `event_type`.",
        },
        "defaultContentType": "application/json",
        "servers": {"kafka": {"host": "127.0.0.1:9092", "protocol": "kafka",
                              "description": "The local stack; a deployment gives its own bootstrap servers."}},
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": schema.get("$defs", {})},
    }


def _channel_id(topic: str) -> str:
    return topic.replace(".", "_")


def render(service: str) -> str:
    return json.dumps(document(service), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def committed_path(service: str, root: Path) -> Path:
    return root / "services" / service / "asyncapi.json"


def main(argv: list[str] | None = None) -> None:
    """Write services/<svc>/asyncapi.json for every service and docs/subscribing.md (from the repository root)."""
    root = Path(argv[0] if argv else (sys.argv[1] if len(sys.argv) > 1 else ".")).resolve()
    for service in SERVICES:
        path = committed_path(service, root)
        path.write_text(render(service))
        print(f"wrote {path.relative_to(root)}")
    access = kafka_access_path()
    access.write_text(render_kafka_access())
    print(f"wrote {access}")
    from .subscribing import main as write_subscribing_guide

    write_subscribing_guide([str(root)])

"""``docs/subscribing.md``, the guide for other county systems, generated from the contracts.

The prose is here; the topic table, the event list and the envelope's JSON Schema come from
the code, so the page cannot drift from what is published (a test compares it).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from towngrid_contracts.catalogue import TOPICS, aggregate_id_field, events_on
from towngrid_contracts.envelope import Envelope
from towngrid_contracts.topics import dlq_topic

SCHEMAS = "../contracts/src/towngrid_contracts/schemas"
EXAMPLES = "../contracts/src/towngrid_contracts/examples"

INTRO = """# Subscribing to towngrid's events

For other county systems (health commission, statistics bureau, neighbouring towns) that want
to follow what towngrid does. Read-only: you subscribe to Kafka topics with your own consumer
group; you never read a towngrid database. Each service also publishes an AsyncAPI 3 document
(`services/<service>/asyncapi.json`) that says the same in machine-readable form.

*This page is generated from the code by `make asyncapi`; do not edit it by hand.*

## Connecting

- Kafka bootstrap servers: ask the operator (local stack: `127.0.0.1:9092`).
- **Log in**: the broker accepts only authenticated clients (SASL/SCRAM-SHA-512 over
  `SASL_PLAINTEXT`, or `SASL_SSL` where the operator adds TLS). The operator gives you a user
  name and a password (local stack: user `county`, password in
  `.towngrid/<profile>/run/local-secrets.json` under `kafka_passwords`). A Java client:

  ```properties
  security.protocol=SASL_PLAINTEXT
  sasl.mechanism=SCRAM-SHA-512
  sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="county" password="...";
  ```

  aiokafka: `security_protocol="SASL_PLAINTEXT", sasl_mechanism="SCRAM-SHA-512",
  sasl_plain_username="county", sasl_plain_password="..."`.
- **Read only**: your principal may read every event topic below and nothing else: it cannot
  publish, and it cannot read the `.dlq` topics or towngrid's own consumer groups.
- Use your own consumer group id, **starting with your user name** (e.g.
  `county-health-commission`; the broker refuses other group ids); commit offsets after you
  have stored what a message means to you.
- Start from the beginning of a topic to build your own view; the topics keep the whole history
  as long as the operator's retention allows.

## The envelope

Every message's value is one JSON object (UTF-8), the same envelope on every topic; the
message key is the `aggregate_id` (UTF-8 bytes). Headers `event_type`, `event_id` and
`content-type: application/json` repeat what the envelope says, for routing without parsing.

| field | meaning |
|---|---|
| `event_id` | UUID of the event; a redelivered or republished event keeps it: **deduplicate on it** |
| `event_type` | stable string, `<producer>.<entity>.<what happened>`; dispatch on it, **ignore types you do not know** |
| `event_version` | revision of the `data` schema of this event type (additive changes only within a topic's major version) |
| `occurred_at` | when it happened, UTC |
| `producer` | the service that published it |
| `aggregate_id` | the entity the event is about; also the message key |
| `aggregate_version` | 1, 2, 3… per aggregate: with `aggregate_id` it orders an entity's events and detects gaps |
| `correlation_id` | shared by all events of one request or flow |
| `causation_id` | the event that caused this one, if any |
| `data` | the payload; its JSON Schema depends on `event_type` (table below) |

No event carries a national ID number, a phone number, a name, a plate number or a street
address: only opaque ids. What a person's id refers to stays inside the registry.

## Ordering, delivery, duplicates

- **Ordering is per aggregate**: all events of one entity (one resident's file, one permit,
  one order) have the same key, so they are in one partition, in `aggregate_version` order.
  There is no order across entities or across topics.
- **At least once**: an event may reach you twice (a producer retried after a crash), always with
  the same `event_id` and `aggregate_version`. Make your effect idempotent: remember the last
  `aggregate_version` you applied per `aggregate_id`, or the `event_id`s.
- Nothing is published for a change towngrid did not store, and nothing it stored goes
  unpublished (each service writes the change and its events in one insert and relays them).

## Versioning

- Topics are named `<service>.<aggregate>.v<major>`. Within a major version changes are
  additive only: new optional fields, new event types. Read tolerantly: ignore fields and event
  types you do not know.
- A breaking change gets a new topic (`….v2`), published beside the old one for a transition
  period announced by the operator.
- The committed JSON Schema of every event (below) is checked by towngrid's tests against the
  code: a breaking change fails them before it ships.

## Dead letters

Every topic has a twin `<topic>.dlq`. When one of towngrid's own consumers cannot process a
message (malformed, or still failing after its retries), it publishes the original bytes there
with headers `x-dlq-reason`, `x-dlq-error-type`, `x-dlq-consumer-group`,
`x-dlq-source-topic`, `x-dlq-source-partition`, `x-dlq-source-offset`, and moves on. You may
use the same convention for your own consumers; do not consume the `.dlq` topics as events.
"""


def topic_table() -> str:
    rows = ["| topic | key (`aggregate_id`) | dead letters | events |", "|---|---|---|---|"]
    for topic in TOPICS:
        models = events_on(topic)
        events = ", ".join(f"`{m.event_type}`" for m in models)
        rows.append(f"| `{topic}` | `{aggregate_id_field(models[0])}` | `{dlq_topic(topic)}` | {events} |")
    return "\n".join(rows)


def event_table() -> str:
    rows = ["| event type | topic | summary | JSON Schema | example |", "|---|---|---|---|---|"]
    for topic in TOPICS:
        for model in events_on(topic):
            summary = (model.__doc__ or model.__name__).strip().splitlines()[0].replace("|", "/")
            rows.append(
                f"| `{model.event_type}` | `{topic}` | {summary} | "
                f"[schema]({SCHEMAS}/{model.event_type}.json) | [example]({EXAMPLES}/{model.event_type}.json) |"
            )
    return "\n".join(rows)


def render() -> str:
    envelope_schema = json.dumps(Envelope.model_json_schema(), indent=2, ensure_ascii=False, sort_keys=True)
    return (
        f"{INTRO}\n## Topics\n\nPartitions: chosen by the operator (`TOPIC_PARTITIONS`, 12 by default in the compose "
        f"deployment; 6 on the local stack). More partitions allow more parallel consumers; the key still "
        f"keeps each entity in one partition.\n\n{topic_table()}\n\n## Events\n\n{event_table()}\n\n"
        f"## The envelope's JSON Schema\n\n```json\n{envelope_schema}\n```\n"
    )


def path(root: Path) -> Path:
    return root / "docs" / "subscribing.md"


def main(argv: list[str] | None = None) -> None:
    root = Path((argv or sys.argv[1:] or ["."])[0]).resolve()
    target = path(root)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render())
    print(f"wrote {target.relative_to(root)}")

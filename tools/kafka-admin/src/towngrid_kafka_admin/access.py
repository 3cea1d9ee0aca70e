"""Who may do what on Kafka: each service's principal and the county subscriber's, as ACLs.

Derived from the code, never written by hand: a service's worker knows what it publishes
(its topics in the contracts catalogue) and what it consumes (the topics of the event types
its handlers take); ``towngrid-asyncapi`` builds every worker and writes that to
``kafka_access.json`` next to this module (a test fails when it is stale). The local stack and
the deployment's ``towngrid-kafka-access`` job turn it into ACLs with :func:`acls`:

- a service WRITEs its own topics and the dead-letter twins of the topics it consumes, READs
  what it consumes, CREATEs the topics its worker makes sure exist (those three kinds), and
  READs (joins, commits in) consumer groups whose id starts with its name;
- the county subscriber READs every event topic (not the dead letters, which hold whatever
  could not be processed) and groups whose id starts with ``county``; it writes nothing.

Idempotent producers need no cluster ACL: WRITE on a topic allows one (Kafka 3.0+).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from towngrid_contracts.topics import dlq_topic
from towngrid_kafka_admin.wire import Acl, KafkaWire

ACCESS_FILE = "kafka_access.json"
SUBSCRIBER = "county"  # the read-only county subscriber's principal (and its group prefix)


@dataclass(frozen=True)
class KafkaAccess:
    """What one principal does on Kafka."""

    principal: str  # the SCRAM user name
    produces: tuple[str, ...] = ()  # topics it publishes
    consumes: tuple[str, ...] = ()  # topics it reads
    group_prefix: str = ""  # consumer groups it joins: ids starting with this
    dead_letters: bool = True  # writes <topic>.dlq for what it consumes (a service's consumer does)

    def to_json(self) -> dict[str, Any]:
        return {"produces": list(self.produces), "consumes": list(self.consumes),
                "group_prefix": self.group_prefix, "dead_letters": self.dead_letters}


def service_access(service: str, produces: Iterable[str], consumes: Iterable[str]) -> KafkaAccess:
    return KafkaAccess(service, tuple(sorted(set(produces))), tuple(sorted(set(consumes))), group_prefix=service)


def subscriber_access(topics: Iterable[str], principal: str = SUBSCRIBER) -> KafkaAccess:
    return KafkaAccess(principal, (), tuple(sorted(set(topics))), group_prefix=principal, dead_letters=False)


def acls(access: KafkaAccess) -> list[Acl]:
    """The ALLOW ACLs of one principal (nothing else is allowed: the broker denies by default)."""
    user = f"User:{access.principal}"
    dead = [dlq_topic(t) for t in access.consumes] if access.dead_letters else []
    writes = [*access.produces, *dead]
    found = {Acl("TOPIC", t, "LITERAL", user, "WRITE") for t in writes}
    found |= {Acl("TOPIC", t, "LITERAL", user, "READ") for t in access.consumes}
    if access.dead_letters:  # a service's worker creates what it publishes and consumes
        found |= {Acl("TOPIC", t, "LITERAL", user, "CREATE") for t in [*writes, *access.consumes]}
    if access.group_prefix and access.consumes:
        found.add(Acl("GROUP", access.group_prefix, "PREFIXED", user, "READ"))
    return sorted(found)


def render(accesses: Iterable[KafkaAccess]) -> str:
    """The committed ``kafka_access.json``."""
    body = {a.principal: a.to_json() for a in sorted(accesses, key=lambda a: a.principal)}
    return json.dumps({"principals": body}, indent=2, sort_keys=True) + "\n"


def parse(text: str) -> list[KafkaAccess]:
    body: Mapping[str, Any] = json.loads(text)["principals"]
    return [KafkaAccess(name, tuple(v["produces"]), tuple(v["consumes"]), v["group_prefix"], v["dead_letters"])
            for name, v in sorted(body.items())]


def committed() -> list[KafkaAccess]:
    """Every principal's access, as generated into this package."""
    return parse(resources.files("towngrid_kafka_admin").joinpath(ACCESS_FILE).read_text("utf-8"))


def all_acls(accesses: Iterable[KafkaAccess]) -> list[Acl]:
    return sorted({acl for access in accesses for acl in acls(access)})


def provision(wire: KafkaWire, users: Mapping[str, str], accesses: Iterable[KafkaAccess],
              mechanism: str = "SCRAM-SHA-512") -> int:
    """As a super user (on the controller listener, or the brokers'): create or update the SCRAM
    users (name -> password), then make the ACLs of every principal in ``accesses`` exactly the
    derived ones: the missing are created, the stale deleted, the rest left alone (so running
    services are never without theirs). Return the number of ACLs."""
    accesses = list(accesses)
    if users:
        wire.upsert_scram_users(dict(users), mechanism)
    wanted = set(all_acls(accesses))
    managed = {f"User:{a.principal}" for a in accesses}
    present = {acl for acl in wire.describe_acls() if acl.principal in managed}
    if wanted - present:
        wire.create_acls(wanted - present)
    if present - wanted:
        wire.delete_acls(present - wanted)
    return len(wanted)

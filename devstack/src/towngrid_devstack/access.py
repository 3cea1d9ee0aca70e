"""Kafka principals of the local stack: SCRAM users and their ACLs, set at every start.

The broker's only super user is ``admin`` (the broker itself logs in as admin too). Every
start, before the broker counts as ready, the admin logs in on the controller listener (SASL
PLAIN: the controller cannot use SCRAM) and creates or updates every SCRAM user; this also
covers a data dir formatted before the stack had SASL, and a user added later. Once the
broker is ready, the admin makes every managed principal's ACLs exactly those derived from the
code (``towngrid_kafka_admin.access``: the committed kafka_access.json).
"""

from __future__ import annotations

from .errors import StackError

ADMIN_USER = "admin"


def _wire():
    try:
        from towngrid_kafka_admin import wire
    except ImportError:
        raise StackError("towngrid_kafka_admin is not installed here: run `uv sync --all-packages` in the "
                         "repository (or `make setup`)") from None
    return wire


def controller_connection(host: str, port: int, admin_password: str, timeout: float = 5.0):
    """A connection to the controller listener, logged in as the admin (SASL PLAIN)."""
    wire = _wire().KafkaWire(host, port, timeout=timeout, client_id="towngrid-devstack")
    try:
        wire.authenticate("PLAIN", ADMIN_USER, admin_password)
    except BaseException:
        wire.close()
        raise
    return wire


def client_connection(host: str, port: int, user: str, password: str, mechanism: str = "SCRAM-SHA-512",
                      timeout: float = 5.0):
    """A connection to the client listener, logged in with SCRAM."""
    wire = _wire().KafkaWire(host, port, timeout=timeout, client_id="towngrid-devstack")
    try:
        wire.authenticate(mechanism, user, password)
    except BaseException:
        wire.close()
        raise
    return wire


def principals() -> list[str]:
    """The managed principals besides the admin: the services and the county subscriber."""
    from towngrid_kafka_admin.access import committed

    return [a.principal for a in committed()]


def apply_acls(host: str, controller_port: int, admin_password: str) -> int:
    """Make the managed principals' ACLs the derived ones; return how many there are."""
    from towngrid_kafka_admin.access import committed, provision

    with controller_connection(host, controller_port, admin_password) as wire:
        return provision(wire, {}, committed())

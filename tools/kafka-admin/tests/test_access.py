"""The broker's ACLs derived from what a service publishes and consumes, and the SCRAM client
that logs the local stack's admin in (RFC 7677's test vector)."""

from __future__ import annotations

import pytest

from towngrid_kafka_admin.access import acls, parse, render, service_access, subscriber_access
from towngrid_kafka_admin.wire import Acl, AuthenticationFailed, ScramClient


def ops(found: list[Acl], resource: str = "TOPIC") -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for acl in found:
        if acl.resource_type == resource:
            out.setdefault(acl.name, set()).add(acl.operation)
    return out


def test_a_service_writes_its_topics_and_the_dead_letters_of_what_it_reads() -> None:
    found = acls(service_access("permits", ["permits.permit.v1"], ["registry.resident.v1"]))
    assert ops(found) == {
        "permits.permit.v1": {"WRITE", "CREATE"},
        "registry.resident.v1": {"READ", "CREATE"},
        "registry.resident.v1.dlq": {"WRITE", "CREATE"},
    }
    assert {a.principal for a in found} == {"User:permits"}
    assert {a.permission for a in found} == {"ALLOW"} and {a.pattern for a in found if a.resource_type == "TOPIC"} == {"LITERAL"}
    assert [(a.name, a.pattern, a.operation) for a in found if a.resource_type == "GROUP"] == [("permits", "PREFIXED", "READ")]
    assert not [a for a in found if a.resource_type == "CLUSTER"]


def test_a_service_that_consumes_nothing_joins_no_group() -> None:
    found = acls(service_access("registry", ["registry.resident.v1"], []))
    assert ops(found) == {"registry.resident.v1": {"WRITE", "CREATE"}}
    assert not [a for a in found if a.resource_type == "GROUP"]


def test_the_county_subscriber_only_reads() -> None:
    found = acls(subscriber_access(["registry.resident.v1", "permits.permit.v1"]))
    assert ops(found) == {"registry.resident.v1": {"READ"}, "permits.permit.v1": {"READ"}}
    assert [(a.name, a.pattern, a.operation) for a in found if a.resource_type == "GROUP"] == [("county", "PREFIXED", "READ")]
    assert {a.operation for a in found} == {"READ"}


def test_the_committed_form_round_trips() -> None:
    accesses = [service_access("labor", ["labor.batch.v1"], ["permits.permit.v1"]), subscriber_access(["x.y.v1"])]
    assert sorted(parse(render(accesses)), key=lambda a: a.principal) == sorted(accesses, key=lambda a: a.principal)


def test_scram_sha_256_client_matches_rfc_7677() -> None:
    client = ScramClient("SCRAM-SHA-256", "user", "pencil", nonce="rOprNGfwEbeRWgbNEkqO")
    assert client.first() == b"n,,n=user,r=rOprNGfwEbeRWgbNEkqO"
    server_first = b"r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
    assert client.final(server_first) == (b"c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                                          b"p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")
    client.verify(b"v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")
    with pytest.raises(AuthenticationFailed):
        client.verify(b"v=AAAATRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")


def test_scram_refuses_a_server_nonce_that_is_not_ours() -> None:
    client = ScramClient("SCRAM-SHA-512", "user", "pencil", nonce="abc")
    with pytest.raises(AuthenticationFailed):
        client.final(b"r=xyz123,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")

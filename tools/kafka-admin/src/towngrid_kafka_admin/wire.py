"""A small synchronous Kafka admin client on the wire protocol, standard library only.

It does what the Python Kafka clients cannot: create SCRAM users and ACLs. The local stack
(towngrid-stack) and the deployment's one-shot ``towngrid-kafka-access`` job use it to give
every principal its credentials and ACLs before any service connects.

- :func:`scram_client` / :class:`ScramClient`: the SCRAM exchange of RFC 5802 (SHA-256/512);
- :class:`KafkaWire`: one connection; ApiVersions, SASL (PLAIN or SCRAM), Metadata,
  AlterUserScramCredentials, DescribeAcls, CreateAcls and DeleteAcls.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import socket
import struct
from collections.abc import Iterable
from dataclasses import dataclass

# API keys and the versions used
API_VERSIONS, METADATA, SASL_HANDSHAKE, SASL_AUTHENTICATE = 18, 3, 17, 36
DESCRIBE_ACLS, CREATE_ACLS, DELETE_ACLS, ALTER_USER_SCRAM = 29, 30, 31, 51

MECHANISMS = {"SCRAM-SHA-256": (1, "sha256"), "SCRAM-SHA-512": (2, "sha512")}
SCRAM_ITERATIONS = 8192

RESOURCE_TYPES = {"ANY": 1, "TOPIC": 2, "GROUP": 3, "CLUSTER": 4, "TRANSACTIONAL_ID": 5}
PATTERN_TYPES = {"ANY": 1, "MATCH": 2, "LITERAL": 3, "PREFIXED": 4}
OPERATIONS = {"ANY": 1, "ALL": 2, "READ": 3, "WRITE": 4, "CREATE": 5, "DELETE": 6, "ALTER": 7,
              "DESCRIBE": 8, "CLUSTER_ACTION": 9, "DESCRIBE_CONFIGS": 10, "ALTER_CONFIGS": 11,
              "IDEMPOTENT_WRITE": 12}
PERMISSIONS = {"ANY": 1, "DENY": 2, "ALLOW": 3}


class KafkaWireError(Exception):
    """The broker refused a request, or answered something unexpected."""


class AuthenticationFailed(KafkaWireError):
    """Wrong user name, password or mechanism."""


@dataclass(frozen=True, order=True)
class Acl:
    """One ACL binding: ``principal`` (e.g. ``User:registry``) may ``operation`` on a resource."""

    resource_type: str  # TOPIC, GROUP, CLUSTER
    name: str
    pattern: str  # LITERAL or PREFIXED
    principal: str
    operation: str  # READ, WRITE, CREATE, DESCRIBE, ...
    permission: str = "ALLOW"
    host: str = "*"


# --- SCRAM (RFC 5802) ----------------------------------------------------------------------
def salted_password(hash_name: str, password: str, salt: bytes, iterations: int) -> bytes:
    return hashlib.pbkdf2_hmac(hash_name, password.encode(), salt, iterations)


def _hmac(hash_name: str, key: bytes, message: bytes) -> bytes:
    return hmac.new(key, message, hash_name).digest()


def _sasl_name(user: str) -> str:
    return user.replace("=", "=3D").replace(",", "=2C")


class ScramClient:
    """The client side of one SCRAM exchange: ``first()``, ``final(server_first)``,
    ``verify(server_final)``."""

    def __init__(self, mechanism: str, user: str, password: str, nonce: str | None = None) -> None:
        if mechanism not in MECHANISMS:
            raise ValueError(f"unsupported SASL mechanism {mechanism!r}; use one of {sorted(MECHANISMS)}")
        self.hash_name = MECHANISMS[mechanism][1]
        self.password = password
        self.nonce = nonce or base64.b64encode(os.urandom(24)).decode()
        self.first_bare = f"n={_sasl_name(user)},r={self.nonce}"
        self._server_signature = b""

    def first(self) -> bytes:
        return f"n,,{self.first_bare}".encode()

    def final(self, server_first: bytes) -> bytes:
        text = server_first.decode()
        fields = dict(part.split("=", 1) for part in text.split(","))
        if "e" in fields:
            raise AuthenticationFailed(f"SCRAM: the server refused: {fields['e']}")
        nonce, salt, iterations = fields["r"], base64.b64decode(fields["s"]), int(fields["i"])
        if not nonce.startswith(self.nonce):
            raise AuthenticationFailed("SCRAM: the server's nonce does not extend ours")
        salted = salted_password(self.hash_name, self.password, salt, iterations)
        client_key = _hmac(self.hash_name, salted, b"Client Key")
        stored_key = hashlib.new(self.hash_name, client_key).digest()
        without_proof = f"c={base64.b64encode(b'n,,').decode()},r={nonce}"
        auth_message = f"{self.first_bare},{text},{without_proof}".encode()
        signature = _hmac(self.hash_name, stored_key, auth_message)
        proof = bytes(a ^ b for a, b in zip(client_key, signature))
        self._server_signature = _hmac(self.hash_name, _hmac(self.hash_name, salted, b"Server Key"), auth_message)
        return f"{without_proof},p={base64.b64encode(proof).decode()}".encode()

    def verify(self, server_final: bytes) -> None:
        fields = dict(part.split("=", 1) for part in server_final.decode().split(","))
        if "e" in fields:
            raise AuthenticationFailed(f"SCRAM: the server refused: {fields['e']}")
        if base64.b64decode(fields.get("v", "")) != self._server_signature:
            raise AuthenticationFailed("SCRAM: the server's signature is wrong (not the server we know)")


# --- encoding ------------------------------------------------------------------------------
def _string(value: str | None) -> bytes:
    if value is None:
        return struct.pack(">h", -1)
    raw = value.encode()
    return struct.pack(">h", len(raw)) + raw


def _uvarint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _compact_bytes(raw: bytes) -> bytes:
    return _uvarint(len(raw) + 1) + raw


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def unpack(self, fmt: str) -> tuple:
        values = struct.unpack_from(fmt, self.data, self.pos)
        self.pos += struct.calcsize(fmt)
        return values

    def int8(self) -> int:
        return self.unpack(">b")[0]

    def int16(self) -> int:
        return self.unpack(">h")[0]

    def int32(self) -> int:
        return self.unpack(">i")[0]

    def string(self) -> str | None:
        return self._nullable_text(self.int16())

    def bytes_(self) -> bytes:
        n = self.int32()
        value = self.data[self.pos:self.pos + max(n, 0)]
        self.pos += max(n, 0)
        return value

    def uvarint(self) -> int:
        shift = result = 0
        while True:
            byte = self.data[self.pos]
            self.pos += 1
            result |= (byte & 0x7F) << shift
            if not byte & 0x80:
                return result
            shift += 7

    def compact_string(self) -> str | None:
        return self._nullable_text(self.uvarint() - 1)

    def _nullable_text(self, n: int) -> str | None:
        """The next ``n`` bytes as text; None for a negative length (a null string)."""
        if n < 0:
            return None
        value = self.data[self.pos:self.pos + n].decode()
        self.pos += n
        return value

    def skip_tags(self) -> None:
        for _ in range(self.uvarint()):
            self.uvarint()
            self.pos += self.uvarint()


# --- the connection ------------------------------------------------------------------------
class KafkaWire:
    """One connection to one listener. Use as a context manager."""

    def __init__(self, host: str, port: int, *, timeout: float = 5.0, client_id: str = "towngrid-admin") -> None:
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.settimeout(timeout)
        self.client_id = client_id
        self._corr = 0
        self.versions: dict[int, tuple[int, int]] = {}

    def __enter__(self) -> "KafkaWire":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.sock.close()

    def _recv(self, n: int) -> bytes:
        buf = bytearray()
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise ConnectionError("connection closed by the broker")
            buf += chunk
        return bytes(buf)

    def call(self, api_key: int, version: int, body: bytes, *, flexible: bool = False) -> _Reader:
        """Send one request; return a reader positioned after the response header."""
        self._corr += 1
        header = struct.pack(">hhi", api_key, version, self._corr) + _string(self.client_id)
        if flexible:
            header += b"\x00"  # no tagged fields
        self.sock.sendall(struct.pack(">i", len(header) + len(body)) + header + body)
        reader = _Reader(self._recv(struct.unpack(">i", self._recv(4))[0]))
        if reader.int32() != self._corr:
            raise KafkaWireError("the broker answered with a wrong correlation id")
        if flexible and api_key != API_VERSIONS:
            reader.skip_tags()
        return reader

    def api_versions(self) -> dict[int, tuple[int, int]]:
        reader = self.call(API_VERSIONS, 0, b"")
        error = reader.int16()
        if error:
            raise KafkaWireError(f"ApiVersions: error code {error}")
        self.versions = {key: (lo, hi) for key, lo, hi in (reader.unpack(">hhh") for _ in range(reader.int32()))}
        return self.versions

    def _version(self, api_key: int, wanted: Iterable[int]) -> int:
        if not self.versions:
            self.api_versions()
        lo, hi = self.versions.get(api_key, (1, 0))
        for version in wanted:
            if lo <= version <= hi:
                return version
        raise KafkaWireError(f"this listener does not serve API {api_key} in a version this client speaks "
                             f"(it serves {lo}-{hi})")

    # --- SASL --------------------------------------------------------------------------------
    def authenticate(self, mechanism: str, user: str, password: str) -> None:
        """SaslHandshake, then the PLAIN or SCRAM exchange; AuthenticationFailed if refused."""
        reader = self.call(SASL_HANDSHAKE, self._version(SASL_HANDSHAKE, (1,)), _string(mechanism))
        error = reader.int16()
        enabled = [reader.string() for _ in range(reader.int32())]
        if error:
            raise AuthenticationFailed(f"the listener does not accept SASL mechanism {mechanism} "
                                       f"(it accepts {', '.join(str(m) for m in enabled)})")
        if mechanism == "PLAIN":
            self._sasl_step(f"\0{user}\0{password}".encode())
            return
        scram = ScramClient(mechanism, user, password)
        server_first = self._sasl_step(scram.first())
        scram.verify(self._sasl_step(scram.final(server_first)))

    def _sasl_step(self, token: bytes) -> bytes:
        version = self._version(SASL_AUTHENTICATE, (1, 0))
        reader = self.call(SASL_AUTHENTICATE, version, struct.pack(">i", len(token)) + token)
        error, message, answer = reader.int16(), reader.string(), reader.bytes_()
        if error:
            raise AuthenticationFailed(f"authentication failed (error code {error}): {message}")
        return answer

    # --- metadata ----------------------------------------------------------------------------
    def metadata(self) -> dict:
        """Metadata v4 for no topic: {"brokers": [(id, host, port)], "cluster_id", "controller_id"}."""
        self._version(METADATA, (4,))
        reader = self.call(METADATA, 4, struct.pack(">ib", 0, 0))
        reader.int32()  # throttle
        brokers = []
        for _ in range(reader.int32()):
            node = reader.int32()
            host = reader.string()
            port = reader.int32()
            reader.string()  # rack
            brokers.append((node, host, port))
        cluster_id = reader.string()
        return {"brokers": brokers, "cluster_id": cluster_id, "controller_id": reader.int32()}

    # --- SCRAM users -------------------------------------------------------------------------
    def upsert_scram_users(self, users: dict[str, str], mechanism: str = "SCRAM-SHA-512",
                           iterations: int = SCRAM_ITERATIONS) -> None:
        """Create or update each user's SCRAM credential (AlterUserScramCredentials)."""
        code, hash_name = MECHANISMS[mechanism]
        body = _uvarint(1)  # no deletions
        body += _uvarint(len(users) + 1)
        for user, password in sorted(users.items()):
            salt = os.urandom(32)
            body += (_compact_bytes(user.encode()) + struct.pack(">bi", code, iterations) + _compact_bytes(salt)
                     + _compact_bytes(salted_password(hash_name, password, salt, iterations)) + b"\x00")
        body += b"\x00"
        reader = self.call(ALTER_USER_SCRAM, self._version(ALTER_USER_SCRAM, (0,)), body, flexible=True)
        reader.int32()  # throttle
        problems = []
        for _ in range(reader.uvarint() - 1):
            user, error, message = reader.compact_string(), reader.int16(), reader.compact_string()
            reader.skip_tags()
            if error:
                problems.append(f"{user}: error code {error} {message or ''}".strip())
        if problems:
            raise KafkaWireError("creating SCRAM users failed: " + "; ".join(problems))

    # --- ACLs --------------------------------------------------------------------------------
    def create_acls(self, acls: Iterable[Acl]) -> None:
        acls = sorted(set(acls))
        reader = self.call(CREATE_ACLS, self._version(CREATE_ACLS, (1,)), _acl_list(acls))
        reader.int32()  # throttle
        problems = []
        for acl in acls[:reader.int32()]:
            error, message = reader.int16(), reader.string()
            if error:
                problems.append(f"{acl}: error code {error} {message or ''}".strip())
        if problems:
            raise KafkaWireError("creating ACLs failed: " + "; ".join(problems))

    def describe_acls(self) -> list[Acl]:
        """Every ACL the cluster holds (DescribeAcls, filter: anything)."""
        body = (struct.pack(">b", RESOURCE_TYPES["ANY"]) + _string(None) + struct.pack(">b", PATTERN_TYPES["ANY"])
                + _string(None) + _string(None) + struct.pack(">bb", OPERATIONS["ANY"], PERMISSIONS["ANY"]))
        reader = self.call(DESCRIBE_ACLS, self._version(DESCRIBE_ACLS, (1,)), body)
        reader.int32()  # throttle
        error, message = reader.int16(), reader.string()
        if error:
            raise KafkaWireError(f"describing ACLs failed (error code {error}): {message}")
        found: list[Acl] = []
        for _ in range(reader.int32()):
            rtype, name, pattern = reader.int8(), reader.string(), reader.int8()
            for _ in range(reader.int32()):
                principal, host, operation, permission = reader.string(), reader.string(), reader.int8(), reader.int8()
                found.append(_acl(rtype, name, pattern, principal, host, operation, permission))
        return found

    def delete_acls(self, acls: Iterable[Acl]) -> list[Acl]:
        """Delete exactly these ACLs; return what was deleted."""
        acls = sorted(set(acls))
        reader = self.call(DELETE_ACLS, self._version(DELETE_ACLS, (1,)), _acl_list(acls))
        reader.int32()  # throttle
        deleted: list[Acl] = []
        for _ in range(reader.int32()):
            error, message = reader.int16(), reader.string()
            if error:
                raise KafkaWireError(f"deleting ACLs failed (error code {error}): {message}")
            for _ in range(reader.int32()):
                reader.int16(), reader.string()
                rtype, name, pattern = reader.int8(), reader.string(), reader.int8()
                principal, host, operation, permission = reader.string(), reader.string(), reader.int8(), reader.int8()
                deleted.append(_acl(rtype, name, pattern, principal, host, operation, permission))
        return deleted


def _acl_list(acls: list[Acl]) -> bytes:
    """The ACLs as CreateAcls v1 lays out its creations and DeleteAcls v1 its (exact) filters."""
    body = struct.pack(">i", len(acls))
    for acl in acls:
        body += (struct.pack(">b", RESOURCE_TYPES[acl.resource_type]) + _string(acl.name)
                 + struct.pack(">b", PATTERN_TYPES[acl.pattern]) + _string(acl.principal) + _string(acl.host)
                 + struct.pack(">bb", OPERATIONS[acl.operation], PERMISSIONS[acl.permission]))
    return body


def _acl(rtype: int, name: str | None, pattern: int, principal: str | None, host: str | None, operation: int,
         permission: int) -> Acl:
    def named(table: dict[str, int], code: int) -> str:
        return next((k for k, v in table.items() if v == code), str(code))

    return Acl(named(RESOURCE_TYPES, rtype), name or "", named(PATTERN_TYPES, pattern), principal or "",
               named(OPERATIONS, operation), named(PERMISSIONS, permission), host or "*")

"""Stdlib readiness probes: a Kafka ApiVersions + Metadata request and a MongoDB OP_MSG ping."""

from __future__ import annotations

import socket
import struct

_CLIENT_ID = b"towngrid-devstack"


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("connection closed by peer")
        buf += chunk
    return bytes(buf)


# --- Kafka ------------------------------------------------------------------------------------
def _kafka_call(sock: socket.socket, api_key: int, version: int, corr: int, body: bytes) -> bytes:
    header = struct.pack(">hhih", api_key, version, corr, len(_CLIENT_ID)) + _CLIENT_ID
    sock.sendall(struct.pack(">i", len(header) + len(body)) + header + body)
    size = struct.unpack(">i", _recv_exact(sock, 4))[0]
    payload = _recv_exact(sock, size)
    if struct.unpack(">i", payload[:4])[0] != corr:
        raise ConnectionError("Kafka answered with a wrong correlation id")
    return payload[4:]


def _string(data: bytes, pos: int) -> tuple[str | None, int]:
    (n,) = struct.unpack_from(">h", data, pos)
    pos += 2
    if n < 0:
        return None, pos
    return data[pos:pos + n].decode(), pos + n


def kafka_metadata(host: str, port: int, timeout: float = 3.0) -> dict:
    """ApiVersions v0 (to check Metadata v4 is served), then Metadata v4 for no topics.
    Returns {"brokers": [(node_id, host, port)], "cluster_id": str, "controller_id": int}."""
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.settimeout(timeout)
        resp = _kafka_call(sock, 18, 0, 1, b"")  # ApiVersions v0
        error, count = struct.unpack_from(">hi", resp, 0)
        if error:
            raise ConnectionError(f"ApiVersions error code {error}")
        versions = {}
        for i in range(count):
            key, lo, hi = struct.unpack_from(">hhh", resp, 6 + 6 * i)
            versions[key] = (lo, hi)
        lo, hi = versions.get(3, (99, -1))
        if not lo <= 4 <= hi:
            raise ConnectionError(f"broker does not serve Metadata v4 (range {lo}-{hi})")
        # Metadata v4: topics = empty array (no topic), allow_auto_topic_creation = false
        resp = _kafka_call(sock, 3, 4, 2, struct.pack(">ib", 0, 0))
    pos = 4  # throttle_time_ms
    (n_brokers,) = struct.unpack_from(">i", resp, pos)
    pos += 4
    brokers = []
    for _ in range(n_brokers):
        (node_id,) = struct.unpack_from(">i", resp, pos)
        b_host, pos = _string(resp, pos + 4)
        (b_port,) = struct.unpack_from(">i", resp, pos)
        _rack, pos = _string(resp, pos + 4)
        brokers.append((node_id, b_host, b_port))
    cluster_id, pos = _string(resp, pos)
    (controller_id,) = struct.unpack_from(">i", resp, pos)
    return {"brokers": brokers, "cluster_id": cluster_id, "controller_id": controller_id}


def kafka_ready(host: str, port: int, timeout: float = 3.0,
                auth: tuple[str, str, str] | None = None) -> bool:
    """The broker answers a metadata request with itself and a controller; with ``auth``
    (mechanism, user, password) after logging in on a SASL listener."""
    if auth is not None:
        from .access import client_connection

        with client_connection(host, port, auth[1], auth[2], auth[0], timeout=timeout) as wire:
            meta = wire.metadata()
    else:
        meta = kafka_metadata(host, port, timeout)
    return bool(meta["brokers"]) and meta["controller_id"] >= 0


# --- MongoDB wire protocol (FerretDB) ---------------------------------------------------------
def _cstring(data: bytes, pos: int) -> tuple[str, int]:
    end = data.index(b"\x00", pos)
    return data[pos:end].decode(), end + 1


def bson_encode(doc: dict) -> bytes:
    """Tiny BSON encoder: str, bool, int (int32/int64), float, nested dict."""
    out = bytearray()
    for key, value in doc.items():
        name = key.encode() + b"\x00"
        if isinstance(value, bool):
            out += b"\x08" + name + (b"\x01" if value else b"\x00")
        elif isinstance(value, int):
            out += (b"\x10" + name + struct.pack("<i", value) if -2**31 <= value < 2**31
                    else b"\x12" + name + struct.pack("<q", value))
        elif isinstance(value, float):
            out += b"\x01" + name + struct.pack("<d", value)
        elif isinstance(value, str):
            raw = value.encode() + b"\x00"
            out += b"\x02" + name + struct.pack("<i", len(raw)) + raw
        elif isinstance(value, dict):
            out += b"\x03" + name + bson_encode(value)
        else:
            raise TypeError(f"cannot encode {type(value).__name__} in this tiny BSON encoder")
    return struct.pack("<i", len(out) + 5) + bytes(out) + b"\x00"


_FIXED = {0x01: ("<d", 8), 0x10: ("<i", 4), 0x12: ("<q", 8), 0x09: ("<q", 8), 0x11: ("<Q", 8)}


def bson_decode(data: bytes, pos: int = 0) -> dict:
    """Tiny BSON decoder for server replies (unknown types end the decoding of that document)."""
    (size,) = struct.unpack_from("<i", data, pos)
    end, pos, doc = pos + size - 1, pos + 4, {}
    while pos < end:
        kind = data[pos]
        key, pos = _cstring(data, pos + 1)
        if kind in _FIXED:
            fmt, width = _FIXED[kind]
            doc[key] = struct.unpack_from(fmt, data, pos)[0]
            pos += width
        elif kind in (0x02, 0x0D, 0x0E):
            (n,) = struct.unpack_from("<i", data, pos)
            doc[key] = data[pos + 4:pos + 3 + n].decode("utf-8", "replace")
            pos += 4 + n
        elif kind in (0x03, 0x04):
            sub = bson_decode(data, pos)
            doc[key] = list(sub.values()) if kind == 0x04 else sub
            pos += struct.unpack_from("<i", data, pos)[0]
        elif kind == 0x08:
            doc[key], pos = data[pos] == 1, pos + 1
        elif kind in (0x0A, 0x06, 0xFF, 0x7F):
            doc[key] = None
        elif kind == 0x07:
            doc[key], pos = data[pos:pos + 12].hex(), pos + 12
        elif kind == 0x05:
            (n,) = struct.unpack_from("<i", data, pos)
            doc[key], pos = data[pos + 5:pos + 5 + n], pos + 5 + n
        else:
            break
    return doc


def mongo_command(host: str, port: int, command: dict, timeout: float = 3.0) -> dict:
    """Send one OP_MSG command (e.g. {"ping": 1, "$db": "admin"}) and return the reply."""
    body = struct.pack("<I", 0) + b"\x00" + bson_encode(command)
    header = struct.pack("<iiii", 16 + len(body), 1, 0, 2013)
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.settimeout(timeout)
        sock.sendall(header + body)
        length, _req, _resp_to, opcode = struct.unpack("<iiii", _recv_exact(sock, 16))
        payload = _recv_exact(sock, length - 16)
    if opcode != 2013 or payload[4] != 0:
        raise ConnectionError(f"unexpected MongoDB reply (opcode {opcode})")
    return bson_decode(payload, 5)


def mongo_ready(host: str, port: int, timeout: float = 3.0) -> bool:
    reply = mongo_command(host, port, {"ping": 1, "$db": "admin"}, timeout)
    return reply.get("ok") == 1

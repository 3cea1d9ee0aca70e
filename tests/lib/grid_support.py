"""Grid units made for a test through the registry (communities and their compounds), and a
record of scope checks: each operation tried inside and outside a token's scope."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from e2e_support import System
from towngrid_kit.auth import Role


@dataclass(frozen=True)
class Community:
    community_id: str
    compounds: tuple[str, ...]


async def new_communities(system: System, count: int = 2, compounds: int = 2) -> list[Community]:
    """``count`` new communities with ``compounds`` compounds each, registered in the registry's
    grid (so the other services learn them from ``registry.grid.v1``)."""
    made = []
    async with system.client("registry") as registry:
        for _ in range(count):
            community = f"Q{uuid.uuid4().hex[:6].upper()}"
            created = await registry.post("/grid/communities", json={"community_id": community, "name": "测试社区"})
            assert created.status_code == 201, created.text
            ids = []
            for n in range(1, compounds + 1):
                compound = f"{community}-{n:03d}"
                created = await registry.post("/grid/compounds", json={
                    "compound_id": compound, "community_id": community, "name": f"测试小区{n}"})
                assert created.status_code == 201, created.text
                ids.append(compound)
            made.append(Community(community, tuple(ids)))
    return made


def fresh_client(system: System, service: str, role: Role, scope: str = "town", subject: str = "stf_test",
                 organisation: str | None = None) -> httpx.AsyncClient:
    """A client with a token of ``role`` in ``scope`` (``System.client`` drops idle connections
    before the api's keep-alive timeout would)."""
    return system.client(service, role=role, scope=scope, subject=subject, organisation=organisation)


@dataclass
class ScopeChecks:
    """Every scoped operation tried inside its scope (expecting it allowed) and outside (403)."""

    wrong: list[str] = field(default_factory=list)
    tried: dict[str, set[str]] = field(default_factory=dict)

    def inside(self, operation: str, response: httpx.Response, expected: int = 200) -> httpx.Response:
        self._note(operation, "inside", response, expected)
        return response

    def outside(self, operation: str, response: httpx.Response) -> None:
        self._note(operation, "outside", response, 403)

    def listed(self, operation: str, response: httpx.Response, key: str, ident: str, *, shown: bool) -> None:
        """A list: inside the scope ``ident`` is among the items, outside it is filtered out."""
        where = "inside" if shown else "outside"
        self.tried.setdefault(operation, set()).add(where)
        if response.status_code != 200:
            self.wrong.append(f"{operation} {where} scope: {response.status_code}, expected 200: {response.text[:200]}")
        elif (ident in [item[key] for item in response.json()["items"]]) is not shown:
            self.wrong.append(f"{operation} {where} scope: {ident} {'missing from' if shown else 'shown in'} the list")

    async def reads(self, operation: str, path: str, *, inside: Sequence[httpx.AsyncClient],
                    outside: Sequence[httpx.AsyncClient]) -> None:
        """``path`` read by each caller inside the scope (200) and by each outside it (403)."""
        for caller in inside:
            self.inside(operation, await caller.get(path))
        for caller in outside:
            self.outside(operation, await caller.get(path))

    async def lists(self, operation: str, path: str, key: str, ident: str, *, shown_to: Sequence[httpx.AsyncClient],
                    hidden_from: Sequence[httpx.AsyncClient], params: dict[str, Any] | None = None) -> None:
        """The list at ``path`` shows ``ident`` to each caller of ``shown_to`` and to none of ``hidden_from``."""
        for caller in shown_to:
            self.listed(operation, await caller.get(path, params=params), key, ident, shown=True)
        for caller in hidden_from:
            self.listed(operation, await caller.get(path, params=params), key, ident, shown=False)

    async def writes(self, operation: str, path: str, body: dict[str, Any] | None = None, *,
                     outside: Sequence[httpx.AsyncClient], inside: Sequence[httpx.AsyncClient],
                     expected: int = 200) -> httpx.Response:
        """``body`` posted to ``path`` by each caller outside the scope first (403), then by each
        inside it (``expected``); the last inside answer."""
        for caller in outside:
            self.outside(operation, await caller.post(path, json=body))
        answers = [self.inside(operation, await caller.post(path, json=body), expected) for caller in inside]
        return answers[-1]

    def _note(self, operation: str, where: str, response: httpx.Response, expected: int) -> None:
        self.tried.setdefault(operation, set()).add(where)
        if response.status_code != expected:
            self.wrong.append(f"{operation} {where} scope ({response.request.url}): {response.status_code}, "
                              f"expected {expected}: {response.text[:200]}")

    def untried(self, operations: set[str]) -> set[str]:
        """Operations not tried both inside and outside their scope."""
        return {op for op in operations if self.tried.get(op) != {"inside", "outside"}}

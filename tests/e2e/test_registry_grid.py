"""The grid on the real stack: import the report's town from CSV (all or nothing), create, rename,
list a page at a time; grid events on registry.grid.v1; registration refuses unknown compounds
once the town requires known ones."""

from __future__ import annotations

import uuid
from pathlib import Path

from e2e_support import System, eventually, events_with, read_all
from people import returnee
from towngrid_kit.auth import Role

GRID_TOPIC = "registry.grid.v1"
TOWN_CSV = Path(__file__).parents[2] / "services" / "registry" / "data" / "chengguan_grid.csv"
HEADER = "community_id,community_name,compound_id,compound_name,group_id,group_name\n"
CSV = {"Content-Type": "text/csv"}


def unit(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:6].upper()}"


async def import_town(registry) -> dict:  # noqa: ANN001
    response = await registry.post("/grid/import", content=TOWN_CSV.read_bytes(), headers=CSV)
    assert response.status_code == 200, response.text
    return response.json()


async def walk(registry, path: str, params: dict, limit: int) -> list[dict]:  # noqa: ANN001
    seen, after = [], None
    while True:
        page = await registry.get(path, params=params | {"limit": limit} | ({"after": after} if after else {}))
        assert page.status_code == 200, page.text
        seen += page.json()["items"]
        after = page.json()["next_after"]
        if after is None:
            return seen


async def test_import_the_reports_town_with_a_checkpoint_per_compound(system: System) -> None:
    async with system.client("registry") as registry:
        report = await import_town(registry)
        assert report["compounds"] >= 153 and report["communities"] >= 8
        town = (await registry.get("/grid")).json()
        checkpoints = await walk(registry, "/grid/checkpoints", {}, 40)
        assert len({c["checkpoint_id"] for c in checkpoints}) == len(checkpoints) == town["compounds"]
        c03 = await walk(registry, "/grid/compounds", {"community_id": "C03"}, 7)
        assert len(c03) == 19 and all(c["checkpoint_id"] == f"CP-{c['compound_id']}" for c in c03)
        assert c03[0]["groups"], "neighbour groups came with their compounds"
        again = await import_town(registry)
        assert (again["communities_added"], again["compounds_added"], again["groups_added"]) == (0, 0, 0)
        assert (await registry.get("/grid")).json()["version"] == town["version"], "a repeated import changes nothing"

    async def published() -> list[dict] | None:
        found = events_with(await read_all(system.kafka, GRID_TOPIC), event_type="registry.grid.compound_registered")
        town_ids = {e["data"]["compound_id"] for e in found if e["data"]["compound_id"][:3] in
                    {f"C0{i}" for i in range(1, 9)} and len(e["data"]["compound_id"]) == 7}
        return found if len(town_ids) >= 153 else None

    events = await eventually(published, timeout=60)
    one = next(e for e in events if e["data"]["compound_id"] == "C03-017")
    assert one["data"]["checkpoint_id"] == "CP-C03-017" and one["data"]["community_id"] == "C03"
    assert one["aggregate_id"] == town["town_id"] and one["producer"] == "registry"
    assert len({e["event_id"] for e in events if e["data"]["compound_id"] == "C03-017"}) == 1


async def test_a_bad_file_is_refused_row_by_row_and_nothing_is_imported(system: System) -> None:
    good, other = unit("Q"), unit("Q")
    text = HEADER + "\n".join([
        f"{good},好社区,{good}-001,甲小区,{good}-001-G01,1号楼",
        f"{good},好社区,{good}-002,乙小区,,",
        f"{other},坏社区,{good}-002,乙小区,,",           # row 4: compound in two communities
        f"{good},好社区,,无编号小区,,",                     # row 5: empty compound_id
        f"{good},好社区,{good}-003,丙小区,{good}-003-G01,",  # row 6: group without a name
        f"{good},好社区,{good} 004,空格,,",                # row 7: bad id
    ]) + "\n"
    async with system.client("registry") as registry:
        before = (await registry.get("/grid")).json()["version"]
        response = await registry.post("/grid/import", content=text.encode(), headers=CSV)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        fields = {e["field"] for e in response.json()["errors"]}
        assert {"rows[4].community_id", "rows[5].compound_id", "rows[6].group_name", "rows[7].compound_id"} <= fields
        assert "nothing was imported" in response.json()["detail"]
        assert (await registry.get(f"/grid/compounds/{good}-001")).status_code == 404
        assert (await registry.get("/grid")).json()["version"] == before
        wrong_type = await registry.post("/grid/import", json={"rows": []})
        assert wrong_type.status_code == 422 and "content-type" in wrong_type.text
        not_utf8 = await registry.post("/grid/import", content="社区".encode("gbk"), headers=CSV)
        assert not_utf8.status_code == 422
        bad_header = await registry.post("/grid/import", content=b"community,compound\nA,B\n", headers=CSV)
        assert bad_header.status_code == 422 and "rows[1].community_id" in bad_header.text
        too_big = await registry.post("/grid/import", content=HEADER.encode() + b"x" * 1_000_001, headers=CSV)
        assert too_big.status_code == 413
        assert (await registry.get("/grid")).json()["version"] == before


async def test_create_rename_and_list_units(system: System) -> None:
    community = unit("K")
    compound, group = f"{community}-001", f"{community}-001-G01"
    async with system.client("registry") as registry:
        created = await registry.post("/grid/communities", json={"community_id": community, "name": "新社区"})
        assert created.status_code == 201, created.text
        again = await registry.post("/grid/communities", json={"community_id": community, "name": "新社区"})
        assert again.status_code == 409
        orphan = await registry.post("/grid/compounds", json={"compound_id": unit("K"), "community_id": "NOPE", "name": "x"})
        assert orphan.status_code == 422 and orphan.json()["errors"][0]["field"] == "body.community_id"
        bad = await registry.post("/grid/compounds", json={"compound_id": "a b", "community_id": community, "name": ""})
        assert bad.status_code == 422
        assert {"body.compound_id", "body.name"} <= {e["field"] for e in bad.json()["errors"]}
        made = await registry.post("/grid/compounds", json={"compound_id": compound, "community_id": community, "name": "甲"})
        assert made.status_code == 201 and made.json()["checkpoint_id"] == f"CP-{compound}"
        grouped = await registry.post("/grid/groups", json={"group_id": group, "compound_id": compound, "name": "1号楼"})
        assert grouped.status_code == 201, grouped.text
        renamed = await registry.patch(f"/grid/compounds/{compound}", json={"name": "甲二期"})
        assert renamed.status_code == 200 and renamed.json()["name"] == "甲二期"
        assert (await registry.patch("/grid/compounds/NOPE-1", json={"name": "x"})).status_code == 404
        assert (await registry.patch(f"/grid/compounds/{compound}", json={"name": "x", "extra": 1})).status_code == 422
        found = (await registry.get(f"/grid/compounds/{compound}")).json()
        assert found["name"] == "甲二期" and [g["group_id"] for g in found["groups"]] == [group]
        listed = await walk(registry, "/grid/communities", {}, 3)
        assert community in [c["community_id"] for c in listed]
        assert len(listed) == len({c["community_id"] for c in listed})
        assert (await registry.get("/grid/compounds", params={"limit": 0})).status_code == 422
    async with system.client("registry", role=Role.MERCHANT) as merchant:
        assert (await merchant.post("/grid/communities", json={"community_id": unit("K"), "name": "x"})).status_code == 403
        assert (await merchant.post("/grid/import", content=TOWN_CSV.read_bytes(), headers=CSV)).status_code == 403
    async with system.client("registry", role=None) as anonymous:
        assert (await anonymous.get("/grid/checkpoints")).status_code == 401

    async def published() -> list[str] | None:
        found = [e["event_type"] for e in events_with(await read_all(system.kafka, GRID_TOPIC))
                 if community in str(e["data"])]
        return found if "registry.grid.unit_renamed" in found else None

    assert await eventually(published) == [
        "registry.grid.community_registered", "registry.grid.compound_registered",
        "registry.grid.neighbour_group_registered", "registry.grid.unit_renamed"]


async def test_registration_refuses_unknown_compounds_once_required(system: System) -> None:
    async with system.client("registry") as registry:
        await import_town(registry)
        switched = await registry.put("/grid/settings", json={"requires_known_compound": True})
        assert switched.status_code == 200 and switched.json()["requires_known_compound"] is True
        try:
            stray = f"C99-{uuid.uuid4().hex[:8]}"
            refused = await registry.post("/residents", json=returnee(stray))
            assert refused.status_code == 422, refused.text
            assert refused.json()["errors"][0]["field"] == "body.compound_id"
            assert (await registry.get("/residents", params={"compound_id": stray})).json()["items"] == []
            wrong_group = await registry.post("/residents", json=returnee("C03-017", neighbour_group_id="C01-001-G01"))
            assert wrong_group.status_code == 422 and wrong_group.json()["errors"][0]["field"] == "body.neighbour_group_id"
            placed = await registry.post("/residents", json=returnee("C03-017", neighbour_group_id="C03-017-G01"))
            assert placed.status_code == 201, placed.text
            assert placed.json()["resident"]["neighbour_group_id"] == "C03-017-G01"
        finally:
            off = await registry.put("/grid/settings", json={"requires_known_compound": False})
            assert off.status_code == 200
        assert (await registry.post("/residents", json=returnee(f"C99-{uuid.uuid4().hex[:8]}"))).status_code == 201
        assert (await registry.put("/grid/settings", json={})).status_code == 422
        assert (await registry.put("/grid/settings", json={"requires_known_compound": "perhaps"})).status_code == 422

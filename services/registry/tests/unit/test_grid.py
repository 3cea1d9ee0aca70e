from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from towngrid_contracts.registry import CommunityRegistered, CompoundRegistered, GridUnitRenamed, NeighbourGroupRegistered
from towngrid_kit.errors import Conflict, InvalidInput
from registry.adapters.grid_csv import parse_grid_csv
from registry.adapters.grid_repository import from_state, to_state
from registry.domain.grid import ChecklistItemTemplate, ChecklistTemplate, Grid, GridRow

NOW = datetime(2020, 2, 1, 8, 0, tzinfo=UTC)
TOWN_CSV = Path(__file__).parents[2] / "data" / "chengguan_grid.csv"


def test_register_units_with_a_checkpoint_per_compound() -> None:
    g = Grid("T1")
    g.register_community("C01", "东城", NOW)
    compound = g.register_compound("C01-001", "C01", "幸福家园", NOW)
    g.register_group("C01-001-G01", "C01-001", "1号楼", NOW)
    assert compound.checkpoint_id == "CP-C01-001"
    assert [type(e) for e in g.pending] == [CommunityRegistered, CompoundRegistered, NeighbourGroupRegistered]
    assert g.pending[1].checkpoint_id == "CP-C01-001" and g.pending[2].community_id == "C01"
    assert g.chain("C01-001", "C01-001-G01") == [
        ("neighbour_group", "C01-001-G01"), ("compound", "C01-001"), ("community", "C01"), ("town", "T1")]


def test_refusals() -> None:
    g = Grid("T1")
    with pytest.raises(InvalidInput):
        g.register_compound("C01-001", "C01", "x", NOW)  # unknown community
    g.register_community("C01", "东城", NOW)
    with pytest.raises(Conflict):
        g.register_community("C01", "again", NOW)
    with pytest.raises(InvalidInput):
        g.register_community("bad id!", "x", NOW)
    with pytest.raises(Conflict):
        g.change_settings(True, None, NOW)  # no compounds yet


def test_placement_only_enforced_when_required() -> None:
    g = Grid("T1")
    g.register_community("C01", "东城", NOW)
    g.register_compound("C01-001", "C01", "x", NOW)
    g.register_group("C01-001-G01", "C01-001", "1", NOW)
    assert g.placement_problem("C99-xyz", None) is None
    g.change_settings(True, None, NOW)
    assert g.placement_problem("C99-xyz", None)[0] == "body.compound_id"
    assert g.placement_problem("C01-001", "C01-001-G09")[0] == "body.neighbour_group_id"
    assert g.placement_problem("C01-001", "C01-001-G01") is None


def test_rename_records_an_event_without_the_name() -> None:
    g = Grid("T1")
    g.register_community("C01", "东城", NOW)
    g.pending.clear()
    g.rename("community", "C01", "东城新区", NOW)
    g.rename("community", "C01", "东城新区", NOW)  # the same name again changes nothing
    assert len(g.pending) == 1 and isinstance(g.pending[0], GridUnitRenamed)
    assert "东城" not in g.pending[0].model_dump_json()


def test_the_shipped_town_imports_whole() -> None:
    rows, errors = parse_grid_csv(TOWN_CSV.read_text(encoding="utf-8"))
    assert errors == []
    g = Grid("T1")
    assert g.import_rows(rows, NOW) == []
    assert len(g.communities) == 8 and len(g.compounds) == 153
    assert sum(isinstance(e, CompoundRegistered) for e in g.pending) == 153
    g.pending.clear()
    assert g.import_rows(rows, NOW) == [] and g.pending == [], "importing again changes nothing"
    again = from_state(to_state(g), 1)
    assert again.compounds == g.compounds and again.groups == g.groups


def test_a_bad_file_is_reported_per_row_and_imports_nothing() -> None:
    text = ("community_id,community_name,compound_id,compound_name,group_id,group_name\n"
            "C01,东城,C01-001,幸福,,\n"
            "C02,西城,C01-001,幸福,,\n"       # compound under two communities
            "C01,东城,,无编号,,\n"            # empty compound id
            "C01,东城,C01 002,空格,,\n")       # bad id
    rows, errors = parse_grid_csv(text)
    assert [(e.row, e.field) for e in errors] == [(4, "compound_id")]
    g = Grid("T1")
    problems = g.import_rows(rows, NOW)
    assert {(e.row, e.field) for e in problems} == {(3, "community_id"), (5, "compound_id")}
    assert g.compounds == {} and g.communities == {} and g.pending == []


def test_header_problems() -> None:
    _, errors = parse_grid_csv("community,compound_id\nx,y\n")
    assert {e.field for e in errors} >= {"community_id", "community_name", "compound_name", "community"}
    _, errors = parse_grid_csv("")
    assert errors[0].field == "file"


def test_checklist_settings() -> None:
    g = Grid("T1")
    template = ChecklistTemplate([ChecklistItemTemplate("a", "A", timedelta(hours=1))], timedelta(hours=2))
    g.change_settings(None, template, NOW)
    assert g.pending[-1].checklist_item_codes == ["a"]
    with pytest.raises(InvalidInput):
        g.change_settings(None, ChecklistTemplate([ChecklistItemTemplate("a", "A", timedelta(1))] * 2), NOW)

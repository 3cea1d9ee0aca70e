"""Reading a grid import file (CSV, UTF-8, header row) into rows, with a per-row error report."""

from __future__ import annotations

import csv
import io

from registry.domain.grid import GridRow, RowError

COLUMNS = ("community_id", "community_name", "compound_id", "compound_name", "group_id", "group_name")
REQUIRED = COLUMNS[:4]
MAX_ROWS = 5000
MAX_CELL = 100


def parse_grid_csv(text: str) -> tuple[list[GridRow], list[RowError]]:
    """The rows of the file and every problem found in it (row numbers as a spreadsheet shows them)."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        return [], [RowError(0, "file", "the file is empty; expected a header row: " + ",".join(COLUMNS))]
    except csv.Error as error:
        return [], [RowError(1, "file", f"not a CSV file: {error}")]
    missing = [c for c in REQUIRED if c not in header]
    unknown = [h for h in header if h not in COLUMNS]
    errors = [RowError(1, c, "column is missing from the header") for c in missing]
    errors += [RowError(1, h or "(empty)", "unknown column; expected: " + ",".join(COLUMNS)) for h in unknown]
    if errors:
        return [], errors
    rows: list[GridRow] = []
    try:
        for n, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            if n - 1 > MAX_ROWS:
                return [], [RowError(n, "file", f"more than {MAX_ROWS} rows; split the file")]
            if len(cells) != len(header):
                errors.append(RowError(n, "row", f"has {len(cells)} cells, the header has {len(header)}"))
                continue
            values = {h: c.strip() for h, c in zip(header, cells, strict=True)}
            bad = False
            for column in REQUIRED:
                if not values.get(column):
                    errors.append(RowError(n, column, "is empty"))
                    bad = True
            for column, value in values.items():
                if len(value) > MAX_CELL:
                    errors.append(RowError(n, column, f"is longer than {MAX_CELL} characters"))
                    bad = True
            if bad:
                continue
            rows.append(GridRow(
                community_id=values["community_id"], community_name=values["community_name"],
                compound_id=values["compound_id"], compound_name=values["compound_name"],
                group_id=values.get("group_id") or None, group_name=values.get("group_name") or None, line=n,
            ))
    except csv.Error as error:
        errors.append(RowError(reader.line_num, "file", f"not a CSV file: {error}"))
    return rows, errors

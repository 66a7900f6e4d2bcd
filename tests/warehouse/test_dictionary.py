from __future__ import annotations

from pathlib import Path

from warehouse.dictionary import EXAMPLES, data_dictionary, schema_connection, undocumented_columns

DOC = Path(__file__).resolve().parents[2] / "docs" / "warehouse.md"


def test_docs_warehouse_md_is_current():
    assert DOC.read_text(encoding="utf-8") == data_dictionary(), (
        "docs/warehouse.md is stale: run `python -m warehouse.dictionary > docs/warehouse.md`"
    )


def test_every_table_column_has_a_meaning():
    assert undocumented_columns(schema_connection()) == []


def test_every_table_and_view_has_an_example_query_that_runs():
    con = schema_connection()
    relations = {
        row[0]
        for row in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'"
            " UNION SELECT view_name FROM duckdb_views() WHERE schema_name = 'main'"
            " AND NOT internal"
        ).fetchall()
    }
    assert relations <= set(EXAMPLES)
    for query in EXAMPLES.values():
        con.execute(query).fetchall()  # binds and runs on the empty schema

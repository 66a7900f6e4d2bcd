"""Exporting every table to Parquet or CSV files that pandas, polars or another DuckDB can read.

The big tables are partitioned by month (Hive style: `claims/month=2021-05/data_0.parquet`),
so a reader can skip what it does not need; small tables are one file each.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from warehouse.db import WarehouseLocation, connect

ExportFormat = Literal["parquet", "csv"]

# The month each row of a big table belongs to, as SQL over that table (aliased `t`).
_MONTH_OF = {
    "articles": "strftime(coalesce(t.published_at, t.fetched_at), '%Y-%m')",
    "claims": "(SELECT strftime(coalesce(a.published_at, a.fetched_at), '%Y-%m')"
    " FROM articles a WHERE a.article_id = t.article_id)",
    "events": "coalesce(strftime(t.event_date, '%Y-%m'), 'undated')",
    "fetch_log": "strftime(t.fetched_at, '%Y-%m')",
}


@dataclass(frozen=True)
class ExportedTable:
    table: str
    rows: int
    path: Path


def _tables(con) -> list[str]:
    rows = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'"
        " AND database_name = current_database() ORDER BY table_name"
    ).fetchall()
    return [row[0] for row in rows]


def export_warehouse(
    warehouse: WarehouseLocation | Path | str | None,
    out_dir: Path,
    *,
    fmt: ExportFormat = "parquet",
) -> list[ExportedTable]:
    """Write every table under `out_dir`; existing files of the same tables are replaced."""
    out_dir.mkdir(parents=True, exist_ok=True)
    options = "FORMAT parquet, COMPRESSION zstd" if fmt == "parquet" else "FORMAT csv, HEADER"
    exported = []
    with connect(warehouse, read_only=True) as con:
        for table in _tables(con):
            rows = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            if table in _MONTH_OF:
                target = out_dir / table
                query = f"SELECT t.*, {_MONTH_OF[table]} AS month FROM {table} t"
                copy_options = f"{options}, PARTITION_BY (month), OVERWRITE"
            else:
                target = out_dir / f"{table}.{fmt}"
                query = f"SELECT * FROM {table}"
                copy_options = options
            if rows or table not in _MONTH_OF:
                con.execute(f"COPY ({query}) TO '{_sql_path(target)}' ({copy_options})")
            exported.append(ExportedTable(table, rows, target))
    return exported


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")

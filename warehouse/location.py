"""Where the warehouse is: one string, a DuckDB file or a DuckLake catalog.

The same string goes everywhere (`--warehouse`, `$NEWSFLOW_WAREHOUSE`, a flow's `warehouse`
parameter): a path of a DuckDB file (the default), or a DuckLake attach string exactly as DuckDB
spells it:

    warehouse/newsflow.duckdb                                      one process writes at a time
    ducklake:sqlite:/abs/path/catalog.sqlite                       several local processes
    ducklake:postgres:dbname=lake host=db port=5432 user=u password=p   several machines

A lake's data files go to `<catalog>.files/` beside a SQLite catalog, else to
`$NEWSFLOW_LAKE_DATA_PATH`: a folder every writer reaches, or `s3://bucket/prefix/` in an
S3-compatible store (credentials and endpoint from the environment, see `warehouse.lake`).
DuckLake stores the data path in its catalog when it creates the lake, so the variable is only
read then.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "DATA_PATH_ENV",
    "DEFAULT_WAREHOUSE",
    "LAKE_PREFIX",
    "WAREHOUSE_ENV",
    "WarehouseLocation",
    "default_warehouse",
    "warehouse_location",
]

DEFAULT_WAREHOUSE = Path("warehouse") / "newsflow.duckdb"
WAREHOUSE_ENV = "NEWSFLOW_WAREHOUSE"
DATA_PATH_ENV = "NEWSFLOW_LAKE_DATA_PATH"
LAKE_PREFIX = "ducklake:"
# Where a lake on a server keeps what is local to one machine (WARC archive): like the default.
_LOCAL_FOLDER = DEFAULT_WAREHOUSE.parent
_PASSWORD = re.compile(r"(password\s*=\s*)(\S+)", re.IGNORECASE)


@dataclass(frozen=True)
class WarehouseLocation:
    """A warehouse location string and what it names."""

    text: str

    def __str__(self) -> str:
        return self.text

    @property
    def is_lake(self) -> bool:
        return self.text.startswith(LAKE_PREFIX)

    @property
    def kind(self) -> str:
        """`file`, or the lake's catalog database: `sqlite`, `postgres` (or another DuckLake
        catalog name, which `connect` refuses)."""
        if not self.is_lake:
            return "file"
        return self.catalog.partition(":")[0]

    @property
    def catalog(self) -> str:
        """The lake's catalog as DuckLake's ATTACH takes it after `ducklake:`."""
        return self.text.removeprefix(LAKE_PREFIX)

    @property
    def path(self) -> Path:
        """The DuckDB file, or the SQLite catalog file of a lake."""
        if self.kind == "sqlite":
            return Path(self.catalog.partition(":")[2])
        if self.is_lake:
            raise ValueError(f"a {self.kind} lake has no local path: {self.redacted}")
        return Path(self.text)

    @property
    def parent(self) -> Path:
        """A local folder for what lives beside the warehouse (the WARC archive, staged
        batches): the file's folder, the SQLite catalog's, or ./warehouse for a lake on a server."""
        if self.kind in ("file", "sqlite"):
            return self.path.parent
        return _LOCAL_FOLDER

    @property
    def stem(self) -> str:
        if self.kind in ("file", "sqlite"):
            return self.path.stem
        return "lake"

    @property
    def redacted(self) -> str:
        """The string with any password masked, for messages and logs."""
        return _PASSWORD.sub(r"\1***", self.text)

    def exists(self) -> bool:
        """Whether there is anything to read yet (a lake on a server is assumed to exist)."""
        if self.kind in ("file", "sqlite"):
            return self.path.exists()
        return True

    def resolved(self) -> WarehouseLocation:
        """The same location with an absolute file path, for deployments run elsewhere."""
        if self.kind == "file":
            return WarehouseLocation(str(self.path.resolve()))
        if self.kind == "sqlite":
            return WarehouseLocation(f"{LAKE_PREFIX}sqlite:{self.path.resolve()}")
        return self

    def data_path(self) -> str | None:
        """Where a new lake puts its data files: `$NEWSFLOW_LAKE_DATA_PATH` (a folder or an
        s3:// URL), else
        `<catalog>.files/` beside a SQLite catalog; None for a server catalog without one."""
        configured = os.environ.get(DATA_PATH_ENV)
        if configured:
            return configured if configured.endswith("/") else configured + "/"
        if self.kind == "sqlite":
            return f"{self.path.resolve()}.files/"
        return None


def default_warehouse() -> WarehouseLocation:
    """`$NEWSFLOW_WAREHOUSE`, else warehouse/newsflow.duckdb in the working directory."""
    return WarehouseLocation(os.environ.get(WAREHOUSE_ENV) or str(DEFAULT_WAREHOUSE))


def warehouse_location(value: WarehouseLocation | Path | str | None) -> WarehouseLocation:
    """The location named by `value` (a path or an attach string); the default when empty."""
    if isinstance(value, WarehouseLocation):
        return value
    if value is None or str(value) == "":
        return default_warehouse()
    return WarehouseLocation(str(value))

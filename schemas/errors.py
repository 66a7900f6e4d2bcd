"""One error tree for newsflow. Errors of the libraries below are translated at one point per stage.

NewsflowError
├── ConfigError        sources.yaml or a setting is wrong (terminal)
├── FetchError         the network or the disk would not give us the bytes
│   └── RefusedError   we chose not to fetch (robots.txt, private address, size limit)
├── ParseError         the bytes are not an article we can read
├── ExtractError       NLP failed on a text
├── LoadError          the warehouse refused the batch
│   ├── WarehouseLockedError   another process holds the DuckDB file (transient)
│   └── WarehouseMissingError  nothing to read yet (no file, or a lake not yet created)
└── QueryError         a SQL statement given by a person did not run

Each error carries the URL (or path) and the stage it concerns; `transient` says whether a retry
may succeed.
"""

from __future__ import annotations


class NewsflowError(Exception):
    stage = "newsflow"
    transient = False

    def __init__(self, message: str, *, url: str | None = None) -> None:
        super().__init__(message)
        self.url = url

    def __str__(self) -> str:
        base = super().__str__()
        return f"{base} ({self.url})" if self.url else base


class ConfigError(NewsflowError):
    stage = "config"


class FetchError(NewsflowError):
    stage = "fetch"

    def __init__(
        self,
        message: str,
        *,
        url: str | None = None,
        status: int | None = None,
        transient: bool = False,
    ) -> None:
        super().__init__(message, url=url)
        self.status = status
        self.transient = transient


class RefusedError(FetchError):
    """We decided not to fetch: never retried."""


class ParseError(NewsflowError):
    stage = "parse"


class ExtractError(NewsflowError):
    stage = "extract"


class LoadError(NewsflowError):
    stage = "load"


class WarehouseLockedError(LoadError):
    transient = True


class WarehouseMissingError(LoadError):
    """A reader found no warehouse: no run has created it yet."""


class QueryError(NewsflowError):
    """A SQL statement a person gave us did not run."""

    stage = "query"

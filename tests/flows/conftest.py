from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def prefect_server():
    """One temporary Prefect server for the whole session (it takes 15-20 s to start)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield

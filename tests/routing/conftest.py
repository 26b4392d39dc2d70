"""Shared fixtures for the router tests: one table per session (building it is the slow part)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.routing import RoutingTable, load_table

REPO_ROOT = Path(__file__).resolve().parents[2]
TABLE_PATH = REPO_ROOT / "bot" / "routing" / "routing.yaml"


@pytest.fixture(scope="session")
def table() -> RoutingTable:
    return load_table(TABLE_PATH)

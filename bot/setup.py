"""Building the dialog engine from configuration (shared by every channel's entry point)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.dialog.engine import Engine
from bot.routing import RoutingTable, load_table
from bot.routing.builder import region_from_settings
from models.config import ALL_AGENCY_CODES, Settings


def load_routing_table(settings: Settings) -> RoutingTable:
    """The router's shipped table plus this region's additions from config.yaml."""
    table = settings.resolve(settings.routing.table) if settings.routing.table else None
    return load_table(table, agency_codes=ALL_AGENCY_CODES, region=region_from_settings(settings))


def build_engine(settings: Settings, sessions: sessionmaker[Session], clock: Callable[[], datetime],
                 table: RoutingTable | None = None) -> Engine:
    return Engine(settings, sessions, table or load_routing_table(settings), clock)

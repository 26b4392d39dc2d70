"""Building the dialog engine from configuration (shared by every channel's entry point)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.dialog.engine import Engine
from bot.routing import RoutingTable, load_table
from models.config import ALL_AGENCY_CODES, Settings


def load_routing_table(settings: Settings) -> RoutingTable:
    """The shared keyword table plus each agency's local keywords from config.yaml."""
    extra = {agency.code: agency.keywords for agency in settings.agencies if agency.keywords}
    return load_table(settings.resolve(settings.routing.table), extra_keywords=extra,
                      agency_codes=ALL_AGENCY_CODES, owners=settings.routing.owners)


def build_engine(settings: Settings, sessions: sessionmaker[Session], clock: Callable[[], datetime],
                 table: RoutingTable | None = None) -> Engine:
    return Engine(settings, sessions, table or load_routing_table(settings), clock)

"""Complaint router: which agency (OPD) or outside body should handle a citizen's report.

Pure functions over an immutable-ish ``RoutingTable`` loaded from ``routing.yaml``; no database,
no network. See docs/ROUTING.md.
"""

from bot.routing.classify import Candidate, RoutingResult, classify, normalize
from bot.routing.similarity import DUPLICATE_THRESHOLD, distance_m, text_similarity
from bot.routing.suggest import suggest_keywords
from bot.routing.table import (
    ALL_CODES,
    EXTERNAL_CODES,
    REGIONAL_CODES,
    RoutingTable,
    RoutingTableError,
    load_table,
)

__all__ = [
    "ALL_CODES",
    "DUPLICATE_THRESHOLD",
    "EXTERNAL_CODES",
    "REGIONAL_CODES",
    "Candidate",
    "RoutingResult",
    "RoutingTable",
    "RoutingTableError",
    "classify",
    "distance_m",
    "load_table",
    "normalize",
    "suggest_keywords",
    "text_similarity",
]

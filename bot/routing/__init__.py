"""Complaint router: which agency (OPD) or outside body should handle a citizen's report.

Pure functions over an immutable-ish ``RoutingTable`` loaded from the ``routing.yaml`` shipped in
this package plus a region's additions from config.yaml; no database, no network.
See docs/ROUTING.md.
"""

from bot.routing.builder import RegionRouting
from bot.routing.classify import Candidate, RoutingResult, classify, normalize
from bot.routing.loader import SHIPPED_TABLE, build_table, load_table
from bot.routing.schema import RoutingTableError
from bot.routing.similarity import DUPLICATE_THRESHOLD, distance_m, text_similarity
from bot.routing.suggest import suggest_keywords
from bot.routing.table import ALL_CODES, EXTERNAL_CODES, REGIONAL_CODES, RoutingTable

__all__ = [
    "ALL_CODES",
    "DUPLICATE_THRESHOLD",
    "EXTERNAL_CODES",
    "REGIONAL_CODES",
    "SHIPPED_TABLE",
    "Candidate",
    "RegionRouting",
    "RoutingResult",
    "RoutingTable",
    "RoutingTableError",
    "build_table",
    "classify",
    "distance_m",
    "load_table",
    "normalize",
    "suggest_keywords",
    "text_similarity",
]

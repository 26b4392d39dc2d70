"""Loading the routing table: the one shipped inside this package, plus a region's additions."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from pathlib import Path

import yaml

from bot.routing.builder import RegionRouting, TableBuilder
from bot.routing.calibration import load_calibration
from bot.routing.schema import RoutingTableError, validate_file
from bot.routing.table import RoutingTable

# The table ships inside the package, so an upgrade brings router improvements to every
# deployment; a region's own words live in its config.yaml (routing section).
SHIPPED_TABLE = Path(__file__).resolve().parent / "routing.yaml"
# libyaml's safe loader when PyYAML was built with it (parsing is most of a table's load time)
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# Fitted confidence numbers live beside the table they were fitted for.
CALIBRATION_FILE = "calibration.yaml"


def load_table(
    path: Path | None = None,
    extra_keywords: Mapping[str, Mapping[str, float]] | None = None,
    agency_codes: Collection[str] | None = None,
    owners: Mapping[str, str] | None = None,
    region: RegionRouting | None = None,
) -> RoutingTable:
    """Read and validate a routing table (the shipped one by default) with a region's additions.

    ``extra_keywords`` and ``owners`` are shorthands for the matching fields of ``region``.
    """
    path = Path(path) if path is not None else SHIPPED_TABLE
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)
    except OSError as exc:
        raise RoutingTableError(f"{path.name}: cannot read file: {exc}") from exc
    except yaml.YAMLError as exc:
        raise RoutingTableError(f"{path.name}: not valid YAML: {exc}") from exc
    table = build_table(raw, path.name, extra_keywords, agency_codes, owners, region)
    try:
        table.calibration = load_calibration(path.with_name(CALIBRATION_FILE))
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise RoutingTableError(f"{CALIBRATION_FILE}: {exc}") from exc
    return table


def build_table(
    raw: object,
    name: str = "routing.yaml",
    extra_keywords: Mapping[str, Mapping[str, float]] | None = None,
    agency_codes: Collection[str] | None = None,
    owners: Mapping[str, str] | None = None,
    region: RegionRouting | None = None,
) -> RoutingTable:
    """Validate already-parsed YAML data (also used by tests) and build the table."""
    region = region or RegionRouting()
    if extra_keywords:
        region = RegionRouting(extra_keywords, region.owners, region.places, region.slang, region.keyword_weights)
    if owners:
        region = RegionRouting(region.extra_keywords, owners, region.places, region.slang, region.keyword_weights)
    return TableBuilder(name, agency_codes, region).build(validate_file(raw, name))

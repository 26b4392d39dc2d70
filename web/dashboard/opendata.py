"""Open data doors: /data/complaints.json (paged: ?page=, ?per_page=) and /data/complaints.csv.

Public like /ringkasan: a per-address budget, and each page recomputed at most every
`security.public_cache_seconds` (only the usual page sizes are cached, so odd sizes cannot fill memory).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from models.exports import Table, to_csv
from models.opendata import COLUMNS, DEFAULT_PER_PAGE, MAX_PER_PAGE, public_page
from web.dashboard.context import Context
from web.dashboard.limits import TimedCache, limit
from web.dashboard.security import protect

CACHED_SIZES = frozenset({10, 25, 50, DEFAULT_PER_PAGE, 250, 500, MAX_PER_PAGE})
CACHED_PAGES = 1000


def make_blueprint(context: Context) -> Blueprint:
    bp = protect(Blueprint("opendata", __name__))
    limit(bp, context, "data", lambda: context.settings.security.public_requests_per_minute)
    cache = TimedCache()

    def page_of(page: int, per_page: int) -> dict[str, Any]:
        def compute() -> dict[str, Any]:
            return public_page(context.read(), context.settings, context.calendar, page, per_page)

        if per_page in CACHED_SIZES and page <= CACHED_PAGES:
            return cache.get(f"{page}:{per_page}", context.settings.security.public_cache_seconds, context.now(),
                             compute)
        return compute()

    @bp.get("/data/complaints.json")
    def as_json() -> Response:
        page, per_page = _paging()
        response = jsonify(page_of(page, per_page))
        response.headers["Access-Control-Allow-Origin"] = "*"
        return response

    @bp.get("/data/complaints.csv")
    def as_csv() -> Response:
        page, per_page = _paging()
        found = page_of(page, per_page)
        body = to_csv(Table("complaints", COLUMNS, found["items"]))
        headers = {"Content-Disposition": "attachment; filename=complaints.csv", "X-Total-Count": str(found["total"]),
                   "Access-Control-Allow-Origin": "*"}
        return Response(body, mimetype="text/csv", headers=headers)

    return bp


def _paging() -> tuple[int, int]:
    return (max(1, min(_int(request.args.get("page"), 1), 1_000_000)),
            max(1, min(_int(request.args.get("per_page"), DEFAULT_PER_PAGE), MAX_PER_PAGE)))


def _int(text: str | None, default: int) -> int:
    try:
        return int(text) if text else default
    except ValueError:
        return default

"""Open311 GeoReport v2 (JSON): services are the agencies' complaint categories.

Confidential complaints are never listed. Text and location are published only once an
operator has moderated the complaint (`public_text`): until then a request shows status
and dates only, as on the public tracking page. What is published is `models.publication`'s
public record: coordinates rounded to about 100 m, no address label of a hidden reporter.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Blueprint, Response, jsonify, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.dialog.words import clean
from models.config import EMAIL, AgencyConfig
from models.desk import Desk, NewComplaint
from models.lifecycle import FINAL_STATUSES, DomainError, label
from models.publication import public_record
from models.tables import Complaint
from models.views import iso
from web.dashboard.context import Context
from web.dashboard.limits import limit
from web.dashboard.misconduct import read_misconduct
from web.dashboard.repeats import file_once

CLOSED = frozenset(status.value for status in FINAL_STATUSES)
DEFAULT_DAYS = 90
MAX_RESULTS = 1000
# A client that retries a POST (timeout, lost answer) within this window gets its first request back.
REPEAT_WINDOW = timedelta(minutes=10)


def make_blueprint(context: Context) -> Blueprint:
    bp = Blueprint("open311", __name__, url_prefix="/open311/v2")
    limit(bp, context, "open311", lambda: context.settings.security.public_requests_per_minute, json=True)

    @bp.get("/discovery.json")
    def discovery() -> Response:
        base = context.settings.region.dashboard_url.rstrip("/") + "/open311/v2/"
        return jsonify({"changeset": "2026-11-01T00:00:00Z", "contact": context.settings.region.name,
                        "key_service": public_contact(context.settings.region.operations_contact),
                        "endpoints": [{"specification": "http://wiki.open311.org/GeoReport_v2", "url": base,
                                       "changeset": "2026-11-01T00:00:00Z", "type": "production",
                                       "formats": ["application/json"]}]})

    @bp.get("/services.json")
    def services() -> Response:
        return jsonify([_service(agency) for agency in context.settings.agencies])

    @bp.get("/services/<code>.json")
    def service_definition(code: str) -> Response | tuple[Response, int]:
        if not context.settings.has_agency(code):
            return _error(404, f"unknown service_code {code}")
        return jsonify({"service_code": code, "attributes": []})

    @bp.get("/requests.json")
    def requests_list() -> Response | tuple[Response, int]:
        try:
            query = _requests_query(context, request.args)
        except (ValueError, OverflowError) as error:  # OverflowError: a window reaching past year 1
            return _error(400, str(error))
        rows = context.read().scalars(query.order_by(Complaint.created_at.desc()).limit(MAX_RESULTS))
        return jsonify([_request_view(context, c) for c in rows])

    @bp.get("/requests/<code>.json")
    def request_one(code: str) -> Response | tuple[Response, int]:
        found = context.read().scalars(select(Complaint).where(Complaint.code == code.upper())).first()
        if found is None or found.confidential:
            return _error(404, f"no service request {code}")
        return jsonify([_request_view(context, found)])

    @bp.post("/requests.json")
    def create() -> Response | tuple[Response, int]:
        if not _valid_key(request.form.get("api_key", ""), context.environment.open311_keys):
            return _error(403, "api_key missing or not valid")
        return _create(context, request.form)

    return bp


def _service(agency: AgencyConfig) -> dict[str, Any]:
    return {"service_code": agency.code, "service_name": agency.name, "description": agency.category,
            "metadata": False, "type": "realtime", "keywords": ",".join(sorted(agency.keywords)[:10]),
            "group": agency.category}


def _requests_query(context: Context, args: Any) -> Any:
    query = select(Complaint).where(Complaint.confidential.is_(False))
    ids = [part.strip().upper() for part in args.get("service_request_id", "").split(",") if part.strip()]
    if ids:
        return query.where(Complaint.code.in_(ids))
    end = _instant(args.get("end_date")) or context.now()
    start = _instant(args.get("start_date")) or end - timedelta(days=DEFAULT_DAYS)
    query = query.where(Complaint.created_at >= start, Complaint.created_at <= end)
    codes = [part.strip() for part in args.get("service_code", "").split(",") if part.strip()]
    if codes:
        query = query.where(Complaint.agency_code.in_(codes))
    statuses = {part.strip() for part in args.get("status", "").split(",") if part.strip()}
    if statuses - {"open", "closed"}:
        raise ValueError("status must be open or closed")
    if statuses == {"open"}:
        query = query.where(Complaint.status.not_in(CLOSED))
    elif statuses == {"closed"}:
        query = query.where(Complaint.status.in_(CLOSED))
    return query


def _instant(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"not a w3c datetime: {text}") from None
    if value.tzinfo is None:
        raise ValueError(f"datetime needs a time zone: {text}")
    try:
        # In UTC now, not when the query runs: 0001-01-01T00:00+01:00 has no UTC instant (an OverflowError).
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"datetime outside the calendar: {text}") from None


def public_contact(contact: str | None) -> str:
    """The operations contact only when it is an address a stranger may write to, never an official's login id."""
    text = (contact or "").strip()
    return text if EMAIL.match(text) or text.startswith(("https://", "http://")) else ""


def _request_view(context: Context, c: Complaint) -> dict[str, Any]:
    public = public_record(c)
    agency = context.settings.agency(c.agency_code) if c.agency_code else None
    return {
        "service_request_id": c.code,
        "status": "closed" if c.status in CLOSED else "open",
        "status_notes": label(c.status),
        "service_name": agency.name if agency else None,
        "service_code": c.agency_code,
        "description": public.description,
        "agency_responsible": agency.name if agency else None,
        "service_notice": None,
        "requested_datetime": iso(c.created_at),
        "updated_datetime": iso(c.updated_at),
        "expected_datetime": iso(c.answer_due_at),
        "address": public.address,
        "address_id": None,
        "zipcode": None,
        "lat": public.latitude,
        "long": public.longitude,
        "media_url": None,
    }


def _valid_key(sent: str, keys: list[str]) -> bool:
    # Bytes, not str: compare_digest refuses str with non-ASCII characters (a TypeError, a 500).
    return bool(sent) and any(hmac.compare_digest(sent.encode(), key.encode()) for key in keys)


def _create(context: Context, form: Any) -> Response | tuple[Response, int]:
    code = form.get("service_code", "")
    description = clean(form.get("description") or "")[:4000]
    if not context.settings.has_agency(code):
        return _error(400, f"unknown service_code {code!r}")
    if len(description) < 10:
        return _error(400, "description is required (at least 10 characters)")
    try:
        latitude, longitude = _coordinates(form)
    except ValueError:
        return _error(400, "lat and long must be numbers")
    reading = read_misconduct(context, description, code)
    who = form.get("email") or form.get("phone") or form.get("device_id") or form.get("account_id")
    name = clean(" ".join(part for part in (form.get("first_name"), form.get("last_name")) if part))[:200] or None

    def file(_db: Session, desk: Desk) -> str:
        reporter = desk.reporter_for("open311", f"open311:{who or secrets.token_hex(8)}"[:200], name,
                                     clean(form.get("phone") or "")[:40] or None,
                                     clean(form.get("email") or "")[:200] or None)
        return desk.file(NewComplaint(
            reporter=reporter, text=description, channel="open311", agency_code=code,
            misconduct=reading.misconduct, subject_agency_code=reading.subject_agency_code,
            latitude=latitude, longitude=longitude,
            location_text=clean(form.get("address_string") or "")[:500] or None),
            dispatch=context.settings.intake.auto_dispatch).code

    try:
        request_id = file_once(context, _submission_key(form), REPEAT_WINDOW, file)
    except DomainError as error:
        return _error(400, str(error))
    return jsonify([{"service_request_id": request_id, "service_notice": None, "account_id": None}]), 201


def _submission_key(form: Any) -> str:
    """Identical fields (the api_key among them, so one client's) make an identical submission."""
    fields = json.dumps(sorted(form.items(multi=True)), ensure_ascii=False)
    return "open311:" + hashlib.sha256(fields.encode("utf-8", "surrogatepass")).hexdigest()


def _coordinates(form: Any) -> tuple[float | None, float | None]:
    lat, long = form.get("lat"), form.get("long")
    if lat in (None, "") or long in (None, ""):
        return None, None
    latitude, longitude = float(lat), float(long)
    if not (math.isfinite(latitude) and math.isfinite(longitude) and -90 <= latitude <= 90
            and -180 <= longitude <= 180):
        raise ValueError("coordinates are not on Earth")
    return latitude, longitude


def _error(code: int, description: str) -> tuple[Response, int]:
    return jsonify([{"code": code, "description": description}]), code

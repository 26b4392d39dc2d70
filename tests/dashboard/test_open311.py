"""Open311 GeoReport v2: services are agency categories; requests can be listed, read and created."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models.tables import Complaint
from tests.dashboard.conftest import post
from tests.dashboard.live import serving


def test_discovery_and_services_describe_the_agencies(client, settings) -> None:
    discovery = client.get("/open311/v2/discovery.json").get_json()
    assert discovery["endpoints"][0]["url"].endswith("/open311/v2/")
    services = client.get("/open311/v2/services.json").get_json()
    assert {s["service_code"] for s in services} == {a.code for a in settings.agencies}
    pupr = next(s for s in services if s["service_code"] == "PUPR")
    assert pupr["group"] == "Infrastruktur" and pupr["metadata"] is False
    assert client.get("/open311/v2/services/PUPR.json").get_json()["service_code"] == "PUPR"
    assert client.get("/open311/v2/services/NOPE.json").status_code == 404


def test_requests_are_listed_with_open_and_closed_and_never_the_confidential(
        client, login, file_complaint) -> None:
    open_one = file_complaint("Jalan rusak", agency="PUPR")
    secret = file_complaint("Pungli di kantor", agency="PUPR", confidential=True)
    waste = file_complaint("Sampah menumpuk di pasar", agency="DLH")
    login("kominfo.triage")
    post(client, f"/dashboard/c/{waste}/act", {"action": "reject", "reason": "duplikat"})
    listed = {r["service_request_id"]: r for r in client.get("/open311/v2/requests.json").get_json()}
    assert set(listed) == {open_one, waste}
    assert (listed[open_one]["status"], listed[waste]["status"]) == ("open", "closed")
    assert [r["service_request_id"] for r in
            client.get("/open311/v2/requests.json?status=closed").get_json()] == [waste]
    assert [r["service_request_id"] for r in
            client.get("/open311/v2/requests.json?service_code=PUPR").get_json()] == [open_one]
    assert client.get(f"/open311/v2/requests/{secret}.json").status_code == 404
    assert client.get(f"/open311/v2/requests.json?service_request_id={secret}").get_json() == []


def test_text_and_location_are_published_only_after_moderation(client, login, file_complaint) -> None:
    code = file_complaint("Jalan rusak depan rumah Pak Budi", agency="PUPR", latitude=-3.05, longitude=114.75)
    before = client.get(f"/open311/v2/requests/{code}.json").get_json()[0]
    assert before["description"] is None and before["lat"] is None
    login("kominfo.triage")
    post(client, f"/dashboard/c/{code}/moderate", {"public_text": "Jalan rusak di Marabahan"})
    after = client.get(f"/open311/v2/requests/{code}.json").get_json()[0]
    assert (after["description"], after["lat"], after["long"]) == ("Jalan rusak di Marabahan", -3.05, 114.75)


def test_date_filters_and_bad_input(client, file_complaint) -> None:
    code = file_complaint("Jalan rusak", agency="PUPR")
    window = "start_date=2026-11-23T00:00:00Z&end_date=2026-11-24T00:00:00Z"
    assert [r["service_request_id"] for r in client.get(f"/open311/v2/requests.json?{window}").get_json()] == [code]
    assert client.get("/open311/v2/requests.json?end_date=2026-11-01T00:00:00Z").get_json() == []
    assert client.get("/open311/v2/requests.json?status=maybe").status_code == 400
    assert client.get("/open311/v2/requests.json?start_date=yesterday").status_code == 400


def test_posting_a_request_needs_a_valid_api_key_and_enters_the_lifecycle(client, sessions) -> None:
    form = {"service_code": "PUPR", "description": "Jalan berlubang besar di Jl. Pramuka", "lat": "-3.0466",
            "long": "114.7514", "address_string": "Jl. Pramuka", "email": "warga@example.org"}
    assert client.post("/open311/v2/requests.json", data=form).status_code == 403
    assert client.post("/open311/v2/requests.json", data=form | {"api_key": "wrong"}).status_code == 403
    created = client.post("/open311/v2/requests.json", data=form | {"api_key": "key-two"})
    assert created.status_code == 201
    code = created.get_json()[0]["service_request_id"]
    with sessions() as db:
        complaint = db.scalars(select(Complaint).where(Complaint.code == code)).one()
    assert (complaint.channel, complaint.agency_code, complaint.status) == ("open311", "PUPR", "dispatched")
    bad = client.post("/open311/v2/requests.json", data=form | {"api_key": "key-one", "service_code": "XYZ"})
    assert bad.status_code == 400 and bad.get_json()[0]["code"] == 400


def test_the_georeport_client_reads_our_endpoint(app, file_complaint) -> None:
    georeport = pytest.importorskip("georeport", reason="the georeport client is not installed")
    code = file_complaint("Jalan rusak", agency="PUPR")
    with serving(app) as base:
        client = georeport.GeoReport(f"{base}/open311/v2")
        assert any(s["service_code"] == "DLH" for s in client.get_service_list())
        assert client.get_service_definition("PUPR")["service_code"] == "PUPR"
        assert [r["service_request_id"] for r in client.get_service_requests(status="open")] == [code]
        assert client.get_service_request(code)["status"] == "open"

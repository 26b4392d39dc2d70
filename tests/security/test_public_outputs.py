"""Class 3: public outputs (Open311, /lacak, /ringkasan) never publish a hidden reporter's address label or exact
coordinates; every complaint's public coordinates are rounded to about 100 m; the moderation form shows exactly
what will be published (the same record Open311 serves)."""

from __future__ import annotations

import re
from typing import Any

from tests.dashboard.conftest import post
from tests.security.conftest import RAHMA, Filing

HOME = (-2.986123, 114.760047)
HOME_LABEL = "Jl. Panglima Wangkang RT 03, Ulu Benteng"
PUBLISHED = "Sampah menumpuk di tepi jalan (dimoderasi)"


def published(client: Any, code: str) -> dict[str, Any]:
    one = client.get(f"/open311/v2/requests/{code}.json")
    assert one.status_code == 200
    return dict(one.get_json()[0])


def test_open311_rounds_every_complaints_coordinates_and_drops_a_hidden_reporters_address(
        filing: Filing, client: Any) -> None:
    named = filing.file(text="Sampah menumpuk di tepi jalan", agency="DLH", latitude=HOME[0], longitude=HOME[1],
                        location_text=HOME_LABEL, public_text=PUBLISHED)
    anonymous = filing.file(text="Sampah menumpuk di samping rumah saya", agency="DLH", anonymous=True,
                            latitude=HOME[0], longitude=HOME[1], location_text=HOME_LABEL, public_text=PUBLISHED)
    for code in (named, anonymous):
        record = published(client, code)
        assert (record["lat"], record["long"]) == (-2.986, 114.76), code
    assert published(client, named)["address"] == HOME_LABEL
    assert published(client, anonymous)["address"] is None
    listing = client.get("/open311/v2/requests.json").get_data(as_text=True)
    assert "2.986123" not in listing and "114.760047" not in listing
    assert listing.count("Panglima Wangkang") == 1  # the named reporter's label only
    assert all(token not in listing for token in RAHMA.tokens())


def test_tracking_and_summary_pages_show_no_place_and_no_person(filing: Filing, client: Any) -> None:
    code = filing.file(text="Sampah menumpuk di samping rumah saya", agency="DLH", anonymous=True,
                       latitude=HOME[0], longitude=HOME[1], location_text=HOME_LABEL, public_text=PUBLISHED)
    pages = client.get(f"/lacak?code={code}").get_data(as_text=True) + client.get("/ringkasan").get_data(as_text=True)
    assert "Panglima" not in pages and "2.986" not in pages and "114.76" not in pages
    assert all(token not in pages for token in RAHMA.tokens())


def test_the_moderation_form_shows_exactly_what_open311_publishes(filing: Filing, client: Any, login: Any) -> None:
    code = filing.file(text="Sampah menumpuk di samping rumah saya, Rahmawati", agency="DLH", anonymous=True,
                       latitude=HOME[0], longitude=HOME[1], location_text=HOME_LABEL)
    login("kominfo.triage")
    page = client.get(f"/dashboard/c/{code}").get_data(as_text=True)
    preview = page[page.index('id="published-preview"'):page.index("</form>", page.index('id="published-preview"'))]
    assert "Rahmawati" not in preview  # nothing is published before moderation, and the box starts empty
    assert client.get(f"/open311/v2/requests/{code}.json").get_json()[0]["description"] is None
    post(client, f"/dashboard/c/{code}/moderate", {"public_text": PUBLISHED})
    page = client.get(f"/dashboard/c/{code}").get_data(as_text=True)
    record = published(client, code)
    shown = dict(re.findall(r'<dd id="preview-(\w+)">([^<]*)</dd>', page))
    assert shown["text"] == record["description"] == PUBLISHED
    assert shown["coordinates"].startswith(f"{record['lat']}, {record['long']}")
    assert record["address"] is None and "Panglima" not in shown["address"]


def test_a_confidential_complaint_is_published_nowhere(filing: Filing, client: Any) -> None:
    code = filing.file(text="pungli di kantor capil", misconduct=True, subject="DISDUKCAPIL",
                       public_text="dimoderasi")
    assert client.get(f"/open311/v2/requests/{code}.json").status_code == 404
    assert client.get(f"/lacak?code={code}").status_code == 404
    assert code not in client.get("/open311/v2/requests.json?service_code=INSPEKTORAT").get_data(as_text=True)

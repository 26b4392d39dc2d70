"""The inbox shows each official what their role covers, with filters, search, paging and colours."""

from __future__ import annotations

from tests.dashboard.conftest import post

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_an_agency_admin_sees_only_the_complaints_of_their_agency(client, login, file_complaint) -> None:
    ours = file_complaint("Jalan berlubang besar di Jl. Pramuka", agency="PUPR")
    theirs = file_complaint("Sampah menumpuk di pasar Marabahan", agency="DLH")
    login("pupr.admin")
    page = client.get("/dashboard/").get_data(as_text=True)
    assert ours in page and theirs not in page
    # Another agency's complaint is answered exactly like one that does not exist.
    assert client.get(f"/dashboard/c/{theirs}").status_code == 404


def test_triage_sekda_bupati_and_the_inspectorate_see_every_agency(app, login, file_complaint) -> None:
    codes = [file_complaint("Jalan berlubang di Jl. Pramuka", agency="PUPR"),
             file_complaint("Sampah menumpuk di pasar", agency="DLH"), file_complaint("Tidak tahu", agency=None)]
    for official in ("kominfo.triage", "sekda", "bupati", "inspektur"):
        page = login(official, app.test_client()).get("/dashboard/").get_data(as_text=True)
        assert all(code in page for code in codes), official


def test_filters_narrow_the_list(client, login, file_complaint) -> None:
    road = file_complaint("Jalan berlubang di Jl. Pramuka", agency="PUPR", channel="whatsapp")
    waste = file_complaint("Sampah menumpuk di pasar", agency="DLH", channel="telegram")
    waiting = file_complaint("Lampu jalan mati", agency=None, channel="web")
    login("kominfo.triage")

    def listed(query: str) -> set[str]:
        page = client.get(f"/dashboard/?{query}").get_data(as_text=True)
        return {code for code in (road, waste, waiting) if code in page}

    assert listed("agency=DLH") == {waste}
    assert listed("status=received") == {waiting}
    assert listed("channel=whatsapp") == {road}
    assert listed("from=2026-11-23&to=2026-11-23") == {road, waste, waiting}
    assert listed("to=2026-11-22") == set()


def test_search_finds_by_tracking_code_in_any_spelling_and_by_text(client, login, file_complaint) -> None:
    road = file_complaint("Jalan berlubang di Jl. Pramuka", agency="PUPR")
    waste = file_complaint("Sampah menumpuk di pasar", agency="DLH")
    login("kominfo.triage")
    by_code = client.get(f"/dashboard/?q={road.lower().replace('-', ' ')}").get_data(as_text=True)
    assert road in by_code and waste not in by_code
    by_text = client.get("/dashboard/?q=SAMPAH").get_data(as_text=True)
    assert waste in by_text and road not in by_text


def test_overdue_complaints_are_red_and_unsatisfied_ones_yellow(client, login, file_complaint, clock) -> None:
    late = file_complaint("Jalan berlubang di Jl. Pramuka", agency="PUPR")
    clock.advance(days=14)
    fresh = file_complaint("Jalan retak di Jl. Veteran", agency="PUPR")
    login("pupr.admin")
    page = client.get("/dashboard/").get_data(as_text=True)
    assert f'<tr class="red">\n  <td class="c-code"><a href="/dashboard/c/{late}"' in page
    assert f'<tr class="">\n  <td class="c-code"><a href="/dashboard/c/{fresh}"' in page
    only_late = client.get("/dashboard/?overdue=1").get_data(as_text=True)
    assert late in only_late and fresh not in only_late


def test_text_from_citizens_is_shown_escaped(client, login, file_complaint) -> None:
    code = file_complaint(f"Jalan rusak {XSS}", agency="PUPR")
    login("pupr.admin")
    for page in (client.get("/dashboard/"), client.get(f"/dashboard/c/{code}")):
        html = page.get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert" in html


def test_injection_strings_in_search_and_filters_are_just_text(client, login, file_complaint) -> None:
    file_complaint("Jalan rusak", agency="PUPR")
    login("kominfo.triage")
    for query in ("q=%27%3B+DROP+TABLE+complaints%3B--", "q=%25%25_", "status=%27+OR+1%3D1--", "page=-5",
                  "from=not-a-date"):
        response = client.get(f"/dashboard/?{query}")
        assert response.status_code == 200
    assert "0 hasil" in client.get("/dashboard/?q=%25%25_").get_data(as_text=True)
    assert "1 hasil" in client.get("/dashboard/").get_data(as_text=True)


def test_the_language_switch_turns_the_pages_english(client, login) -> None:
    login("pupr.admin")
    assert "Kotak masuk" in client.get("/dashboard/").get_data(as_text=True)
    client.get("/lang/en?next=/dashboard/")
    assert "Inbox" in client.get("/dashboard/").get_data(as_text=True)
    post(client, "/dashboard/logout")
    assert "Sign in" in client.get("/dashboard/login").get_data(as_text=True)

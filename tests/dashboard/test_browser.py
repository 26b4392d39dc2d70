"""In a real browser (Debian's Chromium, headless): an admin signs in, acknowledges and answers a
complaint, the citizen's relay lands in the outbox, and the statistics page draws its chart.

Every check on the page is one of Playwright's waiting assertions (`expect`): a form's POST reloads
the page, and a plain read right after the click could still see the old page, or the new one before
its deferred script has attached the response templates (what made this test fail once in five)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from models.accounts import set_password
from models.db import transaction
from models.tables import Complaint, Notification
from tests.dashboard.conftest import PASSWORD
from tests.dashboard.live import serving

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="browser tests need Debian's Chromium at /usr/bin/chromium "
                                       "(apt-get install chromium)")


sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
expect = sync_api.expect
expect.set_options(timeout=15_000)  # a loaded machine: generous, and only ever waited out on failure


@pytest.fixture
def browser_page():  # type: ignore[no-untyped-def]
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(15_000)
        yield page
        browser.close()


@pytest.mark.parametrize("db_engine", ["sqlite"], indirect=True)
def test_an_admin_answers_in_the_browser_and_the_citizen_is_told(
        app, browser_page, file_complaint, sessions) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    code = file_complaint("Jalan berlubang besar di depan SDN 2 Marabahan", agency="PUPR")
    with transaction(sessions) as db:
        set_password(db, "pupr.admin", PASSWORD)
    page = browser_page
    with serving(app) as base:
        page.goto(f"{base}/dashboard/login")
        page.fill("#login", "pupr.admin")
        page.fill("#password", PASSWORD)
        page.click("#login-submit")
        page.wait_for_url(f"{base}/dashboard/")
        page.screenshot(path=str(ARTIFACTS / "dashboard-inbox.png"), full_page=True)
        page.click(f"text={code}")
        page.click("#do-ack")
        expect(page.locator("#status")).to_have_text("Diproses")
        page.wait_for_load_state("load")  # the reloaded page's deferred dashboard.js has run
        page.select_option("#answer-template", index=2)
        expect(page.locator("#answer-note")).to_have_value(re.compile("ditangani"))
        page.fill("#answer-note", "Lubang sudah ditambal pagi ini.")
        page.click("#do-answer")
        expect(page.locator("#status")).to_have_text("Dijawab")
        page.screenshot(path=str(ARTIFACTS / "dashboard-complaint-answered.png"), full_page=True)
        page.goto(f"{base}/dashboard/stats")
        chart = page.locator("svg#months rect")
        expect(chart).to_have_count(1)
        expect(chart.first).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "dashboard-statistics.png"), full_page=True)
    with sessions() as db:
        complaint = db.scalars(select(Complaint).where(Complaint.code == code)).one()
        relays = db.scalars(select(Notification).where(Notification.complaint_id == complaint.id,
                                                        Notification.recipient_kind == "reporter")).all()
    assert complaint.status == "answered"
    assert any("Lubang sudah ditambal pagi ini." in relay.payload["text"] for relay in relays)
    assert (ARTIFACTS / "dashboard-statistics.png").stat().st_size > 0

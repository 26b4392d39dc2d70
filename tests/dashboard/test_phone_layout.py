"""Every dashboard and public page in Debian's Chromium at a phone's width (390 px) and a desktop's (1366 px):
nothing is wider than the screen, every action on the complaint page is reachable, an admin acts with a thumb,
and each page's weight and time to first render are measured (reported, never asserted as wall-clock).

Screenshots and the measurements land in tests/artifacts/ (gitignored) for review. Waits are Playwright's
own waiting assertions with generous limits: the machine may be loaded, so nothing here races a clock."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from models.accounts import set_password
from models.config import Role
from models.db import transaction
from models.desk import Desk, calendar_for
from models.permissions import Action, Actor
from models.tables import Complaint
from tests.dashboard.conftest import PASSWORD
from tests.dashboard.live import serving

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
PHONE, DESKTOP = 390, 1366
# A page (HTML, CSS, script; no photo) a cheap phone on 3G fetches in a few seconds. Bytes, not time.
PAGE_BUDGET_BYTES = 120_000
WAIT_MS = 30_000

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="browser tests need Debian's Chromium at /usr/bin/chromium "
                                       "(apt-get install chromium)")
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
expect = sync_api.expect

# Elements wider than the screen, outside the boxes that scroll on purpose (wide tables).
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [];
  for (const element of document.body.querySelectorAll('*')) {
    if (element.closest('.scroll') && !element.classList.contains('scroll')) continue;
    const box = element.getBoundingClientRect();
    if (box.width > 0 && (box.right > width + 1 || box.left < -1)) {
      wide.push(element.tagName.toLowerCase() + (element.id ? '#' + element.id : '') +
                (element.className && typeof element.className === 'string' ? '.' + element.className : '') +
                ' ' + Math.round(box.left) + '..' + Math.round(box.right));
    }
  }
  return {width: width, scrollWidth: document.documentElement.scrollWidth,
          bodyOverflow: getComputedStyle(document.body).overflowX,
          htmlOverflow: getComputedStyle(document.documentElement).overflowX, wide: wide.slice(0, 10)};
}"""
WEIGHT = """() => new Promise(resolve => {
  const figures = () => {
    const navigation = performance.getEntriesByType('navigation')[0];
    const resources = performance.getEntriesByType('resource');
    const paint = performance.getEntriesByName('first-contentful-paint')[0];
    const bytes = (navigation ? navigation.encodedBodySize : 0) +
                  resources.reduce((sum, entry) => sum + (entry.encodedBodySize || 0), 0);
    return {bytes: bytes, requests: 1 + resources.length,
            first_render_ms: paint ? Math.round(paint.startTime) : null,
            dom_ready_ms: navigation ? Math.round(navigation.domContentLoadedEventEnd) : null};
  };
  if (performance.getEntriesByName('first-contentful-paint').length) { resolve(figures()); return; }
  // The paint entry may come a frame after 'load'; without one after a second the figure is reported as null.
  new PerformanceObserver(() => resolve(figures())).observe({type: 'paint', buffered: true});
  setTimeout(() => resolve(figures()), 1000);
})"""


@pytest.fixture
def chromium():  # type: ignore[no-untyped-def]
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield browser
        browser.close()


class Visit:
    """One browser context (one signed-in person) at one width, measuring every page it opens."""

    def __init__(self, browser: Any, base: str, width: int, measured: dict[str, Any]) -> None:
        height = 844 if width == PHONE else 900
        self.context = browser.new_context(viewport={"width": width, "height": height},
                                           device_scale_factor=1, is_mobile=width == PHONE,
                                           has_touch=width == PHONE, locale="id-ID")
        self.context.set_default_timeout(WAIT_MS)
        self.page = self.context.new_page()
        self.base, self.width, self.measured = base, width, measured

    def sign_in(self, official_id: str) -> None:
        self.open("/dashboard/login", "login")
        self.page.fill("#login", official_id)
        self.page.fill("#password", PASSWORD)
        self.page.click("#login-submit")
        self.page.wait_for_url(f"{self.base}/dashboard/")

    def open(self, path: str, name: str, status: int = 200) -> None:
        response = self.page.goto(self.base + path, wait_until="load")
        assert response is not None and response.status == status, (path, response and response.status)
        self.check(name)

    def check(self, name: str) -> None:
        """The page as it stands now: fits the screen, is within budget, and is photographed."""
        page = self.page
        page.wait_for_load_state("load")
        fit = page.evaluate(OVERFLOW)
        assert fit["bodyOverflow"] == "visible" and fit["htmlOverflow"] == "visible", (name, fit)
        assert fit["scrollWidth"] <= fit["width"] and not fit["wide"], (name, self.width, fit)
        weight = page.evaluate(WEIGHT)
        self.measured[name] = weight
        assert weight["bytes"] < PAGE_BUDGET_BYTES, (name, weight)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{name}-{self.width}.png"), full_page=True)

    def within_screen(self, selector: str) -> None:
        """Visible and inside the screen's width: reachable with a thumb, no sideways scrolling."""
        locator = self.page.locator(selector)
        expect(locator).to_be_visible()
        box = locator.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= self.width + 1, (selector, box)

    def every_action_reachable(self) -> set[str]:
        """Each quick-action button opens its form, whose submit button is then on the screen."""
        actions = [str(name).removeprefix("act-") for name in
                   self.page.locator("#quick-actions a[data-opens]").evaluate_all(
                       "links => links.map(link => link.dataset.opens)")]
        for act in actions:
            self.page.click(f"#go-{act}")
            self.within_screen(f"#do-{act}")
        return set(actions)

    def close(self) -> None:
        self.context.close()


def _passwords(sessions: Any, *officials: str) -> None:
    with transaction(sessions) as db:
        for official in officials:
            set_password(db, official, PASSWORD)


def _history(settings: Any, sessions: Any, clock: Any, file_complaint: Any) -> dict[str, str]:
    """A small month: complaints waiting for triage, new, acknowledged, answered late and on time."""
    codes = {
        "waiting": file_complaint("Lampu jalan mati di sepanjang Jl. Veteran sejak seminggu, mohon diperbaiki",
                                  agency=None, channel="whatsapp"),
        "new": file_complaint("Jalan berlubang besar di depan SDN 2 Marabahan, sudah dua motor jatuh minggu ini "
                              "dan belum ada perbaikan dari dinas", agency="PUPR", channel="whatsapp"),
        "second": file_complaint("Saluran air tersumbat di Jl. Pramuka RT 04, air meluap ke rumah warga",
                                 agency="PUPR", channel="telegram"),
        "answered": file_complaint("Jembatan kayu di Desa Anjir hampir roboh", agency="PUPR", channel="sms"),
        "waste": file_complaint("Sampah menumpuk di pasar Marabahan", agency="DLH", channel="web"),
    }
    admin = Actor("official", "pupr.admin", Role.ADMIN, "PUPR")
    with transaction(sessions) as db:
        desk = Desk(db, settings, calendar_for(settings), clock())
        answered = db.scalars(select(Complaint).where(Complaint.code == codes["answered"])).one()
        desk.act(answered, admin, Action.ACKNOWLEDGE)
        desk.act(answered, admin, Action.ANSWER, note="Jembatan sudah diperkuat dengan balok baru.")
    return codes


def _status(sessions: Any, code: str) -> str:
    with sessions() as db:
        return db.scalars(select(Complaint.status).where(Complaint.code == code)).one()


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
@pytest.mark.parametrize("db_engine", ["sqlite"], indirect=True)
def test_every_page_fits_the_screen_and_every_action_is_within_reach(
        app, chromium, settings, sessions, clock, file_complaint, width) -> None:
    codes = _history(settings, sessions, clock, file_complaint)
    _passwords(sessions, "kominfo.triage", "pupr.admin")
    measured: dict[str, Any] = {}
    with serving(app) as base:
        public = Visit(chromium, base, width, measured)
        public.open("/lacak", "public-track")
        public.open(f"/lacak?code={codes['new']}", "public-track-found")
        public.open("/ringkasan", "public-summary")
        public.open("/chat", "public-chat")
        public.open("/dashboard/login", "login")
        public.open("/dashboard/tidak-ada", "error-404", status=404)
        expect(public.page.locator("#error-page h1")).to_have_text("Halaman tidak ditemukan")
        public.close()

        triage = Visit(chromium, base, width, measured)
        triage.sign_in("kominfo.triage")
        triage.check("inbox")
        for link in ("#nav-inbox", "#nav-stats", "#nav-recap", "#nav-intake", "#logout"):
            triage.within_screen(link)
        triage.open(f"/dashboard/c/{codes['waiting']}", "complaint-triage")
        assert {"dispatch", "reject"} <= triage.every_action_reachable()
        triage.open("/dashboard/stats", "statistics")
        triage.open("/dashboard/recap?month=2026-11", "recap")
        expect(triage.page.locator("#recap-grand-total")).to_have_text("5")
        triage.open("/dashboard/intake", "intake")
        triage.within_screen("#intake-submit")
        triage.open("/dashboard/c/XXX-0000", "error-complaint-404", status=404)
        triage.close()

        admin = Visit(chromium, base, width, measured)
        admin.sign_in("pupr.admin")
        admin.open(f"/dashboard/c/{codes['new']}", "complaint")
        admin.within_screen("#do-ack")
        assert {"answer", "coordinate", "bukan_wewenang"} <= admin.every_action_reachable()
        admin.open("/dashboard/intake", "error-403", status=403)
        expect(admin.page.locator("#error-page h1")).to_have_text("Anda tidak berwenang membuka halaman ini")
        admin.close()
    _report(width, measured)


@pytest.mark.parametrize("db_engine", ["sqlite"], indirect=True)
def test_on_a_phone_an_admin_acknowledges_with_one_tap_answers_and_sets_coordination(
        app, chromium, settings, sessions, clock, file_complaint) -> None:
    codes = _history(settings, sessions, clock, file_complaint)
    _passwords(sessions, "pupr.admin")
    with serving(app) as base:
        admin = Visit(chromium, base, PHONE, {})
        admin.sign_in("pupr.admin")
        admin.page.click(f"text={codes['new']}")
        admin.page.click("#do-ack")
        expect(admin.page.locator("#status")).to_have_text("Diproses")
        admin.page.wait_for_load_state("load")
        admin.page.select_option("#answer-template", index=2)
        admin.page.fill("#answer-note", "Lubang sudah ditambal pagi ini.")
        admin.page.click("#do-answer")
        expect(admin.page.locator("#status")).to_have_text("Dijawab")
        expect(admin.page.locator("#timeline")).to_contain_text("Dijawab oleh Admin Penghubung PUPR")
        admin.check("complaint-answered")

        admin.open(f"/dashboard/c/{codes['second']}", "complaint-second")
        admin.page.click("#go-coordinate")
        admin.page.fill("#coordinate-note", "Menunggu alat berat dari Dinas Perkim minggu depan.")
        admin.page.click("#do-coordinate")
        expect(admin.page.locator("#status")).to_have_text("Dalam koordinasi lanjutan")
        admin.check("complaint-coordinating")
        admin.close()
    assert _status(sessions, codes["new"]) == "answered"
    assert _status(sessions, codes["second"]) == "coordinating"


def _report(width: int, measured: dict[str, Any]) -> None:
    """Page weight and first render per page, kept for review and printed (pytest -s)."""
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"page-metrics-{width}.json").write_text(json.dumps(measured, indent=2, sort_keys=True))
    for name, figures in sorted(measured.items()):
        print(f"{width}px {name:24} {figures['bytes']:>7} B {figures['requests']:>2} requests "
              f"first render {figures['first_render_ms']} ms")

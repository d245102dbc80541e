"""The landing page and a dealer's portal on a 390 × 844 phone and on a desktop: real
`shouhou serve --demo`, real Chromium. Screenshots go to the artifacts directory."""


import pytest
from playwright.sync_api import expect

from tests.conftest import Server, Sites

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SERIAL = "SND200-2301-0001"  # the first demo unit, sold through GX-NN01


def _one_line(page, selector: str) -> None:
    """The element's text sits on one line: its height is one line's, not one character's per line."""
    box = page.locator(selector).first.bounding_box()
    line = page.locator(selector).first.evaluate("e => parseFloat(getComputedStyle(e).lineHeight) || 20")
    assert box and box["height"] < 2 * line + 16, f"{selector} wraps: {box}"


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    """One demo server for the module (read-only tests), on a copy of the run's demo data dir."""
    sites = Sites()
    data_dir = tmp_path_factory.mktemp("phone") / "var"
    database_url, preamble = sites.prepare(data_dir, demo=True)
    server = Server(data_dir, database_url, demo=True, preamble=preamble)
    try:
        server.start()
        yield server
    finally:
        server.kill()
        sites.drop()


def test_landing_on_a_phone_leads_to_every_public_service(demo_server, browser, artifacts):
    page = browser.new_page(viewport=PHONE, locale="zh-CN", is_mobile=True)
    page.goto(demo_server.url + "/")
    assert page.url == demo_server.url + "/"  # not sent to the staff login
    for text in ("保修查询", "查找代理商", "维修进度（RMA）", "报修进度", "服务时间", "员工与代理商登录"):
        expect(page.get_by_text(text, exact=True).first).to_be_visible()
    assert "400-099-7500" in page.locator("#landing-hours").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # nothing sideways
    icon = page.locator("link[rel=icon]").get_attribute("href")
    assert page.request.get(demo_server.url + icon).ok
    assert page.request.get(demo_server.url + "/favicon.ico").headers["content-type"] == "image/x-icon"
    page.screenshot(path=str(artifacts / "landing_phone.png"), full_page=True)

    page.fill("#landing-serial", SERIAL)
    page.click("#landing-warranty button[name=report]")
    expect(page.locator("#report-form")).to_be_visible()  # 在线报修 opens the unit's report form
    assert f"/u/{SERIAL}" in page.url

    page.goto(demo_server.url + "/")
    page.fill("#landing-rma-number", "RMA2026-999999")
    page.fill("#landing-rma-serial", SERIAL)
    page.click("#landing-rma button[type=submit]")
    expect(page.locator(".status-not-found")).to_be_visible()  # the RMA status page answers
    assert "/rma/status/" in page.url

    page.goto(demo_server.url + "/")
    page.click("#staff-sign-in")
    expect(page.locator("#id_username")).to_be_visible()
    page.close()


def test_landing_on_a_desktop(demo_server, browser, artifacts):
    page = browser.new_page(viewport=DESKTOP, locale="zh-CN")
    page.goto(demo_server.url + "/")
    expect(page.locator("#landing-warranty")).to_be_visible()
    page.screenshot(path=str(artifacts / "landing_desktop.png"), full_page=True)
    page.close()


def _sign_in(page, server, username: str, password: str) -> None:
    page.goto(server.url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(server.url + "/")


def test_dealer_portal_on_a_phone_folds_the_navigation(demo_server, browser, artifacts):
    from shouhou.core.demo import DEMO_PASSWORD

    page = browser.new_page(viewport=PHONE, locale="zh-CN", is_mobile=True)
    _sign_in(page, demo_server, "dealer.nn", DEMO_PASSWORD)
    page.goto(demo_server.url + "/portal/")
    toggle = page.locator(".app-nav-toggle")
    expect(toggle).to_be_visible()
    links = page.locator("#app-nav-links")
    expect(links).to_be_hidden()  # the content comes first, not a screen of navigation
    assert page.locator("h1.page-title").bounding_box()["y"] < PHONE["height"] / 3
    for selector in (".app-password-link", ".app-user-name", ".app-dealer-name", ".app-nav-toggle"):
        _one_line(page, selector)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(artifacts / "portal_phone.png"), full_page=True)

    toggle.click()
    expect(links).to_be_visible()
    assert toggle.get_attribute("aria-expanded") == "true"
    page.screenshot(path=str(artifacts / "portal_phone_menu.png"))
    page.locator("#app-nav-links a.app-nav-link").first.click()
    page.wait_for_load_state()
    expect(page.locator("#app-nav-links")).to_be_hidden()  # folded again on the next page
    page.close()


def test_dealer_portal_on_a_desktop_keeps_the_side_navigation(demo_server, browser, artifacts):
    from shouhou.core.demo import DEMO_PASSWORD

    page = browser.new_page(viewport=DESKTOP, locale="zh-CN")
    _sign_in(page, demo_server, "dealer.nn", DEMO_PASSWORD)
    page.goto(demo_server.url + "/portal/")
    expect(page.locator("#app-nav-links")).to_be_visible()
    expect(page.locator(".app-nav-toggle")).to_be_hidden()
    _one_line(page, ".app-password-link")
    page.screenshot(path=str(artifacts / "portal_desktop.png"), full_page=True)
    page.close()


def test_without_javascript_the_phone_navigation_stays_open(demo_server, browser):
    from shouhou.core.demo import DEMO_PASSWORD

    context = browser.new_context(viewport=PHONE, locale="zh-CN", java_script_enabled=False)
    page = context.new_page()
    _sign_in(page, demo_server, "dealer.nn", DEMO_PASSWORD)
    page.goto(demo_server.url + "/portal/")
    expect(page.locator("#app-nav-links")).to_be_visible()
    expect(page.locator(".app-nav-toggle")).to_be_hidden()
    context.close()
